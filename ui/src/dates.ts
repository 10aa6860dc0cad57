// Date presets of the connection log → the `from`/`to` instants of a `LogQuery`.
//
// Days are local calendar days (what the supporter means by "today"); the instants sent are
// UTC (RFC 3339). "Last N days" is today plus the N−1 days before it, from local midnight.
// Presets leave `to` open (up to now); a custom `to` date is inclusive, so it becomes the
// following local midnight.
import { DAY_OPTIONS } from "./format";
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

// ---- date fields in the app's language ---------------------------------------------------------
//
// The custom period's fields show and accept the app language's own numeric date (the one
// format.ts writes: `29/11/2026`, `29.11.2026`), whatever the OS locale. The order of day, month
// and year and the separator come from Intl, so a field and the rest of the app cannot disagree.

export type DayPart = "day" | "month" | "year";

export interface DayPattern {
  /** Day, month and year in the order the locale writes them. */
  order: readonly DayPart[];
  /** The separator the locale writes between them (`/`, `.`). */
  separator: string;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(locale: string): Intl.DateTimeFormat {
  let f = dayFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, DAY_OPTIONS);
    dayFormats.set(locale, f);
  }
  return f;
}

/** The local day of `date` as the locale writes it (`29/11/2026`, `29.11.2026`). */
export function formatDay(date: Date, locale: string): string {
  return dayFormat(locale).format(date);
}

/** How `locale` writes a numeric date, read from Intl's own parts. */
export function dayPattern(locale: string): DayPattern {
  const parts = dayFormat(locale).formatToParts(new Date(2026, 10, 29));
  const order = parts.map((p) => p.type).filter((t): t is DayPart => t === "day" || t === "month" || t === "year");
  const separator = parts.find((p) => p.type === "literal")?.value ?? "/";
  return { order, separator };
}

/** `DD/MM/YYYY`, `TT.MM.JJJJ`: the locale's pattern spelled with the language's letters. */
export function dayPlaceholder(locale: string, letters: Readonly<Record<DayPart, string>>): string {
  const { order, separator } = dayPattern(locale);
  return order.map((part) => letters[part]).join(separator);
}

export type DayRead =
  | { ok: true; day: Date | null }
  | { ok: false; error: "unreadable" | "future" };

/** A valid calendar day at local midnight, or null (31.02. and 29.02. outside leap years). */
function calendarDay(y: number, mo: number, d: number): Date | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const date = new Date(y, mo - 1, d);
  if (y < 100) date.setFullYear(y); // Date() maps years 0–99 to 1900–1999.
  return date.getFullYear() === y && date.getMonth() === mo - 1 && date.getDate() === d ? date : null;
}

/**
 * What a supporter typed into a date field → the local day, read in `locale`'s order (day.month.year
 * in German and British English). Accepted: `29.11.2026`, `29.11.26`, `29/11/2026`, single digits
 * (`1.2.2026`), any of `.` `/` `-` or spaces between the parts, and ISO `2026-11-29` in every
 * language. A two-digit year is 20yy (connection reports are all from this century).
 * Empty text is no day (`ok` with `day: null`); a day after today (of `now`) is refused.
 */
export function parseDay(text: string, locale: string, now: Date): DayRead {
  const value = text.trim();
  if (!value) return { ok: true, day: null };
  let day: Date | null = null;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (iso) {
    day = calendarDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  } else {
    const m = /^(\d{1,4})\s*(?:[./-]\s*|\s)(\d{1,4})\s*(?:[./-]\s*|\s)(\d{1,4})$/.exec(value);
    if (!m) return { ok: false, error: "unreadable" };
    const { order } = dayPattern(locale);
    const raw: Partial<Record<DayPart, string>> = {};
    order.forEach((part, i) => (raw[part] = m[i + 1]));
    const [d, mo, y] = [raw.day ?? "", raw.month ?? "", raw.year ?? ""];
    if (d.length > 2 || mo.length > 2 || (y.length !== 2 && y.length !== 4)) return { ok: false, error: "unreadable" };
    day = calendarDay(y.length === 2 ? 2000 + Number(y) : Number(y), Number(mo), Number(d));
  }
  if (!day) return { ok: false, error: "unreadable" };
  if (day > localMidnight(now, 0)) return { ok: false, error: "future" };
  return { ok: true, day };
}
