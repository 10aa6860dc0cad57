import { describe, expect, it } from "vitest";
import { dayPattern, dayPlaceholder, formatDay, parseDateInput, parseDay, presetRange, toRfc3339, type DayRead } from "./dates";
import { intlLocale } from "./format";

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

describe("date fields in the app's language (parseDay, formatDay, dayPlaceholder)", () => {
  const EN = intlLocale("en");
  const DE = intlLocale("de");
  const day = (y: number, m: number, d: number): DayRead => ({ ok: true, day: new Date(y, m - 1, d) });
  const unreadable: DayRead = { ok: false, error: "unreadable" };
  /** A "now" after every day read below (the future rule has its own test with `now`). */
  const late = new Date("2026-12-31T12:00:00+01:00");

  it("writes the day as the rest of the app does: 29/11/2026 in English, 29.11.2026 in German", () => {
    const d = new Date(2026, 10, 29);
    expect(formatDay(d, EN), "en-GB, as format.ts writes English dates").toBe("29/11/2026");
    expect(formatDay(d, DE), "de-DE with a four-digit year").toBe("29.11.2026");
    expect(formatDay(new Date(2026, 0, 5), DE), "two-digit day and month").toBe("05.01.2026");
  });

  it("takes order and separator from Intl, and spells the placeholder with the language's letters", () => {
    expect(dayPattern(DE), "German: day.month.year").toEqual({ order: ["day", "month", "year"], separator: "." });
    expect(dayPattern(EN), "British English: day/month/year").toEqual({ order: ["day", "month", "year"], separator: "/" });
    expect(dayPattern("en-US"), "a month-first locale is read month first").toEqual({ order: ["month", "day", "year"], separator: "/" });
    expect(dayPlaceholder(DE, { day: "TT", month: "MM", year: "JJJJ" }), "German placeholder").toBe("TT.MM.JJJJ");
    expect(dayPlaceholder(EN, { day: "DD", month: "MM", year: "YYYY" }), "English placeholder").toBe("DD/MM/YYYY");
  });

  it("reads German day.month.year, with two-digit years and single digits", () => {
    expect(parseDay("29.11.2026", DE, late), "the written form").toEqual(day(2026, 11, 29));
    expect(parseDay("29.11.26", DE, late), "a two-digit year is 20yy").toEqual(day(2026, 11, 29));
    expect(parseDay("1.2.2026", DE, late), "single-digit day and month").toEqual(day(2026, 2, 1));
    expect(parseDay("  3. 4. 2025 ", DE, late), "spaces around and after the dots").toEqual(day(2025, 4, 3));
    expect(parseDay("3 4 2025", DE, late), "spaces as separators").toEqual(day(2025, 4, 3));
  });

  it("reads English day/month/year (en-GB, as the app writes it), not month first", () => {
    expect(parseDay("29/11/2026", EN, late), "the written form").toEqual(day(2026, 11, 29));
    expect(parseDay("02/03/2026", EN, late), "2 March, not 3 February").toEqual(day(2026, 3, 2));
    expect(parseDay("11/29/2026", EN, late), "the US order has no 29th month").toEqual(unreadable);
    expect(parseDay("11/29/2026", "en-US", late), "a month-first locale reads month first").toEqual(day(2026, 11, 29));
  });

  it("accepts ISO 2026-11-29 in every language", () => {
    expect(parseDay("2026-11-24", DE, late), "ISO in German").toEqual(day(2026, 11, 24));
    expect(parseDay(" 2026-01-05\t", EN, late), "ISO in English, whitespace trimmed").toEqual(day(2026, 1, 5));
    expect(parseDay("2026-02-30", EN, late), "ISO is checked against the calendar too").toEqual(unreadable);
  });

  it("knows leap days and refuses days that do not exist", () => {
    expect(parseDay("29.02.2024", DE, late), "2024 is a leap year").toEqual(day(2024, 2, 29));
    expect(parseDay("29.02.2025", DE, late), "2025 is not").toEqual(unreadable);
    expect(parseDay("29.02.2000", DE, late), "2000 is (divisible by 400)").toEqual(day(2000, 2, 29));
    expect(parseDay("31.02.2026", DE, late), "31 February must not roll over into March").toEqual(unreadable);
    expect(parseDay("31/04/2026", EN, late), "April has 30 days").toEqual(unreadable);
    expect(parseDay("00.01.2026", DE, late), "no day 0").toEqual(unreadable);
    expect(parseDay("12.13.2026", DE, late), "no month 13").toEqual(unreadable);
  });

  it("refuses text that is not a date instead of guessing", () => {
    for (const text of ["gestern", "29.11", "29.11.2026.", "29.11.202", "29112026", "123.11.2026", "29,11,2026", "2026/11/29"]) {
      expect(parseDay(text, DE, late), `"${text}" is not a day`).toEqual(unreadable);
    }
  });

  it("leaves empty text as no day and refuses a day after today", () => {
    expect(parseDay("   ", DE, now), "empty means no day (the to date is optional)").toEqual({ ok: true, day: null });
    expect(parseDay("24.11.2026", DE, now), "today is fine (now is 24 Nov 2026, 15:30)").toEqual(day(2026, 11, 24));
    expect(parseDay("25.11.2026", DE, now), "tomorrow has no reports yet").toEqual({ ok: false, error: "future" });
    expect(parseDay("2027-01-01", EN, now), "ISO after today as well").toEqual({ ok: false, error: "future" });
    expect(parseDay("01.01.99", DE, now), "99 is 2099: in the future").toEqual({ ok: false, error: "future" });
  });
});
