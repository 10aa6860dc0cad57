// Settings fieldset "Connection-log archive": sync at start and every N minutes while the app is
// open, and how many days an incremental sync reads again (late reports, recent edits).
import type * as api from "../api";
import { checkbox, field, h } from "../dom";
import { numberField } from "./number-field";

export interface ArchiveFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.ArchiveSettings): void;
  /** The values, or null after marking and focusing a field out of range. */
  read(): api.ArchiveSettings | null;
}

export function createArchiveFieldset(): ArchiveFieldset {
  const autoSync = checkbox("archive-auto-sync", "archive.autoSync");
  const interval = numberField("archive-interval", 5, 1440, "archive.intervalRange");
  const overlap = numberField("archive-overlap", 0, 30, "archive.overlapRange");
  const sync = () => {
    interval.input.disabled = !autoSync.input.checked;
  };
  autoSync.input.addEventListener("change", sync);

  const el = h(
    "fieldset",
    { id: "settings-archive", class: "plain archive-settings" },
    h("legend", { t: "archive.legend" }),
    autoSync.wrap,
    field("archive.interval", interval.input),
    interval.error,
    field("archive.overlap", overlap.input),
    overlap.error,
    h("p", { class: "hint", t: "archive.overlapHint" }),
  );

  return {
    el,
    fill(s) {
      autoSync.input.checked = s.autoSync;
      interval.fill(s.intervalMinutes);
      overlap.fill(s.overlapDays);
      sync();
    },
    read() {
      const minutes = interval.read();
      const days = overlap.read();
      if (minutes === null) interval.input.focus();
      else if (days === null) overlap.input.focus();
      if (minutes === null || days === null) return null;
      return { autoSync: autoSync.input.checked, intervalMinutes: minutes, overlapDays: days };
    },
  };
}
