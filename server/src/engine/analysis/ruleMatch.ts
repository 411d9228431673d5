/**
 * What a rule matches, as a box in the packet space. Conditions the model cannot decide (-m limit, -m recent,
 * a shell variable, ...) leave their dimension unconstrained and mark the result inexact: the box is then an
 * over-approximation, good for proving that the rule never matches and for nothing else.
 */
import { ipv4NetRange, maxAddress, parseNet, parseAddress } from '../kb/addresses';
import { protocolNumber } from '../kb/services';
import { conntrackStateOf, icmpTypeOf, parseNumber, plainPort, portBaseOf, PortBase, readPortRange } from '../kb/values';
import { Command, MatchUse, OptionUse, Ruleset } from '../model';
import { IntervalSet } from './intervals';
import { TextCache } from '../textCache';
import { Scratch } from '../scratch';
import { Box, Dim, DIM_NAMES, ifaceRange, Space, STATES } from './space';

export interface RuleMatch {
  box: Box;
  exact: boolean;
  /** Why the box is empty, when it is. */
  emptyReason?: string;
  /**
   * A loop's rule whose values change several dimensions (`allow tcp 22`, `allow udp 53`): the box holds more than
   * the rule matches, and is not exact; where every value's rule is, their boxes, whose union is exactly the rule's.
   */
  parts?: Box[];
}


const TCP_FLAG_BITS: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ALL: 63, NONE: 0 };

function describe(o: OptionUse): string {
  return `\`${o.negated ? '! ' : ''}${o.nameToken.value}${o.args.length ? ' ' + o.args.map((a) => a.raw).join(' ') : ''}\``;
}

/** A condition as the rule states it: an option, or a fixed text (`-m tcp`). Described only when a reason is needed. */
type Condition = OptionUse | string;

function describeCondition(c: Condition): string {
  return typeof c === 'string' ? c : describe(c);
}

/**
 * The dimensions and conditions applied so far by the Builder at work, in turn: one list for every rule (a box is
 * built in one go, and only an empty box's reason reads it).
 */
const APPLIED = new Scratch<Dim | Condition>();

class Builder {
  readonly box: Box;
  exact = true;
  /** Why the box is empty, set as soon as a dimension becomes empty (undefined while it is not). */
  emptyReason: string | undefined = undefined;

  constructor(readonly space: Space) {
    this.box = space.full.slice();
    APPLIED.clear();
  }

  /** A condition the model cannot decide: the box over-approximates ("may or may not match"). */
  unsure(): void {
    this.exact = false;
  }

  /** Intersects a condition into a dimension; `set` undefined means the condition could not be read. */
  apply(d: Dim, set: IntervalSet | undefined, negated: boolean, what: Condition, emptyWhy?: string): void {
    if (!set) {
      this.unsure();
      return;
    }
    const s = negated ? set.complement(this.space.max[d]) : set;
    const after = this.box[d].intersect(s);
    this.box[d] = after;
    if (after.isEmpty && this.emptyReason === undefined) {
      if (s.isEmpty) {
        this.emptyReason = negated ? `${describeCondition(what)} excludes every ${DIM_NAMES[d]}` : `${describeCondition(what)} matches no ${DIM_NAMES[d]}${emptyWhy ? `: ${emptyWhy}` : ''}`;
      } else {
        const earlier = this.earlier(d).map(describeCondition);
        this.emptyReason = `${earlier.join(' and ')} and ${describeCondition(what)} exclude each other (no ${DIM_NAMES[d]} satisfies both)`;
      }
    }
    APPLIED.push(d);
    APPLIED.push(what);
  }

  /** The conditions applied to dimension d so far. */
  private earlier(d: Dim): Condition[] {
    const out: Condition[] = [];
    const items = APPLIED.items;
    for (let k = 0; k < APPLIED.length; k += 2) if (items[k] === d) out.push(items[k + 1] as Condition);
    return out;
  }
}

function range(lo: number, hi: number): IntervalSet {
  return IntervalSet.of(BigInt(lo), BigInt(hi));
}

function portSet(text: string, base: PortBase): { set?: IntervalSet; why?: string } {
  const r = readPortRange(text, base);
  if (r === undefined) return {};
  const [lo, hi] = r;
  if (lo > hi) return { set: IntervalSet.EMPTY, why: `the range ${text} is reversed (${lo} > ${hi})` };
  return { set: range(lo, hi) };
}

function portListSet(text: string): IntervalSet | undefined {
  let acc = IntervalSet.EMPTY;
  for (const item of text.split(',')) {
    const p = portSet(item, 0).set;
    if (!p) return undefined;
    acc = acc.union(p);
  }
  return acc;
}

/**
 * Value sets by their text, one cache per kind of value (and family): rules repeat the same ports and addresses.
 * Keyed by the word itself, so that a lookup builds no string.
 */
const sets = () => new TextCache<IntervalSet | undefined>(16384);

/** Single ports and ranges, with why a range matches nothing (reversed); by how the module reads numbers. */
const PORTS = { 0: new TextCache<{ set?: IntervalSet; why?: string }>(16384), 10: new TextCache<{ set?: IntervalSet; why?: string }>(16384) };
const portSet0 = (text: string) => portSet(text, 0);
const portSet10 = (text: string) => portSet(text, 10);

/** The set of each single port, made once, found by the port's number: nearly every port option names one. */
const SINGLE_PORTS = new Array<{ set?: IntervalSet } | undefined>(65536).fill(undefined);

/** The set of a --sport or --dport value (and why it matches nothing, for a reversed range). */
function portOption(text: string, base: PortBase): { set?: IntervalSet; why?: string } {
  const n = plainPort(text);
  if (n >= 0) return (SINGLE_PORTS[n] ??= { set: range(n, n) });
  return base === 0 ? PORTS[0].get(text, portSet0) : PORTS[10].get(text, portSet10);
}

const CACHE = {
  address: { 4: sets(), 6: sets() },
  icmp: { 4: sets(), 6: sets() },
  proto: sets(),
  iface: sets(),
  ports: sets(),
  flags: sets(),
  state: sets(),
};

function addressSet(text: string, space: Space): IntervalSet | undefined {
  if (space.family === 6) return CACHE.address[6].get(text, addressSet6);
  // The common case, one IPv4 address or network: read at once, its set found by its numbers.
  const v4 = ipv4NetRange(text);
  return v4 ? ipv4Set(v4[0], v4[1]) : CACHE.address[4].get(text, addressSet4);
}

/**
 * The sets of IPv4 networks seen last, direct-mapped by their bounds: an address that recurs (a trusted host, a
 * local network) gets the same set each time, and a blocklist's one-off addresses cost no table that grows and is
 * cleared, only an entry each that the next one may take.
 */
const V4_SLOTS = 8192;
const V4_LO = new Float64Array(V4_SLOTS).fill(-1);
const V4_HI = new Float64Array(V4_SLOTS);
const V4_SETS = new Array<IntervalSet>(V4_SLOTS).fill(IntervalSet.EMPTY);

function ipv4Set(lo: number, hi: number): IntervalSet {
  const k = Math.imul(lo ^ (hi >>> 3), 0x9e3779b1) >>> 19;
  if (V4_LO[k] === lo && V4_HI[k] === hi) return V4_SETS[k];
  const low = BigInt(lo);
  const set = IntervalSet.of(low, hi === lo ? low : BigInt(hi));
  V4_LO[k] = lo;
  V4_HI[k] = hi;
  V4_SETS[k] = set;
  return set;
}

const addressSet4 = (text: string) => addressSetUncached(text, 4);
const addressSet6 = (text: string) => addressSetUncached(text, 6);

/** Any other address text: a list of networks, an IPv6 network, a mask. */
function addressSetUncached(text: string, family: 4 | 6): IntervalSet | undefined {
  // A list of networks: collected, then sorted and joined once (a list can hold thousands).
  const spans: Array<[bigint, bigint]> = [];
  for (const item of text.split(',')) {
    const r = parseNet(item);
    if (!r || !r.ok || !r.net.contiguous) return undefined;
    // A prefix of 0 is every address, whatever the address written (`ip6tables -s 0/0`).
    if (r.net.family !== family && r.net.prefix !== 0) return undefined;
    spans.push(r.net.prefix === 0 ? [0n, maxAddress(family)] : [r.net.lo, r.net.hi]);
  }
  return IntervalSet.from(spans);
}

function ipRangeSet(text: string, space: Space): { set?: IntervalSet; why?: string } {
  const [a, b] = text.split('-');
  const lo = parseAddress(a);
  const hi = parseAddress(b ?? a);
  if (!lo || !hi || lo.family !== space.family || hi.family !== space.family) return {};
  if (lo.value > hi.value) return { set: IntervalSet.EMPTY, why: `the range ${text} is reversed` };
  return { set: IntervalSet.of(lo.value, hi.value) };
}

function ifaceSet(text: string): IntervalSet {
  return text.endsWith('+') ? ifaceRange(text.slice(0, -1), true) : ifaceRange(text, false);
}

/** The states of a list; undefined (not modelled) when one is not among STATES: the virtual SNAT and DNAT states. */
function stateSet(text: string): IntervalSet | undefined {
  let acc = IntervalSet.EMPTY;
  for (const s of text.split(',')) {
    const k = STATES.indexOf(conntrackStateOf(s) ?? '');
    if (k < 0) return undefined;
    acc = acc.union(IntervalSet.point(BigInt(k)));
  }
  return acc;
}

function flagsSet(mask: string, comp: string): IntervalSet | undefined {
  const bits = (s: string) => s.toUpperCase().split(',').filter((f) => f !== '').reduce<number | undefined>((acc, f) => (acc === undefined || TCP_FLAG_BITS[f] === undefined ? undefined : acc | TCP_FLAG_BITS[f]), 0);
  const m = bits(mask);
  const c = bits(comp);
  if (m === undefined || c === undefined) return undefined;
  const list: Array<[bigint, bigint]> = [];
  for (let f = 0; f < 64; f++) if ((f & m) === c) list.push([BigInt(f), BigInt(f)]);
  return IntervalSet.from(list);
}

/** The mask and the flags that must be set, joined by a NUL (which no word holds), as the flags cache keys them. */
function flagsOfText(key: string): IntervalSet | undefined {
  const [mask, comp] = key.split('\u0000');
  return flagsSet(mask, comp ?? '');
}

const icmp4Set = (text: string) => icmpSet(text, false);
const icmp6Set = (text: string) => icmpSet(text, true);

function icmpSet(text: string, v6: boolean): IntervalSet | undefined {
  const named = icmpTypeOf(text, v6);
  if (!named) return undefined;
  const [type, code] = named;
  if (type < 0) return range(0, 65535);
  return code === undefined ? range(type * 256, type * 256 + 255) : range(type * 256 + code, type * 256 + code);
}

function protoSet(text: string): IntervalSet | undefined {
  const n = protocolNumber(text);
  if (n === undefined) return undefined;
  return n === 0 ? range(0, 255) : range(n, n);
}

function applyGeneric(b: Builder, o: OptionUse): void {
  // A shell value stands for any protocol, address or interface.
  const a = o.argText;
  switch (o.spec.short) {
    case '-p':
      if (a === undefined) return b.unsure();
      return b.apply(Dim.Proto, CACHE.proto.get(a, protoSet), o.negated, o);
    case '-s':
    case '-d': {
      if (a === undefined) return b.unsure();
      const set = addressSet(a, b.space);
      // A host name or a non-contiguous mask.
      if (!set) return b.unsure();
      return b.apply(o.spec.short === '-s' ? Dim.Src : Dim.Dst, set, o.negated, o);
    }
    case '-i':
    case '-o':
      if (a === undefined) return b.unsure();
      return b.apply(o.spec.short === '-i' ? Dim.In : Dim.Out, CACHE.iface.get(a, ifaceSet), o.negated, o);
    case '-f':
      return b.apply(Dim.Frag, IntervalSet.point(o.negated ? 0n : 1n), false, o);
  }
}

function applyMatchOption(b: Builder, o: OptionUse, family: 4 | 6): void {
  const name = o.spec.names[0];
  // Options that take a value have it here: a rule missing one is broken, and broken rules never reach a chain.
  // Undefined: a shell expansion.
  const a = o.argText!;
  if (a === undefined && o.valueCount !== 0) return b.unsure();
  switch (name) {
    case '--sport':
    case '--dport': {
      const p = portOption(a, portBaseOf(o.spec.args[0]));
      return b.apply(name === '--sport' ? Dim.Sport : Dim.Dport, p.set, o.negated, o, p.why);
    }
    case '--sports':
    case '--dports':
      return b.apply(name === '--sports' ? Dim.Sport : Dim.Dport, CACHE.ports.get(a, portListSet), o.negated, o);
    case '--syn':
      return b.apply(Dim.TcpFlags, SYN, o.negated, o);
    case '--tcp-flags':
      return b.apply(Dim.TcpFlags, CACHE.flags.get(`${a}\u0000${o.values[1] ?? ''}`, flagsOfText), o.negated, o);
    case '--icmp-type':
    case '--icmpv6-type':
      return b.apply(Dim.Icmp, CACHE.icmp[family].get(a, family === 6 ? icmp6Set : icmp4Set), o.negated, o);
    case '--ctstate':
    case '--state':
      return b.apply(Dim.State, CACHE.state.get(a, stateSet), o.negated, o);
    case '--src-range':
    case '--dst-range': {
      const r = ipRangeSet(a, b.space);
      return b.apply(name === '--src-range' ? Dim.Src : Dim.Dst, r.set, o.negated, o, r.why);
    }
    case '--length': {
      const [lo, hi] = a.split(':').map((x) => parseNumber(x));
      if (lo === undefined) return b.unsure();
      const top = a.includes(':') ? (hi ?? 65535) : lo;
      return b.apply(Dim.Length, range(lo, top), o.negated, o, lo > top ? `the range ${a} is reversed` : undefined);
    }
    case '--ttl-eq':
    case '--hl-eq':
    case '--ttl-lt':
    case '--hl-lt':
    case '--ttl-gt':
    case '--hl-gt': {
      // As the module reads it (strtoul: 010 is 8); a value it refuses leaves the rule broken, and the box unsure.
      const n = parseNumber(a);
      if (n === undefined || n > 255) return b.unsure();
      if (name.endsWith('-eq')) return b.apply(Dim.Ttl, range(n, n), o.negated, o);
      if (name.endsWith('-lt')) return b.apply(Dim.Ttl, range(0, n - 1), false, o, `no value is below ${a}`);
      return b.apply(Dim.Ttl, range(n + 1, 255), false, o, `no value is above ${a}`);
    }
    case '--comment':
    case '--nfacct-name':
      return;
  }
  // An option of the module that the model does not know.
  b.unsure();
}

const FIRST_FRAGMENT = IntervalSet.point(0n);
/** --syn: of SYN, RST, ACK and FIN only SYN is set. */
const SYN = flagsSet('SYN,RST,ACK,FIN', 'SYN');
/** The matches that exclude later fragments, with how a reason names them. */
const FRAGMENT_FREE = new Map(['tcp', 'udp', 'sctp', 'dccp', 'icmp', 'icmp6', 'multiport'].map((n) => [n, `-m ${n}`]));

/** `skip`: matches taken to hold for every packet asked about (the caller knows they do), left out of the box. */
export function ruleMatch(rule: Command, space: Space, skip?: (m: MatchUse) => boolean): RuleMatch {
  const b = new Builder(space);
  // A rule that a template may repeat or leave out is a rule that may or may not be there.
  if (rule.dynamic || rule.conditional) b.unsure();
  for (const o of rule.options) if (!o.owner) applyGeneric(b, o);
  for (const m of rule.matches) {
    if (skip?.(m)) continue;
    // -m recent --set only records the address: it matches every packet.
    if (m.spec?.name === 'recent' && m.options.some((o) => o.spec.names[0] === '--set' && !o.negated) && !m.options.some((o) => ['--rcheck', '--update', '--remove'].includes(o.spec.names[0]))) continue;
    // Matches the knowledge base marks exact are modelled here; others are "may or may not match".
    if (!m.spec || !m.spec.exact) {
      b.unsure();
      continue;
    }
    // Port and type matches never match a non-first fragment, whatever their options say.
    const fragmentFree = FRAGMENT_FREE.get(m.spec.name);
    if (fragmentFree !== undefined) b.apply(Dim.Frag, FIRST_FRAGMENT, false, m.name === m.spec.name ? fragmentFree : `-m ${m.name}`);
    for (const o of m.options) applyMatchOption(b, o, space.family);
  }
  return { box: b.box, exact: b.exact, emptyReason: b.emptyReason };
}

/**
 * The match of a rule as a ruleset holds it: a rule a script's loop adds once per value (see scriptLoops) matches
 * what any of the values' rules matches. Where the values change one dimension alone (the port of `--dport $PORT`),
 * that is the box with that dimension's sets joined, exactly; where they change several, the box holds more than the
 * rules match, and the rule is one that may or may not match.
 */
export function ruleMatchIn(rs: Ruleset, rule: Command, space: Space, skip?: (m: MatchUse) => boolean): RuleMatch {
  const variants = rs.loops?.get(rule)?.variants;
  if (!variants || variants.length < 2) return ruleMatch(rule, space, skip);
  const matches = variants.map((v) => ruleMatch(v, space, skip));
  const box = matches[0].box.slice();
  let changed = 0;
  for (let d = 0; d < box.length; d++) {
    if (matches.every((m) => m.box[d].equals(box[d]))) continue;
    changed++;
    for (const m of matches) box[d] = box[d].union(m.box[d]);
  }
  const none = matches.every((m) => m.emptyReason !== undefined);
  const each = matches.every((m) => m.exact);
  const parts = changed > 1 && each ? matches.map((m) => m.box) : undefined;
  return { box, exact: changed <= 1 && each, emptyReason: none ? matches[0].emptyReason : undefined, parts };
}

/**
 * The values (places among its loop's values) whose own rule, of a rule a script's loop adds once per value, meets
 * `box`; undefined for any other rule.
 */
export function valuesMeeting(rs: Ruleset, rule: Command, box: Box, space: Space): number[] | undefined {
  const info = rs.loops?.get(rule);
  if (!info || info.each || info.variants.length < 2) return undefined;
  const out: number[] = [];
  for (let k = 0; k < info.variants.length; k++) if (space.overlaps(ruleMatch(info.variants[k], space).box, box)) out.push(info.valueAt[k]);
  return out.length ? out : undefined;
}
