// Signed-out screen: OAuth sign-in in the system browser (with a waiting state and Cancel) and
// the script-token alternative.
import * as api from "../api";
import type { AppContext } from "../context";
import { busy, h, setMessage, setText, show } from "../dom";
import { errorText, t } from "../i18n";
import { showError } from "../notify";

export interface SignInView {
  el: HTMLElement;
  update(status: api.AuthStatus): void;
}

export function createSignInView(ctx: AppContext): SignInView {
  const intro = h("p", { class: "intro" });
  const notConfigured = h("p", { class: "notice", t: "signin.notConfigured", hidden: true });

  const signInButton = h("button", {
    id: "sign-in",
    class: "primary big",
    t: "signin.button",
    attrs: { type: "button" },
    on: { click: () => void run(signInButton, api.signIn) },
  });
  const cancelButton = h("button", {
    id: "cancel-sign-in",
    t: "common.cancel",
    attrs: { type: "button" },
    on: { click: () => void run(cancelButton, api.cancelSignIn) },
  });
  const waiting = h(
    "div",
    { id: "sign-in-waiting", class: "waiting", hidden: true, attrs: { role: "status" } },
    h("span", { class: "spinner", attrs: { "aria-hidden": "true" } }),
    h("span", { t: "signin.waiting" }),
    cancelButton,
  );

  const tokenInput = h("input", {
    id: "script-token",
    attrs: { type: "password", autocomplete: "off", spellcheck: "false", "aria-describedby": "script-token-hint script-token-error" },
  });
  const tokenError = h("p", { id: "script-token-error", class: "field-error", hidden: true });
  const tokenSubmit = h("button", {
    id: "script-token-submit",
    class: "primary",
    t: "signin.tokenSubmit",
    attrs: { type: "submit" },
  });
  const tokenForm = h(
    "form",
    { id: "script-token-form", class: "token-form", hidden: true, attrs: { novalidate: true }, on: { submit: (e) => submitToken(e) } },
    h("label", { t: "signin.tokenLabel", attrs: { for: "script-token" } }),
    tokenInput,
    h("p", { id: "script-token-hint", class: "hint", t: "signin.tokenHint" }),
    tokenError,
    h("div", { class: "actions" }, tokenSubmit),
  );
  const useToken = h("button", {
    id: "use-script-token",
    class: "link",
    t: "signin.useToken",
    attrs: { type: "button", "aria-expanded": "false", "aria-controls": "script-token-form" },
    on: {
      click: () => {
        show(tokenForm, true);
        useToken.setAttribute("aria-expanded", "true");
        tokenInput.focus();
      },
    },
  });

  const el = h(
    "section",
    { id: "panel-signin", class: "panel signin", hidden: true, attrs: { "aria-labelledby": "signin-title" } },
    h(
      "div",
      { class: "card signin-card" },
      h("h2", { id: "signin-title", t: "signin.title" }),
      intro,
      notConfigured,
      h("div", { class: "signin-oauth" }, signInButton, waiting),
      h("div", { class: "divider", attrs: { role: "presentation" } }),
      useToken,
      tokenForm,
    ),
  );

  async function run(button: HTMLButtonElement, command: () => Promise<api.AuthStatus>): Promise<void> {
    try {
      ctx.setAuth(await busy(button, command));
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  function setTokenError(text: string | null): void {
    setText(tokenError, text ?? "");
    show(tokenError, text !== null);
    tokenInput.setAttribute("aria-invalid", String(text !== null));
  }

  async function submitToken(event: Event): Promise<void> {
    event.preventDefault();
    const token = tokenInput.value.trim();
    if (!token) {
      setTokenError(t("signin.tokenRequired"));
      tokenInput.focus();
      return;
    }
    setTokenError(null);
    setMessage(tokenSubmit, "signin.checking");
    try {
      const status = await busy(tokenSubmit, () => api.signInWithScriptToken(token));
      tokenInput.value = "";
      ctx.setAuth(status);
    } catch (error) {
      const e = api.toIpcError(error);
      setTokenError(e.message ? `${errorText(e.kind)} ${t("banner.detail", { detail: e.message })}` : errorText(e.kind));
      tokenInput.focus();
    } finally {
      setMessage(tokenSubmit, "signin.tokenSubmit");
    }
  }

  function update(status: api.AuthStatus): void {
    setMessage(intro, status.sandbox ? "signin.sandboxIntro" : "signin.intro");
    intro.dataset.i18n = status.sandbox ? "signin.sandboxIntro" : "signin.intro";
    show(notConfigured, !status.sandbox && !status.oauthConfigured);
    signInButton.disabled = status.signInPending || (!status.sandbox && !status.oauthConfigured);
    show(waiting, status.signInPending);
  }

  return { el, update };
}
