/**
 * An index of boxes by source (or destination) address, so that finding the earlier rules that overlap a rule
 * does not compare it with every rule of a long chain (blocklists of thousands of addresses).
 * Boxes are grouped by the width of their address range (a /32 host, a /24, ...) and kept sorted by their first
 * address within each group: a query only looks, in each group, at the boxes that start close enough to overlap.
 */
import { Box, Dim, Space } from './space';

interface Entry<T> {
  seq: number;
  lo: bigint;
  item: T;
}

interface WidthClass<T> {
  /** Every box in the class spans at most this many addresses. */
  width: bigint;
  entries: Entry<T>[];
  sorted: boolean;
}

export class BoxIndex<T> {
  private readonly classes: WidthClass<T>[];
  private seq = 0;
  /** Per dimension, the lowest and highest value of any box added: a query outside them finds nothing. */
  private readonly lo: bigint[] = [];
  private readonly hi: bigint[] = [];

  constructor(private readonly space: Space, private readonly boxOf: (item: T) => Box, private readonly dim: Dim = Dim.Src) {
    const top = space.max[dim].toString(2).length;
    const step = Math.max(1, Math.ceil(top / 8));
    const bits: number[] = [];
    for (let b = 0; b < top; b += step) bits.push(b);
    bits.push(top);
    this.classes = bits.map((b) => ({ width: (1n << BigInt(b)) - 1n, entries: [], sorted: true }));
  }

  /**
   * An index over the dimension in which the boxes are narrowest, relative to its size: addresses for a
   * blocklist, the destination port for a chain of services.
   */
  static best<T>(space: Space, boxOf: (item: T) => Box, items: T[]): BoxIndex<T> {
    let best: Dim = Dim.Src;
    let bestScore = Infinity;
    // A sample of the boxes is enough to see which dimension is narrow.
    const step = Math.max(1, Math.floor(items.length / 256));
    for (const d of [Dim.Src, Dim.Dst, Dim.Dport, Dim.Sport, Dim.In]) {
      const max = space.max[d] + 1n;
      let score = 0;
      for (let k = 0; k < items.length; k += step) {
        const s = boxOf(items[k])[d];
        score += Number((((s.max ?? 0n) - (s.min ?? 0n) + 1n) * 1000000n) / max);
      }
      if (score < bestScore) {
        bestScore = score;
        best = d;
      }
    }
    return new BoxIndex(space, boxOf, best);
  }

  /** Adds an item; returns its sequence number (queries can ask for items added before a number). */
  add(item: T): number {
    const s = this.boxOf(item)[this.dim];
    const lo = s.min ?? 0n;
    const span = (s.max ?? 0n) - lo;
    const cls = this.classes.find((c) => span <= c.width) ?? this.classes[this.classes.length - 1];
    const e = { seq: this.seq++, lo, item };
    const box = this.boxOf(item);
    for (let d = 0; d < box.length; d++) {
      const a = box[d].min;
      const b = box[d].max;
      if (a === undefined || b === undefined) continue;
      if (this.lo[d] === undefined || a < this.lo[d]) this.lo[d] = a;
      if (this.hi[d] === undefined || b > this.hi[d]) this.hi[d] = b;
    }
    const last = cls.entries[cls.entries.length - 1];
    if (last && last.lo > lo) cls.sorted = false;
    cls.entries.push(e);
    return e.seq;
  }

  /** The sequence number the next added item gets. */
  get size(): number {
    return this.seq;
  }

  /** Items added before the `before`-th (all, by default) whose box overlaps `box`, in the order they were added. */
  query(box: Box, before = Infinity): T[] {
    const s = box[this.dim];
    const lo = s.min;
    const hi = s.max;
    if (lo === undefined || hi === undefined || this.seq === 0) return [];
    for (let d = 0; d < box.length; d++) {
      const a = box[d].min;
      const b = box[d].max;
      if (a === undefined || b === undefined || b < this.lo[d] || a > this.hi[d]) return [];
    }
    const found: Entry<T>[] = [];
    for (const cls of this.classes) {
      const list = cls.entries;
      if (!list.length) continue;
      if (!cls.sorted) {
        list.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : x.seq - y.seq));
        cls.sorted = true;
      }
      // A box of this class overlaps [lo, hi] only if it starts in [lo - width, hi].
      let a = 0;
      let b = list.length;
      const from = lo - cls.width;
      while (a < b) {
        const m = (a + b) >> 1;
        if (list[m].lo < from) a = m + 1;
        else b = m;
      }
      for (let k = a; k < list.length && list[k].lo <= hi; k++) {
        const e = list[k];
        if (e.seq < before && this.space.overlaps(this.boxOf(e.item), box)) found.push(e);
      }
    }
    if (found.length > 1) found.sort((x, y) => x.seq - y.seq);
    return found.map((e) => e.item);
  }
}
