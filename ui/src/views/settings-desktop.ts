// Settings fieldset "Desktop": waiting-customer notifications (with the system's refusal shown
// here), what closing the window does while customers wait, start at login, start minimised.
import type * as api from "../api";
import { checkbox, field, h, options, show } from "../dom";

export interface DesktopFieldset {
  el: HTMLFieldSetElement;
  fill(settings: api.DesktopSettings): void;
  read(): api.DesktopSettings;
  /** Shows the "notifications are blocked" note while the system refuses them. */
  setNotificationState(state: api.NotificationState): void;
}

export function createDesktopFieldset(): DesktopFieldset {
  const notifications = checkbox("desktop-notifications", "desktop.notifications");
  const blocked = h("p", { id: "desktop-notifications-blocked", class: "hint hint-warn", t: "desktop.blocked", hidden: true, attrs: { role: "note" } });
  const closeAction = h(
    "select",
    { id: "desktop-close-action" },
    ...options([
      ["ask", "desktop.closeAsk"],
      ["hideToTray", "desktop.closeHide"],
      ["quit", "desktop.closeQuit"],
    ]),
  );
  const startAtLogin = checkbox("desktop-start-at-login", "desktop.startAtLogin");
  const startMinimised = checkbox("desktop-start-minimised", "desktop.startMinimised");
  const sync = () => {
    startMinimised.input.disabled = !startAtLogin.input.checked;
  };
  startAtLogin.input.addEventListener("change", sync);
  let state: api.NotificationState = { state: "allowed" };
  const syncBlocked = () => show(blocked, notifications.input.checked && state.state === "blocked");
  notifications.input.addEventListener("change", syncBlocked);

  const el = h(
    "fieldset",
    { id: "settings-desktop", class: "plain desktop-settings" },
    h("legend", { t: "desktop.legend" }),
    notifications.wrap,
    h("p", { class: "hint", t: "desktop.notificationsHint" }),
    blocked,
    field("desktop.closeAction", closeAction),
    startAtLogin.wrap,
    startMinimised.wrap,
    h("p", { class: "hint", t: "desktop.startMinimisedHint" }),
  );

  return {
    el,
    fill(s) {
      notifications.input.checked = s.notifications;
      closeAction.value = s.closeAction;
      startAtLogin.input.checked = s.startAtLogin;
      startMinimised.input.checked = s.startMinimised;
      sync();
      syncBlocked();
    },
    read() {
      const action = closeAction.value;
      return {
        notifications: notifications.input.checked,
        closeAction: action === "hideToTray" || action === "quit" ? action : "ask",
        startAtLogin: startAtLogin.input.checked,
        startMinimised: startMinimised.input.checked,
      };
    },
    setNotificationState(next) {
      state = next;
      blocked.title = next.state === "blocked" ? next.reason : "";
      syncBlocked();
    },
  };
}
