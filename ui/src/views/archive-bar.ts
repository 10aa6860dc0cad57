// The connection-log archive in the log view (docs/archive.md › In the app): at launch the log
// view shows the archived records of its period at once, with no network and no sign-in; the
// sync bar says when the archive was last synced, runs a sync on demand with progress and
// Cancel, names edits not sent yet, and shows why a sync stopped. It renders from the store's
// `archiveSync` (fed by `archive-sync` events). A run without an archive (damaged or newer
// file: the startup notice said why) hides the bar and keeps the log in memory as before.
import * as api from "../api";
import { busy, h, setMessage, setText, show } from "../dom";
import { formatCount, formatTime } from "../format";
import { onLanguageChange, plural, t } from "../i18n";
import { errorBody } from "../notify";
import type { LiveState, Store } from "../store";

/** Whether this run has an archive (it is open; "unavailable": none, or a damaged file). */
export function archiveIsOpen(state: LiveState): boolean {
  return state.archiveSync !== null && state.archiveSync.state !== "unavailable";
}

/**
 * Whether the archive holds the history: open and synced completely at least once. Then the
 * log view's period and query filters are local queries over it (offline too).
 */
export function archiveHasHistory(state: LiveState): boolean {
  return archiveIsOpen(state) && state.archiveSync?.lastSync != null;
}

export interface SyncBar {
  el: HTMLElement;
  /** Whether the report `id` has an edit not sent to TeamViewer yet. */
  isPending(id: string): boolean;
  /** Sync now asks TeamViewer: offered only while signed in. */
  setSignedIn(signedIn: boolean): void;
}

/**
 * The sync bar. `synced` runs after a sync that brought new or changed records (the log view
 * re-reads its archived period).
 */
export function createSyncBar(store: Store, synced: () => void): SyncBar {
  const text = h("span", { id: "archive-sync-text", class: "sync-text" });
  const pending = h("span", { id: "archive-pending", class: "tag tag-pending", hidden: true });
  const error = errorBody("archive-sync-error");
  const errorEl = h("span", { id: "archive-sync-error", class: "sync-error", hidden: true }, h("span", { t: "archive.syncStopped" }), error.text, error.details);
  const syncButton = h("button", {
    id: "archive-sync",
    class: "small",
    t: "archive.syncNow",
    attrs: { type: "button", "data-needs-api": true },
    on: {
      click: () =>
        void busy(syncButton, async () => {
          try {
            await api.syncArchive();
          } catch {
            // The status (archive-sync events) carries the error and shows it here.
          }
        }),
    },
  });
  const cancelButton = h("button", {
    id: "archive-sync-cancel",
    class: "small",
    t: "common.cancel",
    hidden: true,
    attrs: { type: "button" },
    on: { click: () => void api.cancelArchiveSync().catch(() => undefined) },
  });
  const el = h(
    "div",
    { id: "archive-sync-bar", class: "sync-bar", hidden: true, attrs: { role: "status", "aria-live": "polite" } },
    text,
    pending,
    errorEl,
    h("span", { class: "grow" }),
    syncButton,
    cancelButton,
  );

  // A damaged archive at launch: say so, and offer to rebuild it (the file is kept, moved aside).
  const problemText = h("span", { id: "archive-problem-text" });
  const problemError = errorBody("archive-problem");
  const rebuildButton = h("button", {
    id: "archive-rebuild",
    class: "small",
    t: "archive.rebuild",
    hidden: true,
    attrs: { type: "button" },
    on: {
      click: () =>
        void busy(rebuildButton, async () => {
          try {
            const done = await api.rebuildArchive();
            setMessage(problemText, done.movedTo ? "archive.rebuiltMoved" : "archive.rebuilt", { path: done.movedTo ?? "" });
            show(rebuildButton, false);
            show(problemError.details, false);
            setText(problemError.text, "");
          } catch (error) {
            problemError.render(api.toIpcError(error));
          }
        }),
    },
  });
  const problem = h(
    "div",
    { id: "archive-problem", class: "incomplete archive-problem", hidden: true, attrs: { role: "alert" } },
    problemText,
    problemError.text,
    problemError.details,
    rebuildButton,
  );
  void api
    .archiveProblem()
    .then((p) => {
      if (!p) return;
      setMessage(problemText, p.canRebuild ? "archive.damaged" : "archive.unusable");
      problemError.render(p.error);
      show(rebuildButton, p.canRebuild);
      show(problem, true);
    })
    .catch(() => undefined);

  let pendingIds = new Set<string>();
  function render(state: LiveState, previous?: LiveState): void {
    const s = state.archiveSync;
    show(el, archiveIsOpen(state));
    if (!s || !archiveIsOpen(state)) return;
    const syncing = s.state === "syncing";
    if (syncing) {
      const total = s.received + s.remaining;
      setMessage(text, total > s.received ? plural("archive.syncingOf", total) : "archive.syncing", {
        received: formatCount(s.received),
        total: formatCount(total),
      });
    } else if (s.lastSync && s.received === 0 && s.lastNew + s.lastUpdated === 0) {
      // Known from the archive, no run in this start (yet): no counts to tell.
      setMessage(text, "archive.lastSyncedAt", { time: formatTime(s.lastSync) });
    } else if (s.lastSync) {
      setMessage(text, "archive.lastSynced", {
        time: formatTime(s.lastSync),
        new: formatCount(s.lastNew),
        updated: formatCount(s.lastUpdated),
      });
    } else setMessage(text, "archive.neverSynced");
    show(syncButton, !syncing);
    show(cancelButton, syncing);
    setMessage(pending, "archive.pendingEdits", { count: formatCount(s.pendingEdits) });
    show(pending, s.pendingEdits > 0);
    pendingIds = new Set(s.pendingIds);
    const failed = !syncing && s.error !== null && s.error.kind !== "cancelled";
    if (failed && s.error) error.render(s.error);
    show(errorEl, failed);
    if (!syncing && s.budgetExhausted) setMessage(text, "archive.budget");
    const before = previous?.archiveSync;
    if (before?.state === "syncing" && !syncing && !s.error && s.lastNew + s.lastUpdated > 0) synced();
  }
  store.subscribe((state, previous) => {
    if (state.archiveSync !== previous.archiveSync) render(state, previous);
  });
  onLanguageChange(() => render(store.get()));
  render(store.get());
  return {
    el: h("div", { class: "archive-area" }, problem, el),
    isPending: (id) => pendingIds.has(id),
    setSignedIn: (signedIn) => {
      syncButton.disabled = !signedIn;
    },
  };
}

/** The text a supporter reads for "pending" next to a record. */
export const pendingLabel = (): string => t("archive.pendingOne");
