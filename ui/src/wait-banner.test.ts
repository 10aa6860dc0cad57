import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ApiWait } from "./api";
import { setLanguage } from "./i18n";
import { createWaitBanner, formatWaitTime, secondsLeft, waitText } from "./wait-banner";

const rateLimit = (fields: Partial<ApiWait> = {}): ApiWait => ({
  call: 1,
  reason: "rate_limit",
  status: null,
  seconds: 120,
  attempt: 2,
  until: "2026-11-24T14:02:00Z",
  ...fields,
});

afterEach(() => setLanguage("en"));

describe("wait texts", () => {
  it("say seconds, minutes, or both, in both languages", () => {
    expect([formatWaitTime(5), formatWaitTime(120), formatWaitTime(90)], "English").toEqual(["5 s", "2 min", "1 min 30 s"]);
    setLanguage("de");
    expect([formatWaitTime(5), formatWaitTime(120), formatWaitTime(90)], "German").toEqual(["5 Sek.", "2 Min.", "1 Min. 30 Sek."]);
  });

  it("tell the rate limit plainly, with the attempt that follows", () => {
    expect(waitText(rateLimit(), 120), "the issue's English sentence").toBe(
      "TeamViewer's limit on API calls has been reached. Waiting 2 min before trying again (attempt 2)…",
    );
    setLanguage("de");
    expect(waitText(rateLimit(), 120), "the issue's German sentence").toBe(
      "Das Limit für API-Aufrufe bei TeamViewer ist erreicht. Nächster Versuch in 2 Min. (Versuch 2) …",
    );
  });

  it("keep server and network waits short", () => {
    expect(waitText(rateLimit({ reason: "server", status: 503 }), 5), "a failing service").toBe(
      "TeamViewer is not answering; trying again in 5 s",
    );
    expect(waitText(rateLimit({ reason: "network" }), 3), "a broken connection").toBe(
      "No connection to TeamViewer; trying again in 3 s",
    );
  });

  it("count whole seconds up, never below zero", () => {
    expect(secondsLeft(10_000, 0), "exactly 10 s").toBe(10);
    expect(secondsLeft(10_000, 100), "9.9 s still shows 10").toBe(10);
    expect(secondsLeft(10_000, 9_001), "0.999 s shows 1").toBe(1);
    expect(secondsLeft(10_000, 12_000), "past the deadline").toBe(0);
  });
});

describe("wait banner", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const text = (el: HTMLElement) => el.querySelector(".wait-text")?.textContent ?? "";

  it("counts down live and goes away when the wait elapses", () => {
    const banner = createWaitBanner();
    expect(banner.el.hidden, "nothing to show before a wait").toBe(true);
    banner.wait(rateLimit({ seconds: 62 }));
    expect(banner.el.hidden, "shown at once").toBe(false);
    expect(text(banner.el)).toContain("Waiting 1 min 2 s before trying again (attempt 2)");
    vi.advanceTimersByTime(2_000);
    expect(text(banner.el), "two seconds later").toContain("Waiting 1 min before trying again");
    expect(banner.el.querySelector(".sr-only")?.textContent, "screen readers hear the sentence once, not every tick").toContain(
      "1 min 2 s",
    );
    vi.advanceTimersByTime(60_000);
    expect(banner.el.hidden, "the wait is over: the call is trying again").toBe(true);
  });

  it("goes away when the call that waited has its answer, and only then", () => {
    const banner = createWaitBanner();
    banner.wait(rateLimit({ call: 7, seconds: 300 }));
    banner.over({ call: 8 });
    expect(banner.el.hidden, "another call's answer does not end this wait").toBe(false);
    banner.over({ call: 7 });
    expect(banner.el.hidden, "the answer arrived").toBe(true);
  });

  it("shows the newest of several waits and falls back to the older one", () => {
    const banner = createWaitBanner();
    banner.wait(rateLimit({ call: 1, seconds: 300, attempt: 3 }));
    banner.wait(rateLimit({ call: 2, reason: "network", seconds: 8 }));
    expect(text(banner.el), "the newest wait").toContain("No connection to TeamViewer");
    banner.over({ call: 2 });
    expect(text(banner.el), "the older wait is still on").toContain("(attempt 3)");
  });

  it("switches language without waiting for the next tick", () => {
    const banner = createWaitBanner();
    banner.wait(rateLimit({ seconds: 120 }));
    setLanguage("de");
    expect(text(banner.el), "retranslated at once").toContain("Nächster Versuch in 2 Min. (Versuch 2)");
  });
});
