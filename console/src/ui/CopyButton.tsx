import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

// Copies a text to the clipboard and says so. `focus` puts the keyboard on it when it appears
// (the main action of a result, such as "copy all").

export function CopyButton(props: { text: string; label: string; focus?: boolean }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (props.focus) ref.current?.focus();
  }, [props.focus]);
  return (
    <>
      <button
        ref={ref}
        type="button"
        className="secondary"
        onClick={async () => {
          await navigator.clipboard.writeText(props.text);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        }}
      >
        {props.label}
      </button>
      <span className="copied" role="status">
        {copied ? t('copy.done') : ''}
      </span>
    </>
  );
}
