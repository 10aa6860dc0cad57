import { describe, expect, it } from "vitest";
import { parseDateInput, presetRange, toRfc3339 } from "./dates";

// vite.config.ts runs unit tests with TZ=Europe/Berlin: CET (+01:00) in winter, CEST (+02:00) in summer.
const now = new Date("2026-11-24T15:30:45+01:00");

describe("date presets → LogQuery from/to", () => {
  it("runs in Europe/Berlin, so the expectations below are exact", () => {
    expect(new Date("2026-11-24T12:00:00Z").getTimezoneOffset(), "TZ must be set by vite.config.ts test.env").toBe(-60);
  });

  it("today starts at local midnight and stays open-ended", () => {
    const r = presetRange("today", now);
    expect(r, "today is always valid").toEqual({ ok: true, range: { from: "2026-11-23T23:00:00Z", to: null } });
  });

  it("last 7 days = today plus the 6 days before, from local midnight", () => {
    const r = presetRange("7", now);
    expect(r.ok && r.range.from, "7 days back to Nov 18 00:00 CET").toBe("2026-11-17T23:00:00Z");
    expect(r.ok && r.range.to, "presets run up to now").toBeNull();
  });

  it("30 and 90 days cross the DST change at local midnight (not 24h multiples)", () => {
    const r30 = presetRange("30", now);
    expect(r30.ok && r30.range.from, "Oct 26 00:00 is CET (+01:00), after the switch on Oct 25").toBe("2026-10-25T23:00:00Z");
    const r90 = presetRange("90", now);
    expect(r90.ok && r90.range.from, "Aug 27 00:00 is CEST (+02:00)").toBe("2026-08-26T22:00:00Z");
  });

  it("custom from/to: from is local midnight, the to day is inclusive (next local midnight)", () => {
    const r = presetRange("custom", now, { from: "2026-03-28", to: "2026-03-29" });
    expect(r, "Mar 29 is the spring DST day: the end is Mar 30 00:00 CEST").toEqual({
      ok: true,
      range: { from: "2026-03-27T23:00:00Z", to: "2026-03-29T22:00:00Z" },
    });
  });

  it("custom without an end date runs up to now", () => {
    const r = presetRange("custom", now, { from: "2026-11-01", to: "" });
    expect(r, "an empty to means open-ended").toEqual({ ok: true, range: { from: "2026-10-31T23:00:00Z", to: null } });
  });

  it("custom needs a start date", () => {
    expect(presetRange("custom", now, { from: "", to: "2026-11-02" }), "no from is an error the form shows").toEqual({
      ok: false,
      error: "logs.customRequired",
    });
  });

  it("custom refuses a start after the end", () => {
    expect(presetRange("custom", now, { from: "2026-11-05", to: "2026-11-01" }), "reversed range").toEqual({
      ok: false,
      error: "logs.invalidRange",
    });
  });

  it("the same day as from and to is one whole day", () => {
    const r = presetRange("custom", now, { from: "2026-11-24", to: "2026-11-24" });
    expect(r.ok && r.range, "one calendar day").toEqual({ from: "2026-11-23T23:00:00Z", to: "2026-11-24T23:00:00Z" });
  });

  it("parses only real calendar dates", () => {
    expect(parseDateInput("2026-02-31"), "Feb 31 must not roll over into March").toBeNull();
    expect(parseDateInput("24.11.2026"), "only the <input type=date> format is accepted").toBeNull();
    expect(parseDateInput("2024-02-29")?.getDate(), "a leap day is valid").toBe(29);
  });

  it("RFC 3339 output has no milliseconds and ends in Z", () => {
    expect(toRfc3339(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), "the core parses both, but this is what the API docs show").toBe(
      "2026-01-02T03:04:05Z",
    );
  });
});
