// The desktop shell's requests to the window (event `desktop`): show a session from the tray or
// a notification, open the new-session form, ask before closing while customers wait, and the
// note shown while the system blocks notifications.
import * as api from "./api";
import { h, setMessage, show } from "./dom";
import { plural, t } from "./i18n";
import { showError } from "./notify";

export interface DesktopHooks {
  /** Shows the sessions tab and the session's detail. */
  focusSession(code: string): void;
  /** Shows the sessions tab and the new-session form. */
  newSession(): void;
  /** Opens the documentation prompt for that connection report (a notification click). */
  documentSession(id: string): void;
  /** Notifications changed state (Settings shows the note too). */
  notificationState(state: api.NotificationState): void;
}

export interface DesktopGlue {
  /** The note shown above the views while notifications are blocked. */
  note: HTMLElement;
  /** The confirm asked when the window is closed while customers wait. */
  dialog: HTMLDialogElement;
  handle(event: api.DesktopEvent): void;
  setNotificationState(state: api.NotificationState): void;
}

export function createDesktopGlue(hooks: DesktopHooks): DesktopGlue {
  const note = h("div", { id: "notifications-blocked", class: "banner banner-warn", t: "desktop.blocked", hidden: true, attrs: { role: "note" } });
  const text = h("p", { id: "close-confirm-text", class: "hint" });
  const choose = (action: api.CloseAction) => async () => {
    dialog.close();
    if (action === "ask") return;
    try {
      await api.closeWindow(action);
    } catch (error) {
      showError(api.toIpcError(error));
    }
  };
  const hide = h("button", { id: "close-confirm-hide", class: "primary", t: "desktop.confirmHide", attrs: { type: "button" }, on: { click: choose("hideToTray") } });
  const quit = h("button", { id: "close-confirm-quit", t: "desktop.confirmQuit", attrs: { type: "button" }, on: { click: choose("quit") } });
  const cancel = h("button", { id: "close-confirm-cancel", t: "desktop.confirmCancel", attrs: { type: "button" }, on: { click: choose("ask") } });
  const dialog = h(
    "dialog",
    { id: "close-confirm", attrs: { "aria-labelledby": "close-confirm-title", "aria-describedby": "close-confirm-text" } },
    h("h2", { id: "close-confirm-title", t: "desktop.confirmTitle" }),
    text,
    h("div", { class: "actions" }, hide, quit, cancel),
  );

  function setNotificationState(state: api.NotificationState): void {
    show(note, state.state === "blocked");
    note.title = state.state === "blocked" ? t("banner.detail", { detail: state.reason }) : "";
    hooks.notificationState(state);
  }

  return {
    note,
    dialog,
    setNotificationState,
    handle(event) {
      switch (event.type) {
        case "focusSession":
          if (dialog.open) dialog.close();
          hooks.focusSession(event.code);
          break;
        case "newSession":
          hooks.newSession();
          break;
        case "documentSession":
          if (dialog.open) dialog.close();
          hooks.documentSession(event.id);
          break;
        case "closeRequested":
          setMessage(text, plural("desktop.confirmText", event.waiting), { count: event.waiting });
          if (!dialog.open) dialog.showModal();
          hide.focus();
          break;
        case "notifications":
          setNotificationState(event.state);
          break;
      }
    },
  };
}
