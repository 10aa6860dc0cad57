// Insight tab (issue 10 item 5): the period's figures from the archive — connections and hours
// per day or week, per supporter, per group, top customers, billed vs unbilled, the duration
// distribution and average. Rendered from the one store (`insight` events); the period is asked
// for in the background after launch (`prefetch`), so opening the tab only paints.
//
// Charts: uPlot (canvas; docs/insight.md says why) for the time series and the distribution;
// the ranked lists (names of any length) are bars drawn with plain elements. Every chart has a
// real <table> alternative in a <details>, and a click on a bar, row or table entry opens the
// connection log filtered to that day/week, supporter, group or customer.
import type uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { loadUplot } from "../uplot-loader";
import * as api from "../api";
import type { View } from "../context";
import { presetRange, toDateInput, toRfc3339 } from "../dates";
import { field, h, options, setMessage, setText, show } from "../dom";
import { formatCount, formatDuration, formatFee, intlLocale } from "../format";
import { errorText, onLanguageChange, plural, t, type MsgKey } from "../i18n";
import { showError } from "../notify";
import type { LiveState, LogFilterRequest, Store } from "../store";
import { archiveHasHistory } from "./archive-bar";
import { dateField } from "./date-field";

export const INSIGHT_PRESETS = ["7", "30", "90", "thisMonth", "lastMonth", "custom"] as const;
export type InsightPreset = (typeof INSIGHT_PRESETS)[number];

/** A User Timing mark set when the tab's charts have been drawn (bench/app-bench.mjs, `insight`). */
export const CHARTS_PAINTED_MARK = "sdesk:insight-painted";
/** A User Timing mark set when the store receives computed figures (the benchmark waits for it). */
export const FIGURES_READY_MARK = "sdesk:insight-ready";

/**
 * The period of a preset at `now`: local midnights as RFC 3339 instants; `to` null = up to now.
 * "This month" runs up to now (its days after today would be empty bars).
 */
export function insightRange(
  preset: InsightPreset,
  now: Date,
  custom: { from: string; to: string } = { from: "", to: "" },
): { ok: true; period: api.InsightPeriod } | { ok: false; error: MsgKey } {
  if (preset === "thisMonth") {
    return { ok: true, period: { from: toRfc3339(new Date(now.getFullYear(), now.getMonth(), 1)), to: null } };
  }
  if (preset === "lastMonth") {
    const from = new Date(now.getFullYear(), now.getMonth() - 1, 1);
    const to = new Date(now.getFullYear(), now.getMonth(), 1);
    return { ok: true, period: { from: toRfc3339(from), to: toRfc3339(to) } };
  }
  const range = presetRange(preset, now, custom);
  if (!range.ok) return range;
  return { ok: true, period: { from: range.range.from ?? toRfc3339(now), to: range.range.to } };
}

/** An axis value: whole numbers with the language's grouping, else one decimal. */
function formatAxis(v: number): string {
  return Number.isInteger(v) ? formatCount(v) : new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 1 }).format(v);
}

/** Hours with one decimal in the app's language (`12.5 h`, `12,5 h`). */
export function formatHours(seconds: number): string {
  const n = new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return t("insight.hoursValue", { h: n.format(seconds / 3600) });
}

/** The label of a duration bucket (`< 5 min`, `5–15 min`, `1–2 h`, `≥ 2 h`). */
export function bucketLabel(b: api.Dashboard["durations"][number]): string {
  const unit = (s: number) => (s % 3600 === 0 && s > 0 ? { v: s / 3600, h: true } : { v: s / 60, h: false });
  if (b.minSeconds === 0 && b.maxSeconds !== null) return t("insight.bucketUnder", { max: unitText(unit(b.maxSeconds)) });
  if (b.maxSeconds === null) return t("insight.bucketOver", { min: unitText(unit(b.minSeconds)) });
  const lo = unit(b.minSeconds);
  const hi = unit(b.maxSeconds);
  return lo.h === hi.h ? t(hi.h ? "insight.bucketHours" : "insight.bucketMinutes", { min: lo.v, max: hi.v }) : `${unitText(lo)}–${unitText(hi)}`;
}
const unitText = (u: { v: number; h: boolean }) => t(u.h ? "insight.hoursShort" : "insight.minutesShort", { n: u.v });

/** A bucket's bounds in minutes, as the distribution's axis shows them (`<5`, `5–15`, `≥120`). */
export function bucketTick(b: api.Dashboard["durations"][number]): string {
  const m = (s: number) => formatCount(s / 60);
  if (b.minSeconds === 0 && b.maxSeconds !== null) return `<${m(b.maxSeconds)}`;
  if (b.maxSeconds === null) return `≥${m(b.minSeconds)}`;
  return `${m(b.minSeconds)}–${m(b.maxSeconds)}`;
}

/** A day or week key as the axis shows it (`01/12`, `01.12.`; `W49`, `KW 49`). */
function periodLabel(p: api.PeriodTotal, week: boolean): string {
  if (week) return t("insight.weekShort", { week: Number(p.key.slice(-2)) });
  const [y, m, d] = p.firstDay.split("-").map(Number);
  return new Intl.DateTimeFormat(intlLocale(), { day: "2-digit", month: "2-digit" }).format(new Date(y!, m! - 1, d!));
}

/** A day as the app writes it (`01/12/2026`, `01.12.2026`). */
function dayText(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(intlLocale(), { day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date(y!, m! - 1, d!));
}

function periodText(p: api.PeriodTotal, week: boolean): string {
  if (!week) return dayText(p.firstDay);
  return t("insight.weekRange", { week: Number(p.key.slice(-2)), from: dayText(p.firstDay), to: dayText(p.lastDay) });
}

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";

export interface InsightView extends View {
  /** Asks for the remembered period's figures in the background (after launch). */
  prefetch(): void;
  /** The tab became visible (paint what the store has) or hidden. */
  setShown(shown: boolean): void;
}

export function createInsightView(store: Store): InsightView {
  // ---- period ------------------------------------------------------------------------------
  const PRESET_KEY = "sdesk.insight.preset";
  const BUCKET_KEY = "sdesk.insight.bucket";
  const preset = h(
    "select",
    { id: "insight-preset" },
    ...options(INSIGHT_PRESETS.map((p) => [p, `insight.preset.${p}` as MsgKey] as const)),
  );
  const remembered = localStorage.getItem(PRESET_KEY);
  preset.value = remembered && remembered !== "custom" && (INSIGHT_PRESETS as readonly string[]).includes(remembered) ? remembered : "30";
  const from = dateField("insight-from", "logs.from", "field custom-range");
  const to = dateField("insight-to", "logs.to", "field custom-range");
  const showButton = h("button", { id: "insight-show", class: "primary", t: "insight.show", attrs: { type: "submit" } });
  const periodError = h("p", { id: "insight-period-error", class: "field-error", hidden: true, attrs: { role: "alert" } });
  const perDay = h("input", { id: "insight-per-day", attrs: { type: "radio", name: "insight-bucket", value: "day" } });
  const perWeek = h("input", { id: "insight-per-week", attrs: { type: "radio", name: "insight-bucket", value: "week" } });
  let week = localStorage.getItem(BUCKET_KEY) === "week";
  perDay.checked = !week;
  perWeek.checked = week;
  const bucketPicker = h(
    "fieldset",
    { class: "plain insight-bucket" },
    h("legend", { t: "insight.bucket" }),
    h("label", { class: "check", attrs: { for: "insight-per-day" } }, perDay, h("span", { t: "insight.perDay" })),
    h("label", { class: "check", attrs: { for: "insight-per-week" } }, perWeek, h("span", { t: "insight.perWeek" })),
  );
  const syncCustom = () => {
    const custom = preset.value === "custom";
    show(from.el, custom);
    show(to.el, custom);
    show(showButton.parentElement as HTMLElement, custom);
  };
  const form = h(
    "form",
    {
      id: "insight-period",
      class: "query insight-query",
      attrs: { novalidate: true },
      tAttrs: { "aria-label": "insight.period" },
      on: { submit: (e) => { e.preventDefault(); ask(true); } },
    },
    field("insight.period", preset),
    from.el,
    to.el,
    h("div", { class: "field field-button" }, showButton),
    bucketPicker,
    periodError,
  );
  preset.addEventListener("change", () => {
    if (preset.value !== "custom") localStorage.setItem(PRESET_KEY, preset.value);
    syncCustom();
    if (preset.value === "custom") {
      if (!from.input.value.trim()) from.fill(new Date(Date.now() - 29 * 86_400_000));
      if (!to.input.value.trim()) to.fill(new Date());
      from.input.focus();
    } else ask(false);
  });
  const onBucket = () => {
    week = perWeek.checked;
    localStorage.setItem(BUCKET_KEY, week ? "week" : "day");
    render();
  };
  perDay.addEventListener("change", onBucket);
  perWeek.addEventListener("change", onBucket);

  /** Asks the core for the form's period (its answer arrives through the store). */
  function ask(focus: boolean): void {
    const custom = preset.value === "custom" ? { from: from.read(), to: to.read() } : { from: "", to: "" };
    if (custom.from === null || custom.to === null) {
      show(periodError, false);
      if (focus) (custom.from === null ? from : to).input.focus();
      return;
    }
    const range = insightRange(preset.value as InsightPreset, new Date(), { from: custom.from, to: custom.to });
    setText(periodError, range.ok ? "" : t(range.error));
    show(periodError, !range.ok);
    if (!range.ok) return;
    api.insight(range.period).catch((error: unknown) => {
      const e = api.toIpcError(error);
      if (e.kind === "invalid_input") {
        setText(periodError, `${errorText(e.kind)} ${e.message}`);
        show(periodError, true);
      } else showError(e);
    });
  }

  // ---- summary ------------------------------------------------------------------------------
  const status = h("p", { id: "insight-status", class: "insight-status", attrs: { role: "status" } });
  const empty = h("div", { id: "insight-empty", class: "card insight-empty", hidden: true }, h("p", { class: "empty" }));
  const figure = (id: string, label: MsgKey) => {
    const value = h("dd", { id });
    return { value, el: h("div", { class: "figure" }, h("dt", { t: label }), value) };
  };
  const fConnections = figure("insight-connections", "insight.connections");
  const fHours = figure("insight-hours", "insight.hours");
  const fAverage = figure("insight-average", "insight.average");
  const fBilled = figure("insight-billed", "insight.billed");
  const fUnbilled = figure("insight-unbilled", "insight.unbilled");
  const summary = h("dl", { id: "insight-summary", class: "insight-summary" }, fConnections.el, fHours.el, fAverage.el, fBilled.el, fUnbilled.el);

  // ---- cards ------------------------------------------------------------------------------
  interface Card {
    el: HTMLElement;
    body: HTMLElement;
    table: HTMLTableElement;
  }
  function card(id: string, title: MsgKey): Card {
    const body = h("div", { class: "chart-body" });
    const table = h("table", { class: "insight-table" });
    const details = h(
      "details",
      { class: "table-alt" },
      h("summary", { t: "insight.asTable" }),
      h("div", { class: "table-alt-scroll" }, table),
    );
    const el = h("section", { id, class: "card insight-card", attrs: { "aria-labelledby": `${id}-title` } }, h("h2", { id: `${id}-title`, t: title }), body, details);
    return { el, body, table };
  }
  const timeCard = card("insight-time", "insight.chartTime");
  const durationCard = card("insight-durations", "insight.chartDurations");
  const userCard = card("insight-users", "insight.chartUsers");
  const groupCard = card("insight-groups", "insight.chartGroups");
  const customerCard = card("insight-customers", "insight.chartCustomers");
  const amountCard = card("insight-amounts", "insight.chartAmounts");
  const grid = h("div", { id: "insight-charts", class: "insight-grid" }, timeCard.el, durationCard.el, userCard.el, groupCard.el, customerCard.el, amountCard.el);

  const el = h(
    "section",
    { id: "panel-insight", class: "panel insight", hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-insight" } },
    form,
    status,
    empty,
    summary,
    grid,
  );

  // ---- tables -----------------------------------------------------------------------------
  /** A table with a caption, a header row and rows whose first cell may open the log. */
  function fillTable(
    table: HTMLTableElement,
    caption: string,
    head: MsgKey[],
    rows: { label: string; cells: string[]; open?: LogFilterRequest }[],
  ): void {
    table.replaceChildren(
      h("caption", { class: "sr-only", text: caption }),
      h("thead", {}, h("tr", {}, ...head.map((k, i) => h("th", { t: k, class: i ? "num" : undefined, attrs: { scope: "col" } })))),
      h(
        "tbody",
        {},
        ...rows.map((r) =>
          h(
            "tr",
            {},
            h(
              "th",
              { attrs: { scope: "row" } },
              r.open
                ? h("button", { class: "link", text: r.label, attrs: { type: "button", title: t("insight.openLog") }, on: { click: () => openLog(r.open!) } })
                : r.label,
            ),
            ...r.cells.map((c) => h("td", { class: "num", text: c })),
          ),
        ),
      ),
    );
  }

  /** Horizontal bars of a ranked list: one button per entry (opens the log), value after it. */
  function fillBars(body: HTMLElement, listId: string, rows: { label: string; value: number; text: string; open?: LogFilterRequest }[]): void {
    const max = Math.max(1, ...rows.map((r) => r.value));
    const list = h(
      "ol",
      { id: listId, class: "bars" },
      ...rows.map((r) => {
        const bar = h("span", { class: "bar", attrs: { "aria-hidden": "true" } });
        bar.style.width = `${Math.max(0.5, (r.value / max) * 100)}%`;
        const label = h("span", { class: "bar-label", text: r.label, attrs: { title: r.label } });
        const value = h("span", { class: "bar-value", text: r.text });
        const inner = [label, h("span", { class: "bar-track" }, bar), value];
        return h(
          "li",
          {},
          r.open
            ? h("button", { class: "bar-row", attrs: { type: "button", title: t("insight.openLog") }, on: { click: () => openLog(r.open!) } }, ...inner)
            : h("div", { class: "bar-row" }, ...inner),
        );
      }),
    );
    body.replaceChildren(list);
  }

  // ---- click-through ------------------------------------------------------------------------
  function openLog(request: LogFilterRequest): void {
    store.openLog(request);
  }
  const periodDays = (d: api.Dashboard) => {
    const first = toDateInput(new Date(d.from));
    const last = toDateInput(new Date(new Date(d.to).getTime() - 1));
    return { firstDay: first, lastDay: last < first ? first : last };
  };

  // ---- charts (uPlot) ------------------------------------------------------------------------
  let timePlot: uPlot | null = null;
  let durationPlot: uPlot | null = null;
  /** uPlot once loaded (see uplot-loader.ts); null until then. */
  let UPlot: typeof uPlot | null = null;

  /**
   * The width a chart gets: its card's content box; while the tab is hidden (the charts are
   * drawn in the background as soon as the figures arrive), the same from the main area's width
   * and the grid's rules in style.css (padding 20, gap 16, two columns above 980 px, card
   * padding 14 and border 1). Opening the tab corrects a wrong guess with one setSize.
   */
  function chartWidth(body: HTMLElement): number {
    if (body.clientWidth > 0) return Math.floor(body.clientWidth);
    const main = (el.parentElement?.clientWidth ?? 1100) - 40;
    const column = window.innerWidth > 980 ? (main - 16) / 2 : main;
    return Math.max(240, Math.floor(column - 30));
  }

  /** After the tab is shown: the charts' sizes and pointer areas from the real layout. */
  function fitCharts(): void {
    for (const [plot, body] of [[timePlot, timeCard.body], [durationPlot, durationCard.body]] as const) {
      if (!plot) continue;
      const w = chartWidth(body);
      if (Math.abs(plot.width - w) > 1) plot.setSize({ width: w, height: 220 });
      plot.syncRect(true);
    }
  }

  function axisStyle(): Partial<uPlot.Axis> {
    return {
      stroke: cssVar("--muted"),
      grid: { stroke: cssVar("--line"), width: 1 },
      ticks: { stroke: cssVar("--line"), width: 1 },
      font: `11px ${cssVar("--font") || "sans-serif"}`,
    };
  }

  function drawTime(d: api.Dashboard): void {
    const periods = week ? d.byWeek : d.byDay;
    const xs = periods.map((_, i) => i);
    const hours = periods.map((p) => Math.round((p.seconds / 3600) * 100) / 100);
    const counts = periods.map((p) => p.connections);
    const labels = periods.map((p) => periodLabel(p, week));
    timePlot?.destroy();
    const accent = cssVar("--accent");
    const second = cssVar("--chart-2");
    const opts: uPlot.Options = {
      width: chartWidth(timeCard.body),
      height: 220,
      scales: {
        x: { time: false, range: () => [-0.5, Math.max(0.5, xs.length - 0.5)] },
        h: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
        n: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { ...axisStyle(), grid: { show: false }, incrs: [1, 2, 7, 14, 28], space: 44, values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? "" : "")) },
        { ...axisStyle(), scale: "h", label: t("insight.hoursAxis"), labelSize: 18, size: 44, values: (_u, vals) => vals.map(formatAxis) },
        { ...axisStyle(), scale: "n", side: 1, grid: { show: false }, label: t("insight.connectionsAxis"), labelSize: 18, size: 44, values: (_u, vals) => vals.map(formatAxis) },
      ],
      series: [
        { label: t(week ? "insight.week" : "insight.day"), value: (_u, i) => (i === null ? "" : labels[i] ?? "") },
        { label: t("insight.hours"), scale: "h", stroke: accent, fill: accent + "99", width: 1, paths: UPlot!.paths.bars!({ size: [0.7, 48] }), points: { show: false }, value: (_u, v) => (v === null ? "" : formatHours(v * 3600)) },
        { label: t("insight.connections"), scale: "n", stroke: second, width: 2, points: { show: xs.length <= 31, size: 5, fill: second }, value: (_u, v) => (v === null ? "" : formatCount(v)) },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false, setScale: false } },
    };
    timeCard.body.replaceChildren();
    timePlot = new UPlot!(opts, [xs, hours, counts], timeCard.body);
    const plot = timePlot;
    plot.over.style.cursor = "pointer";
    plot.over.addEventListener("click", () => {
      const i = plot.cursor.idx;
      const p = i === null || i === undefined ? undefined : periods[i];
      if (p) openLog({ firstDay: p.firstDay, lastDay: p.lastDay });
    });
    plot.root.setAttribute("role", "img");
    plot.root.setAttribute("aria-label", t("insight.chartTimeLabel"));
  }

  function drawDurations(d: api.Dashboard): void {
    const xs = d.durations.map((_, i) => i);
    const counts = d.durations.map((b) => b.connections);
    const labels = d.durations.map(bucketLabel);
    const ticks = d.durations.map(bucketTick);
    durationPlot?.destroy();
    const accent = cssVar("--chart-3");
    const opts: uPlot.Options = {
      width: chartWidth(durationCard.body),
      height: 220,
      scales: {
        x: { time: false, range: () => [-0.5, xs.length - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] },
      },
      axes: [
        { ...axisStyle(), grid: { show: false }, incrs: [1], space: 30, label: t("insight.minutesAxis"), labelSize: 18, values: (_u, splits) => splits.map((i) => (Number.isInteger(i) ? ticks[i] ?? "" : "")) },
        { ...axisStyle(), label: t("insight.connectionsAxis"), labelSize: 18, size: 44, values: (_u, vals) => vals.map(formatAxis) },
      ],
      series: [
        { label: t("insight.duration"), value: (_u, i) => (i === null ? "" : labels[i] ?? "") },
        { label: t("insight.connections"), stroke: accent, fill: accent + "aa", width: 1, paths: UPlot!.paths.bars!({ size: [0.7, 80] }), points: { show: false }, value: (_u, v) => (v === null ? "" : formatCount(v)) },
      ],
      legend: { show: true },
      cursor: { drag: { x: false, y: false, setScale: false } },
    };
    durationCard.body.replaceChildren();
    durationPlot = new UPlot!(opts, [xs, counts], durationCard.body);
    durationPlot.root.setAttribute("role", "img");
    durationPlot.root.setAttribute("aria-label", t("insight.chartDurationsLabel"));
  }

  // ---- render -------------------------------------------------------------------------------
  let visible = false;
  let painted: api.InsightState | null = null;
  let paintedWeek = week;

  function renderEmpty(state: LiveState): boolean {
    const s = state.insight;
    const noArchive = !s?.archive || !archiveHasHistory(state);
    const none = !noArchive && s?.dashboard?.connections === 0;
    const key: MsgKey | null = noArchive ? (s && !s.archive ? "insight.noArchiveApp" : "insight.noArchive") : none ? "insight.noConnections" : null;
    show(empty, key !== null);
    if (key) setMessage(empty.firstElementChild!, key);
    return key !== null;
  }

  function render(): void {
    const state = store.get();
    const s = state.insight;
    if (s?.computing) setMessage(status, "insight.computing");
    else if (s?.error) setText(status, `${errorText(s.error.kind)} ${s.error.message}`);
    else if (s?.dashboard) setMessage(status, "insight.periodShown", { from: dayText(periodDays(s.dashboard).firstDay), to: dayText(periodDays(s.dashboard).lastDay) });
    else setText(status, "");
    const isEmpty = renderEmpty(state);
    const d = s?.dashboard ?? null;
    show(summary, d !== null && !isEmpty);
    show(grid, d !== null && !isEmpty);
    el.classList.toggle("stale", Boolean(s?.computing));
    // Drawn as soon as the figures arrive, also while the tab is hidden: opening it then only
    // lays out and paints what is there.
    if (!d || isEmpty) return;
    if (painted === s && paintedWeek === week) return;
    if (!UPlot) {
      // Only before the chart library has arrived (it is preloaded after launch).
      void loadUplot().then((u) => {
        UPlot = u;
        render();
      }, (error: unknown) => showError(api.toIpcError(error)));
      return;
    }
    painted = s;
    paintedWeek = week;
    paint(d);
    if (visible) performance.mark(CHARTS_PAINTED_MARK);
  }

  function paint(d: api.Dashboard): void {
    const days = periodDays(d);
    // Summary.
    setText(fConnections.value, formatCount(d.connections));
    setText(fHours.value, formatHours(d.seconds));
    setText(fAverage.value, d.averageSeconds === null ? t("common.none") : formatDuration(d.averageSeconds));
    const money = (pick: (a: api.Dashboard["amounts"][number]) => string) =>
      d.amounts.length ? d.amounts.map((a) => formatFee(pick(a), a.currency)).join("\n") : t("common.none");
    setText(fBilled.value, money((a) => a.billed));
    setText(fUnbilled.value, money((a) => a.unbilled));

    // Time.
    drawTime(d);
    const periods = week ? d.byWeek : d.byDay;
    fillTable(
      timeCard.table,
      t("insight.chartTime"),
      [week ? "insight.week" : "insight.day", "insight.connections", "insight.hours"],
      periods.map((p) => ({ label: periodText(p, week), cells: [formatCount(p.connections), formatHours(p.seconds)], open: { firstDay: p.firstDay, lastDay: p.lastDay } })),
    );

    // Durations.
    drawDurations(d);
    fillTable(
      durationCard.table,
      t("insight.chartDurations"),
      ["insight.duration", "insight.connections"],
      d.durations.map((b) => ({ label: bucketLabel(b), cells: [formatCount(b.connections)] })),
    );
    if (d.running > 0) {
      durationCard.body.append(h("p", { class: "chart-note", text: t(plural("insight.running", d.running), { n: formatCount(d.running) }) }));
    }

    // Supporters, groups, customers.
    const who = (name: string | null, id: string | null) => name || id || t("insight.unknown");
    fillBars(
      userCard.body,
      "insight-user-bars",
      d.byUser.map((u) => ({ label: who(u.username, u.userid), value: u.seconds, text: formatHours(u.seconds), open: { ...days, userId: u.userid, userName: u.username } })),
    );
    fillTable(
      userCard.table,
      t("insight.chartUsers"),
      ["insight.supporter", "insight.connections", "insight.hours"],
      d.byUser.map((u) => ({ label: who(u.username, u.userid), cells: [formatCount(u.connections), formatHours(u.seconds)], open: { ...days, userId: u.userid, userName: u.username } })),
    );
    fillBars(
      groupCard.body,
      "insight-group-bars",
      d.byGroup.map((g) => ({ label: who(g.groupname, g.groupid), value: g.seconds, text: formatHours(g.seconds), open: { ...days, groupId: g.groupid, groupName: g.groupname } })),
    );
    fillTable(
      groupCard.table,
      t("insight.chartGroups"),
      ["insight.group", "insight.connections", "insight.hours"],
      d.byGroup.map((g) => ({ label: who(g.groupname, g.groupid), cells: [formatCount(g.connections), formatHours(g.seconds)], open: { ...days, groupId: g.groupid, groupName: g.groupname } })),
    );
    const customers = d.topCustomers.map((c) => ({
      label: c.customer || t("insight.unknown"),
      value: c.seconds,
      text: formatHours(c.seconds),
      connections: c.connections,
      open: c.customer ? { ...days, customer: c.customer } : undefined,
    }));
    const others = d.otherCustomers.customers > 0
      ? [{ label: t(plural("insight.others", d.otherCustomers.customers), { n: formatCount(d.otherCustomers.customers) }), value: d.otherCustomers.seconds, text: formatHours(d.otherCustomers.seconds), connections: d.otherCustomers.connections, open: undefined }]
      : [];
    fillBars(customerCard.body, "insight-customer-bars", [...customers, ...others]);
    fillTable(
      customerCard.table,
      t("insight.chartCustomers"),
      ["insight.customer", "insight.connections", "insight.hours"],
      [...customers, ...others].map((c) => ({ label: c.label, cells: [formatCount(c.connections), c.text], open: c.open })),
    );

    // Billed vs unbilled, per currency.
    const ratesNote = store.get().insight?.ratesError
      ? h("p", { id: "insight-rates-error", class: "chart-note warn-note", attrs: { role: "note" }, text: t("insight.ratesError", { detail: store.get().insight!.ratesError!.message }) })
      : null;
    if (d.amounts.length === 0) {
      amountCard.body.replaceChildren(h("p", { class: "empty", t: "insight.noAmounts" }));
    } else {
      amountCard.body.replaceChildren(
        ...d.amounts.map((a) => {
          const billed = Number(a.billed);
          const unbilled = Number(a.unbilled);
          const total = billed + unbilled;
          const part = (cls: string, value: number) => {
            const span = h("span", { class: cls, attrs: { "aria-hidden": "true" } });
            span.style.width = `${total > 0 ? (value / total) * 100 : 0}%`;
            return span;
          };
          return h(
            "div",
            { class: "amount-row" },
            h("div", { class: "amount-bar" }, part("billed", billed), part("unbilled", unbilled)),
            h(
              "p",
              { class: "amount-legend" },
              h("span", { class: "key billed", attrs: { "aria-hidden": "true" } }),
              t("insight.billedAmount", { amount: formatFee(a.billed, a.currency) }),
              h("span", { class: "key unbilled", attrs: { "aria-hidden": "true" } }),
              t("insight.unbilledAmount", { amount: formatFee(a.unbilled, a.currency) }),
            ),
          );
        }),
      );
    }
    if (ratesNote) amountCard.body.append(ratesNote);
    fillTable(
      amountCard.table,
      t("insight.chartAmounts"),
      ["insight.currency", "insight.billed", "insight.unbilled"],
      d.amounts.map((a) => ({ label: a.currency, cells: [formatFee(a.billed, a.currency), formatFee(a.unbilled, a.currency)] })),
    );
  }

  store.subscribe((state, previous) => {
    if (state.insight !== previous.insight && state.insight?.dashboard && !state.insight.computing) performance.mark(FIGURES_READY_MARK);
    if (state.insight !== previous.insight || archiveHasHistory(state) !== archiveHasHistory(previous)) render();
  });
  // (A sync that changes the archive recomputes the period in the core: its figures arrive here.)
  const repaint = () => {
    painted = null;
    render();
  };
  onLanguageChange(repaint);
  // Colours follow the scheme (the charts read them from the CSS variables).
  window.matchMedia?.("(prefers-color-scheme: dark)").addEventListener?.("change", repaint);
  // The charts follow the card's width.
  let lastWidth = 0;
  const resize = new ResizeObserver(() => {
    const w = chartWidth(timeCard.body);
    if (!visible || w === lastWidth) return;
    lastWidth = w;
    timePlot?.setSize({ width: w, height: 220 });
    durationPlot?.setSize({ width: chartWidth(durationCard.body), height: 220 });
  });
  resize.observe(grid);
  syncCustom();

  return {
    el,
    prefetch() {
      const s = store.get().insight;
      if (!s?.period) ask(false);
      // The chart library too, so that opening the tab only paints.
      void loadUplot().then((u) => (UPlot = u), () => undefined);
    },
    setShown(shown: boolean) {
      const was = visible;
      visible = shown;
      if (!shown || was) return;
      render();
      fitCharts();
      lastWidth = chartWidth(timeCard.body);
      if (timePlot) performance.mark(CHARTS_PAINTED_MARK);
    },
    onSignedOut() {
      // The archive stays readable signed out; nothing of the account is shown here.
    },
  };
}
