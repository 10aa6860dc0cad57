// The Billing tab's periods → the `from`/`to` instants of `billing_worklist`. Months are local
// calendar months (what the supporter means by "last month"); a custom `to` day is inclusive,
// so it becomes the following local midnight. The instants sent are UTC (RFC 3339).
import { parseDateInput, toRfc3339 } from "./dates";

export const BILLING_PERIODS = ["lastMonth", "thisMonth", "custom"] as const;
export type BillingPeriod = (typeof BILLING_PERIODS)[number];

export interface Period {
  from: string;
  to: string;
}

/** The local calendar month `offset` months from the month of `now` (−1: last month). */
export function monthPeriod(now: Date, offset: number): Period {
  const from = new Date(now.getFullYear(), now.getMonth() + offset, 1);
  const to = new Date(now.getFullYear(), now.getMonth() + offset + 1, 1);
  return { from: toRfc3339(from), to: toRfc3339(to) };
}

/** Custom days (`YYYY-MM-DD`, both inclusive) → a period, or null when unreadable or reversed. */
export function customPeriod(fromDay: string, toDay: string): Period | null {
  const from = parseDateInput(fromDay);
  const last = parseDateInput(toDay);
  if (!from || !last || last < from) return null;
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1);
  return { from: toRfc3339(from), to: toRfc3339(to) };
}

/** The last day a period includes (the day before its exclusive end), local. */
export function lastDay(to: string): Date {
  const end = new Date(to);
  return new Date(end.getTime() - 1);
}
