// Settings fieldset "Session list": how often the live list refreshes while the window is
// visible and while it is hidden or minimised. The core caps the background refresh at 1,800
// requests a day whatever is set here (it slows down and says so).
import type * as api from "../api";
import { field, h } from "../dom";
import { numberField } from "./number-field";

export interface LiveFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.LiveSettings): void;
  /** The values, or null after marking and focusing a field out of range. */
  read(): api.LiveSettings | null;
}

export function createLiveFieldset(): LiveFieldset {
  const visible = numberField("live-visible", 1, 3600, "live.visibleRange");
  const hidden = numberField("live-hidden", 1, 86400, "live.hiddenRange");
  const el = h(
    "fieldset",
    { id: "settings-live", class: "plain live-settings" },
    h("legend", { t: "live.legend" }),
    field("live.visible", visible.input),
    visible.error,
    field("live.hidden", hidden.input),
    hidden.error,
    h("p", { class: "hint", t: "live.hint" }),
  );
  return {
    el,
    fill(s) {
      visible.fill(s.visibleSeconds);
      hidden.fill(s.hiddenSeconds);
    },
    read() {
      const v = visible.read();
      const hd = hidden.read();
      if (v === null) visible.input.focus();
      else if (hd === null) hidden.input.focus();
      return v === null || hd === null ? null : { visibleSeconds: v, hiddenSeconds: hd };
    },
  };
}
