import { describe, expect, it } from "vitest";
import { computeWindow, scrollTopForRow, VirtualTable, type WindowInput } from "./virtual-table";

const base: WindowInput = { scrollTop: 0, viewportHeight: 300, rowHeight: 30, rowCount: 100_000, overscan: 5 };

describe("computeWindow: which rows to render", () => {
  it("renders nothing for an empty view", () => {
    expect(computeWindow({ ...base, rowCount: 0 }), "no rows, no spacers").toEqual({ start: 0, end: 0, offsetTop: 0, contentHeight: 0 });
  });

  it("at the top: the visible rows plus overscan below, none above", () => {
    const w = computeWindow(base);
    expect(w.start, "nothing above row 0").toBe(0);
    expect(w.end, "10 visible + 1 partial + 5 overscan").toBe(16);
    expect(w.offsetTop, "first row at the top").toBe(0);
    expect(w.contentHeight, "100,000 × 30 px fits under the cap").toBe(3_000_000);
  });

  it("in the middle: overscan on both sides, spacer = start × rowHeight", () => {
    const w = computeWindow({ ...base, scrollTop: 30 * 5000 + 12 });
    expect(w.start, "row 5000 is partly visible, 5 rows of overscan above").toBe(4995);
    expect(w.end, "5000 + 11 + 5").toBe(5016);
    expect(w.offsetTop, "rows sit at their natural position").toBe(4995 * 30);
  });

  it("at the bottom: the last row is rendered and nothing past it", () => {
    const w = computeWindow({ ...base, scrollTop: 3_000_000 - 300 });
    expect(w.end, "the window ends at the last row").toBe(100_000);
    expect(w.start, "first visible is 99,990, minus overscan").toBe(99_985);
  });

  it("clamps a scroll position past the end (e.g. after the filter shrank the view)", () => {
    const w = computeWindow({ ...base, rowCount: 20, scrollTop: 1_000_000 });
    expect([w.start, w.end], "the last 10 rows fill the viewport (plus overscan above); nothing past row 20").toEqual([5, 20]);
  });

  it("keeps the DOM small regardless of row count", () => {
    for (const rowCount of [100, 100_000, 5_000_000]) {
      const w = computeWindow({ ...base, rowCount, scrollTop: 12_345 });
      expect(w.end - w.start, `${rowCount} rows: rendered count is bounded by viewport + overscan`).toBeLessThanOrEqual(21);
    }
  });

  it("a viewport smaller than a row still renders a row", () => {
    const w = computeWindow({ ...base, viewportHeight: 10 });
    expect(w.end - w.start, "1 visible + 1 partial + overscan").toBeGreaterThanOrEqual(1);
  });

  describe("beyond the scroll-height cap, positions scale proportionally", () => {
    const cap = { ...base, rowCount: 1_000_000, maxScrollHeight: 1_000_000 };

    it("caps the content height", () => {
      expect(computeWindow(cap).contentHeight, "30M px would break browser layout").toBe(1_000_000);
    });

    it("the top shows row 0, the bottom shows the last row", () => {
      expect(computeWindow(cap).start, "top").toBe(0);
      const bottom = computeWindow({ ...cap, scrollTop: 1_000_000 - 300 });
      expect(bottom.end, "the last row is reachable").toBe(1_000_000);
      expect(bottom.offsetTop + (bottom.end - bottom.start) * 30, "the rows end exactly at the content bottom").toBeCloseTo(1_000_000, 6);
    });

    it("half-way scroll shows the middle rows, placed inside the viewport", () => {
      const scrollTop = (1_000_000 - 300) / 2;
      const w = computeWindow({ ...cap, scrollTop });
      const firstVisible = w.start + 5;
      expect(Math.abs(firstVisible - 499_995), "proportional mapping").toBeLessThanOrEqual(1);
      const top = w.offsetTop + (firstVisible - w.start) * 30;
      expect(top <= scrollTop && top > scrollTop - 30, "the first visible row overlaps the viewport top").toBe(true);
    });

    it("scrollTopForRow inverts the mapping", () => {
      const target = 777_777;
      const scrollTop = scrollTopForRow(target, 30, 1_000_000, 300, 1_000_000);
      const w = computeWindow({ ...cap, scrollTop });
      expect(w.start + 5, "row at the top after scrolling to it").toBe(target);
    });
  });

  it("scrollTopForRow is index × rowHeight under the cap", () => {
    expect(scrollTopForRow(1000, 30, 100_000, 300), "natural positions").toBe(30_000);
  });
});

describe("VirtualTable in a DOM", () => {
  type Row = { n: number };

  function setup(rowCount: number) {
    const scroller = document.createElement("div");
    const table = document.createElement("table");
    const header = document.createElement("thead");
    const body = document.createElement("tbody");
    table.append(header, body);
    scroller.append(table);
    document.body.append(scroller);
    // happy-dom has no layout: give the scroller a height.
    Object.defineProperty(scroller, "clientHeight", { value: 300, configurable: true });
    const fetches: [number, number][] = [];
    let created = 0;
    const vt = new VirtualTable<Row>({
      scroller,
      table,
      body,
      header,
      columnCount: 1,
      rowHeight: 30,
      overscan: 2,
      blockSize: 50,
      fetch: async (offset, limit) => {
        fetches.push([offset, limit]);
        return Array.from({ length: limit }, (_, i) => ({ n: offset + i }));
      },
      createRow: () => {
        created++;
        const tr = document.createElement("tr");
        tr.append(document.createElement("td"));
        return tr;
      },
      fillRow: (tr, row) => {
        tr.cells[0]!.textContent = row ? `row ${row.n}` : "";
      },
      onError: (e) => {
        throw e;
      },
    });
    vt.reset(rowCount);
    return { vt, scroller, table, body, fetches, created: () => created };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));
  const rendered = (body: HTMLElement) => [...body.querySelectorAll("tr[aria-rowindex]")];

  it("sets aria-rowcount to rows + header and renders only a window", async () => {
    const { vt, table, body } = setup(100_000);
    await settle();
    vt.renderNow();
    expect(table.getAttribute("aria-rowcount"), "header row counts as row 1").toBe("100001");
    expect(rendered(body).length, "11 visible + 2 overscan").toBe(13);
    expect(rendered(body)[0]!.getAttribute("aria-rowindex"), "first data row is row 2").toBe("2");
    expect(rendered(body)[0]!.textContent, "filled from the fetched block").toBe("row 0");
  });

  it("fetches a block once and reuses row elements while scrolling", async () => {
    const { vt, scroller, body, fetches, created } = setup(100_000);
    await settle();
    scroller.scrollTop = 30 * 100; // mid-list: overscan above and below, the largest window
    vt.renderNow();
    await settle();
    const before = created();
    scroller.scrollTop = 30 * 60_000;
    vt.renderNow();
    await settle();
    vt.renderNow();
    expect(created(), "no new row elements for a new position").toBe(before);
    expect(fetches.filter(([o]) => o === 0).length, "block 0 fetched once").toBe(1);
    const first = rendered(body)[0]!;
    expect(first.getAttribute("aria-rowindex"), "row 59,998 (60,000 − overscan) is row 60,000 of the grid").toBe("60000");
    expect(first.textContent, "content of the new window").toBe("row 59998");
  });

  it("drops stale blocks when the view changes", async () => {
    const { vt, body } = setup(1000);
    await settle();
    vt.reset(3);
    await settle();
    vt.renderNow();
    expect(rendered(body).length, "a 3-row view renders 3 rows").toBe(3);
    expect(body.closest("table")!.getAttribute("aria-rowcount"), "count follows the view").toBe("4");
  });

  it("a reset seeded with the view's first blocks paints filled rows at once, without a fetch", async () => {
    const { vt, body, fetches } = setup(1000);
    await settle();
    const asked = fetches.length;
    expect(vt.firstBlocks(false), "a new view starts at the top: block 0").toEqual({ offset: 0, limit: 50 });
    vt.reset(120, false, { offset: 0, rows: Array.from({ length: 50 }, (_, i) => ({ n: 1000 + i })) });
    expect(rendered(body)[0]!.textContent, "filled in the same task, no loading placeholder").toBe("row 1000");
    expect(rendered(body)[0]!.classList.contains("loading"), "not a loading row").toBe(false);
    await settle();
    expect(fetches.length, "the seeded block is not fetched again").toBe(asked);
  });

  it("firstBlocks covers the rows on screen when the scroll position is kept", async () => {
    const { vt, scroller } = setup(10_000);
    await settle();
    scroller.scrollTop = 30 * 95; // rows 93..108 with overscan: blocks 1 and 2 (of 50 rows)
    vt.renderNow();
    expect(vt.firstBlocks(true), "whole blocks from a block boundary").toEqual({ offset: 50, limit: 100 });
  });

  it("ignores a seed that is not whole blocks (it would leave holes)", async () => {
    const { vt, body, fetches } = setup(1000);
    await settle();
    const asked = fetches.length;
    vt.reset(1000, false, { offset: 0, rows: Array.from({ length: 10 }, (_, i) => ({ n: 500 + i })) });
    expect(rendered(body)[0]!.textContent, "a short block is not cached: the row waits for its fetch").toBe("");
    await settle();
    vt.renderNow();
    expect(fetches.length, "block 0 is fetched normally").toBe(asked + 1);
    expect(rendered(body)[0]!.textContent, "then filled from the fetch").toBe("row 0");
  });

  it("updates one cached row in place after an edit", async () => {
    const { vt, body } = setup(10);
    await settle();
    vt.renderNow();
    vt.updateRow(1, { n: 99 });
    expect(rendered(body)[1]!.textContent, "the edited row shows the new data").toBe("row 99");
  });
});
