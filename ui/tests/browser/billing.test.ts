// The Billing tab and Settings → Billing in headless Chromium with the mocked IPC: the worklist
// per customer with totals, selection (a customer's box selects its cases), Mark billed with a
// failure listed and retried, merge and split, the invoice export, the empty states that say
// why, and the rates form (German amounts, errors at the field, save). Screenshots of the tab
// in both languages and schemes at the default and the smallest window size.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SCREENSHOT_DIR, type App } from "./harness";
import { appSuite, text } from "./suite";

const open = appSuite();

beforeAll(async () => {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
});

async function billingTab(config: Parameters<typeof open>[0] = {}): Promise<App> {
  const a = await open({ ...config, config: { signedIn: true, archivedRows: 10, ...(config?.config ?? {}) } });
  await a.page.click("#tab-billing");
  // The worklist arrived: its cases, or the empty state's reason.
  await a.page.locator("#billing-table tr.case-row, #billing-empty:not([hidden])").first().waitFor();
  return a;
}

const customers = (a: App) => a.page.locator("#billing-table tbody.billing-customer").evaluateAll((els) => els.map((e) => e.getAttribute("data-customer")));
const caseKeys = (a: App) => a.page.locator("#billing-table tr.case-row").evaluateAll((els) => els.map((e) => e.getAttribute("data-key")));

describe("billing worklist", () => {
  it("asks for last month when the tab opens and shows the customers with their totals", async () => {
    const a = await billingTab();
    await a.page.locator("#billing-table tr.case-row").first().waitFor();
    const calls = await a.calls("billing_worklist");
    expect(calls.length, "the tab opened the worklist once").toBe(1);
    const { from, to } = calls[0]!.args as { from: string; to: string };
    expect(new Date(from).getDate(), "from the first of a month").toBe(1);
    const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    expect(span >= 28 && span <= 31, `one calendar month: ${span} days`).toBe(true);
    expect(await customers(a)).toEqual(["Bob Builder", "Müller & Söhne GmbH, Abteilung Fernwartung und Netzwerkbetreuung", "alice@example.com"]);
    const alice = a.page.locator('tbody[data-customer="alice@example.com"]');
    expect(await alice.locator("tr.customer-row").innerText(), "the customer's total").toContain("€157.50");
    expect(await alice.locator("tr.case-row").count()).toBe(2);
    expect(await text(a, "#billing-totals"), "totals per currency").toContain("CHF");
    expect(await text(a, "#billing-totals")).toContain("€222.50");
    expect(await text(a, "#billing-summary")).toContain("3 customers · 4 unbilled cases");
    // The excluded connections are reachable but closed.
    expect(await a.page.locator("#billing-excluded").getAttribute("open"), "out of the way").toBeNull();
    expect(await text(a, "#billing-excluded-summary")).toBe("Not billed: 3 connections (1 free, 1 not billable, 1 running)");
  });

  it("selects a customer's cases with its box, marks them billed, and they leave the list", async () => {
    const a = await billingTab();
    const mark = a.page.locator("#billing-mark");
    expect(await mark.isDisabled(), "nothing selected, nothing to mark").toBe(true);
    await a.page.locator('tbody[data-customer="alice@example.com"] tr.customer-row input[type=checkbox]').check();
    expect(await text(a, "#billing-selected")).toBe("2 cases selected");
    expect(await a.page.locator('tr.case-row[aria-selected="true"]').count()).toBe(2);
    await mark.click();
    await a.page.locator('tbody[data-customer="alice@example.com"]').waitFor({ state: "detached" });
    const calls = await a.calls("mark_billed");
    expect(calls.map((c) => c.args.ids), "every unbilled connection of the selected cases, once").toEqual([["a1", "a2", "a3"]]);
    expect(await customers(a)).not.toContain("alice@example.com");
    expect(await text(a, "#status")).toContain("Marked 3 connections billed.");
    expect(await text(a, "#billing-selected")).toBe("0 cases selected");
    expect(await a.page.locator("#billing-failures").isVisible()).toBe(false);
  });

  it("filters customers, and Select all takes only the cases shown", async () => {
    const a = await billingTab();
    await a.page.fill("#billing-filter", "ALICE");
    await expect.poll(() => customers(a)).toEqual(["alice@example.com"]);
    await a.page.locator("#billing-select-all").check();
    expect(await text(a, "#billing-selected")).toBe("2 cases selected");
    await a.page.click("#billing-mark");
    await a.page.locator('tbody[data-customer="alice@example.com"]').waitFor({ state: "detached" });
    expect((await a.calls("mark_billed")).map((c) => c.args.ids), "only the cases shown were marked").toEqual([["a1", "a2", "a3"]]);
    await a.page.fill("#billing-filter", "");
    await expect.poll(() => customers(a)).toEqual(["Bob Builder", "Müller & Söhne GmbH, Abteilung Fernwartung und Netzwerkbetreuung"]);
  });

  it("lists a failure with its customer, keeps the case, and a Retry finishes it", async () => {
    const a = await billingTab({ config: { failMark: ["a2"] } });
    await a.page.locator("#billing-select-all").check();
    expect(await text(a, "#billing-selected")).toBe("4 cases selected");
    await a.page.click("#billing-mark");
    await a.page.locator("#billing-failures").waitFor();
    expect(await text(a, "#billing-failure-text")).toBe("1 connection could not be marked billed: its case stays in the list until it is. 4 other connections were marked billed.");
    expect(await text(a, "#billing-failure-list")).toContain("alice@example.com · connection a2: TeamViewer had a server problem");
    expect(await caseKeys(a), "only the case with the failed connection stays, nothing silently half done").toEqual(["a1"]);
    expect(await a.page.locator('tr.case-row[data-key="a1"]').getAttribute("aria-selected"), "still selected for another try").toBe("true");
    await a.page.click("#billing-retry");
    await a.page.locator("#billing-empty").waitFor();
    expect(await text(a, "#billing-empty")).toBe("Nothing unbilled in this period: all 4 cases are billed.");
    expect(await a.page.locator("#billing-failures").isVisible(), "no failure left").toBe(false);
    const calls = await a.calls("mark_billed");
    expect(calls.map((c) => c.args.ids).at(-1), "the retry sends exactly the failed connection").toEqual(["a2"]);
  });

  it("shows progress while marking", async () => {
    const a = await billingTab({ config: { markDelayMs: 300 } });
    await a.page.locator("#billing-select-all").check();
    await a.page.click("#billing-mark");
    await a.page.locator("#billing-progress").waitFor();
    await expect.poll(() => text(a, "#billing-progress")).toMatch(/Marking billed… [1-4] of 5/);
    expect(await a.page.locator("#billing-mark").isDisabled(), "no second run meanwhile").toBe(true);
    // Stop: what was not sent is listed, with a Retry.
    await a.page.click("#billing-cancel-mark");
    await a.page.locator("#billing-failures").waitFor();
    expect(await a.calls("cancel_mark_billed")).toHaveLength(1);
    const listed = await a.page.locator("#billing-failure-list li").allInnerTexts();
    expect(listed.length, "the connections not sent are listed").toBeGreaterThan(0);
    expect(listed.every((l) => l.includes("Cancelled."))).toBe(true);
    expect(await a.page.locator("#billing-retry").isVisible()).toBe(true);
  });

  it("merges two cases of one customer and splits a case before a connection", async () => {
    const a = await billingTab();
    const merge = a.page.locator("#billing-merge");
    await a.page.locator('tr.case-row[data-key="a1"] input').check();
    await a.page.locator('tr.case-row[data-key="b1"] input').check();
    expect(await merge.isDisabled(), "cases of two customers cannot be merged").toBe(true);
    await a.page.locator('tr.case-row[data-key="b1"] input').uncheck();
    await a.page.locator('tr.case-row[data-key="a3"] input').check();
    await merge.click();
    await a.page.locator('tr.case-row[data-key="a3"]').waitFor({ state: "detached" });
    expect(await a.calls("change_billing_cases").then((c) => c.map((x) => x.args.change))).toEqual([{ op: "merge", first: "a1", second: "a3" }]);
    const merged = a.page.locator('tr.case-row[data-key="a1"]');
    expect(await merged.innerText()).toContain("manual");
    await merged.locator("button.billing-split").click();
    await a.page.locator('tr.split-row button[data-before="a3"]').click();
    await a.page.locator('tr.case-row[data-key="a3"]').waitFor();
    expect((await a.calls("change_billing_cases")).at(-1)!.args.change).toEqual({ op: "split", before: "a3" });
  });

  it("exports a customer's invoice lines as XLSX", async () => {
    const a = await billingTab();
    await a.page.selectOption("#billing-export-customer", "alice@example.com");
    await a.page.click("#billing-export-xlsx");
    await expect.poll(() => text(a, "#status")).toContain("Exported 2 invoice lines to /home/alex/Documents/invoice-lines.xlsx");
    expect((await a.calls("export_invoice")).map((c) => c.args)).toEqual([{ customer: "alice@example.com", format: "xlsx" }]);
    await a.page.selectOption("#billing-export-customer", "");
    await a.page.click("#billing-export-csv");
    await expect.poll(() => a.calls("export_invoice").then((c) => c.length)).toBe(2);
    expect((await a.calls("export_invoice"))[1]!.args).toEqual({ customer: null, format: "csv" });
  });

  it("opens a custom period", async () => {
    const a = await billingTab();
    await a.page.selectOption("#billing-period", "custom");
    await a.page.fill("#billing-from", "01/10/2026");
    await a.page.fill("#billing-to", "15/10/2026");
    await a.page.click("#billing-show");
    await expect.poll(() => a.calls("billing_worklist").then((c) => c.length)).toBe(2);
    const { from, to } = (await a.calls("billing_worklist"))[1]!.args as { from: string; to: string };
    expect([from, to], "the last day is included: the period ends at the next midnight (UTC here)").toEqual(["2026-10-01T00:00:00Z", "2026-10-16T00:00:00Z"]);
    await a.page.fill("#billing-to", "01/09/2026");
    await a.page.click("#billing-show");
    await a.page.locator("#billing-period-error").waitFor();
    expect(await a.calls("billing_worklist").then((c) => c.length), "a reversed period is not asked for").toBe(2);
  });

  for (const [billing, expected] of [
    ["none", "Billing reads the connection-log archive, and this run has none."],
    ["allBilled", "Nothing unbilled in this period: all 4 cases are billed."],
    ["allExcluded", "Nothing to bill in this period: its connections are all free, not billable or still running."],
    ["empty", "No archived connections started in this period."],
  ] as const) {
    it(`says why it is empty: ${billing}`, async () => {
      const a = await billingTab({ config: { billing } });
      await a.page.locator("#billing-empty").waitFor();
      expect(await text(a, "#billing-empty")).toContain(expected);
      expect(await a.page.locator("#billing-table").isVisible(), "no empty table").toBe(false);
      expect(await a.page.locator("#billing-mark").isVisible(), "no Mark billed without cases").toBe(false);
    });
  }

  it("shows the archive's worklist signed out, but marks billed only when signed in", async () => {
    const a = await open({ config: { signedIn: false, archivedRows: 10 } });
    await a.page.click("#tab-billing");
    await a.page.locator("#billing-table tr.case-row").first().waitFor();
    await a.page.locator("#billing-select-all").check();
    const mark = a.page.locator("#billing-mark");
    expect(await mark.isDisabled(), "no Mark billed without a sign-in").toBe(true);
    expect(await mark.getAttribute("title")).toBe("Sign in to mark cases billed at TeamViewer.");
  });

  it("warns when the rates file cannot be used and leads to the rates", async () => {
    const a = await billingTab({ config: { ratesProblem: true } });
    await a.page.locator("#billing-rates-problem").waitFor();
    await a.page.click("#billing-rates-problem button");
    await a.page.locator("#rates-form").waitFor();
    expect(await a.page.locator("#rates-problem").isVisible()).toBe(true);
  });
});

describe("rates form", () => {
  it("reads German amounts, marks a wrong one under its field, and saves plain decimals", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true } });
    await a.page.click("#tab-settings");
    const hourly = a.page.locator("#rates-default input.rate-hourly");
    await hourly.waitFor();
    expect(await hourly.inputValue(), "shown with the German decimal comma").toBe("90,00");
    await hourly.fill("95.50");
    await hourly.blur();
    await a.page.locator("#rates-default p.field-error:not([hidden])").waitFor();
    expect(await a.page.locator("#rates-default p.field-error:not([hidden])").innerText()).toBe("Geben Sie einen Betrag wie 90,00 ein.");
    await hourly.fill("95,5");
    // The mark follows the typing.
    await expect.poll(() => a.page.locator("#rates-default p.field-error:not([hidden])").count()).toBe(0);
    await a.page.click("#rates-add-group");
    const group = a.page.locator(".rate-group").first();
    await a.page.click("#rates-save");
    await group.locator("p.field-error:not([hidden])").first().waitFor();
    expect(await group.locator("p.field-error:not([hidden])").first().innerText()).toBe("Geben Sie eine Gruppen-ID oder einen Gruppennamen ein.");
    expect(await a.calls("save_billing_rates"), "nothing saved with a problem left").toEqual([]);
    await group.locator("input.rate-groupid").fill("g100002");
    await group.locator("input.rate-name").fill("Premium");
    await group.locator("input.rate-hourly").fill("120,00");
    await a.page.click("#rates-save");
    await expect.poll(() => a.calls("save_billing_rates").then((c) => c.length)).toBe(1);
    const saved = (await a.calls("save_billing_rates"))[0]!.args.rates as { default: { hourlyRate: string }; groups: { groupid: string; rate: { hourlyRate: string; name: string } }[] };
    expect(saved.default.hourlyRate, "a plain decimal for the core").toBe("95.5");
    expect(saved.groups).toHaveLength(1);
    expect([saved.groups[0]!.groupid, saved.groups[0]!.rate.name, saved.groups[0]!.rate.hourlyRate]).toEqual(["g100002", "Premium", "120.00"]);
    await expect.poll(() => text(a, "#status")).toContain("Sätze gespeichert.");
    await group.locator("button.rates-remove-group").click();
    expect(await a.page.locator(".rate-group").count()).toBe(0);
  });
});

// What a supporter sees: the worklist with a selection and a failure, in both languages and
// schemes, at 1100×720 and 800×600; nothing may stick out of the window.
for (const scheme of ["light", "dark"] as const) {
  for (const locale of ["en-US", "de-DE"] as const) {
    it(`billing screenshots ${locale} ${scheme}`, async () => {
      const a = await billingTab({ colorScheme: scheme, locale, config: { failMark: ["b1"] } });
      const lang = locale.slice(0, 2);
      await a.page.locator('tbody[data-customer="Bob Builder"] tr.customer-row input').check();
      await a.page.click("#billing-mark");
      await a.page.locator("#billing-failures").waitFor();
      await a.page.locator('tr.case-row[data-key="a1"] input').check();
      await a.page.locator('tr.case-row[data-key="a1"] button.billing-split').click();
      for (const [width, height] of [[1100, 720], [800, 600]] as const) {
        await a.page.setViewportSize({ width, height });
        const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${lang} ${width}: no horizontal scrolling of the window`).toBeLessThanOrEqual(0);
        for (const sel of ["#billing-mark", "#billing-retry", "#billing-export-xlsx"]) {
          const box = await a.page.locator(sel).boundingBox();
          expect(box && box.x + box.width <= width, `${lang} ${width}: ${sel} is inside the window`).toBe(true);
        }
        await a.page.locator("#panel-billing h2").scrollIntoViewIfNeeded();
        await a.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
        await a.page.screenshot({ path: join(SCREENSHOT_DIR, `ui-billing-${lang}-${scheme}-${width}x${height}.png`) });
        await a.page.locator("#billing-excluded summary").click();
        await a.page.locator("#billing-export").scrollIntoViewIfNeeded();
        await a.page.screenshot({ path: join(SCREENSHOT_DIR, `ui-billing-end-${lang}-${scheme}-${width}x${height}.png`) });
        await a.page.locator("#billing-excluded summary").click();
      }
      await a.page.click("#tab-settings");
      await a.page.locator("#rates-form").scrollIntoViewIfNeeded();
      await a.page.screenshot({ path: join(SCREENSHOT_DIR, `ui-rates-${lang}-${scheme}-800x600.png`) });
    });
  }
}
