// A date field in the app's language, not the OS locale's: a text input that shows and reads
// `29/11/2026` (English) or `29.11.2026` (German) as format.ts writes dates everywhere else (a
// native `<input type=date>` follows the OS locale in WebKitGTK and Chromium). Its problem (an
// unreadable day, a day after today) sits at the field on Load; it reformats what was typed on blur and
// rewrites itself on a language switch. A small calendar button opens the engine's own date
// picker through a hidden native date input where the engine offers `showPicker()`; the day
// picked lands in the text field.
import { formatDay, dayPlaceholder, parseDay, parseDateInput, toDateInput, type DayRead } from "../dates";
import { h } from "../dom";
import { intlLocale } from "../format";
import { onLanguageChange, t, type MsgKey } from "../i18n";

export interface DateField {
  /** The labelled field: label, text input with its calendar button, and the error line. */
  el: HTMLDivElement;
  input: HTMLInputElement;
  /** The day as `YYYY-MM-DD`, `""` when empty, or null after marking the field (unreadable or after today). */
  read(): string | null;
  /** Shows `day` in the app's format and clears a mark. */
  fill(day: Date): void;
}

const SVG = "http://www.w3.org/2000/svg";

/** A 16 px calendar outline in the text colour (built as DOM: the CSP allows no inline markup). */
function calendarIcon(): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 16 16", width: "16", height: "16", "aria-hidden": "true", focusable: "false" })) svg.setAttribute(k, v);
  const shape = (tag: string, attrs: Record<string, string>) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    el.setAttribute("fill", "none");
    el.setAttribute("stroke", "currentColor");
    el.setAttribute("stroke-width", "1.5");
    svg.append(el);
  };
  shape("rect", { x: "1.75", y: "2.75", width: "12.5", height: "11.5", rx: "1.5" });
  shape("path", { d: "M1.75 6.25h12.5M5 1v3.5M11 1v3.5" });
  return svg;
}

export function dateField(id: string, label: MsgKey, className = "field", now: () => Date = () => new Date()): DateField {
  const errorId = `${id}-error`;
  const input = h("input", { id, class: "date-text", attrs: { type: "text", autocomplete: "off", spellcheck: false, size: 10, "aria-describedby": errorId } });
  const error = h("p", { id: errorId, class: "field-error date-error", hidden: true });
  const native = h("input", { class: "date-native", attrs: { type: "date", tabindex: -1, "aria-hidden": "true" } });
  const pick = h("button", { class: "date-pick", attrs: { type: "button" } });
  pick.append(calendarIcon());
  // Without showPicker() (older engines) the field alone does the job; the button would be a dead end.
  pick.hidden = typeof native.showPicker !== "function";

  /** The last text the field read as a day, so that a language switch can rewrite it. */
  let good: { text: string; day: Date | null } | null = null;
  let marked = false;

  const mark = (result: DayRead) => {
    marked = !result.ok;
    error.hidden = result.ok;
    input.setAttribute("aria-invalid", String(!result.ok));
    if (result.ok) return;
    const locale = intlLocale();
    error.textContent =
      result.error === "future"
        ? t("date.future", { today: formatDay(now(), locale) })
        : t("date.unreadable", { pattern: placeholder(), example: formatDay(now(), locale) });
  };

  const placeholder = () => dayPlaceholder(intlLocale(), { day: t("date.day"), month: t("date.month"), year: t("date.year") });

  const parse = (): DayRead => {
    const result = parseDay(input.value, intlLocale(), now());
    good = result.ok ? { text: input.value, day: result.day } : null;
    return result;
  };

  const read = (): string | null => {
    const result = parse();
    mark(result);
    return result.ok ? (result.day ? toDateInput(result.day) : "") : null;
  };

  const fill = (day: Date) => {
    input.value = formatDay(day, intlLocale());
    good = { text: input.value, day };
    mark({ ok: true, day });
  };

  const render = () => {
    input.placeholder = placeholder();
    const name = t(label);
    pick.setAttribute("aria-label", t("date.pick", { field: name }));
    pick.title = t("date.pick", { field: name });
  };

  // While marked, the mark follows the typing and goes as soon as the day reads. A field is only
  // marked by read() (on Load), never on leaving it: a message appearing on blur would move the
  // Load button away under the pointer between mouse down and up, and the click would be lost.
  input.addEventListener("input", () => {
    if (marked) mark(parse());
  });
  // Leaving the field writes a readable day out in the app's format (`1.2.26` → `01.02.2026`).
  input.addEventListener("change", () => {
    const result = parse();
    if (result.ok && result.day) fill(result.day);
  });
  // Alt+↓ opens the calendar from the field, as it does on a native date input.
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && e.altKey && !pick.hidden) {
      e.preventDefault();
      openPicker();
    }
  });

  const openPicker = () => {
    const current = parse();
    native.max = toDateInput(now());
    native.value = current.ok && current.day ? toDateInput(current.day) : "";
    try {
      native.showPicker();
    } catch {
      // The engine refused (no picker for this input): typing stays, the button goes.
      pick.hidden = true;
      input.focus();
    }
  };
  pick.addEventListener("click", openPicker);
  native.addEventListener("change", () => {
    const day = parseDateInput(native.value);
    if (!day) return;
    input.value = formatDay(day, intlLocale());
    read();
    input.focus();
  });

  onLanguageChange(() => {
    // A day the field could read is rewritten in the new language; anything else stays as typed.
    if (good && good.day && input.value === good.text) fill(good.day);
    render();
    if (marked) mark(parse());
  });
  render();

  const el = h(
    "div",
    { class: className },
    h("label", { t: label, attrs: { for: id } }),
    h("div", { class: "date-input" }, input, pick, native),
    error,
  );
  return { el, input, read, fill };
}
