// The error banner (`#error-banner`, role=alert) and the polite status line (`#status`).
//
// A banner leads with the human words for the error's `kind`; the core's technical message is
// behind a "Details" disclosure. While a modal dialog is open the banner would sit behind its
// backdrop, so the error is shown inside the dialog instead (`.modal-error`, dismissable).
import type { IpcError } from "./api";
import { h, setText, show } from "./dom";
import { errorText, onLanguageChange, t, type MsgKey, type Params } from "./i18n";

const STATUS_CLEAR_MS = 8000;

/** A banner body: the kind's words, then the technical detail behind "Details". */
export function errorBody(idPrefix: string) {
  const text = h("strong", { class: "banner-text" });
  const detailText = h("code", { class: "banner-detail-text" });
  const summary = h("summary", { t: "banner.details" });
  const details = h("details", { id: `${idPrefix}-details`, class: "banner-details" }, summary, detailText);
  return {
    text,
    details,
    render(error: IpcError) {
      setText(text, errorText(error.kind));
      summary.textContent = t("banner.details");
      setText(detailText, error.message);
      show(details, Boolean(error.message));
    },
  };
}

const bannerBody = errorBody("error-banner");
const errorBanner = h(
  "div",
  { id: "error-banner", class: "banner banner-error", hidden: true, attrs: { role: "alert" } },
  h("div", { class: "banner-body" }, bannerBody.text, bannerBody.details),
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
/** The open dialog the current error is shown in, if any. */
let errorDialog: HTMLDialogElement | null = null;
let lastStatus: { key: MsgKey; params?: Params } | null = null;
let statusTimer: ReturnType<typeof setTimeout> | undefined;

/** The error box inside a dialog (created on first use, first child of the dialog's form). */
function modalError(dialog: HTMLDialogElement) {
  let box = dialog.querySelector<HTMLElement>(".modal-error");
  if (!box) {
    const body = errorBody(`${dialog.id || "dialog"}-error`);
    box = h(
      "div",
      { class: "banner banner-error modal-error", attrs: { role: "alert" } },
      h("div", { class: "banner-body" }, body.text, body.details),
      h("button", {
        class: "banner-close modal-error-dismiss",
        text: "×",
        tAttrs: { "aria-label": "banner.dismiss", title: "banner.dismiss" },
        attrs: { type: "button" },
        on: { click: () => clearError() },
      }),
    );
    (box as HTMLElement & { renderError?: (e: IpcError) => void }).renderError = body.render;
    const host = dialog.querySelector("form") ?? dialog;
    host.prepend(box);
    // Closing the dialog takes its error along; it does not reappear behind it.
    dialog.addEventListener("close", () => {
      if (errorDialog === dialog) clearError();
    });
  }
  return box as HTMLElement & { renderError: (e: IpcError) => void };
}

function renderError(): void {
  for (const box of document.querySelectorAll<HTMLElement>(".modal-error")) show(box, false);
  if (!lastError) return show(errorBanner, false);
  if (errorDialog?.open) {
    const box = modalError(errorDialog);
    box.dataset.kind = lastError.kind;
    box.renderError(lastError);
    show(box, true);
    show(errorBanner, false);
    return;
  }
  errorBanner.dataset.kind = lastError.kind;
  bannerBody.render(lastError);
  show(errorBanner, true);
}

function renderStatus(): void {
  setText(statusLine, lastStatus ? t(lastStatus.key, lastStatus.params) : "");
}

onLanguageChange(() => {
  renderError();
  renderStatus();
});

/**
 * Shows a failure: the localised text for its kind, the message behind "Details". Inside the
 * open modal dialog when there is one (the banner would be hidden behind its backdrop).
 */
export function showError(error: IpcError): void {
  lastError = error;
  const open = typeof document !== "undefined" ? document.querySelector<HTMLDialogElement>("dialog[open]") : null;
  errorDialog = open;
  renderError();
}

export function clearError(): void {
  lastError = null;
  errorDialog = null;
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
