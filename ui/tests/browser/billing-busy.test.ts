// A busy month in the Billing tab (about what the 10,000-record sandbox gives: 2,200 cases): every
// case is listed and a customer's box selects its cases. Prints how long the tab took to show all
// rows and to answer a selection (figures for bench/README.md, not assertions: the machine is
// shared).
import { expect, it } from "vitest";
import { appSuite, text } from "./suite";

const open = appSuite();

it("lists a busy month's 2,204 cases and selects a customer's cases", async () => {
  const a = await open({ config: { signedIn: true, archivedRows: 10, billingCases: 2200 } });
  const t0 = Date.now();
  await a.page.click("#tab-billing");
  await a.page.locator('tr.case-row[data-key="n2199"]').waitFor({ state: "attached" });
  const shown = Date.now() - t0;
  expect(await a.page.locator("tr.case-row").count(), "every case is listed").toBe(2204);
  const t1 = Date.now();
  await a.page.locator('tbody[data-customer="customer0000@example.com"] tr.customer-row input').check();
  await a.page.waitForFunction(() => document.querySelector("#billing-selected")?.textContent === "6 cases selected");
  const selected = Date.now() - t1;
  expect(await text(a, "#billing-selected")).toBe("6 cases selected");
  console.log(`billing-busy: tab opened to 2,204 rows in ${shown} ms; a customer's 6 cases selected in ${selected} ms`);
});
