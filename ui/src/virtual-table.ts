// A virtualised table body: only the rows in (and near) the viewport exist in the DOM; rows are
// fetched in blocks through `fetch(offset, limit)`, cached (LRU), and the row elements are
// reused, so scrolling through 100,000 rows touches a few dozen elements per frame.
//
// Layout: a scroll container holds a `<table>` with a sticky `<thead>`; the `<tbody>` holds a
// top spacer row, the rendered rows and a bottom spacer row. The scroll height is capped
// (`MAX_SCROLL_PX`, below browser layout limits); beyond the cap, scroll position maps
// proportionally onto row positions.

/** Largest body height used for scrolling, well below WebKit/Chromium's ~33.5M px limit. */
export const MAX_SCROLL_PX = 8_000_000;

export interface WindowInput {
  /** Scroll offset of the body (px from the first row's top). */
  scrollTop: number;
  /** Visible body height (px), excluding the sticky header. */
  viewportHeight: number;
  rowHeight: number;
  rowCount: number;
  /** Extra rows rendered above and below the viewport. */
  overscan: number;
  maxScrollHeight?: number;
}

export interface RowWindow {
  /** First row index to render. */
  start: number;
  /** One past the last row index to render. */
  end: number;
  /** Where row `start` sits, in px from the body top (the top spacer's height). */
  offsetTop: number;
  /** Total body height (px). */
  contentHeight: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** Sets an attribute only when its value changes (a DOM write is a mutation even when equal). */
export function setAttribute(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** Which rows to render for a scroll position. Pure; see `virtual-table.test.ts`. */
export function computeWindow(input: WindowInput): RowWindow {
  const { rowHeight, rowCount, overscan } = input;
  const maxScrollHeight = input.maxScrollHeight ?? MAX_SCROLL_PX;
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, contentHeight: 0 };
  const viewportHeight = Math.max(0, input.viewportHeight);
  const natural = rowCount * rowHeight;
  const contentHeight = Math.min(natural, maxScrollHeight);
  const maxScroll = Math.max(0, contentHeight - viewportHeight);
  const scrollTop = clamp(input.scrollTop, 0, maxScroll);

  // The first visible row, as a fraction (row 12.5 = half of row 12 is scrolled away).
  let first: number;
  if (natural <= maxScrollHeight) {
    first = scrollTop / rowHeight;
  } else {
    const maxFirst = Math.max(0, rowCount - viewportHeight / rowHeight);
    first = maxScroll > 0 ? (scrollTop / maxScroll) * maxFirst : 0;
  }
  first = clamp(first, 0, rowCount - 1);
  const firstIndex = Math.floor(first);
  const firstTop = scrollTop - (first - firstIndex) * rowHeight;
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, firstIndex - overscan);
  const end = Math.min(rowCount, firstIndex + visible + overscan);
  const offsetTop = Math.max(0, firstTop - (firstIndex - start) * rowHeight);
  return { start, end, offsetTop, contentHeight };
}

/** The scroll offset that puts row `index` at the top (inverse of `computeWindow`). */
export function scrollTopForRow(
  index: number,
  rowHeight: number,
  rowCount: number,
  viewportHeight: number,
  maxScrollHeight = MAX_SCROLL_PX,
): number {
  const natural = rowCount * rowHeight;
  if (natural <= maxScrollHeight) return index * rowHeight;
  const maxScroll = Math.max(0, maxScrollHeight - viewportHeight);
  const maxFirst = Math.max(1, rowCount - viewportHeight / rowHeight);
  return (clamp(index, 0, maxFirst) / maxFirst) * maxScroll;
}

export interface VirtualTableOptions<R> {
  scroller: HTMLElement;
  table: HTMLTableElement;
  body: HTMLTableSectionElement;
  header: HTMLElement;
  columnCount: number;
  rowHeight: number;
  overscan?: number;
  blockSize?: number;
  maxCachedBlocks?: number;
  fetch(offset: number, limit: number): Promise<R[]>;
  /** Builds an empty row element (cells included); called only when the pool grows. */
  createRow(): HTMLTableRowElement;
  /** Fills a row element; `row` is undefined while its block is being fetched. */
  fillRow(tr: HTMLTableRowElement, row: R | undefined, index: number): void;
  onError(error: unknown): void;
}

interface Slot<R> {
  tr: HTMLTableRowElement;
  index: number;
  row: R | undefined;
  selected: boolean;
}

export class VirtualTable<R> {
  private readonly o: Required<Omit<VirtualTableOptions<R>, "onError">> & Pick<VirtualTableOptions<R>, "onError">;
  private readonly top: HTMLTableRowElement;
  private readonly bottom: HTMLTableRowElement;
  private readonly slots: Slot<R>[] = [];
  private cache = new Map<number, R[]>();
  private pending = new Set<number>();
  private generation = 0;
  private count = 0;
  private frame = 0;
  private last = { start: -1, end: -1, offsetTop: -1, contentHeight: -1 };
  private lastBottom = -1;
  /** Index of the selected row (keyboard focus), or -1. */
  selected = -1;

  constructor(options: VirtualTableOptions<R>) {
    this.o = { overscan: 8, blockSize: 200, maxCachedBlocks: 40, ...options };
    const spacer = () => {
      const tr = document.createElement("tr");
      tr.className = "spacer";
      tr.setAttribute("aria-hidden", "true");
      const td = document.createElement("td");
      td.colSpan = this.o.columnCount;
      tr.append(td);
      return tr;
    };
    this.top = spacer();
    this.bottom = spacer();
    this.o.body.replaceChildren(this.top, this.bottom);
    this.o.scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    if (typeof ResizeObserver !== "undefined") {
      new ResizeObserver(() => this.schedule()).observe(this.o.scroller);
    }
    this.setAriaRowCount();
  }

  get rowCount(): number {
    return this.count;
  }

  /**
   * The whole blocks of rows that `reset(…, keepScroll)` will show first: fetch them together
   * with the new view and pass them to `reset` as `seed`, and the view repaints once, filled.
   */
  firstBlocks(keepScroll: boolean): { offset: number; limit: number } {
    const bs = this.o.blockSize;
    if (!keepScroll || this.count === 0) return { offset: 0, limit: bs };
    const win = this.currentWindow();
    const first = Math.floor(win.start / bs);
    const last = Math.floor(Math.max(win.start, win.end - 1) / bs);
    return { offset: first * bs, limit: (last - first + 1) * bs };
  }

  /**
   * A new view (filter/sort/load): drops the cache and shows `count` rows. `seed` holds rows of
   * the new view from a block boundary (see `firstBlocks`); its whole blocks go to the cache.
   */
  reset(count: number, keepScroll = false, seed?: { offset: number; rows: R[] }): void {
    this.generation++;
    this.cache = new Map();
    this.pending.clear();
    this.count = Math.max(0, count);
    if (seed) this.seed(seed.offset, seed.rows);
    this.setAriaRowCount();
    if (!keepScroll) this.o.scroller.scrollTop = 0;
    if (this.selected >= this.count) this.selected = this.count - 1;
    for (const slot of this.slots) slot.index = -1;
    this.renderNow();
  }

  private seed(offset: number, rows: R[]): void {
    const bs = this.o.blockSize;
    if (offset % bs !== 0) return; // the cache holds whole blocks only
    for (let i = 0; i * bs < rows.length; i++) {
      const b = offset / bs + i;
      const block = rows.slice(i * bs, (i + 1) * bs);
      // A short block other than the view's last would leave holes: fetch that one normally.
      if (block.length === Math.min(bs, this.count - b * bs)) this.cache.set(b, block);
    }
  }

  /** The cached row at `index`, if its block is loaded. */
  rowAt(index: number): R | undefined {
    const block = this.cache.get(Math.floor(index / this.o.blockSize));
    return block?.[index % this.o.blockSize];
  }

  /** Replaces one cached row (after an edit) and redraws it if visible. */
  updateRow(index: number, row: R): void {
    const block = this.cache.get(Math.floor(index / this.o.blockSize));
    if (block) block[index % this.o.blockSize] = row;
    this.renderNow();
  }

  /** Selects a row and scrolls it into view. */
  select(index: number): void {
    if (this.count === 0) return;
    this.selected = clamp(index, 0, this.count - 1);
    const viewport = this.viewportHeight();
    const rh = this.o.rowHeight;
    const rowTop = scrollTopForRow(this.selected, rh, this.count, viewport);
    const sc = this.o.scroller;
    if (rowTop < sc.scrollTop) sc.scrollTop = rowTop;
    else if (rowTop + rh > sc.scrollTop + viewport) sc.scrollTop = rowTop + rh - viewport;
    this.renderNow();
  }

  /** Rows that fit in the viewport (for PageUp/PageDown). */
  pageSize(): number {
    return Math.max(1, Math.floor(this.viewportHeight() / this.o.rowHeight) - 1);
  }

  /** Every pooled row element, attached or not (e.g. to retranslate their buttons). */
  rowElements(): HTMLTableRowElement[] {
    return this.slots.map((s) => s.tr);
  }

  /** The row element currently showing `index`, if rendered. */
  elementFor(index: number): HTMLTableRowElement | undefined {
    return this.slots.find((s) => s.index === index && s.tr.isConnected)?.tr;
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderNow();
    });
  }

  private viewportHeight(): number {
    return Math.max(0, this.o.scroller.clientHeight - this.o.header.offsetHeight);
  }

  /** The rows to render at the current scroll position. */
  private currentWindow(): RowWindow {
    return computeWindow({
      scrollTop: this.o.scroller.scrollTop,
      viewportHeight: this.viewportHeight(),
      rowHeight: this.o.rowHeight,
      rowCount: this.count,
      overscan: this.o.overscan,
    });
  }

  private setAriaRowCount(): void {
    // +1: the header row is row 1 of the grid.
    this.o.table.setAttribute("aria-rowcount", String(this.count + 1));
  }

  renderNow(): void {
    const win = this.currentWindow();
    this.requestBlocks(win.start, win.end);
    const n = win.end - win.start;
    while (this.slots.length < n) {
      this.slots.push({ tr: this.o.createRow(), index: -1, row: undefined, selected: false });
    }
    // Attach exactly `n` row elements between the spacers, in order.
    for (let i = 0; i < this.slots.length; i++) {
      const slot = this.slots[i]!;
      if (i < n) {
        if (!slot.tr.isConnected) this.o.body.insertBefore(slot.tr, this.bottom);
        this.paint(slot, win.start + i);
      } else if (slot.tr.isConnected) {
        slot.tr.remove();
        slot.index = -1;
      }
    }
    if (win.offsetTop !== this.last.offsetTop) this.top.style.height = `${win.offsetTop}px`;
    const bottom = Math.max(0, win.contentHeight - win.offsetTop - n * this.o.rowHeight);
    if (bottom !== this.lastBottom) this.bottom.style.height = `${bottom}px`;
    this.lastBottom = bottom;
    this.last = win;
  }

  private paint(slot: Slot<R>, index: number): void {
    const row = this.rowAt(index);
    const selected = index === this.selected;
    if (slot.index === index && slot.row === row && slot.selected === selected) return;
    // A new view (reset) repaints every slot; a row element that keeps its place and state is
    // not written to: every write is a DOM mutation and work for the engine.
    setAttribute(slot.tr, "aria-rowindex", String(index + 2));
    setAttribute(slot.tr, "aria-selected", String(selected));
    this.o.fillRow(slot.tr, row, index);
    slot.index = index;
    slot.row = row;
    slot.selected = selected;
  }

  private requestBlocks(start: number, end: number): void {
    if (end <= start) return;
    const bs = this.o.blockSize;
    for (let b = Math.floor(start / bs); b <= Math.floor((end - 1) / bs); b++) {
      const hit = this.cache.get(b);
      if (hit) {
        // Refresh LRU order.
        this.cache.delete(b);
        this.cache.set(b, hit);
      } else if (!this.pending.has(b)) {
        this.fetchBlock(b);
      }
    }
  }

  private fetchBlock(block: number): void {
    const generation = this.generation;
    const bs = this.o.blockSize;
    const offset = block * bs;
    this.pending.add(block);
    this.o
      .fetch(offset, Math.min(bs, this.count - offset))
      .then((rows) => {
        if (generation !== this.generation) return; // a newer view replaced this one
        this.pending.delete(block);
        this.cache.set(block, rows);
        this.evict();
        this.schedule();
      })
      .catch((error: unknown) => {
        if (generation !== this.generation) return;
        this.pending.delete(block);
        this.o.onError(error);
      });
  }

  private evict(): void {
    const keep = new Set<number>();
    const bs = this.o.blockSize;
    for (let b = Math.floor(this.last.start / bs); b <= Math.floor((this.last.end - 1) / bs); b++) keep.add(b);
    for (const b of this.cache.keys()) {
      if (this.cache.size <= this.o.maxCachedBlocks) break;
      if (!keep.has(b)) this.cache.delete(b);
    }
  }
}
