import { useI18n } from '../i18n/i18n.tsx';
import { Field } from './Field.tsx';

// A list filter that keeps one of a few values, or any (the empty value, first in the list).
export function ChoiceFilter(props: {
  label: string;
  error?: string | undefined;
  value: string;
  onChange: (value: string) => void;
  /** Each choice as [value, label]. */
  options: ReadonlyArray<readonly [string, string]>;
}) {
  const { t } = useI18n();
  return (
    <Field label={props.label} error={props.error}>
      {(a) => (
        <select {...a} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
          <option value="">{t('common.any')}</option>
          {props.options.map(([value, text]) => (
            <option key={value} value={value}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
