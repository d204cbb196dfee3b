import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

export function CopyButton(props: { text: string; label: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
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
