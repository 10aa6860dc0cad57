// Client-side checks of the new-session form. They mirror the core's `NewSession::validate`
// (crates/core/src/models.rs) so that the user sees the problem before anything is sent; the
// server's `invalid_input` answers are mapped back onto the same fields.
import type { NewSessionForm } from "./api";
import type { MsgKey, Params } from "./i18n";

export type SessionField =
  | "group"
  | "groupName"
  | "description"
  | "customerName"
  | "customerEmail"
  | "waitingMessage";

export interface FieldError {
  field: SessionField;
  key: MsgKey;
  params?: Params;
}

/** The core's limits, in Unicode scalar values (Rust `chars().count()`). */
export const LIMITS = {
  groupName: 255,
  description: 4000,
  customerName: 100,
  customerEmail: 254,
  waitingMessage: 4000,
} as const;

/** Length as Rust counts it (code points, not UTF-16 units). */
export function charCount(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** One `@`, a non-empty local part, a dotted domain not starting/ending with `.`, no whitespace. */
export function isValidEmail(value: string): boolean {
  const v = value.trim();
  if (/\s/.test(v)) return false;
  const at = v.indexOf("@");
  if (at <= 0) return false;
  const domain = v.slice(at + 1);
  return (
    !domain.includes("@") && domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".")
  );
}

export function validateSessionForm(form: NewSessionForm): FieldError[] {
  const errors: FieldError[] = [];
  const tooLong = (field: SessionField & keyof typeof LIMITS, value: string | null) => {
    const n = value ? charCount(value) : 0;
    if (n > LIMITS[field]) errors.push({ field, key: "validate.tooLong", params: { max: LIMITS[field], n } });
  };
  const groupName = form.groupName?.trim() ?? "";
  if (!form.groupId && !groupName) errors.push({ field: "group", key: "validate.group" });
  tooLong("groupName", form.groupName);
  tooLong("description", form.description);
  tooLong("customerName", form.customerName);
  const email = form.customerEmail.trim();
  if (email) {
    if (charCount(email) > LIMITS.customerEmail) tooLong("customerEmail", email);
    else if (!isValidEmail(email)) errors.push({ field: "customerEmail", key: "validate.email" });
  }
  tooLong("waitingMessage", form.waitingMessage);
  return errors;
}

/** The core names the field first in an `invalid_input` message (`"customer e-mail: …"`). */
const SERVER_FIELDS: Record<string, SessionField> = {
  group: "group",
  "group name": "groupName",
  description: "description",
  "customer name": "customerName",
  "customer e-mail": "customerEmail",
  "waiting message": "waitingMessage",
};

/** Which form field an `invalid_input` message is about, and the rest of the message. */
export function serverFieldError(message: string): { field: SessionField; detail: string } | null {
  const colon = message.indexOf(":");
  if (colon < 0) return null;
  const field = SERVER_FIELDS[message.slice(0, colon).trim().toLowerCase()];
  return field ? { field, detail: message.slice(colon + 1).trim() } : null;
}
