// Settings fieldset "Session list": how often the live list refreshes while the window is
// visible and while it is hidden or minimised. The core caps the background refresh at 1,800
// requests a day whatever is set here (it slows down and says so).
import type * as api from "../api";
import { field, h } from "../dom";

export interface LiveFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.LiveSettings): void;
  /** The values, or null after marking and focusing a field out of range. */
  read(): api.LiveSettings | null;
}

export function createLiveFieldset(): LiveFieldset {
  const input = (id: string, max: number) =>
    h("input", { id, class: "narrow", attrs: { type: "number", min: 1, max, step: 1, inputmode: "numeric", "aria-describedby": `${id}-error` } });
  const visible = input("live-visible", 3600);
  const hidden = input("live-hidden", 86400);
  const visibleError = h("p", { id: "live-visible-error", class: "field-error", t: "live.visibleRange", hidden: true });
  const hiddenError = h("p", { id: "live-hidden-error", class: "field-error", t: "live.hiddenRange", hidden: true });
  const check = (el: HTMLInputElement, error: HTMLElement, max: number): number | null => {
    const v = Number(el.value);
    const ok = el.value.trim() !== "" && Number.isInteger(v) && v >= 1 && v <= max;
    error.hidden = ok;
    el.setAttribute("aria-invalid", String(!ok));
    return ok ? v : null;
  };
  visible.addEventListener("input", () => check(visible, visibleError, 3600));
  hidden.addEventListener("input", () => check(hidden, hiddenError, 86400));
  const el = h(
    "fieldset",
    { id: "settings-live", class: "plain live-settings" },
    h("legend", { t: "live.legend" }),
    field("live.visible", visible),
    visibleError,
    field("live.hidden", hidden),
    hiddenError,
    h("p", { class: "hint", t: "live.hint" }),
  );
  return {
    el,
    fill(s) {
      visible.value = String(s.visibleSeconds);
      hidden.value = String(s.hiddenSeconds);
      for (const [i, e] of [[visible, visibleError], [hidden, hiddenError]] as const) {
        e.hidden = true;
        i.removeAttribute("aria-invalid");
      }
    },
    read() {
      const v = check(visible, visibleError, 3600);
      const hd = check(hidden, hiddenError, 86400);
      if (v === null) visible.focus();
      else if (hd === null) hidden.focus();
      return v === null || hd === null ? null : { visibleSeconds: v, hiddenSeconds: hd };
    },
  };
}
