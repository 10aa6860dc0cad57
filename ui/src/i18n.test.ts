import { afterEach, describe, expect, it } from "vitest";
import { ERROR_KINDS } from "./api";
import { detectLanguage, errorText, format, MESSAGES, plural, resolveLanguage, setLanguage, t, translateTree, type MsgKey } from "./i18n";

afterEach(() => setLanguage("en"));

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/**
 * Keys whose German text is legitimately the same as the English one: the product name,
 * loanwords German UIs use as-is, a dash, language names (always shown in their own language) and
 * the month letters of a date placeholder (MM in both).
 */
const SAME_IN_BOTH = new Set([
  "app.title",
  "logs.utc",
  "header.sandbox",
  "sessions.online",
  "sessions.offline",
  "settings.port",
  "settings.langDe",
  "settings.langEn",
  "common.none",
  "date.month",
  "logs.durationPlaceholder", // operators and units, no words
  "logs.format", // the same word in German
  "logs.formatCsv", // file format names
  "logs.formatXlsx",
  "doc.when", // placeholders and punctuation, no words
  "billing.periodShown", // two dates and a dash
  "billing.reasonCount", // a count and a word given in the language
  "billing.exportCsv", // file formats
  "billing.exportXlsx",
  "rates.name",
  "insight.minutesShort", // a number and a unit

]);

describe("i18n tables", () => {
  const en = MESSAGES.en;
  const de = MESSAGES.de;

  it("have the same keys in both languages", () => {
    expect(Object.keys(de).sort(), "every English key needs a German text and vice versa").toEqual(Object.keys(en).sort());
  });

  it("have no empty texts", () => {
    for (const [lang, table] of Object.entries(MESSAGES)) {
      for (const [key, text] of Object.entries(table)) {
        expect(text.trim().length, `${lang}:${key} must not be empty`).toBeGreaterThan(0);
      }
    }
  });

  it("use the same placeholders in both languages", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(de[key]), `placeholders of ${key} must match, or a value goes missing`).toEqual(placeholders(en[key]));
    }
  });

  it("leave no English text in German", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      if (SAME_IN_BOTH.has(key)) continue;
      expect(de[key], `${key} looks untranslated`).not.toBe(en[key]);
    }
  });

  it("have a text for every error kind, in both languages", () => {
    for (const lang of ["en", "de"] as const) {
      setLanguage(lang);
      for (const kind of [...ERROR_KINDS, "unknown" as const]) {
        const text = errorText(kind);
        expect(text, `${lang}: ${kind} needs its own sentence, not the key`).not.toBe(`error.${kind}`);
        expect(text.length, `${lang}: ${kind} text`).toBeGreaterThan(5);
      }
    }
  });

  it("gives every error kind a distinct text (the UI branches on kind only)", () => {
    const texts = ERROR_KINDS.map((k) => errorText(k));
    expect(new Set(texts).size, "two kinds with the same text would hide which failure happened").toBe(texts.length);
  });
});

describe("error kind → message", () => {
  const cases = [
    ["not_signed_in", "You are not signed in.", "Sie sind nicht angemeldet."],
    ["rate_limited", "TeamViewer's limit on API calls for your licence has been reached. Supporter Desk waits and slows down; please try again in a few minutes.", "Das Limit für API-Aufrufe Ihrer TeamViewer-Lizenz ist erreicht. Supporter Desk wartet und fragt seltener; bitte versuchen Sie es in ein paar Minuten erneut."],
    ["license_limit", "Your TeamViewer license does not allow this (for example, too many open sessions).", "Ihre TeamViewer-Lizenz erlaubt das nicht (zum Beispiel zu viele offene Sitzungen)."],
    ["unknown", "Something unexpected went wrong.", "Etwas Unerwartetes ist schiefgegangen."],
  ] as const;
  for (const [kind, english, german] of cases) {
    it(kind, () => {
      expect(errorText(kind), "English text").toBe(english);
      setLanguage("de");
      expect(errorText(kind), "German text").toBe(german);
    });
  }
});

describe("language choice", () => {
  it("picks German for any de* locale, English otherwise", () => {
    expect(detectLanguage("de-DE"), "Germany").toBe("de");
    expect(detectLanguage("de-AT"), "Austria").toBe("de");
    expect(detectLanguage("DE"), "case-insensitive").toBe("de");
    expect(detectLanguage("en-US"), "English").toBe("en");
    expect(detectLanguage("fr-FR"), "other languages fall back to English").toBe("en");
    expect(detectLanguage(undefined), "no locale").toBe("en");
  });

  it("lets the setting override the system", () => {
    expect(resolveLanguage("auto", "de-CH"), "auto follows the system").toBe("de");
    expect(resolveLanguage("en", "de-CH"), "an explicit choice wins").toBe("en");
  });

  it("fills placeholders and keeps unknown ones visible", () => {
    expect(format("{a} of {b}", { a: 1 }), "a missing value must be noticeable").toBe("1 of {b}");
    expect(t("sessions.created", { code: "s1" }), "message with data").toBe("Session s1 created.");
  });

  it("retranslates marked elements on a switch", () => {
    const el = document.createElement("span");
    el.dataset.i18n = "tabs.logs";
    el.setAttribute("data-i18n-aria-label", "tabs.settings");
    document.body.append(el);
    setLanguage("de");
    translateTree(document);
    expect(el.textContent, "text keys are retranslated").toBe("Verbindungsprotokoll");
    expect(el.getAttribute("aria-label"), "attribute keys are retranslated").toBe("Einstellungen");
    expect(document.documentElement.lang, "screen readers need the document language").toBe("de");
    el.remove();
  });
});

describe("counts", () => {
  it("never write a plural as a bracketed suffix", () => {
    for (const [lang, table] of Object.entries(MESSAGES)) {
      for (const [key, text] of Object.entries(table)) {
        expect(text, `${lang}:${key}: "customer(s)" and "Kunde(n)" read badly; give it .one/.other keys`).not.toMatch(/\p{L}\((s|n|en|e|es|nen)\)/u);
      }
    }
  });

  it("give every plural message both forms with the same placeholders", () => {
    const keys = Object.keys(MESSAGES.en);
    const bases = keys.filter((k) => k.endsWith(".one")).map((k) => k.slice(0, -".one".length));
    expect(bases.length, "the count messages are plural keys").toBeGreaterThan(10);
    for (const base of bases) {
      const other = `${base}.other` as MsgKey;
      expect(keys, `${base}.one needs ${base}.other`).toContain(other);
      for (const table of Object.values(MESSAGES)) {
        expect(placeholders(table[`${base}.one` as MsgKey]), `${base}: both forms carry the same values`).toEqual(placeholders(table[other]));
      }
    }
  });

  const cases = [
    ["en", "sessions.count", { n: 1 }, 1, "1 session"],
    ["en", "sessions.count", { n: 0 }, 0, "0 sessions"],
    ["en", "sessions.count", { n: 2 }, 2, "2 sessions"],
    ["de", "sessions.count", { n: 1 }, 1, "1 Sitzung"],
    ["de", "sessions.count", { n: 2 }, 2, "2 Sitzungen"],
    ["en", "desktop.confirmText", { count: 1 }, 1, "1 customer waiting."],
    ["en", "desktop.confirmText", { count: 2 }, 2, "2 customers waiting."],
    ["de", "desktop.confirmText", { count: 1 }, 1, "1 Kunde wartet."],
    ["de", "desktop.confirmText", { count: 2 }, 2, "2 Kunden warten."],
    ["en", "logs.loaded", { n: "1" }, 1, "1 record loaded."],
    ["de", "logs.loaded", { n: "100.000" }, 100_000, "100.000 Datensätze geladen."],
    ["en", "sessions.bulkDone", { n: 1 }, 1, "1 session closed."],
    ["de", "sessions.bulkPartial", { n: 1, failed: 2 }, 1, "1 Sitzung geschlossen, 2 nicht geschlossen:"],
    ["en", "logs.exported", { rows: "1", path: "/tmp/a.csv" }, 1, "Exported 1 row to /tmp/a.csv"],
  ] as const;
  for (const [lang, base, params, n, want] of cases) {
    it(`${lang}: ${base} for ${n}`, () => {
      setLanguage(lang);
      expect(t(plural(base, n), params), "singular for exactly one, plural otherwise").toContain(want);
    });
  }
});
