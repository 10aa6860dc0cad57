// End-of-session documentation: the header badge "3 undocumented" (setting "required"), the
// banner "Document your session with …" (setting "ask"), and the prompt (who and when, notes,
// ticket number). Everything renders from the store's `documentation`, which the core's
// `documentation` events feed; saving writes the notes back with PUT (core: the log view's
// edit path) and the core sends the shorter list.
import * as api from "../api";
import { busy, field, h, setMessage, setText, show } from "../dom";
import { formatCount, formatDateTime, formatDuration, formatTime } from "../format";
import { onLanguageChange, plural, t } from "../i18n";
import { announce, showError } from "../notify";
import type { Store } from "../store";

export interface DocumentationHooks {
  /** A session was documented: views showing its record read it again. */
  documented(id: string): void;
}

export interface DocumentationUi {
  /** The header badge (required mode). */
  badge: HTMLButtonElement;
  /** The banner under the header (ask mode). */
  banner: HTMLElement;
  /** The prompt. */
  dialog: HTMLDialogElement;
  /** Opens the prompt for that session (a notification click), else for the oldest. */
  open(id?: string): void;
}

export function createDocumentation(store: Store, hooks: DocumentationHooks): DocumentationUi {
  const badge = h("button", {
    id: "documentation-badge",
    class: "badge-undocumented",
    hidden: true,
    tAttrs: { title: "doc.badgeTitle" },
    attrs: { type: "button" },
    on: { click: () => open() },
  });

  // ---- banner (ask) -------------------------------------------------------------------------
  const bannerText = h("span", { id: "documentation-banner-text", class: "banner-body" });
  const bannerOpen = h("button", { id: "documentation-banner-open", class: "primary", t: "doc.open", attrs: { type: "button" }, on: { click: () => open() } });
  const bannerClose = h("button", {
    id: "documentation-banner-close",
    class: "banner-close",
    text: "×",
    tAttrs: { "aria-label": "doc.later", title: "doc.later" },
    attrs: { type: "button" },
    on: {
      click: () => {
        // Hidden until a session joins the list.
        dismissed = new Set(sessions().map((s) => s.id));
        render();
      },
    },
  });
  const banner = h("div", { id: "documentation-banner", class: "banner banner-info", hidden: true, attrs: { role: "status" } }, bannerText, bannerOpen, bannerClose);
  let dismissed = new Set<string>();

  // ---- prompt -------------------------------------------------------------------------------
  const who = h("p", { id: "doc-who", class: "doc-who" });
  const when = h("p", { id: "doc-when", class: "hint doc-when" });
  const extra = h("p", { id: "doc-extra", class: "hint doc-extra" });
  const notes = h("textarea", { id: "doc-notes", attrs: { rows: 5, maxlength: 10000, "aria-describedby": "doc-notes-error" } });
  const notesError = h("p", { id: "doc-notes-error", class: "field-error", t: "doc.empty", hidden: true, attrs: { role: "alert" } });
  const ticket = h("input", { id: "doc-ticket", attrs: { type: "text", autocomplete: "off", spellcheck: "false", maxlength: 100, "aria-describedby": "doc-ticket-hint" } });
  const ticketHint = h("p", { id: "doc-ticket-hint", class: "hint", t: "doc.ticketHint" });
  const required = h("p", { id: "doc-required", class: "hint", t: "doc.requiredNote", hidden: true });
  const more = h("p", { id: "doc-more", class: "hint", hidden: true });
  const save = h("button", { id: "doc-save", class: "primary", t: "common.save", attrs: { type: "submit" } });
  const later = h("button", { id: "doc-later", t: "doc.later", attrs: { type: "button" }, on: { click: () => dialog.close() } });
  const skip = h("button", { id: "doc-skip", t: "doc.skip", attrs: { type: "button" }, on: { click: () => void skipCurrent() } });
  const dialog = h(
    "dialog",
    { id: "documentation-dialog", class: "doc-dialog", attrs: { "aria-labelledby": "doc-title", "aria-describedby": "doc-who doc-when" } },
    h(
      "form",
      { attrs: { novalidate: true }, on: { submit: (e) => { e.preventDefault(); void saveCurrent(); } } },
      h("h2", { id: "doc-title", t: "doc.title" }),
      who,
      when,
      extra,
      field("doc.notes", notes, notesError),
      field("doc.ticket", ticket, ticketHint),
      required,
      more,
      h("div", { class: "actions" }, skip, h("span", { class: "grow" }), later, save),
    ),
  );
  notes.addEventListener("input", () => showEmpty(false));
  ticket.addEventListener("input", () => showEmpty(false));

  /** The session the prompt shows. */
  let current: api.UndocumentedSession | null = null;

  const state = () => store.get().documentation;
  const sessions = (): readonly api.UndocumentedSession[] => state()?.sessions ?? [];
  const mode = (): api.DocumentationMode => state()?.mode ?? "off";

  function showEmpty(on: boolean): void {
    show(notesError, on);
    notes.setAttribute("aria-invalid", String(on));
  }

  function renderPrompt(): void {
    const s = current;
    if (!s) return;
    setMessage(who, s.customer ? "doc.with" : "doc.withUnknown", { name: s.customer });
    const sameDay = s.start && new Date(s.start).toDateString() === new Date(s.end).toDateString();
    setMessage(when, "doc.when", {
      start: formatDateTime(s.start),
      end: sameDay ? formatTime(s.end) : formatDateTime(s.end),
      duration: formatDuration(s.seconds),
    });
    const parts = [
      s.devicename && s.devicename !== s.customer ? t("doc.device", { device: s.devicename }) : "",
      s.sessionCode ? t("doc.code", { code: s.sessionCode }) : "",
    ].filter(Boolean);
    setText(extra, parts.join(" · "));
    show(extra, parts.length > 0);
    const isRequired = mode() === "required";
    show(skip, !isRequired);
    show(required, isRequired);
    const others = sessions().filter((x) => x.id !== s.id).length;
    show(more, others > 0);
    if (others > 0) setMessage(more, plural("doc.more", others), { count: formatCount(others) });
  }

  function open(id?: string): void {
    const list = sessions();
    const target = list.find((s) => s.id === id) ?? list[0];
    if (!target) return;
    if (current?.id !== target.id) {
      notes.value = "";
      ticket.value = "";
      showEmpty(false);
    }
    current = target;
    renderPrompt();
    if (!dialog.open) dialog.showModal();
    notes.focus();
  }

  async function saveCurrent(): Promise<void> {
    const s = current;
    if (!s) return;
    if (!notes.value.trim() && !ticket.value.trim()) {
      showEmpty(true);
      notes.focus();
      return;
    }
    try {
      const next = await busy(save, () => api.documentSession(s.id, notes.value, ticket.value));
      store.apply({ type: "documentation", state: next });
      dialog.close();
      announce("doc.saved");
      hooks.documented(s.id);
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  async function skipCurrent(): Promise<void> {
    const s = current;
    if (!s) return;
    try {
      const next = await busy(skip, () => api.skipDocumentation(s.id));
      store.apply({ type: "documentation", state: next });
      dialog.close();
      announce("doc.skipped");
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  dialog.addEventListener("close", () => {
    current = null;
  });

  function render(): void {
    const list = sessions();
    const n = list.length;
    const m = mode();
    show(badge, m === "required" && n > 0);
    if (m === "required" && n > 0) setText(badge, t(plural("doc.badge", n), { count: formatCount(n) }));
    const fresh = list.some((s) => !dismissed.has(s.id));
    show(banner, m === "ask" && n > 0 && fresh);
    if (n === 1) {
      const name = list[0]!.customer;
      setText(bannerText, name ? t("doc.bannerOne", { name }) : t("doc.bannerOneNoName"));
    } else if (n > 1) {
      setText(bannerText, t(plural("doc.bannerCount", n), { count: formatCount(n) }));
    }
    if (dialog.open && current) {
      // The session left the list (documented elsewhere, or the setting went off).
      const still = list.find((s) => s.id === current!.id);
      if (!still) dialog.close();
      else {
        current = still;
        renderPrompt();
      }
    }
  }

  store.subscribe((next, previous) => {
    if (next.documentation !== previous.documentation) render();
  });
  onLanguageChange(render);
  render();

  return { badge, banner, dialog, open };
}
