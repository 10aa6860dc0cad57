// The live sessions store: one state fed by the core's `live` events and `live_snapshot`, and by
// the answers of the UI's own create and close commands. Views subscribe and re-render from it;
// no view keeps its own copy of sessions or groups.
//
// Plain TypeScript (no reactive library): a pure reducer plus a subscriber list is all the
// views need, costs nothing at launch and has nothing to churn.
import type { ArchiveSyncStatus, BillingWorklist, DocumentationState, Group, InsightState, LiveStatus, LiveUpdate, Session } from "./api";

export interface LiveState {
  /** Open sessions, newest first (creation time; unknown times last; then code). */
  readonly sessions: readonly Session[];
  /** The groups, once known. */
  readonly groups: readonly Group[] | null;
  /** The last status other than `refreshing` (so the status line does not flicker). */
  readonly status: LiveStatus;
  /** A refresh is under way. */
  readonly refreshing: boolean;
  /** Codes of sessions that were closed or left the open list in this run. */
  readonly closed: ReadonlySet<string>;
  /** Codes the core reported as expired (the clock check in `isExpired` covers the rest). */
  readonly expired: ReadonlySet<string>;
  /** The connection-log archive's sync (`archive-sync` events); null until first heard. */
  readonly archiveSync: ArchiveSyncStatus | null;
  /** The sessions to document (`documentation` events); null until first heard. */
  readonly documentation: DocumentationState | null;
  /** The unbilled worklist of the period the Billing tab shows (`billing-worklist` events and
   * the answers of the billing commands); null until the tab asks for a period. */
  readonly billing: BillingWorklist | null;
  /** The Insight tab's period and figures (`insight` events); null until first heard. */
  readonly insight: InsightState | null;
}

/** What changes the store: the core's live updates, and the archive's sync status. */
export type StoreUpdate =
  | LiveUpdate
  | { type: "archive_sync"; status: ArchiveSyncStatus }
  | { type: "documentation"; state: DocumentationState }
  | { type: "billing_worklist"; worklist: BillingWorklist }
  | { type: "insight"; state: InsightState };

/**
 * What the log should show after a click in the Insight tab: a period of local days
 * (`YYYY-MM-DD`, both included) and at most one of a supporter, a group or a customer.
 */
export interface LogFilterRequest {
  readonly firstDay: string;
  readonly lastDay: string;
  readonly userId?: string | null;
  readonly userName?: string | null;
  readonly groupId?: string | null;
  readonly groupName?: string | null;
  /** The customer key (e-mail, name, device name or device id): searched for in the log. */
  readonly customer?: string | null;
}

export const INITIAL: LiveState = {
  sessions: [],
  groups: null,
  status: { state: "stopped" },
  refreshing: false,
  closed: new Set(),
  expired: new Set(),
  archiveSync: null,
  documentation: null,
  billing: null,
  insight: null,
};

function newestFirst(a: Session, b: Session): number {
  if (!a.createdAt !== !b.createdAt) return a.createdAt ? -1 : 1;
  if (a.createdAt && b.createdAt && a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

function upsert(list: readonly Session[], session: Session): Session[] {
  const rest = list.filter((s) => s.code !== session.code);
  return [...rest, session].sort(newestFirst);
}

function withCode(set: ReadonlySet<string>, code: string): ReadonlySet<string> {
  if (set.has(code)) return set;
  const next = new Set(set);
  next.add(code);
  return next;
}

/** Applies one update; pure (returns a new state, or the same one when nothing changed). */
export function reduce(state: LiveState, update: StoreUpdate): LiveState {
  switch (update.type) {
    case "archive_sync":
      return { ...state, archiveSync: update.status };
    case "documentation":
      return { ...state, documentation: update.state };
    case "billing_worklist":
      return { ...state, billing: update.worklist };
    case "insight":
      return { ...state, insight: update.state };
    case "session_added":
    case "session_changed":
    case "customer_waiting":
    case "customer_left":
      // A session listed again after a close (or re-opened) is open again.
      if (!update.session.isOpen) return reduce(state, { type: "session_removed", session: update.session });
      return { ...state, sessions: upsert(state.sessions, update.session) };
    case "session_expired":
      return { ...state, sessions: upsert(state.sessions, update.session), expired: withCode(state.expired, update.session.code) };
    case "session_removed":
      return {
        ...state,
        sessions: state.sessions.filter((s) => s.code !== update.session.code),
        closed: withCode(state.closed, update.session.code),
      };
    case "groups_changed":
      return { ...state, groups: update.groups };
    case "status":
      if (update.status.state === "refreshing") return { ...state, refreshing: true };
      if (update.status.state === "stopped")
        return { ...INITIAL, closed: state.closed, archiveSync: state.archiveSync, documentation: state.documentation, billing: state.billing, insight: state.insight };
      return { ...state, status: update.status, refreshing: false };
    case "snapshot": {
      const { sessions, groups, status } = update.snapshot;
      const refreshing = status.state === "refreshing";
      return {
        ...state,
        sessions: [...sessions].filter((s) => s.isOpen).sort(newestFirst),
        groups: groups ?? state.groups,
        status: refreshing ? state.status : status,
        refreshing,
      };
    }
  }
}

/**
 * Whether two states list the same sessions the same way (the same sessions, groups, closed
 * and expired sets): a view of the rows need not be rebuilt when only the status, the refresh
 * flag or the archive's sync changed, which is what most live updates are.
 */
export function sameRows(a: LiveState, b: LiveState): boolean {
  return a.sessions === b.sessions && a.groups === b.groups && a.closed === b.closed && a.expired === b.expired;
}

/** Whether `session` is past its `validUntil` at `now` (ms), or the core said so. */
export function isExpired(state: LiveState, session: Session, now: number): boolean {
  if (state.expired.has(session.code)) return true;
  if (!session.validUntil) return false;
  const until = Date.parse(session.validUntil);
  return !Number.isNaN(until) && until <= now;
}

/** Whether `session` is closed: by its own state, or because it was closed or left the list. */
export function isClosed(state: LiveState, session: Session): boolean {
  return !session.isOpen || state.closed.has(session.code);
}

/** Whether the session's links may be offered (open and not expired). */
export function isUsable(state: LiveState, session: Session, now: number): boolean {
  return !isClosed(state, session) && !isExpired(state, session, now);
}

/** The latest version of a session the store knows, else `fallback`. */
export function latest(state: LiveState, fallback: Session): Session {
  return state.sessions.find((s) => s.code === fallback.code) ?? fallback;
}

/**
 * The group a session belongs to, as people read it: the session's own `groupname` (only some
 * API variants send it), else the name of its `groupid` in the known groups, else the id itself;
 * null when the session has no group.
 */
export function groupLabel(state: LiveState, session: Session): string | null {
  if (session.groupName) return session.groupName;
  if (!session.groupId) return null;
  return state.groups?.find((g) => g.id === session.groupId)?.name || session.groupId;
}

/**
 * The customers waiting now: open sessions whose `online` is true, newest first. The same rule
 * as the core's `customer_waiting` and the snapshot's `waiting` (see docs/live.md for what
 * `online` is assumed to mean); a customer going offline or a closed session leaves the list.
 */
export function waitingCustomers(state: LiveState): Session[] {
  return state.sessions.filter((s) => s.online === true && !isClosed(state, s));
}

export interface Store {
  get(): LiveState;
  /**
   * Asks the views to show one session (a click on a waiting-customer notification or tray
   * entry, or the shell's "show session" event). The session detail reacts via `onFocus`.
   */
  focusSession(code: string): void;
  /** `listener` runs for every `focusSession`; returns the unsubscribe function. */
  onFocus(listener: (code: string) => void): () => void;
  /** Asks the log view to show a period and filter (a click in the Insight tab). */
  openLog(request: LogFilterRequest): void;
  /** `listener` runs for every `openLog`; returns the unsubscribe function. */
  onOpenLog(listener: (request: LogFilterRequest) => void): () => void;
  apply(update: StoreUpdate): void;
  /** Back to the empty state (signed out). */
  reset(): void;
  /** `listener` runs after every change; returns the unsubscribe function. */
  subscribe(listener: (state: LiveState, previous: LiveState) => void): () => void;
}

export function createStore(initial: LiveState = INITIAL): Store {
  let state = initial;
  const listeners = new Set<(state: LiveState, previous: LiveState) => void>();
  const focusListeners = new Set<(code: string) => void>();
  const openLogListeners = new Set<(request: LogFilterRequest) => void>();
  const set = (next: LiveState) => {
    if (next === state) return;
    const previous = state;
    state = next;
    for (const listener of [...listeners]) listener(state, previous);
  };
  return {
    get: () => state,
    apply: (update) => set(reduce(state, update)),
    focusSession(code) {
      for (const listener of [...focusListeners]) listener(code);
    },
    onFocus(listener) {
      focusListeners.add(listener);
      return () => focusListeners.delete(listener);
    },
    openLog(request) {
      for (const listener of [...openLogListeners]) listener(request);
    },
    onOpenLog(listener) {
      openLogListeners.add(listener);
      return () => openLogListeners.delete(listener);
    },
    // The archive is not the account's: its sync status, the worklist and the figures read from
    // it outlive a sign-out. The documentation list is the core's: a sign-out sends it empty.
    reset: () => set({ ...INITIAL, archiveSync: state.archiveSync, documentation: state.documentation, billing: state.billing, insight: state.insight }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
