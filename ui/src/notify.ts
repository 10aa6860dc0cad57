// The error banner (`#error-banner`, role=alert) and the polite status line (`#status`).
import type { IpcError } from "./api";
import { h, setText, show } from "./dom";
import { errorText, onLanguageChange, t, type MsgKey, type Params } from "./i18n";

const STATUS_CLEAR_MS = 8000;

const errorKindText = h("strong", { class: "banner-text" });
const errorDetail = h("span", { class: "banner-detail" });
const errorBanner = h(
  "div",
  { id: "error-banner", class: "banner banner-error", hidden: true, attrs: { role: "alert" } },
  errorKindText,
  errorDetail,
  h("button", {
    id: "error-dismiss",
    class: "banner-close",
    text: "×",
    tAttrs: { "aria-label": "banner.dismiss", title: "banner.dismiss" },
    attrs: { type: "button" },
    on: { click: () => clearError() },
  }),
);
const statusLine = h("div", { id: "status", class: "status", attrs: { role: "status", "aria-live": "polite" } });

let lastError: IpcError | null = null;
let lastStatus: { key: MsgKey; params?: Params } | null = null;
let statusTimer: ReturnType<typeof setTimeout> | undefined;

function renderError(): void {
  if (!lastError) return show(errorBanner, false);
  errorBanner.dataset.kind = lastError.kind;
  setText(errorKindText, errorText(lastError.kind));
  setText(errorDetail, lastError.message ? t("banner.detail", { detail: lastError.message }) : "");
  show(errorBanner, true);
}

function renderStatus(): void {
  setText(statusLine, lastStatus ? t(lastStatus.key, lastStatus.params) : "");
}

onLanguageChange(() => {
  renderError();
  renderStatus();
});

/** Shows a failure in the banner: the localised text for its kind, the message as detail. */
export function showError(error: IpcError): void {
  lastError = error;
  renderError();
}

export function clearError(): void {
  lastError = null;
  renderError();
}

/** Announces a short result ("Copied", "Exported 12 rows …") to sighted and screen-reader users. */
export function announce(key: MsgKey, params?: Params): void {
  lastStatus = { key, params };
  renderStatus();
  if (statusTimer !== undefined) clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    lastStatus = null;
    renderStatus();
  }, STATUS_CLEAR_MS);
}

export const notifyElements = { errorBanner, statusLine };
