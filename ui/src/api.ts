// The only module that talks to the Rust side: typed wrappers around `invoke` and `listen`.
// Every wrapper resolves with the command's DTO or rejects with an `IpcError` (never a bare
// string), so callers branch on `kind` only.
//
// Types come from ONE module: the ts-rs output of the Rust IPC types. The aliases below give
// the UI stable names; if the source of the types changes, only the next import changes.
import type * as T from "./bindings.gen";
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type SessionEdit = T.SessionEdit;
export type UserDto = T.UserDto;
export type CloseOutcome = T.CloseOutcome;
export type Account = T.AccountDto;
export type ApiWait = T.ApiWait;
export type ApiWaitOver = T.ApiWaitOver;
export type AuthStatus = T.AuthStatus;
export type Column = T.Column;
export type ColumnFilter = T.ColumnFilter;
export type CopyLink = T.CopyLink;
export type ErrorKind = T.ErrorKind;
export type ExportOptions = T.ExportOptions;
export type ExportFormat = T.ExportFormat;
export type ExportResult = T.ExportResult;
export type FetchProgress = T.FetchProgress;
export type Group = T.GroupDto;
export type Language = T.Language;
export type DesktopSettings = T.DesktopSettings;
export type ArchiveSettings = T.ArchiveSettings;
export type LiveSettings = T.LiveSettings;
export type ArchiveSyncStatus = T.ArchiveSyncStatus;
export type DesktopEvent = T.DesktopEvent;
export type NotificationState = T.NotificationState;
export type CloseAction = T.CloseAction;
export type LiveSnapshot = T.LiveSnapshot;
export type LiveStatus = T.LiveStatus;
export type LiveUpdate = T.LiveUpdate;
export type LogQuery = T.LogQuery;
export type LogRow = T.LogRow;
export type LogSummary = T.LogSummary;
export type LogPage = T.LogPage;
export type LogChoices = T.LogChoices;
export type LogView = T.LogView;
export type Mode = T.Mode;
export type NewSessionForm = T.NewSessionForm;
export type OpenLink = T.OpenLink;
export type RedirectMode = T.RedirectMode;
export type Session = T.SessionDto;
export type SessionListState = T.SessionListState;
/** What `get_settings`/`save_settings` return: the settings plus whether a secret is stored. */
export type SettingsView = T.SettingsView;
/** What `save_settings` takes (no `hasClientSecret`: the secret travels separately). */
export type Settings = T.Settings;
export type Sort = T.Sort;
export type Totals = T.Totals;
export type DocumentationMode = T.DocumentationMode;
export type DocumentationSettings = T.DocumentationSettings;
export type DocumentationState = T.DocumentationState;
export type UndocumentedSession = T.UndocumentedSession;
export type BillingWorklist = T.BillingWorklist;
export type WorklistCase = T.WorklistCase;
export type WorklistCustomer = T.WorklistCustomer;
export type WorklistExcluded = T.WorklistExcluded;
export type MoneyTotal = T.MoneyTotal;
export type RatesForm = T.RatesForm;
export type RateForm = T.RateForm;
export type GroupRateForm = T.GroupRateForm;
export type RatesView = T.RatesView;
export type CaseOverride = T.CaseOverride;
export type MarkBilledProgress = T.MarkBilledProgress;
export type MarkBilledResult = T.MarkBilledResult;
export type MarkBilledFailure = T.MarkBilledFailure;
export type InvoiceFormat = T.InvoiceFormat;
export type InvoiceExport = T.InvoiceExport;
export type Dashboard = T.Dashboard;
export type InsightPeriod = T.InsightPeriod;
export type InsightState = T.InsightState;
export type PeriodTotal = T.PeriodTotal;

/**
 * A failed call as the UI sees it: the contract's `{kind, message}`, plus `"unknown"` for
 * failures that did not come from a command's `Result` (a missing command, a denied
 * permission, the IPC bridge itself), which Tauri reports as plain strings.
 */
export type IpcErrorKind = T.ErrorKind | "unknown";
export interface IpcError {
  kind: IpcErrorKind;
  message: string;
}

/** Every kind of the contract; `satisfies` makes the compiler flag a missing or extra kind. */
const KNOWN_KINDS = {
  not_signed_in: true,
  session_expired: true,
  unauthorized: true,
  forbidden: true,
  not_found: true,
  rate_limited: true,
  license_limit: true,
  blocked: true,
  response_too_large: true,
  invalid_response: true,
  limit_exceeded: true,
  api: true,
  server: true,
  network: true,
  timeout: true,
  unexpected_redirect: true,
  decode: true,
  oauth: true,
  keyring_unavailable: true,
  keyring: true,
  callback_rejected: true,
  sign_in_declined: true,
  invalid_input: true,
  cancelled: true,
  config: true,
  io: true,
  csv: true,
  database: true,
} as const satisfies Record<T.ErrorKind, true>;

export const ERROR_KINDS = Object.keys(KNOWN_KINDS) as T.ErrorKind[];

function isKnownKind(kind: string): kind is T.ErrorKind {
  return Object.prototype.hasOwnProperty.call(KNOWN_KINDS, kind);
}

/** Turns whatever a rejected `invoke` produced into an `IpcError`. */
export function toIpcError(error: unknown): IpcError {
  if (typeof error === "object" && error !== null && "kind" in error) {
    const { kind, message } = error as { kind: unknown; message?: unknown };
    const text = typeof message === "string" ? message : "";
    if (typeof kind === "string") {
      // A kind newer than this UI still shows its text; the kind itself stays visible.
      return isKnownKind(kind)
        ? { kind, message: text }
        : { kind: "unknown", message: text ? `${kind}: ${text}` : kind };
    }
  }
  if (typeof error === "string") return { kind: "unknown", message: error };
  if (error instanceof Error) return { kind: "unknown", message: error.message };
  return { kind: "unknown", message: safeJson(error) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `invoke` with the error normalised. Command arguments are camelCase on the wire. */
async function call<R>(command: string, args?: Record<string, unknown>): Promise<R> {
  try {
    return await invoke<R>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

// ---- auth -------------------------------------------------------------------------------
export const authStatus = (): Promise<T.AuthStatus> => call("auth_status");
export const signIn = (): Promise<T.AuthStatus> => call("sign_in");
export const cancelSignIn = (): Promise<T.AuthStatus> => call("cancel_sign_in");
export const signInWithScriptToken = (token: string): Promise<T.AuthStatus> =>
  call("sign_in_with_script_token", { token });
export const signOut = (): Promise<T.AuthStatus> => call("sign_out");

// ---- sessions ---------------------------------------------------------------------------
export const listGroups = (): Promise<Group[]> => call("list_groups");
export const createSession = (form: T.NewSessionForm): Promise<Session> =>
  call("create_session", { form });
export const listSessions = (state: T.SessionListState): Promise<Session[]> =>
  call("list_sessions", { state });
export const closeSession = (code: string): Promise<Session[]> =>
  call("close_session", { code });
export const openSessionLink = (code: string, link: T.OpenLink): Promise<null> =>
  call("open_session_link", { code, link });
export const copySessionLink = (code: string, link: T.CopyLink): Promise<null> =>
  call("copy_session_link", { code, link });
export const editSession = (code: string, edit: T.SessionEdit): Promise<Session> =>
  call("edit_session", { code, edit });
export const assignSession = (code: string, userId: string): Promise<Session> =>
  call("assign_session", { code, userId });
export const closeSessions = (codes: string[]): Promise<T.CloseOutcome[]> =>
  call("close_sessions", { codes });
export const listUsers = (): Promise<T.UserDto[]> => call("list_users");
export const copyInvitationText = (code: string): Promise<null> =>
  call("copy_invitation_text", { code });
/** Copies the code of a session the app knows (any state) through Rust's clipboard. */
export const copySessionCode = (code: string): Promise<null> => call("copy_session_code", { code });
/** The live list (open sessions, groups, freshness); changes arrive through `onLive`. */
export const liveSnapshot = (): Promise<T.LiveSnapshot> => call("live_snapshot");
/** Refreshes the live list now; the answer arrives through `onLive`. */
export const refreshSessions = (): Promise<null> => call("refresh_sessions");

// ---- logs -------------------------------------------------------------------------------
export const loadLogs = (query: T.LogQuery): Promise<T.LogSummary> => call("load_logs", { query });
/**
 * The archived records of the query's period, from the archive (no network). `firstScreen`: the
 * view shows nothing yet, so the period's 100 newest may come first (a `logs-progress` event
 * with `inView`); without it the loaded log stays whole until the new one replaces it.
 */
export const loadArchivedLogs = (query: T.LogQuery, firstScreen: boolean): Promise<T.LogSummary> =>
  call("load_archived_logs", { query, firstScreen });
/** The archive's sync now; progress and the outcome also arrive as `archive-sync` events. */
export const syncArchive = (): Promise<T.ArchiveSyncStatus> => call("sync_archive");
export const cancelArchiveSync = (): Promise<null> => call("cancel_archive_sync");
export const archiveSyncStatus = (): Promise<T.ArchiveSyncStatus> => call("archive_sync_status");
/** Why the archive could not be opened at launch (null: it is open). */
export const archiveProblem = (): Promise<T.ArchiveProblem | null> => call("archive_problem");
/** Moves a damaged archive aside, starts a new one; the app restarts right after answering. */
export const rebuildArchive = (): Promise<T.ArchiveRebuilt> => call("rebuild_archive");
export const cancelLogs = (): Promise<null> => call("cancel_logs");
export const resumeLogs = (): Promise<T.LogSummary> => call("resume_logs");
/** Applies a filter/sort; answers with the totals and the view's rows from `offset` (≤ `limit`). */
export const applyLogView = (view: T.LogView, offset: number, limit: number): Promise<T.LogPage> =>
  call("apply_log_view", { view, offset, limit });
export const logRows = (offset: number, limit: number): Promise<T.LogRow[]> =>
  call("log_rows", { offset, limit });
export const exportLogs = (options: T.ExportOptions): Promise<T.ExportResult | null> =>
  call("export_logs", { options });
export const logTicketText = (id: string): Promise<null> => call("log_ticket_text", { id });
export const updateLogRecord = (
  id: string,
  notes: string,
  billingState: string,
): Promise<T.LogRow> => call("update_log_record", { id, notes, billingState });

// ---- insight ----------------------------------------------------------------------------
/** Computes the Insight tab's figures of `period` from the archive; they also arrive as `insight`. */
export const insight = (period: T.InsightPeriod): Promise<T.InsightState> => call("insight", { period });
/** The Insight tab's state now (period, figures, computing). */
export const insightState = (): Promise<T.InsightState> => call("insight_state");

// ---- settings ---------------------------------------------------------------------------
export const getSettings = (): Promise<T.SettingsView> => call("get_settings");
/** `clientSecret`: `null` keeps the stored secret, `""` deletes it, anything else replaces it. */
export const saveSettings = (
  settings: T.Settings,
  clientSecret: string | null,
): Promise<T.SettingsView> => call("save_settings", { settings, clientSecret });

// ---- end-of-session documentation ------------------------------------------------------
/** The signed-in supporter's sessions to document; changes also arrive through `onDocumentation`. */
export const documentationState = (): Promise<T.DocumentationState> => call("documentation_state");
/** Writes `notes` (plus a line `Ticket: …` when `ticket` is given) back with PUT; the list afterwards. */
export const documentSession = (id: string, notes: string, ticket: string): Promise<T.DocumentationState> =>
  call("document_session", { id, notes, ticket });
/** Drops a session from the list for good (setting "ask" only); the list afterwards. */
export const skipDocumentation = (id: string): Promise<T.DocumentationState> => call("skip_documentation", { id });
// ---- billing ----------------------------------------------------------------------------
/** The charge rates in use (the defaults with the problem when rates.toml is invalid). */
export const billingRates = (): Promise<T.RatesView> => call("billing_rates");
export const saveBillingRates = (rates: T.RatesForm): Promise<T.RatesView> => call("save_billing_rates", { rates });
/** Opens the unbilled worklist of `from` ≤ start < `to` (RFC 3339; null: last calendar month). */
export const billingWorklist = (from: string | null, to: string | null): Promise<T.BillingWorklist> =>
  call("billing_worklist", { from, to });
/** A manual merge or split (kept on this computer). */
export const changeBillingCases = (change: T.CaseOverride): Promise<T.BillingWorklist> =>
  call("change_billing_cases", { change });
/** Undoes the manual merges and splits of the case `key` (its first connection id). */
export const resetBillingCase = (key: string): Promise<T.BillingWorklist | null> => call("reset_billing_case", { key });
/** Marks connections billed; progress arrives as `billing-mark-progress`. */
export const markBilled = (ids: string[]): Promise<T.MarkBilledResult> => call("mark_billed", { ids });
export const cancelMarkBilled = (): Promise<null> => call("cancel_mark_billed");
/** Asks for a file and writes the invoice lines; null when the dialog was cancelled. */
export const exportInvoice = (customer: string | null, format: T.InvoiceFormat): Promise<T.InvoiceExport | null> =>
  call("export_invoice", { customer, format });

// ---- desktop ----------------------------------------------------------------------------
/** Whether waiting-customer notifications reach the user (off, allowed, blocked and why). */
export const notificationStatus = (): Promise<T.NotificationState> => call("notification_status");
/** The answer to `closeRequested`: hide to the tray or quit (`ask` keeps the window). */
export const closeWindow = (action: T.CloseAction): Promise<void> => call("close_window", { action });

/**
 * Tells the Rust side the first render is done: it shows the hidden window then, and returns a
 * problem found at start-up (damaged settings file, sandbox failure) for the UI to show.
 */
export async function appReady(): Promise<IpcError | null> {
  try {
    const problem = await invoke<T.ErrorReport | null>("app_ready");
    return problem ? toIpcError(problem) : null;
  } catch {
    // A shell without the command already shows its window; nothing to report.
    return null;
  }
}

// ---- events -----------------------------------------------------------------------------
async function on<P>(event: string, handler: (payload: P) => void): Promise<UnlistenFn> {
  try {
    return await listen<P>(event, (e) => handler(e.payload));
  } catch (error) {
    throw toIpcError(error);
  }
}

export const onAuthChanged = (h: (status: T.AuthStatus) => void): Promise<UnlistenFn> =>
  on("auth-changed", h);
export const onSignInFailed = (h: (error: IpcError) => void): Promise<UnlistenFn> =>
  on<unknown>("sign-in-failed", (payload) => h(toIpcError(payload)));
export const onLogsProgress = (h: (progress: T.FetchProgress) => void): Promise<UnlistenFn> =>
  on("logs-progress", h);
/** An API call waits before its next attempt (rate limit, or a server or network failure). */
export const onApiWait = (h: (wait: T.ApiWait) => void): Promise<UnlistenFn> => on("api-wait", h);
/** A change of the live session list (or a whole snapshot after updates were lost). */
export const onLive = (h: (update: T.LiveUpdate) => void): Promise<UnlistenFn> => on("live", h);
/** The archive's sync changed (state, progress, last sync, pending edits). */
export const onArchiveSync = (h: (status: T.ArchiveSyncStatus) => void): Promise<UnlistenFn> => on("archive-sync", h);
/** The list of sessions to document changed (after a sync, a sign-in, a setting, a save or skip). */
export const onDocumentation = (h: (state: T.DocumentationState) => void): Promise<UnlistenFn> =>
  on("documentation", h);
/** The tray or a notification asks for a session or the form; a close asks; notifications changed. */
export const onDesktop = (h: (event: T.DesktopEvent) => void): Promise<UnlistenFn> => on("desktop", h);
/** A call that was shown waiting has its answer (or error). */
export const onApiWaitOver = (h: (over: T.ApiWaitOver) => void): Promise<UnlistenFn> =>
  on("api-wait-over", h);
/** The unbilled worklist changed (sync, rates, manual change, Mark billed). */
export const onBillingWorklist = (h: (worklist: T.BillingWorklist) => void): Promise<UnlistenFn> =>
  on("billing-worklist", h);
/** Marking billed goes on. */
export const onBillingMarkProgress = (h: (progress: T.MarkBilledProgress) => void): Promise<UnlistenFn> =>
  on("billing-mark-progress", h);
/** The Insight tab's period or figures changed (computed, or recomputed after a sync). */
export const onInsight = (h: (state: T.InsightState) => void): Promise<UnlistenFn> => on("insight", h);
