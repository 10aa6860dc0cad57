// A whole-number Settings field with a range: its error sits at the field, marks it while the
// value is out of range, and clears as the value is fixed.
import { h } from "../dom";
import type { MsgKey } from "../i18n";

export interface NumberField {
  input: HTMLInputElement;
  error: HTMLElement;
  fill(value: number): void;
  /** The value, or null after marking the field (out of range or not a whole number). */
  read(): number | null;
}

export function numberField(id: string, min: number, max: number, rangeKey: MsgKey): NumberField {
  const input = h("input", { id, class: "narrow", attrs: { type: "number", min, max, step: 1, inputmode: "numeric", "aria-describedby": `${id}-error` } });
  const error = h("p", { id: `${id}-error`, class: "field-error", t: rangeKey, hidden: true });
  const read = (): number | null => {
    const v = Number(input.value);
    const ok = input.value.trim() !== "" && Number.isInteger(v) && v >= min && v <= max;
    error.hidden = ok;
    input.setAttribute("aria-invalid", String(!ok));
    return ok ? v : null;
  };
  input.addEventListener("input", () => read());
  return {
    input,
    error,
    fill(value) {
      input.value = String(value);
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    },
    read,
  };
}
