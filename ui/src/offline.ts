// Offline truth, in one place: when the live refresher reports the API unreachable, a calm
// "Offline — showing data from 14:02" marker, and every element marked `data-needs-api` is
// disabled with the reason (title + aria-describedby). It recovers by itself when the refresher
// succeeds again. Views only put the attribute on their buttons; this module does the rest,
// also for buttons rendered while offline.
import type { LiveStatus } from "./api";
import { h, setText, show } from "./dom";
import { formatTime } from "./format";
import { onLanguageChange, t } from "./i18n";
import type { LiveState, Store } from "./store";

export const NEEDS_API = "data-needs-api";
/** Marks what this module disabled, so that recovery re-enables only those. */
const DISABLED_BY_US = "data-offline-disabled";
const REASON_ID = "offline-reason";

/** Whether `status` means "the API cannot be reached" (not a rejected sign-in). */
export function isOffline(status: LiveStatus): status is Extract<LiveStatus, { state: "offline" }> {
  return status.state === "offline" && !["unauthorized", "session_expired", "not_signed_in"].includes(status.kind);
}

function describedBy(el: Element, add: boolean): void {
  const ids = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter((id) => id && id !== REASON_ID);
  if (add) ids.push(REASON_ID);
  if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
  else el.removeAttribute("aria-describedby");
}

function disable(el: HTMLElement): void {
  if (el.hasAttribute(DISABLED_BY_US)) return;
  const control = el as HTMLButtonElement;
  // Only what was usable: a button disabled for its own reason stays as its view set it.
  if (control.disabled) return;
  control.disabled = true;
  el.setAttribute(DISABLED_BY_US, el.getAttribute("title") ?? "");
  el.title = t("offline.reason");
  describedBy(el, true);
}

function enable(el: HTMLElement): void {
  const title = el.getAttribute(DISABLED_BY_US);
  if (title === null) return;
  el.removeAttribute(DISABLED_BY_US);
  (el as HTMLButtonElement).disabled = false;
  if (title) el.title = title;
  else el.removeAttribute("title");
  describedBy(el, false);
}

export interface OfflineMarker {
  el: HTMLElement;
}

/** The marker (put it in the page once) and the central disabling, driven by `store`. */
export function createOfflineMarker(store: Store, root: ParentNode = document): OfflineMarker {
  const text = h("span", { class: "offline-text" });
  const reason = h("span", { id: REASON_ID, class: "sr-only" });
  const el = h(
    "div",
    { id: "offline-marker", class: "offline-marker", hidden: true, attrs: { role: "status" } },
    h("span", { class: "offline-dot", attrs: { "aria-hidden": "true" } }),
    text,
    reason,
  );
  let offline = false;

  const apply = () => {
    for (const node of root.querySelectorAll<HTMLElement>(`[${NEEDS_API}]`)) {
      if (offline) disable(node);
      else enable(node);
    }
    for (const node of root.querySelectorAll<HTMLElement>(`[${DISABLED_BY_US}]:not([${NEEDS_API}])`)) enable(node);
  };

  // Buttons rendered (or re-enabled by their view) while offline are caught here.
  const observer = new MutationObserver(() => {
    if (offline) apply();
  });
  observer.observe(root === document ? document.documentElement : (root as Node), {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["disabled", NEEDS_API],
  });

  const render = (state: LiveState) => {
    const status = state.status;
    offline = isOffline(status);
    show(el, offline);
    if (isOffline(status)) {
      setText(
        text,
        status.last_ok ? t("offline.marker", { time: formatTime(status.last_ok) }) : t("offline.markerNever"),
      );
    }
    setText(reason, t("offline.reason"));
    apply();
  };
  store.subscribe((state) => render(state));
  onLanguageChange(() => render(store.get()));
  render(store.get());
  return { el };
}
