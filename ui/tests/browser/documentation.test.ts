// End-of-session documentation in the window: the banner (ask) and the badge (required) from the
// core's `documentation` list, the prompt (who and when, notes, ticket number), Save / Later /
// Skip, a notification click, and the Settings fieldset; screenshots in EN/DE, light/dark,
// 1100×720 and 800×600.
import { join } from "node:path";
import { mkdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SCREENSHOT_DIR, type App } from "./harness";
import { appSuite, text, visible } from "./suite";

const open = appSuite();

const SESSIONS = [
  { id: "r-1", customer: "Jörg Müller", devicename: "PC-MUELLER", sessionCode: "s12-345-678", start: "2026-11-24T09:00:00Z", end: "2026-11-24T09:42:10Z", seconds: 2530 },
  { id: "r-2", customer: "Printer Room 2 with a rather long device name that goes on", devicename: "Printer Room 2 with a rather long device name that goes on", sessionCode: null, start: "2026-11-24T10:00:00Z", end: "2026-11-24T10:05:00Z", seconds: 300 },
  { id: "r-3", customer: "Zoë O'Brien", devicename: null, sessionCode: null, start: "2026-11-24T11:00:00Z", end: "2026-11-24T11:20:00Z", seconds: 1200 },
];

describe("documentation: ask", () => {
  it("a banner names the session; the prompt shows who and when and saves notes with the ticket", async () => {
    const a = await open({ config: { signedIn: true, undocumented: SESSIONS.slice(0, 1) } });
    await a.page.locator("#documentation-banner").waitFor();
    expect(await text(a, "#documentation-banner-text"), "one session: named").toBe("Document your session with Jörg Müller");
    expect(await visible(a, "#documentation-badge"), "no badge in ask mode").toBe(false);
    await a.page.click("#documentation-banner-open");
    await a.page.locator("#documentation-dialog").waitFor();
    expect(await text(a, "#doc-who")).toBe("With Jörg Müller");
    expect(await text(a, "#doc-when"), "start – end (same day: time only) · duration").toBe("24/11/2026, 09:00 – 09:42 · 0:42:10");
    expect(await text(a, "#doc-extra")).toBe("Device PC-MUELLER · Session s12-345-678");
    expect(await visible(a, "#doc-skip"), "ask: a session can be skipped").toBe(true);
    expect(await a.page.evaluate(() => document.activeElement?.id), "the notes are ready to type").toBe("doc-notes");

    await a.page.click("#doc-save");
    expect(await visible(a, "#doc-notes-error"), "nothing written: said at the notes").toBe(true);
    expect(await a.calls("document_session"), "and nothing sent").toEqual([]);

    await a.page.fill("#doc-notes", "Reinstalled the printer driver.\nTest page OK.");
    await a.page.fill("#doc-ticket", "INC-4711");
    await a.page.click("#doc-save");
    await a.page.locator("#documentation-dialog").waitFor({ state: "hidden" });
    expect((await a.calls("document_session")).map((c) => c.args), "notes and ticket go to Rust; the core writes the ticket line").toEqual([
      { id: "r-1", notes: "Reinstalled the printer driver.\nTest page OK.", ticket: "INC-4711" },
    ]);
    await a.page.locator("#documentation-banner").waitFor({ state: "hidden" });
    expect(await text(a, "#status"), "announced").toContain("Session documented.");
  });

  it("several: counted; Later keeps them, Skip drops one, × hides the banner until a new one comes", async () => {
    const a = await open({ config: { signedIn: true, undocumented: SESSIONS } });
    await a.page.locator("#documentation-banner").waitFor();
    expect(await text(a, "#documentation-banner-text")).toBe("Document 3 sessions");
    await a.page.click("#documentation-banner-open");
    expect(await text(a, "#doc-who"), "the oldest first").toBe("With Jörg Müller");
    expect(await text(a, "#doc-more")).toBe("2 more sessions to document after this one.");
    await a.page.click("#doc-later");
    await a.page.locator("#documentation-dialog").waitFor({ state: "hidden" });
    expect(await text(a, "#documentation-banner-text"), "Later keeps it undocumented").toBe("Document 3 sessions");
    await a.page.click("#documentation-banner-open");
    await a.page.click("#doc-skip");
    await a.page.locator("#documentation-dialog").waitFor({ state: "hidden" });
    expect((await a.calls("skip_documentation")).map((c) => c.args)).toEqual([{ id: "r-1" }]);
    await a.page.waitForFunction(() => document.querySelector("#documentation-banner-text")?.textContent === "Document 2 sessions");
    await a.page.click("#documentation-banner-close");
    expect(await visible(a, "#documentation-banner"), "dismissed").toBe(false);
    await a.emit("documentation", { mode: "ask", sessions: [...SESSIONS.slice(1), { ...SESSIONS[0], id: "r-9" }] });
    await a.page.locator("#documentation-banner").waitFor();
    expect(await text(a, "#documentation-banner-text"), "back when a session joins").toBe("Document 3 sessions");
  });

  it("a notification click opens the prompt for that session", async () => {
    const a = await open({ config: { signedIn: true, undocumented: SESSIONS } });
    await a.page.locator("#documentation-banner").waitFor();
    await a.emit("desktop", { type: "documentSession", id: "r-3" });
    await a.page.locator("#documentation-dialog").waitFor();
    expect(await text(a, "#doc-who")).toBe("With Zoë O'Brien");
  });
});

describe("documentation: required", () => {
  it("a badge counts the undocumented sessions until each is documented; no Skip", async () => {
    const a = await open({ config: { signedIn: true, documentationMode: "required", undocumented: SESSIONS.slice(0, 2) } });
    await a.page.locator("#documentation-badge").waitFor();
    expect(await text(a, "#documentation-badge")).toBe("2 undocumented");
    expect(await visible(a, "#documentation-banner"), "required: the badge, not the banner").toBe(false);
    await a.page.click("#documentation-badge");
    await a.page.locator("#documentation-dialog").waitFor();
    expect(await text(a, "#doc-who"), "the oldest").toBe("With Jörg Müller");
    expect(await visible(a, "#doc-skip"), "no skipping when required").toBe(false);
    expect(await visible(a, "#doc-required")).toBe(true);
    await a.page.fill("#doc-ticket", "T-1");
    await a.page.click("#doc-save");
    await a.page.locator("#documentation-dialog").waitFor({ state: "hidden" });
    await a.page.waitForFunction(() => document.querySelector("#documentation-badge")?.textContent === "1 undocumented");
    await a.page.click("#documentation-badge");
    await a.page.fill("#doc-notes", "Checked the network.");
    await a.page.click("#doc-save");
    await a.page.locator("#documentation-badge").waitFor({ state: "hidden" });
  });

  it("German: \"1 undokumentiert\", the prompt in German", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true, documentationMode: "required", undocumented: SESSIONS.slice(0, 1) } });
    await a.page.locator("#documentation-badge").waitFor();
    expect(await text(a, "#documentation-badge")).toBe("1 undokumentiert");
    await a.page.click("#documentation-badge");
    expect(await text(a, "#doc-title")).toBe("Sitzung dokumentieren");
    expect(await text(a, "#doc-when")).toBe("24.11.2026, 09:00 – 09:42 · 0:42:10");
  });
});

describe("documentation settings", () => {
  it("the fieldset reads and saves the mode", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-settings");
    expect(await a.page.inputValue("#documentation-mode"), "the default").toBe("ask");
    await a.page.selectOption("#documentation-mode", "required");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "save_settings"));
    const saved = (await a.calls("save_settings")).at(-1)?.args as { settings: { documentation: unknown } };
    expect(saved.settings.documentation).toEqual({ mode: "required" });
  });

  for (const scheme of ["light", "dark"] as const) {
    it(`the fieldset in German ${scheme} at 800×600`, async () => {
      const a = await open({ locale: "de-DE", colorScheme: scheme, config: { signedIn: true } });
      await a.page.setViewportSize({ width: 800, height: 600 });
      await a.page.click("#tab-settings");
      await a.page.locator("#settings-documentation").scrollIntoViewIfNeeded();
      expect(await text(a, "#settings-documentation legend")).toBe("Dokumentation nach der Sitzung");
      const box = await a.page.locator("#documentation-mode").boundingBox();
      expect(box && box.x + box.width <= 800, "the select fits").toBe(true);
      await shot(a, `ui-doc-settings-de-${scheme}-800x600`);
    });
  }
});

async function shot(a: App, name: string): Promise<void> {
  await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const buffer = await a.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  expect(buffer.length, `${name}: a real image`).toBeGreaterThan(10_000);
}

describe("documentation screenshots", () => {
  for (const scheme of ["light", "dark"] as const) {
    for (const locale of ["en-US", "de-DE"] as const) {
      it(`prompt, badge and banner ${locale} ${scheme}`, async () => {
        const lang = locale.slice(0, 2);
        const a = await open({ locale, colorScheme: scheme, config: { signedIn: true, documentationMode: "required", undocumented: SESSIONS } });
        await a.page.locator("#documentation-badge").waitFor();
        for (const [width, height] of [[1100, 720], [800, 600]] as const) {
          await a.page.setViewportSize({ width, height });
          const badge = await a.page.locator("#documentation-badge").boundingBox();
          expect(badge && badge.x + badge.width <= width, `${lang} ${width}: the badge fits`).toBe(true);
          await shot(a, `ui-doc-badge-${lang}-${scheme}-${width}x${height}`);
          await a.page.click("#documentation-badge");
          await a.page.locator("#documentation-dialog").waitFor();
          await a.page.fill("#doc-notes", lang === "de" ? "Druckertreiber neu installiert." : "Reinstalled the printer driver.");
          await a.page.fill("#doc-ticket", "INC-4711");
          const dialog = await a.page.locator("#documentation-dialog").boundingBox();
          expect(dialog && dialog.y + dialog.height <= height, `${lang} ${width}: the prompt fits the window`).toBe(true);
          await shot(a, `ui-doc-prompt-${lang}-${scheme}-${width}x${height}`);
          await a.page.click("#doc-later");
        }
        await a.emit("documentation", { mode: "ask", sessions: SESSIONS.slice(1) });
        await a.page.locator("#documentation-banner").waitFor();
        await a.page.setViewportSize({ width: 800, height: 600 });
        await shot(a, `ui-doc-banner-${lang}-${scheme}-800x600`);
      });
    }
  }
});
