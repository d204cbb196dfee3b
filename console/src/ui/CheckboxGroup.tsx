import { useId } from 'react';

// A set of checkboxes under one legend, with the API's message for the whole set tied to it.

export function CheckboxGroup(props: {
  legend: string;
  options: Array<{ value: string; label: string; hint?: string }>;
  checked: string[];
  onChange(checked: string[]): void;
  error?: string | undefined;
  empty?: string;
}) {
  const id = useId();
  const toggle = (value: string, on: boolean) =>
    props.onChange(on ? [...props.checked, value] : props.checked.filter((v) => v !== value));
  return (
    <fieldset
      className="choices"
      aria-invalid={Boolean(props.error)}
      aria-describedby={props.error ? `${id}-error` : undefined}
    >
      <legend>{props.legend}</legend>
      {props.options.length === 0 && props.empty && <p className="hint">{props.empty}</p>}
      {props.options.map((o) => (
        <label key={o.value} className="choice">
          <input
            type="checkbox"
            checked={props.checked.includes(o.value)}
            onChange={(e) => toggle(o.value, e.target.checked)}
          />
          {o.label}
          {o.hint && <span className="hint"> ({o.hint})</span>}
        </label>
      ))}
      {props.error && (
        <p className="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </fieldset>
  );
}
