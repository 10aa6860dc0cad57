// Connection log tab: query (date preset + server filters) → paged load with progress and
// Cancel/Resume → instant filter and sort (run in Rust via `apply_log_view`) → a virtualised
// table that asks for windows of rows → totals, CSV export, ticket text and record editing.
import * as api from "../api";
import { archiveHasHistory, archiveIsOpen, createSyncBar, pendingLabel } from "./archive-bar";
import type { LiveState, LogFilterRequest, Store } from "../store";
import { NEEDS_API } from "../offline";
import { billingLabel, billingOptions } from "../billing";
import type { View } from "../context";
import { parseDateInput, PRESETS, presetRange, type Preset } from "../dates";
import { dateField } from "./date-field";
import { busy, checkbox, field, h, options, setMessage, setText, show } from "../dom";
import { formatCount, formatDateTime, formatDuration, formatFee, formatSessionType, timeDisplay } from "../format";
import { errorText, onLanguageChange, plural, t, translateTree, type MsgKey } from "../i18n";
import { announce, showError } from "../notify";
import { fillRanges, matchRanges, searchWords } from "../highlight";
import { setAttribute, VirtualTable } from "../virtual-table";

/** Whether two lists of record ids hold the same ids in the same order (absent = empty). */
export function sameIds(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((id, i) => id === y[i]);
}

/** Fixed row height (px); must match `.log-table tbody tr` in style.css. */
export const ROW_HEIGHT = 30;

interface LogColumn {
  column: api.Column;
  field: keyof api.LogRow;
  width: number;
  className?: string;
}

/** The columns the table shows (all 19 are exported); width 0 takes the remaining space. */
const COLUMNS: readonly LogColumn[] = [
  { column: "start_date", field: "startDate", width: 184, className: "mono" },
  { column: "duration_seconds", field: "duration", width: 84, className: "num mono" },
  { column: "username", field: "username", width: 124 },
  { column: "devicename", field: "devicename", width: 110 },
  { column: "groupname", field: "groupname", width: 112 },
  { column: "support_session_type", field: "supportSessionType", width: 140 },
  { column: "session_code", field: "sessionCode", width: 112, className: "mono" },
  { column: "end_customer_name", field: "endCustomerName", width: 132 },
  { column: "billing_state", field: "billingState", width: 96 },
  { column: "fee", field: "fee", width: 92, className: "num" },
  { column: "notes", field: "notes", width: 0 },
];
/**
 * The actions column comes first: in view without scrolling sideways. (A column stuck to the
 * right edge with `position: sticky` makes every row's cell a compositing layer of its own, and
 * WebKit then spends about a quarter more CPU on each keystroke's repaint; bench/README.md.)
 */
const ACTIONS_WIDTH = 184; // "Ticket-Text" + "Bearbeiten" in German
/** Index of the first data cell in a row (after the actions cell). */
const FIRST_DATA_CELL = 1;

const columnLabel = (c: api.Column): MsgKey => `logs.col.${c}` as MsgKey;

/**
 * A User Timing mark set when the log view first shows a row with data in this run: the app
 * benchmark's "launch → first rows of the archive" reads it (bench/app-bench.mjs, `archive`).
 */
export const FIRST_ROWS_MARK = "sdesk:first-log-rows";

export interface LogsView extends View {
  focusFilter(): void;
  exportCsv(): void;
  /** Signed in or not: signed out, the view shows the archive with a note (main.ts decides). */
  setSignedIn(signedIn: boolean): void;
  /** A loaded record changed in the core (a session documented): the rows on screen are read again. */
  refreshRows(): void;
}

export function createLogsView(store: Store): LogsView {
  // ---- query --------------------------------------------------------------------------------
  const preset = h("select", { id: "preset" }, ...options(PRESETS.map((p) => [p, `logs.preset.${p}` as MsgKey] as const)));
  // The period is remembered (not a custom one: its days would be stale): the archive opens on
  // the period the supporter works with.
  const PRESET_KEY = "sdesk.logs.preset";
  const remembered = localStorage.getItem(PRESET_KEY);
  preset.value = remembered && remembered !== "custom" && (PRESETS as readonly string[]).includes(remembered) ? remembered : "7";
  // The custom period's days in the app's own date format (date-field.ts), not the OS locale's.
  const from = dateField("from", "logs.from", "field custom-range");
  const to = dateField("to", "logs.to", "field custom-range");
  const fromField = from.el;
  const toField = to.el;
  const user = h("input", { id: "filter-user", attrs: { type: "text", autocomplete: "off", placeholder: "u1234567", size: 12 } });
  const group = h("select", { id: "filter-group" }, h("option", { t: "logs.anyGroup", attrs: { value: "" } }));
  const device = h("input", { id: "filter-device", attrs: { type: "text", autocomplete: "off", size: 14 } });
  const code = h("input", { id: "filter-session-code", attrs: { type: "text", autocomplete: "off", placeholder: "s12-345-678", size: 12 } });
  const type = h(
    "select",
    { id: "filter-type" },
    ...options([["", "logs.anyType"], ["1", "logs.type.1"], ["2", "logs.type.2"], ["3", "logs.type.3"]]),
  );
  const loadButton = h("button", { id: "load-logs", class: "primary", t: "logs.load", attrs: { type: "submit", "data-needs-api": true } });
  const queryError = h("p", { id: "log-query-error", class: "field-error", hidden: true, attrs: { role: "alert" } });
  const syncCustom = () => {
    const custom = preset.value === "custom";
    show(fromField, custom);
    show(toField, custom);
  };
  preset.addEventListener("change", () => {
    if (preset.value !== "custom") localStorage.setItem(PRESET_KEY, preset.value);
    syncCustom();
    if (preset.value === "custom" && !from.input.value.trim()) from.fill(new Date());
  });
  syncCustom();

  const queryForm = h(
    "form",
    { id: "log-query", class: "query", attrs: { novalidate: true }, tAttrs: { "aria-label": "logs.query" }, on: { submit: (e) => { e.preventDefault(); void load(); } } },
    field("logs.preset", preset),
    fromField,
    toField,
    field("logs.filterUser", user),
    field("logs.filterGroup", group),
    field("logs.filterDevice", device),
    field("logs.filterSessionCode", code),
    // The last field and Load wrap together: the button never sits alone on a row.
    h("div", { class: "query-end" }, field("logs.filterType", type), h("div", { class: "field field-button" }, loadButton)),
    queryError,
  );

  /** The query of the form, or null after showing its problem (`focus`: move there, on Load). */
  function buildQuery(focus = false): api.LogQuery | null {
    const custom = preset.value === "custom" ? { from: from.read(), to: to.read() } : { from: "", to: "" };
    if (custom.from === null || custom.to === null) {
      // An unreadable or future day is explained at its field.
      show(queryError, false);
      if (focus) (custom.from === null ? from : to).input.focus();
      return null;
    }
    const range = presetRange(preset.value as Preset, new Date(), { from: custom.from, to: custom.to });
    setText(queryError, range.ok ? "" : t(range.error));
    show(queryError, !range.ok);
    if (!range.ok) return null;
    const text = (input: HTMLInputElement | HTMLSelectElement) => input.value.trim() || null;
    const kind = type.value ? Number(type.value) : null; // 1, 2 or 3 (the select's values)
    return {
      ...range.range,
      userId: text(user),
      groupId: text(group),
      deviceName: text(device),
      sessionCode: text(code),
      supportSessionType: kind,
    };
  }

  // ---- progress, cancel, resume -------------------------------------------------------------
  const progress = h("progress", { id: "progress", attrs: { max: 1, value: 0, "aria-labelledby": "progress-text" } });
  const progressText = h("span", { id: "progress-text", class: "progress-text" });
  const cancelButton = h("button", { id: "cancel-logs", t: "logs.cancel", attrs: { type: "button" }, on: { click: () => void cancel() } });
  const progressBar = h("div", { class: "progress-bar", hidden: true, attrs: { role: "status" } }, progress, progressText, cancelButton);
  const incompleteText = h("span");
  const resumeButton = h("button", { id: "resume-logs", t: "logs.resume", attrs: { type: "button", "data-needs-api": true }, on: { click: () => void load("resume") } });
  const incomplete = h("div", { id: "incomplete-marker", class: "incomplete", hidden: true, attrs: { role: "status" } }, h("span", { class: "warn-icon", text: "!", attrs: { "aria-hidden": "true" } }), incompleteText, resumeButton);
  let loading = false;
  // After a sync that brought news, the archived rows shown are read again.
  const syncBar = createSyncBar(store, () => {
    if (!loading && (fromArchive || totals.totalRecords === 0)) void showArchived();
  });
  // Rows with an edit not sent yet carry a marker; it follows the sync status.
  // Every sync status carries a new list: the rows are marked again only when its ids changed
  // (a sync's progress events came every few ms and rewrote every row).
  store.subscribe((state, previous) => {
    if (!sameIds(state.archiveSync?.pendingIds, previous.archiveSync?.pendingIds)) {
      for (const tr of table.rowElements()) markPending(tr);
    }
  });
  let lastProgress: api.FetchProgress = { pages: 0, records: 0, recordsRemaining: 0, complete: false, inView: 0 };

  function renderProgress(): void {
    const p = lastProgress;
    const total = p.records + p.recordsRemaining;
    if (p.complete) progress.value = progress.max = 1;
    else if (total > 0) {
      progress.max = total;
      progress.value = p.records;
    } else progress.removeAttribute("value"); // indeterminate until the first page
    renderEmpty();
    if (loading && totals.totalRecords === 0) renderTotals();
    setMessage(
      progressText,
      plural(p.recordsRemaining > 0 && !p.complete ? "logs.progressRemaining" : "logs.progress", p.records),
      { records: formatCount(p.records), remaining: formatCount(p.recordsRemaining) },
    );
  }

  function renderIncomplete(): void {
    setMessage(incompleteText, plural("logs.incomplete", lastProgress.records), { records: formatCount(lastProgress.records) });
  }

  function onProgress(p: api.FetchProgress): void {
    if (!loading) {
      // The launch's early read may report before its load has begun: kept for it.
      if (awaitingEarly) earlyProgress = p;
      return;
    }
    lastProgress = p;
    renderProgress();
    // An archived period's newest rows reach the store before the rest (the core's first
    // screen): shown at once in the default order, of which they are the top. A filtered or
    // sorted view waits for the whole period.
    if (firstScreen && p.inView > 0 && !p.complete && !isFiltered()) {
      performance.mark("sdesk:first-screen");
      firstScreen = false;
      shownFirstScreen = true;
      void applyView();
    }
  }

  void api.onLogsProgress(onProgress).catch(() => undefined);
  // The archived period is asked for at once; the rest of the view is built meanwhile, and the
  // launch's `load("archived")` takes this answer (see `archivedAnswer`).
  let earlyProgress: api.FetchProgress | null = null;
  let awaitingEarly = false;
  let earlyArchived: Promise<api.LogSummary> | null = null;
  const earlyQuery = buildQuery();
  if (earlyQuery) {
    awaitingEarly = true;
    earlyArchived = api.loadArchivedLogs(earlyQuery, true); // the view is empty at launch
    earlyArchived.catch(() => undefined); // its rejection is read by the load that takes it
  }
  /** The launch's early answer (once), or a new read of the archive. */
  const archivedAnswer = (query: api.LogQuery): Promise<api.LogSummary> => {
    const early = earlyArchived;
    earlyArchived = null;
    return early ?? api.loadArchivedLogs(query, firstScreen);
  };

  /** Whether the rows shown came from the archive (a sync then re-reads them). */
  let fromArchive = false;
  /** Whether the running load may show its first screen (it replaces an empty view). */
  let firstScreen = false;
  /** Whether the running load showed its first screen (its end then re-applies the view). */
  let shownFirstScreen = false;

  /**
   * Loads the query's period: from the archive when it holds the history (a local query,
   * offline too), else from TeamViewer; `resume` continues an interrupted load from TeamViewer.
   * `archived`: a read of the archived period at launch or after a sync brought news — no
   * progress bar, the rows shown stay until the new ones replace them, and without an archive
   * (or with an empty one) nothing changes.
   */
  async function load(mode: "load" | "resume" | "archived" = "load"): Promise<void> {
    if (loading) return;
    const resume = mode === "resume";
    const archived = mode === "archived";
    const query = resume ? null : buildQuery(!archived);
    if (!resume && !query) return;
    // With an archive that holds the history (synced once), the period and the query's filters
    // are local queries over it: instant, offline too. Without one, TeamViewer is asked.
    const local = archived || (query !== null && archiveHasHistory(store.get()));
    if (!archived) fromArchive = false;
    loading = true;
    lastProgress = { pages: 0, records: resume ? lastProgress.records : 0, recordsRemaining: 0, complete: false, inView: 0 };
    if (!resume && !archived) {
      // A new load replaces the old result: its rows go at once, and the grid and the totals
      // count the new load instead of standing under it.
      showTotals({ count: 0, totalRecords: 0, durationSeconds: 0 }, false);
    }
    firstScreen = local && totals.totalRecords === 0;
    shownFirstScreen = false;
    renderProgress();
    if (archived && awaitingEarly) {
      awaitingEarly = false;
      const p = earlyProgress;
      earlyProgress = null;
      if (p) onProgress(p);
    }
    // The archive answers within a second: no progress bar (nor a Cancel) for it.
    show(progressBar, !local);
    show(incomplete, false);
    loadButton.disabled = true;
    resumeButton.disabled = true;
    const startedIn = epoch;
    performance.mark("sdesk:log-load");
    try {
      const summary = await (local && query ? (archived ? archivedAnswer(query) : api.loadArchivedLogs(query, firstScreen)) : query ? api.loadLogs(query) : api.resumeLogs());
      // Signed out meanwhile (a rejected sign-in): no "Incomplete … [Resume]" for a log that is gone.
      if (startedIn !== epoch) return;
      // An empty archive says nothing yet: the view keeps its "load" prompt.
      if (archived && summary.totals.totalRecords === 0 && totals.totalRecords === 0) return;
      fromArchive = local;
      performance.mark("sdesk:log-loaded");
      await finished(summary);
    } catch (error) {
      const e = api.toIpcError(error);
      if (startedIn !== epoch) return;
      if (archived) return; // No archive in this run (`config`); the startup notice explained a damaged one.
      if (e.kind === "invalid_input") {
        // The core names the bad field first ("user: expected 'u' followed by digits").
        setText(queryError, `${errorText(e.kind)} ${e.message}`);
        show(queryError, true);
      } else if (e.kind !== "cancelled") {
        // `cancelled` here means a newer load or a sign-out superseded this one: nothing to say.
        showError(e);
      }
    } finally {
      loading = false;
      firstScreen = false;
      renderEmpty();
      show(progressBar, false);
      loadButton.disabled = false;
      resumeButton.disabled = false;
      // A click in the Insight tab that came during this load.
      const pendingOpen = openRequest;
      if (pendingOpen) queueMicrotask(() => openFiltered(pendingOpen));
    }
  }

  async function finished(summary: api.LogSummary): Promise<void> {
    lastProgress = summary.progress;
    renderIncomplete();
    show(incomplete, summary.incomplete);
    if (summary.error?.kind === "cancelled") announce("logs.cancelled");
    else if (summary.error) showError(api.toIpcError(summary.error));
    else announce(plural("logs.loaded", summary.totals.totalRecords), { n: formatCount(summary.totals.totalRecords) });
    // The store may keep or reset its view on a new load; re-applying ours keeps them equal.
    // After a first screen, re-applying (queued behind its answer, keeping the scroll) puts the
    // whole period under the rows already shown.
    if (isFiltered()) await applyView();
    else if (shownFirstScreen) await applyView(true);
    else showTotals(summary.totals, false);
  }

  async function cancel(): Promise<void> {
    try {
      await busy(cancelButton, api.cancelLogs);
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  // ---- filter and sort (the view) -----------------------------------------------------------
  // `times`: how the grid shows dates (language, local or UTC), so the Start column's filter
  // matches the cell's text (`29.11.2026, 14:02`), not the API's RFC 3339; set on each apply.
  const view: api.LogView = { text: "", columns: [], sort: null, times: null };
  const isFiltered = () => view.text.trim() !== "" || view.columns.length > 0 || view.sort !== null;

  const filterInput = h("input", {
    id: "log-filter",
    class: "search",
    tAttrs: { placeholder: "logs.filterPlaceholder" },
    attrs: { type: "search", autocomplete: "off", spellcheck: "false", "aria-keyshortcuts": "Control+F" },
  });
  // Enumerations filter by exact value, picked from the values the loaded records have (the
  // core's `LogChoices`); the other columns take words, the duration a comparison (">1h").
  const PICK_LISTS: Partial<Record<api.Column, { choices: keyof api.LogChoices; label: (v: string) => string }>> = {
    billing_state: { choices: "billingStates", label: billingLabel },
    support_session_type: { choices: "types", label: formatSessionType },
    groupname: { choices: "groups", label: (v) => v },
    username: { choices: "users", label: (v) => v },
  };
  const columnInputs = new Map<api.Column, HTMLInputElement | HTMLSelectElement>();
  const columnFilterFields = COLUMNS.map(({ column }) => {
    const input = PICK_LISTS[column]
      ? h("select", { id: `column-filter-${column}`, attrs: { "data-column": column } }, h("option", { t: "logs.anyValue", attrs: { value: "" } }))
      : h("input", {
          id: `column-filter-${column}`,
          tAttrs: column === "duration_seconds" ? { placeholder: "logs.durationPlaceholder" } : column === "start_date" ? { placeholder: "logs.startPlaceholder" } : undefined,
          attrs: { type: "search", autocomplete: "off", "data-column": column, "aria-describedby": "column-filter-hint" },
        });
    columnInputs.set(column, input);
    return field(columnLabel(column), input);
  });
  const columnFilters = h("details", { id: "column-filters", class: "column-filters" }, h("summary", { t: "logs.columnFilters" }), h("div", { class: "column-filter-grid" }, ...columnFilterFields));
  /** Says which column filter could not be read (it then filters nothing). */
  const filterHint = h("p", { id: "column-filter-hint", class: "field-error", hidden: true, attrs: { role: "status" } });
  let choicesKey = "";

  /** Fills the pick lists from the core's choices; a picked value stays even when gone. */
  function renderChoices(choices: api.LogChoices): void {
    const key = JSON.stringify(choices) + document.documentElement.lang;
    if (key === choicesKey) return;
    choicesKey = key;
    for (const [column, pick] of Object.entries(PICK_LISTS) as [api.Column, NonNullable<(typeof PICK_LISTS)[api.Column]>][]) {
      const select = columnInputs.get(column) as HTMLSelectElement;
      const picked = select.value;
      const values = [...choices[pick.choices]];
      if (picked && !values.includes(picked)) values.unshift(picked);
      select.replaceChildren(
        h("option", { t: "logs.anyValue", attrs: { value: "" } }),
        ...values.map((v) => h("option", { text: pick.label(v) || v, attrs: { value: v } })),
      );
      select.value = picked;
    }
  }

  /** Marks the filters the core could not read and says how to write them. */
  function renderUnreadable(unreadable: readonly api.Column[]): void {
    for (const [column, input] of columnInputs) {
      if (unreadable.includes(column)) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    const first = unreadable[0];
    if (first) {
      setMessage(filterHint, first === "duration_seconds" ? "logs.durationUnreadable" : "logs.filterUnreadable", { column: t(columnLabel(first)) });
      if (!columnFilters.open) columnFilters.open = true;
    }
    show(filterHint, first !== undefined);
  }

  /** The words to highlight: the search's in every cell, a column filter's in its column. */
  let highlightAll: string[] = [];
  const highlightColumn = new Map<api.Column, string[]>();
  const clearButton = h("button", {
    id: "clear-filters",
    class: "link",
    t: "logs.clearFilters",
    attrs: { type: "button" },
    on: {
      click: () => {
        filterInput.value = "";
        for (const input of columnInputs.values()) input.value = "";
        readFilters();
        void applyView();
      },
    },
  });

  function readFilters(): void {
    view.text = filterInput.value;
    view.columns = [];
    highlightAll = searchWords(view.text);
    highlightColumn.clear();
    for (const [column, input] of columnInputs) {
      if (!input.value.trim()) continue;
      const exact = input instanceof HTMLSelectElement;
      view.columns.push({ column, value: input.value, exact });
      if (!exact && column !== "duration_seconds") highlightColumn.set(column, searchWords(input.value));
    }
  }

  // No debounce: every keystroke is applied at once (the filter over 100,000 rows takes a few ms
  // in Rust). While one apply_log_view is in flight, further changes coalesce into one follow-up
  // with the latest filters, and the superseded answer is not painted.
  const onFilterInput = () => {
    readFilters();
    void applyView();
  };
  filterInput.addEventListener("input", onFilterInput);
  columnFilters.addEventListener("input", onFilterInput);
  columnFilters.addEventListener("change", (e) => {
    if (e.target instanceof HTMLSelectElement) onFilterInput();
  });

  let applying = false;
  /** A change that arrived while an apply was in flight (`keepScroll` only if every one kept it). */
  let queued: { keepScroll: boolean } | null = null;
  /** Bumped when the loaded rows go away (sign-out): answers from before are dropped. */
  let epoch = 0;

  /** The change queued meanwhile (a function, so the type checker does not assume the
   * `queued = null` before an `await` still holds after it). */
  const pendingChange = (): { keepScroll: boolean } | null => queued;

  async function applyView(keepScroll = false): Promise<void> {
    if (applying) {
      queued = { keepScroll: (queued?.keepScroll ?? true) && keepScroll };
      return;
    }
    applying = true;
    try {
      let next: { keepScroll: boolean } | null = { keepScroll };
      while (next) {
        const keep: boolean = next.keepScroll;
        queued = null;
        const started = epoch;
        const first = table.firstBlocks(keep);
        try {
          const times = timeDisplay(utcTimes.input.checked);
          const page = await api.applyLogView({ text: view.text, columns: [...view.columns], sort: view.sort, times }, first.offset, first.limit);
          if (!pendingChange() && started === epoch) showPage(page, keep);
        } catch (error) {
          if (!pendingChange() && started === epoch) showError(api.toIpcError(error));
        }
        // A dropped answer's wish to go back to the top survives in the follow-up.
        const follow = pendingChange();
        next = follow ? { keepScroll: follow.keepScroll && keep } : null;
      }
    } finally {
      applying = false;
    }
  }

  // ---- totals and export --------------------------------------------------------------------
  const countEl = h("output", { id: "totals-count", class: "total-value" });
  const ofTotal = h("span", { class: "hint" });
  const durationEl = h("output", { id: "totals-duration", class: "total-value mono" });
  let totals: api.Totals = { count: 0, totalRecords: 0, durationSeconds: 0 };

  function renderTotals(): void {
    setText(countEl, formatCount(totals.count));
    countEl.dataset.value = String(totals.count);
    // While a load runs the totals count the load ("Loading 80,000 of 99,924"), never "0 of 0".
    const p = lastProgress;
    if (loading && p.inView > 0 && !p.complete && totals.totalRecords > 0) {
      // The first screen of an archived period: its newest rows, the rest still coming.
      setMessage(ofTotal, "logs.newestOf", { total: formatCount(p.records + p.recordsRemaining) });
    } else if (loading && totals.totalRecords === 0 && p.records + p.recordsRemaining > 0) {
      setMessage(ofTotal, "logs.loadingOf", { records: formatCount(p.records), total: formatCount(p.records + p.recordsRemaining) });
    } else if (loading && totals.totalRecords === 0) setMessage(ofTotal, "logs.loadingStart");
    else setMessage(ofTotal, "logs.ofTotal", { total: formatCount(totals.totalRecords) });
    // The first screen's duration would be that of its 100 rows only: none until the period is in.
    const firstScreenShown = loading && p.inView > 0 && !p.complete && totals.totalRecords > 0;
    setText(durationEl, firstScreenShown ? "…" : formatDuration(totals.durationSeconds));
    durationEl.dataset.value = String(totals.durationSeconds);
    exportButton.disabled = totals.count === 0;
    renderEmpty();
  }

  /** The grid's overlay: while a load runs it counts the load, never "No records loaded yet". */
  function renderEmpty(): void {
    const p = lastProgress;
    if (loading && totals.count === 0) {
      const total = p.records + p.recordsRemaining;
      if (total > 0) setMessage(emptyMessage, "logs.loadingOf", { records: formatCount(p.records), total: formatCount(total) });
      else setMessage(emptyMessage, "logs.loadingStart");
    } else setMessage(emptyMessage, totals.totalRecords === 0 ? "logs.empty" : "logs.noMatch");
    show(emptyMessage, totals.count === 0);
  }

  function showTotals(next: api.Totals, keepScroll: boolean, seed?: { offset: number; rows: api.LogRow[] }): void {
    totals = next;
    renderTotals();
    table.reset(next.count, keepScroll, seed);
  }

  const showPage = (page: api.LogPage, keepScroll: boolean) => {
    renderChoices(page.choices);
    renderUnreadable(page.unreadable);
    showTotals(page.totals, keepScroll, page);
  };

  // CSV (delimiter and BOM apply) or an Excel workbook (typed cells; they do not). Remembered.
  const FORMAT_KEY = "sdesk.logs.exportFormat";
  const format = h(
    "select",
    { id: "export-format", on: { change: () => renderFormat(true) } },
    ...options([["csv", "logs.formatCsv"], ["xlsx", "logs.formatXlsx"]]),
  );
  format.value = localStorage.getItem(FORMAT_KEY) === "xlsx" ? "xlsx" : "csv";
  const delimiter = h("select", { id: "export-delimiter" }, ...options([[",", "logs.delimiterComma"], [";", "logs.delimiterSemicolon"]]));
  const bom = checkbox("export-bom", "logs.bom");
  const delimiterField = field("logs.delimiter", delimiter, undefined, "field inline");
  const exportButton = h("button", {
    id: "export-csv",
    t: "logs.export",
    tAttrs: { title: "logs.exportHint" },
    attrs: { type: "button", disabled: true, "aria-keyshortcuts": "Control+E" },
    on: { click: () => void exportCsv() },
  });
  const exportFormat = (): api.ExportFormat => (format.value === "xlsx" ? "xlsx" : "csv");
  function renderFormat(remember = false): void {
    const xlsx = exportFormat() === "xlsx";
    show(delimiterField, !xlsx);
    show(bom.wrap, !xlsx);
    // The key goes in data-i18n too, so a language switch keeps the format's label.
    const label: MsgKey = xlsx ? "logs.exportXlsx" : "logs.export";
    exportButton.dataset.i18n = label;
    setMessage(exportButton, label);
    if (remember) localStorage.setItem(FORMAT_KEY, exportFormat());
  }

  /** German Excel expects `;` and a BOM; English defaults to plain RFC 4180. */
  function exportDefaults(): void {
    const german = document.documentElement.lang === "de";
    delimiter.value = german ? ";" : ",";
    bom.input.checked = german;
  }

  // An incomplete load (cancelled or failed) is said before the export and in its result.
  const exportWarnText = h("span", { id: "export-incomplete-text" });
  const exportAnyway = h("button", { id: "export-anyway", class: "small", t: "logs.exportAnyway", attrs: { type: "button" }, on: { click: () => void exportCsv(true) } });
  const exportWarn = h(
    "div",
    { id: "export-incomplete", class: "incomplete export-incomplete", hidden: true, attrs: { role: "alert" } },
    exportWarnText,
    exportAnyway,
    h("button", { class: "small", t: "common.cancel", attrs: { type: "button" }, on: { click: () => show(exportWarn, false) } }),
  );
  const loadIncomplete = () => !incomplete.hidden;

  async function exportCsv(confirmed = false): Promise<void> {
    if (exportButton.disabled) return;
    const partial = loadIncomplete();
    if (partial && !confirmed) {
      setMessage(exportWarnText, plural("logs.exportIncompleteAsk", lastProgress.records), { records: formatCount(lastProgress.records) });
      show(exportWarn, true);
      exportAnyway.focus();
      return;
    }
    show(exportWarn, false);
    const opts: api.ExportOptions = { format: exportFormat(), delimiter: delimiter.value === ";" ? ";" : ",", bom: bom.input.checked };
    try {
      const result = await busy(exportButton, () => api.exportLogs(opts));
      if (result) announce(plural(partial ? "logs.exportedIncomplete" : "logs.exported", result.rows), { rows: formatCount(result.rows), path: result.path });
      else announce("logs.exportCancelled");
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  // ---- the table ----------------------------------------------------------------------------
  const headerRow = h("tr", { attrs: { role: "row", "aria-rowindex": 1 } });
  headerRow.append(h("th", { class: "actions-col", t: "logs.col.actions", attrs: { role: "columnheader", scope: "col" } }));
  for (const c of COLUMNS) {
    headerRow.append(
      h(
        "th",
        { class: c.className?.includes("num") ? "num" : undefined, attrs: { role: "columnheader", scope: "col", "data-column": c.column, "aria-sort": "none" } },
        h("button", { class: "sort", attrs: { type: "button" } }, h("span", { class: "col-label", t: columnLabel(c.column) }), h("span", { class: "sort-icon", attrs: { "aria-hidden": "true" } })),
      ),
    );
  }
  // Local time by default; "UTC" (remembered) shows the start in UTC, as the exports always are.
  const UTC_KEY = "sdesk.logs.utc";
  const utcTimes = checkbox("log-utc", "logs.utc", localStorage.getItem(UTC_KEY) === "1");
  function renderStartLabel(): void {
    utcTimes.wrap.title = t("logs.utcHint");
    const label = headerRow.querySelector<HTMLElement>('th[data-column="start_date"] .col-label');
    if (!label) return;
    const key: MsgKey = utcTimes.input.checked ? "logs.col.start_date_utc" : "logs.col.start_date";
    label.dataset.i18n = key;
    setMessage(label, key);
  }
  utcTimes.input.addEventListener("change", () => {
    localStorage.setItem(UTC_KEY, utcTimes.input.checked ? "1" : "0");
    renderStartLabel();
    void applyView(true);
  });
  renderStartLabel();
  const thead = h("thead", {}, headerRow);
  const tbody = h("tbody");
  // ---- columns: hideable and resizable, both remembered ------------------------------------
  const HIDDEN_KEY = "sdesk.logs.hiddenColumns";
  const WIDTHS_KEY = "sdesk.logs.columnWidths";
  const readJson = <T,>(key: string, fallback: T): T => {
    try {
      return (JSON.parse(localStorage.getItem(key) ?? "null") as T) ?? fallback;
    } catch {
      return fallback;
    }
  };
  const hiddenColumns = new Set<api.Column>(readJson<api.Column[]>(HIDDEN_KEY, []).filter((c) => COLUMNS.some((x) => x.column === c)));
  const columnWidths: Partial<Record<api.Column, number>> = readJson(WIDTHS_KEY, {});
  const widthOf = (c: LogColumn) => columnWidths[c.column] ?? c.width;
  const colgroup = h("colgroup");
  /** Rebuilds the table's columns: only visible ones get a `<col>` (hidden cells take no slot). */
  function layoutColumns(): void {
    const cols = [h("col"), ...COLUMNS.filter((c) => !hiddenColumns.has(c.column)).map(() => h("col"))];
    const widths = [ACTIONS_WIDTH, ...COLUMNS.filter((c) => !hiddenColumns.has(c.column)).map(widthOf)];
    // Fixed table layout takes its column widths from here (set from code: CSP forbids inline style markup).
    cols.forEach((col, i) => {
      if (widths[i]) col.style.width = `${widths[i]}px`;
    });
    colgroup.replaceChildren(...cols);
    for (const th of headerRow.querySelectorAll<HTMLElement>("th[data-column]")) th.hidden = hiddenColumns.has(th.dataset.column as api.Column);
    for (const tr of rowsShown()) hideCells(tr);
  }
  function hideCells(tr: HTMLTableRowElement): void {
    COLUMNS.forEach((c, i) => {
      const td = tr.cells[i + FIRST_DATA_CELL];
      if (td) td.hidden = hiddenColumns.has(c.column);
    });
  }
  /** The virtual table once built (it is built after its columns). */
  let tableRef: VirtualTable<api.LogRow> | null = null;
  const rowsShown = (): HTMLTableRowElement[] => tableRef?.rowElements() ?? [];
  const columnMenu = h(
    "details",
    { id: "column-menu", class: "column-menu" },
    h("summary", { t: "logs.columns" }),
    h(
      "div",
      { class: "column-menu-list" },
      ...COLUMNS.filter((c) => c.column !== "start_date").map((c) => {
        const box = checkbox(`show-column-${c.column}`, columnLabel(c.column), !hiddenColumns.has(c.column));
        box.input.addEventListener("change", () => {
          if (box.input.checked) hiddenColumns.delete(c.column);
          else hiddenColumns.add(c.column);
          localStorage.setItem(HIDDEN_KEY, JSON.stringify([...hiddenColumns]));
          layoutColumns();
        });
        return box.wrap;
      }),
    ),
  );
  // The menu closes on a click outside it or on Escape, like a menu.
  document.addEventListener("pointerdown", (e) => {
    if (columnMenu.open && !columnMenu.contains(e.target as Node)) columnMenu.open = false;
  });
  columnMenu.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && columnMenu.open) {
      columnMenu.open = false;
      columnMenu.querySelector("summary")?.focus();
    }
  });
  /** A drag handle (and ←/→ keys) on a header's right edge sets the column's width. */
  function resizeHandle(c: LogColumn): HTMLElement {
    const handle = h("span", {
      class: "col-resize",
      attrs: { role: "separator", tabindex: 0, "aria-orientation": "vertical", "aria-label": t("logs.resizeColumn", { column: t(columnLabel(c.column)) }) },
    });
    const set = (w: number) => {
      columnWidths[c.column] = Math.round(Math.min(800, Math.max(48, w)));
      localStorage.setItem(WIDTHS_KEY, JSON.stringify(columnWidths));
      layoutColumns();
    };
    handle.addEventListener("click", (e) => e.stopPropagation());
    handle.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      e.stopPropagation();
      const startX = e.clientX;
      const th = handle.closest("th");
      const start = th ? th.getBoundingClientRect().width : widthOf(c);
      handle.setPointerCapture(e.pointerId);
      const move = (m: PointerEvent) => set(start + m.clientX - startX);
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
    handle.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      e.preventDefault();
      e.stopPropagation();
      const th = handle.closest("th");
      set((th ? th.getBoundingClientRect().width : widthOf(c)) + (e.key === "ArrowRight" ? 16 : -16));
    });
    return handle;
  }
  for (const th of headerRow.querySelectorAll<HTMLElement>("th[data-column]")) {
    const c = COLUMNS.find((x) => x.column === th.dataset.column);
    if (c) th.append(resizeHandle(c));
  }
  layoutColumns();
  const gridEl = h(
    "table",
    {
      id: "log-table",
      class: "log-table",
      tAttrs: { "aria-label": "logs.table" },
      attrs: { role: "grid", "aria-rowcount": 1, "aria-colcount": COLUMNS.length + 1, tabindex: 0, "aria-readonly": "true" },
    },
    colgroup,
    thead,
    tbody,
  );
  const scroller = h("div", { id: "log-scroller", class: "table-scroll" }, gridEl);
  const emptyMessage = h("p", { class: "empty-overlay", t: "logs.empty" });

  const table = new VirtualTable<api.LogRow>({
    scroller,
    table: gridEl,
    body: tbody,
    header: thead,
    columnCount: COLUMNS.length + 1,
    rowHeight: ROW_HEIGHT,
    // A screen holds ~20–35 rows; 100-row blocks keep each answer (and each keystroke's
    // apply_log_view, which carries the first block) small.
    blockSize: 100,
    fetch: (offset, limit) => api.logRows(offset, limit),
    createRow,
    fillRow,
    onError: (error) => showError(api.toIpcError(error)),
  });
  tableRef = table;

  function createRow(): HTMLTableRowElement {
    const tr = h("tr", { attrs: { role: "row" } });
    tr.append(
      h(
        "td",
        { class: "row-actions", attrs: { role: "gridcell", "aria-colindex": 1 } },
        h("button", { class: "small", t: "logs.ticket", tAttrs: { title: "logs.ticketLabel", "aria-label": "logs.ticketLabel" }, attrs: { type: "button", tabindex: -1, "data-action": "ticket" } }),
        h("button", { class: "small", t: "logs.edit", tAttrs: { title: "logs.editLabel", "aria-label": "logs.editLabel" }, attrs: { type: "button", tabindex: -1, "data-action": "edit" } }),
      ),
    );
    COLUMNS.forEach((c, i) => tr.append(h("td", { class: c.className, attrs: { role: "gridcell", "aria-colindex": i + FIRST_DATA_CELL + 1 } })));
    hideCells(tr);
    return tr;
  }

  function markPending(tr: HTMLTableRowElement): void {
    const id = tr.dataset.id ?? "";
    const pending = id !== "" && syncBar.isPending(id);
    tr.classList.toggle("pending-edit", pending);
    const first = tr.cells[0];
    // Written only when it changes: each write is a DOM mutation (and work for WebKit).
    const title = pending ? pendingLabel() : "";
    if (first && first.title !== title) first.title = title;
  }

  /** Whether a row with data was shown in this run yet (see `FIRST_ROWS_MARK`). */
  let firstRowsMarked = false;

  function fillRow(tr: HTMLTableRowElement, row: api.LogRow | undefined, index: number): void {
    if (row && !firstRowsMarked) {
      firstRowsMarked = true;
      performance.mark(FIRST_ROWS_MARK);
    }
    tr.classList.toggle("loading", !row);
    setAttribute(tr, "data-id", row?.id ?? "");
    markPending(tr);
    tr.classList.toggle("odd", index % 2 === 1);
    setAttribute(tr, "data-index", String(index));
    const cells = tr.cells;
    for (let i = 0; i < COLUMNS.length; i++) {
      const cell = cells[i + FIRST_DATA_CELL]!;
      const value = row ? row[COLUMNS[i]!.field] : "";
      const raw = typeof value === "string" ? value : String(value);
      const column = COLUMNS[i]!.column;
      // Local time in the app's one date format; the record detail and exports keep the UTC value.
      const text =
        column === "support_session_type"
          ? formatSessionType(raw)
          : column === "billing_state"
            ? billingLabel(raw)
            : column === "fee"
              ? formatFee(raw, row?.currency ?? "")
            : column === "start_date" && raw
              ? formatDateTime(raw, utcTimes.input.checked)
              : raw;
      // Matches of the search (and of the column's own filter) are marked in the text columns;
      // the start column marks its own filter's words in the date as shown.
      const own = highlightColumn.get(column) ?? [];
      const words = column === "start_date" ? own : column === "duration_seconds" || column === "fee" ? [] : [...highlightAll, ...own];
      // The cell is keyed by what it shows (its text and where the marks are), not by the search
      // words: a keystroke rewrites only the cells whose text or marks change.
      const ranges = matchRanges(text, words);
      const key = ranges.length ? `${text}\u0000${ranges.join(";")}` : text;
      if (cell.dataset.k !== key || cell.textContent !== text) {
        cell.dataset.k = key;
        fillRanges(cell, text, ranges);
        const title = text.length > 16 ? text : "";
        if (cell.title !== title) cell.title = title;
      }
    }
    const first = cells[FIRST_DATA_CELL]!;
    if (index === table.selected) first.id = "log-active-cell";
    else if (first.id) first.removeAttribute("id");
  }

  function rowIndexOf(target: EventTarget | null): number {
    const tr = (target as Element | null)?.closest?.("tr[data-index]");
    return tr ? Number((tr as HTMLElement).dataset.index) : -1;
  }

  tbody.addEventListener("click", (event) => {
    const index = rowIndexOf(event.target);
    if (index < 0) return;
    select(index);
    const action = (event.target as Element).closest("button")?.dataset.action;
    if (action === "ticket") void copyTicket(index);
    if (action === "edit") openEditor(index);
  });
  tbody.addEventListener("dblclick", (event) => {
    const index = rowIndexOf(event.target);
    if (index >= 0) openEditor(index);
  });

  function select(index: number): void {
    table.select(index);
    if (table.selected >= 0) gridEl.setAttribute("aria-activedescendant", "log-active-cell");
  }

  gridEl.addEventListener("keydown", (e) => {
    const keys: Record<string, () => number> = {
      ArrowDown: () => table.selected + 1,
      ArrowUp: () => Math.max(0, table.selected - 1),
      PageDown: () => table.selected + table.pageSize(),
      PageUp: () => Math.max(0, table.selected - table.pageSize()),
      Home: () => 0,
      End: () => table.rowCount - 1,
    };
    const move = keys[e.key];
    if (move && table.rowCount > 0 && e.target === gridEl) {
      e.preventDefault();
      select(move());
    } else if (e.key === "Enter" && table.selected >= 0) {
      e.preventDefault();
      openEditor(table.selected);
    }
  });

  // Sorting: click a header to cycle ascending → descending → none.
  thead.addEventListener("click", (event) => {
    const th = (event.target as Element).closest("th[data-column]");
    if (!th) return;
    const column = th.getAttribute("data-column") as api.Column;
    const sort = view.sort;
    const next: api.Sort | null =
      !sort || sort.column !== column
        ? { column, descending: false }
        : !sort.descending
          ? { column, descending: true }
          : null;
    view.sort = next;
    for (const cell of thead.querySelectorAll("th[data-column]")) {
      const mine = next !== null && cell.getAttribute("data-column") === next.column;
      cell.setAttribute("aria-sort", !mine ? "none" : next.descending ? "descending" : "ascending");
    }
    void applyView();
  });

  // ---- per record: ticket text and the editor -----------------------------------------------
  async function copyTicket(index: number): Promise<void> {
    const row = table.rowAt(index);
    if (!row) return;
    try {
      await api.logTicketText(row.id);
      announce("logs.ticketCopied");
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  const notes = h("textarea", { id: "record-notes", attrs: { rows: 5 } });
  // A pick list of the API's billing states (plus the record's own value when it is anything
  // else, see billing.ts); the value picked is written back unchanged.
  const billing = h("select", { id: "record-billing" });
  const recordInfo = h("p", { id: "record-info", class: "hint" });
  // Every field of the record in full (the grid cuts long text): read-only, as text.
  const FACTS: readonly [MsgKey, (r: api.LogRow) => string][] = [
    ["logs.col.start_date_utc", (r) => r.startDate],
    ["logs.col.end_date", (r) => r.endDate],
    ["logs.col.duration_seconds", (r) => r.duration],
    ["logs.col.username", (r) => [r.username, r.userid].filter(Boolean).join(" · ")],
    ["logs.col.devicename", (r) => [r.devicename, r.deviceid].filter(Boolean).join(" · ")],
    ["logs.col.groupname", (r) => [r.groupname, r.groupid].filter(Boolean).join(" · ")],
    ["logs.col.support_session_type", (r) => formatSessionType(r.supportSessionType)],
    ["logs.col.session_code", (r) => r.sessionCode],
    ["logs.col.end_customer_name", (r) => r.endCustomerName],
    ["logs.col.end_customer_email", (r) => r.endCustomerEmail],
    ["logs.col.billing_state", (r) => billingLabel(r.billingState)],
    ["logs.col.fee", (r) => formatFee(r.fee, r.currency)],
    ["logs.col.id", (r) => r.id],
  ];
  const factValues = FACTS.map(() => h("dd"));
  const recordFacts = h(
    "details",
    { id: "record-facts", class: "record-facts" },
    h("summary", { t: "logs.allFields" }),
    h("dl", { class: "facts" }, ...FACTS.flatMap(([label], i) => [h("dt", { t: label }), factValues[i]!])),
  );
  function fillFacts(row: api.LogRow): void {
    FACTS.forEach(([, value], i) => setText(factValues[i]!, value(row) || t("common.none")));
  }
  const saveRecord = h("button", { id: "record-save", class: "primary", t: "common.save", attrs: { type: "submit", "data-needs-api": true } });
  const ticketInDialog = h("button", { id: "record-ticket", t: "logs.ticketLabel", attrs: { type: "button" } });
  const dialog = h(
    "dialog",
    { id: "record-dialog", attrs: { "aria-labelledby": "record-dialog-title" } },
    h(
      "form",
      { attrs: { novalidate: true }, on: { submit: (e) => { e.preventDefault(); void saveEdit(); } } },
      h("h2", { id: "record-dialog-title", t: "logs.editTitle" }),
      recordInfo,
      recordFacts,
      field("logs.notes", notes),
      field("logs.billingState", billing),
      h(
        "div",
        { class: "actions" },
        ticketInDialog,
        h("span", { class: "grow" }),
        h("button", { t: "common.cancel", attrs: { type: "button" }, on: { click: () => dialog.close() } }),
        saveRecord,
      ),
    ),
  );
  let editing: { index: number; row: api.LogRow } | null = null;

  /** Fills the pick list for a record whose billing state is `current` and selects `selected`. */
  function renderBillingStates(current: string, selected = current): void {
    billing.replaceChildren(
      ...billingOptions(current).map((option) =>
        h("option", { text: option.label, attrs: { value: option.value, "data-known": option.known } }),
      ),
    );
    billing.value = selected;
  }

  ticketInDialog.addEventListener("click", () => {
    if (editing) void copyTicket(editing.index);
  });

  /** The editor's heading line; the start as the grid shows it (local or UTC), not the API's RFC 3339. */
  function renderRecordInfo(row: api.LogRow): void {
    const utc = utcTimes.input.checked;
    const date = `${formatDateTime(row.startDate, utc)}${utc ? " UTC" : ""}`;
    setMessage(recordInfo, "logs.editRecord", { date, user: row.username, device: row.devicename });
  }

  function openEditor(index: number): void {
    const row = table.rowAt(index);
    if (!row) return;
    editing = { index, row };
    notes.value = row.notes;
    renderBillingStates(row.billingState);
    renderRecordInfo(row);
    fillFacts(row);
    dialog.showModal();
    notes.focus();
  }

  dialog.addEventListener("close", () => {
    editing = null;
    gridEl.focus();
  });

  async function saveEdit(): Promise<void> {
    const target = editing;
    if (!target) return;
    try {
      const row = await busy(saveRecord, () => api.updateLogRecord(target.row.id, notes.value, billing.value));
      table.updateRow(target.index, { ...row, index: target.index });
      dialog.close();
      announce("logs.saved");
      // The edit may move the record out of (or within) the current filter/sort.
      if (isFiltered()) await applyView(true);
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  // ---- layout -------------------------------------------------------------------------------
  // Signed out with an archive (the sandbox's sign-in does not outlive a restart; a revoked
  // token): the archive on this computer is still there to read.
  const signedOutNote = h("p", { id: "logs-signed-out", class: "panel-note", t: "logs.signedOutArchive", hidden: true, attrs: { role: "note" } });
  const el = h(
    "section",
    { id: "panel-logs", class: "panel logs", hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-logs" } },
    signedOutNote,
    syncBar.el,
    queryForm,
    progressBar,
    incomplete,
    h(
      "div",
      { class: "toolbar log-toolbar" },
      h("label", { class: "sr-only", t: "logs.filter", attrs: { for: "log-filter" } }),
      filterInput,
      clearButton,
      utcTimes.wrap,
      columnMenu,
      h("span", { class: "grow" }),
      h(
        "div",
        { class: "totals", attrs: { "aria-live": "polite" } },
        h("span", { class: "total" }, h("span", { class: "total-label", t: "logs.records" }), countEl, ofTotal),
        h("span", { class: "total" }, h("span", { class: "total-label", t: "logs.totalDuration" }), durationEl),
      ),
    ),
    columnFilters,
    filterHint,
    h("div", { class: "table-area" }, scroller, emptyMessage),
    exportWarn,
    h(
      "div",
      { class: "toolbar export-bar" },
      h("span", { class: "grow" }),
      field("logs.format", format, undefined, "field inline"),
      delimiterField,
      bom.wrap,
      exportButton,
    ),
    dialog,
  );

  exportDefaults();
  renderFormat();
  renderTotals();
  onLanguageChange(() => {
    // Dates are shown in the new language's format: a filter on them is read in it too.
    if (view.columns.some((c) => c.column === "start_date")) void applyView(true);
    renderTotals();
    renderStartLabel();
    renderProgress();
    renderIncomplete();
    if (editing) {
      renderBillingStates(editing.row.billingState, billing.value);
      renderRecordInfo(editing.row);
    }
    // Rows scrolled out of the window are detached from the document; translate them too.
    for (const tr of table.rowElements()) translateTree(tr);
  });
  // The archived period at once, offline too; a load started meanwhile wins.
  const showArchived = () => load("archived");
  void showArchived();

  // ---- opened from the Insight tab ----------------------------------------------------------
  // A click on a day, week, supporter, group or customer there: that period as custom days, the
  // supporter or group as the query's filter (a group the picker does not list yet is added), a
  // customer key as the search (it is an e-mail, name, device name or id: all searched columns).
  // A load under way finishes first; the newest request is applied after it.
  let openRequest: LogFilterRequest | null = null;
  function openFiltered(request: LogFilterRequest): void {
    openRequest = request;
    if (loading) return;
    openRequest = null;
    const first = parseDateInput(request.firstDay);
    const last = parseDateInput(request.lastDay);
    if (!first || !last) return;
    preset.value = "custom";
    syncCustom();
    from.fill(first);
    to.fill(last);
    user.value = request.userId ?? "";
    if (request.groupId && ![...group.options].some((o) => o.value === request.groupId)) {
      group.append(h("option", { text: request.groupName || request.groupId, attrs: { value: request.groupId } }));
    }
    group.value = request.groupId ?? "";
    device.value = "";
    code.value = "";
    type.value = "";
    for (const input of columnInputs.values()) input.value = "";
    // Without an id, the name is what the records carry: searched for instead.
    filterInput.value = request.customer ?? (!request.userId && request.userName ? request.userName : "");
    if (!request.groupId && request.groupName && !filterInput.value) filterInput.value = request.groupName;
    readFilters();
    void load();
  }
  store.onOpenLog(openFiltered);

  // With an archive, Load reads it and a record edit is kept as pending while TeamViewer cannot
  // be reached: neither needs the API then (offline.ts disables only what carries the mark).
  const markNeedsApi = (state: LiveState) => {
    loadButton.toggleAttribute(NEEDS_API, !archiveHasHistory(state));
    saveRecord.toggleAttribute(NEEDS_API, !archiveIsOpen(state));
  };
  store.subscribe((state, previous) => {
    if (state.archiveSync !== previous.archiveSync) markNeedsApi(state);
  });
  markNeedsApi(store.get());

  return {
    el,
    focusFilter() {
      filterInput.focus();
      filterInput.select();
    },
    exportCsv: () => void exportCsv(),
    setSignedIn(signedIn: boolean) {
      show(signedOutNote, !signedIn);
      // Syncing asks TeamViewer: not without a sign-in (the note says so).
      syncBar.setSignedIn(signedIn);
    },
    refreshRows() {
      if (totals.totalRecords > 0) void applyView(true);
    },
    onSignedOut() {
      epoch++;
      queued = null;
      show(incomplete, false);
      showTotals({ count: 0, totalRecords: 0, durationSeconds: 0 }, false);
      // The archive on this computer stays readable signed out (main.ts keeps the tab).
      if (archiveHasHistory(store.get())) void showArchived();
    },
    setGroups(groups: api.Group[]) {
      const selected = group.value;
      group.replaceChildren(
        h("option", { t: "logs.anyGroup", attrs: { value: "" } }),
        ...groups.map((g) => h("option", { text: g.name, attrs: { value: g.id } })),
      );
      group.value = groups.some((g) => g.id === selected) ? selected : "";
    },
  };
}
