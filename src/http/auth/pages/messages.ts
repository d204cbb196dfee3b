import type { SignInRefusal } from '../../../errors.ts';
import type { Language } from './language.ts';

// Every text of the sign-in pages, in English, French and German.

type Text = Record<Language, string>;

export const TEXT = {
  signInTitle: { en: 'Sign in', fr: 'Connexion', de: 'Anmelden' },
  noAdministrator: {
    en: 'This organization has no administrator yet. On the machine that runs the daemon, create the first one with:',
    fr: "Cette organisation n'a pas encore d'administrateur. Sur la machine du démon, créez le premier avec :",
    de: 'Diese Organisation hat noch keinen Administrator. Legen Sie auf dem Rechner des Daemons den ersten an mit:',
  },
  username: { en: 'Username', fr: "Nom d'utilisateur", de: 'Benutzername' },
  password: { en: 'Password', fr: 'Mot de passe', de: 'Passwort' },
  signInButton: { en: 'Sign in', fr: 'Se connecter', de: 'Anmelden' },
  orgLogins: {
    en: 'Or sign in with your organization',
    fr: 'Ou connectez-vous avec votre organisation',
    de: 'Oder mit Ihrer Organisation anmelden',
  },
  signUpLink: { en: 'Create an account', fr: 'Créer un compte', de: 'Konto erstellen' },
  signUpTitle: { en: 'Create an account', fr: 'Créer un compte', de: 'Konto erstellen' },
  firstName: { en: 'First name', fr: 'Prénom', de: 'Vorname' },
  lastName: { en: 'Last name', fr: 'Nom', de: 'Nachname' },
  email: { en: 'Email', fr: 'Adresse e-mail', de: 'E-Mail-Adresse' },
  signUpButton: { en: 'Create the account', fr: 'Créer le compte', de: 'Konto erstellen' },
  passwordTitle: {
    en: 'Change your password',
    fr: 'Changer votre mot de passe',
    de: 'Passwort ändern',
  },
  passwordRequired: {
    en: 'Your password is temporary: choose your own before going on.',
    fr: 'Votre mot de passe est temporaire : choisissez le vôtre avant de continuer.',
    de: 'Ihr Passwort ist vorläufig: Wählen Sie ein eigenes, bevor Sie fortfahren.',
  },
  currentPassword: { en: 'Current password', fr: 'Mot de passe actuel', de: 'Aktuelles Passwort' },
  newPassword: { en: 'New password', fr: 'Nouveau mot de passe', de: 'Neues Passwort' },
  usernameHint: {
    en: '6 to 128 characters: letters, digits and underscores (_).',
    fr: '6 à 128 caractères : lettres, chiffres et traits de soulignement (_).',
    de: '6 bis 128 Zeichen: Buchstaben, Ziffern und Unterstriche (_).',
  },
  passwordHint: {
    en: 'At least 8 characters with a letter and a digit; not your username.',
    fr: "Au moins 8 caractères dont une lettre et un chiffre ; pas votre nom d'utilisateur.",
    de: 'Mindestens 8 Zeichen mit einem Buchstaben und einer Ziffer; nicht Ihr Benutzername.',
  },
  passwordButton: {
    en: 'Change the password',
    fr: 'Changer le mot de passe',
    de: 'Passwort ändern',
  },
  signedInAs: {
    en: 'You are signed in as',
    fr: 'Vous êtes connecté en tant que',
    de: 'Sie sind angemeldet als',
  },
  signOut: { en: 'Sign out', fr: 'Se déconnecter', de: 'Abmelden' },
  errorTitle: { en: 'Sign-in refused', fr: 'Connexion refusée', de: 'Anmeldung abgelehnt' },
  back: { en: 'Back to sign-in', fr: 'Retour à la connexion', de: 'Zurück zur Anmeldung' },
  invalidForm: {
    en: 'Please correct the following:',
    fr: 'Veuillez corriger ceci :',
    de: 'Bitte korrigieren Sie Folgendes:',
  },
} satisfies Record<string, Text>;

export const REFUSALS: Record<SignInRefusal, Text> = {
  'wrong-credentials': {
    en: 'The username or the password is wrong.',
    fr: "Le nom d'utilisateur ou le mot de passe est incorrect.",
    de: 'Benutzername oder Passwort ist falsch.',
  },
  locked: {
    en: 'Too many failed attempts: this account is locked for a while. Try again later.',
    fr: 'Trop de tentatives échouées : ce compte est verrouillé pour un moment. Réessayez plus tard.',
    de: 'Zu viele Fehlversuche: Dieses Konto ist vorübergehend gesperrt. Versuchen Sie es später erneut.',
  },
  'directory-unavailable': {
    en: 'The directory that checks this password cannot be reached right now. Try again in a few minutes.',
    fr: "L'annuaire qui vérifie ce mot de passe est injoignable pour le moment. Réessayez dans quelques minutes.",
    de: 'Das Verzeichnis, das dieses Passwort prüft, ist gerade nicht erreichbar. Versuchen Sie es in einigen Minuten erneut.',
  },
  disabled: {
    en: 'This account is disabled.',
    fr: 'Ce compte est désactivé.',
    de: 'Dieses Konto ist deaktiviert.',
  },
  'not-allowed': {
    en: 'Your organization does not allow this account to join automatically. Ask an administrator to add or invite you.',
    fr: "Votre organisation n'autorise pas ce compte à la rejoindre automatiquement. Demandez à un administrateur de vous ajouter ou de vous inviter.",
    de: 'Ihre Organisation erlaubt diesem Konto keinen automatischen Beitritt. Bitten Sie einen Administrator, Sie hinzuzufügen oder einzuladen.',
  },
  'email-required': {
    en: 'Your identity provider did not send a verified email address, which a new account needs.',
    fr: "Votre fournisseur d'identité n'a pas transmis d'adresse e-mail vérifiée, nécessaire à un nouveau compte.",
    de: 'Ihr Identitätsanbieter hat keine bestätigte E-Mail-Adresse übermittelt, die ein neues Konto benötigt.',
  },
  'username-taken': {
    en: 'An account with this name already exists. Ask an administrator to link your login to it.',
    fr: 'Un compte portant ce nom existe déjà. Demandez à un administrateur de le lier à votre identifiant.',
    de: 'Ein Konto mit diesem Namen existiert bereits. Bitten Sie einen Administrator, Ihre Anmeldung damit zu verknüpfen.',
  },
  'ambiguous-match': {
    en: 'Several accounts match your login. Ask an administrator to link the right one.',
    fr: 'Plusieurs comptes correspondent à votre identifiant. Demandez à un administrateur de lier le bon.',
    de: 'Mehrere Konten passen zu Ihrer Anmeldung. Bitten Sie einen Administrator, das richtige zu verknüpfen.',
  },
  'invitation-invalid': {
    en: 'This invitation is not valid (unknown, expired or already used).',
    fr: "Cette invitation n'est pas valide (inconnue, expirée ou déjà utilisée).",
    de: 'Diese Einladung ist ungültig (unbekannt, abgelaufen oder bereits verwendet).',
  },
  'invitation-email-mismatch': {
    en: 'The email address of your account is not the one the invitation was sent to, so you cannot join with it.',
    fr: "L'adresse e-mail de votre compte n'est pas celle à laquelle l'invitation a été envoyée : vous ne pouvez pas rejoindre l'organisation avec ce compte.",
    de: 'Die E-Mail-Adresse Ihres Kontos ist nicht die, an die die Einladung gesendet wurde; damit können Sie nicht beitreten.',
  },
  'invitation-organization-logins': {
    en: "This invitation must be accepted with your organization's login.",
    fr: "Cette invitation doit être acceptée avec l'identifiant de votre organisation.",
    de: 'Diese Einladung muss mit der Anmeldung Ihrer Organisation angenommen werden.',
  },
  'provider-refused': {
    en: 'The answer of the identity provider could not be trusted, so you were not signed in.',
    fr: "La réponse du fournisseur d'identité n'est pas digne de confiance : vous n'avez pas été connecté.",
    de: 'Der Antwort des Identitätsanbieters konnte nicht vertraut werden; Sie wurden nicht angemeldet.',
  },
  'flow-expired': {
    en: 'This sign-in took too long or was already used. Please start again.',
    fr: 'Cette connexion a expiré ou a déjà été utilisée. Veuillez recommencer.',
    de: 'Diese Anmeldung ist abgelaufen oder wurde bereits verwendet. Bitte beginnen Sie erneut.',
  },
  'registration-closed': {
    en: 'This organization does not let people create accounts themselves.',
    fr: 'Cette organisation ne permet pas de créer soi-même un compte.',
    de: 'Diese Organisation erlaubt nicht, selbst Konten zu erstellen.',
  },
};
