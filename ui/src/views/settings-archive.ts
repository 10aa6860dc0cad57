// Settings fieldset "Connection-log archive": sync at start and every N minutes while the app is
// open, and how many days an incremental sync reads again (late reports, recent edits).
import type * as api from "../api";
import { checkbox, field, h } from "../dom";

export interface ArchiveFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.ArchiveSettings): void;
  /** The values, or null after marking and focusing a field out of range. */
  read(): api.ArchiveSettings | null;
}

const number = (id: string, min: number, max: number) =>
  h("input", { id, class: "narrow", attrs: { type: "number", min, max, step: 1, inputmode: "numeric", "aria-describedby": `${id}-error` } });

export function createArchiveFieldset(): ArchiveFieldset {
  const autoSync = checkbox("archive-auto-sync", "archive.autoSync");
  const interval = number("archive-interval", 5, 1440);
  const overlap = number("archive-overlap", 0, 30);
  const intervalError = h("p", { id: "archive-interval-error", class: "field-error", t: "archive.intervalRange", hidden: true });
  const overlapError = h("p", { id: "archive-overlap-error", class: "field-error", t: "archive.overlapRange", hidden: true });
  const sync = () => {
    interval.disabled = !autoSync.input.checked;
  };
  autoSync.input.addEventListener("change", sync);
  const check = (input: HTMLInputElement, error: HTMLElement, min: number, max: number): number | null => {
    const v = Number(input.value);
    const ok = input.value.trim() !== "" && Number.isInteger(v) && v >= min && v <= max;
    error.hidden = ok;
    input.setAttribute("aria-invalid", String(!ok));
    return ok ? v : null;
  };
  interval.addEventListener("input", () => check(interval, intervalError, 5, 1440));
  overlap.addEventListener("input", () => check(overlap, overlapError, 0, 30));

  const el = h(
    "fieldset",
    { id: "settings-archive", class: "plain archive-settings" },
    h("legend", { t: "archive.legend" }),
    autoSync.wrap,
    field("archive.interval", interval),
    intervalError,
    field("archive.overlap", overlap),
    overlapError,
    h("p", { class: "hint", t: "archive.overlapHint" }),
  );

  return {
    el,
    fill(s) {
      autoSync.input.checked = s.autoSync;
      interval.value = String(s.intervalMinutes);
      overlap.value = String(s.overlapDays);
      for (const [i, e] of [[interval, intervalError], [overlap, overlapError]] as const) {
        e.hidden = true;
        i.removeAttribute("aria-invalid");
      }
      sync();
    },
    read() {
      const minutes = check(interval, intervalError, 5, 1440);
      const days = check(overlap, overlapError, 0, 30);
      if (minutes === null) interval.focus();
      else if (days === null) overlap.focus();
      if (minutes === null || days === null) return null;
      return { autoSync: autoSync.input.checked, intervalMinutes: minutes, overlapDays: days };
    },
  };
}
