// A tiny view helper: build elements with text (never HTML), i18n keys and listeners.
import { I18N_ATTRS, t, type MsgKey, type Params } from "./i18n";

type I18nAttr = (typeof I18N_ATTRS)[number];
type Handlers<E extends HTMLElement> = {
  [K in keyof HTMLElementEventMap]?: (this: E, ev: HTMLElementEventMap[K]) => void;
};

export interface Props<E extends HTMLElement = HTMLElement> {
  id?: string;
  class?: string;
  /** Literal text content (data from the API goes here: it is never parsed as HTML). */
  text?: string;
  /** An i18n key for the text content; retranslated on a language switch. */
  t?: MsgKey;
  /** i18n keys for attributes (`aria-label`, `placeholder`, `title`); retranslated too. */
  tAttrs?: Partial<Record<I18nAttr, MsgKey>>;
  /** Plain attributes; `false`/`null`/`undefined` leave the attribute out, `true` sets it empty. */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  hidden?: boolean;
  on?: Handlers<E>;
}

export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<HTMLElementTagNameMap[K]> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.id) el.id = props.id;
  if (props.class) el.className = props.class;
  if (props.hidden) el.hidden = true;
  if (props.t) {
    el.dataset.i18n = props.t;
    el.textContent = t(props.t);
  } else if (props.text !== undefined) {
    el.textContent = props.text;
  }
  if (props.tAttrs) {
    for (const [attr, key] of Object.entries(props.tAttrs) as [I18nAttr, MsgKey][]) {
      el.setAttribute(`data-i18n-${attr}`, key);
      el.setAttribute(attr, t(key));
    }
  }
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      if (value === false || value === null || value === undefined) continue;
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  if (props.on) {
    for (const [type, handler] of Object.entries(props.on)) {
      el.addEventListener(type, handler as EventListener);
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Sets text only when it changed (cheap on hot paths such as table rows). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets an element's text from an i18n key with parameters (not retranslated automatically). */
export function setMessage(el: Element, key: MsgKey, params?: Params): void {
  setText(el, t(key, params));
}

export function show(el: HTMLElement, visible: boolean): void {
  if (el.hidden === visible) el.hidden = !visible;
}

/** A labelled form control: `<div class="field"><label for>…</label>control hint?</div>`. */
export function field(
  label: MsgKey,
  control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: HTMLElement,
  className = "field",
): HTMLDivElement {
  if (!control.id) throw new Error("field(): the control needs an id for its label");
  return h("div", { class: className }, h("label", { t: label, attrs: { for: control.id } }), control, hint);
}

/** A checkbox with its label after it. */
export function checkbox(id: string, label: MsgKey, checked = false): {
  wrap: HTMLLabelElement;
  input: HTMLInputElement;
} {
  const input = h("input", { id, attrs: { type: "checkbox", checked } });
  const wrap = h("label", { class: "check", attrs: { for: id } }, input, h("span", { t: label }));
  return { wrap, input };
}

/** `<option>`s from value/i18n-key pairs. */
export function options(items: readonly (readonly [string, MsgKey])[]): HTMLOptionElement[] {
  return items.map(([value, key]) => h("option", { t: key, attrs: { value } }));
}

/** Disables `button` while `task` runs (no double submits), then re-enables it. */
export async function busy<T>(button: HTMLButtonElement, task: () => Promise<T>): Promise<T> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await task();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}
