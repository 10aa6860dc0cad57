// Display formatting that depends on the current language.
import type { TimeDisplay, TimePart } from "./bindings.gen";
import { language, t, type Lang, type MsgKey } from "./i18n";

/** `h:mm:ss` with unbounded hours (a month of sessions is `744:00:00`). Negative or non-finite → 0. */
export function formatDuration(totalSeconds: number): string {
  const s = Number.isFinite(totalSeconds) && totalSeconds > 0 ? Math.floor(totalSeconds) : 0;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  return `${hours}:${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The Intl locale of an app language: every date, time and number in the UI is written with it. */
export function intlLocale(lang: Lang = language()): string {
  return lang === "de" ? "de-DE" : "en-GB";
}

const locale = (): string => intlLocale();

/**
 * The one numeric date of each language: `29/11/2026` (en-GB) and `29.11.2026` (de-DE), with a
 * four-digit year (German `dateStyle: "short"` would write `29.11.26`). Date fields use it too.
 */
export const DAY_OPTIONS: Readonly<Intl.DateTimeFormatOptions> = { day: "2-digit", month: "2-digit", year: "numeric" };

/** A count with the language's grouping (`100,000` / `100.000`). */
export function formatCount(n: number): string {
  const loc = locale();
  let f = numberFormats.get(loc);
  if (!f) {
    f = new Intl.NumberFormat(loc);
    numberFormats.set(loc, f);
  }
  return f.format(n);
}

/** The one date-and-time format of the current language (local time, or UTC with `utc`). */
function dateTimeFormat(utc: boolean): Intl.DateTimeFormat {
  const key = `${locale()}|${utc ? "utc" : "local"}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(), { ...DAY_OPTIONS, hour: "2-digit", minute: "2-digit", hourCycle: "h23", ...(utc ? { timeZone: "UTC" } : {}) });
    dateFormats.set(key, f);
  }
  return f;
}

/** An RFC 3339 instant as local date and time (or UTC with `utc`); `—` when missing or unreadable. */
export function formatDateTime(iso: string | null | undefined, utc = false): string {
  if (!iso) return t("common.none");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return dateTimeFormat(utc).format(date);
}

const NUMBER_PARTS: ReadonlySet<string> = new Set(["day", "month", "year", "hour", "minute"]);

/**
 * The format `formatDateTime` writes, as parts (Intl's own `formatToParts`, read once per
 * language): the core renders dates with it so a filter on the start column matches what the
 * cell shows (`29.11.2026, 14:02`), in local time or UTC.
 */
export function timeDisplay(utc: boolean): TimeDisplay {
  const parts: TimePart[] = dateTimeFormat(utc)
    .formatToParts(new Date(Date.UTC(2026, 10, 29, 14, 2)))
    .map((p) => (NUMBER_PARTS.has(p.type) ? { type: p.type as Exclude<TimePart["type"], "literal"> } : { type: "literal", value: p.value }));
  return { utc, parts };
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** An RFC 3339 instant as local time of day (`14:02`); `—` when missing or unreadable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return t("common.none");
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const loc = locale();
  let f = timeFormats.get(loc);
  if (!f) {
    f = new Intl.DateTimeFormat(loc, { timeStyle: "short" });
    timeFormats.set(loc, f);
  }
  return f.format(date);
}

const SESSION_TYPES: Readonly<Record<string, MsgKey>> = {
  RemoteConnection: "logs.type.RemoteConnection",
  RemoteSupportActive: "logs.type.RemoteSupportActive",
  RemoteSupportActiveSdk: "logs.type.RemoteSupportActiveSdk",
};

/** A connection report's `support_session_type` in human words; an unknown value is shown as sent. */
export function formatSessionType(value: string): string {
  const key = Object.prototype.hasOwnProperty.call(SESSION_TYPES, value) ? SESSION_TYPES[value] : undefined;
  return key ? t(key) : value;
}

/**
 * A connection's fee as money in the app's language ("12,50 €"), from the API's plain decimal
 * and ISO currency; without a valid currency the number alone, and "" when there is no fee.
 */
export function formatFee(fee: string, currency: string): string {
  if (!fee.trim()) return "";
  const n = Number(fee);
  if (!Number.isFinite(n)) return fee;
  const code = /^[A-Z]{3}$/.test(currency.trim().toUpperCase()) ? currency.trim().toUpperCase() : "";
  const key = `${locale()}|${code}`;
  let f = feeFormats.get(key);
  if (!f) {
    try {
      f = code ? new Intl.NumberFormat(locale(), { style: "currency", currency: code }) : undefined;
    } catch {
      f = undefined; // An unknown currency code: the number alone.
    }
    f ??= new Intl.NumberFormat(locale(), { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    feeFormats.set(key, f);
  }
  return f.format(n);
}

/** One formatter per language and currency (building one costs more than a frame allows). */
const feeFormats = new Map<string, Intl.NumberFormat>();
