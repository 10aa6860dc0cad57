// Date presets of the connection log → the `from`/`to` instants of a `LogQuery`.
//
// Days are local calendar days (what the supporter means by "today"); the instants sent are
// UTC (RFC 3339). "Last N days" is today plus the N−1 days before it, from local midnight.
// Presets leave `to` open (up to now); a custom `to` date is inclusive, so it becomes the
// following local midnight.
import type { MsgKey } from "./i18n";

export const PRESETS = ["today", "7", "30", "90", "custom"] as const;
export type Preset = (typeof PRESETS)[number];

export interface Range {
  from: string | null;
  to: string | null;
}

export type RangeResult = { ok: true; range: Range } | { ok: false; error: MsgKey };

/** `2026-11-24T09:30:00Z`: RFC 3339 in UTC without milliseconds. */
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Local midnight `daysBack` days before the day of `now` (DST-safe: calendar arithmetic). */
function localMidnight(now: Date, daysBack: number): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysBack);
}

/** `YYYY-MM-DD` (an `<input type=date>` value) → local midnight of that day, or null. */
export function parseDateInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(y, mo - 1, d);
  // Reject rollovers such as 2026-02-31.
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d
    ? date
    : null;
}

/** `YYYY-MM-DD` of the local day of `date` (for prefilling date inputs). */
export function toDateInput(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`;
}

export function presetRange(
  preset: Preset,
  now: Date,
  custom: { from: string; to: string } = { from: "", to: "" },
): RangeResult {
  if (preset !== "custom") {
    const days = preset === "today" ? 1 : Number(preset);
    return { ok: true, range: { from: toRfc3339(localMidnight(now, days - 1)), to: null } };
  }
  const from = parseDateInput(custom.from);
  if (!from) return { ok: false, error: "logs.customRequired" };
  const toDay = custom.to.trim() ? parseDateInput(custom.to) : null;
  if (custom.to.trim() && !toDay) return { ok: false, error: "logs.invalidRange" };
  if (toDay && toDay < from) return { ok: false, error: "logs.invalidRange" };
  const toExclusive = toDay ? localMidnight(toDay, -1) : null;
  return {
    ok: true,
    range: { from: toRfc3339(from), to: toExclusive ? toRfc3339(toExclusive) : null },
  };
}
