import { useI18n } from '../i18n/i18n.tsx';

// Sign-out is the daemon's own form post, which carries the session's CSRF token.
export function SignOut(props: { csrfToken: string | null; label: string; className?: string }) {
  const { language } = useI18n();
  return (
    <form method="post" action={`/auth/sign-out?lang=${language}`}>
      <input type="hidden" name="csrfToken" value={props.csrfToken ?? ''} />
      <button type="submit" className={props.className}>
        {props.label}
      </button>
    </form>
  );
}
