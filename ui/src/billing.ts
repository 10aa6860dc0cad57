// The billing states of a connection report, as TeamViewer's API document (2023-03, p48 and
// p51) names them: `Bill`, `Billed` and `DoNotBill`. The editor offers these; a value the API
// sends that is not one of them is shown as it is, as an extra choice, so opening and saving a
// record never changes its billing state behind the supporter's back.
import { t, type MsgKey } from "./i18n";

/** The documented values, spelled exactly as the API spells them. */
export const BILLING_STATES = ["Bill", "Billed", "DoNotBill"] as const;
export type BillingState = (typeof BILLING_STATES)[number];

const LABELS: Record<BillingState, MsgKey> = {
  Bill: "logs.billing.bill",
  Billed: "logs.billing.billed",
  DoNotBill: "logs.billing.doNotBill",
};

export interface BillingOption {
  /** What is written back when this option is picked: exactly this string. */
  value: string;
  /** What the supporter sees. */
  label: string;
  /** Whether `value` is one of the documented states. */
  known: boolean;
}

export function isBillingState(value: string): value is BillingState {
  return (BILLING_STATES as readonly string[]).includes(value);
}

/**
 * The choices for a record whose billing state is `current` (as loaded, `""` when it has none):
 * the three documented states, preceded by `current` itself when it is anything else — a
 * "not set" choice for `""`, or the API's own text for an unknown value. Nothing is trimmed or
 * re-cased: the value picked is the value written.
 */
export function billingOptions(current: string): BillingOption[] {
  const known = BILLING_STATES.map((value) => ({ value, label: t(LABELS[value]), known: true }));
  if (isBillingState(current)) return known;
  const extra = current === "" ? t("logs.billing.none") : t("logs.billing.other", { value: current });
  return [{ value: current, label: extra, known: false }, ...known];
}

/** How a billing state reads in the grid and the pick list: the documented ones by name, any
 * other value as sent. */
export function billingLabel(value: string): string {
  return isBillingState(value) ? t(LABELS[value]) : value;
}
