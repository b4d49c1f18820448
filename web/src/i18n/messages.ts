/** The words of the app's frame and of the starter's pages (the composer has its own file). */
import { translator, type Messages } from "./index";

const en = {
  appName: "Mobilise",
  skipToContent: "Skip to content",
  navMain: "Main",
  navMyPetitions: "My petitions",
  navNew: "Start a petition",
  language: "Language",
  signIn: "Sign in",
  signOut: "Sign out",
  signInTitle: "Sign in to your dashboard",
  signInLead: "Start petitions, write to your signers and follow what they do.",
  signingIn: "Signing you in…",
  signInFailed: "Signing in did not work: {reason}",
  sessionExpired: "Your session has ended. Sign in again to continue.",
  configMissing: "The app could not read its settings (/app/config.json). Try again later.",
  loading: "Loading…",
  retry: "Try again",
  errorGeneric: "Something went wrong: {message}",
  notFoundTitle: "Page not found",
  notFoundLead: "There is nothing at this address.",
  backToPetitions: "Back to my petitions",
  placeholder: "Coming soon.",
} satisfies Messages<string>;

const fr: Messages<keyof typeof en> = {
  appName: "Mobilise",
  skipToContent: "Aller au contenu",
  navMain: "Principal",
  navMyPetitions: "Mes pétitions",
  navNew: "Lancer une pétition",
  language: "Langue",
  signIn: "Se connecter",
  signOut: "Se déconnecter",
  signInTitle: "Connectez-vous à votre tableau de bord",
  signInLead: "Lancez des pétitions, écrivez à vos signataires et suivez ce qu’ils font.",
  signingIn: "Connexion en cours…",
  signInFailed: "La connexion a échoué : {reason}",
  sessionExpired: "Votre session a pris fin. Connectez-vous à nouveau pour continuer.",
  configMissing: "L’application n’a pas pu lire ses réglages (/app/config.json). Réessayez plus tard.",
  loading: "Chargement…",
  retry: "Réessayer",
  errorGeneric: "Une erreur est survenue : {message}",
  notFoundTitle: "Page introuvable",
  notFoundLead: "Il n’y a rien à cette adresse.",
  backToPetitions: "Retour à mes pétitions",
  placeholder: "Bientôt disponible.",
};

export const t = translator({ en, fr });
export type Key = keyof typeof en;
