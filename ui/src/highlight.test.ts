import { describe, expect, it } from "vitest";
import { fillHighlighted, matchRanges, searchWords } from "./highlight";

describe("search words (the core's rule)", () => {
  it("splits on whitespace, keeps quoted phrases and lowercases", () => {
    expect(searchWords("  Müller   Anna ")).toEqual(["müller", "anna"]);
    expect(searchWords('"Müller Anna" vpn')).toEqual(["müller anna", "vpn"]);
    expect(searchWords('"open')).toEqual(["open"]);
    expect(searchWords("a A")).toEqual(["a"]);
    expect(searchWords("   ")).toEqual([]);
  });
});

describe("highlighting", () => {
  it("finds every word case-insensitively and merges overlaps", () => {
    expect(matchRanges("Jörg Müller, Anna", ["müller", "anna"])).toEqual([[5, 11], [13, 17]]);
    expect(matchRanges("abcabc", ["abc", "bca"]), "overlapping matches become one").toEqual([[0, 6]]);
    expect(matchRanges("nothing", ["x"])).toEqual([]);
  });

  it("wraps matches in <mark> as text, never as markup", () => {
    const cell = document.createElement("td");
    fillHighlighted(cell, "<b>Müller</b> & Anna", ["müller"]);
    expect(cell.querySelectorAll("mark").length).toBe(1);
    expect(cell.querySelector("mark")?.textContent).toBe("Müller");
    expect(cell.querySelector("b"), "record text is not parsed as HTML").toBeNull();
    expect(cell.textContent).toBe("<b>Müller</b> & Anna");
    fillHighlighted(cell, "plain", []);
    expect(cell.innerHTML).toBe("plain");
  });
});
