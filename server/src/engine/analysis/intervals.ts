/**
 * Sets of integers as sorted, disjoint, non-adjacent closed intervals [lo, hi] over bigint.
 * Immutable: every operation returns a new set (or one of its operands, when that is the answer).
 * The bounds are kept in one flat array, lo and hi of each interval in turn: one object per set, not one per interval.
 */
export type Interval = readonly [bigint, bigint];

let nextId = 0;

export class IntervalSet {
  /** A number of its own: boxes made of the same set objects are the same box (see SeenBoxes). */
  readonly id = nextId++;
  /** The complement last asked for, and within what maximum: negated conditions repeat (`! -s NET`). */
  private comp?: IntervalSet;
  private compMax?: bigint;

  /** lo0, hi0, lo1, hi1, ...: sorted, disjoint and not adjacent. */
  private constructor(private readonly b: readonly bigint[]) {}

  static readonly EMPTY = new IntervalSet([]);

  static of(lo: bigint, hi: bigint): IntervalSet {
    // A single value keeps one big integer (a blocklist holds thousands of hosts).
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([lo, lo === hi ? lo : hi]);
  }

  static point(v: bigint): IntervalSet {
    return new IntervalSet([v, v]);
  }

  /** Builds a set from any intervals (unsorted, overlapping, reversed ones are dropped). */
  static from(list: Iterable<Interval>): IntervalSet {
    const xs = [...list].filter(([lo, hi]) => lo <= hi).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: bigint[] = [];
    for (const [lo, hi] of xs) {
      const n = out.length;
      if (n && lo <= out[n - 1] + 1n) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else out.push(lo, lo === hi ? lo : hi);
    }
    return new IntervalSet(out);
  }

  /** The intervals, as [lo, hi] pairs. */
  get items(): Interval[] {
    const out: Interval[] = [];
    for (let i = 0; i < this.b.length; i += 2) out.push([this.b[i], this.b[i + 1]]);
    return out;
  }

  /** How many intervals the set is made of. */
  get intervals(): number {
    return this.b.length >> 1;
  }

  get isEmpty(): boolean {
    return this.b.length === 0;
  }

  get min(): bigint | undefined {
    return this.b[0];
  }

  get max(): bigint | undefined {
    return this.b[this.b.length - 1];
  }

  /** Number of integers in the set. */
  size(): bigint {
    let n = 0n;
    for (let i = 0; i < this.b.length; i += 2) n += this.b[i + 1] - this.b[i] + 1n;
    return n;
  }

  has(v: bigint): boolean {
    const b = this.b;
    let lo = 0;
    let hi = (b.length >> 1) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (v < b[2 * mid]) hi = mid - 1;
      else if (v > b[2 * mid + 1]) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(o: IntervalSet): IntervalSet {
    if (o.isEmpty || o.subsetOf(this)) return this;
    if (this.isEmpty || this.subsetOf(o)) return o;
    // Both lists are sorted: merge them, joining intervals that overlap or touch.
    const a = this.b;
    const c = o.b;
    const out: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < c.length) {
      const fromA = j >= c.length || (i < a.length && a[i] <= c[j]);
      const lo = fromA ? a[i] : c[j];
      const hi = fromA ? a[i + 1] : c[j + 1];
      if (fromA) i += 2;
      else j += 2;
      const n = out.length;
      if (n && lo <= out[n - 1] + 1n) {
        if (hi > out[n - 1]) out[n - 1] = hi;
      } else out.push(lo, hi);
    }
    return new IntervalSet(out);
  }

  /** Whether one interval of this set holds all of `o`. */
  private holdsAll(o: IntervalSet): boolean {
    return this.b.length === 2 && this.b[0] <= o.b[0] && this.b[1] >= o.b[o.b.length - 1];
  }

  intersect(o: IntervalSet): IntervalSet {
    if (this.isEmpty || o.isEmpty) return IntervalSet.EMPTY;
    // The common cases allocate nothing: one side is a single interval that holds the other.
    if (o.holdsAll(this)) return this;
    if (this.holdsAll(o)) return o;
    const a = this.b;
    const c = o.b;
    const out: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < c.length) {
      const lo = a[i] > c[j] ? a[i] : c[j];
      const hi = a[i + 1] < c[j + 1] ? a[i + 1] : c[j + 1];
      if (lo <= hi) out.push(lo, hi);
      if (a[i + 1] < c[j + 1]) i += 2;
      else j += 2;
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
    const out: bigint[] = [];
    let next = 0n;
    for (let i = 0; i < this.b.length; i += 2) {
      if (this.b[i] > next) out.push(next, this.b[i] - 1n);
      next = this.b[i + 1] + 1n;
    }
    if (next <= max) out.push(next, max);
    return new IntervalSet(out);
  }

  minus(o: IntervalSet, max: bigint): IntervalSet {
    if (o.isEmpty || this.isEmpty) return this;
    return this.intersect(o.complement(max));
  }

  /** Every element of this set is in `o`. */
  subsetOf(o: IntervalSet): boolean {
    const a = this.b;
    const c = o.b;
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      while (j < c.length && c[j + 1] < a[i]) j += 2;
      if (j >= c.length || c[j] > a[i] || c[j + 1] < a[i + 1]) return false;
    }
    return true;
  }

  overlaps(o: IntervalSet): boolean {
    const a = this.b;
    const c = o.b;
    // One single interval against many (what is left of a box after hundreds of rules took a little of it): halving.
    if (c.length === 2 && a.length > 8) return this.meets(c[0], c[1]);
    if (a.length === 2 && c.length > 8) return o.meets(a[0], a[1]);
    let i = 0;
    let j = 0;
    while (i < a.length && j < c.length) {
      if (a[i + 1] < c[j]) i += 2;
      else if (c[j + 1] < a[i]) j += 2;
      else return true;
    }
    return false;
  }

  /** Whether some interval of the set meets [lo, hi]: the first interval that ends at lo or later starts by hi. */
  private meets(lo: bigint, hi: bigint): boolean {
    const b = this.b;
    let l = 0;
    let h = (b.length >> 1) - 1;
    while (l < h) {
      const mid = (l + h) >> 1;
      if (b[2 * mid + 1] < lo) l = mid + 1;
      else h = mid;
    }
    return b.length > 0 && b[2 * l + 1] >= lo && b[2 * l] <= hi;
  }

  equals(o: IntervalSet): boolean {
    return this.b.length === o.b.length && this.b.every((x, k) => x === o.b[k]);
  }
}
