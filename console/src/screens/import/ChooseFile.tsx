import { type DragEvent, type ReactNode, useState } from 'react';
import type { ImportModeInfo } from '../../api/types.ts';
import { type MessageKey, useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { CREATE_USERS, isCreateUsers } from './import-choices.ts';

// Step one: what kind of file (the mode), its template in the page's language, the options of
// that mode, and the file itself, dropped or picked.

export function ChooseFile(props: {
  modes: ImportModeInfo[];
  choice: string;
  onChoice(choice: string): void;
  /** The fields of the options the chosen mode takes. */
  options: ReactNode;
  busy: boolean;
  onFile(file: File): void;
}) {
  const { t, language } = useI18n();
  const [over, setOver] = useState(false);
  const mode = props.modes.find((m) => m.id === props.choice);
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) props.onFile(file);
  };
  const choices = [...props.modes.map((m) => m.id), ...CREATE_USERS];
  return (
    <>
      <fieldset className="modes">
        <legend>{t('import.mode')}</legend>
        {choices.map((id) => (
          <label key={id} className="mode">
            <input
              type="radio"
              name="import-mode"
              value={id}
              checked={props.choice === id}
              onChange={() => props.onChoice(id)}
            />
            <span>
              <strong>{t(`import.mode.${id}` as MessageKey)}</strong>
              <span className="hint">
                {isCreateUsers(id)
                  ? t('import.createUsersHint')
                  : props.modes.find((m) => m.id === id)?.header}
              </span>
            </span>
          </label>
        ))}
      </fieldset>
      {mode && (
        <p>
          <a
            href={`/api/v1/imports/templates/${mode.id}?language=${language}`}
            download
            className="download"
          >
            {t('import.template', { mode: t(`import.mode.${mode.id}` as MessageKey) })}
          </a>{' '}
          <span className="hint">{t('import.templateHint')}</span>
        </p>
      )}
      {props.options}
      <fieldset
        className={over ? 'drop drop-over' : 'drop'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <legend>{t('import.drop')}</legend>
        <Field label={t('import.pick')}>
          {(a) => (
            <input
              {...a}
              type="file"
              accept=".csv,.txt,.tsv,text/csv,text/plain"
              disabled={props.busy}
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) props.onFile(file);
              }}
            />
          )}
        </Field>
        {props.busy && <p role="status">{t('import.validating')}</p>}
      </fieldset>
    </>
  );
}
