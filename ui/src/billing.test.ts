import { afterEach, describe, expect, it } from "vitest";
import { BILLING_STATES, billingOptions, isBillingState } from "./billing";
import { setLanguage } from "./i18n";

afterEach(() => setLanguage("en"));

const values = (current: string) => billingOptions(current).map((o) => o.value);

describe("billing-state choices", () => {
  it("are the API's three values, spelled as the API spells them", () => {
    expect([...BILLING_STATES], "TeamViewer API document p48/p51").toEqual(["Bill", "Billed", "DoNotBill"]);
    expect(values("Billed"), "a known state: just the three, no extra").toEqual(["Bill", "Billed", "DoNotBill"]);
  });

  it("label the known states in the UI language, never by their raw value alone", () => {
    expect(billingOptions("Bill").map((o) => o.label), "English labels").toEqual(["To bill", "Billed", "Do not bill"]);
    setLanguage("de");
    expect(billingOptions("Bill").map((o) => o.label), "German labels").toEqual(["Abzurechnen", "Abgerechnet", "Nicht abrechnen"]);
  });

  it("keep any other value the API sends as an extra, first choice, exactly as sent", () => {
    for (const odd of ["Not billed", "billed", " Billed ", "Paid"]) {
      const options = billingOptions(odd);
      expect(options[0]?.value, `${JSON.stringify(odd)} is offered verbatim, not trimmed or re-cased`).toBe(odd);
      expect(options[0]?.known, `${JSON.stringify(odd)} is marked unknown`).toBe(false);
      expect(options[0]?.label, "its label shows the API's text").toContain(odd);
      expect(values(odd).slice(1), "then the three documented states").toEqual(["Bill", "Billed", "DoNotBill"]);
    }
  });

  it("offer 'not set' for a record without a state, so saving its notes keeps it unset", () => {
    const options = billingOptions("");
    expect(options[0], "the empty value comes first").toMatchObject({ value: "", known: false, label: "Not set" });
    expect(options.length, "plus the three states").toBe(4);
  });

  it("recognise only the exact spellings", () => {
    expect(BILLING_STATES.every(isBillingState), "the three").toBe(true);
    for (const odd of ["bill", "BILLED", "Do not bill", "Not billed", ""]) {
      expect(isBillingState(odd), `${JSON.stringify(odd)} is not a documented state`).toBe(false);
    }
  });
});
