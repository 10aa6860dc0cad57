// The Billing tab: the unbilled cases of a period per customer (from the core's worklist in the
// store), with totals per customer and currency; select cases (a customer's box selects all of
// its cases) → Mark billed, with progress, the failures listed and a Retry; manual merge and
// split; invoice lines of the period as CSV or XLSX; the connections not billed (free, not
// billable, running) behind a disclosure; an empty state that says why it is empty.
import * as api from "../api";
import { BILLING_PERIODS, customPeriod, lastDay, monthPeriod, type BillingPeriod } from "../billing-period";
import type { AppContext, View } from "../context";
import { formatDay } from "../dates";
import { busy, field, h, options, setText, show } from "../dom";
import { formatCount, formatDateTime, formatDuration, formatTime, intlLocale } from "../format";
import { errorText, onLanguageChange, plural, t, type MsgKey } from "../i18n";
import { formatMoney, formatTotals } from "../money";
import { announce, showError } from "../notify";
import type { LiveState, Store } from "../store";
import { dateField } from "./date-field";

export interface BillingView extends View {
  /** The tab became visible: the first time, the default period (last month) is opened. */
  activate(): void;
}

const PERIOD_LABELS: Record<BillingPeriod, MsgKey> = {
  lastMonth: "billing.periodLastMonth",
  thisMonth: "billing.periodThisMonth",
  custom: "billing.periodCustom",
};

/** Whether two instants fall on the same local day (the end then shows its time only). */
function sameDay(a: string, b: string): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

export function createBillingView(ctx: AppContext, store: Store, now: () => Date = () => new Date()): BillingView {
  // ---- toolbar: period -------------------------------------------------------------------
  const periodSelect = h("select", { id: "billing-period" }, ...options(BILLING_PERIODS.map((p) => [p, PERIOD_LABELS[p]] as const)));
  const fromField = dateField("billing-from", "billing.from", "field inline");
  const toField = dateField("billing-to", "billing.to", "field inline");
  const custom = h("div", { class: "billing-custom", hidden: true }, fromField.el, toField.el);
  const periodError = h("p", { id: "billing-period-error", class: "field-error", t: "billing.periodOrder", hidden: true, attrs: { role: "alert" } });
  const showButton = h("button", { id: "billing-show", t: "billing.show", attrs: { type: "button" } });
  const periodShown = h("span", { id: "billing-period-shown", class: "hint" });

  // ---- toolbar: export -------------------------------------------------------------------
  const exportCustomer = h("select", { id: "billing-export-customer" });
  const exportCsv = h("button", { id: "billing-export-csv", t: "billing.exportCsv", attrs: { type: "button" } });
  const exportXlsx = h("button", { id: "billing-export-xlsx", t: "billing.exportXlsx", attrs: { type: "button" } });
  const exportBox = h(
    "fieldset",
    { id: "billing-export", class: "plain billing-export" },
    h("legend", { t: "billing.export" }),
    field("billing.exportCustomer", exportCustomer, undefined, "field inline"),
    exportCsv,
    exportXlsx,
    h("p", { class: "hint", t: "billing.exportHint" }),
  );

  // ---- notices ---------------------------------------------------------------------------
  const openRates = h("button", { class: "small", t: "billing.openRates", attrs: { type: "button" }, on: { click: () => ctx.showTab("settings") } });
  const ratesProblem = h("div", { id: "billing-rates-problem", class: "banner banner-warn", hidden: true, attrs: { role: "note" } }, h("span", { t: "billing.ratesProblem" }), " ", openRates);
  const droppedNote = h("p", { id: "billing-dropped", class: "notice", hidden: true, attrs: { role: "status" } });
  const summary = h("p", { id: "billing-summary", class: "billing-summary" });

  // ---- selection and actions -------------------------------------------------------------
  const selectAll = h("input", { id: "billing-select-all", attrs: { type: "checkbox" } });
  const selectAllLabel = h("label", { class: "check", attrs: { for: "billing-select-all" } }, selectAll, h("span", { t: "billing.selectAll" }));
  const selectedText = h("span", { id: "billing-selected", class: "hint" });
  const markButton = h("button", { id: "billing-mark", class: "primary", t: "billing.markBilled", tAttrs: { title: "billing.markBilledHint" }, attrs: { type: "button", "data-needs-api": true } });
  const mergeButton = h("button", { id: "billing-merge", t: "billing.merge", tAttrs: { title: "billing.mergeHint" }, attrs: { type: "button" } });
  const filter = h("input", { id: "billing-filter", class: "billing-filter", tAttrs: { placeholder: "billing.filter", "aria-label": "billing.filter" }, attrs: { type: "search", autocomplete: "off", spellcheck: false } });
  const actions = h("div", { id: "billing-actions", class: "toolbar billing-actions" }, selectAllLabel, selectedText, h("span", { class: "grow" }), mergeButton, markButton);
  const progressText = h("span", { id: "billing-progress-text", attrs: { role: "status", "aria-live": "polite" } });
  const cancelMark = h("button", { id: "billing-cancel-mark", class: "small", t: "billing.cancelMark", attrs: { type: "button" } });
  const progress = h("div", { id: "billing-progress", class: "hint billing-progress", hidden: true }, progressText, cancelMark);
  const failureText = h("p", { id: "billing-failure-text" });
  const failureList = h("ul", { id: "billing-failure-list", class: "billing-failures" });
  const retryButton = h("button", { id: "billing-retry", class: "primary", t: "billing.retry", attrs: { type: "button", "data-needs-api": true } });
  const failures = h("div", { id: "billing-failures", class: "banner banner-error billing-failure-box", hidden: true, attrs: { role: "alert" } }, failureText, failureList, h("div", { class: "actions" }, retryButton));

  // ---- table and empty state -------------------------------------------------------------
  const head = h(
    "thead",
    {},
    h(
      "tr",
      {},
      h("th", { class: "sel" }, h("span", { class: "sr-only", t: "billing.col.select" })),
      h("th", { t: "billing.col.time" }),
      h("th", { class: "num", t: "billing.col.connections" }),
      h("th", { class: "num", t: "billing.col.minutes" }),
      h("th", { t: "billing.col.rate" }),
      h("th", { class: "num", t: "billing.col.amount" }),
      h("th", { class: "row-actions" }, h("span", { class: "sr-only", t: "billing.col.actions" })),
    ),
  );
  const table = h("table", { id: "billing-table", class: "data billing-table" }, head);
  const tableWrap = h("div", { class: "table-wrap" }, table);
  const emptyText = h("p", { id: "billing-empty", class: "empty", hidden: true });
  const totalsLine = h("p", { id: "billing-totals", class: "billing-totals", hidden: true });

  const excludedSummary = h("summary", { id: "billing-excluded-summary" });
  const excludedBody = h("tbody");
  const excluded = h(
    "details",
    { id: "billing-excluded", class: "billing-excluded", hidden: true },
    excludedSummary,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { class: "data" },
        h("thead", {}, h("tr", {}, h("th", { t: "billing.col.customer" }), h("th", { t: "billing.col.start" }), h("th", { class: "num", t: "billing.col.duration" }), h("th", { t: "billing.col.reason" }))),
        excludedBody,
      ),
    ),
  );

  const el = h(
    "section",
    { id: "panel-billing", class: "panel billing-panel", hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-billing" } },
    h(
      "div",
      { class: "card" },
      h("h2", { t: "billing.title" }),
      h("div", { class: "toolbar filters billing-period" }, field("billing.period", periodSelect, undefined, "field inline"), custom, showButton, periodShown, h("span", { class: "grow" }), filter),
      periodError,
      ratesProblem,
      droppedNote,
      summary,
      actions,
      progress,
      failures,
      tableWrap,
      emptyText,
      totalsLine,
      excluded,
      exportBox,
    ),
  );

  // ---- state -----------------------------------------------------------------------------
  /** Case keys selected (a case's first connection id). */
  const selected = new Set<string>();
  /** The case whose split choices are open. */
  let splitOpen: string | null = null;
  let activated = false;
  let marking = false;
  let lastFailures: api.MarkBilledFailure[] = [];
  let lastMarked = 0;

  const worklist = () => store.get().billing;
  const casesOf = (w: api.BillingWorklist | null) => (w ? w.customers.flatMap((c) => c.cases) : []);

  // ---- period ----------------------------------------------------------------------------
  function periodFromControls(): { from: string; to: string } | null {
    const p = periodSelect.value as BillingPeriod;
    if (p === "lastMonth") return monthPeriod(now(), -1);
    if (p === "thisMonth") return monthPeriod(now(), 0);
    const from = fromField.read();
    const to = toField.read();
    if (!from || !to) return null;
    const period = customPeriod(from, to);
    show(periodError, period === null);
    return period;
  }

  async function openPeriod(): Promise<void> {
    const period = periodFromControls();
    if (!period) return;
    show(periodError, false);
    setText(periodShown, t("billing.loading"));
    try {
      const list = await busy(showButton, () => api.billingWorklist(period.from, period.to));
      store.apply({ type: "billing_worklist", worklist: list });
    } catch (error) {
      showError(api.toIpcError(error));
      render(store.get());
    }
  }

  periodSelect.addEventListener("change", () => {
    const isCustom = periodSelect.value === "custom";
    show(custom, isCustom);
    if (isCustom) {
      // Start from the period shown, so the supporter edits rather than types both days.
      const w = worklist();
      if (w) {
        fromField.fill(new Date(w.from));
        toField.fill(lastDay(w.to));
      }
      fromField.input.focus();
    } else {
      void openPeriod();
    }
  });
  showButton.addEventListener("click", () => void openPeriod());

  // ---- selection -------------------------------------------------------------------------
  function setSelected(keys: string[], on: boolean): void {
    for (const k of keys) {
      if (on) selected.add(k);
      else selected.delete(k);
    }
    renderSelection();
  }

  /** The boxes of the table built last, so that a selection change touches only them. */
  let caseBoxes = new Map<string, { box: HTMLInputElement; row: HTMLTableRowElement }>();
  let customerBoxes: { box: HTMLInputElement; keys: string[] }[] = [];
  /** The customers the filter lets through (a word of the customer key, any case). */
  const shownCustomers = (w: api.BillingWorklist | null): api.WorklistCustomer[] => {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return (w?.customers ?? []).filter((c) => words.every((word) => c.customer.toLowerCase().includes(word)));
  };
  // "Select all" selects what is shown: a filtered list never selects hidden cases.
  selectAll.addEventListener("change", () => setSelected(shownCustomers(worklist()).flatMap((c) => c.cases.map((k) => k.key)), selectAll.checked));
  filter.addEventListener("input", () => {
    // Hidden cases leave the selection: Mark billed acts only on what the supporter sees.
    const shown = new Set(shownCustomers(worklist()).flatMap((c) => c.cases.map((k) => k.key)));
    for (const k of [...selected]) if (!shown.has(k)) selected.delete(k);
    render(store.get());
  });

  function selectedCases(): api.WorklistCase[] {
    return casesOf(worklist()).filter((c) => selected.has(c.key));
  }

  // ---- mark billed -----------------------------------------------------------------------
  async function mark(ids: string[]): Promise<void> {
    if (!ids.length || marking) return;
    marking = true;
    lastFailures = [];
    showProgress({ done: 0, total: ids.length, failed: 0 });
    render(store.get());
    try {
      const result = await api.markBilled(ids);
      lastFailures = result.failed;
      lastMarked = result.marked.length;
      if (!result.failed.length) {
        announce(plural("billing.markedAll", result.marked.length), { count: formatCount(result.marked.length) });
      }
      // Marked cases leave the list with the next worklist; a failed one stays selected.
      const failedIds = new Set(result.failed.map((f) => f.id));
      for (const c of casesOf(worklist())) {
        if (!c.unbilledIds.some((id) => failedIds.has(id))) selected.delete(c.key);
      }
    } catch (error) {
      showError(api.toIpcError(error));
    } finally {
      marking = false;
      show(progress, false);
      render(store.get());
    }
  }

  function showProgress(p: api.MarkBilledProgress): void {
    setText(progressText, t("billing.marking", { done: formatCount(p.done), total: formatCount(p.total) }));
    show(progress, true);
  }
  // Stops after the connection being sent; what was not sent is listed with a Retry.
  cancelMark.addEventListener("click", () => void api.cancelMarkBilled().catch((error: unknown) => showError(api.toIpcError(error))));
  void api.onBillingMarkProgress((p) => {
    if (marking) showProgress(p);
  }).catch(() => undefined);

  markButton.addEventListener("click", () => void mark(selectedCases().flatMap((c) => c.unbilledIds)));
  retryButton.addEventListener("click", () => void mark(lastFailures.map((f) => f.id)));

  // ---- merge, split, undo ----------------------------------------------------------------
  async function change(task: () => Promise<api.BillingWorklist | null>, button: HTMLButtonElement): Promise<void> {
    try {
      const list = await busy(button, task);
      if (list) store.apply({ type: "billing_worklist", worklist: list });
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  mergeButton.addEventListener("click", () => {
    const cases = selectedCases();
    const first = cases[0];
    if (!first || cases.length < 2 || cases.some((c) => c.customer !== first.customer)) return;
    void change(async () => {
      let list: api.BillingWorklist | null = null;
      for (const other of cases.slice(1)) {
        list = await api.changeBillingCases({ op: "merge", first: first.key, second: other.key });
      }
      selected.clear();
      selected.add(first.key);
      return list;
    }, mergeButton);
  });

  // ---- rendering -------------------------------------------------------------------------
  function caseRow(c: api.WorklistCase): HTMLTableRowElement[] {
    const box = h("input", { attrs: { type: "checkbox", "aria-label": t("billing.selectCase", { start: formatDateTime(c.start) }) } });
    box.addEventListener("change", () => setSelected([c.key], box.checked));
    const billed = c.connections.filter((x) => x.billed).length;
    const rate = c.baseFee !== "0" && Number(c.baseFee) !== 0
      ? t("billing.rateWithFee", { name: c.rateName, rate: formatMoney(c.hourlyRate, c.currency), fee: formatMoney(c.baseFee, c.currency) })
      : t("billing.rateCell", { name: c.rateName, rate: formatMoney(c.hourlyRate, c.currency) });
    const actionsCell = h("td", { class: "row-actions" });
    if (c.connections.length > 1) {
      const split = h("button", { class: "small billing-split", t: "billing.split", tAttrs: { title: "billing.splitTitle" }, attrs: { type: "button", "aria-expanded": String(splitOpen === c.key) } });
      split.addEventListener("click", () => {
        splitOpen = splitOpen === c.key ? null : c.key;
        render(store.get());
      });
      actionsCell.append(split);
    }
    if (c.manual) {
      const undo = h("button", { class: "small billing-undo", t: "billing.undoManual", tAttrs: { title: "billing.undoManualHint" }, attrs: { type: "button" } });
      undo.addEventListener("click", () => void change(() => api.resetBillingCase(c.key), undo));
      actionsCell.append(undo);
    }
    const startCell = h("td", { class: "when" }, h("span", { class: "nowrap", text: formatDateTime(c.start) }), " – ", h("span", { class: "nowrap", text: sameDay(c.start, c.end) ? formatTime(c.end) : formatDateTime(c.end) }));
    if (c.manual) startCell.append(" ", h("span", { class: "tag", t: "billing.manual" }));
    const connectionsCell = h("td", { class: "num" }, formatCount(c.connections.length));
    if (billed) connectionsCell.append(h("div", { class: "sub", text: t("billing.partlyBilled", { billed: formatCount(billed), total: formatCount(c.connections.length) }) }));
    const row = h(
      "tr",
      { class: "case-row", attrs: { "data-key": c.key } },
      h("td", { class: "sel" }, box),
      startCell,
      connectionsCell,
      h("td", { class: "num" }, formatCount(c.billableMinutes)),
      h("td", { class: "rate" }, rate),
      h("td", { class: "num nowrap amount" }, formatMoney(c.amount, c.currency)),
      actionsCell,
    );
    caseBoxes.set(c.key, { box, row });
    if (splitOpen !== c.key) return [row];
    const choices = h("div", { class: "billing-split-choices" });
    for (const conn of c.connections.slice(1)) {
      const b = h("button", { class: "small", text: t("billing.splitHere", { time: formatTime(conn.start) }), attrs: { type: "button", "data-before": conn.id } });
      b.addEventListener("click", () => {
        splitOpen = null;
        void change(() => api.changeBillingCases({ op: "split", before: conn.id }), b);
      });
      choices.append(b);
    }
    return [row, h("tr", { class: "split-row" }, h("td", {}), h("td", { attrs: { colspan: 6 } }, h("span", { class: "hint", t: "billing.splitTitle" }), choices))];
  }

  function customerBody(customer: api.WorklistCustomer): HTMLTableSectionElement {
    const keys = customer.cases.map((c) => c.key);
    const name = customer.customer || t("billing.noCustomer");
    const box = h("input", { attrs: { type: "checkbox", "aria-label": t("billing.selectCustomer", { customer: name }) } });
    box.addEventListener("change", () => setSelected(keys, box.checked));
    customerBoxes.push({ box, keys });
    const header = h(
      "tr",
      { class: "customer-row" },
      h("th", { class: "sel", attrs: { scope: "row" } }, box),
      h("th", { class: "customer-name", attrs: { colspan: 4, scope: "rowgroup" } }, name, " ", h("span", { class: "sub", text: t(plural("billing.cases", keys.length), { count: formatCount(keys.length) }) })),
      h("th", { class: "num nowrap" }, formatTotals(customer.totals)),
      h("th", {}),
    );
    return h("tbody", { class: "billing-customer", attrs: { "data-customer": customer.customer } }, header, ...customer.cases.flatMap(caseRow));
  }

  function emptyReason(state: LiveState, w: api.BillingWorklist): string | null {
    if (!w.archive) return t("billing.emptyNoArchive");
    if (w.error) return `${t("billing.emptyError")} ${errorText(w.error.kind)} ${w.error.message}`;
    if (w.customers.length) return null;
    if (w.connections === 0) return state.archiveSync && !state.archiveSync.lastSync ? t("billing.emptyNeverSynced") : t("billing.emptyNoConnections");
    if (w.billedCases > 0) return t("billing.emptyAllBilled", { count: formatCount(w.billedCases) });
    if (w.excluded.length) return t("billing.emptyAllExcluded");
    return t("billing.emptyNoConnections");
  }

  function renderExcluded(w: api.BillingWorklist): void {
    show(excluded, w.excluded.length > 0);
    if (!w.excluded.length) return;
    const counts = new Map<string, number>();
    for (const x of w.excluded) counts.set(x.reason, (counts.get(x.reason) ?? 0) + 1);
    const detail = [...counts].map(([reason, n]) => t("billing.reasonCount", { count: formatCount(n), reason: t(`billing.reason.${reason}` as MsgKey) })).join(", ");
    setText(excludedSummary, t(plural("billing.excluded", w.excluded.length), { count: formatCount(w.excluded.length), detail }));
    excludedBody.replaceChildren(
      ...w.excluded.map((x) =>
        h(
          "tr",
          {},
          h("td", { class: "clip", text: x.customer || t("billing.noCustomer") }),
          h("td", { class: "nowrap", text: formatDateTime(x.start) }),
          h("td", { class: "num", text: x.reason === "running" ? t("common.none") : formatDuration(x.seconds) }),
          h("td", { t: `billing.reason.${x.reason}` as MsgKey }),
        ),
      ),
    );
  }

  function renderExport(w: api.BillingWorklist | null): void {
    const previous = exportCustomer.value;
    const customers = w?.periodCustomers ?? [];
    exportCustomer.replaceChildren(
      h("option", { t: "billing.exportAll", attrs: { value: "" } }),
      ...customers.map((c) => h("option", { text: c || t("billing.noCustomer"), attrs: { value: c, "data-customer": c } })),
    );
    exportCustomer.value = customers.includes(previous) ? previous : "";
    const none = customers.length === 0;
    exportCsv.disabled = none;
    exportXlsx.disabled = none;
  }

  async function exportLines(format: api.InvoiceFormat, button: HTMLButtonElement): Promise<void> {
    const customer = exportCustomer.value === "" ? null : exportCustomer.value;
    try {
      const result = await busy(button, () => api.exportInvoice(customer, format));
      if (result) announce(plural("billing.exported", result.rows), { rows: formatCount(result.rows), path: result.path });
      else announce("billing.exportCancelled");
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }
  exportCsv.addEventListener("click", () => void exportLines("csv", exportCsv));
  exportXlsx.addEventListener("click", () => void exportLines("xlsx", exportXlsx));

  /** The boxes, the selected rows, the count and the buttons, from `selected`. */
  function renderSelection(): void {
    for (const [key, { box, row }] of caseBoxes) {
      box.checked = selected.has(key);
      row.setAttribute("aria-selected", String(box.checked));
    }
    for (const { box, keys } of customerBoxes) {
      const n = keys.filter((k) => selected.has(k)).length;
      box.checked = n === keys.length && n > 0;
      box.indeterminate = n > 0 && n < keys.length;
    }
    const cases = shownCustomers(worklist()).flatMap((c) => c.cases);
    const chosen = cases.filter((c) => selected.has(c.key));
    selectAll.checked = cases.length > 0 && chosen.length === cases.length;
    selectAll.indeterminate = chosen.length > 0 && chosen.length < cases.length;
    setText(selectedText, t(plural("billing.selected", chosen.length), { count: formatCount(chosen.length) }));
    // Marking writes to TeamViewer: it needs a sign-in (the worklist itself is the archive's).
    const signedIn = ctx.auth().signedIn;
    markButton.disabled = marking || chosen.length === 0 || !signedIn;
    retryButton.disabled = marking || !signedIn;
    markButton.title = signedIn ? t("billing.markBilledHint") : t("billing.markNeedsSignIn");
    const oneCustomer = chosen.length >= 2 && chosen.every((c) => c.customer === chosen[0]!.customer);
    mergeButton.disabled = marking || !oneCustomer;
    mergeButton.title = oneCustomer ? t("billing.mergeHint") : t("billing.mergeOneCustomer");
  }

  function render(state: LiveState): void {
    const w = state.billing;
    if (!w) {
      show(actions, false);
      show(tableWrap, false);
      show(totalsLine, false);
      show(excluded, false);
      show(ratesProblem, false);
      show(droppedNote, false);
      setText(summary, "");
      renderExport(null);
      return;
    }
    setText(periodShown, t("billing.periodShown", { from: formatDay(new Date(w.from), intlLocale()), to: formatDay(lastDay(w.to), intlLocale()) }));
    show(ratesProblem, w.ratesProblem !== null);
    show(droppedNote, w.dropped.length > 0);
    if (w.dropped.length) setText(droppedNote, t(plural("billing.dropped", w.dropped.length), { count: formatCount(w.dropped.length) }));
    // Forget selections of cases that are gone (marked billed, merged, split).
    const cases = casesOf(w);
    const keys = new Set(cases.map((c) => c.key));
    for (const k of [...selected]) if (!keys.has(k)) selected.delete(k);
    if (splitOpen && !keys.has(splitOpen)) splitOpen = null;

    const reason = emptyReason(state, w);
    show(emptyText, reason !== null);
    setText(emptyText, reason ?? "");
    const has = cases.length > 0;
    show(tableWrap, has);
    show(actions, has);
    show(totalsLine, has);
    const caseCount = cases.length;
    setText(
      summary,
      has
        ? t(plural("billing.summary", caseCount), {
            customers: t(plural("billing.customers", w.customers.length), { count: formatCount(w.customers.length) }),
            cases: formatCount(caseCount),
            amount: formatTotals(w.totals),
          })
        : "",
    );
    caseBoxes = new Map();
    customerBoxes = [];
    table.replaceChildren(head, ...shownCustomers(w).map(customerBody));
    setText(totalsLine, has ? t("billing.totals", { amounts: formatTotals(w.totals) }) : "");
    renderSelection();

    // Failures of the last run: listed with their customer until a Retry succeeds.
    const stillUnbilled = new Set(cases.flatMap((c) => c.unbilledIds));
    lastFailures = lastFailures.filter((f) => stillUnbilled.has(f.id));
    show(failures, lastFailures.length > 0 && !marking);
    if (lastFailures.length) {
      const failedText = t(plural("billing.markFailed", lastFailures.length), { failed: formatCount(lastFailures.length) });
      setText(failureText, lastMarked ? `${failedText} ${t(plural("billing.markedToo", lastMarked), { count: formatCount(lastMarked) })}` : failedText);
      failureList.replaceChildren(
        ...lastFailures.map((f) =>
          h("li", { text: t("billing.failure", { customer: f.customer || t("billing.noCustomer"), id: f.id, error: `${errorText(f.error.kind)} ${f.error.message}` }) }),
        ),
      );
    }
    renderExcluded(w);
    renderExport(w);
  }

  store.subscribe((state, previous) => {
    if (state.billing !== previous.billing || state.archiveSync?.lastSync !== previous.archiveSync?.lastSync) render(state);
  });
  void api.onBillingWorklist((list) => store.apply({ type: "billing_worklist", worklist: list })).catch(() => undefined);
  onLanguageChange(() => render(store.get()));
  render(store.get());

  return {
    el,
    onSignedIn: renderSelection,
    onSignedOut: renderSelection,
    activate() {
      if (activated) return;
      activated = true;
      void openPeriod();
    },
  };
}
