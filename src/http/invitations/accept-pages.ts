import { alert, csrfField, field, html, page } from '../auth/pages/html.ts';
import type { Language } from '../auth/pages/language.ts';
import type { EnterpriseButton } from '../auth/pages/sign-in-pages.ts';
import { TEXT as SIGN_IN } from '../auth/pages/messages.ts';

// The invitation pages in English, French and German: what the invitation is
// (organization, inviter, role), the built-in acceptance form, the organization logins that carry
// the invitation through an enterprise sign-in, and the page for a link that opens nothing.

type Text = Record<Language, string>;

const TEXT = {
  title: { en: 'Invitation', fr: 'Invitation', de: 'Einladung' },
  invitedBy: {
    en: 'invites you to join',
    fr: 'vous invite à rejoindre',
    de: 'lädt Sie ein, beizutreten:',
  },
  role: { en: 'Role', fr: 'Rôle', de: 'Rolle' },
  usernameGiven: { en: 'Your username', fr: "Votre nom d'utilisateur", de: 'Ihr Benutzername' },
  acceptButton: {
    en: 'Accept and create my account',
    fr: 'Accepter et créer mon compte',
    de: 'Annehmen und Konto erstellen',
  },
  orgLoginsOnly: {
    en: 'Join with your organization account:',
    fr: 'Rejoignez avec le compte de votre organisation :',
    de: 'Treten Sie mit dem Konto Ihrer Organisation bei:',
  },
  orOrgLogins: {
    en: 'Or join with your organization account:',
    fr: 'Ou rejoignez avec le compte de votre organisation :',
    de: 'Oder treten Sie mit dem Konto Ihrer Organisation bei:',
  },
  dead: {
    en: 'This invitation link is unknown, expired, already accepted or deleted. Ask the person who invited you to send it again.',
    fr: "Ce lien d'invitation est inconnu, expiré, déjà accepté ou supprimé. Demandez à la personne qui vous a invité de le renvoyer.",
    de: 'Dieser Einladungslink ist unbekannt, abgelaufen, bereits angenommen oder gelöscht. Bitten Sie die einladende Person, ihn erneut zu senden.',
  },
  accepted: {
    en: 'Welcome! Your account is ready.',
    fr: 'Bienvenue ! Votre compte est prêt.',
    de: 'Willkommen! Ihr Konto ist bereit.',
  },
  continue: { en: 'Continue', fr: 'Continuer', de: 'Weiter' },
} satisfies Record<string, Text>;

export interface InvitationView {
  organization: string;
  inviter: string;
  /** null: the invitation gives no role. */
  role: string | null;
  username: string | null;
  email: string;
  emailFixed: boolean;
  organizationLoginsOnly: boolean;
}

export function invitationPage(
  lang: Language,
  csrf: string,
  token: string,
  view: InvitationView,
  buttons: EnterpriseButton[],
  errors: string[] = [],
  values: Record<string, string> = {},
): string {
  const links = buttons.map(
    (b) =>
      html`<li><a class="button" href="${`${b.loginUrl}?${new URLSearchParams({ lang, invitation: token })}`}">${b.label}</a></li>`,
  );
  const form = view.organizationLoginsOnly
    ? html``
    : html`<form method="post" action="/invitations/accept?lang=${lang}">
${csrfField(csrf)}
<input type="hidden" name="token" value="${token}">
${view.username ? html`<p>${TEXT.usernameGiven[lang]}: <strong>${view.username}</strong></p>` : field('username', SIGN_IN.username[lang], 'text', 'username', values.username ?? '')}
${view.emailFixed ? html`<p>${SIGN_IN.email[lang]}: <strong>${view.email}</strong></p>` : field('email', SIGN_IN.email[lang], 'email', 'email', values.email ?? view.email)}
${field('password', SIGN_IN.password[lang], 'password', 'new-password', '', SIGN_IN.passwordHint[lang])}
<button type="submit">${TEXT.acceptButton[lang]}</button>
</form>`;
  const heading = view.organizationLoginsOnly ? TEXT.orgLoginsOnly[lang] : TEXT.orOrgLogins[lang];
  return page(
    lang,
    TEXT.title[lang],
    html`<p><strong>${view.inviter}</strong> ${TEXT.invitedBy[lang]} <strong>${view.organization}</strong>.</p>
${view.role === null ? '' : html`<p>${TEXT.role[lang]}: <strong>${view.role}</strong></p>`}
${alert(errors)}
${form}
${links.length > 0 ? html`<h2>${heading}</h2><ul>${links}</ul>` : ''}`,
  );
}

export function deadInvitationPage(lang: Language): string {
  return page(lang, TEXT.title[lang], html`${alert([TEXT.dead[lang]])}`);
}

export function acceptedPage(lang: Language, username: string): string {
  return page(
    lang,
    TEXT.title[lang],
    html`<p>${TEXT.accepted[lang]} (${username})</p>
<p><a href="/auth/sign-in?lang=${lang}">${TEXT.continue[lang]}</a></p>`,
  );
}
