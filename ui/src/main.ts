// App shell: header, banners, tabs, keyboard shortcuts, and the start-up sequence
// (auth status + settings → language → first render → `app_ready`).
import * as api from "./api";
import type { AppContext, TabId, View } from "./context";
import { h, setText, show } from "./dom";
import { detectLanguage, onLanguageChange, resolveLanguage, setLanguage, t } from "./i18n";
import { announce, notifyElements, showError } from "./notify";
import { archiveHasHistory } from "./views/archive-bar";
import { createBillingView } from "./views/billing";
import { createInsightView } from "./views/insight";
import { createLogsView } from "./views/logs";
import { createSessionsView } from "./views/sessions";
import { createSettingsView } from "./views/settings";
import { createStore } from "./store";
import { createSignInView } from "./views/signin";
import { createWaitBanner } from "./wait-banner";
import { createOfflineMarker } from "./offline";
import { createDesktopGlue } from "./desktop";
import { createDocumentation } from "./views/documentation";

const SIGNED_OUT: api.AuthStatus = {
  signedIn: false,
  kind: null,
  expiresAt: null,
  memoryOnly: false,
  keyringAvailable: true,
  signInPending: false,
  sandbox: false,
  oauthConfigured: false,
  account: null,
  signInAgain: false,
};

const TABS: readonly TabId[] = ["sessions", "logs", "billing", "insight", "settings"];

async function start(): Promise<void> {
  // User Timing marks of the start-up (bench/app-bench.mjs prints them: where a launch's time goes).
  performance.mark("sdesk:start");
  // The sign-in's status may wait for the keyring probe: the views (the log view reading the
  // archive) are built meanwhile; the settings are needed first, for the language.
  const authAsked: Promise<PromiseSettledResult<api.AuthStatus>> = api.authStatus().then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
  const [settings] = await Promise.allSettled([api.getSettings()]);
  const languageSetting = settings.status === "fulfilled" ? settings.value.language : "auto";
  setLanguage(resolveLanguage(languageSetting, navigator.language));

  let status: api.AuthStatus = SIGNED_OUT;
  // The app opens on the tab last worked in: the sessions or the log (over the archive, at once).
  const TAB_KEY = "sdesk.tab";
  const savedTab = localStorage.getItem(TAB_KEY);
  let activeTab: TabId = savedTab === "logs" || savedTab === "billing" || savedTab === "insight" ? savedTab : "sessions";
  // The one live state of sessions and groups, fed by the core's `live` events.
  const store = createStore();
  // Listening starts before the first snapshot is read, so no change falls between the two.
  const liveListening = api
    .onLive((update) => {
      if (status.signedIn || update.type === "status") store.apply(update);
    })
    .catch(() => undefined);
  // The archive's sync (not the account's: heard signed in or out), then its state now.
  void api
    .onArchiveSync((status) => store.apply({ type: "archive_sync", status }))
    .then(() => api.archiveSyncStatus())
    .then((status) => store.apply({ type: "archive_sync", status }))
    .catch(() => undefined);
  // The sessions to document (the core's list; empty while signed out or off).
  const documentationListening = api
    .onDocumentation((state) => store.apply({ type: "documentation", state }))
    .catch(() => undefined);
  const loadDocumentation = () =>
    void documentationListening
      .then(() => api.documentationState())
      .then((state) => store.apply({ type: "documentation", state }))
      .catch(() => undefined);
  // The Insight tab's figures (computed in the core from the archive), then its state now.
  void api
    .onInsight((state) => store.apply({ type: "insight", state }))
    .then(() => api.insightState())
    .then((state) => {
      if (!store.get().insight) store.apply({ type: "insight", state });
    })
    .catch(() => undefined);

  const ctx: AppContext = {
    auth: () => status,
    setAuth,
    refreshAuth: async () => {
      try {
        setAuth(await api.authStatus());
      } catch (error) {
        showError(api.toIpcError(error));
      }
    },
    showTab,
    resetData: () => {
      store.reset();
      for (const v of views) v.onSignedOut?.();
      if (status.signedIn) {
        for (const v of views) v.onSignedIn?.();
        void loadLive();
      }
    },
  };

  // ---- header -------------------------------------------------------------------------------
  const badge = h("span", { id: "sandbox-badge", class: "badge-sandbox", t: "header.sandbox", tAttrs: { title: "header.sandboxTitle" }, hidden: true });
  const accountName = h("span", { id: "account-name", class: "account", hidden: true });
  const signOut = h("button", {
    id: "sign-out",
    t: "header.signOut",
    hidden: true,
    attrs: { type: "button" },
    on: {
      click: async () => {
        signOut.disabled = true;
        try {
          setAuth(await api.signOut());
          announce("signin.signedOut");
        } catch (error) {
          showError(api.toIpcError(error));
        } finally {
          signOut.disabled = false;
        }
      },
    },
  });
  // End-of-session documentation: badge, banner and prompt (a documented session's notes show
  // in the log view at once).
  const documentation = createDocumentation(store, { documented: () => logs.refreshRows() });
  const header = h(
    "header",
    { class: "app-header" },
    h("h1", { class: "brand", t: "app.title" }),
    badge,
    h("span", { class: "grow" }),
    documentation.badge,
    accountName,
    signOut,
  );
  const waitBanner = createWaitBanner();
  const offlineMarker = createOfflineMarker(store);
  const keyringBanner = h("div", { id: "keyring-banner", class: "banner banner-warn", t: "banner.keyring", hidden: true, attrs: { role: "note" } });

  // ---- views and tabs -----------------------------------------------------------------------
  // The log view first: it asks for the archived period at once.
  const logs = createLogsView(store);
  const signIn = createSignInView(ctx);
  const sessions = createSessionsView(ctx, store);
  const settingsView = createSettingsView(ctx);
  const billing = createBillingView(ctx, store);
  const insight = createInsightView(store);
  const panels: Record<TabId, View> = { sessions, logs, billing, insight, settings: settingsView };
  // A click in the Insight tab opens the log on that day, supporter, group or customer.
  store.onOpenLog(() => showTab("logs"));
  // The tray, notifications and the close request of the desktop shell.
  const desktop = createDesktopGlue({
    focusSession: (code) => {
      showTab("sessions");
      if (status.signedIn) store.focusSession(code);
    },
    newSession: () => {
      showTab("sessions");
      if (status.signedIn) sessions.openForm();
    },
    documentSession: (id) => {
      if (status.signedIn) documentation.open(id);
    },
    notificationState: (state) => settingsView.setNotificationState(state),
  });
  const views: View[] = [sessions, logs, billing, insight, settingsView];

  const tabButtons = TABS.map((tab) =>
    h("button", {
      id: `tab-${tab}`,
      class: "tab",
      t: `tabs.${tab}`,
      attrs: { type: "button", role: "tab", "aria-controls": `panel-${tab}`, "aria-selected": "false", tabindex: -1 },
      on: { click: () => showTab(tab) },
    }),
  );
  const tablist = h("nav", { class: "tabs", attrs: { role: "tablist" }, tAttrs: { "aria-label": "tabs.label" } }, ...tabButtons);
  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  tablist.addEventListener("keydown", (e) => {
    const delta = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = TABS[(TABS.indexOf(activeTab) + delta + TABS.length) % TABS.length]!;
    showTab(next);
    tabButtons[TABS.indexOf(next)]!.focus();
  });

  function showTab(tab: TabId): void {
    activeTab = tab;
    if (tab !== "settings") localStorage.setItem(TAB_KEY, tab);
    TABS.forEach((id, i) => {
      const selected = id === tab;
      tabButtons[i]!.setAttribute("aria-selected", String(selected));
      tabButtons[i]!.tabIndex = selected ? 0 : -1;
      show(panels[id].el, selected && (status.signedIn || id === "settings" || (readsArchive(id) && browseArchive())));
    });
    insight.setShown(tab === "insight" && !insight.el.hidden);
    // Sessions and the log need a sign-in; settings do not (the client ID is set there), nor
    // do the log, billing and insight while an archive holds the history (read without
    // TeamViewer).
    show(signIn.el, !status.signedIn && tab !== "settings" && !(readsArchive(tab) && browseArchive()));
    if (tab === "billing" && signIn.el.hidden) billing.activate();
  }
  /** The log, billing and insight read the archive: signed out too, once it holds the history. */
  const readsArchive = (tab: TabId) => tab === "logs" || tab === "billing" || tab === "insight";
  const browseArchive = () => archiveHasHistory(store.get());
  // The archive's status arrives after launch: a signed-out log tab then shows it.
  store.subscribe((state, previous) => {
    if (!status.signedIn && archiveHasHistory(state) !== archiveHasHistory(previous)) showTab(activeTab);
  });

  // ---- auth state ---------------------------------------------------------------------------
  function renderAccount(): void {
    const a = status.account;
    const name = a ? (a.companyName ? `${a.name} · ${a.companyName}` : a.name) : "";
    setText(accountName, name);
    accountName.title = a ? t("header.account", { name: a.email || a.name }) : "";
  }

  // Every group picker (the session form, the log's group filter) reads the store's groups.
  store.subscribe((state, previous) => {
    if (state.groups !== previous.groups) for (const v of views) v.setGroups?.([...(state.groups ?? [])]);
  });

  /** After a sign-in: the live list as it is now (later changes arrive as `live` events). */
  async function loadLive(): Promise<void> {
    try {
      await liveListening;
      const snapshot = await api.liveSnapshot();
      if (status.signedIn) store.apply({ type: "snapshot", snapshot });
      // Until the live list has loaded its groups, ask once.
      if (!store.get().groups) {
        const groups = await api.listGroups();
        if (status.signedIn && !store.get().groups) store.apply({ type: "groups_changed", groups });
      }
    } catch (error) {
      showError(api.toIpcError(error));
    }
  }

  function setAuth(next: api.AuthStatus): void {
    const was = status.signedIn;
    status = next;
    show(badge, next.sandbox);
    show(accountName, next.signedIn && next.account !== null);
    show(signOut, next.signedIn);
    renderAccount();
    show(keyringBanner, next.memoryOnly || !next.keyringAvailable);
    signIn.update(next);
    logs.setSignedIn(next.signedIn);
    showTab(activeTab);
    if (next.signedIn && !was) {
      for (const v of views) v.onSignedIn?.();
      void loadLive();
      loadDocumentation();
      if (next.account) announce("signin.signedIn", { name: next.account.name });
    } else if (!next.signedIn && was) {
      store.reset();
      for (const v of views) v.onSignedOut?.();
      // The core's list is empty while signed out: no badge or banner for a lost sign-in.
      loadDocumentation();
      // No stale "Signed in as …" in the status line after the sign-in was lost.
      if (next.signInAgain) announce("signin.againTitle");
    }
  }

  onLanguageChange(renderAccount);

  // ---- keyboard shortcuts -------------------------------------------------------------------
  document.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || !status.signedIn) return;
    const key = e.key.toLowerCase();
    if (key === "n") {
      e.preventDefault();
      showTab("sessions");
      sessions.openForm();
    } else if (key === "f") {
      e.preventDefault();
      showTab("logs");
      logs.focusFilter();
    } else if (key === "e") {
      e.preventDefault();
      showTab("logs");
      logs.exportCsv();
    }
  });

  // ---- first render -------------------------------------------------------------------------
  const main = h("main", { class: "content" }, signIn.el, sessions.el, logs.el, billing.el, insight.el, settingsView.el);
  document.body.replaceChildren(
    h("div", { class: "app" }, header, keyringBanner, notifyElements.errorBanner, waitBanner.el, documentation.banner, offlineMarker.el, desktop.note, tablist, main, notifyElements.statusLine),
    desktop.dialog,
    documentation.dialog,
  );

  if (settings.status === "fulfilled") settingsView.fill(settings.value);
  else showError(api.toIpcError(settings.reason));
  const auth = await authAsked;
  if (auth.status === "fulfilled") setAuth(auth.value);
  else {
    setAuth(SIGNED_OUT);
    showError(api.toIpcError(auth.reason));
  }

  void api.onAuthChanged(setAuth).catch(() => undefined);
  void api.onDesktop(desktop.handle).catch(() => undefined);
  void api.notificationStatus().then(desktop.setNotificationState).catch(() => undefined);

  void api.onApiWait(waitBanner.wait).catch(() => undefined);
  void api.onApiWaitOver(waitBanner.over).catch(() => undefined);
  void api
    .onSignInFailed((error) => {
      // Declining on the consent page is the user's choice, not a failure.
      if (error.kind === "sign_in_declined") signIn.declined();
      else showError(error);
      void ctx.refreshAuth();
    })
    .catch(() => undefined);

  performance.mark("sdesk:rendered");
  const startupProblem = await api.appReady();
  if (startupProblem) showError(startupProblem);
  // The Insight tab's period is computed in the background now, so opening the tab only paints.
  insight.prefetch();
}

// Before the first IPC answer, at least follow the system language for the document.
document.documentElement.lang = detectLanguage(navigator.language);
void start();
