import { alert, csrfField, field, html, page } from './html.ts';
import type { Language } from './language.ts';
import { TEXT as SIGN_IN } from './messages.ts';

// The page of a one-time setup link: the member chooses their password, in English, French or
// German; and the page for a link that opens nothing.

const TEXT = {
  title: { en: 'Set up your account', fr: 'Configurer votre compte', de: 'Konto einrichten' },
  intro: {
    en: 'Choose the password of the account',
    fr: 'Choisissez le mot de passe du compte',
    de: 'Wählen Sie das Passwort des Kontos',
  },
  button: {
    en: 'Save and sign in',
    fr: 'Enregistrer et se connecter',
    de: 'Speichern und anmelden',
  },
  dead: {
    en: 'This setup link is unknown, expired or already used. Ask an administrator for a new one (provisiond admin create, or admin setup-link).',
    fr: 'Ce lien de configuration est inconnu, expiré ou déjà utilisé. Demandez-en un nouveau à un administrateur (provisiond admin create, ou admin setup-link).',
    de: 'Dieser Einrichtungslink ist unbekannt, abgelaufen oder bereits verwendet. Bitten Sie einen Administrator um einen neuen (provisiond admin create oder admin setup-link).',
  },
} satisfies Record<string, Record<Language, string>>;

export function setupPage(
  lang: Language,
  csrf: string,
  token: string,
  username: string,
  errors: string[] = [],
): string {
  return page(
    lang,
    TEXT.title[lang],
    html`<p>${TEXT.intro[lang]} <strong>${username}</strong>.</p>
${alert(errors)}
<form method="post" action="/auth/setup?lang=${lang}">
${csrfField(csrf)}
<input type="hidden" name="token" value="${token}">
${field('password', SIGN_IN.newPassword[lang], 'password', 'new-password', '', SIGN_IN.passwordHint[lang])}
<button type="submit">${TEXT.button[lang]}</button>
</form>`,
  );
}

export function deadSetupPage(lang: Language): string {
  return page(lang, TEXT.title[lang], html`${alert([TEXT.dead[lang]])}`);
}
