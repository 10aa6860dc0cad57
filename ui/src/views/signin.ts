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
  /** The user declined on the consent page: say so calmly (not as a failure). */
  declined(): void;
}

export function createSignInView(ctx: AppContext): SignInView {
  const title = h("h2", { id: "signin-title", t: "signin.title" });
  const intro = h("p", { class: "intro" });
  const declinedNote = h("p", { id: "sign-in-declined", class: "notice", t: "signin.declined", hidden: true, attrs: { role: "status" } });
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

  const tokenHint = h("p", { id: "script-token-hint", class: "hint", t: "signin.tokenHint" });
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
    tokenHint,
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

  const oauthPart = h("div", { class: "signin-oauth" }, signInButton, waiting);
  const divider = h("div", { class: "divider", attrs: { role: "presentation" } });
  const el = h(
    "section",
    { id: "panel-signin", class: "panel signin", hidden: true, attrs: { "aria-labelledby": "signin-title" } },
    h(
      "div",
      { class: "card signin-card" },
      title,
      intro,
      notConfigured,
      declinedNote,
      oauthPart,
      divider,
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
    // Script token only (TeamViewer mode without an OAuth app): the token form is the one way.
    const tokenOnly = !status.sandbox && !status.oauthConfigured;
    const again = status.signInAgain && !status.signedIn;
    const introKey = again ? "signin.againIntro" : status.sandbox ? "signin.sandboxIntro" : tokenOnly ? "signin.scriptOnlyIntro" : "signin.intro";
    setMessage(intro, introKey);
    intro.dataset.i18n = introKey;
    title.dataset.i18n = again ? "signin.againTitle" : "signin.title";
    setMessage(title, again ? "signin.againTitle" : "signin.title");
    // "Sign in again" is one button: the browser sign-in, or the token form's submit.
    const oauthKey = again ? "signin.againButton" : "signin.button";
    signInButton.dataset.i18n = oauthKey;
    setMessage(signInButton, oauthKey);
    // The hint says where the token goes: the keychain, memory (no keychain), or the sandbox.
    const hintKey = status.sandbox ? "signin.tokenHintSandbox" : status.keyringAvailable ? "signin.tokenHint" : "signin.tokenHintMemory";
    tokenHint.dataset.i18n = hintKey;
    setMessage(tokenHint, hintKey);
    show(notConfigured, false);
    show(oauthPart, !tokenOnly);
    show(divider, !tokenOnly && !again);
    show(useToken, !tokenOnly && !again);
    if (tokenOnly) show(tokenForm, true);
    else if (again) show(tokenForm, false);
    if (status.signedIn || status.signInPending) show(declinedNote, false);
    signInButton.disabled = status.signInPending;
    show(waiting, status.signInPending);
  }

  function declined(): void {
    show(declinedNote, true);
  }

  return { el, update, declined };
}
