// The desktop shell's requests to the window (event `desktop`): a tray entry or a notification
// click shows that session's detail, the tray's "New session" opens the form, closing while
// customers wait asks, blocked notifications are noted; and the Settings' Desktop fieldset.
import { describe, expect, it } from "vitest";
import { appSuite, text } from "./suite";

const open = appSuite();

describe("waiting customers on the desktop", () => {
  it("a tray entry or notification click shows that session's detail, from any tab", async () => {
    const a = await open({ config: { signedIn: true } });
    const row = a.page.locator("#session-list tr[data-code]").nth(1);
    await row.waitFor();
    const code = (await row.getAttribute("data-code"))!;
    await a.page.click("#tab-logs");
    await a.emit("desktop", { type: "focusSession", code });
    await a.page.locator("#session-detail").waitFor();
    expect(await text(a, "#detail-code"), "the detail of the session the tray named").toBe(code);
    expect(await a.page.locator("#tab-sessions").getAttribute("aria-selected"), "the sessions tab is shown").toBe("true");
  });

  it("the tray's New session opens the form", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    await a.page.click("#tab-settings");
    await a.emit("desktop", { type: "newSession" });
    await a.page.locator("#session-form").waitFor();
    expect(await a.page.locator("#panel-sessions").isVisible(), "on the sessions tab").toBe(true);
  });

  it("closing while customers wait asks: keep running in the tray, quit or cancel", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.emit("desktop", { type: "closeRequested", waiting: 2 });
    const dialog = a.page.locator("#close-confirm");
    await dialog.waitFor();
    expect(await text(a, "#close-confirm-text"), "names how many wait").toContain("2 customers waiting");
    await a.page.click("#close-confirm-cancel");
    await dialog.waitFor({ state: "hidden" });
    expect(await a.calls("close_window"), "cancel keeps the window and calls nothing").toEqual([]);
    await a.emit("desktop", { type: "closeRequested", waiting: 1 });
    await a.page.click("#close-confirm-hide");
    await dialog.waitFor({ state: "hidden" });
    await a.emit("desktop", { type: "closeRequested", waiting: 1 });
    await a.page.click("#close-confirm-quit");
    expect((await a.calls("close_window")).map((c) => c.args), "each choice goes to Rust").toEqual([{ action: "hideToTray" }, { action: "quit" }]);
  });

  it("blocked notifications are noted above the views and in Settings until they work again", async () => {
    const a = await open({ config: { signedIn: true, notificationState: { state: "blocked", reason: "no notification service" } } });
    const note = a.page.locator("#notifications-blocked");
    await note.waitFor();
    expect(await note.innerText(), "says what still works").toContain("tray icon");
    await a.page.click("#tab-settings");
    expect(await a.page.locator("#desktop-notifications-blocked").isVisible(), "Settings says so too").toBe(true);
    await a.emit("desktop", { type: "notifications", state: { state: "allowed" } });
    await note.waitFor({ state: "hidden" });
    expect(await a.page.locator("#desktop-notifications-blocked").isVisible()).toBe(false);
  });
});

describe("Settings: Desktop", () => {
  it("saves the desktop settings without reconnecting", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    await a.page.click("#tab-settings");
    expect(await a.page.isChecked("#desktop-notifications"), "notifications default on").toBe(true);
    expect(await a.page.isDisabled("#desktop-start-minimised"), "start minimised needs start at login").toBe(true);
    await a.page.uncheck("#desktop-notifications");
    await a.page.selectOption("#desktop-close-action", "hideToTray");
    await a.page.check("#desktop-start-at-login");
    expect(await a.page.isDisabled("#desktop-start-minimised")).toBe(false);
    await a.page.check("#desktop-start-minimised");
    const snapshotsBefore = (await a.calls("live_snapshot")).length;
    const authBefore = (await a.calls("auth_status")).length;
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "save_settings"));
    const saved = (await a.calls("save_settings")).at(-1)!.args as { settings: { desktop: unknown } };
    expect(saved.settings.desktop, "the fieldset's values are saved").toEqual({
      notifications: false,
      closeAction: "hideToTray",
      startAtLogin: true,
      startMinimised: true,
    });
    // After a save the view re-reads the sign-in and only then resets the data if it reconnected.
    await a.page.waitForFunction((n) => (window as unknown as { __calls: { cmd: string }[] }).__calls.filter((c) => c.cmd === "auth_status").length > n, authBefore);
    await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect((await a.calls("live_snapshot")).length, "a desktop change is no reconnect: the live list is not reloaded").toBe(snapshotsBefore);
  });
});
