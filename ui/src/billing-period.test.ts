import { describe, expect, it } from "vitest";
import { customPeriod, lastDay, monthPeriod } from "./billing-period";

// The tests run with TZ=UTC unless the runner sets another zone; the periods are local months.
const local = (y: number, m: number, d: number) => new Date(y, m - 1, d).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("billing periods", () => {
  it("last month and this month are local calendar months", () => {
    const now = new Date(2026, 0, 15, 10, 0);
    expect(monthPeriod(now, -1), "January's last month is December").toEqual({ from: local(2025, 12, 1), to: local(2026, 1, 1) });
    expect(monthPeriod(now, 0)).toEqual({ from: local(2026, 1, 1), to: local(2026, 2, 1) });
  });

  it("a custom period includes its last day", () => {
    expect(customPeriod("2026-10-01", "2026-10-15")).toEqual({ from: local(2026, 10, 1), to: local(2026, 10, 16) });
    expect(customPeriod("2026-10-15", "2026-10-15"), "one day").toEqual({ from: local(2026, 10, 15), to: local(2026, 10, 16) });
    expect(customPeriod("2026-10-16", "2026-10-15"), "reversed").toBeNull();
    expect(customPeriod("2026-02-31", "2026-03-01"), "no such day").toBeNull();
    expect(lastDay(local(2026, 12, 1)).getDate(), "the day before the exclusive end").toBe(30);
  });
});
