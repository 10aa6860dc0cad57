// Search words and their highlighting in the log grid. The words are read exactly as the core
// reads them (crates/core/src/logs/query.rs `search_words`): whitespace separates words, a
// "quoted phrase" is one word, matching is case-insensitive. Record text is untrusted: it only
// ever becomes text nodes, never markup.

/** The lowercased words of a search text (a quoted phrase is one word; repeats count once). */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  let rest = text.trim();
  while (rest) {
    let word: string;
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      word = end < 0 ? rest.slice(1) : rest.slice(1, end);
      rest = end < 0 ? "" : rest.slice(end + 1);
    } else {
      const end = rest.search(/\s/);
      word = end < 0 ? rest : rest.slice(0, end);
      rest = end < 0 ? "" : rest.slice(end);
    }
    const lower = word.trim().toLowerCase();
    if (lower && !words.includes(lower)) words.push(lower);
    rest = rest.trimStart();
  }
  return words;
}

/** The [start, end) ranges of `text` where any of `words` occurs, merged and in order. */
export function matchRanges(text: string, words: readonly string[]): Array<[number, number]> {
  if (words.length === 0 || !text) return [];
  const lower = text.toLowerCase();
  // Lowercasing that changes the length (rare: "İ") would shift the ranges: no highlight then.
  if (lower.length !== text.length) return [];
  const ranges: Array<[number, number]> = [];
  for (const w of words) {
    for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) ranges.push([at, at + w.length]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Fills `cell` with `text`, the matches of `words` wrapped in `<mark>` (text nodes only). */
export function fillHighlighted(cell: HTMLElement, text: string, words: readonly string[]): void {
  fillRanges(cell, text, matchRanges(text, words));
}

/** Fills `cell` with `text`, the `ranges` (from `matchRanges`) wrapped in `<mark>`. */
export function fillRanges(cell: HTMLElement, text: string, ranges: ReadonlyArray<readonly [number, number]>): void {
  if (ranges.length === 0) {
    cell.textContent = text;
    return;
  }
  const parts: Node[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) parts.push(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(start, end);
    parts.push(mark);
    at = end;
  }
  if (at < text.length) parts.push(document.createTextNode(text.slice(at)));
  cell.replaceChildren(...parts);
}
