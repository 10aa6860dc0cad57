// generated — do not edit. Source: the Rust IPC types (crates/core, feature `ts`).
// Regenerate: cargo test -p sdesk-core --features ts --test bindings
// Check:      scripts/check-bindings.sh

export type ErrorKind = "not_signed_in" | "session_expired" | "unauthorized" | "forbidden" | "not_found" | "rate_limited" | "license_limit" | "blocked" | "response_too_large" | "invalid_response" | "limit_exceeded" | "api" | "server" | "network" | "timeout" | "unexpected_redirect" | "decode" | "oauth" | "keyring_unavailable" | "keyring" | "callback_rejected" | "sign_in_declined" | "invalid_input" | "cancelled" | "config" | "io" | "csv" | "database";

export type ErrorReport = { 
/**
 * Stable category.
 */
kind: ErrorKind, 
/**
 * Human-readable description (English; the UI may localise by `kind`).
 */
message: string, };

/** What every command rejects with: a stable `kind` to branch on, a readable message. */
export type IpcError = ErrorReport;

export type TokenKind = "oauth" | "script";

export type AccountDto = { 
/**
 * `u` + digits.
 */
userid: string, 
/**
 * Display name.
 */
name: string, 
/**
 * E-mail address.
 */
email: string, 
/**
 * Company, when the account belongs to one.
 */
companyName: string | null, };

export type AuthStatus = { 
/**
 * Whether tokens are held.
 */
signedIn: boolean, 
/**
 * OAuth or script token, when signed in.
 */
kind: TokenKind | null, 
/**
 * When the access token expires (it is refreshed before), when known.
 */
expiresAt: string | null, 
/**
 * The keyring could not store the sign-in: it is held in memory only and ends when the
 * app quits. (Sandbox sign-ins are never persisted either, since the simulator forgets its
 * tokens on exit; that is implied by `sandbox` and not flagged here.)
 */
memoryOnly: boolean, 
/**
 * Whether the OS keyring worked at startup.
 */
keyringAvailable: boolean, 
/**
 * A browser sign-in is waiting for its callback.
 */
signInPending: boolean, 
/**
 * The app talks to the built-in simulator: label everything "Sandbox".
 */
sandbox: boolean, 
/**
 * An OAuth client is configured ("Sign in with TeamViewer" can work).
 */
oauthConfigured: boolean, 
/**
 * The signed-in account, when it could be read.
 */
account: AccountDto | null, 
/**
 * The API refused the sign-in in a way a refresh cannot fix (a `401` after the one
 * refresh, `invalid_grant`, a revoked token), noticed by any call: the tokens are gone and
 * the UI offers "Signed out — sign in again". Cleared by a sign-in, a sign-out or a
 * settings change that reconnects.
 */
signInAgain: boolean, };

export type GroupDto = { 
/**
 * `g` + digits.
 */
id: string, 
/**
 * Name.
 */
name: string, };

export type NewSessionForm = { 
/**
 * An existing group (`g` + digits); wins over `groupName`.
 */
groupId: string | null, 
/**
 * A group name (created by the API on demand) when no id is chosen.
 */
groupName: string | null, 
/**
 * Description (≤ 4000 characters).
 */
description: string, 
/**
 * The customer's name (≤ 100).
 */
customerName: string, 
/**
 * The customer's e-mail (validated when not blank).
 */
customerEmail: string, 
/**
 * What the customer sees while waiting (≤ 4000).
 */
waitingMessage: string, };

export type SessionDto = { 
/**
 * Session code, `s` + digits with dashes.
 */
code: string, 
/**
 * The API's state name (`Open`, `Closed`, ...).
 */
state: string | null, 
/**
 * Group id.
 */
groupId: string | null, 
/**
 * Group name.
 */
groupName: string | null, 
/**
 * Description.
 */
description: string | null, 
/**
 * Customer name.
 */
customerName: string | null, 
/**
 * Customer e-mail.
 */
customerEmail: string | null, 
/**
 * Waiting message.
 */
waitingMessage: string | null, 
/**
 * Creation time.
 */
createdAt: string | null, 
/**
 * End of validity.
 */
validUntil: string | null, 
/**
 * When it was closed.
 */
closedAt: string | null, 
/**
 * Whether the customer is connected or waiting.
 */
online: boolean | null, 
/**
 * The assigned supporter (`u…`); `None` when assigned to nobody (`u0`) or not said.
 */
assignedUserId: string | null, 
/**
 * Opens the session in the supporter's TeamViewer client.
 */
supporterLink: string | null, 
/**
 * Opens the session in the browser (WebClient).
 */
webClientLink: string | null, 
/**
 * For the customer.
 */
endCustomerLink: string | null, 
/**
 * Whether the session can still be used.
 */
isOpen: boolean, };

export type SessionListState = "open" | "closed" | "all";

export type OpenLink = "supporter" | "webClient" | "invitation";

export type CopyLink = "supporter" | "webClient" | "endCustomer";

export type SessionEdit = { 
/**
 * Description (≤ 4000 characters).
 */
description: string | null, 
/**
 * The customer's name (≤ 100).
 */
customerName: string | null, 
/**
 * The customer's e-mail (validated when not blank, ≤ 254).
 */
customerEmail: string | null, 
/**
 * What the customer sees while waiting (≤ 4000).
 */
waitingMessage: string | null, };

export type UserDto = { 
/**
 * `u` + digits (what `assigned_userid` holds).
 */
id: string, 
/**
 * Name.
 */
name: string, 
/**
 * E-mail.
 */
email: string | null, };

export type CloseOutcome = { 
/**
 * The session code.
 */
code: string, 
/**
 * Why it could not be closed (retry with the failed codes).
 */
error: ErrorReport | null, };

export type Column = "id" | "start_date" | "end_date" | "duration_seconds" | "userid" | "username" | "deviceid" | "devicename" | "groupid" | "groupname" | "support_session_type" | "session_code" | "end_customer_name" | "end_customer_email" | "billing_state" | "fee" | "currency" | "notes" | "contact_id";

export type ColumnFilter = { 
/**
 * The column.
 */
column: Column, 
/**
 * The text its display value must contain (or equal, with `exact`).
 */
value: string, 
/**
 * Whether the display value must equal `value` (a pick list's choice).
 */
exact: boolean, };

export type Sort = { 
/**
 * The column.
 */
column: Column, 
/**
 * Descending instead of ascending.
 */
descending: boolean, };

export type TimePart = { "type": "day" } | { "type": "month" } | { "type": "year" } | { "type": "hour" } | { "type": "minute" } | { "type": "literal", 
/**
 * The text.
 */
value: string, };

export type TimeDisplay = { 
/**
 * UTC instead of this computer's local time.
 */
utc: boolean, 
/**
 * The format, in order. Without a number part (or with more than 24 parts, or a literal
 * longer than 8 characters) the format is not used: dates then match their RFC 3339 text.
 */
parts: Array<TimePart>, };

export type LogQuery = { 
/**
 * Connections that start at or after this instant (RFC 3339).
 */
from: string | null, 
/**
 * Connections that end before this instant (RFC 3339).
 */
to: string | null, 
/**
 * Supporter account (`u` + digits).
 */
userId: string | null, 
/**
 * Group (`g` + digits, `0` = devices in no group).
 */
groupId: string | null, 
/**
 * Device name.
 */
deviceName: string | null, 
/**
 * Session code.
 */
sessionCode: string | null, 
/**
 * 1 remote connection, 2 attended support, 3 attended support via SDK.
 */
supportSessionType: number | null, };

export type LogView = { 
/**
 * Free text over every text column (case-insensitive).
 */
text: string, 
/**
 * Per-column substring filters.
 */
columns: Array<ColumnFilter>, 
/**
 * Sort; `null` = newest start first.
 */
sort: Sort | null, 
/**
 * How the grid shows dates (its format's parts, local or UTC): a column filter on a date
 * matches that text. `null`: the RFC 3339 UTC text of the CSV.
 */
times: TimeDisplay | null, };

export type LogRow = { 
/**
 * Position in the current view (0-based; `aria-rowindex` is this + 2 with a header row).
 */
index: number, 
/**
 * Report id.
 */
id: string, 
/**
 * Start, `YYYY-MM-DDTHH:MM:SSZ`.
 */
startDate: string, 
/**
 * End, `YYYY-MM-DDTHH:MM:SSZ`.
 */
endDate: string, 
/**
 * Duration in whole seconds.
 */
durationSeconds: string, 
/**
 * Duration as `h:mm:ss`.
 */
duration: string, 
/**
 * Supporter account id.
 */
userid: string, 
/**
 * Supporter name.
 */
username: string, 
/**
 * Device TeamViewer ID.
 */
deviceid: string, 
/**
 * Device name.
 */
devicename: string, 
/**
 * Group id.
 */
groupid: string, 
/**
 * Group name.
 */
groupname: string, 
/**
 * Connection kind (API name).
 */
supportSessionType: string, 
/**
 * Session code.
 */
sessionCode: string, 
/**
 * Customer name.
 */
endCustomerName: string, 
/**
 * Customer e-mail.
 */
endCustomerEmail: string, 
/**
 * Billing state.
 */
billingState: string, 
/**
 * Fee, plain decimal.
 */
fee: string, 
/**
 * Currency.
 */
currency: string, 
/**
 * Notes.
 */
notes: string, 
/**
 * Contact id.
 */
contactId: string, };

export type Totals = { 
/**
 * Records in the view (after filtering).
 */
count: number, 
/**
 * Records loaded (before filtering).
 */
totalRecords: number, 
/**
 * Sum of the durations of the records in the view, in seconds (records without both dates
 * count as 0).
 */
durationSeconds: number, };

export type LogChoices = { 
/**
 * Billing states (`Bill`, `Billed`, `DoNotBill`, or what the API sent).
 */
billingStates: Array<string>, 
/**
 * Connection types (API names).
 */
types: Array<string>, 
/**
 * Group names.
 */
groups: Array<string>, 
/**
 * Supporter names.
 */
users: Array<string>, };

export type LogPage = { 
/**
 * Totals of the view.
 */
totals: Totals, 
/**
 * Index (in the view) of `rows[0]`.
 */
offset: number, 
/**
 * At most the requested number of rows from `offset` (fewer at the end of the view).
 */
rows: Array<LogRow>, 
/**
 * Column filters that could not be read (e.g. a duration `>` without an amount): they
 * filter nothing, and the UI says so at the field.
 */
unreadable: Array<Column>, 
/**
 * The pick lists' values (billing state, type, group, user) of every loaded record.
 */
choices: LogChoices, };

export type FetchProgress = { 
/**
 * Pages received so far (over all runs).
 */
pages: number, 
/**
 * Distinct records received so far (over all runs).
 */
records: number, 
/**
 * The server's count of records after the last page received (0 when complete).
 */
recordsRemaining: number, 
/**
 * Whether the last page has been received.
 */
complete: boolean, 
/**
 * Records of this load the log store holds already, so the view can show them before the
 * load ends: the first screen of an archived period. 0 for a load from TeamViewer, whose
 * records reach the store when paging ends.
 */
inView: number, };

export type LogSummary = { 
/**
 * Totals of the current view over everything loaded.
 */
totals: Totals, 
/**
 * Pages and records received.
 */
progress: FetchProgress, 
/**
 * Not every page arrived (cancelled or failed); `resume_logs` continues.
 */
incomplete: boolean, 
/**
 * Why it is incomplete.
 */
error: ErrorReport | null, };

export type Delimiter = "," | ";";

export type ExportFormat = "csv" | "xlsx";

export type ExportOptions = { 
/**
 * CSV (the default) or XLSX.
 */
format: ExportFormat, 
/**
 * Field delimiter (CSV only).
 */
delimiter: Delimiter, 
/**
 * Write a UTF-8 byte order mark first (CSV only; Excel needs it for UTF-8).
 */
bom: boolean, };

export type ExportResult = { 
/**
 * Where the file was written.
 */
path: string, 
/**
 * Data rows written (the rows in view).
 */
rows: number, };

export type Mode = "sandbox" | "teamviewer";

export type RedirectMode = "deepLink" | "loopback";

export type Language = "auto" | "de" | "en";

export type CloseAction = "ask" | "hideToTray" | "quit";

export type DesktopSettings = { 
/**
 * A desktop notification when a customer starts waiting (default on).
 */
notifications: boolean, 
/**
 * Closing the window while customers wait.
 */
closeAction: CloseAction, 
/**
 * Start the app when the user logs in (the OS's autostart entry; default off).
 */
startAtLogin: boolean, 
/**
 * When started at login: stay in the tray instead of showing the window.
 */
startMinimised: boolean, };

export type ArchiveSettings = { 
/**
 * Sync at start and every `interval_minutes` while the app is open.
 */
autoSync: boolean, 
/**
 * Minutes between background syncs (5 to 1,440).
 */
intervalMinutes: number, 
/**
 * Days an incremental sync reads again before the newest archived start (0 to 30): late
 * reports and recent edits are caught.
 */
overlapDays: number, };

export type ArchiveProblem = { 
/**
 * Why (`database` for a damaged or unreadable file, `config` for a newer version's archive).
 */
error: ErrorReport, 
/**
 * Whether the app may rebuild it: move the damaged file aside (never delete it) and start
 * a new, empty archive (only the app's own SQLite file; never for a newer version's).
 */
canRebuild: boolean, };

export type ArchiveRebuilt = { 
/**
 * Where the damaged file was moved (`None` when there was no file left to move).
 */
movedTo: string | null, };

export type LiveSettings = { 
/**
 * Seconds between refreshes while the window is visible (1 to 3,600; default 30).
 */
visibleSeconds: number, 
/**
 * Seconds between refreshes while it is hidden or minimised (1 to 86,400; default 120).
 */
hiddenSeconds: number, };

export type SyncState = "unavailable" | "idle" | "syncing";

export type ArchiveSyncStatus = { 
/**
 * What it is doing.
 */
state: SyncState, 
/**
 * Records received by the running (or last) run.
 */
received: number, 
/**
 * Records the server still has for the running run.
 */
remaining: number, 
/**
 * When the last run finished completely.
 */
lastSync: string | null, 
/**
 * The last run's counts: new, changed, in the archive.
 */
lastNew: number, 
/**
 * Changed records of the last run.
 */
lastUpdated: number, 
/**
 * Records in the archive after the last run.
 */
total: number, 
/**
 * Why the last run stopped (`cancelled` when the user cancelled), `None` when it ended well.
 */
error: ErrorReport | null, 
/**
 * Record edits kept in the archive, not sent to TeamViewer yet.
 */
pendingEdits: number, 
/**
 * Ids of the reports with pending edits (for the log view's marker).
 */
pendingIds: Array<string>, 
/**
 * Background syncs wait because they used their daily request budget.
 */
budgetExhausted: boolean, };

export type NotificationState = { "state": "off" } | { "state": "allowed" } | { "state": "blocked", 
/**
 * The system's words, for "Details".
 */
reason: string, };

export type DesktopEvent = { "type": "focusSession", 
/**
 * The session's code.
 */
code: string, } | { "type": "newSession" } | { "type": "documentSession", 
/**
 * The connection report's id.
 */
id: string, } | { "type": "closeRequested", 
/**
 * How many customers wait.
 */
waiting: number, } | { "type": "notifications", 
/**
 * The new state.
 */
state: NotificationState, };

export type DocumentationMode = "off" | "ask" | "required";

export type DocumentationSettings = { 
/**
 * Off, ask (default) or required.
 */
mode: DocumentationMode, };

export type Settings = { 
/**
 * Sandbox (default) or the real TeamViewer API.
 */
mode: Mode, 
/**
 * The OAuth client ID of the organisation's TeamViewer app (required in TeamViewer mode
 * unless `script_token_only`).
 */
clientId: string, 
/**
 * TeamViewer mode without an OAuth app: sign in with a script token only (no client ID
 * needed; "Sign in with TeamViewer" is not offered).
 */
scriptTokenOnly: boolean, 
/**
 * Deep link (default) or loopback redirect.
 */
redirectMode: RedirectMode, 
/**
 * Port of the loopback redirect (1024–65535), default 47813.
 */
loopbackPort: number, 
/**
 * API origin, default `https://webapi.teamviewer.com`.
 */
apiUrl: string, 
/**
 * Login origin (consent page), default `https://login.teamviewer.com`.
 */
loginUrl: string, 
/**
 * UI language.
 */
language: Language, 
/**
 * Desktop: waiting-customer notifications, closing while customers wait, start at login
 * (see [`super::DesktopSettings`]; a file without it gets the defaults).
 */
desktop: DesktopSettings, 
/**
 * The connection-log archive's sync (see [`super::ArchiveSettings`]; a file without it gets
 * the defaults).
 */
archive: ArchiveSettings, 
/**
 * The live session list's refresh intervals (see [`super::LiveSettings`]; a file without
 * it gets the defaults).
 */
live: LiveSettings, 
/**
 * End-of-session documentation: off, ask (default) or required (see
 * [`super::DocumentationSettings`]; a file without it gets the default).
 */
documentation: DocumentationSettings, };

export type SettingsView = { 
/**
 * A client secret is stored in the keyring.
 */
hasClientSecret: boolean, 
/**
 * Sandbox (default) or the real TeamViewer API.
 */
mode: Mode, 
/**
 * The OAuth client ID of the organisation's TeamViewer app (required in TeamViewer mode
 * unless `script_token_only`).
 */
clientId: string, 
/**
 * TeamViewer mode without an OAuth app: sign in with a script token only (no client ID
 * needed; "Sign in with TeamViewer" is not offered).
 */
scriptTokenOnly: boolean, 
/**
 * Deep link (default) or loopback redirect.
 */
redirectMode: RedirectMode, 
/**
 * Port of the loopback redirect (1024–65535), default 47813.
 */
loopbackPort: number, 
/**
 * API origin, default `https://webapi.teamviewer.com`.
 */
apiUrl: string, 
/**
 * Login origin (consent page), default `https://login.teamviewer.com`.
 */
loginUrl: string, 
/**
 * UI language.
 */
language: Language, 
/**
 * Desktop: waiting-customer notifications, closing while customers wait, start at login
 * (see [`super::DesktopSettings`]; a file without it gets the defaults).
 */
desktop: DesktopSettings, 
/**
 * The connection-log archive's sync (see [`super::ArchiveSettings`]; a file without it gets
 * the defaults).
 */
archive: ArchiveSettings, 
/**
 * The live session list's refresh intervals (see [`super::LiveSettings`]; a file without
 * it gets the defaults).
 */
live: LiveSettings, 
/**
 * End-of-session documentation: off, ask (default) or required (see
 * [`super::DocumentationSettings`]; a file without it gets the default).
 */
documentation: DocumentationSettings, };

export type AppInfo = { 
/**
 * Product name.
 */
name: string, 
/**
 * App version.
 */
version: string, 
/**
 * Core library version.
 */
coreVersion: string, };

export type ApiWaitReason = "rate_limit" | "server" | "network";

export type ApiWait = { 
/**
 * Which call waits: a number the desk gives each call in this run; `api-wait-over` names
 * it again when the call ends.
 */
call: number, 
/**
 * Why.
 */
reason: ApiWaitReason, 
/**
 * The HTTP status of a server failure; `null` otherwise.
 */
status: number | null, 
/**
 * Length of the wait in whole seconds, rounded up (at least 1).
 */
seconds: number, 
/**
 * The attempt that follows the wait (2 for the first retry).
 */
attempt: number, 
/**
 * When the wait ends.
 */
until: string, };

export type ApiWaitOver = { 
/**
 * The `call` of the [`ApiWait`]s it ends.
 */
call: number, };

export type SlowReason = "rate_limited" | "budget";

export type LiveStatus = { "state": "stopped" } | { "state": "refreshing", 
/**
 * Asked for by [`Refresher::refresh_now`](super::Refresher::refresh_now).
 */
manual: boolean, } | { "state": "ok", 
/**
 * When it finished.
 */
at: string, } | { "state": "offline", 
/**
 * First failure of the current run of failures.
 */
since: string, 
/**
 * Last success, if any.
 */
last_ok: string | null, 
/**
 * What failed.
 */
kind: ErrorKind, 
/**
 * Human-readable description.
 */
message: string, 
/**
 * When the next attempt is made (exponential backoff).
 */
retry_at: string, } | { "state": "slowed_down", 
/**
 * Why.
 */
reason: SlowReason, 
/**
 * When the next request may go out.
 */
until: string, 
/**
 * Requests sent in the last 24 hours (the budget's window).
 */
used: number, 
/**
 * The budget.
 */
budget: number, };

export type LiveSnapshot = { 
/**
 * The open sessions, newest first.
 */
sessions: Array<SessionDto>, 
/**
 * The customers waiting now: the open sessions whose `online` is true, newest first
 * (the same rule as [`LiveUpdate::CustomerWaiting`]; see docs/live.md for what `online`
 * is assumed to mean). A session whose customer goes offline or that is closed leaves it.
 */
waiting: Array<SessionDto>, 
/**
 * The groups, once loaded.
 */
groups: Array<GroupDto> | null, 
/**
 * How fresh the list is.
 */
status: LiveStatus, };

export type LiveUpdate = { "type": "session_added", 
/**
 * The session.
 */
session: SessionDto, } | { "type": "session_changed", 
/**
 * The session as it is now.
 */
session: SessionDto, 
/**
 * The API names of the fields that differ.
 */
fields: Array<string>, } | { "type": "session_removed", 
/**
 * The session as it was last seen.
 */
session: SessionDto, } | { "type": "customer_waiting", 
/**
 * The session, after the change.
 */
session: SessionDto, } | { "type": "customer_left", 
/**
 * The session, after the change.
 */
session: SessionDto, } | { "type": "session_expired", 
/**
 * The session.
 */
session: SessionDto, } | { "type": "groups_changed", 
/**
 * All groups.
 */
groups: Array<GroupDto>, } | { "type": "status", 
/**
 * The new state.
 */
status: LiveStatus, } | { "type": "snapshot", 
/**
 * The whole live state.
 */
snapshot: LiveSnapshot, };

export type UndocumentedSession = { 
/**
 * The connection report's id.
 */
id: string, 
/**
 * Who it was with: the end customer's name, else the device name, else the device id
 * (cleaned of control and bidi characters, at most 60 characters; may be empty).
 */
customer: string, 
/**
 * The device name, when the report has one.
 */
devicename: string | null, 
/**
 * The session code, when the connection belonged to one.
 */
sessionCode: string | null, 
/**
 * Start of the connection.
 */
start: string | null, 
/**
 * End of the connection.
 */
end: string, 
/**
 * Length in seconds (0 without a start).
 */
seconds: number, };

export type DocumentationState = { 
/**
 * The setting in force.
 */
mode: DocumentationMode, 
/**
 * The sessions to document, oldest end first (empty when off or signed out).
 */
sessions: Array<UndocumentedSession>, };

export type RateForm = { 
/**
 * Shown on invoice lines.
 */
name: string, 
/**
 * Per hour, a decimal string (`"90.00"`).
 */
hourlyRate: string, 
/**
 * ISO code (`EUR`).
 */
currency: string, 
/**
 * Per case, a decimal string.
 */
baseFee: string, 
/**
 * The least billed per case.
 */
minimumMinutes: number, 
/**
 * Billable time rounds up to a multiple of this.
 */
incrementMinutes: number, 
/**
 * Shorter connections are not billed.
 */
freeUnderSeconds: number, };

export type GroupRateForm = { 
/**
 * Matches the connection's group id.
 */
groupid: string | null, 
/**
 * Matches the connection's group name.
 */
groupname: string | null, 
/**
 * The rate.
 */
rate: RateForm, };

export type RatesForm = { 
/**
 * Connections of one customer this close together are one case (0 = never merge).
 */
mergeWithinMinutes: number, 
/**
 * The rate without a group match.
 */
default: RateForm, 
/**
 * Overrides by group, first match wins.
 */
groups: Array<GroupRateForm>, };

export type RatesView = { 
/**
 * The rates in use (the defaults when there is no file or it is invalid).
 */
rates: RatesForm, 
/**
 * The rates file exists and was read.
 */
fromFile: boolean, 
/**
 * The rates file is invalid (it is left as it is; the defaults are in use until a save).
 */
problem: ErrorReport | null, };

export type CaseConnection = { 
/**
 * The report's id.
 */
id: string, 
/**
 * Its start.
 */
start: string, 
/**
 * Its end.
 */
end: string | null, 
/**
 * Already `Billed`.
 */
billed: boolean, };

export type WorklistCase = { 
/**
 * The case's first connection id: names the case for selection, merge and split.
 */
key: string, 
/**
 * The customer key.
 */
customer: string, 
/**
 * The first connection's start.
 */
start: string, 
/**
 * The latest end.
 */
end: string, 
/**
 * Its connections, by start.
 */
connections: Array<CaseConnection>, 
/**
 * Those not billed yet (what Mark billed sends).
 */
unbilledIds: Array<string>, 
/**
 * Length of the union of its connections.
 */
billableSeconds: number, 
/**
 * Billed minutes after minimum and increment.
 */
billableMinutes: number, 
/**
 * The rate's name.
 */
rateName: string, 
/**
 * Per hour.
 */
hourlyRate: string, 
/**
 * Per case.
 */
baseFee: string, 
/**
 * ISO code.
 */
currency: string, 
/**
 * What the case costs (cents, rounded half-up).
 */
amount: string, 
/**
 * Made by a manual merge or split.
 */
manual: boolean, };

export type MoneyTotal = { 
/**
 * ISO code.
 */
currency: string, 
/**
 * Decimal string.
 */
amount: string, };

export type WorklistCustomer = { 
/**
 * The customer key.
 */
customer: string, 
/**
 * By start.
 */
cases: Array<WorklistCase>, 
/**
 * Per currency.
 */
totals: Array<MoneyTotal>, };

export type ExcludedReason = "not_billable" | "free" | "running";

export type WorklistExcluded = { 
/**
 * The report's id.
 */
id: string, 
/**
 * The customer key.
 */
customer: string, 
/**
 * Its start.
 */
start: string, 
/**
 * Its length.
 */
seconds: number, 
/**
 * Why.
 */
reason: ExcludedReason, };

export type CaseOverride = { "op": "merge", 
/**
 * A connection of one case.
 */
first: string, 
/**
 * A connection of the other case.
 */
second: string, } | { "op": "split", 
/**
 * The connection that opens the second part.
 */
before: string, };

export type DropReason = "excluded" | "same_case" | "first_of_case" | "other_customer";

export type DroppedOverride = { 
/**
 * The override.
 */
change: CaseOverride, 
/**
 * Why it was dropped.
 */
reason: DropReason, };

export type BillingWorklist = { 
/**
 * Start of the period (inclusive).
 */
from: string, 
/**
 * End of the period (exclusive).
 */
to: string, 
/**
 * The app has an archive to read (false: nothing can be billed from the app).
 */
archive: boolean, 
/**
 * Archived connections starting in the period.
 */
connections: number, 
/**
 * Customers with unbilled cases, by customer key.
 */
customers: Array<WorklistCustomer>, 
/**
 * Totals of the unbilled cases per currency.
 */
totals: Array<MoneyTotal>, 
/**
 * Cases of the period that are billed already.
 */
billedCases: number, 
/**
 * Every customer with a case in the period, billed or not (for the invoice export).
 */
periodCustomers: Array<string>, 
/**
 * Connections of the period that are not billed (free, not billable, running).
 */
excluded: Array<WorklistExcluded>, 
/**
 * Manual merges and splits that no longer applied and were removed.
 */
dropped: Array<DroppedOverride>, 
/**
 * The rates file is invalid: the amounts use the default rates.
 */
ratesProblem: ErrorReport | null, 
/**
 * Reading the archive failed (the worklist is empty because of it).
 */
error: ErrorReport | null, };

export type MarkBilledProgress = { 
/**
 * Connections handled (marked or failed).
 */
done: number, 
/**
 * Connections to mark.
 */
total: number, 
/**
 * Of these, failed.
 */
failed: number, };

export type MarkBilledFailure = { 
/**
 * The report's id.
 */
id: string, 
/**
 * The customer key.
 */
customer: string, 
/**
 * Why.
 */
error: ErrorReport, };

export type MarkBilledResult = { 
/**
 * Ids marked `Billed` at TeamViewer and in the archive.
 */
marked: Array<string>, 
/**
 * Ids that failed (retry them).
 */
failed: Array<MarkBilledFailure>, };

export type InvoiceFormat = "csv" | "xlsx";

export type InvoiceExport = { 
/**
 * The file.
 */
path: string, 
/**
 * Invoice lines (cases) written.
 */
rows: number, };

export type PeriodTotal = { 
/**
 * The day (`2026-12-05`) or ISO week (`2026-W49`).
 */
key: string, 
/**
 * Its first local day inside the period (`YYYY-MM-DD`).
 */
firstDay: string, 
/**
 * Its last local day inside the period (a week cut by the period ends with it).
 */
lastDay: string, 
/**
 * Connections that started in it.
 */
connections: number, 
/**
 * Their seconds.
 */
seconds: number, };

export type UserTotal = { 
/**
 * The account id (`null`: connections without one).
 */
userid: string | null, 
/**
 * The name on the latest of these connections that has one.
 */
username: string | null, 
/**
 * Connections.
 */
connections: number, 
/**
 * Their seconds.
 */
seconds: number, };

export type GroupTotal = { 
/**
 * The group id (`null`: devices in no group).
 */
groupid: string | null, 
/**
 * The name on the latest of these connections that has one.
 */
groupname: string | null, 
/**
 * Connections.
 */
connections: number, 
/**
 * Their seconds.
 */
seconds: number, };

export type CustomerTotal = { 
/**
 * The customer key (`""`: connections with no customer field at all).
 */
customer: string, 
/**
 * Connections.
 */
connections: number, 
/**
 * Their seconds.
 */
seconds: number, };

export type OtherCustomers = { 
/**
 * How many customers.
 */
customers: number, 
/**
 * Their connections.
 */
connections: number, 
/**
 * Their seconds.
 */
seconds: number, };

export type CurrencyAmounts = { 
/**
 * The currency (`EUR`).
 */
currency: string, 
/**
 * Sum of the cases whose connections are all `Billed`.
 */
billed: string, 
/**
 * Sum of the other cases.
 */
unbilled: string, 
/**
 * Billed cases.
 */
billedCases: number, 
/**
 * Unbilled cases.
 */
unbilledCases: number, };

export type DurationBucket = { 
/**
 * Lower bound in seconds (inclusive).
 */
minSeconds: number, 
/**
 * Upper bound in seconds (exclusive); `None` for the last bucket.
 */
maxSeconds: number | null, 
/**
 * Connections.
 */
connections: number, };

export type Dashboard = { 
/**
 * The period's start (inclusive).
 */
from: string, 
/**
 * The period's end (exclusive).
 */
to: string, 
/**
 * Connections that started in the period, whatever their billing state.
 */
connections: number, 
/**
 * Their seconds (end − start; a running connection counts 0).
 */
seconds: number, 
/**
 * Connections still running (no end).
 */
running: number, 
/**
 * Average length of the connections that ended, in whole seconds (rounded down); `None`
 * when none ended.
 */
averageSeconds: number | null, 
/**
 * Every local day of the period, in order.
 */
byDay: Array<PeriodTotal>, 
/**
 * Every ISO week of the period, in order.
 */
byWeek: Array<PeriodTotal>, 
/**
 * Per supporter, most time first.
 */
byUser: Array<UserTotal>, 
/**
 * Per group, most time first.
 */
byGroup: Array<GroupTotal>, 
/**
 * The ten customers with the most time.
 */
topCustomers: Array<CustomerTotal>, 
/**
 * The other customers, summed.
 */
otherCustomers: OtherCustomers, 
/**
 * Billed vs unbilled per currency, by currency code.
 */
amounts: Array<CurrencyAmounts>, 
/**
 * The duration distribution, in the order of [`DURATION_BUCKETS`].
 */
durations: Array<DurationBucket>, };

export type InsightPeriod = { 
/**
 * Start (inclusive).
 */
from: string, 
/**
 * End (exclusive); `None`: up to now (now when computed).
 */
to: string | null, };

export type InsightState = { 
/**
 * The period last asked for (`None` before the first request).
 */
period: InsightPeriod | null, 
/**
 * Its figures are being computed (the dashboard shown is the previous one, if any).
 */
computing: boolean, 
/**
 * The computer has an archive (without one there is nothing to show).
 */
archive: boolean, 
/**
 * The figures of `period` (`None` until computed, or after an error).
 */
dashboard: Dashboard | null, 
/**
 * Why the last computation failed.
 */
error: ErrorReport | null, 
/**
 * Why the charge rates (`rates.toml`) could not be read: the amounts then use the default
 * rate.
 */
ratesError: ErrorReport | null, };

/** Event names and their payloads (Rust → UI). */
export const EVENTS = {
  "authChanged": "auth-changed",
  "signInFailed": "sign-in-failed",
  "logsProgress": "logs-progress",
  "apiWait": "api-wait",
  "apiWaitOver": "api-wait-over",
  "live": "live",
  "desktop": "desktop",
  "archiveSync": "archive-sync",
  "documentation": "documentation",
  "billingWorklist": "billing-worklist",
  "billingMarkProgress": "billing-mark-progress",
  "insight": "insight",
} as const;

export type EventPayloads = {
  "auth-changed": AuthStatus,
  "sign-in-failed": IpcError,
  "logs-progress": FetchProgress,
  "api-wait": ApiWait,
  "api-wait-over": ApiWaitOver,
  "live": LiveUpdate,
  "desktop": DesktopEvent,
  "archive-sync": ArchiveSyncStatus,
  "documentation": DocumentationState,
  "billing-worklist": BillingWorklist,
  "billing-mark-progress": MarkBilledProgress,
  "insight": InsightState,
};
