import { describe, expect, it } from "vitest";
import type { NewSessionForm } from "./api";
import { charCount, isValidEmail, serverFieldError, validateSessionForm } from "./validate";

const ok: NewSessionForm = {
  groupId: "g123",
  groupName: null,
  description: "Printer",
  customerName: "Jon Doe",
  customerEmail: "jon@example.com",
  waitingMessage: "",
};
const fieldsOf = (form: NewSessionForm) => validateSessionForm(form).map((e) => e.field);

describe("new-session form validation (mirrors NewSession::validate)", () => {
  it("accepts a complete form", () => {
    expect(validateSessionForm(ok), "a normal form has no errors").toEqual([]);
  });

  it("accepts blank optional fields", () => {
    const form = { ...ok, description: "", customerName: "", customerEmail: "", waitingMessage: "" };
    expect(validateSessionForm(form), "only the group is required").toEqual([]);
  });

  it("needs a group id or a group name", () => {
    expect(fieldsOf({ ...ok, groupId: null, groupName: "  " }), "a blank name is no group").toEqual(["group"]);
    expect(fieldsOf({ ...ok, groupId: null, groupName: "Support" }), "a typed name is enough").toEqual([]);
  });

  it("limits the customer name to 100 characters, counted like Rust (code points)", () => {
    expect(fieldsOf({ ...ok, customerName: "a".repeat(100) }), "100 is allowed").toEqual([]);
    expect(fieldsOf({ ...ok, customerName: "a".repeat(101) }), "101 is refused").toEqual(["customerName"]);
    expect(fieldsOf({ ...ok, customerName: "😀".repeat(100) }), "100 emoji are 200 UTF-16 units but 100 chars").toEqual([]);
  });

  it("limits the description to 4000 characters and says how many there are", () => {
    const errors = validateSessionForm({ ...ok, description: "x".repeat(4001) });
    expect(errors, "the message needs both numbers").toEqual([
      { field: "description", key: "validate.tooLong", params: { max: 4000, n: 4001 } },
    ]);
  });

  it("limits the waiting message and the group name", () => {
    expect(fieldsOf({ ...ok, waitingMessage: "w".repeat(4001) }), "waiting message ≤ 4000").toEqual(["waitingMessage"]);
    expect(fieldsOf({ ...ok, groupId: null, groupName: "g".repeat(256) }), "group name ≤ 255").toEqual(["groupName"]);
  });

  const emails: [string, boolean, string][] = [
    ["jon@example.com", true, "plain address"],
    ["  jon@example.com ", true, "surrounding spaces are trimmed like the core"],
    ["jon.doe+tag@sub.example.co.uk", true, "plus tags and subdomains"],
    ["jon@", false, "no domain"],
    ["@example.com", false, "empty local part"],
    ["jon@example", false, "domain without a dot"],
    ["jon@@example.com", false, "two @"],
    ["jon@.example.com", false, "domain starting with a dot"],
    ["jon@example.com.", false, "domain ending with a dot"],
    ["jon doe@example.com", false, "whitespace inside"],
  ];
  for (const [email, valid, why] of emails) {
    it(`e-mail ${JSON.stringify(email)} is ${valid ? "valid" : "invalid"}`, () => expect(isValidEmail(email), why).toBe(valid));
  }

  it("reports an invalid e-mail on the e-mail field", () => {
    expect(fieldsOf({ ...ok, customerEmail: "jon@" }), "the field gets the error").toEqual(["customerEmail"]);
  });

  it("counts code points", () => {
    expect(charCount("a😀"), "a surrogate pair is one char").toBe(2);
  });
});

describe("server invalid_input → form field", () => {
  it("maps the core's field names", () => {
    expect(serverFieldError("customer e-mail: enter an address like name@example.com"), "e-mail").toEqual({
      field: "customerEmail",
      detail: "enter an address like name@example.com",
    });
    expect(serverFieldError("group: choose a group or type a group name")?.field, "group").toBe("group");
    expect(serverFieldError("customer name: at most 100 characters are allowed (this has 101)")?.field, "name").toBe("customerName");
  });

  it("returns null for messages about something else", () => {
    expect(serverFieldError("CSV delimiter: must be a comma"), "not a session field").toBeNull();
    expect(serverFieldError("no colon here"), "no field prefix").toBeNull();
  });
});
