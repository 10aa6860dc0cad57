import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "../i18n";
import { bucketLabel, bucketTick, formatHours, insightRange } from "./insight";

afterEach(() => setLanguage("en"));

describe("insight periods", () => {
  // 5 December 2026, 15:30 local time (the test's zone, whatever it is).
  const now = new Date(2026, 11, 5, 15, 30);
  const local = (y: number, m: number, d: number) => new Date(y, m, d).toISOString().replace(/\.\d{3}Z$/, "Z");

  it("runs this month from its first local midnight up to now", () => {
    expect(insightRange("thisMonth", now)).toEqual({ ok: true, period: { from: local(2026, 11, 1), to: null } });
  });

  it("runs last month over its whole days, across a year's end too", () => {
    expect(insightRange("lastMonth", now)).toEqual({ ok: true, period: { from: local(2026, 10, 1), to: local(2026, 11, 1) } });
    expect(insightRange("lastMonth", new Date(2027, 0, 10))).toEqual({ ok: true, period: { from: local(2026, 11, 1), to: local(2027, 0, 1) } });
  });

  it("counts the last N days with today, as the log's presets do", () => {
    expect(insightRange("7", now)).toEqual({ ok: true, period: { from: local(2026, 10, 29), to: null } });
  });

  it("takes custom days inclusive and refuses a period that ends before it starts", () => {
    expect(insightRange("custom", now, { from: "2026-11-01", to: "2026-11-03" })).toEqual({ ok: true, period: { from: local(2026, 10, 1), to: local(2026, 10, 4) } });
    expect(insightRange("custom", now, { from: "2026-11-03", to: "2026-11-01" }).ok).toBe(false);
  });
});

describe("insight labels", () => {
  const bucket = (minSeconds: number, maxSeconds: number | null) => ({ minSeconds, maxSeconds, connections: 0 });

  it("names duration buckets in words for tables and in minutes for the axis", () => {
    expect([bucketLabel(bucket(0, 300)), bucketLabel(bucket(300, 900)), bucketLabel(bucket(1800, 3600)), bucketLabel(bucket(3600, 7200)), bucketLabel(bucket(7200, null))]).toEqual([
      "under 5 min",
      "5–15 min",
      "30 min–1 h",
      "1–2 h",
      "2 h and longer",
    ]);
    expect([bucketTick(bucket(0, 300)), bucketTick(bucket(3600, 7200)), bucketTick(bucket(7200, null))]).toEqual(["<5", "60–120", "≥120"]);
    setLanguage("de");
    expect(bucketLabel(bucket(900, 1800))).toBe("15–30 Min.");
  });

  it("writes hours with one decimal in the app's language", () => {
    expect(formatHours(5400)).toBe("1.5 h");
    setLanguage("de");
    expect(formatHours(5400)).toBe("1,5 Std.");
  });
});
