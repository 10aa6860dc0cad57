// A session's detail: a modal <dialog> (Escape closes it, focus returns to the row) with the
// code, the three links, customer, description, waiting message, group, assignee, dates and
// state, and the actions: open, invitation, edit, assign to a colleague, close. It renders from
// the store, so a close, an expiry or an edit elsewhere shows at once; a closed or expired
// session offers no Open or invitation action.
import * as api from "../api";
import type { AppContext } from "../context";
import { busy, h, setText, show } from "../dom";
import { formatDateTime } from "../format";
import { errorText, t, type MsgKey } from "../i18n";
import { groupLabel, isClosed, isExpired, latest, type Store } from "../store";
import { announce } from "../notify";

export interface SessionDetail {
  readonly el: HTMLDialogElement;
  open(session: api.Session, returnFocus?: HTMLElement | null): void;
  /** The colleagues (GET /users) once loaded, for names in the list; null when not allowed. */
  userName(id: string | null): string | null;
  /** Loads the colleagues once (the list's assignee column uses them too). */
  loadUsers(): Promise<void>;
}

export function createSessionDetail(ctx: AppContext, store: Store, onChange: () => void): SessionDetail {
  let current: api.Session | null = null;
  let returnTo: HTMLElement | null = null;
  let users: api.UserDto[] | null = null;
  let usersError: api.IpcError | null = null;

  const title = h("h2", { id: "detail-title", t: "detail.title" });
  const codeEl = h("output", { id: "detail-code", class: "session-code" });
  const stateEl = h("span", { id: "detail-state", class: "tag" });
  const waitingEl = h("span", { id: "detail-waiting-tag", class: "tag tag-waiting", t: "sessions.stateWaiting", hidden: true });
  const copyCodeBtn: HTMLButtonElement = h("button", {
    id: "detail-copy-code",
    class: "small",
    t: "detail.copyCode",
    attrs: { type: "button" },
    on: { click: () => void copyCode() },
  });
  type Fact = "customer" | "description" | "waiting" | "group" | "assignee" | "created" | "valid";
  const values = {} as Record<Fact, HTMLElement>;
  const row = (key: Fact, label: MsgKey) => {
    values[key] = h("dd", { id: `detail-${key}` });
    return [h("dt", { t: label }), values[key]];
  };
  const facts = h(
    "dl",
    { class: "facts" },
    ...row("customer", "sessions.col.customer"),
    ...row("description", "sessions.description"),
    ...row("waiting", "detail.waitingMessage"),
    ...row("group", "sessions.group"),
    ...row("assignee", "detail.assignee"),
    ...row("created", "detail.created"),
    ...row("valid", "detail.validUntil"),
  );

  const linkButtons: HTMLButtonElement[] = [];
  const linkTexts = {} as Record<"supporter" | "webClient" | "endCustomer", HTMLElement>;
  function linkRow(key: "supporter" | "webClient" | "endCustomer", label: MsgKey, open: { link: api.OpenLink; label: MsgKey } | null) {
    linkTexts[key] = h("code", { class: "link-text" });
    const copy = h("button", {
      class: "small detail-copy",
      t: "common.copy",
      attrs: { type: "button", "data-link": key, "data-needs-api": true },
      on: { click: () => void act(copy, (s) => api.copySessionLink(s.code, key), "common.copied") },
    });
    const buttons = [copy];
    if (open) {
      const opener = h("button", {
        class: "small detail-open",
        t: open.label,
        attrs: { type: "button", "data-link": open.link, "data-needs-api": true },
        on: { click: () => void act(opener, (s) => api.openSessionLink(s.code, open.link), "sessions.opening") },
      });
      buttons.push(opener);
    }
    linkButtons.push(...buttons);
    return h("div", { class: "link-row" }, h("span", { class: "link-label", t: label }), linkTexts[key], h("div", { class: "link-actions" }, ...buttons));
  }
  const links = h(
    "div",
    { class: "detail-links" },
    linkRow("supporter", "sessions.linkSupporter", { link: "supporter", label: "sessions.openTeamViewer" }),
    linkRow("webClient", "sessions.linkWebClient", { link: "webClient", label: "sessions.openBrowser" }),
    linkRow("endCustomer", "sessions.linkCustomer", null),
  );
  const unusable = h("p", { id: "detail-unusable", class: "result-state", hidden: true, attrs: { role: "status" } });

  const btn = (id: string, label: MsgKey, click: (b: HTMLButtonElement) => void, cls = "") => {
    const b: HTMLButtonElement = h("button", { id, class: cls || undefined, t: label, attrs: { type: "button", "data-needs-api": true }, on: { click: () => click(b) } });
    return b;
  };
  const emailBtn = btn("detail-email", "sessions.emailInvitation", (b) => void act(b, (s) => api.openSessionLink(s.code, "invitation"), "sessions.invitationOpened"));
  const inviteBtn = btn("detail-copy-invitation", "detail.copyInvitation", (b) => void act(b, (s) => api.copyInvitationText(s.code), "common.copied"));
  const editBtn = btn("detail-edit", "detail.edit", () => openEdit());
  const assignBtn = btn("detail-assign", "detail.assign", () => void openAssign());
  const closeBtn = btn("detail-close", "detail.closeSession", () => confirmClose(), "danger");
  const dismiss = h("button", { id: "detail-dismiss", t: "detail.dismiss", attrs: { type: "button" }, on: { click: () => dialog.close() } });
  const actions = h("div", { class: "actions detail-actions" }, emailBtn, inviteBtn, editBtn, assignBtn, closeBtn, h("span", { class: "grow" }), dismiss);
  const panelError = h("p", { id: "detail-error", class: "form-error", hidden: true, attrs: { role: "alert" } });

  // ---- edit ----
  const editFields = {
    description: h("textarea", { id: "edit-description", attrs: { rows: 2 } }),
    customerName: h("input", { id: "edit-customer-name", attrs: { type: "text", autocomplete: "off" } }),
    customerEmail: h("input", { id: "edit-customer-email", attrs: { type: "email", autocomplete: "off" } }),
    waitingMessage: h("textarea", { id: "edit-waiting-message", attrs: { rows: 2 } }),
  };
  const field = (control: HTMLElement, label: MsgKey) => h("div", { class: "field" }, h("label", { t: label, attrs: { for: control.id } }), control);
  const saveBtn = h("button", { id: "edit-save", class: "primary", t: "common.save", attrs: { type: "submit", "data-needs-api": true } });
  const editForm = h(
    "form",
    { id: "detail-edit-form", class: "detail-form", hidden: true, attrs: { novalidate: true }, on: { submit: (e) => void saveEdit(e) } },
    field(editFields.description, "sessions.description"),
    h("div", { class: "grid2" }, field(editFields.customerName, "sessions.customerName"), field(editFields.customerEmail, "sessions.customerEmail")),
    field(editFields.waitingMessage, "sessions.waitingMessage"),
    h("div", { class: "actions" }, saveBtn, h("button", { t: "common.cancel", attrs: { type: "button" }, on: { click: () => show(editForm, false) } })),
  );

  // ---- assign ----
  const picker = h("select", { id: "assign-picker" });
  const pickerNote = h("p", { id: "assign-note", class: "hint", hidden: true });
  const assignSave = h("button", { id: "assign-save", class: "primary", t: "detail.assignSave", attrs: { type: "submit", "data-needs-api": true } });
  const assignForm = h(
    "form",
    { id: "detail-assign-form", class: "detail-form", hidden: true, attrs: { novalidate: true }, on: { submit: (e) => void saveAssign(e) } },
    h("div", { class: "field" }, h("label", { t: "detail.assignTo", attrs: { for: picker.id } }), picker),
    pickerNote,
    h("div", { class: "actions" }, assignSave, h("button", { t: "common.cancel", attrs: { type: "button" }, on: { click: () => show(assignForm, false) } })),
  );

  const dialog = h(
    "dialog",
    { id: "session-detail", class: "session-detail", attrs: { "aria-labelledby": "detail-title" } },
    h("div", { class: "result-head" }, title, codeEl, copyCodeBtn, stateEl, waitingEl),
    unusable,
    facts,
    links,
    actions,
    panelError,
    editForm,
    assignForm,
  );
  dialog.addEventListener("close", () => {
    current = null;
    returnTo?.focus();
  });

  function fail(error: unknown): void {
    const e = api.toIpcError(error);
    setText(panelError, e.kind === "forbidden" ? t("detail.forbidden") : `${errorText(e.kind)} ${e.kind === "invalid_input" ? e.message : ""}`.trim());
    show(panelError, true);
  }

  async function act(button: HTMLButtonElement, action: (s: api.Session) => Promise<unknown>, done: MsgKey): Promise<void> {
    const s = current;
    if (!s || !usable(s)) return;
    show(panelError, false);
    try {
      await busy(button, () => action(s));
      announce(done, { code: s.code });
    } catch (error) {
      fail(error);
    }
  }

  /** The code can be copied in any state: it names the session in a ticket even once closed. */
  async function copyCode(): Promise<void> {
    const s = current;
    if (!s) return;
    show(panelError, false);
    try {
      await busy(copyCodeBtn, () => api.copySessionCode(s.code));
      announce("common.copied", { code: s.code });
    } catch (error) {
      fail(error);
    }
  }

  const usable = (s: api.Session) => !isClosed(store.get(), s) && !isExpired(store.get(), s, Date.now());

  function userName(id: string | null): string | null {
    if (!id) return null;
    // Server text: a name may carry stray whitespace (the sandbox sends "\tTabea Tab").
    return users?.find((u) => u.id === id)?.name.trim() || null;
  }

  function render(): void {
    if (!current) return;
    const state = store.get();
    const s = latest(state, current);
    current = s;
    const closed = isClosed(state, s);
    const expired = !closed && isExpired(state, s, Date.now());
    setText(codeEl, s.code);
    setText(stateEl, t(closed ? "sessions.stateClosed" : expired ? "sessions.stateExpired" : "detail.stateOpen"));
    stateEl.classList.toggle("tag-expired", expired);
    show(waitingEl, !closed && s.online === true);
    const customer = [s.customerName, s.customerEmail].filter(Boolean).join(" · ");
    setText(values.customer, customer || t("common.none"));
    setText(values.description, s.description || t("common.none"));
    setText(values.waiting, s.waitingMessage || t("common.none"));
    setText(values.group, groupLabel(state, s) ?? t("common.none"));
    setText(values.assignee, s.assignedUserId ? (userName(s.assignedUserId) ?? s.assignedUserId) : t("detail.nobody"));
    setText(values.created, formatDateTime(s.createdAt));
    setText(values.valid, formatDateTime(s.validUntil));
    setText(linkTexts.supporter, s.supporterLink ?? t("common.none"));
    setText(linkTexts.webClient, s.webClientLink ?? t("common.none"));
    setText(linkTexts.endCustomer, s.endCustomerLink ?? t("common.none"));
    const ok = !closed && !expired;
    for (const b of [...linkButtons, emailBtn, inviteBtn]) show(b, ok);
    show(editBtn, !closed);
    show(assignBtn, !closed);
    show(closeBtn, !closed);
    if (closed) {
      show(editForm, false);
      show(assignForm, false);
    }
    setText(unusable, closed ? t("sessions.resultClosed") : expired ? t("sessions.resultExpired") : "");
    show(unusable, !ok);
  }
  store.subscribe(render);

  function openEdit(): void {
    const s = current;
    if (!s) return;
    show(assignForm, false);
    editFields.description.value = s.description ?? "";
    editFields.customerName.value = s.customerName ?? "";
    editFields.customerEmail.value = s.customerEmail ?? "";
    editFields.waitingMessage.value = s.waitingMessage ?? "";
    show(editForm, true);
    editFields.description.focus();
  }

  async function saveEdit(e: Event): Promise<void> {
    e.preventDefault();
    const s = current;
    if (!s) return;
    show(panelError, false);
    const edit: api.SessionEdit = {
      description: editFields.description.value,
      customerName: editFields.customerName.value,
      customerEmail: editFields.customerEmail.value,
      waitingMessage: editFields.waitingMessage.value,
    };
    try {
      const updated = await busy(saveBtn, () => api.editSession(s.code, edit));
      store.apply({ type: "session_changed", session: updated, fields: [] });
      current = updated;
      show(editForm, false);
      render();
      onChange();
      announce("detail.saved", { code: s.code });
      editBtn.focus();
    } catch (error) {
      fail(error);
    }
  }

  async function loadUsers(): Promise<void> {
    if (users || usersError?.kind === "forbidden") return;
    try {
      users = await api.listUsers();
      usersError = null;
      render();
      onChange();
    } catch (error) {
      usersError = api.toIpcError(error);
    }
  }

  async function openAssign(): Promise<void> {
    const s = current;
    if (!s) return;
    show(editForm, false);
    show(assignForm, true);
    await loadUsers();
    const me = ctx.auth().account?.userid ?? null;
    if (users) {
      picker.replaceChildren(
        h("option", { t: "detail.nobody", attrs: { value: "u0" } }),
        ...users.map((u) => h("option", { text: u.id === me ? t("detail.me", { name: u.name }) : u.name, attrs: { value: u.id } })),
      );
      picker.value = s.assignedUserId ?? "u0";
      picker.disabled = false;
      assignSave.disabled = false;
      show(pickerNote, false);
    } else {
      picker.replaceChildren();
      picker.disabled = true;
      assignSave.disabled = true;
      setText(pickerNote, usersError?.kind === "forbidden" ? t("detail.usersForbidden") : `${t("detail.usersFailed")} ${errorText(usersError?.kind ?? "unknown")}`);
      show(pickerNote, true);
    }
    picker.focus();
  }

  async function saveAssign(e: Event): Promise<void> {
    e.preventDefault();
    const s = current;
    if (!s || picker.disabled) return;
    show(panelError, false);
    try {
      const updated = await busy(assignSave, () => api.assignSession(s.code, picker.value));
      store.apply({ type: "session_changed", session: updated, fields: ["assigned_userid"] });
      current = updated;
      show(assignForm, false);
      render();
      onChange();
      announce("detail.assigned", { code: s.code, name: userName(updated.assignedUserId) ?? t("detail.nobody") });
      assignBtn.focus();
    } catch (error) {
      fail(error);
    }
  }

  function confirmClose(): void {
    const s = current;
    if (!s) return;
    // The browser's own confirm is blocked in the webview; a second click confirms.
    if (closeBtn.dataset.confirm !== "1") {
      closeBtn.dataset.confirm = "1";
      setText(closeBtn, t("sessions.confirmYes"));
      return;
    }
    delete closeBtn.dataset.confirm;
    setText(closeBtn, t("detail.closeSession"));
    void (async () => {
      try {
        await busy(closeBtn, () => api.closeSession(s.code));
        store.apply({ type: "session_removed", session: s });
        announce("sessions.closed", { code: s.code });
        onChange();
      } catch (error) {
        fail(error);
      }
    })();
  }

  return {
    el: dialog,
    userName,
    loadUsers,
    open(session, returnFocus) {
      current = session;
      returnTo = returnFocus ?? null;
      show(editForm, false);
      show(assignForm, false);
      show(panelError, false);
      delete closeBtn.dataset.confirm;
      setText(closeBtn, t("detail.closeSession"));
      render();
      if (!dialog.open) dialog.showModal();
      dismiss.focus();
    },
  };
}
