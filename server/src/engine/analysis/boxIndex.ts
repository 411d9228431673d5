/**
 * An index of boxes over one dimension (a source address, a destination port, ...), so that finding the earlier
 * rules that overlap a rule does not compare it with every rule of a long chain (blocklists of thousands of
 * addresses). Boxes are grouped by the width of their range in that dimension (a /32 host, a /24, ...) and kept
 * sorted by their first value within each group: a query only looks, in each group, at the boxes that start close
 * enough to overlap.
 */
import { Box, Dim, DIM_COUNT, Space } from './space';

interface Entry<T> {
  seq: number;
  lo: bigint;
  item: T;
}

interface WidthClass<T> {
  /** Every box in the class spans at most this many addresses. */
  width: bigint;
  /** Sorted by where they start once a query needs it (entries added since may follow out of order). */
  readonly entries: Entry<T>[];
  sorted: boolean;
  /**
   * Where the sorted entries start, as plain numbers, in one flat array (the first `keyCount` entries), when the
   * indexed dimension's values are exact as numbers (up to 2^53: everything but IPv6 addresses and interface names):
   * a search reads these instead of each entry's big integer. (Rounded, the addresses of one IPv6 network would all
   * be one number.)
   */
  keys: Float64Array;
  keyCount: number;
}

const NO_KEYS = new Float64Array(0);

/** How many pairs of the intervals overlap, counting for each interval those that start within it. */
function overlappingPairs(spans: Array<[bigint, bigint]>): number {
  spans.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  let pairs = 0;
  for (let i = 0; i < spans.length; i++) {
    const hi = spans[i][1];
    let a = i + 1;
    let b = spans.length;
    while (a < b) {
      const m = (a + b) >> 1;
      if (spans[m][0] <= hi) a = m + 1;
      else b = m;
    }
    pairs += a - i - 1;
  }
  return pairs;
}

export class BoxIndex<T> {
  private readonly classes: WidthClass<T>[];
  private seq = 0;
  /** Per dimension, the lowest and highest value of any box added: a query outside them finds nothing. */
  private readonly lo: bigint[] = [];
  private readonly hi: bigint[] = [];
  /**
   * The dimensions in which some box added is whole (most rules leave most dimensions open): their bounds are the
   * dimension's own, nothing can fall outside them, and neither adding nor querying compares anything there.
   */
  private readonly whole: boolean[] = new Array<boolean>(DIM_COUNT).fill(false);
  /** The dimensions not yet whole, whose bounds a query is checked against. */
  private bounded: Dim[] = Array.from({ length: DIM_COUNT }, (_, d) => d);

  /** Whether the indexed dimension's values are exact as plain numbers (see WidthClass.keys). */
  private readonly numeric: boolean;

  constructor(private readonly space: Space, private readonly boxOf: (item: T) => Box, private readonly dim: Dim = Dim.Src) {
    this.numeric = space.max[dim] <= BigInt(Number.MAX_SAFE_INTEGER);
    const top = space.max[dim].toString(2).length;
    const step = Math.max(1, Math.ceil(top / 8));
    const bits: number[] = [];
    for (let b = 0; b < top; b += step) bits.push(b);
    bits.push(top);
    this.classes = bits.map((b) => ({ width: (1n << BigInt(b)) - 1n, entries: [], sorted: true, keys: NO_KEYS, keyCount: 0 }));
  }

  /**
   * An index over the dimension that best tells the boxes apart: the one in which the fewest pairs of a sample
   * overlap (the source address for a blocklist, the destination port for a chain of services; not the input
   * interface when every rule names the same one).
   */
  static best<T>(space: Space, boxOf: (item: T) => Box, items: T[]): BoxIndex<T> {
    return new BoxIndex(space, boxOf, BoxIndex.bestDim(items, boxOf));
  }

  /** The dimension `best` would index `items` by (the items need not be those the index will hold). */
  static bestDim<T>(items: T[], boxOf: (item: T) => Box): Dim {
    let best: Dim = Dim.Src;
    // A few boxes are found quickly whatever the index.
    if (items.length < 48) return best;
    let bestScore = Infinity;
    // A sample of the boxes is enough to see which dimension separates them.
    const step = Math.max(1, Math.floor(items.length / 48));
    for (const d of [Dim.Src, Dim.Dst, Dim.Dport, Dim.Sport, Dim.In]) {
      const spans: Array<[bigint, bigint]> = [];
      for (let k = 0; k < items.length; k += step) {
        const s = boxOf(items[k])[d];
        spans.push([s.min ?? 0n, s.max ?? 0n]);
      }
      const score = overlappingPairs(spans);
      if (score < bestScore) {
        bestScore = score;
        best = d;
      }
    }
    return best;
  }

  /** Adds an item; returns its sequence number (queries can ask for items added before a number). */
  add(item: T): number {
    const s = this.boxOf(item)[this.dim];
    const lo = s.min ?? 0n;
    const hi = s.max ?? 0n;
    // A single value (a host, a port) is in the narrowest class; a range in the first class wide enough for it.
    let cls = this.classes[0];
    if (hi !== lo) {
      const span = hi - lo;
      for (let c = 1; c < this.classes.length && span > cls.width; c++) cls = this.classes[c];
    }
    const e = { seq: this.seq++, lo, item };
    const box = this.boxOf(item);
    const full = this.space.full;
    for (let d = 0; d < box.length; d++) {
      if (this.whole[d]) continue;
      if (box[d] === full[d]) {
        this.markWhole(d);
        continue;
      }
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

  /**
   * A dimension becomes whole. (Out of add's loop: a closure there that names the loop's variable would make V8
   * allocate that variable's scope at every step, for every dimension of every box added, even when it is not run.)
   */
  private markWhole(d: Dim): void {
    this.whole[d] = true;
    this.bounded = this.bounded.filter((x) => x !== d);
  }

  /** How many entries queries have looked at (and some more): the work the index has done. */
  scanned = 0;

  /** The sequence number the next added item gets. */
  get size(): number {
    return this.seq;
  }

  /** Whether some item added before the `before`-th holds the packet `point` (one value per dimension). */
  holds(point: readonly bigint[], before = Infinity): boolean {
    return this.scanPoint(point, before, undefined);
  }

  /** Every item added before the `before`-th that holds the packet `point`, in no particular order. */
  holding(point: readonly bigint[], before = Infinity): T[] {
    const out: T[] = [];
    this.scanPoint(point, before, out);
    return out;
  }

  /** Finds the items holding `point`: the first one only (true when found), or all of them into `all`. */
  private scanPoint(point: readonly bigint[], before: number, all: T[] | undefined): boolean {
    if (this.seq === 0) return false;
    for (const d of this.bounded) if (point[d] < this.lo[d] || point[d] > this.hi[d]) return false;
    const v = point[this.dim];
    const vKey = this.numeric ? Number(v) : 0;
    for (const cls of this.classes) {
      const from = this.firstFrom(cls, v);
      const list = cls.entries;
      const keys = cls.keys;
      let k = from;
      for (; k < list.length && (this.numeric ? keys[k] <= vKey : list[k].lo <= v); k++) {
        const e = list[k];
        if (e.seq >= before || !this.space.contains(this.boxOf(e.item), point)) continue;
        if (!all) {
          this.scanned += k - from + 1;
          return true;
        }
        all.push(e.item);
      }
      this.scanned += k - from;
    }
    return false;
  }

  /** Items added before the `before`-th (all, by default) whose box overlaps `box`, in the order they were added. */
  query(box: Box, before = Infinity): T[] {
    return this.queryAtMost(box, before, Infinity)!;
  }

  /** The same, or undefined as soon as more than `limit` are found. */
  queryAtMost(box: Box, before: number, limit: number): T[] | undefined {
    const s = box[this.dim];
    const lo = s.min;
    const hi = s.max;
    if (lo === undefined || hi === undefined || this.seq === 0) return [];
    for (const d of this.bounded) {
      const a = box[d].min;
      const b = box[d].max;
      if (a === undefined || b === undefined || b < this.lo[d] || a > this.hi[d]) return [];
    }
    const found: Entry<T>[] = [];
    const hiKey = Number(hi);
    for (const cls of this.classes) {
      const from = this.firstFrom(cls, lo);
      const list = cls.entries;
      const keys = cls.keys;
      let k = from;
      for (; k < list.length && (this.numeric ? keys[k] <= hiKey : list[k].lo <= hi); k++) {
        const e = list[k];
        if (e.seq < before && this.space.overlaps(this.boxOf(e.item), box) && found.push(e) > limit) break;
      }
      this.scanned += k - from;
      if (found.length > limit) return undefined;
    }
    if (found.length > 1) found.sort((x, y) => x.seq - y.seq);
    return found.map((e) => e.item);
  }

  /** The first entry of a class that can reach `lo`: a box of the class starts at most its width before it. */
  private firstFrom(cls: WidthClass<T>, lo: bigint): number {
    const list = cls.entries;
    if (!list.length) return 0;
    let a = 0;
    let b = list.length;
    if (!this.numeric) {
      if (!cls.sorted) {
        list.sort((x, y) => (x.lo < y.lo ? -1 : x.lo > y.lo ? 1 : x.seq - y.seq));
        cls.sorted = true;
      }
      const from = lo - cls.width;
      while (a < b) {
        const m = (a + b) >> 1;
        if (list[m].lo < from) a = m + 1;
        else b = m;
      }
      return a;
    }
    if (!cls.sorted || cls.keyCount < list.length) BoxIndex.sortKeys(cls);
    const keys = cls.keys;
    const from = Number(lo) - Number(cls.width);
    while (a < b) {
      const m = (a + b) >> 1;
      if (keys[m] < from) a = m + 1;
      else b = m;
    }
    return a;
  }

  /**
   * Sorts a class's entries by where they start and writes their keys (in a numeric index); entries added in order
   * since the last sort only get their keys.
   */
  private static sortKeys<T>(cls: WidthClass<T>): void {
    const list = cls.entries;
    const n = list.length;
    if (cls.sorted) {
      // Appended in order: the keys of the new entries, in a flat array that grows by doubling.
      if (cls.keys.length < n) {
        const grown = new Float64Array(Math.max(16, 2 * n));
        grown.set(cls.keys.subarray(0, cls.keyCount));
        cls.keys = grown;
      }
      for (let k = cls.keyCount; k < n; k++) cls.keys[k] = Number(list[k].lo);
      cls.keyCount = n;
      return;
    }
    // Sorted through their keys (a flat array, read without touching the entries), ties in the order of adding.
    const raw = new Float64Array(n);
    for (let k = 0; k < n; k++) raw[k] = Number(list[k].lo);
    const order = new Uint32Array(n);
    for (let k = 0; k < n; k++) order[k] = k;
    order.sort((x, y) => raw[x] - raw[y] || list[x].seq - list[y].seq);
    const keys = new Float64Array(Math.max(16, n));
    const before = list.slice();
    for (let k = 0; k < n; k++) {
      list[k] = before[order[k]];
      keys[k] = raw[order[k]];
    }
    cls.keys = keys;
    cls.keyCount = n;
    cls.sorted = true;
  }
}
