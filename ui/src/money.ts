// Money in the billing views: amounts arrive from the core as decimal strings ("1234.50") and are
// shown with Intl in the app's language, formatted from the string itself (Intl.NumberFormat
// reads a decimal string exactly; no float arithmetic happens here). Amounts the supporter types
// (the rates form) are read in the app's language — "90,00" in German, "90.00" in English — and
// handed to the core as plain decimal strings, which it checks again.
import { intlLocale } from "./format";
import { language } from "./i18n";

const formats = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  const code = /^[A-Z]{3}$/.test(currency) ? currency : "";
  const key = `${intlLocale()}|${code}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = code ? new Intl.NumberFormat(intlLocale(), { style: "currency", currency: code, minimumFractionDigits: 2 }) : undefined;
    } catch {
      f = undefined;
    }
    f ??= new Intl.NumberFormat(intlLocale(), { minimumFractionDigits: 2, maximumFractionDigits: 4 });
    formats.set(key, f);
  }
  return f;
}

/** `"1234.5"` in EUR → "€1,234.50" (English) or "1.234,50 €" (German). */
export function formatMoney(amount: string, currency: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(amount.trim())) return `${amount} ${currency}`.trim();
  // A string argument is read as an exact decimal (Intl.NumberFormat v3).
  const text = formatter(currency).format(amount.trim() as unknown as number);
  return /^[A-Z]{3}$/.test(currency) ? text : `${text} ${currency}`.trim();
}

/** Several totals, one per currency: "1.234,50 € · 20,00 $". */
export function formatTotals(totals: readonly { currency: string; amount: string }[]): string {
  return totals.map((m) => formatMoney(m.amount, m.currency)).join(" · ");
}

/** The decimal separator of the app's language. */
export function decimalSeparator(): string {
  return language() === "de" ? "," : ".";
}

/**
 * An amount as typed, in the app's language: digits with at most one decimal separator (`,` in
 * German, `.` in English) and at most four decimals; no sign, no thousands separators (in German
 * "1.000" would be a thousand, in English one: refused in both rather than guessed). Returns the
 * plain decimal string for the core ("90.00"), or null.
 */
export function parseAmount(text: string): string | null {
  const sep = decimalSeparator() === "," ? "," : "\\.";
  const m = new RegExp(`^\\s*(\\d{1,12})(?:${sep}(\\d{1,4}))?\\s*$`).exec(text);
  if (!m) return null;
  return m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!;
}

/** A plain decimal string ("90.00") as the form shows it in the app's language ("90,00"). */
export function amountForInput(value: string): string {
  return decimalSeparator() === "," ? value.replace(".", ",") : value;
}
