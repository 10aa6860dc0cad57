// Every user-visible string, in English and German. `de` is typed against the English keys, so
// a missing or extra key fails the type check; `i18n.test.ts` also checks placeholders and that
// no English text is left in German.
import type { IpcErrorKind } from "./api";

const en = {
  "app.title": "Supporter Desk",
  "header.sandbox": "Sandbox",
  "header.sandboxTitle": "Sandbox mode: a built-in TeamViewer simulator answers; nothing reaches TeamViewer.",
  "header.signOut": "Sign out",
  "header.account": "Signed in as {name}",
  "banner.keyring":
    "The system keychain is unavailable: your sign-in is kept in memory only and ends when you close the app.",
  "banner.dismiss": "Dismiss",
  "banner.detail": "Details: {detail}",
  "wait.rateLimit":
    "TeamViewer's limit on API calls has been reached. Waiting {time} before trying again (attempt {attempt})…",
  "wait.server": "TeamViewer is not answering; trying again in {time}",
  "wait.network": "No connection to TeamViewer; trying again in {time}",
  "wait.seconds": "{s} s",
  "wait.minutes": "{m} min",
  "wait.minutesSeconds": "{m} min {s} s",
  "tabs.label": "Views",
  "tabs.sessions": "Sessions",
  "tabs.logs": "Connection log",
  "tabs.settings": "Settings",
  "common.cancel": "Cancel",
  "common.copy": "Copy",
  "common.copied": "Copied to the clipboard.",
  "common.refresh": "Refresh",
  "common.save": "Save",
  "common.none": "—",

  "signin.title": "Sign in",
  "signin.intro": "Sign in to create support sessions and load your connection reports.",
  "signin.sandboxIntro":
    "Sandbox mode: sign-in goes to the built-in TeamViewer simulator. Approve the access on its page.",
  "signin.button": "Sign in with TeamViewer",
  "signin.notConfigured":
    "To sign in with TeamViewer, enter your app's client ID under Settings, or use a script token.",
  "signin.waiting": "Waiting for the browser… Approve the access there, then come back here.",
  "signin.useToken": "Use a script token",
  "signin.tokenLabel": "Script token",
  "signin.tokenHint":
    "A token from the TeamViewer Management Console (Profile › Apps). It is checked, then kept in the system keychain.",
  "signin.tokenSubmit": "Sign in with token",
  "signin.tokenRequired": "Paste the token first.",
  "signin.checking": "Checking…",
  "signin.signedIn": "Signed in as {name}.",
  "signin.signedOut": "Signed out.",

  "sessions.new": "New session",
  "sessions.newTitle": "New support session",
  "sessions.group": "Group",
  "sessions.groupChoose": "Choose a group",
  "sessions.groupName": "or a new group name",
  "sessions.description": "Description",
  "sessions.customerName": "Customer name",
  "sessions.customerEmail": "Customer e-mail",
  "sessions.waitingMessage": "Waiting message (the customer sees it)",
  "sessions.create": "Create session",
  "sessions.creating": "Creating the session…",
  "sessions.created": "Session {code} created.",
  "sessions.code": "Session code",
  "sessions.linkSupporter": "Supporter link",
  "sessions.linkWebClient": "WebClient link",
  "sessions.linkCustomer": "Customer link",
  "sessions.openTeamViewer": "Open in TeamViewer",
  "sessions.openBrowser": "Open in browser",
  "sessions.emailInvitation": "E-mail invitation",
  "sessions.opening": "Opening session {code}…",
  "sessions.invitationOpened": "The invitation opens in your e-mail program.",
  "sessions.listTitle": "Sessions",
  "sessions.showClosed": "Include closed sessions",
  "sessions.col.code": "Session code",
  "sessions.col.customer": "Customer",
  "sessions.col.description": "Description",
  "sessions.col.created": "Created / valid until",
  "sessions.validUntil": "until {date}",
  "sessions.col.online": "Customer online",
  "sessions.col.actions": "Actions",
  "sessions.online": "Online",
  "sessions.offline": "Offline",
  "sessions.unknown": "Unknown",
  "sessions.stateClosed": "Closed",
  "sessions.close": "Close",
  "sessions.closeLabel": "Close session {code}",
  "sessions.openLabel": "Open session {code} in TeamViewer",
  "sessions.confirmClose": "Close session {code}?",
  "sessions.confirmYes": "Close session",
  "sessions.keepOpen": "Keep open",
  "sessions.closed": "Session {code} closed.",
  "sessions.empty": "No open sessions.",
  "sessions.emptyAll": "No sessions yet.",
  "sessions.loading": "Loading sessions…",
  "sessions.count": "{n} sessions",
  "sessions.page": "Page {page} of {pages}",
  "sessions.prev": "Previous page",
  "sessions.next": "Next page",

  "validate.group": "Choose a group or type a group name.",
  "validate.tooLong": "At most {max} characters are allowed (this has {n}).",
  "validate.email": "Enter an address like name@example.com.",
  "validate.form": "Please correct the marked fields.",

  "logs.query": "Which reports",
  "logs.preset": "Period",
  "logs.preset.today": "Today",
  "logs.preset.7": "Last 7 days",
  "logs.preset.30": "Last 30 days",
  "logs.preset.90": "Last 90 days",
  "logs.preset.custom": "Custom",
  "logs.from": "From",
  "logs.to": "To (inclusive)",
  "logs.filterUser": "User ID",
  "logs.filterGroup": "Group",
  "logs.anyGroup": "Any group",
  "logs.filterDevice": "Device name",
  "logs.filterSessionCode": "Session code",
  "logs.filterType": "Type",
  "logs.anyType": "Any type",
  "logs.type.1": "Remote connection",
  "logs.type.2": "Remote support (session code)",
  "logs.type.3": "Remote support (SDK)",
  "logs.load": "Load",
  "logs.progress": "{records} records loaded",
  "logs.progressRemaining": "{records} records loaded, {remaining} to go",
  "logs.cancel": "Cancel loading",
  "logs.incomplete": "Incomplete: loading stopped after {records} records.",
  "logs.resume": "Resume",
  "logs.loaded": "{n} records loaded.",
  "logs.cancelled": "Loading cancelled; the records so far stay visible.",
  "logs.customRequired": "Choose a start date for the custom period.",
  "logs.invalidRange": "The start date must not be after the end date.",
  "logs.filter": "Filter the loaded records",
  "logs.filterPlaceholder": "Search all columns (Ctrl+F)",
  "logs.columnFilters": "Column filters",
  "logs.clearFilters": "Clear filters",
  "logs.records": "Records",
  "logs.ofTotal": "of {total} loaded",
  "logs.totalDuration": "Total duration",
  "logs.table": "Connection reports",
  "logs.empty": "No records loaded yet. Choose a period and press Load.",
  "logs.noMatch": "No record matches the filter.",
  "logs.col.id": "Report ID",
  "logs.col.start_date": "Start (UTC)",
  "logs.col.end_date": "End (UTC)",
  "logs.col.duration_seconds": "Duration",
  "logs.col.username": "User",
  "logs.col.devicename": "Device",
  "logs.col.groupname": "Group",
  "logs.col.support_session_type": "Type",
  "logs.col.session_code": "Session code",
  "logs.col.end_customer_name": "Customer",
  "logs.col.end_customer_email": "Customer e-mail",
  "logs.col.billing_state": "Billing",
  "logs.col.notes": "Notes",
  "logs.col.actions": "Actions",
  "logs.ticket": "Ticket",
  "logs.ticketLabel": "Copy the record as ticket text",
  "logs.ticketCopied": "Ticket text copied to the clipboard.",
  "logs.edit": "Edit",
  "logs.editLabel": "Edit notes and billing state",
  "logs.editTitle": "Edit the record",
  "logs.editRecord": "Record from {date}, {user} on {device}",
  "logs.notes": "Notes",
  "logs.billingState": "Billing state",
  "logs.billing.bill": "To bill",
  "logs.billing.billed": "Billed",
  "logs.billing.doNotBill": "Do not bill",
  "logs.billing.none": "Not set",
  "logs.billing.other": "{value} (as sent by TeamViewer)",
  "logs.saved": "Record saved.",
  "logs.export": "Export CSV",
  "logs.exportHint": "Exports exactly the rows in view (Ctrl+E).",
  "logs.delimiter": "Delimiter",
  "logs.delimiterComma": "Comma (,)",
  "logs.delimiterSemicolon": "Semicolon (;)",
  "logs.bom": "Byte order mark (for Excel)",
  "logs.exported": "Exported {rows} rows to {path}",
  "logs.exportCancelled": "Export cancelled.",

  "settings.title": "Settings",
  "settings.mode": "Connect to",
  "settings.modeSandbox": "Sandbox (built-in TeamViewer simulator)",
  "settings.modeTeamViewer": "TeamViewer account",
  "settings.clientId": "Client ID",
  "settings.clientIdHint": "From your TeamViewer app registration (see docs/oauth.md). Without one, the app runs in Sandbox mode.",
  "settings.clientSecret": "Client secret",
  "settings.secretStored": "A secret is stored in the system keychain. Type a new one to replace it.",
  "settings.secretNone": "No secret stored.",
  "settings.removeSecret": "Remove the stored secret",
  "settings.redirect": "Sign-in redirect",
  "settings.redirectDeepLink": "App link (deep link)",
  "settings.redirectLoopback": "Local address (http://127.0.0.1)",
  "settings.port": "Port",
  "settings.portInvalid": "Enter a port between 1024 and 65535.",
  "settings.advanced": "Advanced",
  "settings.apiUrl": "API base URL",
  "settings.loginUrl": "Login base URL",
  "settings.language": "Language",
  "settings.langAuto": "Automatic (system)",
  "settings.langDe": "Deutsch",
  "settings.langEn": "English",
  "settings.saved": "Settings saved.",

  "error.not_signed_in": "You are not signed in.",
  "error.session_expired": "Your sign-in has expired. Please sign in again.",
  "error.unauthorized": "TeamViewer did not accept the sign-in or token.",
  "error.forbidden": "Your account or token lacks the permission for this.",
  "error.not_found": "TeamViewer could not find it; it may have been closed or deleted.",
  "error.rate_limited": "TeamViewer's limit on API calls for your licence has been reached. Supporter Desk waits and slows down; please try again in a few minutes.",
  "error.blocked": "TeamViewer has blocked requests from your network address. Ask your administrator or TeamViewer support.",
  "error.response_too_large": "The server sent a far larger answer than expected; it was not read.",
  "error.invalid_response": "The server's answers contradict each other, so the data could be incomplete.",
  "error.limit_exceeded": "Loading stopped at a safety limit; what was loaded so far is kept.",
  "error.license_limit": "Your TeamViewer license does not allow this (for example, too many open sessions).",
  "error.api": "TeamViewer rejected the request.",
  "error.server": "TeamViewer had a server problem. Please try again later.",
  "error.network": "TeamViewer could not be reached. Check the internet connection.",
  "error.timeout": "TeamViewer took too long to answer.",
  "error.unexpected_redirect": "The server answered with an unexpected redirect.",
  "error.decode": "The answer from TeamViewer could not be read.",
  "error.oauth": "Signing in with TeamViewer failed.",
  "error.keyring_unavailable": "The system keychain is unavailable.",
  "error.keyring": "The system keychain reported an error.",
  "error.callback_rejected": "The sign-in answer from the browser was not accepted.",
  "error.invalid_input": "Some input is not valid.",
  "error.cancelled": "Cancelled.",
  "error.config": "The app settings are incomplete or invalid.",
  "error.io": "A file could not be read or written.",
  "error.csv": "The CSV file could not be written.",
  "error.unknown": "Something unexpected went wrong.",
} as const;

export type MsgKey = keyof typeof en;
export type Lang = "en" | "de";

const de: Record<MsgKey, string> = {
  "app.title": "Supporter Desk",
  "header.sandbox": "Sandbox",
  "header.sandboxTitle": "Sandbox-Modus: Ein eingebauter TeamViewer-Simulator antwortet; nichts erreicht TeamViewer.",
  "header.signOut": "Abmelden",
  "header.account": "Angemeldet als {name}",
  "banner.keyring":
    "Der Schlüsselbund des Systems ist nicht verfügbar: Ihre Anmeldung wird nur im Arbeitsspeicher gehalten und endet, wenn Sie die App schließen.",
  "banner.dismiss": "Ausblenden",
  "banner.detail": "Einzelheiten: {detail}",
  "wait.rateLimit":
    "Das Limit für API-Aufrufe bei TeamViewer ist erreicht. Nächster Versuch in {time} (Versuch {attempt}) …",
  "wait.server": "TeamViewer antwortet nicht; nächster Versuch in {time}",
  "wait.network": "Keine Verbindung zu TeamViewer; nächster Versuch in {time}",
  "wait.seconds": "{s} Sek.",
  "wait.minutes": "{m} Min.",
  "wait.minutesSeconds": "{m} Min. {s} Sek.",
  "tabs.label": "Ansichten",
  "tabs.sessions": "Sitzungen",
  "tabs.logs": "Verbindungsprotokoll",
  "tabs.settings": "Einstellungen",
  "common.cancel": "Abbrechen",
  "common.copy": "Kopieren",
  "common.copied": "In die Zwischenablage kopiert.",
  "common.refresh": "Aktualisieren",
  "common.save": "Speichern",
  "common.none": "—",

  "signin.title": "Anmelden",
  "signin.intro": "Melden Sie sich an, um Support-Sitzungen zu erstellen und Ihre Verbindungsberichte zu laden.",
  "signin.sandboxIntro":
    "Sandbox-Modus: Die Anmeldung geht an den eingebauten TeamViewer-Simulator. Bestätigen Sie dort den Zugriff.",
  "signin.button": "Mit TeamViewer anmelden",
  "signin.notConfigured":
    "Um sich mit TeamViewer anzumelden, tragen Sie unter Einstellungen die Client-ID Ihrer App ein, oder verwenden Sie ein Skript-Token.",
  "signin.waiting": "Warte auf den Browser … Bestätigen Sie dort den Zugriff und kehren Sie dann hierher zurück.",
  "signin.useToken": "Skript-Token verwenden",
  "signin.tokenLabel": "Skript-Token",
  "signin.tokenHint":
    "Ein Token aus der TeamViewer Management Console (Profil › Apps). Es wird geprüft und dann im Schlüsselbund des Systems gespeichert.",
  "signin.tokenSubmit": "Mit Token anmelden",
  "signin.tokenRequired": "Fügen Sie zuerst das Token ein.",
  "signin.checking": "Wird geprüft …",
  "signin.signedIn": "Angemeldet als {name}.",
  "signin.signedOut": "Abgemeldet.",

  "sessions.new": "Neue Sitzung",
  "sessions.newTitle": "Neue Support-Sitzung",
  "sessions.group": "Gruppe",
  "sessions.groupChoose": "Gruppe wählen",
  "sessions.groupName": "oder ein neuer Gruppenname",
  "sessions.description": "Beschreibung",
  "sessions.customerName": "Name des Kunden",
  "sessions.customerEmail": "E-Mail des Kunden",
  "sessions.waitingMessage": "Wartenachricht (sieht der Kunde)",
  "sessions.create": "Sitzung erstellen",
  "sessions.creating": "Die Sitzung wird erstellt …",
  "sessions.created": "Sitzung {code} erstellt.",
  "sessions.code": "Sitzungscode",
  "sessions.linkSupporter": "Link für den Supporter",
  "sessions.linkWebClient": "WebClient-Link",
  "sessions.linkCustomer": "Link für den Kunden",
  "sessions.openTeamViewer": "In TeamViewer öffnen",
  "sessions.openBrowser": "Im Browser öffnen",
  "sessions.emailInvitation": "Einladung per E-Mail",
  "sessions.opening": "Sitzung {code} wird geöffnet …",
  "sessions.invitationOpened": "Die Einladung öffnet sich in Ihrem E-Mail-Programm.",
  "sessions.listTitle": "Sitzungen",
  "sessions.showClosed": "Geschlossene Sitzungen einbeziehen",
  "sessions.col.code": "Sitzungscode",
  "sessions.col.customer": "Kunde",
  "sessions.col.description": "Beschreibung",
  "sessions.col.created": "Erstellt / gültig bis",
  "sessions.validUntil": "bis {date}",
  "sessions.col.online": "Kunde online",
  "sessions.col.actions": "Aktionen",
  "sessions.online": "Online",
  "sessions.offline": "Offline",
  "sessions.unknown": "Unbekannt",
  "sessions.stateClosed": "Geschlossen",
  "sessions.close": "Schließen",
  "sessions.closeLabel": "Sitzung {code} schließen",
  "sessions.openLabel": "Sitzung {code} in TeamViewer öffnen",
  "sessions.confirmClose": "Sitzung {code} schließen?",
  "sessions.confirmYes": "Sitzung schließen",
  "sessions.keepOpen": "Offen lassen",
  "sessions.closed": "Sitzung {code} geschlossen.",
  "sessions.empty": "Keine offenen Sitzungen.",
  "sessions.emptyAll": "Noch keine Sitzungen.",
  "sessions.loading": "Sitzungen werden geladen …",
  "sessions.count": "{n} Sitzungen",
  "sessions.page": "Seite {page} von {pages}",
  "sessions.prev": "Vorherige Seite",
  "sessions.next": "Nächste Seite",

  "validate.group": "Wählen Sie eine Gruppe oder geben Sie einen Gruppennamen ein.",
  "validate.tooLong": "Höchstens {max} Zeichen sind erlaubt (derzeit {n}).",
  "validate.email": "Geben Sie eine Adresse wie name@example.com ein.",
  "validate.form": "Bitte korrigieren Sie die markierten Felder.",

  "logs.query": "Welche Berichte",
  "logs.preset": "Zeitraum",
  "logs.preset.today": "Heute",
  "logs.preset.7": "Letzte 7 Tage",
  "logs.preset.30": "Letzte 30 Tage",
  "logs.preset.90": "Letzte 90 Tage",
  "logs.preset.custom": "Benutzerdefiniert",
  "logs.from": "Von",
  "logs.to": "Bis (einschließlich)",
  "logs.filterUser": "Benutzer-ID",
  "logs.filterGroup": "Gruppe",
  "logs.anyGroup": "Alle Gruppen",
  "logs.filterDevice": "Gerätename",
  "logs.filterSessionCode": "Sitzungscode",
  "logs.filterType": "Typ",
  "logs.anyType": "Alle Typen",
  "logs.type.1": "Fernverbindung",
  "logs.type.2": "Fernsupport (Sitzungscode)",
  "logs.type.3": "Fernsupport (SDK)",
  "logs.load": "Laden",
  "logs.progress": "{records} Datensätze geladen",
  "logs.progressRemaining": "{records} Datensätze geladen, {remaining} ausstehend",
  "logs.cancel": "Laden abbrechen",
  "logs.incomplete": "Unvollständig: Das Laden endete nach {records} Datensätzen.",
  "logs.resume": "Fortsetzen",
  "logs.loaded": "{n} Datensätze geladen.",
  "logs.cancelled": "Laden abgebrochen; die bisherigen Datensätze bleiben sichtbar.",
  "logs.customRequired": "Wählen Sie ein Startdatum für den benutzerdefinierten Zeitraum.",
  "logs.invalidRange": "Das Startdatum darf nicht nach dem Enddatum liegen.",
  "logs.filter": "Geladene Datensätze filtern",
  "logs.filterPlaceholder": "Alle Spalten durchsuchen (Strg+F)",
  "logs.columnFilters": "Spaltenfilter",
  "logs.clearFilters": "Filter zurücksetzen",
  "logs.records": "Datensätze",
  "logs.ofTotal": "von {total} geladenen",
  "logs.totalDuration": "Gesamtdauer",
  "logs.table": "Verbindungsberichte",
  "logs.empty": "Noch keine Datensätze geladen. Wählen Sie einen Zeitraum und klicken Sie auf „Laden“.",
  "logs.noMatch": "Kein Datensatz passt zum Filter.",
  "logs.col.id": "Bericht-ID",
  "logs.col.start_date": "Beginn (UTC)",
  "logs.col.end_date": "Ende (UTC)",
  "logs.col.duration_seconds": "Dauer",
  "logs.col.username": "Benutzer",
  "logs.col.devicename": "Gerät",
  "logs.col.groupname": "Gruppe",
  "logs.col.support_session_type": "Typ",
  "logs.col.session_code": "Sitzungscode",
  "logs.col.end_customer_name": "Kunde",
  "logs.col.end_customer_email": "E-Mail des Kunden",
  "logs.col.billing_state": "Abrechnung",
  "logs.col.notes": "Notizen",
  "logs.col.actions": "Aktionen",
  "logs.ticket": "Ticket-Text",
  "logs.ticketLabel": "Den Datensatz als Ticket-Text kopieren",
  "logs.ticketCopied": "Ticket-Text in die Zwischenablage kopiert.",
  "logs.edit": "Bearbeiten",
  "logs.editLabel": "Notizen und Abrechnungsstatus bearbeiten",
  "logs.editTitle": "Datensatz bearbeiten",
  "logs.editRecord": "Datensatz vom {date}, {user} an {device}",
  "logs.notes": "Notizen",
  "logs.billingState": "Abrechnungsstatus",
  "logs.billing.bill": "Abzurechnen",
  "logs.billing.billed": "Abgerechnet",
  "logs.billing.doNotBill": "Nicht abrechnen",
  "logs.billing.none": "Nicht gesetzt",
  "logs.billing.other": "{value} (so von TeamViewer gesendet)",
  "logs.saved": "Datensatz gespeichert.",
  "logs.export": "CSV exportieren",
  "logs.exportHint": "Exportiert genau die angezeigten Zeilen (Strg+E).",
  "logs.delimiter": "Trennzeichen",
  "logs.delimiterComma": "Komma (,)",
  "logs.delimiterSemicolon": "Semikolon (;)",
  "logs.bom": "Byte-Order-Mark (für Excel)",
  "logs.exported": "{rows} Zeilen nach {path} exportiert",
  "logs.exportCancelled": "Export abgebrochen.",

  "settings.title": "Einstellungen",
  "settings.mode": "Verbinden mit",
  "settings.modeSandbox": "Sandbox (eingebauter TeamViewer-Simulator)",
  "settings.modeTeamViewer": "TeamViewer-Konto",
  "settings.clientId": "Client-ID",
  "settings.clientIdHint": "Aus der Registrierung Ihrer TeamViewer-App (siehe docs/oauth.md). Ohne sie läuft die App im Sandbox-Modus.",
  "settings.clientSecret": "Client-Geheimnis",
  "settings.secretStored": "Ein Geheimnis ist im Schlüsselbund gespeichert. Geben Sie ein neues ein, um es zu ersetzen.",
  "settings.secretNone": "Kein Geheimnis gespeichert.",
  "settings.removeSecret": "Gespeichertes Geheimnis entfernen",
  "settings.redirect": "Weiterleitung nach der Anmeldung",
  "settings.redirectDeepLink": "App-Link (Deep Link)",
  "settings.redirectLoopback": "Lokale Adresse (http://127.0.0.1)",
  "settings.port": "Port",
  "settings.portInvalid": "Geben Sie einen Port zwischen 1024 und 65535 ein.",
  "settings.advanced": "Erweitert",
  "settings.apiUrl": "API-Basis-URL",
  "settings.loginUrl": "Anmelde-Basis-URL",
  "settings.language": "Sprache",
  "settings.langAuto": "Automatisch (System)",
  "settings.langDe": "Deutsch",
  "settings.langEn": "English",
  "settings.saved": "Einstellungen gespeichert.",

  "error.not_signed_in": "Sie sind nicht angemeldet.",
  "error.session_expired": "Ihre Anmeldung ist abgelaufen. Bitte melden Sie sich erneut an.",
  "error.unauthorized": "TeamViewer hat die Anmeldung oder das Token nicht akzeptiert.",
  "error.forbidden": "Ihrem Konto oder Token fehlt dafür die Berechtigung.",
  "error.not_found": "TeamViewer hat es nicht gefunden; vielleicht wurde es geschlossen oder gelöscht.",
  "error.rate_limited": "Das Limit für API-Aufrufe Ihrer TeamViewer-Lizenz ist erreicht. Supporter Desk wartet und fragt seltener; bitte versuchen Sie es in ein paar Minuten erneut.",
  "error.blocked": "TeamViewer hat Anfragen von Ihrer Netzwerkadresse gesperrt. Wenden Sie sich an Ihre Administration oder den TeamViewer-Support.",
  "error.response_too_large": "Der Server hat eine viel größere Antwort als erwartet gesendet; sie wurde nicht gelesen.",
  "error.invalid_response": "Die Antworten des Servers widersprechen sich, die Daten könnten unvollständig sein.",
  "error.limit_exceeded": "Das Laden wurde an einer Sicherheitsgrenze angehalten; das bisher Geladene bleibt erhalten.",
  "error.license_limit": "Ihre TeamViewer-Lizenz erlaubt das nicht (zum Beispiel zu viele offene Sitzungen).",
  "error.api": "TeamViewer hat die Anfrage abgelehnt.",
  "error.server": "TeamViewer hatte ein Serverproblem. Bitte versuchen Sie es später erneut.",
  "error.network": "TeamViewer ist nicht erreichbar. Prüfen Sie die Internetverbindung.",
  "error.timeout": "TeamViewer hat zu lange nicht geantwortet.",
  "error.unexpected_redirect": "Der Server hat mit einer unerwarteten Weiterleitung geantwortet.",
  "error.decode": "Die Antwort von TeamViewer konnte nicht gelesen werden.",
  "error.oauth": "Die Anmeldung bei TeamViewer ist fehlgeschlagen.",
  "error.keyring_unavailable": "Der Schlüsselbund des Systems ist nicht verfügbar.",
  "error.keyring": "Der Schlüsselbund des Systems hat einen Fehler gemeldet.",
  "error.callback_rejected": "Die Anmeldeantwort aus dem Browser wurde nicht angenommen.",
  "error.invalid_input": "Eine Eingabe ist ungültig.",
  "error.cancelled": "Abgebrochen.",
  "error.config": "Die Einstellungen der App sind unvollständig oder ungültig.",
  "error.io": "Eine Datei konnte nicht gelesen oder geschrieben werden.",
  "error.csv": "Die CSV-Datei konnte nicht geschrieben werden.",
  "error.unknown": "Etwas Unerwartetes ist schiefgegangen.",
};

/** Both tables, for the completeness test. */
export const MESSAGES: Readonly<Record<Lang, Readonly<Record<MsgKey, string>>>> = { en, de };

export type Params = Record<string, string | number>;

let current: Lang = "en";
const listeners = new Set<() => void>();

/** German for any `de*` locale, English otherwise. */
export function detectLanguage(locale: string | undefined | null): Lang {
  return locale?.toLowerCase().startsWith("de") ? "de" : "en";
}

/** The language to show for a settings value (`auto` follows the system locale). */
export function resolveLanguage(setting: "auto" | Lang, locale: string | undefined | null): Lang {
  return setting === "auto" ? detectLanguage(locale) : setting;
}

export function language(): Lang {
  return current;
}

/** Fills `{name}` placeholders; unknown placeholders stay visible so a mistake is noticed. */
export function format(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function t(key: MsgKey, params?: Params): string {
  return format(MESSAGES[current][key], params);
}

/** The localised text for an error kind. */
export function errorText(kind: IpcErrorKind): string {
  return t(`error.${kind}`);
}

/** Switches the language, retranslates the static texts below `document` and tells listeners. */
export function setLanguage(lang: Lang): void {
  if (typeof document !== "undefined") document.documentElement.lang = lang;
  if (lang === current) return;
  current = lang;
  if (typeof document !== "undefined") translateTree(document);
  for (const listener of listeners) listener();
}

/** Calls `listener` after every language switch (for texts built from data). */
export function onLanguageChange(listener: () => void): void {
  listeners.add(listener);
}

/** Attributes that `dom.ts` marks with an i18n key: `data-i18n-<attr>="key"`. */
export const I18N_ATTRS = ["aria-label", "placeholder", "title"] as const;

function isKey(key: string | undefined): key is MsgKey {
  return key !== undefined && Object.prototype.hasOwnProperty.call(en, key);
}

/** Re-applies `data-i18n` (text) and `data-i18n-<attr>` keys below `root`. */
export function translateTree(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const key = el.dataset.i18n;
    if (isKey(key)) el.textContent = t(key);
  }
  for (const attr of I18N_ATTRS) {
    for (const el of root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`)) {
      const key = el.getAttribute(`data-i18n-${attr}`) ?? undefined;
      if (isKey(key)) el.setAttribute(attr, t(key));
    }
  }
}
