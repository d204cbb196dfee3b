import type { SignInRefusal } from '../../../errors.ts';
import { alert, csrfField, field, html, page } from './html.ts';
import type { Language } from './language.ts';
import { REFUSALS, TEXT } from './messages.ts';

// The pages themselves: sign-in (built-in form and one button per SAML/OIDC source), sign-up,
// password change, signed-in, and the refusal page.

export interface EnterpriseButton {
  label: string;
  loginUrl: string;
}

const query = (lang: Language, extra: Record<string, string | undefined> = {}) => {
  const params = new URLSearchParams({ lang });
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  return `?${params}`;
};

export function signInPage(
  lang: Language,
  options: {
    csrf: string;
    buttons: EnterpriseButton[];
    selfRegistration: boolean;
    invitation?: string | undefined;
    errors?: string[];
    username?: string;
    /** A console address to come back to once signed in. */
    returnTo?: string | undefined;
    noAdministrator?: boolean;
  },
): string {
  const buttons = options.buttons.map(
    (b) =>
      html`<li><a class="button" href="${b.loginUrl}${query(lang, { invitation: options.invitation, returnTo: options.returnTo })}">${b.label}</a></li>`,
  );
  return page(
    lang,
    TEXT.signInTitle[lang],
    html`${options.noAdministrator ? html`<p>${TEXT.noAdministrator[lang]}</p><pre><code>npx provisiond admin create --username USERNAME --email EMAIL</code></pre>` : ''}${alert(options.errors ?? [])}
<form method="post" action="/auth/builtin/login${query(lang, { returnTo: options.returnTo })}">
${csrfField(options.csrf)}
${field('username', TEXT.username[lang], 'text', 'username', options.username ?? '')}
${field('password', TEXT.password[lang], 'password', 'current-password')}
<button type="submit">${TEXT.signInButton[lang]}</button>
</form>
${buttons.length > 0 ? html`<h2>${TEXT.orgLogins[lang]}</h2><ul>${buttons}</ul>` : ''}
${options.selfRegistration ? html`<p><a href="/auth/sign-up${query(lang)}">${TEXT.signUpLink[lang]}</a></p>` : ''}`,
  );
}

export function signUpPage(
  lang: Language,
  csrf: string,
  values: Record<string, string> = {},
  errors: string[] = [],
): string {
  return page(
    lang,
    TEXT.signUpTitle[lang],
    html`${errors.length ? html`<p>${TEXT.invalidForm[lang]}</p>` : ''}${alert(errors)}
<form method="post" action="/auth/sign-up${query(lang)}">
${csrfField(csrf)}
${field('firstName', TEXT.firstName[lang], 'text', 'given-name', values.firstName)}
${field('lastName', TEXT.lastName[lang], 'text', 'family-name', values.lastName)}
${field('username', TEXT.username[lang], 'text', 'username', values.username, TEXT.usernameHint[lang])}
${field('email', TEXT.email[lang], 'email', 'email', values.email)}
${field('password', TEXT.password[lang], 'password', 'new-password', '', TEXT.passwordHint[lang])}
<button type="submit">${TEXT.signUpButton[lang]}</button>
</form>`,
  );
}

export function passwordPage(
  lang: Language,
  csrf: string,
  required: boolean,
  errors: string[] = [],
): string {
  return page(
    lang,
    TEXT.passwordTitle[lang],
    html`${required ? html`<p>${TEXT.passwordRequired[lang]}</p>` : ''}${alert(errors)}
<form method="post" action="/auth/password${query(lang)}">
${csrfField(csrf)}
${field('currentPassword', TEXT.currentPassword[lang], 'password', 'current-password')}
${field('newPassword', TEXT.newPassword[lang], 'password', 'new-password', '', TEXT.passwordHint[lang])}
<button type="submit">${TEXT.passwordButton[lang]}</button>
</form>`,
  );
}

export function signedInPage(lang: Language, csrf: string, username: string): string {
  return page(
    lang,
    TEXT.signInTitle[lang],
    html`<p>${TEXT.signedInAs[lang]} <strong>${username}</strong>.</p>
<form method="post" action="/auth/sign-out${query(lang)}">${csrfField(csrf)}<button type="submit">${TEXT.signOut[lang]}</button></form>`,
  );
}

export function refusalPage(lang: Language, refusal: SignInRefusal): string {
  return page(
    lang,
    TEXT.errorTitle[lang],
    html`${alert([REFUSALS[refusal][lang]])}
<p><a href="/auth/sign-in${query(lang)}">${TEXT.back[lang]}</a></p>`,
  );
}
