// The mails of invitations in English, French and German. Plain text plus a small
// HTML part; every value is escaped in the HTML.

export type Language = 'en' | 'fr' | 'de';

export interface MailData {
  organization: string;
  inviter: string;
  /** null: an invitation that gives no role (only an account is created). */
  role: string | null;
  link: string | null;
  message: string | null;
  username: string | null;
  expiresAt: string | null;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

interface Wording {
  inviteSubject: (d: MailData) => string;
  inviteBody: (d: MailData) => string;
  usernameLine: (u: string) => string;
  expiresLine: (date: string) => string;
  accept: string;
  addedSubject: (d: MailData) => string;
  addedBody: (d: MailData) => string;
  messageFrom: (inviter: string) => string;
}

const WORDING: Record<Language, Wording> = {
  en: {
    inviteSubject: (d) => `Invitation to join ${d.organization}`,
    inviteBody: (d) =>
      d.role === null
        ? `${d.inviter} invites you to create your account in ${d.organization}.`
        : `${d.inviter} invites you to join ${d.organization} with the role ${d.role}.`,
    usernameLine: (u) => `Your username: ${u}`,
    expiresLine: (date) => `The invitation expires on ${date}.`,
    accept: 'Accept the invitation',
    addedSubject: (d) => `You were added to ${d.organization}`,
    addedBody: (d) =>
      d.role === null
        ? `${d.inviter} added you to ${d.organization}. Sign in as usual.`
        : `${d.inviter} gave you the role ${d.role} in ${d.organization}. Sign in as usual to use it.`,
    messageFrom: (inviter) => `Message from ${inviter}:`,
  },
  fr: {
    inviteSubject: (d) => `Invitation à rejoindre ${d.organization}`,
    inviteBody: (d) =>
      d.role === null
        ? `${d.inviter} vous invite à créer votre compte dans ${d.organization}.`
        : `${d.inviter} vous invite à rejoindre ${d.organization} avec le rôle ${d.role}.`,
    usernameLine: (u) => `Votre nom d'utilisateur : ${u}`,
    expiresLine: (date) => `L'invitation expire le ${date}.`,
    accept: "Accepter l'invitation",
    addedSubject: (d) => `Vous avez été ajouté(e) à ${d.organization}`,
    addedBody: (d) =>
      d.role === null
        ? `${d.inviter} vous a ajouté(e) à ${d.organization}. Connectez-vous comme d'habitude.`
        : `${d.inviter} vous a attribué le rôle ${d.role} dans ${d.organization}. Connectez-vous comme d'habitude pour l'utiliser.`,
    messageFrom: (inviter) => `Message de ${inviter} :`,
  },
  de: {
    inviteSubject: (d) => `Einladung zu ${d.organization}`,
    inviteBody: (d) =>
      d.role === null
        ? `${d.inviter} lädt Sie ein, Ihr Konto bei ${d.organization} zu erstellen.`
        : `${d.inviter} lädt Sie ein, ${d.organization} mit der Rolle ${d.role} beizutreten.`,
    usernameLine: (u) => `Ihr Benutzername: ${u}`,
    expiresLine: (date) => `Die Einladung läuft am ${date} ab.`,
    accept: 'Einladung annehmen',
    addedSubject: (d) => `Sie wurden zu ${d.organization} hinzugefügt`,
    addedBody: (d) =>
      d.role === null
        ? `${d.inviter} hat Sie zu ${d.organization} hinzugefügt. Melden Sie sich wie gewohnt an.`
        : `${d.inviter} hat Ihnen in ${d.organization} die Rolle ${d.role} gegeben. Melden Sie sich wie gewohnt an, um sie zu nutzen.`,
    messageFrom: (inviter) => `Nachricht von ${inviter}:`,
  },
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const DATE_LOCALE: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR', de: 'de-DE' };

export function renderMail(
  template: 'invitation' | 'added-to-organization',
  language: Language,
  data: MailData,
): RenderedMail {
  const w = WORDING[language];
  const lines: string[] = [];
  let subject: string;
  if (template === 'invitation') {
    subject = w.inviteSubject(data);
    lines.push(w.inviteBody(data));
    if (data.username) lines.push(w.usernameLine(data.username));
    if (data.expiresAt)
      lines.push(
        w.expiresLine(
          new Date(data.expiresAt).toLocaleDateString(DATE_LOCALE[language], { timeZone: 'UTC' }),
        ),
      );
  } else {
    subject = w.addedSubject(data);
    lines.push(w.addedBody(data));
  }
  const message = data.message ? [w.messageFrom(data.inviter), data.message] : [];
  const text = [
    ...lines,
    '',
    ...message,
    ...(message.length ? [''] : []),
    ...(data.link ? [`${w.accept}: ${data.link}`] : []),
  ].join('\n');
  const html = [
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    ...(message.length
      ? [`<p>${escapeHtml(message[0]!)}</p><blockquote>${escapeHtml(message[1]!)}</blockquote>`]
      : []),
    ...(data.link ? [`<p><a href="${escapeHtml(data.link)}">${escapeHtml(w.accept)}</a></p>`] : []),
  ].join('\n');
  return {
    subject,
    text: `${text}\n`,
    html: `<!doctype html><html lang="${language}"><body>\n${html}\n</body></html>\n`,
  };
}
