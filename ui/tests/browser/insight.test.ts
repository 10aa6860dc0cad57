// The Insight tab in headless Chromium against the mocked IPC: figures from the store (fed by
// `insight` events), the period picker, the day/week switch, the table alternatives, the
// click-through to the filtered connection log, the empty states, and screenshots in both
// languages, light and dark, at 1100×720 and 800×600 (ui/test-results/screenshots/insight-*.png).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCREENSHOT_DIR, type App } from "./harness";
import { appSuite, text, visible } from "./suite";

const open = appSuite();

/** Opens the app with an archive and shows the Insight tab once its charts are painted. */
async function insightTab(options: Parameters<typeof open>[0] = {}): Promise<App> {
  const a = await open({ ...options, config: { signedIn: true, archivedRows: 500, ...(options.config ?? {}) } });
  await a.page.click("#tab-insight");
  await a.page.locator("#panel-insight").waitFor();
  return a;
}

const painted = (a: App) => a.page.locator("#insight-time .uplot canvas").first().waitFor();

describe("insight tab", () => {
  it("asks for the remembered period in the background after launch and paints it when opened", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 500 } });
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "insight"));
    const asked = (await a.calls("insight"))[0]!.args as { period: { from: string; to: string | null } };
    expect(asked.period.to, "last 30 days: up to now").toBeNull();
    expect(await visible(a, "#panel-insight"), "computed before the tab is opened").toBe(false);
    await a.page.click("#tab-insight");
    await painted(a);
    expect(await text(a, "#insight-connections"), "the summary shows the core's count").toMatch(/^\d[\d,]*$/);
    expect((await a.calls("insight")).length, "opening the tab paints what the store has; nothing is computed again").toBe(1);
    expect(await a.page.locator("#insight-time canvas").count(), "a uPlot canvas for the time series").toBeGreaterThan(0);
    expect(await a.page.locator("#insight-durations canvas").count(), "and one for the distribution").toBeGreaterThan(0);
    expect(await text(a, "#insight-billed"), "billed per currency").toContain("€1,234.50");
    expect(await text(a, "#insight-unbilled"), "and not billed yet, every currency").toContain("CHF");
  });

  it("switches days and weeks without asking the core again", async () => {
    const a = await insightTab();
    await painted(a);
    await a.page.click("#insight-time summary");
    const days = await a.page.locator("#insight-time details tbody tr").count();
    expect(days, "30 days, one row each").toBe(30);
    await a.page.check("#insight-per-week");
    await a.page.waitForFunction(() => document.querySelectorAll("#insight-time details tbody tr").length < 10);
    const weeks = await a.page.locator("#insight-time details tbody tr").allInnerTexts();
    expect(weeks[0], "a week row names the ISO week and its days").toMatch(/^Week \d+ \(\d\d\/\d\d\/\d{4} – \d\d\/\d\d\/\d{4}\)/);
    expect((await a.calls("insight")).length, "the core sent both bucketings at once").toBe(1);
  });

  it("asks for another period from the picker; custom days are read in the app's format", async () => {
    const a = await insightTab();
    await painted(a);
    await a.page.selectOption("#insight-preset", "lastMonth");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.filter((c) => c.cmd === "insight").length === 2);
    const last = (await a.calls("insight")).at(-1)!.args as { period: { from: string; to: string | null } };
    expect(new Date(last.period.from).getDate(), "from the first of last month").toBe(1);
    expect(last.period.to, "to the first of this month").not.toBeNull();
    await a.page.selectOption("#insight-preset", "custom");
    await a.page.fill("#insight-from", "01/11/2026");
    await a.page.fill("#insight-to", "03/11/2026");
    await a.page.click("#insight-show");
    await a.page.waitForFunction(() => document.querySelectorAll("#insight-time details tbody tr").length === 3);
    const custom = (await a.calls("insight")).at(-1)!.args as { period: { from: string; to: string | null } };
    expect(custom.period, "three local days (the browser runs in UTC)").toEqual({ from: "2026-11-01T00:00:00Z", to: "2026-11-04T00:00:00Z" });
  });

  it("has a real table behind every chart, with accessible names", async () => {
    const a = await insightTab();
    await painted(a);
    for (const id of ["insight-time", "insight-durations", "insight-users", "insight-groups", "insight-customers", "insight-amounts"]) {
      const table = a.page.locator(`#${id} details table`);
      expect(await table.count(), `${id}: a table alternative`).toBe(1);
      expect(await a.page.locator(`#${id} details table caption`).textContent(), `${id}: its caption names it`).not.toBe("");
      expect(await a.page.locator(`#${id} details thead th[scope=col]`).count(), `${id}: column headers`).toBeGreaterThan(1);
      expect(await a.page.locator(`#${id} details tbody th[scope=row]`).count(), `${id}: row headers`).toBeGreaterThan(0);
    }
    await a.page.click("#insight-customers summary");
    const rows = await a.page.locator("#insight-customers details tbody tr").allInnerTexts();
    expect(rows.length, "top 10 customers plus the others").toBe(11);
    expect(rows.at(-1), "the rest summed").toContain("23 other customers");
    expect(await a.page.getAttribute("#insight-time .uplot", "aria-label"), "the canvas says what it shows and where the figures are").toContain("table below");
  });

  it("opens the connection log filtered to a supporter, a group, a customer or a day", async () => {
    const a = await insightTab();
    await painted(a);
    await a.page.locator("#insight-user-bars button", { hasText: "Jörg Müller" }).click();
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.getAttribute("#tab-logs", "aria-selected"), "the log tab is shown").toBe("true");
    expect(await a.page.inputValue("#preset"), "the insight's period as custom days").toBe("custom");
    expect(await a.page.inputValue("#filter-user"), "the supporter's id as the query's user").toBe("u1003");
    const load = (await a.calls("load_archived_logs")).at(-1)!.args as { query: { userId: string | null; from: string } };
    expect(load.query.userId, "the archive is read for that supporter").toBe("u1003");

    await a.page.click("#tab-insight");
    await a.page.locator("#insight-group-bars button", { hasText: "Premium" }).click();
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.inputValue("#filter-group"), "the group's id").toBe("g100002");
    expect(await a.page.inputValue("#filter-user"), "the supporter filter went").toBe("");

    await a.page.click("#tab-insight");
    await a.page.click("#insight-customers summary");
    await a.page.locator("#insight-customers details tbody button", { hasText: "Bäckerei Schmidt" }).click();
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.inputValue("#log-filter"), "the customer key is searched for").toBe("Bäckerei Schmidt");
    expect(await a.page.inputValue("#filter-group"), "no group filter left over").toBe("");

    await a.page.click("#tab-insight");
    await a.page.click("#insight-time summary");
    await a.page.locator("#insight-time details tbody tr").nth(2).locator("button").click();
    await a.page.locator("#panel-logs").waitFor();
    const from = await a.page.inputValue("#from");
    expect(from, "the day as the log's first day").toBe(await a.page.inputValue("#to"));
    expect(await a.page.inputValue("#log-filter"), "no search left over").toBe("");
  });

  it("opens the log on the day of a clicked bar", async () => {
    const a = await insightTab();
    await painted(a);
    const over = a.page.locator("#insight-time .u-over");
    const box = (await over.boundingBox())!;
    // The last bar: the rightmost 1/30 of the plot area.
    await over.click({ position: { x: box.width - box.width / 60, y: box.height - 4 } });
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.inputValue("#from"), "one day").toBe(await a.page.inputValue("#to"));
    const today = new Intl.DateTimeFormat("en-GB", { day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date());
    expect(await a.page.inputValue("#to"), "the last day of the period: today").toBe(today);
  });

  it("says why it is empty: no archive yet, or no connections in the period", async () => {
    const none = await open({ config: { signedIn: true, archivedRows: 0 } });
    await none.page.click("#tab-insight");
    await none.page.locator("#insight-empty").waitFor();
    expect(await text(none, "#insight-empty"), "no archive in this run").toContain("could not be opened");
    expect(await visible(none, "#insight-charts"), "no empty charts").toBe(false);

    const quiet = await insightTab({ config: { insightEmpty: true } });
    await quiet.page.locator("#insight-empty").waitFor();
    expect(await text(quiet, "#insight-empty")).toContain("No connections in this period");
    expect(await visible(quiet, "#insight-summary"), "no zero figures under the note").toBe(false);
  });

  it("says when the amounts use the default rate because the rates file is broken", async () => {
    const a = await insightTab({ config: { insightRatesError: { kind: "invalid_input", message: "default: hourly_rate must be a decimal string" } } });
    await painted(a);
    expect(await text(a, "#insight-rates-error"), "the why and the detail at the amounts").toContain("hourly_rate must be a decimal string");
    const fine = await insightTab();
    await painted(fine);
    expect(await fine.page.locator("#insight-rates-error").count(), "no note when the rates were read").toBe(0);
  });

  it("starts and draws its charts when the system's language tag is one Intl rejects (LANG=C)", async () => {
    const a = await insightTab({ config: { navigatorLanguage: "c" } });
    expect(await a.page.evaluate(() => { try { new Intl.NumberFormat(navigator.language); return "accepted"; } catch { return "rejected"; } }), "the tag is one Intl refuses").toBe("rejected");
    await painted(a);
    expect(await text(a, "#insight-connections"), "the figures are shown").toMatch(/^\d/);
  });

  it("is in German with German day and week labels", async () => {
    const a = await insightTab({ locale: "de-DE" });
    await painted(a);
    expect(await text(a, "#tab-insight")).toBe("Auswertung");
    await a.page.check("#insight-per-week");
    await a.page.click("#insight-time summary");
    const first = await a.page.locator("#insight-time details tbody tr").first().innerText();
    expect(first, "KW and German dates").toMatch(/^KW \d+ \(\d\d\.\d\d\.\d{4} – \d\d\.\d\d\.\d{4}\)/);
    expect(await text(a, "#insight-hours"), "hours with a decimal comma").toMatch(/^[\d.]+,\d Std\.$/);
  });
});

describe("insight screenshots", () => {
  for (const scheme of ["light", "dark"] as const) {
    for (const locale of ["en-US", "de-DE"] as const) {
      it(`insight ${locale} ${scheme}`, async () => {
        await mkdir(SCREENSHOT_DIR, { recursive: true });
        const a = await insightTab({ locale, colorScheme: scheme });
        await painted(a);
        const lang = locale.slice(0, 2);
        for (const [width, height] of [[1100, 720], [800, 600]] as const) {
          await a.page.setViewportSize({ width, height });
          await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          // Nothing sticks out of the window sideways.
          const overflow = await a.page.evaluate(() => {
            const content = document.querySelector(".content") as HTMLElement;
            return content.scrollWidth - content.clientWidth;
          });
          expect(overflow, `${lang} ${scheme} ${width}: no sideways scrolling`).toBeLessThanOrEqual(0);
          const clipped = await a.page.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>("#panel-insight .figure dd, #panel-insight h2, #panel-insight legend, #panel-insight label")]
              .filter((e) => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
              .map((e) => e.textContent),
          );
          expect(clipped, `${lang} ${scheme} ${width}: no clipped labels or figures`).toEqual([]);
          await a.page.screenshot({ path: join(SCREENSHOT_DIR, `insight-${lang}-${scheme}-${width}.png`), fullPage: false });
          await a.page.locator("#insight-users").scrollIntoViewIfNeeded();
          await a.page.screenshot({ path: join(SCREENSHOT_DIR, `insight-${lang}-${scheme}-${width}-lists.png`) });
          await a.page.locator("#insight-period").scrollIntoViewIfNeeded();
        }
      });
    }
  }

  for (const locale of ["en-US", "de-DE"] as const) {
    it(`insight empty states and the log after a click ${locale} 800×600`, async () => {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const lang = locale.slice(0, 2);
      const quiet = await insightTab({ locale, config: { insightEmpty: true } });
      await quiet.page.setViewportSize({ width: 800, height: 600 });
      await quiet.page.locator("#insight-empty").waitFor();
      await quiet.page.screenshot({ path: join(SCREENSHOT_DIR, `insight-${lang}-no-connections-800.png`) });
      const none = await open({ locale, config: { signedIn: true, archivedRows: 0 } });
      await none.page.setViewportSize({ width: 800, height: 600 });
      await none.page.click("#tab-insight");
      await none.page.locator("#insight-empty").waitFor();
      await none.page.screenshot({ path: join(SCREENSHOT_DIR, `insight-${lang}-no-archive-800.png`) });
      const a = await insightTab({ locale });
      await painted(a);
      await a.page.setViewportSize({ width: 800, height: 600 });
      await a.page.locator("#insight-group-bars button").first().click();
      await a.page.locator("#panel-logs").waitFor();
      await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await a.page.screenshot({ path: join(SCREENSHOT_DIR, `insight-${lang}-log-after-click-800.png`) });
    });
  }
});

