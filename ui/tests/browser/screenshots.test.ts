// Screenshots of the main views in light and dark, for a human to look at (they are a check,
// not a pixel comparison). Written to ui/test-results/screenshots/ui-<view>-<scheme>.png.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOT_DIR, startHarness, type App, type Harness } from "./harness";

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
  await mkdir(SCREENSHOT_DIR, { recursive: true });
});
afterAll(async () => {
  await harness?.stop();
});

async function shot(a: App, name: string): Promise<void> {
  // Let the last frame (virtual table, status line) settle.
  await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const buffer = await a.page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
  expect(buffer.length, `${name}: a real image was written`).toBeGreaterThan(10_000);
  expect(await a.cspViolations(), `${name}: no CSP violations`).toEqual([]);
}

// The wait banner over the connection log, in both languages and at the default and the
// smallest supported window size.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`wait banner ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: true, pageDelayMs: 5 } });
      await a.page.click("#tab-logs");
      await a.page.click("#load-logs");
      await a.page.locator("#progress").waitFor({ state: "hidden" });
      await a.emit("api-wait", { call: 9, reason: "rate_limit", status: null, seconds: 120, attempt: 2, until: "2026-11-24T14:02:00Z" });
      await a.page.locator("#wait-banner").waitFor();
      const lang = locale.slice(0, 2);
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        const box = await a.page.locator("#wait-banner .wait-text").boundingBox();
        expect(box && box.x + box.width <= width, `${lang} ${width}: the sentence fits the window`).toBe(true);
        await shot(a, `ui-wait-${lang}-${scheme}-${width}x${height}`);
      }
      await a.close();
    });
  }
}

// The live sessions view: the status line, an expired session's marker and the result card of
// a session closed from the list, in both languages and at the default and smallest sizes.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`live sessions ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: true, expiredSession: true } });
      await a.page.locator('#session-list tr[data-expired="true"]').waitFor();
      await a.page.click("#new-session");
      await a.page.fill("#customer-name", "Jane Roe");
      await a.page.click("#create-session");
      await a.page.locator("#session-result").waitFor();
      const code = await a.page.locator("#session-code").innerText();
      const row = a.page.locator(`#session-list tr[data-code="${code}"]`);
      await row.locator(".close-row").click();
      await row.locator(".confirm-close").click();
      await row.waitFor({ state: "detached" });
      await a.emit("live", { type: "status", status: { state: "offline", since: "2026-11-24T14:05:00Z", last_ok: "2026-11-24T14:02:00Z", kind: "network", message: "offline", retry_at: "2026-11-24T14:06:00Z" } });
      await a.page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      const lang = locale.slice(0, 2);
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        for (const selector of ["#live-status", "#refresh-sessions", "#session-result-state"]) {
          const box = await a.page.locator(selector).boundingBox();
          expect(box && box.width > 0 && box.x + box.width <= width, `${lang} ${width}: ${selector} fits the window`).toBe(true);
        }
        await shot(a, `ui-live-${lang}-${scheme}-${width}x${height}`);
      }
      await a.close();
    });
  }
}

// An archived period's first screen (its newest 100 shown, the rest loading), in both
// languages, both schemes and at the default and smallest sizes: the totals' hint must fit.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`first screen of an archived period ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: true, archivedRows: 49037, firstScreenMs: 60_000 } });
      const lang = locale.slice(0, 2);
      await a.page.click("#tab-logs");
      await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "101");
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        const clipped = await a.page.evaluate(() => {
          const el = document.querySelector("#panel-logs .totals") as HTMLElement;
          return [...el.querySelectorAll("*")].some((c) => (c as HTMLElement).scrollWidth > (c as HTMLElement).clientWidth + 1 && getComputedStyle(c).overflow === "hidden");
        });
        expect(clipped, `the totals' hint is not cut at ${width}px`).toBe(false);
        await shot(a, `ui-logs-first-screen-${lang}-${scheme}-${width}x${height}`);
      }
    });
  }
}

// A session's detail (with the assign picker), the filters and the bulk close, in both
// languages, both schemes and at the default and smallest sizes.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`log view over the archive ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: true, archivedRows: 500 } });
      const lang = locale.slice(0, 2);
      await a.page.click("#tab-logs");
      await a.page.locator("#archive-sync-bar").waitFor();
      const id = await a.page.evaluate(() => (document.querySelector('#log-table tbody tr[aria-rowindex="3"]') as HTMLElement | null)?.dataset.id ?? "");
      const base = { state: "idle", received: 0, remaining: 0, lastSync: "2026-11-24T14:02:00Z", lastNew: 12, lastUpdated: 3, total: 500, error: null, pendingEdits: 1, pendingIds: [id], budgetExhausted: false };
      await a.emit("archive-sync", base);
      await a.page.fill("#log-filter", "bea");
      await a.page.locator("#column-filters summary").click();
      await a.page.fill("#column-filter-duration_seconds", ">1 hour");
      await a.page.locator("#column-filter-hint").waitFor();
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await shot(a, `ui-logs-archive-${lang}-${scheme}-${width}x${height}`);
      }
      await a.emit("archive-sync", { ...base, state: "syncing", received: 12000, remaining: 13000 });
      await a.page.locator("#archive-sync-cancel").waitFor();
      await shot(a, `ui-logs-syncing-${lang}-${scheme}-800x600`);
      await a.emit("archive-sync", { ...base, error: { kind: "network", message: "tcp connect error (os error 111)" } });
      await shot(a, `ui-logs-sync-failed-${lang}-${scheme}-800x600`);
      await a.close();
    });
  }
}

// The log toolbar and the query form lay out cleanly in both languages at every width from the
// smallest supported window to the default one: the totals never break inside, and at 1100 px
// they stay on the search's line; the Load button never sits alone on a row of its own (it
// shares the row of the last field, so no label-high gap opens above it); nothing is cut.
for (const lang of ["en", "de"] as const) {
  it(`log toolbar and query form layout ${lang}`, async () => {
    const a = await harness.open({ colorScheme: "light", locale: "en-US", config: { signedIn: true, language: lang, archivedRows: 500 } });
    await a.page.click("#tab-logs");
    await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "501");
    await a.page.fill("#log-filter", "bea");
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent === "167");
    await a.page.locator("#column-filters summary").click();
    const top = (selector: string) => a.page.locator(selector).evaluate((e) => Math.round(e.getBoundingClientRect().top));
    const check = async (width: number, what: string) => {
      const search = await a.page.locator("#log-filter").boundingBox();
      const totals = await a.page.locator(".log-toolbar .totals").boundingBox();
      expect(search && totals, "toolbar parts are shown").toBeTruthy();
      if (!search || !totals) return;
      expect(totals.height, `${lang} ${width} ${what}: the totals are one line`).toBeLessThan(30);
      expect(totals.x + totals.width, `${lang} ${width} ${what}: the totals fit the window`).toBeLessThanOrEqual(width);
      if (width >= 1100) {
        expect(totals.y, `${lang} ${width} ${what}: the totals stay on the search's line`).toBeLessThan(search.y + search.height);
      }
      expect(await top("#load-logs"), `${lang} ${width} ${what}: Load shares the row of the last field`).toBe(await top("#filter-type"));
      for (const selector of [".log-toolbar .totals", "#clear-filters", "#column-menu summary", "#log-utc + *", "#load-logs"]) {
        const cut = await a.page.locator(selector).first().evaluate((e) => e.scrollWidth > e.clientWidth + 1);
        expect(cut, `${lang} ${width} ${what}: ${selector} shows its whole text`).toBe(false);
      }
      // A placeholder is cut without a scroll bar to tell: measure its text in the field's font.
      const cutPlaceholders = await a.page.evaluate(() => {
        const ctx = document.createElement("canvas").getContext("2d")!;
        const inputs = [...document.querySelectorAll<HTMLInputElement>("#log-filter, #log-query input[placeholder], #column-filters input[placeholder]")];
        return inputs
          .filter((i) => i.offsetParent !== null && i.placeholder)
          .filter((i) => {
            const style = getComputedStyle(i);
            ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const room = i.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return ctx.measureText(i.placeholder).width > room;
          })
          .map((i) => `${i.id}: ${i.placeholder}`);
      });
      expect(cutPlaceholders, `${lang} ${width} ${what}: placeholders are whole`).toEqual([]);
    };
    for (const preset of ["7", "custom"]) {
      await a.page.selectOption("#preset", preset);
      for (let width = 800; width <= 1100; width += 25) {
        await a.page.setViewportSize({ width, height: width >= 1100 ? 720 : 600 });
        await check(width, `period ${preset}`);
      }
    }
    await a.page.selectOption("#preset", "7");
    // The export bar (format, then the CSV's delimiter and BOM) stays one line, nothing cut.
    for (const format of ["csv", "xlsx"]) {
      await a.page.selectOption("#export-format", format);
      for (const width of [800, 1100]) {
        await a.page.setViewportSize({ width, height: width >= 1100 ? 720 : 600 });
        const bar = await a.page.locator(".export-bar").boundingBox();
        const button = await a.page.locator("#export-csv").boundingBox();
        expect(bar && button && button.y - bar.y < 20, `${lang} ${width} ${format}: the export bar is one line`).toBe(true);
        for (const selector of ["#export-csv", "#export-format"]) {
          const cut = await a.page.locator(selector).evaluate((e) => e.scrollWidth > e.clientWidth + 1);
          expect(cut, `${lang} ${width} ${format}: ${selector} shows its whole text`).toBe(false);
        }
      }
    }
    await a.page.selectOption("#export-format", "csv");
    for (const scheme of ["light", "dark"] as const) {
      await a.page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await shot(a, `ui-logs-toolbar-${lang}-${scheme}-${width}x${height}`);
      }
    }
    // The Start column's filter typed as the cells show the date, its words marked in them.
    await a.page.fill("#log-filter", "");
    const first = await a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').nth(1).innerText();
    await a.page.fill("#column-filter-start_date", `${first.split(", ")[0]} ${first.split(", ")[1]!.slice(0, 4)}`);
    await a.page.waitForFunction(() => document.querySelector('#log-table tbody tr[aria-rowindex="2"] td:nth-child(2) mark') !== null);
    for (const scheme of ["light", "dark"] as const) {
      await a.page.emulateMedia({ colorScheme: scheme });
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await shot(a, `ui-logs-start-filter-${lang}-${scheme}-${width}x${height}`);
      }
    }
    await a.close();
  });
}

// Signed out with an archive: the log tab reads the archive, with the note on top.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`log view signed out over the archive ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: false, archivedRows: 500 } });
      const lang = locale.slice(0, 2);
      await a.page.click("#tab-logs");
      await a.page.locator("#logs-signed-out").waitFor();
      await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "501");
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        const note = await a.page.locator("#logs-signed-out").boundingBox();
        expect(note && note.x >= 0 && note.x + note.width <= width, `the note fits at ${width} px`).toBe(true);
        await shot(a, `ui-logs-signed-out-${lang}-${scheme}-${width}x${height}`);
      }
      await a.close();
    });
  }
}

// The custom period's date fields in the app's language on an English OS (the OS locale must not
// matter): filled in, then with a problem at a field; every text whole at both sizes.
for (const scheme of ["light", "dark"] as const) {
  for (const lang of ["en", "de"] as const) {
    it(`custom period date fields ${lang} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale: "en-US", config: { signedIn: true, language: lang } });
      await a.page.click("#tab-logs");
      await a.page.selectOption("#preset", "custom");
      await a.page.fill("#from", "1.11.2025");
      await a.page.press("#from", "Tab");
      await a.page.fill("#to", "30.11.2025");
      await a.page.press("#to", "Tab");
      const fits = async (width: number, what: string) => {
        for (const selector of ["#from", "#to", "#from + .date-pick", "#to + .date-pick", "label[for=from]", "label[for=to]", "#load-logs", "#to-error"]) {
          const el = a.page.locator(selector);
          if (!(await el.isVisible())) continue;
          const box = await el.boundingBox();
          expect(box && box.x + box.width <= width, `${lang} ${width} ${what}: ${selector} inside the window`).toBe(true);
          const cut = await el.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
          expect(cut, `${lang} ${width} ${what}: ${selector} shows its whole text`).toBe(false);
        }
      };
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await fits(width, "filled");
        await shot(a, `ui-custom-period-${lang}-${scheme}-${width}x${height}`);
      }
      await a.page.fill("#to", "31.02.2025");
      await a.page.click("#load-logs");
      await a.page.locator("#to-error").waitFor();
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await fits(width, "marked");
        await shot(a, `ui-custom-period-error-${lang}-${scheme}-${width}x${height}`);
      }
      await a.close();
    });
  }
}

for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`session detail ${locale} ${scheme}`, async () => {
      const a = await harness.open({ colorScheme: scheme, locale, config: { signedIn: true, expiredSessions: 2 } });
      const lang = locale.slice(0, 2);
      await a.page.locator("#session-list tr[data-code]").first().waitFor();
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await a.page.selectOption("#filter-state", "all");
        await a.page.locator("#session-list tr[data-open=false]").first().waitFor();
        await shot(a, `ui-sessions-all-${lang}-${scheme}-${width}x${height}`);
        await a.page.click("#close-expired");
        await shot(a, `ui-sessions-bulk-${lang}-${scheme}-${width}x${height}`);
        await a.page.click("#bulk-cancel");
        await a.page.locator("#session-list tr[data-code]").first().locator("td").first().click();
        await a.page.locator("#session-detail").waitFor();
        await a.page.click("#detail-assign");
        await a.page.locator("#assign-picker option[value=u1002]").waitFor({ state: "attached" });
        await shot(a, `ui-detail-${lang}-${scheme}-${width}x${height}`);
        await a.page.click("#detail-edit");
        await shot(a, `ui-detail-edit-${lang}-${scheme}-${width}x${height}`);
        await a.page.keyboard.press("Escape");
        await a.page.locator("#session-detail").waitFor({ state: "hidden" });
      }
      await a.close();
    });
  }
}

for (const scheme of ["light", "dark"] as const) {
  describe(`${scheme} theme`, () => {
    it("sign-in", async () => {
      const a = await harness.open({ colorScheme: scheme });
      await a.page.click("#use-script-token");
      await shot(a, `ui-signin-${scheme}`);
      await a.close();
    });

    it("sessions", async () => {
      const a = await harness.open({ colorScheme: scheme, config: { signedIn: true, memoryOnly: true } });
      await a.page.click("#new-session");
      await a.page.fill("#description", "Outlook keeps asking for the password");
      await a.page.fill("#customer-name", "Jane Roe");
      await a.page.fill("#customer-email", "jane@example.com");
      await a.page.click("#create-session");
      await a.page.locator("#session-result").waitFor();
      await a.page.locator("#session-list tr[data-code]").nth(2).waitFor();
      await a.page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
      await shot(a, `ui-sessions-${scheme}`);
      await a.page.selectOption("#filter-state", "all");
      await a.page.locator("#session-list tr[data-open=false]").waitFor();
      await a.page.locator("#session-list tr[data-code] .close-row").nth(1).click();
      await a.page.locator("#session-list .confirm-close").scrollIntoViewIfNeeded();
      await shot(a, `ui-sessions-confirm-${scheme}`);
      await a.close();
    });

    it("connection log", async () => {
      const a = await harness.open({ colorScheme: scheme, config: { signedIn: true, pageDelayMs: 5 } });
      await a.page.click("#tab-logs");
      await a.page.click("#load-logs");
      await a.page.locator("#progress").waitFor({ state: "hidden" });
      await a.page.locator('#log-table th[data-column="start_date"]').click();
      await a.page.locator('#log-table th[data-column="start_date"]').click();
      await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor();
      await a.page.locator('#log-table tbody tr[aria-rowindex="4"] td').nth(1).click();
      await shot(a, `ui-logs-${scheme}`);
      await a.page.locator('#log-table tbody tr[aria-rowindex="4"] button[data-action="edit"]').click();
      await a.page.locator("#record-dialog").waitFor();
      await shot(a, `ui-logs-edit-${scheme}`);
      await a.close();
    });

    it("settings", async () => {
      const a = await harness.open({ colorScheme: scheme, locale: "de-DE", config: { signedIn: true, sandbox: false } });
      await a.page.click("#tab-settings");
      await a.page.check("#mode-teamviewer");
      await shot(a, `ui-settings-de-${scheme}`);
      await a.close();
    });
  });
}

// Sign-in and offline truth: sign in again, script-token-only settings with a field error,
// the offline marker with disabled actions and a banner with Details, in both languages, light
// and dark, at the default and smallest sizes.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`sign-in and offline truth ${locale} ${scheme}`, async () => {
      const lang = locale.slice(0, 2);
      const sizes = [[1100, 720], [800, 600]] as const;
      const a = await harness.open({
        colorScheme: scheme,
        locale,
        config: { signedIn: true, fail: { refresh_sessions: { kind: "network", message: "tcp connect error: Connection refused (os error 111)" } } },
      });
      await a.page.locator("#refresh-sessions").waitFor();
      await a.page.click("#refresh-sessions");
      await a.page.locator("#error-banner").waitFor();
      await a.page.click("#error-banner-details summary");
      await a.emit("live", {
        type: "status",
        status: { state: "offline", since: "2026-11-24T13:05:00Z", last_ok: "2026-11-24T13:02:00Z", kind: "network", message: "tcp connect error", retry_at: "2026-11-24T13:06:00Z" },
      });
      await a.page.locator("#offline-marker").waitFor();
      for (const [width, height] of sizes) {
        await a.page.setViewportSize({ width, height });
        await shot(a, `ui-offline-${lang}-${scheme}-${width}x${height}`);
      }
      await a.emit("auth-changed", {
        signedIn: false, kind: null, expiresAt: null, memoryOnly: false, keyringAvailable: true, signInPending: false,
        sandbox: true, oauthConfigured: true, account: null, signInAgain: true,
      });
      await a.page.locator("#panel-signin").waitFor();
      for (const [width, height] of sizes) {
        await a.page.setViewportSize({ width, height });
        await shot(a, `ui-sign-in-again-${lang}-${scheme}-${width}x${height}`);
      }
      await a.close();

      const s = await harness.open({ colorScheme: scheme, locale, config: { sandbox: false } });
      await s.page.click("#tab-settings");
      await s.page.check("#mode-teamviewer");
      await s.page.check("#method-oauth");
      await s.page.click("#save-settings");
      await s.page.locator("#client-id-error").waitFor();
      for (const [width, height] of sizes) {
        await s.page.setViewportSize({ width, height });
        await s.page.locator("#save-settings").scrollIntoViewIfNeeded();
        await shot(s, `ui-settings-field-error-${lang}-${scheme}-${width}x${height}`);
      }
      await s.close();
    });
  }
}

// The Settings' Desktop fieldset (with notifications blocked by the system) and the close
// confirm, in both languages, light and dark, at the default and the smallest sizes.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`desktop settings ${locale} ${scheme}`, async () => {
      const a = await harness.open({
        colorScheme: scheme,
        locale,
        config: { signedIn: true, notificationState: { state: "blocked", reason: "no notification service" } },
      });
      await a.page.click("#tab-settings");
      await a.page.check("#desktop-start-at-login");
      const lang = locale.slice(0, 2);
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        await a.page.locator("#settings-desktop").scrollIntoViewIfNeeded();
        for (const selector of ["#settings-desktop", "#desktop-close-action", "#desktop-notifications-blocked", "#notifications-blocked"]) {
          const box = await a.page.locator(selector).boundingBox();
          expect(box && box.width > 0 && box.x + box.width <= width, `${lang} ${width}: ${selector} fits the window`).toBe(true);
        }
        await shot(a, `ui-desktop-settings-${lang}-${scheme}-${width}x${height}`);
      }
      await a.emit("desktop", { type: "closeRequested", waiting: 2 });
      await a.page.locator("#close-confirm").waitFor();
      const actions = await a.page.locator("#close-confirm .actions").boundingBox();
      expect(actions && actions.x + actions.width <= 800, `${lang}: the confirm's buttons fit 800 px`).toBe(true);
      await shot(a, `ui-close-confirm-${lang}-${scheme}-800x600`);
      await a.close();
    });
  }
}
