import { type ReactNode, useEffect } from 'react';
import { Link, useLocation } from 'wouter';
import type { Me } from '../api/types.ts';
import { SignOut } from '../ui/SignOut.tsx';
import { LANGUAGES, type Language, type MessageKey, useI18n } from '../i18n/i18n.tsx';

// The frame of every administrator screen: a skip link, the navigation, the language switch and
// the signed-in member. After each navigation the new screen's heading takes the focus, so that
// screen readers announce it and the keyboard starts from the top of the screen.

// `scoped`: open to scope administrators and member managers too, for their groups; the rest is
// the organization administrators' (the API refuses it to anyone else).
const NAV: Array<{ href: string; label: MessageKey; scoped?: true }> = [
  { href: '/', label: 'nav.overview' },
  { href: '/members', label: 'nav.members', scoped: true },
  { href: '/members/add', label: 'nav.add', scoped: true },
  { href: '/invitations', label: 'nav.invitations', scoped: true },
  { href: '/codes', label: 'nav.codes', scoped: true },
  { href: '/keys', label: 'nav.keys' },
  { href: '/groups', label: 'nav.groups' },
  { href: '/catalog', label: 'nav.catalog' },
  { href: '/settings', label: 'nav.settings' },
  { href: '/audit', label: 'nav.audit' },
  { href: '/import', label: 'nav.import' },
  { href: '/sources', label: 'nav.sources' },
];

/** The entries this member's access opens. */
function navFor(access: Me['access']) {
  return access === 'administrator' ? NAV : NAV.filter((n) => n.scoped);
}

/** The navigation entry of this address: the longest that matches (Add members is under Members). */
function currentEntry(location: string): string | undefined {
  return NAV.filter((n) => (n.href === '/' ? location === '/' : location.startsWith(n.href))).at(-1)
    ?.href;
}

export function Shell({ me, children }: { me: Me; children: ReactNode }) {
  const { t, language, setLanguage } = useI18n();
  const [location] = useLocation();
  const currentHref = currentEntry(location);
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each navigation
  useEffect(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.focus();
  }, [location]);
  return (
    <>
      <a className="skip" href="#main">
        {t('app.skip')}
      </a>
      <header className="top">
        <span className="brand">provisiond</span>
        <div className="top-tools">
          <label>
            <span className="visually-hidden">{t('app.language')}</span>
            <select
              value={language}
              onChange={(e) => setLanguage(e.target.value as Language)}
              aria-label={t('app.language')}
            >
              {Object.keys(LANGUAGES).map((code) => (
                <option key={code} value={code}>
                  {t(`language.${code as Language}`)}
                </option>
              ))}
            </select>
          </label>
          <span className="who">
            {me.actor.label} · {me.organization.name}
          </span>
          <SignOut csrfToken={me.csrfToken} label={t('app.signOut')} className="link" />
        </div>
      </header>
      <div className="layout">
        <nav className="side" aria-label={t('nav.label')}>
          <ul>
            {navFor(me.access).map((item) => {
              const current = item.href === currentHref;
              return (
                <li key={item.href}>
                  <Link href={item.href} aria-current={current ? 'page' : undefined}>
                    {t(item.label)}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <main id="main">{children}</main>
      </div>
    </>
  );
}
