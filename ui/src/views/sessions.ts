// Sessions tab: the new-session form, the created session's code and links, and the list of
// open (optionally also closed) sessions with client-side paging. Sessions come from the live
// store (store.ts): the list, the result card and the status line re-render from it, so a
// close, an expiry or a session created elsewhere shows everywhere at once.
import * as api from "../api";
import type { AppContext, View } from "../context";
import { busy, checkbox, h, setMessage, setText, show } from "../dom";
import { formatDateTime, formatTime } from "../format";
import { errorText, onLanguageChange, plural, t, type MsgKey } from "../i18n";
import { groupLabel, isClosed, isExpired, isUsable, latest, sameRows, type LiveState, type Store } from "../store";
import { announce, clearError, showError } from "../notify";
import { serverFieldError, validateSessionForm, type FieldError, type SessionField } from "../validate";
import { createSessionDetail } from "./session-detail";

const PAGE_SIZE = 25;

export interface SessionsView extends View {
  /** Opens the form and focuses its first field (Ctrl/Cmd+N). */
  openForm(): void;
}

export function createSessionsView(ctx: AppContext, store: Store): SessionsView {
  // ---- new-session form ---------------------------------------------------------------------
  const controls: Record<SessionField, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement> = {
    group: h("select", { id: "group-picker" }),
    groupName: h("input", { id: "group-name", attrs: { type: "text", autocomplete: "off" } }),
    description: h("textarea", { id: "description", attrs: { rows: 2 } }),
    customerName: h("input", { id: "customer-name", attrs: { type: "text", autocomplete: "off" } }),
    customerEmail: h("input", { id: "customer-email", attrs: { type: "email", autocomplete: "off" } }),
    waitingMessage: h("textarea", { id: "waiting-message", attrs: { rows: 2 } }),
  };
  const labels: Record<SessionField, MsgKey> = {
    group: "sessions.group",
    groupName: "sessions.groupName",
    description: "sessions.description",
    customerName: "sessions.customerName",
    customerEmail: "sessions.customerEmail",
    waitingMessage: "sessions.waitingMessage",
  };
  const fieldErrors = {} as Record<SessionField, HTMLElement>;
  const fields = {} as Record<SessionField, HTMLElement>;
  for (const key of Object.keys(controls) as SessionField[]) {
    const control = controls[key];
    const errorId = `${control.id}-error`;
    fieldErrors[key] = h("p", { id: errorId, class: "field-error", hidden: true });
    control.setAttribute("aria-describedby", errorId);
    fields[key] = h(
      "div",
      { class: `field field-${key}` },
      h("label", { t: labels[key], attrs: { for: control.id } }),
      control,
      fieldErrors[key],
    );
  }
  const groupPicker = controls.group as HTMLSelectElement;
  /** The fields shown with an error; each is checked again as it is edited. */
  const invalid = new Set<SessionField>();
  const FIELD_ORDER: SessionField[] = ["group", "groupName", "customerName", "customerEmail", "description", "waitingMessage"];
  for (const key of Object.keys(controls) as SessionField[]) {
    const recheck = () => {
      if (!invalid.size) return;
      const errors = validateSessionForm(readForm());
      // Only clears or updates errors already shown: typing never raises a new one.
      const still = errors.filter((e) => invalid.has(e.field) || ((e.field === "group" || e.field === "groupName") && (invalid.has("group") || invalid.has("groupName"))));
      showFieldErrors(still.map((e) => ({ field: e.field, text: clientErrorText(e) })), false);
      if (!still.length) show(formError, false);
    };
    controls[key].addEventListener("input", recheck);
    controls[key].addEventListener("change", recheck);
  }
  // A typed group name wins over the picker; picking a group clears the typed name.
  groupPicker.addEventListener("change", () => {
    (controls.groupName as HTMLInputElement).value = "";
  });

  const formError = h("p", { class: "form-error", hidden: true, attrs: { role: "alert" } });
  const createButton = h("button", { id: "create-session", class: "primary", t: "sessions.create", attrs: { type: "submit", "data-needs-api": true } });
  const creating = h("span", { class: "hint", t: "sessions.creating", hidden: true, attrs: { role: "status" } });
  const form = h(
    "form",
    { id: "session-form", class: "card session-form", hidden: true, attrs: { novalidate: true, "aria-labelledby": "session-form-title" }, on: { submit: (e) => void submit(e) } },
    h("h2", { id: "session-form-title", t: "sessions.newTitle" }),
    h("div", { class: "grid2" }, fields.group, fields.groupName, fields.customerName, fields.customerEmail),
    fields.description,
    fields.waitingMessage,
    formError,
    h(
      "div",
      { class: "actions" },
      createButton,
      h("button", { t: "common.cancel", attrs: { type: "button" }, on: { click: () => show(form, false) } }),
      creating,
    ),
  );
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") show(form, false);
  });

  function readForm(): api.NewSessionForm {
    const groupName = controls.groupName.value.trim();
    return {
      groupId: groupName ? null : groupPicker.value || null,
      groupName: groupName || null,
      description: controls.description.value,
      customerName: controls.customerName.value.trim(),
      customerEmail: controls.customerEmail.value.trim(),
      waitingMessage: controls.waitingMessage.value,
    };
  }

  function showFieldErrors(errors: { field: SessionField; text: string }[], focus = true): void {
    invalid.clear();
    for (const e of errors) invalid.add(e.field);
    for (const key of Object.keys(controls) as SessionField[]) {
      const error = errors.find((e) => e.field === key);
      setText(fieldErrors[key], error?.text ?? "");
      show(fieldErrors[key], Boolean(error));
      controls[key].setAttribute("aria-invalid", String(Boolean(error)));
    }
    // The first invalid field in the order the form shows them.
    const first = FIELD_ORDER.find((f) => errors.some((e) => e.field === f));
    if (focus && first) controls[first].focus();
  }

  const clientErrorText = (e: FieldError) => t(e.key, e.params);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    show(formError, false);
    const values = readForm();
    const errors = validateSessionForm(values);
    showFieldErrors(errors.map((e) => ({ field: e.field, text: clientErrorText(e) })));
    if (errors.length) {
      setMessage(formError, "validate.form");
      show(formError, true);
      return;
    }
    show(creating, true);
    try {
      // Never retried automatically: a second POST would create a second session.
      const session = await busy(createButton, () => api.createSession(values));
      clearError();
      // The store has it at once; the core's live list confirms it with its next refresh.
      store.apply({ type: "session_added", session });
      showResult(session);
      for (const key of ["description", "customerName", "customerEmail", "waitingMessage"] as const) {
        controls[key].value = "";
      }
      // The result and the list matter now; Ctrl/Cmd+N brings the form back.
      show(form, false);
      result.querySelector<HTMLElement>("#open-teamviewer")?.focus();
      announce("sessions.created", { code: session.code });
      if (includeClosed()) void refresh();
    } catch (error) {
      const e = api.toIpcError(error);
      const mapped = e.kind === "invalid_input" ? serverFieldError(e.message) : null;
      if (mapped) {
        showFieldErrors([{ field: mapped.field, text: `${errorText(e.kind)} ${mapped.detail}` }]);
      } else if (e.kind === "invalid_input") {
        setText(formError, `${errorText(e.kind)} ${e.message}`);
        show(formError, true);
      } else if (e.kind === "license_limit") {
        const expired = expiredOpen();
        const offer = h("button", {
          id: "license-cleanup",
          class: "small",
          text: t(plural("sessions.cleanupOffer", expired.length), { n: expired.length }),
          attrs: { type: "button", "data-needs-api": true },
          on: { click: () => askCloseExpired() },
        });
        formError.replaceChildren(
          h("span", { text: `${t("sessions.licenseLimit")} ` }),
          expired.length ? offer : h("span", { text: t("sessions.licenseNoExpired") }),
        );
        show(formError, true);
      } else {
        showError(e);
      }
    } finally {
      show(creating, false);
    }
  }

  // ---- created session ----------------------------------------------------------------------
  const codeEl = h("output", { id: "session-code", class: "session-code" });
  type LinkRow = { text: HTMLElement; buttons: HTMLButtonElement[] };
  let current: api.Session | null = null;

  function linkRow(
    label: MsgKey,
    textId: string,
    copyId: string,
    copyLink: api.CopyLink,
    open: { id: string; label: MsgKey; link: api.OpenLink; done: MsgKey; primary?: boolean },
  ): [HTMLElement, LinkRow] {
    const text = h("code", { id: textId, class: "link-text" });
    const labelId = `${textId}-label`;
    const copy = h("button", {
      id: copyId,
      t: "common.copy",
      // Read as "Copy, Supporter link": the visible label names the link.
      attrs: { type: "button", "aria-labelledby": `${copyId} ${labelId}` },
      on: { click: () => void withCurrent(copy, (s) => api.copySessionLink(s.code, copyLink), "common.copied") },
    });
    const opener = h("button", {
      id: open.id,
      class: open.primary ? "primary" : undefined,
      t: open.label,
      attrs: { type: "button" },
      on: { click: () => void withCurrent(opener, (s) => api.openSessionLink(s.code, open.link), open.done) },
    });
    const row = h("div", { class: "link-row" }, h("span", { id: labelId, class: "link-label", t: label }), text, h("div", { class: "link-actions" }, copy, opener));
    return [row, { text, buttons: [copy, opener] }];
  }

  const [supRow, sup] = linkRow("sessions.linkSupporter", "link-supporter", "copy-supporter", "supporter", {
    id: "open-teamviewer", label: "sessions.openTeamViewer", link: "supporter", done: "sessions.opening", primary: true,
  });
  const [webRow, web] = linkRow("sessions.linkWebClient", "link-webclient", "copy-webclient", "webClient", {
    id: "open-browser", label: "sessions.openBrowser", link: "webClient", done: "sessions.opening",
  });
  const [custRow, cust] = linkRow("sessions.linkCustomer", "link-customer", "copy-customer", "endCustomer", {
    id: "email-invitation", label: "sessions.emailInvitation", link: "invitation", done: "sessions.invitationOpened",
  });
  const resultState = h("p", { id: "session-result-state", class: "result-state", hidden: true, attrs: { role: "status" } });
  const result = h(
    "section",
    { id: "session-result", class: "card session-result", hidden: true, attrs: { "aria-labelledby": "session-result-title" } },
    h("div", { class: "result-head" }, h("h2", { id: "session-result-title", t: "sessions.code" }), codeEl),
    resultState,
    supRow,
    webRow,
    custRow,
  );

  async function withCurrent(button: HTMLButtonElement, action: (s: api.Session) => Promise<unknown>, done: MsgKey): Promise<void> {
    const session = current;
    if (!session || !isUsable(store.get(), latest(store.get(), session), Date.now())) return;
    try {
      await busy(button, () => action(session));
      announce(done, { code: session.code });
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  function showResult(session: api.Session): void {
    current = session;
    renderResult();
    show(result, true);
  }

  /** The result card from the store: a closed or expired session offers no link actions. */
  function renderResult(): void {
    if (!current) return;
    const state = store.get();
    const session = latest(state, current);
    current = session;
    const closed = isClosed(state, session);
    const expired = !closed && isExpired(state, session, Date.now());
    const usable = !closed && !expired;
    setText(codeEl, session.code);
    const fill = (row: LinkRow, link: string | null) => {
      setText(row.text, link ?? t("common.none"));
      row.text.title = link ?? "";
      for (const b of row.buttons) {
        b.disabled = !link;
        show(b, usable);
      }
    };
    fill(sup, session.supporterLink);
    fill(web, session.webClientLink);
    fill(cust, session.endCustomerLink);
    result.classList.toggle("unusable", !usable);
    if (closed) setMessage(resultState, "sessions.resultClosed");
    else if (expired) setMessage(resultState, "sessions.resultExpired");
    show(resultState, !usable);
  }

  // ---- session list -------------------------------------------------------------------------
  let sessions: api.Session[] = [];
  /** The last `list_sessions("all")` answer, while "show closed" is on (closed ones come only from there). */
  let allSessions: api.Session[] | null = null;
  let page = 0;
  let loading = false;
  // ---- filters: state, owner, waiting, search (client-side over the rows) --------------------
  type StateFilter = "open" | "valid" | "expired" | "closed" | "all";
  const stateFilter = h(
    "select",
    { id: "filter-state", tAttrs: { "aria-label": "sessions.filter.state" } },
    ...(["open", "valid", "expired", "closed", "all"] as const).map((v) => h("option", { t: `sessions.filter.${v}` as MsgKey, attrs: { value: v } })),
  );
  const ownerFilter = h(
    "select",
    { id: "filter-owner", tAttrs: { "aria-label": "sessions.filter.owner" } },
    h("option", { t: "sessions.filter.everyone", attrs: { value: "all" } }),
    h("option", { t: "sessions.filter.mine", attrs: { value: "mine" } }),
  );
  const waitingFilter = checkbox("filter-waiting", "sessions.filter.waiting");
  const search = h("input", { id: "filter-search", attrs: { type: "search", autocomplete: "off" }, tAttrs: { placeholder: "sessions.filter.search", "aria-label": "sessions.filter.search" } });
  const includeClosed = () => stateFilter.value === "closed" || stateFilter.value === "all";
  stateFilter.addEventListener("change", () => {
    page = 0;
    if (includeClosed() !== Boolean(allSessions)) void refresh();
    else render();
  });
  for (const control of [ownerFilter, waitingFilter.input]) control.addEventListener("change", () => { page = 0; render(); });
  search.addEventListener("input", () => { page = 0; render(); });

  function matches(s: api.Session, state: LiveState, now: number): boolean {
    const closed = isClosed(state, s);
    const expired = !closed && isExpired(state, s, now);
    switch (stateFilter.value as StateFilter) {
      case "open": if (closed) return false; break;
      case "valid": if (closed || expired) return false; break;
      case "expired": if (!expired) return false; break;
      case "closed": if (!closed) return false; break;
      case "all": break;
    }
    if (ownerFilter.value === "mine" && s.assignedUserId !== (ctx.auth().account?.userid ?? "")) return false;
    if (waitingFilter.input.checked && s.online !== true) return false;
    const q = search.value.trim().toLowerCase();
    if (q) {
      const code = s.code.toLowerCase();
      const hay = [code, code.replace(/-/g, ""), s.customerName, s.customerEmail, s.description].filter(Boolean).join("\n").toLowerCase();
      if (!hay.includes(q) && !hay.includes(q.replace(/-/g, ""))) return false;
    }
    return true;
  }

  /** Open sessions past their validity, from the store. */
  function expiredOpen(): api.Session[] {
    const state = store.get();
    const now = Date.now();
    return state.sessions.filter((s) => !isClosed(state, s) && isExpired(state, s, now));
  }

  // ---- close expired (bulk) ------------------------------------------------------------------
  const closeExpiredButton = h("button", { id: "close-expired", t: "sessions.closeExpired", attrs: { type: "button", "data-needs-api": true }, on: { click: () => askCloseExpired() } });
  const bulk = h("div", { id: "bulk-close", class: "bulk-close", hidden: true, attrs: { role: "region", "aria-live": "polite" } });

  function askCloseExpired(codes: string[] = expiredOpen().map((s) => s.code)): void {
    if (!codes.length) return;
    const yes = h("button", {
      id: "bulk-confirm",
      class: "danger small",
      text: t(plural("sessions.bulkYes", codes.length), { n: codes.length }),
      attrs: { type: "button", "data-needs-api": true },
      on: { click: () => void closeMany(codes, yes) },
    });
    const no = h("button", { id: "bulk-cancel", class: "small", t: "common.cancel", attrs: { type: "button" }, on: { click: () => show(bulk, false) } });
    bulk.replaceChildren(h("p", { class: "confirm-text", text: t(plural("sessions.bulkQuestion", codes.length), { n: codes.length }) }), yes, no);
    show(bulk, true);
    yes.focus();
  }

  async function closeMany(codes: string[], button: HTMLButtonElement): Promise<void> {
    let outcomes: api.CloseOutcome[];
    try {
      outcomes = await busy(button, () => api.closeSessions(codes));
    } catch (error) {
      showError(api.toIpcError(error));
      return;
    }
    const state = store.get();
    for (const o of outcomes) {
      if (o.error) continue;
      const s = state.sessions.find((x) => x.code === o.code);
      if (s) store.apply({ type: "session_removed", session: s });
    }
    const failed = outcomes.filter((o) => o.error);
    const closedCount = outcomes.length - failed.length;
    const summaryKey = plural(failed.length ? "sessions.bulkPartial" : "sessions.bulkDone", closedCount);
    const summary = h("p", { id: "bulk-summary", text: t(summaryKey, { n: closedCount, failed: failed.length }) });
    const list = h("ul", { id: "bulk-failures" }, ...failed.map((o) => h("li", { attrs: { "data-code": o.code } }, h("span", { class: "mono", text: o.code }), ` — ${errorText(o.error?.kind ?? "unknown")}`)));
    const retry: HTMLButtonElement | null = failed.length
      ? h("button", { id: "bulk-retry", class: "small", t: "sessions.bulkRetry", attrs: { type: "button", "data-needs-api": true }, on: { click: () => { if (retry) void closeMany(failed.map((o) => o.code), retry); } } })
      : null;
    const ok = h("button", { class: "small", t: "detail.dismiss", attrs: { type: "button" }, on: { click: () => show(bulk, false) } });
    bulk.replaceChildren(summary, failed.length ? list : "", ...(retry ? [retry] : []), ok);
    announce(summaryKey, { n: closedCount, failed: failed.length });
    if (includeClosed()) void refresh();
  }
  const refreshButton = h("button", { id: "refresh-sessions", t: "common.refresh", attrs: { type: "button", "data-needs-api": true }, on: { click: () => void refresh() } });
  const liveStatus = h("span", { id: "live-status", class: "hint live-status", attrs: { role: "status" } });
  const listBody = h("tbody");
  const emptyRow = h("p", { class: "empty", hidden: true });
  const countEl = h("span", { class: "hint" });
  const pageEl = h("span", { class: "page-info" });
  const prev = h("button", { class: "pager", text: "‹", tAttrs: { "aria-label": "sessions.prev", title: "sessions.prev" }, attrs: { type: "button" }, on: { click: () => goto(page - 1) } });
  const next = h("button", { class: "pager", text: "›", tAttrs: { "aria-label": "sessions.next", title: "sessions.next" }, attrs: { type: "button" }, on: { click: () => goto(page + 1) } });
  const pager = h("nav", { class: "pager-bar", hidden: true }, prev, pageEl, next);

  const headers: MsgKey[] = [
    "sessions.col.code",
    "sessions.col.customer",
    "sessions.col.description",
    "sessions.col.groupAssignee",
    "sessions.col.created",
    "sessions.col.online",
    "sessions.col.actions",
  ];
  const list = h(
    "section",
    { class: "card session-list", attrs: { "aria-labelledby": "session-list-title" } },
    h(
      "div",
      { class: "toolbar" },
      h("h2", { id: "session-list-title", t: "sessions.listTitle" }),
      countEl,
      liveStatus,
      h("span", { class: "grow" }),
      closeExpiredButton,
      refreshButton,
    ),
    h("div", { class: "toolbar filters" }, search, stateFilter, ownerFilter, waitingFilter.wrap),
    bulk,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "session-list", class: "data sessions-table", attrs: { "aria-busy": "false" } },
        h("thead", {}, h("tr", {}, ...headers.map((key) => h("th", { t: key, tAttrs: { title: key }, attrs: { scope: "col" } })))),
        listBody,
      ),
    ),
    emptyRow,
    pager,
  );

  function goto(p: number): void {
    const pages = Math.max(1, Math.ceil(sessions.length / PAGE_SIZE));
    page = Math.min(Math.max(0, p), pages - 1);
    renderList();
  }

  function onlineText(online: boolean | null): string {
    return online === null ? t("sessions.unknown") : t(online ? "sessions.online" : "sessions.offline");
  }

  function sessionRow(s: api.Session): HTMLTableRowElement {
    const state = store.get();
    const closed = isClosed(state, s);
    const expired = !closed && isExpired(state, s, Date.now());
    const actions = h("td", { class: "row-actions" });
    const marker = closed
      ? h("div", { class: "tag", t: "sessions.stateClosed" })
      : expired
        ? h("div", { class: "tag tag-expired", t: "sessions.stateExpired" })
        : s.online === true
          ? h("div", { class: "tag tag-waiting", t: "sessions.stateWaiting" })
          : null;
    const tr: HTMLTableRowElement = h(
      "tr",
      {
        class: "session-row",
        attrs: { "data-code": s.code, "data-open": String(!closed), "data-expired": String(expired), tabindex: 0, "aria-label": t("sessions.openDetail", { code: s.code }) },
        on: {
          click: (e) => {
            if ((e.target as HTMLElement).closest("button")) return;
            detail.open(s, tr);
          },
          keydown: (e) => {
            if (e.key === "Enter" && e.target === tr) {
              e.preventDefault();
              detail.open(s, tr);
            }
          },
        },
      },
      h("td", { class: "mono nowrap" }, s.code, marker),
      h(
        "td",
        {},
        h("div", { text: s.customerName || t("common.none") }),
        s.customerEmail ? h("div", { class: "sub", text: s.customerEmail }) : null,
        // Shown instead of the description column in a narrow window (style.css, ≤ 900 px).
        s.description ? h("div", { class: "sub desc-inline", text: s.description, attrs: { title: s.description } }) : null,
      ),
      h("td", { class: "clip", text: s.description ?? "", attrs: { title: s.description ?? "" } }),
      h(
        "td",
        { class: "clip group-assignee" },
        h("div", { class: "clip-line", text: groupLabel(state, s) ?? t("common.none") }),
        h("div", { class: "sub clip-line", text: s.assignedUserId ? (detail.userName(s.assignedUserId) ?? s.assignedUserId) : t("detail.nobody") }),
      ),
      h(
        "td",
        { class: "nowrap" },
        h("div", { text: formatDateTime(s.createdAt) }),
        h("div", { class: "sub", text: t("sessions.validUntil", { date: formatDateTime(s.validUntil) }) }),
      ),
      h("td", {}, h("span", { class: `dot ${s.online ? "on" : "off"}`, attrs: { "aria-hidden": "true" } }), onlineText(s.online)),
      actions,
    );
    if (!closed) fillActions(actions, s, !expired);
    return tr;
  }

  /** Close for every open session; Open only for one that is not expired. */
  function fillActions(cell: HTMLElement, s: api.Session, openable = isUsable(store.get(), s, Date.now())): void {
    const open = h("button", {
      class: "open-row primary small",
      t: "sessions.openTeamViewer",
      attrs: { type: "button", "aria-label": t("sessions.openLabel", { code: s.code }) },
      on: {
        click: async () => {
          try {
            await busy(open, () => api.openSessionLink(s.code, "supporter"));
            announce("sessions.opening", { code: s.code });
          } catch (error) {
            showError(api.toIpcError(error));
          }
        },
      },
    });
    const close = h("button", {
      class: "close-row small",
      t: "sessions.close",
      attrs: { type: "button", "aria-label": t("sessions.closeLabel", { code: s.code }), "data-needs-api": true },
      on: { click: () => confirmClose(cell, s) },
    });
    if (openable) cell.replaceChildren(open, close);
    else cell.replaceChildren(close);
  }

  function confirmClose(cell: HTMLElement, s: api.Session): void {
    const yes = h("button", {
      class: "confirm-close danger small",
      t: "sessions.confirmYes",
      attrs: { type: "button", "data-needs-api": true },
      on: {
        click: async () => {
          try {
            await busy(yes, () => api.closeSession(s.code));
            announce("sessions.closed", { code: s.code });
            // Every place that shows it hears of the close (the list, the result card).
            store.apply({ type: "session_removed", session: s });
            if (includeClosed()) await refresh();
          } catch (error) {
            showError(api.toIpcError(error));
            fillActions(cell, s);
          }
        },
      },
    });
    const no = h("button", {
      class: "cancel-close small",
      t: "sessions.keepOpen",
      attrs: { type: "button" },
      on: { click: () => fillActions(cell, s) },
    });
    const escape = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      fillActions(cell, s);
      cell.querySelector<HTMLElement>(".close-row")?.focus();
    };
    yes.addEventListener("keydown", escape);
    no.addEventListener("keydown", escape);
    cell.replaceChildren(h("span", { class: "confirm-text", text: t("sessions.confirmClose", { code: s.code }) }), yes, no);
    yes.focus();
  }

  function renderList(): void {
    const pages = Math.max(1, Math.ceil(sessions.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    const slice = sessions.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    listBody.replaceChildren(...slice.map(sessionRow));
    show(emptyRow, sessions.length === 0);
    const filtered = search.value.trim() !== "" || ownerFilter.value !== "all" || waitingFilter.input.checked || (stateFilter.value !== "open" && stateFilter.value !== "all");
    setMessage(emptyRow, loading ? "sessions.loading" : filtered ? "sessions.emptyFiltered" : includeClosed() ? "sessions.emptyAll" : "sessions.empty");
    setMessage(countEl, plural("sessions.count", sessions.length), { n: sessions.length });
    show(pager, pages > 1);
    setMessage(pageEl, "sessions.page", { page: page + 1, pages });
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  /** The rows: the store's open sessions, plus the closed ones of the last "all" list. */
  function derive(state: LiveState): api.Session[] {
    if (!allSessions) return [...state.sessions];
    const live = new Map(state.sessions.map((s) => [s.code, s]));
    const merged = allSessions.map((s) => live.get(s.code) ?? s);
    const listed = new Set(merged.map((s) => s.code));
    // The store's order is newest first; the "all" list is too, so open ones new since go on top.
    return [...state.sessions.filter((s) => !listed.has(s.code)), ...merged];
  }

  function render(): void {
    const state = store.get();
    const now = Date.now();
    sessions = derive(state).filter((s) => matches(s, state, now));
    const expiredCount = expiredOpen().length;
    show(closeExpiredButton, expiredCount > 0);
    setText(closeExpiredButton, t("sessions.closeExpired", { n: expiredCount }));
    renderList();
    renderResult();
    renderStatus();
  }

  function renderStatus(): void {
    const status = store.get().status;
    switch (status.state) {
      case "ok":
        setMessage(liveStatus, "sessions.live.updated", { time: formatTime(status.at) });
        break;
      case "offline":
        setMessage(liveStatus, "sessions.live.offline", { time: formatTime(status.since) });
        break;
      case "slowed_down":
        if (status.reason === "budget") setMessage(liveStatus, "sessions.live.budget");
        else setMessage(liveStatus, "sessions.live.rateLimited", { time: formatTime(status.until) });
        break;
      default:
        setText(liveStatus, "");
    }
    liveStatus.dataset.state = status.state;
    liveStatus.classList.toggle("warn", status.state === "offline" || status.state === "slowed_down");
  }

  // Most live updates only change the status line ("Updated 14:02"); the rows are rebuilt only
  // when the sessions shown can have changed.
  store.subscribe((state, previous) => (sameRows(state, previous) ? renderStatus() : render()));

  /** Refresh: the live list refreshes in the core (its answer arrives as events); with "show closed" the closed ones are listed again. */
  async function refresh(): Promise<void> {
    if (!ctx.auth().signedIn) return;
    const all = includeClosed();
    if (!all) allSessions = null;
    loading = all;
    listBody.parentElement?.setAttribute("aria-busy", String(all));
    render();
    try {
      await busy(refreshButton, async () => {
        await api.refreshSessions();
        if (all) allSessions = await api.listSessions("all");
      });
    } catch (error) {
      showError(api.toIpcError(error));
    } finally {
      loading = false;
      listBody.parentElement?.setAttribute("aria-busy", "false");
      render();
    }
  }

  onLanguageChange(render);

  // ---- view ---------------------------------------------------------------------------------
  const newButton = h("button", {
    id: "new-session",
    class: "primary",
    t: "sessions.new",
    tAttrs: { title: "sessions.new" },
    attrs: { type: "button", "aria-controls": "session-form", "aria-keyshortcuts": "Control+N" },
    on: { click: () => openForm() },
  });

  function openForm(): void {
    show(form, true);
    (groupPicker.options.length > 1 ? groupPicker : controls.groupName).focus();
  }

  const detail = createSessionDetail(ctx, store, () => render());
  // A tray entry or a notification click asks for one session: its detail opens.
  store.onFocus((code) => {
    const session = store.get().sessions.find((s) => s.code === code);
    if (session) detail.open(session, null);
  });

  const el = h(
    "section",
    { id: "panel-sessions", class: "panel sessions", hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-sessions" } },
    h("div", { class: "toolbar" }, newButton),
    form,
    result,
    list,
    detail.el,
  );

  return {
    el,
    openForm,
    onSignedIn: () => {
      void detail.loadUsers();
      if (includeClosed()) void refresh();
      else render();
    },
    onSignedOut: () => {
      allSessions = null;
      render();
      current = null;
      show(result, false);
      show(form, false);
    },
    setGroups(groups: api.Group[]) {
      const selected = groupPicker.value;
      groupPicker.replaceChildren(
        h("option", { t: "sessions.groupChoose", attrs: { value: "" } }),
        ...groups.map((g) => h("option", { text: g.name, attrs: { value: g.id } })),
      );
      groupPicker.value = groups.some((g) => g.id === selected) ? selected : (groups[0]?.id ?? "");
    },
  };
}
