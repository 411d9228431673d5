/**
 * The packet space: every packet is a point over a fixed list of dimensions, and what a rule matches is a box
 * (one interval set per dimension). Boxes can be intersected and subtracted, which is all the analysis needs.
 */
import { Family } from '../kb/addresses';
import { IntervalSet } from './intervals';

export enum Dim {
  Src,
  Dst,
  Proto,
  Sport,
  Dport,
  Icmp,
  In,
  Out,
  State,
  TcpFlags,
  Frag,
  Length,
  Ttl,
}

export const DIM_COUNT = 13;
export const DIM_NAMES = ['source address', 'destination address', 'protocol', 'source port', 'destination port', 'ICMP type', 'input interface', 'output interface', 'connection state', 'TCP flags', 'fragment', 'length', 'TTL/hop limit'];

/** Interface names are encoded as 16 bytes (IFNAMSIZ), so that `eth+` is an interval. */
export const IFNAME_BYTES = 16;
const IFNAME_MAX = (1n << BigInt(IFNAME_BYTES * 8)) - 1n;

export const STATES = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];

export function dimMax(d: Dim, family: Family): bigint {
  switch (d) {
    case Dim.Src:
    case Dim.Dst:
      return family === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    case Dim.Proto:
    case Dim.Ttl:
      return 255n;
    case Dim.Sport:
    case Dim.Dport:
    case Dim.Icmp:
    case Dim.Length:
      return 65535n;
    case Dim.In:
    case Dim.Out:
      return IFNAME_MAX;
    case Dim.State:
      return BigInt(STATES.length - 1);
    case Dim.TcpFlags:
      return 63n;
    case Dim.Frag:
      return 1n;
  }
}

export type Box = IntervalSet[];

/** The dimensions in the order that most often tells two rules apart first (protocol, port, addresses, ...). */
const BY_SELECTIVITY: readonly Dim[] = [Dim.Proto, Dim.Dport, Dim.Src, Dim.Dst, Dim.Sport, Dim.State, Dim.In, Dim.Out, Dim.Icmp, Dim.TcpFlags, Dim.Frag, Dim.Length, Dim.Ttl];

export class Space {
  readonly max: bigint[];
  readonly full: Box;

  constructor(readonly family: Family) {
    this.max = Array.from({ length: DIM_COUNT }, (_, d) => dimMax(d as Dim, family));
    this.full = this.max.map((m) => IntervalSet.of(0n, m));
  }

  /** One packet of a (non-empty) box: each dimension's lowest value, or highest with `high` (written into `into` if given). */
  point(box: Box, high = false, into: bigint[] = new Array<bigint>(DIM_COUNT).fill(0n)): bigint[] {
    for (let d = 0; d < DIM_COUNT; d++) into[d] = (high ? box[d].max : box[d].min) ?? 0n;
    return into;
  }

  /** Whether the box holds the packet `point` (one value per dimension). */
  contains(box: Box, point: readonly bigint[]): boolean {
    const full = this.full;
    // A whole dimension holds any value of the space: only the others are searched, the most telling first.
    for (let k = 0; k < DIM_COUNT; k++) {
      const d = BY_SELECTIVITY[k];
      const s = box[d];
      if (s !== full[d] && !s.has(point[d])) return false;
    }
    return true;
  }

  isFull(box: Box, d: Dim): boolean {
    return box[d].equals(this.full[d]);
  }

  isEmpty(box: Box): boolean {
    for (let d = 0; d < DIM_COUNT; d++) if (box[d].isEmpty) return true;
    return false;
  }

  /** The packets of both boxes: one of them when it lies inside the other, `undefined` when they do not meet. */
  intersect(a: Box, b: Box): Box | undefined {
    const out: Box = [];
    let isA = true;
    let isB = true;
    for (let d = 0; d < DIM_COUNT; d++) {
      const x = a[d] === b[d] ? a[d] : a[d].intersect(b[d]);
      if (x.isEmpty) return undefined;
      if (x !== a[d]) isA = false;
      if (x !== b[d]) isB = false;
      out.push(x);
    }
    return isA ? a : isB ? b : out;
  }

  overlaps(a: Box, b: Box): boolean {
    const full = this.full;
    for (let k = 0; k < DIM_COUNT; k++) {
      const d = BY_SELECTIVITY[k];
      const x = a[d];
      const y = b[d];
      // Against a whole dimension (or the same set), only emptiness tells.
      if (x === y || y === full[d]) {
        if (x.isEmpty) return false;
      } else if (x === full[d]) {
        if (y.isEmpty) return false;
      } else if (!x.overlaps(y)) return false;
    }
    return true;
  }

  subsetOf(a: Box, b: Box): boolean {
    const full = this.full;
    for (let d = 0; d < DIM_COUNT; d++) {
      const y = b[d];
      if (a[d] !== y && y !== full[d] && !a[d].subsetOf(y)) return false;
    }
    return true;
  }

  /** Every piece with b taken out. */
  subtractFromAll(pieces: Box[], b: Box): Box[] {
    return pieces.flatMap((p) => this.subtract(p, b));
  }

  /** a minus b, as disjoint boxes (at most one per dimension that b constrains). */
  subtract(a: Box, b: Box): Box[] {
    if (!this.overlaps(a, b)) return [a];
    const out: Box[] = [];
    let rest = a;
    for (let d = 0; d < DIM_COUNT; d++) {
      if (rest[d].subsetOf(b[d])) continue;
      const outside = rest[d].minus(b[d], this.max[d]);
      const piece = rest.slice();
      piece[d] = outside;
      out.push(piece);
      rest = rest.slice();
      rest[d] = rest[d].intersect(b[d]);
    }
    return out;
  }

  /** Whether some box of `cover` holds the point made of each dimension's minimum (or maximum) of `box`. */
  private cornerCovered(box: Box, cover: Box[], high: boolean): boolean {
    const point = this.point(box, high);
    return cover.some((c) => this.contains(c, point));
  }

  /**
   * Whether `box` is inside the union of `cover`. Undefined when the work budget ran out: the caller must then
   * assume it is not covered (the analysis never claims more than it proved).
   */
  covered(box: Box, cover: Box[], budget = 20000): boolean | undefined {
    if (this.isEmpty(box)) return true;
    // Cheap refutations first: an uncovered corner, or a dimension the cover's projections do not fill.
    if (!this.cornerCovered(box, cover, false) || !this.cornerCovered(box, cover, true)) return false;
    for (let d = 0; d < DIM_COUNT; d++) {
      let proj = cover[0][d];
      for (let k = 1; k < cover.length && !box[d].subsetOf(proj); k++) proj = proj.union(cover[k][d]);
      if (!box[d].subsetOf(proj)) return false;
    }
    let pieces: Box[] = [box];
    let work = 0;
    for (const c of cover) {
      const next: Box[] = [];
      for (const p of pieces) {
        work++;
        if (work > budget) return undefined;
        for (const q of this.subtract(p, c)) next.push(q);
      }
      pieces = next;
      if (pieces.length === 0) return true;
      if (pieces.length > budget) return undefined;
    }
    return pieces.length === 0;
  }
}

/** Encodes an interface name; with `wildcard`, the interval of every name that starts with it. */
export function ifaceRange(name: string, wildcard: boolean): IntervalSet {
  const bytes = Buffer.from(name, 'utf8').subarray(0, IFNAME_BYTES);
  let lo = 0n;
  for (let k = 0; k < IFNAME_BYTES; k++) lo = (lo << 8n) | BigInt(k < bytes.length ? bytes[k] : 0);
  if (!wildcard) return IntervalSet.point(lo);
  const free = BigInt((IFNAME_BYTES - bytes.length) * 8);
  return IntervalSet.of(lo, lo | ((1n << free) - 1n));
}

/** The set of one connection state, by name (INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED). */
export function stateSet(name: string): IntervalSet {
  return IntervalSet.point(BigInt(STATES.indexOf(name)));
}

/** The whole space but for the dimensions given. */
export function withDims(space: Space, dims: Array<[Dim, IntervalSet]>): Box {
  const b = space.full.slice();
  for (const [d, s] of dims) b[d] = s;
  return b;
}

/** The loopback interface, which remote packets never arrive on nor leave by. */
export const LOOPBACK = ifaceRange('lo', false);

/** Every interface but the loopback one, in the input or output interface dimension. */
export function notLoopback(space: Space, d: Dim.In | Dim.Out): IntervalSet {
  return LOOPBACK.complement(space.max[d]);
}

/**
 * Remembers boxes by the interval-set objects they are made of, to recognise a box equal to one seen before (rules
 * written the same way share their sets; equal boxes built apart are not recognised, which only costs time).
 */
export class SeenBoxes {
  private readonly byHash = new Map<number, Box>();

  /** False when a box made of the same sets was added before. */
  add(box: Box): boolean {
    let h = 0;
    for (const s of box) h = (Math.imul(h, 31) + s.id) | 0;
    const first = this.byHash.get(h);
    if (first && first.every((s, d) => s === box[d])) return false;
    if (!first) this.byHash.set(h, box);
    return true;
  }
}
