import { afterEach, describe, expect, it } from "vitest";
import type { TimeDisplay } from "./bindings.gen";
import { formatCount, formatDateTime, formatDuration, formatSessionType, timeDisplay } from "./format";
import { setLanguage } from "./i18n";

afterEach(() => setLanguage("en"));

describe("formatDuration (h:mm:ss)", () => {
  const cases: [number, string, string][] = [
    [0, "0:00:00", "zero"],
    [59, "0:00:59", "seconds only"],
    [61, "0:01:01", "minutes and seconds are zero-padded"],
    [3600, "1:00:00", "one hour"],
    [86_399, "23:59:59", "just under a day"],
    [90_061, "25:01:01", "hours are not wrapped into days (totals over many sessions)"],
    [2_678_400, "744:00:00", "a 31-day month of total duration"],
    [12.9, "0:00:12", "fractions are truncated like the core's whole seconds"],
    [-5, "0:00:00", "negative durations (clock skew) show as zero"],
    [Number.NaN, "0:00:00", "a missing value never prints NaN"],
  ];
  for (const [seconds, expected, why] of cases) {
    it(`${seconds} → ${expected}`, () => expect(formatDuration(seconds), why).toBe(expected));
  }
});

describe("counts and dates follow the UI language", () => {
  it("groups thousands per language", () => {
    expect(formatCount(100000), "English grouping").toBe("100,000");
    setLanguage("de");
    expect(formatCount(100000), "German grouping uses a dot").toBe("100.000");
  });

  it("shows a dash for a missing date and the raw text for an unreadable one", () => {
    expect(formatDateTime(null), "null validUntil").toBe("—");
    expect(formatDateTime("not a date"), "unreadable API text is shown, not hidden").toBe("not a date");
  });

  it("formats an instant in local time", () => {
    setLanguage("de");
    expect(formatDateTime("2026-11-24T13:05:00Z"), "Europe/Berlin is UTC+1 in November").toContain("14:05");
  });

  it("writes one numeric date per language, with a four-digit year in German too", () => {
    expect(formatDateTime("2026-11-29T02:09:00Z"), "English: en-GB day/month/year, 24-hour").toBe("29/11/2026, 03:09");
    expect(formatDateTime("2026-11-29T02:09:00Z", true), "UTC on request").toBe("29/11/2026, 02:09");
    setLanguage("de");
    expect(formatDateTime("2026-11-29T02:09:00Z"), "German: 29.11.2026 (not dateStyle short's 29.11.26), as the date fields write it").toBe(
      "29.11.2026, 03:09",
    );
  });
});

describe("formatSessionType (human type names)", () => {
  it("names the three documented types in English and German", () => {
    expect(formatSessionType("RemoteSupportActiveSdk"), "the raw enum name is not for people").toBe("Remote support (SDK)");
    expect(formatSessionType("RemoteConnection")).toBe("Remote control");
    setLanguage("de");
    expect(formatSessionType("RemoteSupportActiveSdk"), "German users read German").toBe("Fernwartung (SDK)");
  });
  it("shows an unknown value as sent, never blank", () => {
    expect(formatSessionType("SomethingNew"), "a future API value must stay visible").toBe("SomethingNew");
    expect(formatSessionType("toString"), "an Object prototype name is not a type name").toBe("toString");
  });
});

describe("formatFee", () => {
  it("shows money in the app's language with the record's currency", async () => {
    const { formatFee } = await import("./format");
    setLanguage("de");
    expect(formatFee("12.5", "EUR").replace(/\s/g, " ")).toBe("12,50 €");
    setLanguage("en");
    expect(formatFee("12.5", "eur")).toBe("€12.50");
    expect(formatFee("3", ""), "no currency: the number").toBe("3.00");
    expect(formatFee("", "EUR"), "no fee").toBe("");
    expect(formatFee("abc", "EUR"), "odd API text as sent").toBe("abc");
  });
});

/** A date written with a `TimeDisplay` exactly as the core writes it (crates/core/src/logs/times.rs). */
function writeAsCore(iso: string, times: TimeDisplay): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  const u = times.utc;
  return times.parts
    .map((p) => {
      switch (p.type) {
        case "day":
          return pad(u ? d.getUTCDate() : d.getDate());
        case "month":
          return pad((u ? d.getUTCMonth() : d.getMonth()) + 1);
        case "year":
          return String(u ? d.getUTCFullYear() : d.getFullYear());
        case "hour":
          return pad(u ? d.getUTCHours() : d.getHours());
        case "minute":
          return pad(u ? d.getUTCMinutes() : d.getMinutes());
        case "literal":
          return p.value;
      }
    })
    .join("");
}

describe("the date format the core filters the Start column by", () => {
  const instants = ["2026-11-29T20:41:34Z", "2026-03-05T04:07:59Z", "2026-07-01T00:00:00Z", "2026-12-31T23:59:00Z"];
  for (const lang of ["en", "de"] as const) {
    for (const utc of [false, true]) {
      it(`${lang} ${utc ? "UTC" : "local"}: the parts write exactly what the cell shows`, () => {
        setLanguage(lang);
        const times = timeDisplay(utc);
        expect(times.utc, "the UTC switch travels with the format").toBe(utc);
        for (const iso of instants) {
          expect(writeAsCore(iso, times), `${iso}: a filter typed from the cell must find the row`).toBe(formatDateTime(iso, utc));
        }
      });
    }
  }

  it("is the language's own format", () => {
    setLanguage("de");
    expect(writeAsCore("2026-11-29T20:41:34Z", timeDisplay(true)), "German").toBe("29.11.2026, 20:41");
    setLanguage("en");
    expect(writeAsCore("2026-11-29T20:41:34Z", timeDisplay(true)), "English (British order)").toBe("29/11/2026, 20:41");
  });
});
