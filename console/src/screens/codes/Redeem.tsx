import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Field } from '../../ui/Field.tsx';
import { ErrorNotice, StatusNotice } from '../../ui/Notice.tsx';

// The member-facing page: any signed-in member enters a code. It talks to
// /auth/codes/redeem, the members' own door, not to the administrators' API.

interface Redeemed {
  scope: string;
  rolesGranted: string[];
}

async function redeem(code: string): Promise<Redeemed> {
  const response = await fetch('/auth/codes/redeem', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ code }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new ApiError(response.status, body.detail ?? response.statusText, body.issues ?? []);
  return body as Redeemed;
}

export function Redeem() {
  const { t, language } = useI18n();
  const [code, setCode] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<Redeemed | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setDone(await redeem(code));
      setCode('');
    } catch (reason) {
      setError(reason instanceof ApiError ? reason : new ApiError(0, String(reason), []));
    }
  };
  const back = `/auth/sign-in?${new URLSearchParams({ lang: language, returnTo: '/console/redeem' })}`;
  return (
    <main className="centered">
      <h1>{t('redeem.title')}</h1>
      {error?.status === 401 ? (
        <p role="alert">
          <a href={back}>{t('redeem.signIn')}</a>
        </p>
      ) : (
        <ErrorNotice>{error && !error.forField('code') && error.detail}</ErrorNotice>
      )}
      {done && (
        <StatusNotice>
          {t('redeem.done', { roles: done.rolesGranted.join(', '), scope: done.scope })}
        </StatusNotice>
      )}
      <form onSubmit={submit} noValidate>
        <Field label={t('redeem.code')} error={error?.forField('code')}>
          {(a) => (
            <input
              {...a}
              value={code}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => setCode(e.target.value)}
            />
          )}
        </Field>
        <button type="submit">{t('redeem.submit')}</button>
      </form>
    </main>
  );
}
