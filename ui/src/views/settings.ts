// Settings tab: sandbox or TeamViewer account, OAuth client (ID + write-only secret), redirect
// mode, advanced base URLs, the UI language and the desktop fieldset (settings-desktop.ts).
import * as api from "../api";
import type { AppContext, View } from "../context";
import { busy, checkbox, field, h, options, setMessage, show } from "../dom";
import { errorText, resolveLanguage, setLanguage, t, type MsgKey } from "../i18n";
import { announce, showError } from "../notify";
import { createArchiveFieldset } from "./settings-archive";
import { createBillingRatesForm } from "./settings-billing";
import { createDesktopFieldset } from "./settings-desktop";
import { createDocumentationFieldset } from "./settings-documentation";
import { createLiveFieldset } from "./settings-live";

const PORT_MIN = 1024;
const PORT_MAX = 65535;

export interface SettingsTab extends View {
  fill(settings: api.SettingsView): void;
  /** How notifications stand (the desktop fieldset notes a refusal by the system). */
  setNotificationState(state: api.NotificationState): void;
}

export function createSettingsView(ctx: AppContext): SettingsTab {
  const radio = (id: string, value: api.Mode, label: MsgKey) => {
    const input = h("input", { id, attrs: { type: "radio", name: "mode", value } });
    return { input, wrap: h("label", { class: "check", attrs: { for: id } }, input, h("span", { t: label })) };
  };
  const sandbox = radio("mode-sandbox", "sandbox", "settings.modeSandbox");
  const teamviewer = radio("mode-teamviewer", "teamviewer", "settings.modeTeamViewer");

  const methodRadio = (id: string, value: "oauth" | "script", label: MsgKey) => {
    const input = h("input", { id, attrs: { type: "radio", name: "sign-in-method", value } });
    return { input, wrap: h("label", { class: "check", attrs: { for: id } }, input, h("span", { t: label })) };
  };
  const methodOAuth = methodRadio("method-oauth", "oauth", "settings.methodOAuth");
  const methodScript = methodRadio("method-script", "script", "settings.methodScript");
  const clientId = h("input", { id: "client-id", attrs: { type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": "client-id-hint client-id-error" } });
  const clientIdError = h("p", { id: "client-id-error", class: "field-error", hidden: true });
  const secret = h("input", { id: "client-secret", attrs: { type: "password", autocomplete: "new-password", "aria-describedby": "secret-state" } });
  const secretState = h("p", { id: "secret-state", class: "hint" });
  const removeSecret = checkbox("remove-secret", "settings.removeSecret");
  const redirect = h("select", { id: "redirect-mode" }, ...options([["deepLink", "settings.redirectDeepLink"], ["loopback", "settings.redirectLoopback"]]));
  const port = h("input", { id: "loopback-port", attrs: { type: "number", min: PORT_MIN, max: PORT_MAX, step: 1, "aria-describedby": "loopback-port-error" } });
  const portError = h("p", { id: "loopback-port-error", class: "field-error", t: "settings.portInvalid", hidden: true });
  const apiUrl = h("input", { id: "api-url", attrs: { type: "url", spellcheck: "false", "aria-describedby": "api-url-error" } });
  const apiUrlError = h("p", { id: "api-url-error", class: "field-error", hidden: true });
  const loginUrl = h("input", { id: "login-url", attrs: { type: "url", spellcheck: "false", "aria-describedby": "login-url-error" } });
  const loginUrlError = h("p", { id: "login-url-error", class: "field-error", hidden: true });
  const language = h("select", { id: "language" }, ...options([["auto", "settings.langAuto"], ["de", "settings.langDe"], ["en", "settings.langEn"]]));
  const saveButton = h("button", { id: "save-settings", class: "primary", t: "common.save", attrs: { type: "submit" } });
  const desktop = createDesktopFieldset();
  const archive = createArchiveFieldset();
  const live = createLiveFieldset();
  const documentation = createDocumentationFieldset();
  const formError = h("p", { id: "settings-error", class: "form-error", hidden: true, attrs: { role: "alert" } });

  // Everything that only matters for a real TeamViewer account; disabled in Sandbox mode.
  // The OAuth app's fields; disabled with "script token only".
  const oauthFields = h(
    "fieldset",
    { class: "plain" },
    field("settings.clientId", clientId, h("div", {}, h("p", { id: "client-id-hint", class: "hint", t: "settings.clientIdHint" }), clientIdError)),
    field("settings.clientSecret", secret, secretState),
    removeSecret.wrap,
    h("div", { class: "grid2" }, field("settings.redirect", redirect), field("settings.port", port, portError)),
  );
  const account = h(
    "fieldset",
    { class: "plain" },
    h("fieldset", { class: "plain" }, h("legend", { t: "settings.method" }), methodOAuth.wrap, methodScript.wrap),
    oauthFields,
    h(
      "details",
      { class: "advanced" },
      h("summary", { t: "settings.advanced" }),
      field("settings.apiUrl", apiUrl, apiUrlError),
      field("settings.loginUrl", loginUrl, loginUrlError),
    ),
  );

  let current: api.SettingsView | null = null;

  const sync = () => {
    account.disabled = sandbox.input.checked;
    oauthFields.disabled = methodScript.input.checked;
    port.disabled = redirect.value !== "loopback";
    show(removeSecret.wrap, Boolean(current?.hasClientSecret));
    setMessage(secretState, current?.hasClientSecret ? "settings.secretStored" : "settings.secretNone");
  };
  for (const input of [sandbox.input, teamviewer.input, methodOAuth.input, methodScript.input, redirect]) input.addEventListener("change", sync);
  // A field's error clears as soon as it is edited.
  for (const [input, error] of [[clientId, clientIdError], [apiUrl, apiUrlError], [loginUrl, loginUrlError]] as const) {
    input.addEventListener("input", () => setFieldError(input, error, null));
  }

  const form = h(
    "form",
    { id: "settings-form", class: "card settings", attrs: { novalidate: true, "aria-labelledby": "settings-title" }, on: { submit: (e) => void save(e) } },
    h("h2", { id: "settings-title", t: "settings.title" }),
    h("fieldset", { class: "plain" }, h("legend", { t: "settings.mode" }), sandbox.wrap, teamviewer.wrap),
    account,
    field("settings.language", language),
    desktop.el,
    live.el,
    archive.el,
    documentation.el,
    formError,
    h("div", { class: "actions" }, saveButton),
  );

  function fill(s: api.SettingsView): void {
    current = s;
    (s.mode === "sandbox" ? sandbox : teamviewer).input.checked = true;
    clientId.value = s.clientId;
    (s.scriptTokenOnly ? methodScript : methodOAuth).input.checked = true;
    for (const [input, error] of [[clientId, clientIdError], [apiUrl, apiUrlError], [loginUrl, loginUrlError]] as const) setFieldError(input, error, null);
    secret.value = "";
    removeSecret.input.checked = false;
    redirect.value = s.redirectMode;
    port.value = String(s.loopbackPort);
    apiUrl.value = s.apiUrl;
    loginUrl.value = s.loginUrl;
    language.value = s.language;
    desktop.fill(s.desktop);
    archive.fill(s.archive);
    live.fill(s.live);
    documentation.fill(s.documentation);
    sync();
  }

  function read(base: api.SettingsView): api.Settings | null {
    const p = Number(port.value);
    const portOk = Number.isInteger(p) && p >= PORT_MIN && p <= PORT_MAX;
    const needPort = redirect.value === "loopback" && !sandbox.input.checked;
    show(portError, needPort && !portOk);
    port.setAttribute("aria-invalid", String(needPort && !portOk));
    if (needPort && !portOk) {
      port.focus();
      return null;
    }
    const needClientId = teamviewer.input.checked && !methodScript.input.checked;
    if (needClientId && !clientId.value.trim()) {
      setFieldError(clientId, clientIdError, t("settings.clientIdRequired"));
      return null;
    }
    const liveSettings = live.read();
    if (!liveSettings) return null;
    const archiveSettings = archive.read();
    if (!archiveSettings) return null;
    return {
      mode: sandbox.input.checked ? "sandbox" : "teamviewer",
      clientId: clientId.value.trim(),
      scriptTokenOnly: methodScript.input.checked,
      redirectMode: redirect.value === "loopback" ? "loopback" : "deepLink",
      loopbackPort: portOk ? p : base.loopbackPort,
      apiUrl: apiUrl.value.trim(),
      loginUrl: loginUrl.value.trim(),
      language: language.value === "de" || language.value === "en" ? language.value : "auto",
      desktop: desktop.read(),
      archive: archiveSettings,
      live: liveSettings,
      documentation: documentation.read(),
    };
  }

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    if (!current) return;
    const next = read(current);
    if (!next) return;
    // null keeps the stored secret, "" deletes it, a value replaces it.
    const newSecret = secret.value ? secret.value : removeSecret.input.checked ? "" : null;
    // Anything but the language and the desktop, live-list and archive fieldsets changes the connection: the shell
    // drops sessions and log.
    const base = current;
    const keys = (Object.keys(next) as (keyof api.Settings)[]).filter((k) => !["language", "desktop", "archive", "live", "documentation"].includes(k));
    const reconnects = newSecret !== null || keys.some((k) => next[k] !== base[k]);
    show(formError, false);
    try {
      const saved = await busy(saveButton, () => api.saveSettings(next, newSecret));
      fill(saved);
      setLanguage(resolveLanguage(saved.language, navigator.language));
      announce("settings.saved");
      await ctx.refreshAuth();
      if (reconnects) ctx.resetData();
    } catch (error) {
      const e = api.toIpcError(error);
      if (e.kind === "invalid_input") {
        // The core names the field first ("client ID: …"): the error goes to that field.
        const target = fieldOf(e.message);
        if (target) setFieldError(target.input, target.error, `${errorText(e.kind)} ${e.message}`);
        else {
          formError.textContent = `${errorText(e.kind)} ${e.message}`;
          show(formError, true);
        }
      } else {
        showError(e);
      }
    }
  }

  /** Marks `input` invalid with `text` at the field (and focuses it), or clears it. */
  function setFieldError(input: HTMLInputElement, error: HTMLElement, text: string | null): void {
    error.textContent = text ?? "";
    show(error, text !== null);
    input.setAttribute("aria-invalid", String(text !== null));
    if (text !== null) {
      // Inside the closed "Advanced" section the field could not be seen.
      const details = input.closest("details");
      if (details) details.open = true;
      input.focus();
    }
  }

  /** The field an `invalid_input` message names ("client ID: …"). */
  function fieldOf(message: string): { input: HTMLInputElement; error: HTMLElement } | null {
    const name = message.split(":")[0]?.trim().toLowerCase();
    if (name === "client id") return { input: clientId, error: clientIdError };
    if (name === "loopback port") return { input: port, error: portError };
    if (name === "api url") return { input: apiUrl, error: apiUrlError };
    if (name === "login url") return { input: loginUrl, error: loginUrlError };
    return null;
  }

  // Settings → Billing: the charge rates, a file of their own with a Save of its own.
  const rates = createBillingRatesForm();
  void rates.load();
  const el = h(
    "section",
    { id: "panel-settings", class: "panel settings-panel", hidden: true, attrs: { role: "tabpanel", "aria-labelledby": "tab-settings" } },
    form,
    rates.el,
  );
  return { el, fill, setNotificationState: desktop.setNotificationState };
}
