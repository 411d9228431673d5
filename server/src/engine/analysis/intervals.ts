/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals [lo, hi] over bigint.
 * Immutable: every operation returns a new set.
 */
export type Interval = readonly [bigint, bigint];

let nextId = 0;

export class IntervalSet {
  /** A number of its own: boxes made of the same set objects are the same box (see Space.key). */
  readonly id = nextId++;
  /** The complement last asked for, and within what maximum: negated conditions repeat (`! -s NET`). */
  private comp?: IntervalSet;
  private compMax?: bigint;

  private constructor(readonly items: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);

  static of(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([[lo, hi]]);
  }

  static point(v: bigint): IntervalSet {
    return new IntervalSet([[v, v]]);
  }

  /** Builds a set from any intervals (unsorted, overlapping, reversed ones are dropped). */
  static from(list: Iterable<Interval>): IntervalSet {
    const xs = [...list].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: Array<[bigint, bigint]> = [];
    for (const [lo, hi] of xs) {
      const last = out[out.length - 1];
      if (last && lo <= last[1] + 1n) {
        if (hi > last[1]) last[1] = hi;
      } else out.push([lo, hi]);
    }
    return new IntervalSet(out);
  }

  get isEmpty(): boolean {
    return this.items.length === 0;
  }

  get min(): bigint | undefined {
    return this.items[0]?.[0];
  }

  get max(): bigint | undefined {
    return this.items[this.items.length - 1]?.[1];
  }

  /** Number of integers in the set. */
  size(): bigint {
    let n = 0n;
    for (const [lo, hi] of this.items) n += hi - lo + 1n;
    return n;
  }

  has(v: bigint): boolean {
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [a, b] = this.items[mid];
      if (v < a) hi = mid - 1;
      else if (v > b) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty) return this;
    if (this.isEmpty) return o;
    return IntervalSet.from([...this.items, ...o.items]);
  }

  intersect(o: IntervalSet): IntervalSet {
    if (this.isEmpty || o.isEmpty) return IntervalSet.EMPTY;
    // The common cases allocate nothing: one side is a single interval that holds the other.
    if (o.items.length === 1 && o.items[0][0] <= this.items[0][0] && o.items[0][1] >= this.items[this.items.length - 1][1]) return this;
    if (this.items.length === 1 && this.items[0][0] <= o.items[0][0] && this.items[0][1] >= o.items[o.items.length - 1][1]) return o;
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < this.items.length && j < o.items.length) {
      const [a1, b1] = this.items[i];
      const [a2, b2] = o.items[j];
      const lo = a1 > a2 ? a1 : a2;
      const hi = b1 < b2 ? b1 : b2;
      if (lo <= hi) out.push([lo, hi]);
      if (b1 < b2) i++;
      else j++;
    }
    return out.length ? new IntervalSet(out) : IntervalSet.EMPTY;
  }

  /** The complement within [0, max]. */
  complement(max: bigint): IntervalSet {
    if (this.comp && this.compMax === max) return this.comp;
    this.comp = this.complementOf(max);
    this.compMax = max;
    return this.comp;
  }

  private complementOf(max: bigint): IntervalSet {
    const out: Interval[] = [];
    let next = 0n;
    for (const [lo, hi] of this.items) {
      if (lo > next) out.push([next, lo - 1n]);
      next = hi + 1n;
    }
    if (next <= max) out.push([next, max]);
    return new IntervalSet(out);
  }

  minus(o: IntervalSet, max: bigint): IntervalSet {
    if (o.isEmpty || this.isEmpty) return this;
    return this.intersect(o.complement(max));
  }

  /** Every element of this set is in `o`. */
  subsetOf(o: IntervalSet): boolean {
    let j = 0;
    for (const [lo, hi] of this.items) {
      while (j < o.items.length && o.items[j][1] < lo) j++;
      if (j >= o.items.length) return false;
      const [a, b] = o.items[j];
      if (a > lo || b < hi) return false;
    }
    return true;
  }

  overlaps(o: IntervalSet): boolean {
    let i = 0;
    let j = 0;
    const a = this.items;
    const b = o.items;
    while (i < a.length && j < b.length) {
      if (a[i][1] < b[j][0]) i++;
      else if (b[j][1] < a[i][0]) j++;
      else return true;
    }
    return false;
  }

  equals(o: IntervalSet): boolean {
    return this.items.length === o.items.length && this.items.every(([a, b], k) => a === o.items[k][0] && b === o.items[k][1]);
  }
}
