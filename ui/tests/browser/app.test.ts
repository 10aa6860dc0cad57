// The built UI in headless Chromium against the mocked IPC (mock-tauri.js), served with the
// app's real CSP. Run `npm run build` first (`npm run test:browser` does not build).
import { describe, expect, it } from "vitest";
import type { App } from "./harness";
import { appSuite, text, visible } from "./suite";

const open = appSuite();

/** A form problem sits at its field: the message there, the field marked and focused. */
async function expectAtField(a: App, field: string, says: string): Promise<void> {
  await a.page.locator(`#${field}-error`).waitFor();
  expect(await text(a, `#${field}-error`), `the error sits at ${field}`).toContain(says);
  expect(await a.page.getAttribute(`#${field}`, "aria-invalid"), `${field} is marked`).toBe("true");
  expect(await a.page.evaluate(() => document.activeElement?.id), `and ${field} is focused`).toBe(field);
}

describe("start-up and sign-in", () => {
  it("starts signed out, signs in with a script token and shows the account", async () => {
    const a = await open();
    expect(await visible(a, "#sign-in"), "signed out: the OAuth button is offered").toBe(true);
    expect(await visible(a, "#sandbox-badge"), "the mock runs in sandbox mode, which must be obvious").toBe(true);
    expect(await visible(a, "#sign-out"), "no sign-out while signed out").toBe(false);
    expect((await a.calls()).map((c) => c.cmd), "app_ready comes after the first render's data").toContain("app_ready");

    await a.page.click("#use-script-token");
    await a.page.fill("#script-token", "bad-token");
    await a.page.click("#script-token-submit");
    await a.page.locator("#script-token-error").waitFor();
    expect(await text(a, "#script-token-error"), "a rejected token is explained at the form by kind").toContain(
      "TeamViewer did not accept the sign-in or token.",
    );

    await a.page.fill("#script-token", "0123456-abcdefgh");
    await a.page.click("#script-token-submit");
    await a.page.locator("#account-name").waitFor();
    expect(await text(a, "#account-name"), "the account from AuthStatus is shown").toContain("Alex Supporter");
    expect(await visible(a, "#sign-out"), "signed in: sign-out offered").toBe(true);
    expect(await visible(a, "#sign-in"), "signed in: no sign-in button").toBe(false);
    const tokenCall = (await a.calls("sign_in_with_script_token")).at(-1);
    expect(tokenCall?.args, "the token goes to Rust as `token`").toEqual({ token: "0123456-abcdefgh" });
    expect(await a.page.inputValue("#script-token"), "the token does not linger in the page").toBe("");
  });

  it("shows the waiting state during OAuth and completes on auth-changed", async () => {
    const a = await open();
    await a.page.click("#sign-in");
    await a.page.locator("#sign-in-waiting").waitFor();
    expect(await a.page.isDisabled("#sign-in"), "no second sign-in while one is pending").toBe(true);
    await a.emit("auth-changed", {
      signedIn: true, kind: "oauth", expiresAt: null, memoryOnly: true, keyringAvailable: false, signInPending: false,
      sandbox: true, oauthConfigured: true, account: { userid: "u1", name: "Dana OAuth", email: "d@example.com", companyName: null },
    });
    await a.page.locator("#account-name").waitFor();
    expect(await text(a, "#account-name"), "the event's account is shown").toBe("Dana OAuth");
    expect(await visible(a, "#keyring-banner"), "memory-only sign-in must be announced").toBe(true);
  });

  it("shows a sign-in-failed event in the error banner with the localised kind text", async () => {
    const a = await open();
    await a.emit("sign-in-failed", { kind: "callback_rejected", message: "state mismatch" });
    await a.page.locator("#error-banner").waitFor();
    expect(await text(a, "#error-banner"), "kind text plus detail").toContain("The sign-in answer from the browser was not accepted.");
    await a.page.click("#error-banner-details summary");
    expect(await text(a, "#error-banner"), "the message is the detail, behind Details").toContain("state mismatch");
  });
});

describe("waits before retries", () => {
  const rateLimit = { call: 4, reason: "rate_limit", status: null, seconds: 120, attempt: 2, until: "2026-11-24T14:02:00Z" };

  it("shows a rate-limit wait with a live countdown and clears it when the answer arrives", async () => {
    const a = await open({ config: { signedIn: true } });
    expect(await visible(a, "#wait-banner"), "no banner before a wait").toBe(false);
    await a.emit("api-wait", rateLimit);
    await a.page.locator("#wait-banner").waitFor();
    expect(await text(a, "#wait-banner .wait-text"), "the plain sentence").toBe(
      "TeamViewer's limit on API calls has been reached. Waiting 2 min before trying again (attempt 2)…",
    );
    await a.page.waitForFunction(
      () => document.querySelector("#wait-banner .wait-text")?.textContent?.includes("1 min 59 s"),
      undefined,
      { timeout: 3_000 },
    );
    expect(await visible(a, "#tab-logs"), "the banner does not block the app").toBe(true);
    await a.page.click("#tab-logs");
    await a.emit("api-wait-over", { call: 4 });
    await a.page.locator("#wait-banner").waitFor({ state: "hidden" });
  });

  it("clears a short server wait when it elapses, in German", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true } });
    await a.emit("api-wait", { ...rateLimit, call: 5, reason: "server", status: 503, seconds: 2 });
    await a.page.locator("#wait-banner").waitFor();
    expect(await text(a, "#wait-banner .wait-text"), "the short German sentence").toBe("TeamViewer antwortet nicht; nächster Versuch in 2 Sek.");
    await a.page.locator("#wait-banner").waitFor({ state: "hidden", timeout: 4_000 });
  });
});

describe("start-up problems and keyboard", () => {
  it("shows the problem app_ready reports (e.g. a damaged settings file)", async () => {
    const a = await open({ config: { startupError: { kind: "config", message: "settings.json: expected value at line 1" } } });
    await a.page.locator("#error-banner").waitFor();
    expect(await text(a, "#error-banner"), "the kind's text").toContain("The app settings are incomplete or invalid.");
    await a.page.click("#error-banner-details summary");
    expect(await text(a, "#error-banner"), "with the detail behind Details").toContain("settings.json");
  });

  it("moves between tabs with the arrow keys and through the log with the keyboard", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 300 } });
    await a.page.focus("#tab-sessions");
    await a.page.keyboard.press("ArrowRight");
    expect(await a.page.getAttribute("#tab-logs", "aria-selected"), "ArrowRight selects the next tab").toBe("true");
    expect(await visible(a, "#panel-logs"), "and shows its panel").toBe(true);
    await a.page.click("#load-logs");
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor();
    await a.page.focus("#log-table");
    await a.page.keyboard.press("ArrowDown");
    await a.page.keyboard.press("ArrowDown");
    expect(await a.page.getAttribute('#log-table tr[aria-rowindex="3"]', "aria-selected"), "two ArrowDowns select the second row").toBe("true");
    await a.page.keyboard.press("End");
    await a.page.locator('#log-table tr[aria-rowindex="301"][aria-selected="true"]').waitFor();
    expect(await a.page.locator('#log-table tr[aria-rowindex="301"]').isVisible(), "End scrolls the last row into view").toBe(true);
    await a.page.keyboard.press("Enter");
    await a.page.locator("#record-dialog").waitFor();
    expect(await a.page.evaluate(() => document.activeElement?.id), "Enter opens the editor with the notes focused").toBe("record-notes");
    await a.page.keyboard.press("Escape");
    await a.page.locator("#record-dialog").waitFor({ state: "hidden" });
    expect(await a.page.evaluate(() => document.activeElement?.id), "closing returns focus to the grid").toBe("log-table");
  });

  it("shows the core's invalid_input for the query at the query form", async () => {
    const a = await open({ config: { signedIn: true, fail: { load_logs: { kind: "invalid_input", message: "user: expected 'u' followed by digits, like u12345678" } } } });
    await a.page.click("#tab-logs");
    await a.page.fill("#filter-user", "alex");
    await a.page.click("#load-logs");
    await a.page.locator("#log-query-error").waitFor();
    expect(await text(a, "#log-query-error"), "the field and the rule are named next to the filters").toContain("user: expected 'u'");
    expect(await visible(a, "#error-banner"), "no banner for a form problem").toBe(false);
    expect((await a.calls("load_logs"))[0]?.args.query, "the filter is sent trimmed, with null for the empty ones").toMatchObject({
      userId: "alex",
      groupId: null,
      deviceName: null,
      sessionCode: null,
      supportSessionType: null,
    });
  });
});

describe("sessions", () => {
  it("creates a session, shows the code and three links, and opens it in TeamViewer", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    expect(await a.page.locator("#session-list tr[data-code]").count(), "open sessions only by default").toBe(2);
    expect(await a.page.locator("#session-list b").count(), "API text with markup is shown as text, never parsed").toBe(0);

    await a.page.keyboard.press("Control+n");
    expect(await visible(a, "#session-form"), "Ctrl+N opens the new-session form").toBe(true);
    await a.page.fill("#customer-email", "jon@");
    await a.page.click("#create-session");
    await a.page.locator("#customer-email-error").waitFor();
    expect(await text(a, "#customer-email-error"), "client-side e-mail check mirrors the core").toContain("name@example.com");
    expect((await a.calls("create_session")).length, "nothing is sent while the form is invalid").toBe(0);

    await a.page.selectOption("#group-picker", "g1002");
    await a.page.fill("#description", "VPN does not connect");
    await a.page.fill("#customer-name", "Jane Roe");
    await a.page.fill("#customer-email", "jane@example.com");
    await a.page.click("#create-session");
    await a.page.locator("#session-result").waitFor();
    const code = await text(a, "#session-code");
    expect(code, "the new session's code is shown").toMatch(/^s\d{2}-\d{3}-\d{3}$/);
    for (const id of ["#link-supporter", "#link-webclient", "#link-customer"]) {
      expect(await text(a, id), `${id} shows its https link`).toMatch(/^https:\/\//);
    }
    const [create] = await a.calls("create_session");
    expect(create?.args, "the form goes over IPC as NewSessionForm").toEqual({
      form: { groupId: "g1002", groupName: null, description: "VPN does not connect", customerName: "Jane Roe", customerEmail: "jane@example.com", waitingMessage: "" },
    });

    await a.page.click("#open-teamviewer");
    await a.page.click("#open-browser");
    await a.page.click("#email-invitation");
    await a.page.click("#copy-customer");
    const opens = (await a.calls("open_session_link")).map((c) => c.args);
    expect(opens, "each button opens its own link of this session through Rust").toEqual([
      { code, link: "supporter" },
      { code, link: "webClient" },
      { code, link: "invitation" },
    ]);
    expect((await a.calls("copy_session_link")).map((c) => c.args), "Copy goes through Rust's clipboard").toEqual([{ code, link: "endCustomer" }]);
    await a.page.locator(`#session-list tr[data-code="${code}"]`).waitFor();
    expect(await a.page.locator("#session-list tr[data-code]").first().getAttribute("data-code"), "newest first").toBe(code);
  });

  it("opens a listed session with one click and closes one after confirming", async () => {
    const a = await open({ config: { signedIn: true } });
    const row = a.page.locator("#session-list tr[data-code]").first();
    await row.waitFor();
    const code = await row.getAttribute("data-code");
    await row.locator(".open-row").click();
    expect((await a.calls("open_session_link")).at(-1)?.args, "row button opens the supporter link").toEqual({ code, link: "supporter" });

    await row.locator(".close-row").click();
    expect((await a.calls("close_session")).length, "closing needs a confirmation").toBe(0);
    await row.locator(".confirm-close").click();
    await a.page.locator(`#session-list tr[data-code="${code}"]`).waitFor({ state: "detached" });
    expect((await a.calls("close_session")).map((c) => c.args), "confirmed close is sent once").toEqual([{ code }]);

    await a.page.selectOption("#filter-state", "all");
    await a.page.locator(`#session-list tr[data-code="${code}"]`).waitFor();
    expect((await a.calls("list_sessions")).at(-1)?.args, "the toggle asks for all sessions").toEqual({ state: "all" });
  });

  it("closing a session in the list takes the open actions off its result card", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    await a.page.click("#new-session");
    await a.page.fill("#customer-name", "Jane Roe");
    await a.page.click("#create-session");
    await a.page.locator("#session-result").waitFor();
    const code = await text(a, "#session-code");
    for (const id of ["#open-teamviewer", "#open-browser", "#email-invitation"]) {
      expect(await visible(a, id), `${id} is offered for the new session`).toBe(true);
    }
    const row = a.page.locator(`#session-list tr[data-code="${code}"]`);
    await row.locator(".close-row").click();
    await row.locator(".confirm-close").click();
    await row.waitFor({ state: "detached" });
    for (const id of ["#open-teamviewer", "#open-browser", "#email-invitation", "#copy-supporter"]) {
      expect(await visible(a, id), `${id} is gone once the session is closed`).toBe(false);
    }
    expect(await text(a, "#session-result-state"), "the card says why").toContain("closed");
    await a.page.evaluate(() => (document.querySelector("#open-teamviewer") as HTMLButtonElement).click());
    expect((await a.calls("open_session_link")).length, "a hidden button opens nothing either").toBe(0);
  });

  it("marks an expired session and offers no Open for it", async () => {
    const a = await open({ config: { signedIn: true, expiredSession: true } });
    const row = a.page.locator('#session-list tr[data-expired="true"]');
    await row.waitFor();
    expect(await row.locator(".tag-expired").innerText(), "the marker").toBe("Expired");
    expect(await row.locator(".open-row").count(), "no Open for an expired session").toBe(0);
    expect(await row.locator(".close-row").count(), "it can still be closed").toBe(1);
    expect(await a.page.locator('#session-list tr[data-expired="false"] .open-row').count(), "valid sessions keep Open").toBe(2);
  });

  it("shows a session created elsewhere as soon as the live list reports it, without Refresh", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    expect(await text(a, "#live-status"), "the status line says when the list was updated").toMatch(/^Updated \d{1,2}:\d{2}/);
    const session = await a.page.evaluate(() =>
      (window as unknown as { __makeSession: (n: number, f: object) => { code: string } }).__makeSession(60, {
        createdAt: new Date().toISOString(),
        customerName: "Colleague's customer",
      }),
    );
    await a.emit("live", { type: "session_added", session });
    await a.page.locator(`#session-list tr[data-code="${session.code}"]`).waitFor();
    expect(await a.page.locator("#session-list tr[data-code]").first().getAttribute("data-code"), "newest first").toBe(session.code);
    expect((await a.calls("list_sessions")).length, "no list command was needed").toBe(0);
    await a.emit("live", { type: "groups_changed", groups: [{ id: "g1001", name: "Support" }, { id: "g1003", name: "Brand-new group" }] });
    await a.page.locator('#group-picker option[value="g1003"]').waitFor({ state: "attached" });
    expect(await a.page.locator('#filter-group option[value="g1003"]').count(), "the log's group filter has it too").toBe(1);
    // A status-only update (what most refreshes bring) changes the status line, not the rows:
    // the row elements are the same objects afterwards (a rebuild per refresh is churn the
    // page of an app left open all day must not have).
    await a.page.evaluate(() => {
      (window as unknown as { __firstRow: Element | null }).__firstRow = document.querySelector("#session-list tr[data-code]");
    });
    await a.emit("live", { type: "status", status: { state: "refreshing", manual: false } });
    await a.emit("live", { type: "status", status: { state: "slowed_down", reason: "budget", until: "2026-11-24T14:10:00Z", used: 1700, budget: 1800 } });
    await a.page.waitForFunction(() => document.querySelector("#live-status")?.textContent?.startsWith("Slowed down"));
    expect(
      await a.page.evaluate(() => (window as unknown as { __firstRow: Element | null }).__firstRow === document.querySelector("#session-list tr[data-code]")),
      "status-only updates keep the rendered rows",
    ).toBe(true);
  });

  it("shows a license-limit failure at the form, with the cleanup when nothing has expired", async () => {
    const a = await open({ config: { signedIn: true, fail: { create_session: { kind: "license_limit", message: "Maximum number of sessions reached" } } } });
    await a.page.click("#new-session");
    await a.page.click("#create-session");
    await a.page.locator(".session-form .form-error").waitFor();
    expect(await text(a, ".session-form .form-error"), "human words at the form").toContain("allows no more open sessions");
    expect(await text(a, ".session-form .form-error"), "no expired ones: close unneeded ones").toContain("Close sessions you no longer need");
  });
});

describe("connection log with 100,000 rows", () => {
  async function loadAll(a: App): Promise<void> {
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    // Done when Load is enabled again and the table has rows (a fast load may never show the bar).
    await a.page.waitForFunction(
      () => !(document.querySelector("#load-logs") as HTMLButtonElement).disabled && document.querySelector("#log-table")?.getAttribute("aria-rowcount") !== "1",
    );
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor();
  }

  it("loads with progress, then renders only a window of the rows", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 120 } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.locator("#progress").waitFor();
    await a.page.waitForFunction(() => /^[1-9]/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    expect(await text(a, "#progress-text"), "progress shows the record count while paging").toMatch(/^[\d,]+ records loaded, [\d,]+ to go$/);
    expect(await a.page.getAttribute("#progress", "max"), "the bar's scale is loaded + remaining").toBe("100000");
    await a.page.locator("#progress").waitFor({ state: "hidden" });
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor();

    const [load] = await a.calls("load_logs");
    const query = load?.args.query as Record<string, unknown>;
    expect(query.from, "the default preset (7 days) sends a from instant").toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(query.supportSessionType, "no type filter by default").toBeNull();

    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "rows in view + 1 header row").toBe("100001");
    const domRows = await a.page.locator("#log-table [role=row][aria-rowindex]").count();
    expect(domRows, "only the visible window (+overscan) is in the DOM").toBeLessThan(60);
    expect(await text(a, "#totals-count"), "totals count").toBe("100,000");
    const rowHeight = await a.page.locator('#log-table tbody tr[aria-rowindex="2"]').evaluate((el) => el.getBoundingClientRect().height);
    expect(rowHeight, "fixed row height (the window math relies on it)").toBe(30);
  });

  it("shows type names in human words and start times in the app's date format, not raw API values", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    const first = a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)');
    await first.waitFor();
    const start = (await first.locator("td").nth(1).textContent()) ?? "";
    const type = (await first.locator("td").nth(6).textContent()) ?? "";
    expect(start, "no raw RFC 3339 instant in the grid").not.toMatch(/T\d\d:\d\d:\d\dZ$/);
    expect(start, "the one Intl date format (en-GB short date + time)").toMatch(/^\d\d\/\d\d\/\d{4}, \d\d:\d\d$/);
    expect(["Remote control", "Remote support", "Remote support (SDK)"], `type cell "${type}" reads as a human name`).toContain(type);
  });

  it("counts the load in the empty grid while the first pages arrive, never 'No records loaded yet'", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 200 } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => /^[1-9]/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    const overlay = (await a.page.locator(".empty-overlay").first().textContent()) ?? "";
    const shown = await a.page.locator(".empty-overlay").first().isVisible();
    expect(shown, "the grid has no rows yet, so its overlay speaks").toBe(true);
    expect(overlay, "a running load is not an empty log").not.toContain("No records loaded yet");
    expect(overlay, "the overlay counts towards the total").toMatch(/^Loading( [\d,]+ of [\d,]+|…)$/);
  });

  it("scrolls to the bottom and shows row 100,000", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    await a.page.locator("#log-scroller").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    const last = a.page.locator('#log-table tbody tr[aria-rowindex="100001"]:not(.loading)');
    await last.waitFor();
    expect(await last.locator("td").nth(7).innerText(), "the last row holds record 100,000's data (session code of record 99,999)").toBe("s00099999");
    expect(await last.isVisible(), "the last row is inside the viewport").toBe(true);
    const inDom = await a.page.locator("#log-table [role=row][aria-rowindex]").count();
    expect(inDom, "still a small window at the bottom").toBeLessThan(60);
    const fetched = (await a.calls("log_rows")).map((c) => c.args as { offset: number; limit: number });
    expect(fetched.every((c) => c.limit <= 100), "rows are fetched in windows, never all at once").toBe(true);
  });

  it("keeps the grid's scroller out of any rounded clip (WebKit redraws such a scroll layer every frame)", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    // A clip is an element whose overflow is not visible; a rounded one has a corner radius.
    const rounded = await a.page.locator("#log-scroller").evaluate((scroller) => {
      const found: string[] = [];
      for (let el: Element | null = scroller; el; el = el.parentElement) {
        const s = getComputedStyle(el);
        const clips = s.overflowX !== "visible" || s.overflowY !== "visible";
        const radii = [s.borderTopLeftRadius, s.borderTopRightRadius, s.borderBottomLeftRadius, s.borderBottomRightRadius];
        if (clips && radii.some((r) => parseFloat(r) > 0)) found.push(`${el.tagName.toLowerCase()}.${el.className} (${radii.join(" ")})`);
      }
      return found;
    });
    expect(rounded, "on WebKit's CPU renderer a rounded clip around the scroller cost 40–70 ms of CPU per keystroke and per caret blink (bench/README.md)").toEqual([]);
  });

  it("a filter change reuses the row elements and rewrites only the cells whose text or marks change", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    const filter = a.page.locator("#log-filter");
    await filter.fill("berger");
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent === "33,333");
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading) mark').waitFor();
    // Tag the row elements and record every DOM change in the grid from here on.
    await a.page.evaluate(() => {
      const w = window as unknown as { __muts: MutationRecord[] };
      w.__muts = [];
      document.querySelectorAll<HTMLElement>("#log-table tbody tr[aria-rowindex]").forEach((tr) => ((tr as unknown as { __tag: string }).__tag = tr.dataset.id ?? ""));
      new MutationObserver((records) => w.__muts.push(...records)).observe(document.querySelector("#log-table tbody")!, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const applied = async (text: string) =>
      a.page.waitForFunction((t) => (window as unknown as { __calls: { cmd: string; args: { view?: { text: string } } }[] }).__calls.some((c) => c.cmd === "apply_log_view" && c.args.view?.text === t), text);
    const taken = async () =>
      a.page.evaluate(() => {
        const w = window as unknown as { __muts: MutationRecord[] };
        const cells = w.__muts.map((m) => {
          const node = m.target.nodeType === Node.ELEMENT_NODE ? (m.target as Element) : m.target.parentElement;
          const td = node?.closest("td");
          const tr = node?.closest("tr");
          return { row: tr?.getAttribute("data-id") ?? "", tag: (tr as unknown as { __tag?: string } | null)?.__tag ?? "", cell: td ? td.textContent : null, what: `${node?.tagName} ${m.type} ${m.attributeName ?? ""}` };
        });
        w.__muts = [];
        return cells;
      });

    // The same words (a trailing space): the same rows, nothing in the grid is written.
    await filter.press("End");
    await filter.press(" ");
    await applied("berger ");
    await a.page.waitForTimeout(100);
    expect(await taken(), "an unchanged view writes nothing to the rows (every write is work for WebKit)").toEqual([]);

    // A second word: the rows showing "Bea Berger" keep their elements; only cells that gain a mark change.
    await filter.pressSequentially("bea");
    await applied("berger bea");
    await a.page.waitForFunction(() => [...document.querySelectorAll("#log-table tbody tr[aria-rowindex] td mark")].some((m) => m.textContent?.toLowerCase() === "bea"));
    await a.page.waitForTimeout(100);
    const changed = await taken();
    const kept = changed.filter((c) => c.row !== "" && c.row === c.tag);
    expect(await a.page.locator("#log-table tbody tr[aria-rowindex]").evaluateAll((trs) => trs.filter((tr) => (tr as unknown as { __tag?: string }).__tag !== undefined).length), "the same row elements are in the grid").toBeGreaterThan(10);
    expect(kept.length, "some cells of rows that kept their record changed (their new marks)").toBeGreaterThan(0);
    const others = kept.filter((c) => c.cell === null || !/b/i.test(c.cell));
    expect(others, "in a row that kept its record, only cells that can gain a mark (b, be, bea: a 'b' in the text) were written").toEqual([]);
  });

  it("a running sync's status events do not rewrite the grid's rows when the pending edits stay the same", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    const status = (received: number) => ({
      state: "running", received, remaining: 1000 - received, lastSync: null, lastNew: 0, lastUpdated: 0, total: received,
      error: null, pendingEdits: 1, pendingIds: ["not-a-shown-record"], budgetExhausted: false,
    });
    // The first status shows the sync bar (the grid gets shorter); the rows shown from then on stay.
    await a.emit("archive-sync", status(50));
    await a.page.waitForTimeout(200);
    await a.page.evaluate(() => {
      const w = window as unknown as { __muts: string[] };
      w.__muts = [];
      new MutationObserver((records) => w.__muts.push(...records.map((r) => `${(r.target as Element).tagName ?? "#text"} ${r.type} ${r.attributeName ?? ""}`))).observe(
        document.querySelector("#log-table tbody")!,
        { subtree: true, childList: true, attributes: true, characterData: true },
      );
    });
    for (let i = 1; i <= 5; i++) await a.emit("archive-sync", status(i * 100));
    await a.page.waitForTimeout(100);
    expect(await a.page.evaluate(() => (window as unknown as { __muts: string[] }).__muts), "progress events (a new list with the same ids each time) leave the rows alone").toEqual([]);
  });

  it("filters instantly via apply_log_view and updates the totals", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    await a.page.keyboard.press("Control+f");
    expect(await a.page.evaluate(() => document.activeElement?.id), "Ctrl+F focuses the log filter").toBe("log-filter");
    const rowFetchesBefore = (await a.calls("log_rows")).length;
    await a.page.keyboard.type("berger", { delay: 5 });
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent === "33,333");
    const applies = await a.calls("apply_log_view");
    expect(applies.at(-1)?.args, "the free text goes to Rust, with the first block of rows to answer").toEqual({
      view: { text: "berger", columns: [], sort: null, times: { utc: false, parts: expect.any(Array) } },
      offset: 0,
      limit: 100,
    });
    expect(applies.length, "at most one call per keystroke").toBeLessThanOrEqual(6);
    expect((await a.calls("log_rows")).length, "the first window came with the view: no extra row fetch").toBe(rowFetchesBefore);
    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "aria-rowcount follows the view").toBe("33334");
    expect(await text(a, "#totals-duration"), "summed duration as h:mm:ss").toMatch(/^\d+:\d\d:\d\d$/);
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor();
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').nth(3).innerText(), "the window shows matching rows").toBe("Bea Berger");
  });

  it("matches every search word anywhere, marks the matches, and filters enumerations by exact value", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    const firstRow = 'tr[aria-rowindex="2"]:not(.loading)';
    await a.page.locator("#log-filter").fill("bea müller");
    await a.page.locator(`#log-table tbody ${firstRow}`).waitFor();
    await a.page.waitForFunction(() => document.querySelector("#log-table tbody td mark") !== null);
    const cells = a.page.locator(`#log-table tbody ${firstRow} td`);
    expect(await cells.nth(3).innerText(), "both words match, in different columns").toBe("Bea Berger");
    expect(await cells.nth(8).innerText()).toBe("Müller & Söhne");
    expect(await cells.nth(3).locator("mark").innerText(), "the supporter's match is marked").toBe("Bea");
    expect(await cells.nth(8).locator("mark").innerText(), "and the customer's").toBe("Müller");
    await a.page.locator("#log-filter").fill("");

    await a.page.locator("#column-filters summary").click();
    const options = await a.page.locator("#column-filter-billing_state option").allInnerTexts();
    expect(options, "the pick list offers the loaded values, by name").toEqual(["Any", "To bill", "Billed", "Do not bill", "Not billed"]);
    await a.page.selectOption("#column-filter-billing_state", "Billed");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string; args: { view?: { columns?: { exact: boolean }[] } } }[] }).__calls.some((c) => c.cmd === "apply_log_view" && c.args.view?.columns?.[0]?.exact === true));
    await a.page.locator(`#log-table tbody ${firstRow}`).waitFor();
    const billing = await a.page.locator("#log-table tbody tr:not(.loading) td:nth-child(10)").allInnerTexts();
    expect(billing.length > 0, "rows are shown").toBe(true);
    expect(new Set(billing), '"Billed" no longer matches "Not billed"').toEqual(new Set(["Billed"]));
  });

  it("reads duration comparisons and says when a filter can't be read", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    await a.page.locator("#column-filters summary").click();
    await a.page.fill("#column-filter-duration_seconds", ">1 hour");
    await a.page.locator("#column-filter-hint").waitFor();
    expect(await text(a, "#column-filter-hint"), "the hint names the filter and shows how to write it").toContain(">1h, <10m");
    expect(await a.page.getAttribute("#column-filter-duration_seconds", "aria-invalid"), "the field is marked").toBe("true");
    expect(await text(a, "#totals-count"), "an unreadable filter filters nothing (no silent 0 rows)").not.toBe("0");
    await a.page.fill("#column-filter-duration_seconds", ">1h");
    await a.page.locator("#column-filter-hint").waitFor({ state: "hidden" });
    expect(await a.page.getAttribute("#column-filter-duration_seconds", "aria-invalid"), "fixed: no longer marked").toBeNull();
    const durations = await a.page.locator("#log-table tbody tr:not(.loading) td:nth-child(3)").allInnerTexts();
    expect(durations.length > 0 && durations.every((d) => d.startsWith("1:")), `only connections over an hour: ${durations.slice(0, 5).join(", ")}`).toBe(true);
  });

  it("answers the first keystroke at once and coalesces keystrokes that arrive while Rust is busy", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, applyDelayMs: 150 } });
    await loadAll(a);
    const before = (await a.calls("apply_log_view")).length;
    await a.page.locator("#log-filter").focus();
    await a.page.keyboard.type("b");
    // No debounce: the call is made in the same task as the keystroke.
    expect((await a.calls("apply_log_view")).length, "the first keystroke is applied without waiting").toBe(before + 1);
    await a.page.keyboard.type("erger", { delay: 10 });
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent === "33,333");
    const applies = (await a.calls("apply_log_view")).slice(before);
    expect(applies.map((c) => (c.args.view as { text: string }).text), "the five keys typed during the first call become one follow-up with the latest text").toEqual(["b", "berger"]);
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').nth(3).innerText(), "the rows shown are the latest view's").toBe("Bea Berger");
  });

  it("a new filter goes back to the top even when a record edit's refresh is queued behind it", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, applyDelayMs: 800 } });
    await loadAll(a);
    await a.page.locator("#log-scroller").evaluate((el) => {
      el.scrollTop = 30 * 500;
    });
    const row = a.page.locator('#log-table tbody tr[aria-rowindex="503"]:not(.loading)');
    await row.waitFor();
    await a.page.locator("#log-filter").fill("b"); // apply_log_view in flight for 800 ms (keepScroll: false)
    await row.locator('button[data-action="edit"]').click();
    await a.page.fill("#record-notes", "checked");
    await a.page.click("#record-save"); // a refresh that keeps the scroll position, queued behind the filter
    await a.page.locator("#record-dialog").waitFor({ state: "hidden" });
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.filter((c) => c.cmd === "apply_log_view").length >= 2);
    await a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)').waitFor({ timeout: 5000 });
    expect(await a.page.locator("#log-scroller").evaluate((el) => el.scrollTop), "the filter's answer was dropped for the follow-up, which still starts at the top").toBe(0);
  });

  it("sorts by clicking a header: ascending, descending, none", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5 } });
    await loadAll(a);
    const th = a.page.locator('#log-table th[data-column="duration_seconds"]');
    await th.click();
    await a.page.waitForFunction(() => document.querySelector('th[data-column="duration_seconds"]')?.getAttribute("aria-sort") === "ascending");
    await th.click();
    expect(await th.getAttribute("aria-sort"), "second click sorts descending").toBe("descending");
    await th.click();
    expect(await th.getAttribute("aria-sort"), "third click removes the sort").toBe("none");
    const sorts = (await a.calls("apply_log_view")).map((c) => (c.args.view as { sort: unknown }).sort);
    expect(sorts, "each click re-applies the view with the new sort").toEqual([
      { column: "duration_seconds", descending: false },
      { column: "duration_seconds", descending: true },
      null,
    ]);
  });

  it("cancels paging, marks the result incomplete and resumes", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 150, rowCount: 5000 } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    // Wait for the first page (the text starts at "0 records loaded").
    await a.page.waitForFunction(() => /^[1-9]/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    await a.page.click("#cancel-logs");
    await a.page.locator("#incomplete-marker").waitFor();
    expect(await text(a, "#incomplete-marker"), "partial results are marked").toContain("Incomplete");
    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "the partial rows stay visible").not.toBe("1");
    await a.page.click("#resume-logs");
    await a.page.locator("#incomplete-marker").waitFor({ state: "hidden" });
    await a.page.locator("#progress").waitFor({ state: "hidden" });
    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "resume completes the load").toBe("5001");
    expect((await a.calls("resume_logs")).length, "Resume continues instead of reloading").toBe(1);
  });

  it("columns can be hidden and resized (mouse and keyboard), and stay so after a restart", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await loadAll(a);
    await a.page.click("#column-menu summary");
    await a.page.uncheck("#show-column-devicename");
    await a.page.keyboard.press("Escape");
    expect(await a.page.locator(".column-menu-list").isVisible(), "Escape closes the menu").toBe(false);
    const header = a.page.locator('#log-table th[data-column="devicename"]');
    expect(await header.isVisible(), "the device column is hidden").toBe(false);
    const cells = await a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').evaluateAll((tds) => tds.filter((td) => !(td as HTMLElement).hidden).length);
    expect(cells, "its cells too, so the others stay under their headers").toBe(await a.page.locator("#log-table colgroup col").count());
    const user = a.page.locator('#log-table th[data-column="username"]');
    const before = (await user.boundingBox())!.width;
    const handle = user.locator(".col-resize");
    const box = (await handle.boundingBox())!;
    await a.page.mouse.move(box.x + 3, box.y + 10);
    await a.page.mouse.down();
    await a.page.mouse.move(box.x + 83, box.y + 10, { steps: 4 });
    await a.page.mouse.up();
    const dragged = (await user.boundingBox())!.width;
    expect(Math.round(dragged - before), "dragging the edge by 80 px widens the column by 80 px").toBe(80);
    await handle.focus();
    await a.page.keyboard.press("ArrowLeft");
    expect(Math.round((await user.boundingBox())!.width - dragged), "← narrows it by 16 px").toBe(-16);
    expect(await a.page.getAttribute('#log-table th[data-column="username"]', "aria-sort"), "a drag on the edge is not a sort").toBe("none");
    await a.page.reload();
    await loadAll(a);
    expect(await a.page.locator('#log-table th[data-column="devicename"]').isVisible(), "hidden after a restart").toBe(false);
    expect(Math.round((await a.page.locator('#log-table th[data-column="username"]').boundingBox())!.width), "and as wide").toBe(Math.round(dragged - 16));
  });

  it("the record dialog shows every field in full (the grid cuts long text)", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await loadAll(a);
    // Record 2 has the customer 'Zoë "Quote" <b>O'Brien</b>' (cut in the grid).
    await a.page.locator('#log-table tbody tr[aria-rowindex="4"] button[data-action="edit"]').click();
    await a.page.locator("#record-dialog").waitFor();
    await a.page.locator("#record-facts summary").click();
    const facts = await text(a, "#record-facts");
    expect(facts, "the whole customer name, as text").toContain('Zoë "Quote" <b>O\'Brien</b>');
    expect(facts, "fields the grid does not show, like the e-mail").toContain("customer2@example.com");
    expect(await a.page.locator("#record-facts b").count(), "record text is never markup").toBe(0);
    const start = await a.page.locator('#log-table tbody tr[aria-rowindex="4"] td').nth(1).textContent();
    expect(await text(a, "#record-info"), "the heading names the start as the grid does, not as RFC 3339").toMatch(
      new RegExp(`^Record from ${start}, `),
    );
    expect(start, "in the app's one date format").toMatch(/^\d\d\/\d\d\/\d{4}, \d\d:\d\d$/);
  });

  it("a reload replaces the old result at once instead of counting under it", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 150, rowCount: 3000 } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => !(document.querySelector("#load-logs") as HTMLButtonElement).disabled && document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "3001");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => /^[1-9]/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "the old rows are gone while the new load runs").toBe("1");
    expect(await a.page.locator(".totals").innerText(), "the totals count the new load").toMatch(/Loading/);
  });

  it("shows start times in local time, or in UTC when switched (remembered)", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 }, timezoneId: "Europe/Berlin" });
    await loadAll(a);
    const start = () => a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').nth(1).innerText();
    const header = () => a.page.locator('#log-table th[data-column="start_date"]').innerText();
    const local = await start();
    expect(await header()).toContain("local time");
    await a.page.check("#log-utc");
    await a.page.waitForFunction((before) => document.querySelector('#log-table tbody tr[aria-rowindex="2"] td:nth-child(2)')?.textContent !== before, local);
    expect(await header(), "the header says which").toContain("UTC");
    const utc = await start();
    const hours = (s: string) => Number(/(\d\d):\d\d$/.exec(s)?.[1]);
    expect((hours(local) - hours(utc) + 24) % 24, `Berlin is 1 hour ahead of UTC in winter: ${local} vs ${utc}`).toBe(1);
    expect(await a.page.evaluate(() => localStorage.getItem("sdesk.logs.utc")), "remembered").toBe("1");
  });

  it("filters the Start column by the date and time the cell shows (German, local time, then UTC)", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true, pageDelayMs: 5, rowCount: 300 }, timezoneId: "Europe/Berlin" });
    await loadAll(a);
    const cell = (row: number) => a.page.locator(`#log-table tbody tr[aria-rowindex="${row}"] td`).nth(1).innerText();
    const shown = await cell(4); // "24.11.2026, 14:40" in Berlin time
    const [day, time] = shown.split(", ");
    expect(day, "the cell shows the German date").toMatch(/^\d\d\.\d\d\.\d{4}$/);
    await a.page.locator("#column-filters summary").click();
    expect(await a.page.getAttribute("#column-filter-start_date", "placeholder"), "the field shows how to write a date").toContain("29.11.2026");
    await a.page.fill("#column-filter-start_date", `${day} ${time}`);
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent !== "300");
    const count = Number(await a.page.locator("#totals-count").getAttribute("data-value"));
    expect(count, `the row showing ${shown} is found by typing what it shows`).toBeGreaterThan(0);
    for (let row = 2; row < 2 + Math.min(count, 5); row++) {
      const text = await cell(row);
      expect(text.includes(day!) && text.includes(time!), `row ${row} (${text}) shows both typed words`).toBe(true);
    }
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"] td').nth(1).locator("mark").count(), "the typed words are marked in the cell").toBeGreaterThan(0);
    const sent = (await a.calls("apply_log_view")).at(-1)?.args as { view: { times: { utc: boolean; parts: { type: string }[] } } };
    expect(sent.view.times.utc, "the core is told the grid shows local time").toBe(false);
    expect(sent.view.times.parts.map((p) => p.type).filter((t) => t !== "literal"), "and the order of the parts").toEqual(["day", "month", "year", "hour", "minute"]);
    // In UTC the same instant shows an hour earlier in winter: the filter follows the cells.
    await a.page.check("#log-utc");
    await a.page.waitForFunction(() => /UTC/.test(document.querySelector('#log-table th[data-column="start_date"]')?.textContent ?? ""));
    const utcTime = `${String((Number(time!.slice(0, 2)) + 23) % 24).padStart(2, "0")}${time!.slice(2)}`;
    await a.page.fill("#column-filter-start_date", `${day} ${utcTime}`);
    await a.page.waitForFunction(
      (want) => (document.querySelector('#log-table tbody tr[aria-rowindex="2"] td:nth-child(2)')?.textContent ?? "").includes(want),
      `${day}, ${utcTime}`,
    );
    expect(((await a.calls("apply_log_view")).at(-1)?.args as typeof sent).view.times.utc, "the UTC switch is sent").toBe(true);
  });

  it("counts a running load in the totals and says an export of an incomplete load is incomplete", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 150, rowCount: 5000 } });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => /^[1-9]/.test(document.querySelector("#progress-text")?.textContent ?? ""));
    const during = await a.page.locator(".totals").innerText();
    expect(during, "the totals count the load, never '0 of 0'").toMatch(/Loading [\d,]+ of [\d,]+|Loading…/);
    expect(during).not.toContain("of 0 loaded");
    await a.page.click("#cancel-logs");
    await a.page.locator("#incomplete-marker").waitFor();
    await a.page.click("#export-csv");
    await a.page.locator("#export-incomplete").waitFor();
    expect(await text(a, "#export-incomplete"), "before the file is chosen, the export says what it lacks").toContain("the export will hold only those");
    expect((await a.calls("export_logs")).length, "nothing exported before the answer").toBe(0);
    await a.page.click("#export-anyway");
    await a.page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Exported"));
    expect(await text(a, "#status"), "and the result says so too").toContain("the load was incomplete");
  });

  it("shows the archived period at launch without signing in or loading", async () => {
    const a = await open({ config: { signedIn: false, archivedRows: 42 } });
    await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "43");
    expect((await a.calls("load_archived_logs")).length, "the archive is read once at launch").toBe(1);
    expect((await a.calls("load_logs")).length, "nothing is downloaded for it").toBe(0);
    // Signed out (a sandbox sign-in does not outlive a restart): the log tab shows the archive.
    await a.page.click("#tab-logs");
    await a.page.locator("#panel-logs").waitFor();
    expect(await visible(a, "#logs-signed-out"), "a note says why Sync and edits need a sign-in").toBe(true);
    expect(await a.page.locator("#archive-sync").isDisabled(), "no Sync now without a sign-in").toBe(true);
    expect(await visible(a, "#panel-signin"), "no sign-in card in front of the archive").toBe(false);
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"]').count(), "the archived rows are there to read").toBe(1);
    await a.page.click("#tab-sessions");
    expect(await visible(a, "#panel-signin"), "sessions still need a sign-in").toBe(true);
  });

  it("a long archived period shows its newest rows at once, then the whole period under them", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 5000, firstScreenMs: 1500 } });
    await a.page.click("#tab-logs");
    await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "101");
    const firstId = await a.page.locator('#log-table tbody tr[aria-rowindex="2"]').getAttribute("data-id");
    expect(await text(a, "#panel-logs .totals"), "the totals say these are the newest and the rest is coming").toContain("newest of 5,000, loading the rest");
    expect(await text(a, "#totals-duration"), "no total duration of only the first 100 rows").toBe("…");
    expect(await visible(a, ".progress-bar"), "no progress bar or Cancel for a read of the archive").toBe(false);
    expect(await visible(a, "#panel-logs .empty-overlay"), "never 'No records' while the first screen is shown").toBe(false);
    await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "5001");
    expect(await text(a, "#panel-logs .totals"), "then the whole period").toContain("of 5,000 loaded");
    expect(await text(a, "#totals-duration"), "and its total duration").not.toBe("…");
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"]').getAttribute("data-id"), "the top row stays where it was").toBe(firstId);
    expect((await a.calls("load_logs")).length, "nothing is downloaded for it").toBe(0);
    const [launch] = await a.calls("load_archived_logs");
    expect((launch?.args as { firstScreen: boolean }).firstScreen, "the empty view at launch asks for the first screen").toBe(true);
    // A sync that brought news reads the period again under the rows on screen: the loaded log
    // must stay whole meanwhile (no first screen replacing it).
    const sync = { state: "syncing", received: 0, remaining: 5, lastSync: "2026-11-24T14:00:00Z", lastNew: 0, lastUpdated: 0, total: 5000, error: null, pendingEdits: 0, pendingIds: [], budgetExhausted: false };
    await a.emit("archive-sync", sync);
    await a.emit("archive-sync", { ...sync, state: "idle", received: 5, remaining: 0, lastSync: "2026-11-24T14:02:00Z", lastNew: 5, total: 5005 });
    await expect.poll(async () => (await a.calls("load_archived_logs")).length, { message: "the re-read after the sync" }).toBe(2);
    const reread = (await a.calls("load_archived_logs"))[1];
    expect((reread?.args as { firstScreen: boolean }).firstScreen, "a re-read under rows on screen keeps the loaded log whole").toBe(false);
  });

  it("signed out without an archive, the log tab asks for a sign-in as before", async () => {
    const a = await open({ config: { signedIn: false } });
    await a.page.click("#tab-logs");
    expect(await visible(a, "#panel-signin"), "nothing to read without an archive").toBe(true);
    expect(await visible(a, "#panel-logs")).toBe(false);
  });

  it("with a synced archive, Load is a local query, offline too, and a record can still be edited (kept as pending)", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 42 } });
    await a.page.click("#tab-logs");
    await a.page.waitForFunction(() => document.querySelector("#log-table")?.getAttribute("aria-rowcount") === "43");
    await a.emit("live", {
      type: "status",
      status: { state: "offline", since: "2026-11-24T13:05:00Z", last_ok: "2026-11-24T13:02:00Z", kind: "network", message: "tcp connect error", retry_at: "2026-11-24T13:06:00Z" },
    });
    await a.page.locator("#offline-marker").waitFor();
    expect(await a.page.locator("#load-logs").isEnabled(), "Load reads the archive: it needs no network").toBe(true);
    expect(await a.page.locator("#archive-sync").isEnabled(), "Sync now does need TeamViewer").toBe(false);
    await a.page.selectOption("#preset", "30");
    await a.page.click("#load-logs");
    await expect.poll(async () => (await a.calls("load_archived_logs")).length, { message: "launch, then the Load: both from the archive" }).toBe(2);
    await a.page.waitForFunction(() => !(document.querySelector("#load-logs") as HTMLButtonElement).disabled);
    expect((await a.calls("load_logs")).length, "nothing is asked of TeamViewer").toBe(0);
    const row = a.page.locator('#log-table tbody tr[aria-rowindex="2"]');
    await row.locator('button[data-action="edit"]').click();
    await a.page.locator("#record-dialog").waitFor();
    expect(await a.page.locator("#record-save").isEnabled(), "an edit is kept as pending in the archive until TeamViewer answers").toBe(true);
    await a.page.fill("#record-notes", "Called back offline");
    await a.page.click("#record-save");
    await a.page.locator("#record-dialog").waitFor({ state: "hidden" });
    expect((await a.calls("update_log_record")).length, "the edit goes to Rust (which keeps it as pending)").toBe(1);
  });

  it("remembers the period: the archive opens on it at the next start (a custom period is not kept)", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 42 } });
    await a.page.click("#tab-logs");
    await a.page.selectOption("#preset", "90");
    await a.page.reload();
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "load_archived_logs"));
    const [first] = await a.calls("load_archived_logs");
    const from = Date.parse((first?.args as { query: { from: string } }).query.from);
    const days = (Date.now() - from) / 86_400_000;
    expect(days, "the archived period at launch is the remembered 90 days").toBeGreaterThan(88);
    expect(days).toBeLessThan(91);
    expect(await a.page.locator("#preset").inputValue()).toBe("90");
    await a.page.click("#tab-logs");
    await a.page.selectOption("#preset", "custom");
    await a.page.reload();
    await a.page.locator("#preset").waitFor({ state: "attached" });
    expect(await a.page.locator("#preset").inputValue(), "a custom period's days would be stale: the last preset stays").toBe("90");
  });

  it("opens on the tab last worked in (sessions or the log, not settings)", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 42 } });
    expect(await visible(a, "#panel-sessions"), "a first start opens on the sessions").toBe(true);
    await a.page.click("#tab-logs");
    await a.page.reload();
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.locator("#tab-logs").getAttribute("aria-selected"), "the log tab again after a restart").toBe("true");
    expect(await visible(a, "#panel-sessions")).toBe(false);
    await a.page.click("#tab-settings");
    await a.page.reload();
    await a.page.locator("#panel-logs").waitFor();
    expect(await a.page.locator("#tab-logs").getAttribute("aria-selected"), "settings are a visit: the last working tab stays").toBe("true");
  });

  it("without an archive, Load asks TeamViewer and waits while offline", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-logs");
    await a.emit("live", {
      type: "status",
      status: { state: "offline", since: "2026-11-24T13:05:00Z", last_ok: null, kind: "network", message: "tcp connect error", retry_at: "2026-11-24T13:06:00Z" },
    });
    await a.page.locator("#offline-marker").waitFor();
    expect(await a.page.locator("#load-logs").isEnabled(), "there is nothing local to read").toBe(false);
  });

  it("the sync bar: last synced, Sync now, progress with Cancel, the reason it stopped, and edits not sent yet", async () => {
    const a = await open({ config: { signedIn: true, archivedRows: 42 } });
    await a.page.click("#tab-logs");
    await a.page.locator("#archive-sync-bar").waitFor();
    expect(await text(a, "#archive-sync-text"), "when and what the last sync brought").toMatch(/^Archive last synced \d\d:\d\d · 3 new, 1 changed$/);
    await a.page.click("#archive-sync");
    expect((await a.calls("sync_archive")).length, "Sync now asks the core").toBe(1);
    const base = { state: "idle", received: 0, remaining: 0, lastSync: "2026-11-24T14:02:00Z", lastNew: 0, lastUpdated: 0, total: 42, error: null, pendingEdits: 0, pendingIds: [], budgetExhausted: false };
    await a.emit("archive-sync", { ...base, state: "syncing", received: 12000, remaining: 13000 });
    await a.page.locator("#archive-sync-cancel").waitFor();
    expect(await text(a, "#archive-sync-text")).toBe("Syncing the archive… 12,000 of 25,000 records");
    expect(await visible(a, "#archive-sync"), "no second Sync while one runs").toBe(false);
    await a.page.click("#archive-sync-cancel");
    expect((await a.calls("cancel_archive_sync")).length, "Cancel asks the core").toBe(1);
    await a.emit("archive-sync", { ...base, error: { kind: "network", message: "tcp connect error (os error 111)" } });
    await a.page.locator("#archive-sync-error").waitFor();
    expect(await text(a, "#archive-sync-error"), "human words first").toContain("TeamViewer");
    expect(await a.page.locator("#archive-sync-error details").isVisible(), "the transport text is behind Details").toBe(true);
    const firstId = await a.page.evaluate(() => (document.querySelector('#log-table tbody tr[aria-rowindex="2"]') as HTMLElement | null)?.dataset.id ?? "");
    expect(firstId, "rows know their record").not.toBe("");
    await a.emit("archive-sync", { ...base, pendingEdits: 1, pendingIds: [firstId] });
    await a.page.locator("#archive-pending").waitFor();
    expect(await text(a, "#archive-pending")).toBe("Edits not sent yet: 1");
    expect(await a.page.locator('#log-table tbody tr[aria-rowindex="2"]').getAttribute("class"), "the record is marked").toContain("pending-edit");
    expect(await visible(a, "#archive-sync-error"), "a good status clears the error").toBe(false);
    expect(await text(a, "#archive-sync-text"), "known from the archive, no run in this start: no counts to tell").toMatch(/^Archive last synced \d\d:\d\d$/);
  });

  it("a damaged archive is named with its reason and can be rebuilt, keeping the old file", async () => {
    const a = await open({ config: { signedIn: true, archiveProblem: { error: { kind: "database", message: "file is not a database" }, canRebuild: true } } });
    await a.page.click("#tab-logs");
    await a.page.locator("#archive-problem").waitFor();
    expect(await text(a, "#archive-problem"), "what it means for the supporter").toContain("works in memory only");
    await a.page.click("#archive-rebuild");
    await a.page.waitForFunction(() => document.querySelector("#archive-problem-text")?.textContent?.includes("kept as"));
    expect(await text(a, "#archive-problem-text"), "where the damaged file went").toContain("archive.sqlite3.damaged-");
    expect(await visible(a, "#archive-rebuild"), "offered once").toBe(false);
  });

  it("an archive of a newer version is named but not offered for a rebuild", async () => {
    const a = await open({ config: { signedIn: true, archiveProblem: { error: { kind: "config", message: "the archive was written by a newer version (schema 9)" }, canRebuild: false } } });
    await a.page.click("#tab-logs");
    await a.page.locator("#archive-problem").waitFor();
    expect(await visible(a, "#archive-rebuild"), "never for a newer version's archive").toBe(false);
  });

  it("hides the sync bar when the run has no archive", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-logs");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "archive_sync_status"));
    expect(await visible(a, "#archive-sync-bar"), "no archive, no bar").toBe(false);
  });

  it("Settings: the archive's sync interval is checked at the field", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true } });
    await a.page.click("#tab-settings");
    await a.page.fill("#archive-interval", "3");
    await a.page.click("#save-settings");
    await a.page.locator("#archive-interval-error").waitFor();
    expect(await text(a, "#archive-interval-error")).toContain("5 bis 1440");
    expect(await a.page.evaluate(() => document.activeElement?.id), "the field is focused").toBe("archive-interval");
    expect((await a.calls("save_settings")).length, "nothing saved").toBe(0);
    await a.page.fill("#archive-interval", "30");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "save_settings"));
    const saved = (await a.calls("save_settings")).at(-1)?.args as { settings: { archive: unknown; live: unknown } };
    expect(saved.settings.archive).toEqual({ autoSync: true, intervalMinutes: 30, overlapDays: 2 });
    expect(saved.settings.live, "the live list's intervals are saved too").toEqual({ visibleSeconds: 30, hiddenSeconds: 120 });
  });

  it("Settings: the session list's refresh interval is checked at the field", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-settings");
    await a.page.fill("#live-visible", "0");
    await a.page.click("#save-settings");
    await a.page.locator("#live-visible-error").waitFor();
    expect(await a.page.evaluate(() => document.activeElement?.id), "the field is focused").toBe("live-visible");
    expect((await a.calls("save_settings")).length, "nothing saved").toBe(0);
    await a.page.fill("#live-visible", "10");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "save_settings"));
    const saved = (await a.calls("save_settings")).at(-1)?.args as { settings: { live: unknown } };
    expect(saved.settings.live).toEqual({ visibleSeconds: 10, hiddenSeconds: 120 });
  });

  it("keeps the memory-only log view when the run has no archive", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await loadAll(a);
    expect((await a.calls("load_archived_logs")).length, "the archive was asked at launch").toBe(1);
    expect(await a.page.getAttribute("#log-table", "aria-rowcount"), "the downloaded rows are shown").toBe("51");
  });

  it("exports with the chosen delimiter and BOM and reports the result", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 1234 } });
    await loadAll(a);
    await a.page.selectOption("#export-delimiter", ";");
    await a.page.check("#export-bom");
    await a.page.click("#export-csv");
    await a.page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Exported"));
    expect((await a.calls("export_logs")).map((c) => c.args), "the chosen options").toEqual([{ options: { format: "csv", delimiter: ";", bom: true } }]);
    expect(await text(a, "#status"), "the result names rows and path").toBe("Exported 1,234 rows to /home/alex/Documents/connections 2026-11-24.csv");
    await a.page.keyboard.press("Control+e");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.filter((c) => c.cmd === "export_logs").length === 2);
  });

  it("exports an Excel workbook: CSV-only options step aside, the button names the format, the choice is kept", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 40 } });
    await loadAll(a);
    expect(await text(a, "#export-csv"), "CSV by default").toBe("Export CSV");
    await a.page.selectOption("#export-format", "xlsx");
    expect(await text(a, "#export-csv"), "the button says what it writes").toBe("Export XLSX");
    expect(await a.page.isHidden("#export-delimiter"), "a delimiter means nothing in a workbook").toBe(true);
    expect(await a.page.isHidden("#export-bom"), "nor does a byte order mark").toBe(true);
    await a.page.click("#export-csv");
    await a.page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Exported"));
    expect((await a.calls("export_logs")).map((c) => (c.args.options as { format: string }).format), "Rust is asked for XLSX").toEqual(["xlsx"]);
    await a.page.click("#tab-settings");
    await a.page.selectOption("#language", "de");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => document.documentElement.lang === "de");
    await a.page.click("#tab-logs");
    expect(await text(a, "#export-csv"), "a language switch keeps the format's label").toBe("XLSX exportieren");
    await a.page.reload();
    await a.page.click("#tab-logs");
    expect(await a.page.inputValue("#export-format"), "the format is remembered").toBe("xlsx");
    await a.page.selectOption("#export-format", "csv");
    expect(await a.page.isVisible("#export-delimiter"), "back to CSV: its options return").toBe(true);
  });

  it("copies a record as ticket text and edits its notes and billing state", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await loadAll(a);
    const row = a.page.locator('#log-table tbody tr[aria-rowindex="2"]');
    await row.locator('button[data-action="ticket"]').click();
    const id = (await a.calls("log_ticket_text"))[0]?.args.id;
    expect(id, "the ticket text is built by Rust for this record's id").toMatch(/^0000/);
    await row.locator('button[data-action="edit"]').click();
    await a.page.locator("#record-dialog").waitFor();
    await a.page.fill("#record-notes", "Called back; <fixed> =1+1");
    const offered = await a.page.locator("#record-billing option").evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered.slice(-3), "the pick list offers the API's three billing states").toEqual(["Bill", "Billed", "DoNotBill"]);
    await a.page.selectOption("#record-billing", "DoNotBill");
    await a.page.click("#record-save");
    await a.page.locator("#record-dialog").waitFor({ state: "hidden" });
    expect((await a.calls("update_log_record")).map((c) => c.args), "notes and the picked billing state go to Rust").toEqual([
      { id, notes: "Called back; <fixed> =1+1", billingState: "DoNotBill" },
    ]);
    expect(await row.locator("td").nth(11).innerText(), "the edited notes show as text (the column after the fee)").toBe("Called back; <fixed> =1+1");
  });

  it("keeps a billing state outside the API's three as it was sent", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await loadAll(a);
    await a.page.fill("#log-filter", "not billed");
    const row = a.page.locator('#log-table tbody tr[aria-rowindex="2"]');
    await row.locator('button[data-action="edit"]').click();
    await a.page.locator("#record-dialog").waitFor();
    expect(await a.page.inputValue("#record-billing"), "the record's own value is selected").toBe("Not billed");
    expect(await a.page.locator("#record-billing option").first().innerText(), "and shown as sent").toContain("Not billed");
    await a.page.fill("#record-notes", "only the notes change");
    await a.page.click("#record-save");
    await a.page.locator("#record-dialog").waitFor({ state: "hidden" });
    expect((await a.calls("update_log_record")).map((c) => c.args.billingState), "saving writes it back unchanged").toEqual(["Not billed"]);
  });
});

describe("language and theme", () => {
  it("shows German when the system locale is de-DE", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true, pageDelayMs: 5, rowCount: 2000 } });
    expect(await a.page.getAttribute("html", "lang"), "document language for screen readers").toBe("de");
    expect(await text(a, "#tab-logs"), "tab label").toBe("Verbindungsprotokoll");
    expect(await text(a, "#new-session"), "button label").toBe("Neue Sitzung");
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => document.querySelector("#totals-count")?.textContent === "2.000");
    expect(await a.page.inputValue("#export-delimiter"), "German Excel default: semicolon").toBe(";");
    expect(await text(a, '#log-table th[data-column="duration_seconds"]'), "column header").toBe("Dauer");
  });

  it("switches the language from the settings without a reload", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.click("#tab-settings");
    await a.page.selectOption("#language", "de");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => document.documentElement.lang === "de");
    expect(await text(a, "#tab-sessions"), "static texts are retranslated").toBe("Sitzungen");
    expect(await text(a, "#status"), "the confirmation is German too").toBe("Einstellungen gespeichert.");
    const [save] = await a.calls("save_settings");
    expect(save?.args.clientSecret, "an untouched secret field keeps the stored secret (null)").toBeNull();
  });

  it("shows the core's settings validation at the form, and starts over after a connection change", async () => {
    const a = await open({ config: { signedIn: true, fail: { save_settings: { kind: "invalid_input", message: "API URL: must start with http:// or https://" } } } });
    await a.page.locator("#session-list tr[data-code]").first().waitFor();
    await a.page.click("#tab-settings");
    await a.page.check("#mode-teamviewer");
    await a.page.fill("#client-id", "my-app");
    await a.page.click("#settings-form .advanced summary");
    await a.page.fill("#api-url", "webapi.example");
    await a.page.click("#save-settings");
    await expectAtField(a, "api-url", "API URL: must start with http");
    expect(await visible(a, "#error-banner"), "a form problem is not a banner").toBe(false);

    await a.page.evaluate(() => {
      (window as unknown as { __mock: { cfg: { fail: Record<string, unknown> } } }).__mock.cfg.fail = {};
    });
    // Starting over = reading the live list again (the core restarts it on the new connection).
    const snapshotsBefore = (await a.calls("live_snapshot")).length;
    await a.page.fill("#api-url", "https://webapi.example");
    await a.page.click("#save-settings");
    await a.page.waitForFunction((n) => (window as unknown as { __calls: { cmd: string }[] }).__calls.filter((c) => c.cmd === "live_snapshot").length > n, snapshotsBefore);
    const [, saved] = await a.calls("save_settings");
    expect(saved?.args.settings, "the settings go without the read-only hasClientSecret").not.toHaveProperty("hasClientSecret");
    expect((saved?.args.settings as { apiUrl: string }).apiUrl, "the edited URL").toBe("https://webapi.example");
  });

  it("paints the dark background from the stylesheet (no white flash)", async () => {
    const a = await open({ colorScheme: "dark" });
    const bg = await a.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(bg, "html carries the dark background, equal to the native window's #1c1c1e (docs/ipc.md)").toBe("rgb(28, 28, 30)");
  });

  it("uses the native window's light background too", async () => {
    const a = await open({ colorScheme: "light" });
    const bg = await a.page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(bg, "#ffffff, so showing the window never flashes a different colour").toBe("rgb(255, 255, 255)");
  });
});

describe("sign-in and offline truth", () => {
  const lostSignIn = {
    signedIn: false, kind: null, expiresAt: null, memoryOnly: false, keyringAvailable: true, signInPending: false,
    sandbox: true, oauthConfigured: true, account: null, signInAgain: true,
  };
  const offline = (lastOk: string | null) => ({
    type: "status",
    status: {
      state: "offline", since: "2026-11-24T13:05:00Z", last_ok: lastOk, kind: "network",
      message: "error sending request: tcp connect error: Connection refused (os error 111)", retry_at: "2026-11-24T13:06:00Z",
    },
  });

  it("a lost sign-in says 'Signed out — sign in again' with one button, keeping the tab and filters", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await a.page.click("#tab-logs");
    await a.page.fill("#filter-user", "u1234567");
    await a.emit("auth-changed", lostSignIn);
    await a.page.locator("#panel-signin").waitFor();
    expect(await text(a, "#signin-title"), "the title says what happened").toBe("Signed out — sign in again");
    expect(await text(a, "#sign-in"), "one button").toBe("Sign in again");
    expect(await visible(a, "#use-script-token"), "no second way offered next to it").toBe(false);
    expect(await visible(a, "#sign-out"), "no Sign out while signed out").toBe(false);
    expect(await visible(a, "#account-name"), "no account while signed out").toBe(false);
    expect(await a.page.getAttribute("#tab-logs", "aria-selected"), "the current tab is kept").toBe("true");
    expect(await a.page.inputValue("#filter-user"), "the filters are kept").toBe("u1234567");
    expect(await visible(a, "#incomplete-marker"), "no 'Incomplete … [Resume]' for a log that is gone").toBe(false);
    expect(await text(a, "#status"), "no stale 'Signed in as …' in the status line").not.toContain("Signed in");
  });

  it("a log load refused by a lost sign-in leaves no 'Incomplete after 0 records [Resume]'", async () => {
    const a = await open({ config: { signedIn: true, pageDelayMs: 5, rowCount: 50 } });
    await a.page.evaluate(() => {
      const mock = (window as unknown as { __mock: { handlers: Record<string, unknown> } }).__mock;
      mock.handlers.load_logs = async () => {
        (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit("auth-changed", {
          signedIn: false, kind: null, expiresAt: null, memoryOnly: false, keyringAvailable: true, signInPending: false,
          sandbox: true, oauthConfigured: true, account: null, signInAgain: true,
        });
        return {
          totals: { count: 0, totalRecords: 0, durationSeconds: 0 },
          progress: { pages: 0, records: 0, recordsRemaining: 0, complete: false },
          incomplete: true, error: { kind: "session_expired", message: "invalid_grant" },
        };
      };
    });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    await a.page.locator("#panel-signin").waitFor();
    // The load has ended when its button is usable again.
    await a.page.waitForFunction(() => !(document.querySelector("#load-logs") as HTMLButtonElement).disabled);
    expect(await visible(a, "#incomplete-marker"), "the stopped load of a lost sign-in offers no Resume").toBe(false);
    // The log panel is hidden behind the sign-in now, so "not visible" alone proves nothing: the
    // marker itself must be off, or it shows the moment the supporter is back in the log tab.
    expect(await a.page.locator("#incomplete-marker").evaluate((el) => (el as HTMLElement).hidden), "the marker itself is switched off, not only its hidden tab").toBe(true);
  });

  it("declining on the consent page reads as a choice, not a failure (EN and DE)", async () => {
    const a = await open();
    await a.emit("sign-in-failed", { kind: "sign_in_declined", message: "access was denied in the browser" });
    await a.page.locator("#sign-in-declined").waitFor();
    expect(await text(a, "#sign-in-declined")).toContain("You declined the sign-in.");
    expect(await visible(a, "#error-banner"), "no error banner for a decline").toBe(false);
    const de = await open({ locale: "de-DE" });
    await de.emit("sign-in-failed", { kind: "sign_in_declined", message: "access was denied in the browser" });
    await de.page.locator("#sign-in-declined").waitFor();
    expect(await text(de, "#sign-in-declined")).toContain("Sie haben die Anmeldung abgelehnt.");
  });

  it("the script-token hint says where the token is kept, and in sandbox mode where to find it", async () => {
    const hint = async (config: Parameters<typeof open>[0]) => {
      const a = await open(config);
      if (await visible(a, "#use-script-token")) await a.page.click("#use-script-token");
      await a.page.locator("#script-token-hint").waitFor();
      return text(a, "#script-token-hint");
    };
    expect(await hint({ config: { sandbox: true } }), "sandbox: the token is on the sandbox's sign-in page").toContain("sandbox's script token is shown on its sign-in page");
    const keychain = await hint({ config: { sandbox: false, keyringAvailable: true } });
    expect(keychain, "TeamViewer mode with a keychain: kept there").toContain("kept in the system keychain");
    const memory = await hint({ config: { sandbox: false, keyringAvailable: false } });
    expect(memory, "no keychain: the hint must not promise one").not.toContain("then kept in the system keychain");
    expect(memory).toContain("kept in memory");
  });

  it("Settings allow TeamViewer with 'script token only'; a refused Save marks the field", async () => {
    const a = await open({ config: { sandbox: false } });
    await a.page.click("#tab-settings");
    await a.page.check("#mode-teamviewer");
    await a.page.check("#method-oauth");
    await a.page.fill("#client-id", "");
    await a.page.click("#save-settings");
    await expectAtField(a, "client-id", "client ID");
    expect(await visible(a, "#settings-error"), "not at the bottom of the form").toBe(false);
    await a.page.fill("#client-id", "x");
    expect(await visible(a, "#client-id-error"), "typing clears the error").toBe(false);
    await a.page.fill("#client-id", "");

    await a.page.check("#method-script");
    expect(await a.page.isDisabled("#client-id"), "no client ID needed with a script token").toBe(true);
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "save_settings"));
    const saved = (await a.calls("save_settings")).at(-1)?.args as { settings: { mode: string; scriptTokenOnly: boolean } };
    expect([saved.settings.mode, saved.settings.scriptTokenOnly], "TeamViewer, script token only").toEqual(["teamviewer", true]);
    await a.page.click("#tab-sessions");
    await a.page.locator("#script-token-form").waitFor();
    expect(await visible(a, "#sign-in"), "no browser sign-in without an OAuth app").toBe(false);
    expect(await visible(a, "#script-token"), "the token form is the way in").toBe(true);
  });

  for (const [width, height] of [[1100, 720], [800, 600]] as const) {
    it(`the Save button is never under the status line at ${width}×${height}`, async () => {
      const a = await open({ config: { sandbox: false } });
      await a.page.setViewportSize({ width, height });
      await a.page.click("#tab-settings");
      await a.page.check("#mode-teamviewer");
      await a.page.locator("#settings-form details.advanced summary").click();
      await a.page.locator("#save-settings").scrollIntoViewIfNeeded();
      const save = await a.page.locator("#save-settings").boundingBox();
      const status = await a.page.locator("#status").boundingBox();
      expect(save && status, "both are laid out").toBeTruthy();
      expect(save!.y + save!.height, "the Save button ends above the status line").toBeLessThanOrEqual(status!.y);
      expect(save!.y, "and is inside the window").toBeGreaterThanOrEqual(0);
    });
  }

  it("offline: a calm marker with the local time; actions that need the API are disabled with the reason; it recovers", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#refresh-sessions").waitFor();
    await a.emit("live", offline("2026-11-24T13:02:00Z"));
    await a.page.locator("#offline-marker").waitFor();
    // The page runs in UTC; the app writes times as everywhere else (en-GB: 24-hour, not the "01:02 PM" of Intl's "en").
    expect(await text(a, "#offline-marker"), "local time of the last success, in the app's one time format").toContain("Offline — showing data from 13:02");
    expect(await text(a, "#offline-marker"), "no transport text").not.toContain("os error");
    expect(await a.page.isDisabled("#refresh-sessions"), "Refresh needs the API").toBe(true);
    expect(await a.page.getAttribute("#refresh-sessions", "title"), "with the reason").toBe(
      "Needs a connection to TeamViewer; it is unreachable right now.",
    );
    expect(await a.page.getAttribute("#refresh-sessions", "aria-describedby"), "for screen readers too").toContain("offline-reason");
    expect(await a.page.isDisabled(".close-row >> nth=0"), "Close needs the API").toBe(true);
    await a.page.click("#tab-logs");
    expect(await a.page.isDisabled("#load-logs"), "buttons of other views too").toBe(true);
    await a.emit("live", { type: "status", status: { state: "ok", at: "2026-11-24T13:07:00Z" } });
    await a.page.locator("#offline-marker").waitFor({ state: "hidden" });
    expect(await a.page.isDisabled("#load-logs"), "recovers by itself").toBe(false);
    await a.page.click("#tab-sessions");
    expect(await a.page.isDisabled("#refresh-sessions"), "recovers by itself").toBe(false);
    expect(await a.page.getAttribute("#refresh-sessions", "aria-describedby"), "the reason is gone").toBeNull();
  });

  it("an error banner leads with human words; the transport text is behind Details", async () => {
    const a = await open({
      config: { signedIn: true, fail: { refresh_sessions: { kind: "network", message: "tcp connect error: Connection refused (os error 111)" } } },
    });
    await a.page.click("#refresh-sessions");
    await a.page.locator("#error-banner").waitFor();
    const banner = await text(a, "#error-banner");
    expect(banner.startsWith("TeamViewer could not be reached."), `human words first: ${banner}`).toBe(true);
    expect(banner, "no raw transport text before Details is opened").not.toContain("os error 111");
    await a.page.click("#error-banner-details summary");
    expect(await text(a, "#error-banner"), "the detail behind the disclosure").toContain("os error 111");
  });

  it("an error while the record editor is open shows inside the modal, dismissable", async () => {
    const a = await open({
      config: { signedIn: true, pageDelayMs: 5, rowCount: 50, fail: { update_log_record: { kind: "server", message: "HTTP 500" } } },
    });
    await a.page.click("#tab-logs");
    await a.page.click("#load-logs");
    const row = a.page.locator('#log-table tbody tr[aria-rowindex="2"]:not(.loading)');
    await row.waitFor();
    await row.locator('button[data-action="edit"]').click();
    await a.page.locator("#record-dialog").waitFor();
    await a.page.click("#record-save");
    const inModal = a.page.locator("#record-dialog .modal-error");
    await inModal.waitFor();
    expect(await inModal.innerText(), "the modal shows its own error").toContain("TeamViewer had a server problem.");
    expect(await visible(a, "#error-banner"), "not behind the backdrop").toBe(false);
    await inModal.locator(".modal-error-dismiss").click();
    expect(await inModal.isVisible(), "dismissable").toBe(false);
  });
});

describe("session detail, filters and cleanup", () => {
  const firstRow = (a: App) => a.page.locator("#session-list tr[data-code]").first();

  it("the detail's red button says Close session (not just Close, next to Done)", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.locator("#session-list tr[data-code]").first().locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    expect(await text(a, "#detail-close"), "the red button says what it closes").toBe("Close session");
  });

  it("opens a session's detail on click and on Enter, shows every field and closes with Escape", async () => {
    const a = await open({ config: { signedIn: true } });
    const row = firstRow(a);
    await row.waitFor();
    const code = await row.getAttribute("data-code");
    await row.locator("td").nth(2).click();
    const dialog = a.page.locator("#session-detail");
    await dialog.waitFor();
    expect(await text(a, "#detail-code"), "the code").toBe(code);
    expect(await text(a, "#detail-customer"), "customer name and e-mail").toContain("Jon Doe");
    expect(await text(a, "#detail-description")).toBe("Printer offline");
    expect(await text(a, "#detail-group")).toBe("Support");
    expect(await text(a, "#detail-assignee"), "the assignee by name from list_users").toBe("Alex Supporter");
    expect(await text(a, "#detail-state")).toBe("Open");
    expect(await dialog.locator(".detail-copy").count(), "Copy for all three links").toBe(3);
    await dialog.locator('.detail-open[data-link="webClient"]').click();
    expect((await a.calls("open_session_link")).at(-1)?.args).toEqual({ code, link: "webClient" });
    await a.page.click("#detail-copy-invitation");
    expect((await a.calls("copy_invitation_text")).map((c) => c.args), "the signed invitation is copied by Rust").toEqual([{ code }]);
    await a.page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute("data-code")), "focus returns to the row").toBe(code);
    await a.page.keyboard.press("Enter");
    await dialog.waitFor();
    expect(await text(a, "#detail-code"), "Enter on a row opens it too").toBe(code);
  });

  it("edits a session and every view shows the change", async () => {
    const a = await open({ config: { signedIn: true } });
    const row = firstRow(a);
    await row.waitFor();
    const code = await row.getAttribute("data-code");
    await row.locator("td").first().click();
    await a.page.click("#detail-edit");
    expect(await a.page.inputValue("#edit-description"), "prefilled").toBe("Printer offline");
    await a.page.fill("#edit-customer-email", "jon@");
    await a.page.click("#edit-save");
    await a.page.locator("#detail-error").waitFor();
    expect(await text(a, "#detail-error"), "the core's invalid_input is shown in the dialog").toContain("customer e-mail");
    await a.page.fill("#edit-customer-email", "jon@example.net");
    await a.page.fill("#edit-description", "Scanner jammed");
    await a.page.click("#edit-save");
    await a.page.locator("#detail-edit-form").waitFor({ state: "hidden" });
    expect((await a.calls("edit_session")).at(-1)?.args).toEqual({
      code,
      edit: { description: "Scanner jammed", customerName: "Jon Doe", customerEmail: "jon@example.net", waitingMessage: "" },
    });
    expect(await text(a, "#detail-description"), "the detail shows the saved text").toBe("Scanner jammed");
    expect(await row.locator("td").nth(2).innerText(), "the list shows it too").toBe("Scanner jammed");
  });

  it("shows a colleague's name without the server's stray whitespace (the sandbox sends '\\tTabea Tab')", async () => {
    const colleagues = [
      { id: "u1001", name: "Alex Supporter", email: "alex@example.com" },
      { id: "u1002", name: "\tTabea Tab ", email: "tabea@example.com" },
    ];
    const a = await open({ config: { signedIn: true, colleagues } });
    const row = firstRow(a);
    await row.waitFor();
    await row.locator("td").first().click();
    await a.page.click("#detail-assign");
    await a.page.locator("#assign-picker option[value=u1002]").waitFor({ state: "attached" });
    await a.page.selectOption("#assign-picker", "u1002");
    await a.page.click("#assign-save");
    await a.page.locator("#detail-assign-form").waitFor({ state: "hidden" });
    expect(await a.page.locator("#detail-assignee").evaluate((el) => el.textContent), "the detail shows the name, not a tab before it").toBe("Tabea Tab");
  });

  it("assigns a session to a colleague from the users list", async () => {
    const a = await open({ config: { signedIn: true } });
    const row = firstRow(a);
    await row.waitFor();
    const code = await row.getAttribute("data-code");
    await row.locator("td").first().click();
    await a.page.click("#detail-assign");
    await a.page.locator("#assign-picker option[value=u1003]").waitFor({ state: "attached" });
    expect(await a.page.locator("#assign-picker option[value=u1001]").innerText(), "the supporter is marked").toBe("Alex Supporter (me)");
    await a.page.selectOption("#assign-picker", "u1002");
    await a.page.click("#assign-save");
    await a.page.locator("#detail-assign-form").waitFor({ state: "hidden" });
    expect((await a.calls("assign_session")).map((c) => c.args)).toEqual([{ code, userId: "u1002" }]);
    expect(await text(a, "#detail-assignee")).toBe("Bea Berger");
    await a.page.keyboard.press("Escape");
    expect(await row.locator(".group-assignee .sub").innerText(), "the list's assignee column follows").toBe("Bea Berger");
    await a.page.selectOption("#filter-owner", "mine");
    await row.waitFor({ state: "detached" });
    expect(await a.page.locator(`#session-list tr[data-code="${code}"]`).count(), "no longer mine").toBe(0);
  });

  it("explains when the token may not list users or assign sessions", async () => {
    const forbidden = { kind: "forbidden", message: "invalid_permission: no" };
    const a = await open({ config: { signedIn: true, fail: { list_users: forbidden, assign_session: forbidden } } });
    const row = firstRow(a);
    await row.waitFor();
    await row.locator("td").first().click();
    await a.page.click("#detail-assign");
    await a.page.locator("#assign-note").waitFor();
    expect(await text(a, "#assign-note"), "the picker says why it is empty").toContain("may not list the company's users");
    expect(await a.page.locator("#assign-save").isDisabled(), "nothing to save").toBe(true);
    expect(await text(a, "#detail-assignee"), "without names the id is shown").toBe("u1001");
  });

  it("a forbidden assignment reads as a missing permission", async () => {
    const a = await open({ config: { signedIn: true, fail: { assign_session: { kind: "forbidden", message: "HTTP 403" } } } });
    const row = firstRow(a);
    await row.waitFor();
    await row.locator("td").first().click();
    await a.page.click("#detail-assign");
    await a.page.locator("#assign-picker option[value=u1002]").waitFor({ state: "attached" });
    await a.page.selectOption("#assign-picker", "u1002");
    await a.page.click("#assign-save");
    await a.page.locator("#detail-error").waitFor();
    expect(await text(a, "#detail-error"), "human words, inside the dialog").toContain("needs a company token");
  });

  it("offers no Open or invitation in the detail of an expired or closed session", async () => {
    const a = await open({ config: { signedIn: true, expiredSession: true } });
    const expired = a.page.locator('#session-list tr[data-expired="true"]');
    await expired.waitFor();
    await expired.locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    expect(await text(a, "#detail-state")).toBe("Expired");
    for (const sel of [".detail-open", ".detail-copy", "#detail-email", "#detail-copy-invitation"]) {
      expect(await a.page.locator(`#session-detail ${sel}:visible`).count(), `${sel} hidden for an expired session`).toBe(0);
    }
    expect(await visible(a, "#detail-close"), "it can be closed").toBe(true);
    await a.page.click("#detail-close");
    await a.page.click("#detail-close");
    await a.page.locator("#detail-state", { hasText: "Closed" }).waitFor();
    for (const sel of ["#detail-edit", "#detail-assign", "#detail-close"]) {
      expect(await visible(a, sel), `${sel} hidden once closed`).toBe(false);
    }
  });

  it("filters by state, waiting customer and search", async () => {
    const a = await open({ config: { signedIn: true, expiredSession: true } });
    await firstRow(a).waitFor();
    const codes = () => a.page.locator("#session-list tr[data-code]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-code")));
    expect((await codes()).length, "open: two valid and one expired").toBe(3);
    await a.page.selectOption("#filter-state", "expired");
    await a.page.waitForFunction(() => document.querySelectorAll("#session-list tr[data-code]").length === 1);
    expect(await a.page.locator('#session-list tr[data-expired="true"]').count()).toBe(1);
    await a.page.selectOption("#filter-state", "valid");
    await a.page.waitForFunction(() => document.querySelectorAll("#session-list tr[data-code]").length === 2);
    await a.page.check("#filter-waiting");
    await a.page.waitForFunction(() => document.querySelectorAll("#session-list tr[data-code]").length === 1);
    expect(await a.page.locator("#session-list tr[data-code] td").nth(1).innerText(), "only the online customer").toContain("Jon Doe");
    await a.page.uncheck("#filter-waiting");
    await a.page.fill("#filter-search", "sum(a1");
    await a.page.waitForFunction(() => document.querySelectorAll("#session-list tr[data-code]").length === 1);
    expect(await a.page.locator("#session-list tr[data-code] td").nth(2).innerText(), "matched in the description").toContain("=SUM");
    await a.page.fill("#filter-search", "nobody-matches-this");
    await a.page.locator(".session-list .empty", { hasText: "No sessions match" }).waitFor();
    await a.page.fill("#filter-search", "");
    await a.page.selectOption("#filter-state", "closed");
    await a.page.waitForFunction(() => document.querySelectorAll('#session-list tr[data-open="true"]').length === 0 && document.querySelectorAll("#session-list tr[data-code]").length === 1);
    expect((await a.calls("list_sessions")).at(-1)?.args, "closed ones are listed from Rust").toEqual({ state: "all" });
  });

  it("closes expired sessions in bulk after naming the count, lists failures and retries them", async () => {
    const a = await open({ config: { signedIn: true, expiredSessions: 3 } });
    await firstRow(a).waitFor();
    const expiredCodes = await a.page.locator('#session-list tr[data-expired="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute("data-code")));
    expect(expiredCodes.length).toBe(3);
    await a.page.evaluate((code) => {
      (window as unknown as { __mock: { cfg: { failClose: string[] } } }).__mock.cfg.failClose = [code];
    }, expiredCodes[1] ?? "");
    expect(await text(a, "#close-expired")).toBe("Close expired (3)…");
    await a.page.click("#close-expired");
    expect(await text(a, "#bulk-close"), "the confirmation names the count").toContain("Close 3 expired sessions?");
    expect((await a.calls("close_sessions")).length, "nothing before confirming").toBe(0);
    await a.page.click("#bulk-confirm");
    await a.page.locator("#bulk-summary").waitFor();
    expect((await a.calls("close_sessions")).map((c) => c.args)).toEqual([{ codes: expiredCodes }]);
    expect(await text(a, "#bulk-summary")).toContain("2 sessions closed, 1 could not be closed");
    expect(await text(a, "#bulk-failures"), "the failed one, with the reason").toContain(expiredCodes[1]);
    expect(await a.page.locator('#session-list tr[data-expired="true"]').count(), "the closed ones left the list").toBe(1);
    await a.page.evaluate(() => {
      (window as unknown as { __mock: { cfg: { failClose: string[] } } }).__mock.cfg.failClose = [];
    });
    await a.page.click("#bulk-retry");
    await a.page.locator("#bulk-summary", { hasText: "1 session closed." }).waitFor();
    expect((await a.calls("close_sessions")).at(-1)?.args, "retry sends only the failed one").toEqual({ codes: [expiredCodes[1]] });
    expect(await visible(a, "#close-expired"), "nothing expired is left").toBe(false);
  });

  it("offers the cleanup when the license limit refuses a new session", async () => {
    const a = await open({ config: { signedIn: true, expiredSessions: 2, fail: { create_session: { kind: "license_limit", message: "license limitations" } } } });
    await firstRow(a).waitFor();
    await a.page.click("#new-session");
    await a.page.click("#create-session");
    await a.page.locator("#license-cleanup").waitFor();
    expect(await text(a, "#license-cleanup")).toBe("Close 2 expired sessions…");
    await a.page.click("#license-cleanup");
    expect(await text(a, "#bulk-close")).toContain("Close 2 expired sessions?");
  });

  it("clears form errors as fields are fixed and focuses the first invalid field", async () => {
    const a = await open({ config: { signedIn: true } });
    await firstRow(a).waitFor();
    await a.page.click("#new-session");
    await a.page.fill("#customer-email", "jon@");
    await a.page.fill("#description", "x".repeat(4001));
    await a.page.click("#create-session");
    await a.page.locator("#customer-email-error").waitFor();
    expect(await a.page.evaluate(() => document.activeElement?.id), "focus on the first invalid field in form order (the e-mail sits above the description)").toBe("customer-email");
    await a.page.fill("#customer-email", "jon@example.com");
    await a.page.locator("#customer-email-error").waitFor({ state: "hidden" });
    expect(await a.page.getAttribute("#customer-email", "aria-invalid"), "fixed field is valid again").toBe("false");
    expect(await visible(a, "#description-error"), "the other errors stay").toBe(true);
    await a.page.fill("#description", "ok");
    await a.page.locator("#description-error").waitFor({ state: "hidden" });
    expect(await visible(a, ".session-form .form-error"), "the form-level error goes with the last one").toBe(false);
  });

  for (const [width, height] of [[1100, 720], [800, 600]] as const) {
    it(`fits the session list into ${width}×${height} with closed sessions included`, async () => {
      const a = await open({ config: { signedIn: true, expiredSession: true } });
      await a.page.setViewportSize({ width, height });
      await firstRow(a).waitFor();
      await a.page.selectOption("#filter-state", "all");
      await a.page.locator('#session-list tr[data-open="false"]').first().waitFor();
      const m = await a.page.evaluate(() => {
        const wrap = document.querySelector(".session-list .table-wrap") as HTMLElement;
        const card = document.querySelector(".session-list") as HTMLElement;
        const buttons = [...document.querySelectorAll<HTMLElement>("#session-list .row-actions button")];
        const cardRight = card.getBoundingClientRect().right;
        return {
          overflow: wrap.scrollWidth - wrap.clientWidth,
          page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          clipped: buttons.filter((b) => b.getBoundingClientRect().right > cardRight || b.scrollWidth > b.clientWidth + 1).length,
          buttons: buttons.length,
        };
      });
      expect(m.overflow, "the table is not wider than its card").toBeLessThanOrEqual(0);
      expect(m.page, "no horizontal page scroll").toBeLessThanOrEqual(0);
      expect(m.buttons, "rows have actions").toBeGreaterThan(0);
      expect(m.clipped, "no action button is clipped").toBe(0);
    });
  }

  it("copies the session code from the detail through Rust, also for a closed session", async () => {
    const a = await open({ config: { signedIn: true, expiredSession: true } });
    const row = firstRow(a);
    await row.waitFor();
    const code = await row.getAttribute("data-code");
    await row.locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    await a.page.click("#detail-copy-code");
    expect((await a.calls("copy_session_code")).map((c) => c.args), "the detail's code Copy asks Rust for that code").toEqual([{ code }]);
    await a.page.keyboard.press("Escape");
    await a.page.selectOption("#filter-state", "all");
    const closed = a.page.locator('#session-list tr[data-open="false"]').first();
    await closed.waitFor();
    const closedCode = await closed.getAttribute("data-code");
    await closed.locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    expect(await visible(a, "#detail-copy-code"), "a closed session's code still names it in a ticket").toBe(true);
    await a.page.click("#detail-copy-code");
    expect((await a.calls("copy_session_code")).at(-1)?.args).toEqual({ code: closedCode });
  });

  it("marks a waiting customer's session in the list and in the detail, and only that one", async () => {
    const a = await open({ config: { signedIn: true } });
    await firstRow(a).waitFor();
    const marked = await a.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("#session-list tr[data-code]")].map((tr) => ({
        waiting: tr.querySelector(".tag-waiting") !== null,
        online: (tr.children[5] as HTMLElement).innerText.includes("Online"),
      })),
    );
    expect(marked.some((m) => m.waiting), "the online customer's row carries the Waiting marker").toBe(true);
    expect(marked.every((m) => m.waiting === m.online), `the marker follows 'online' row by row: ${JSON.stringify(marked)}`).toBe(true);
    const waitingRow = a.page.locator("#session-list tr[data-code]:has(.tag-waiting)").first();
    await waitingRow.locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    expect(await visible(a, "#detail-waiting-tag"), "the detail says the customer is waiting").toBe(true);
    expect(await text(a, "#detail-waiting-tag")).toBe("Waiting");
    await a.page.keyboard.press("Escape");
    const offlineRow = a.page.locator("#session-list tr[data-code]:not(:has(.tag-waiting))").first();
    await offlineRow.locator("td").first().click();
    await a.page.locator("#session-detail").waitFor();
    expect(await visible(a, "#detail-waiting-tag"), "no Waiting marker for a customer who is not online").toBe(false);
  });

  it("at 800×600 the detail scrolls and every action is reachable with the keyboard", async () => {
    const a = await open({ config: { signedIn: true } });
    await a.page.setViewportSize({ width: 800, height: 600 });
    await firstRow(a).waitFor();
    await firstRow(a).focus();
    await a.page.keyboard.press("Enter");
    const dialog = a.page.locator("#session-detail");
    await dialog.waitFor();
    await a.page.click("#detail-assign");
    await a.page.locator("#assign-picker option[value=u1002]").waitFor({ state: "attached" });
    const fit = await a.page.evaluate(() => {
      const d = document.getElementById("session-detail") as HTMLElement;
      const r = d.getBoundingClientRect();
      return { bottom: r.bottom, top: r.top, scrolls: d.scrollHeight > d.clientHeight, overflowY: getComputedStyle(d).overflowY };
    });
    expect(fit.top >= 0 && fit.bottom <= 600, `the dialog stays inside the window: ${JSON.stringify(fit)}`).toBe(true);
    expect(fit.scrolls && fit.overflowY === "auto", `the dialog's content scrolls at 800×600: ${JSON.stringify(fit)}`).toBe(true);
    // Tab through the dialog from its first control: every action gets the focus and, once
    // focused, is scrolled into the window.
    await a.page.focus("#detail-copy-code");
    const seen = new Set<string>();
    const offscreen: string[] = [];
    for (let i = 0; i < 25; i += 1) {
      const f = await a.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const r = el?.getBoundingClientRect();
        return { id: el?.id || el?.getAttribute("data-link") || el?.textContent || "", inside: !!r && r.top >= 0 && r.bottom <= innerHeight };
      });
      seen.add(f.id);
      if (!f.inside) offscreen.push(f.id);
      await a.page.keyboard.press("Tab");
    }
    for (const id of ["detail-copy-code", "detail-email", "detail-copy-invitation", "detail-edit", "detail-assign", "detail-close", "detail-dismiss", "assign-picker", "assign-save"]) {
      expect(seen.has(id), `${id} is reachable with Tab (seen: ${[...seen].join(", ")})`).toBe(true);
    }
    expect(offscreen, "a focused control is scrolled into view").toEqual([]);
  });

  it("at 800×600 the description stays readable (under the customer) and no German header is cut at 1100×720", async () => {
    const a = await open({ locale: "de-DE", config: { signedIn: true } });
    await firstRow(a).waitFor();
    const headers = () =>
      a.page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("#session-list thead th")]
          .filter((th) => th.offsetWidth > 0)
          .map((th) => ({ text: th.innerText, cut: th.scrollWidth > th.clientWidth + 1 || th.scrollHeight > th.clientHeight + 1 })),
      );
    const wide = await headers();
    expect(wide.filter((h) => h.cut), `no header is cut at 1100×720: ${JSON.stringify(wide)}`).toEqual([]);
    expect(wide.map((h) => h.text.replace(/\s+/g, " ")), "the full German words").toContain("Gruppe / zugewiesen an");
    await a.page.setViewportSize({ width: 800, height: 600 });
    const narrow = await headers();
    expect(narrow.filter((h) => h.cut), `no header is cut at 800×600: ${JSON.stringify(narrow)}`).toEqual([]);
    const desc = await a.page.evaluate(() => {
      const el = [...document.querySelectorAll<HTMLElement>("#session-list .desc-inline")].find((d) => d.innerText === "Printer offline");
      return el ? { width: el.getBoundingClientRect().width, cut: el.scrollWidth > el.clientWidth + 1 } : null;
    });
    expect(desc, "the description shows under the customer in a narrow window").not.toBeNull();
    expect(desc!.width, "with room for words, not one character").toBeGreaterThan(100);
    expect(desc!.cut, "a short description is shown whole").toBe(false);
  });
});

describe("custom period: date fields in the app's language", () => {
  /** The custom period's fields, shown. */
  async function customPeriod(a: App): Promise<void> {
    await a.page.click("#tab-logs");
    await a.page.selectOption("#preset", "custom");
    await a.page.locator("#from").waitFor();
  }

  it("German app on an English OS: types German days, reformats them and loads exactly those local days", async () => {
    const a = await open({ locale: "en-US", timezoneId: "Europe/Berlin", config: { signedIn: true, language: "de" } });
    await customPeriod(a);
    expect(await a.page.getAttribute("#from", "type"), "a text field in the app's format, not the OS locale's date input").toBe("text");
    expect(await a.page.getAttribute("#from", "placeholder"), "the pattern in German letters").toBe("TT.MM.JJJJ");
    const today = await a.page.evaluate(() => new Intl.DateTimeFormat("de-DE", { day: "2-digit", month: "2-digit", year: "numeric" }).format(new Date()));
    expect(await a.page.inputValue("#from"), "Custom starts at today, written the German way").toBe(today);

    await a.page.fill("#from", "1.11.25");
    await a.page.press("#from", "Tab");
    expect(await a.page.inputValue("#from"), "a short German day is written out on leaving the field").toBe("01.11.2025");
    await a.page.fill("#to", "3. 11. 2025");
    await a.page.click("#load-logs");
    await a.page.waitForFunction(() => (window as unknown as { __calls: { cmd: string }[] }).__calls.some((c) => c.cmd === "load_logs"));
    const query = (await a.calls("load_logs"))[0]?.args.query as Record<string, unknown>;
    expect(query.from, "1 Nov 2025 00:00 in Berlin (CET, +01:00)").toBe("2025-10-31T23:00:00Z");
    expect(query.to, "the to day is inclusive: up to 4 Nov 00:00 in Berlin").toBe("2025-11-03T23:00:00Z");
    expect(await a.page.inputValue("#to"), "the to day written out too").toBe("03.11.2025");
  });

  it("an unreadable or future day is explained at its field and nothing loads; the range check stays", async () => {
    const a = await open({ config: { signedIn: true, language: "de" } });
    await customPeriod(a);
    await a.page.fill("#from", "01.02.2025");
    await a.page.fill("#to", "31.02.2025");
    await a.page.click("#load-logs");
    await expectAtField(a, "to", "Geben Sie das Datum als TT.MM.JJJJ ein");
    await a.page.fill("#to", "28.02.2025");
    expect(await a.page.getAttribute("#to", "aria-invalid"), "the mark goes as soon as the day reads").toBe("false");
    expect(await visible(a, "#to-error"), "and its message with it").toBe(false);

    await a.page.fill("#from", "01.01.2099");
    await a.page.click("#load-logs");
    await expectAtField(a, "from", "Das Datum darf nicht nach heute");

    await a.page.fill("#from", "01.03.2025");
    await a.page.click("#load-logs");
    await a.page.locator("#log-query-error").waitFor();
    expect(await text(a, "#log-query-error"), "a start after the end is still the form's range error").toBe(
      "Das Startdatum darf nicht nach dem Enddatum liegen.",
    );
    expect(await visible(a, "#from-error"), "both days read, so no field is marked").toBe(false);

    await a.page.fill("#from", "");
    await a.page.click("#load-logs");
    expect(await text(a, "#log-query-error"), "an empty start is still asked for").toBe(
      "Wählen Sie ein Startdatum für den benutzerdefinierten Zeitraum.",
    );
    expect(await a.calls("load_logs"), "no load with a day the form could not read").toEqual([]);
  });

  it("follows a language switch: days, placeholder and a shown problem are rewritten", async () => {
    const a = await open({ config: { signedIn: true } });
    await customPeriod(a);
    expect(await a.page.getAttribute("#from", "placeholder"), "English placeholder, in the en-GB order the app writes").toBe("DD/MM/YYYY");
    await a.page.fill("#from", "2/3/2025");
    await a.page.press("#from", "Tab");
    expect(await a.page.inputValue("#from"), "2 March 2025, English").toBe("02/03/2025");
    await a.page.fill("#to", "yesterday");
    await a.page.click("#load-logs");
    await expectAtField(a, "to", "Enter the date as DD/MM/YYYY");

    await a.page.click("#tab-settings");
    await a.page.selectOption("#language", "de");
    await a.page.click("#save-settings");
    await a.page.waitForFunction(() => document.documentElement.lang === "de");
    await a.page.click("#tab-logs");
    expect(await a.page.inputValue("#from"), "the day is rewritten in German").toBe("02.03.2025");
    expect(await a.page.getAttribute("#from", "placeholder"), "German placeholder").toBe("TT.MM.JJJJ");
    expect(await a.page.inputValue("#to"), "unreadable text stays as typed").toBe("yesterday");
    expect(await text(a, "#to-error"), "its problem now in German").toContain("Geben Sie das Datum als TT.MM.JJJJ ein");
    expect(await a.page.getAttribute("#to + .date-pick", "aria-label"), "the calendar button is named in German").toBe(
      "Kalender: Bis (einschließlich)",
    );
  });

  it("has a keyboard-reachable calendar button whose day fills the text field", async () => {
    const a = await open({ config: { signedIn: true } });
    await customPeriod(a);
    // Alt+↓ in a field opens its picker, set to the day typed.
    await a.page.fill("#to", "2/1/2025");
    await a.page.press("#to", "Alt+ArrowDown");
    expect(await a.page.inputValue("#to ~ .date-native"), "the picker starts at the typed day").toBe("2025-01-02");
    await a.page.keyboard.press("Escape");
    await a.page.focus("#from");
    await a.page.keyboard.press("Tab");
    expect(await a.page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Tab from the field reaches its calendar").toBe(
      "Calendar: From",
    );
    await a.page.keyboard.press("Enter");
    expect(await visible(a, "#from + .date-pick"), "Chromium opens its picker: the button stays").toBe(true);
    // The picker itself is browser chrome; what it hands back is a change of the hidden date input.
    await a.page.evaluate(() => {
      const native = document.querySelector<HTMLInputElement>("#from ~ .date-native")!;
      native.value = "2025-06-15";
      native.dispatchEvent(new Event("change"));
    });
    expect(await a.page.inputValue("#from"), "the picked day, in the app's format").toBe("15/06/2025");
    expect(await a.page.evaluate(() => document.activeElement?.id), "focus back in the field").toBe("from");
    expect(await a.page.getAttribute("#from ~ .date-native", "max"), "no day after today in the picker").toMatch(/^\d{4}-\d\d-\d\d$/);
  });
});
