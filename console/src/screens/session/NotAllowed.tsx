import type { Me } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { SignOut } from '../../ui/SignOut.tsx';

// A signed-in member without administrative access: say so plainly, and offer what they can do.
export function NotAllowed({ detail, me }: { detail: string; me?: Me | undefined }) {
  const { t } = useI18n();
  return (
    <main className="centered">
      <h1>{t('notAllowed.title')}</h1>
      <p>{t('notAllowed.body')}</p>
      <p className="hint">{detail}</p>
      <p>
        <a href="/console/redeem">{t('notAllowed.redeem')}</a>
      </p>
      <SignOut csrfToken={me?.csrfToken ?? null} label={t('app.signOutOther')} />
    </main>
  );
}
