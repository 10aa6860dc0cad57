import { afterEach, describe, expect, it } from "vitest";
import { setLanguage } from "./i18n";
import { amountForInput, formatMoney, formatTotals, parseAmount } from "./money";

afterEach(() => setLanguage("en"));

describe("money", () => {
  it("shows the core's decimal strings in the app's language, exactly", () => {
    expect(formatMoney("1234.50", "EUR")).toBe("€1,234.50");
    // More digits than a double holds exactly: written from the string, not a float.
    expect(formatMoney("12345678901234.57", "EUR")).toBe("€12,345,678,901,234.57");
    setLanguage("de");
    expect(formatMoney("1234.5", "EUR").replace(/\u00a0/g, " ")).toBe("1.234,50 €");
    expect(formatTotals([{ currency: "CHF", amount: "272.50" }, { currency: "EUR", amount: "222.50" }]).replace(/\u00a0/g, " ")).toBe("272,50 CHF · 222,50 €");
  });

  it("keeps a currency it cannot format beside the number", () => {
    expect(formatMoney("10.00", "")).toBe("10.00");
    expect(formatMoney("oops", "EUR"), "a value that is not a decimal is shown as sent").toBe("oops EUR");
  });

  it("reads amounts as typed in the app's language and refuses guesses", () => {
    expect(parseAmount("90.00")).toBe("90.00");
    expect(parseAmount(" 90 ")).toBe("90");
    expect(parseAmount("90,00"), "a comma is no decimal point in English").toBeNull();
    expect(parseAmount("1,000.00"), "no thousands separators").toBeNull();
    expect(parseAmount("-5")).toBeNull();
    expect(parseAmount("")).toBeNull();
    setLanguage("de");
    expect(parseAmount("90,00")).toBe("90.00");
    expect(parseAmount("95,5")).toBe("95.5");
    expect(parseAmount("1.000"), "German 1.000 would be a thousand: refused, not read as one").toBeNull();
    expect(amountForInput("120.00")).toBe("120,00");
  });
});
