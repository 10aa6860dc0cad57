// Settings fieldset "End-of-session documentation": off / ask (default) / required.
import type * as api from "../api";
import { field, h, options } from "../dom";

export interface DocumentationFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.DocumentationSettings): void;
  read(): api.DocumentationSettings;
}

export function createDocumentationFieldset(): DocumentationFieldset {
  const mode = h(
    "select",
    { id: "documentation-mode", attrs: { "aria-describedby": "documentation-hint" } },
    ...options([
      ["off", "documentation.off"],
      ["ask", "documentation.ask"],
      ["required", "documentation.required"],
    ]),
  );
  const el = h(
    "fieldset",
    { id: "settings-documentation", class: "plain documentation-settings" },
    h("legend", { t: "documentation.legend" }),
    field("documentation.mode", mode),
    h("p", { id: "documentation-hint", class: "hint", t: "documentation.hint" }),
  );
  return {
    el,
    fill(s) {
      mode.value = s.mode;
    },
    read() {
      const value = mode.value;
      return { mode: value === "off" || value === "required" ? value : "ask" };
    },
  };
}
