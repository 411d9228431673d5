/**
 * Port forwards that the filter table then drops (dnat-dropped): a DNAT in nat PREROUTING sends a connection to
 * another address and port, and the connection's first packet then passes filter FORWARD (another host) or INPUT
 * (this host). When both surely deny it, the forward cannot work: the classic port forward for a media or game
 * server behind a gateway whose FORWARD chain accepts only replies. A REDIRECT (to a port of this machine, such as
 * a transparent proxy's) sends the connection to INPUT alone. In nat OUTPUT, for this machine's own connections, the
 * first packet passes filter OUTPUT after the rewrite (and, redirected to this machine, INPUT over loopback).
 */
import { CheckContext } from '../checks/context';
import { formatAddress, parseAddress } from '../kb/addresses';
import { parsePort, splitNatTarget } from '../kb/values';
import { ChainState } from '../state';
import { IntervalSet } from './intervals';
import { AnalysisModel, RuleInfo } from './model';
import { Command, lineName } from '../model';
import { denier, denyEnd, follow } from './policy';
import { Box, Dim, LOOPBACK, notLoopback, stateSet } from './space';

const NEW = stateSet('NEW');

/** Where a DNAT sends packets: an address range and a port range, each absent when the DNAT keeps it. */
export interface NatDestination {
  addr?: [bigint, bigint];
  ports?: [number, number];
  text: string;
}

function natDestination(text: string, family: 4 | 6): NatDestination | undefined {
  const { addr, ports } = splitNatTarget(text, family);
  const out: NatDestination = { text };
  if (addr !== '') {
    const [a, b] = addr.split('-');
    const lo = parseAddress(a);
    const hi = parseAddress(b ?? a);
    if (!lo || !hi || lo.family !== family || hi.family !== family || lo.value > hi.value) return undefined;
    out.addr = [lo.value, hi.value];
  }
  if (ports !== undefined) {
    const [a, b] = ports.split('-');
    const lo = parsePort(a);
    const hi = parsePort(b ?? a);
    if (lo === undefined || hi === undefined || lo > hi) return undefined;
    out.ports = [lo, hi];
  }
  return out;
}

/** How a built-in filter chain surely denies every packet of `box`; undefined when it may accept some. */
export function surelyDenies(model: AnalysisModel, cs: ChainState | undefined, box: Box): ReturnType<typeof denier> | undefined {
  const end = cs && denyEnd(model, cs);
  if (!cs || !end) return undefined;
  const r = follow(model, cs, box, end.rule);
  return r.mayAccept ? undefined : denier(r, end);
}

/** The first packets of the connections a DNAT rule sends on (those of `taken`), as they leave nat PREROUTING. */
function translated(taken: Box, to: NatDestination): Box {
  const box = taken.slice();
  if (to.addr) box[Dim.Dst] = IntervalSet.of(to.addr[0], to.addr[1]);
  if (to.ports) box[Dim.Dport] = IntervalSet.of(BigInt(to.ports[0]), BigInt(to.ports[1]));
  box[Dim.State] = box[Dim.State].intersect(NEW);
  return box;
}

export function describeDestination(to: NatDestination, family: 4 | 6): string {
  const addr = to.addr ? (to.addr[0] === to.addr[1] ? formatAddress(to.addr[0], family) : `${formatAddress(to.addr[0], family)}-${formatAddress(to.addr[1], family)}`) : undefined;
  const port = to.ports ? (to.ports[0] === to.ports[1] ? `${to.ports[0]}` : `${to.ports[0]}-${to.ports[1]}`) : undefined;
  if (addr && port) return family === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
  return addr ?? `port ${port}`;
}

/** The input interface a rule names (plainly: not negated, not a shell value). */
function inputInterface(ri: RuleInfo): string | undefined {
  return ri.rule.options.find((o) => o.spec.short === '-i' && !o.negated && !o.argDynamic)?.argValue;
}

/**
 * The input interface of the forwarded connections: the DNAT rule's, or else that of the jumps that lead to its chain
 * (the nearest that names one), when every way in says the same.
 */
function wayInterface(ri: RuleInfo, ways: Way[]): string | undefined {
  const own = inputInterface(ri);
  if (own !== undefined) return own;
  const names = new Set(ways.map((w) => w.jumps.map(inputInterface).filter((x) => x !== undefined).pop()));
  return names.size === 1 ? [...names][0] : undefined;
}

/** The rule of `chain` that would let the connections in (same protocol, new address and port). */
function suggestedRule(ri: RuleInfo, to: NatDestination, family: 4 | 6, iface: string | undefined, chain: 'FORWARD' | 'INPUT' | 'OUTPUT'): string {
  const parts = [`-A ${chain}`];
  if (iface) parts.push(`${chain === 'OUTPUT' ? '-o' : '-i'} ${iface}`);
  if (to.addr && to.addr[0] === to.addr[1]) parts.push(`-d ${formatAddress(to.addr[0], family)}`);
  const proto = ri.rule.protocol && !ri.rule.protocol.negated && !ri.rule.protocol.dynamic ? ri.rule.protocol.value : undefined;
  if (proto) parts.push(`-p ${proto}`);
  const port = to.ports ? (to.ports[0] === to.ports[1] ? `${to.ports[0]}` : `${to.ports[0]}:${to.ports[1]}`) : ri.rule.options.find((o) => o.spec.names[0] === '--dport' && !o.negated && !o.argDynamic)?.argValue;
  if (proto && port) parts.push(`--dport ${port}`);
  parts.push('-m conntrack --ctstate NEW -j ACCEPT');
  return parts.join(' ');
}

/**
 * More ways into a chain than this, or a chain more jumps deep, and the chain is taken to see every packet (less
 * precise, never wrong).
 */
const MAX_ENTRIES = 16;
const MAX_DEPTH = 64;

/** The nat hooks: where a DNAT or REDIRECT sends new connections elsewhere (packets that arrive, this machine's own), and where SNAT and MASQUERADE rewrite their source. */
export type NatHook = 'PREROUTING' | 'OUTPUT' | 'POSTROUTING';

/** A way into a nat chain from its hook: the packets it lets through, and the jumps on it (outermost first). */
export interface Way {
  box: Box;
  jumps: RuleInfo[];
}

/**
 * The packets that can reach a nat chain from a hook, as boxes: the conditions of the jumps on the way (every
 * packet for the hook's own chain; none from the other hooks). Earlier rules of the calling chains are not taken out:
 * the boxes hold more than reaches the chain, which only makes a claim that all of it is dropped harder to make.
 */
export function waysIn(model: AnalysisModel, ctx: CheckContext, cs: ChainState, hook: NatHook, known: Map<ChainState, Way[]>, depth = 0): Way[] {
  const space = model.space(cs);
  const anything: Way[] = [{ box: space.full, jumps: [] }];
  if (cs.builtin) return cs.name === hook ? anything : [];
  const done = known.get(cs);
  if (done) return done;
  if (depth > MAX_DEPTH) return anything;
  // Each chain is worked out once; a jump back into a chain being worked out (a cycle) finds every packet.
  known.set(cs, anything);
  const out: Way[] = [];
  for (const from of new Set(ctx.graph.callers(cs))) {
    const above = waysIn(model, ctx, from, hook, known, depth + 1);
    for (const r of above.length ? model.rules(from) : []) {
      if ((r.flow.kind !== 'jump' && r.flow.kind !== 'goto') || r.flow.chain !== cs) continue;
      for (const w of above) {
        const box = space.intersect(w.box, r.box);
        if (box) out.push({ box, jumps: [...w.jumps, r] });
      }
    }
  }
  const ways = out.length > MAX_ENTRIES ? anything : out;
  known.set(cs, ways);
  return ways;
}

/**
 * Where the connections a DNAT or REDIRECT sends on (their first packets as they leave the rule; a source NAT's,
 * with their destination kept) are surely dropped, way in by way in, as `dropped` says of each: the first way's
 * answer when every way that reaches the rule has one (and, with `same`, one alike); undefined when some way's may
 * get through, or no way reaches the rule.
 */
export function droppedOnEveryWay<D>(model: AnalysisModel, ri: RuleInfo, ways: Way[], to: NatDestination, dropped: (box: Box) => D | undefined, same: (a: D, b: D) => boolean = () => true): D | undefined {
  const space = model.space(ri.chain);
  let found: D | undefined;
  for (const way of ways) {
    const taken = space.intersect(ri.box, way.box);
    const box = taken && translated(taken, to);
    if (!box || space.isEmpty(box)) continue;
    const d = dropped(box);
    if (d === undefined || (found !== undefined && !same(found, d))) return undefined;
    found ??= d;
  }
  return found;
}

function checkRule(model: AnalysisModel, ctx: CheckContext, ri: RuleInfo, family: 4 | 6, ways: Way[]): boolean {
  const rule = ri.rule;
  const to = dnatDestination(ri, family);
  if (!to || model.space(ri.chain).isEmpty(ri.box)) return false;
  const found = droppedOnEveryWay(model, ri, ways, to, (box) => {
    const forward = surelyDenies(model, ctx.state.get(family, 'filter', 'FORWARD'), box);
    const input = forward && surelyDenies(model, ctx.state.get(family, 'filter', 'INPUT'), box);
    return forward && input ? { forward, input } : undefined;
  });
  if (!found) return false;
  const { forward, input } = found;
  const fix = suggestedRule(ri, to, family, wayInterface(ri, ways), 'FORWARD');
  const early = acceptedAsArrived(model, ctx.state.get(family, 'filter', 'FORWARD'), ri, ways, to);
  const sent = to.ports && (to.ports[0] === to.ports[1] ? `${to.ports[0]}` : `${to.ports[0]}-${to.ports[1]}`);
  const where = early && lineName(ctx.rs, early.rule);
  const slip = where ? ` ${where[0].toUpperCase()}${where.slice(1)} accepts port ${early!.arrived}, the port they arrive on, but FORWARD sees them after the DNAT, on port ${sent}.` : '';
  ctx.sink.add('dnat-dropped', 'warning', rule.range,
    `Connections this DNAT sends to ${describeDestination(to, family)} are dropped after it: forwarded packets pass filter FORWARD, where ${forward.by} denies them (and were the address this machine's, INPUT: ${input.by} denies them).${slip} Accept them in FORWARD: '${fix}'.`,
    { rule: fix, chain: 'FORWARD', insertBefore: forward.insertBefore },
  ).related = [{ range: forward.range, message: 'denies the forwarded connections' }, ...(early ? [{ range: early.rule.range, message: 'matches the port before the DNAT, which FORWARD never sees' }] : [])];
  return true;
}

/**
 * An ACCEPT in FORWARD for the port the connections arrive on, which the DNAT rewrites (the classic
 * `-A FORWARD -p tcp --dport 8080 -j ACCEPT` beside a DNAT of port 8080 to port 80): the rule the author meant for
 * them, which they never meet. Looked for on the first way into the DNAT's chain, with the port that way.
 */
function acceptedAsArrived(model: AnalysisModel, forward: ChainState | undefined, ri: RuleInfo, ways: Way[], to: NatDestination): { rule: Command; arrived: string } | undefined {
  const end = forward && denyEnd(model, forward);
  const taken = ways.length && to.ports ? model.space(ri.chain).intersect(ri.box, ways[0].box) : undefined;
  const before = taken?.[Dim.Dport];
  if (!forward || !end || !taken || !before || before.size() !== 1n) return undefined;
  const arrived = taken.slice();
  arrived[Dim.State] = arrived[Dim.State].intersect(NEW);
  const r = follow(model, forward, arrived, end.rule);
  const f = r.mayAccept?.flow;
  if (f?.kind !== 'verdict' || f.verdict !== 'ACCEPT') return undefined;
  // The rule is for the port as it arrives, and not for the port it is sent on.
  const after = IntervalSet.of(BigInt(to.ports![0]), BigInt(to.ports![1]));
  const ports = r.mayAccept!.box[Dim.Dport];
  return ports.has(before.min!) && !ports.overlaps(after) ? { rule: r.mayAccept!.rule, arrived: `${before.min}` } : undefined;
}

/** Where a DNAT sends packets (its --to-destination, read); undefined when it is a shell value or unreadable. */
function dnatDestination(ri: RuleInfo, family: 4 | 6): NatDestination | undefined {
  const spec = ri.rule.target?.options.find((o) => o.spec.names[0] === '--to-destination');
  return !spec || spec.argDynamic || spec.argValue === undefined ? undefined : natDestination(spec.argValue, family);
}

/** Where a DNAT or a REDIRECT sends packets (see dnatDestination and redirectPorts). */
export function natTarget(ri: RuleInfo, family: 4 | 6): NatDestination | undefined {
  return ri.rule.target?.spec?.name === 'REDIRECT' ? redirectPorts(ri) : dnatDestination(ri, family);
}

/** Where a REDIRECT sends packets: this machine, on its ports (the packet's own port when it names none). */
function redirectPorts(ri: RuleInfo): NatDestination | undefined {
  const spec = ri.rule.target?.options.find((o) => o.spec.names[0] === '--to-ports');
  if (!spec) return { text: '' };
  if (spec.argDynamic || spec.argValue === undefined) return undefined;
  const [a, b] = spec.argValue.split('-');
  const lo = parsePort(a);
  const hi = parsePort(b ?? a);
  return lo === undefined || hi === undefined || lo > hi ? undefined : { ports: [lo, hi], text: spec.argValue };
}

/** A REDIRECT whose connections INPUT surely denies, on every way in. */
function checkRedirect(model: AnalysisModel, ctx: CheckContext, ri: RuleInfo, family: 4 | 6, ways: Way[]): boolean {
  const to = redirectPorts(ri);
  const space = model.space(ri.chain);
  if (!to || space.isEmpty(ri.box)) return false;
  const found = droppedOnEveryWay(model, ri, ways, to, (box) => {
    // The new destination is an address of the interface the packet came in on: any address, as far as INPUT's
    // rules can be told apart here.
    box[Dim.Dst] = space.full[Dim.Dst];
    return surelyDenies(model, ctx.state.get(family, 'filter', 'INPUT'), box);
  });
  if (!found) return false;
  const fix = suggestedRule(ri, to, family, wayInterface(ri, ways), 'INPUT');
  const where = to.ports ? `port ${to.ports[0] === to.ports[1] ? to.ports[0] : `${to.ports[0]}-${to.ports[1]}`} of this machine` : 'this machine';
  ctx.sink.add('dnat-dropped', 'warning', ri.rule.range,
    `Connections this REDIRECT sends to ${where} are dropped after it: they pass filter INPUT, where ${found.by} denies them. Accept them in INPUT: '${fix}'.`,
    { rule: fix, chain: 'INPUT', insertBefore: found.insertBefore },
  ).related = [{ range: found.range, message: 'denies the redirected connections' }];
  return true;
}

/**
 * Every DNAT or REDIRECT in nat PREROUTING or OUTPUT, or in a chain they can reach, whose connections the filter
 * table drops.
 */
export function checkDnat(model: AnalysisModel, ctx: CheckContext): void {
  // A chain both hooks reach (port forwards for this machine's own connections too): one finding per rule.
  const reported = new Set<RuleInfo>();
  for (const hook of ['PREROUTING', 'OUTPUT'] as const) {
    const known = new Map<ChainState, Way[]>();
    for (const cs of ctx.state.all()) {
      if (cs.table !== 'nat' || !(cs.name === hook || (!cs.builtin && ctx.graph.hooks(cs).includes(hook)))) continue;
      let ways: Way[] | undefined;
      for (const ri of model.rules(cs)) {
        const target = ri.rule.target?.spec?.name;
        if ((target !== 'DNAT' && target !== 'REDIRECT') || reported.has(ri)) continue;
        ways ??= waysIn(model, ctx, cs, hook, known);
        const found = hook === 'OUTPUT' ? checkLocal(model, ctx, ri, cs.family, ways) : target === 'DNAT' ? checkRule(model, ctx, ri, cs.family, ways) : checkRedirect(model, ctx, ri, cs.family, ways);
        if (found) reported.add(ri);
      }
    }
  }
}

/** The loopback address a REDIRECT in nat OUTPUT sends this machine's packets to. */
const LOCALHOST = { 4: IntervalSet.point(0x7f000001n), 6: IntervalSet.point(1n) };

type Denied = NonNullable<ReturnType<typeof surelyDenies>>;

/** Whether this machine's own packets, going out by loopback, are surely dropped: by filter OUTPUT, or on their way back in by INPUT. */
function loopbackDrop(model: AnalysisModel, ctx: CheckContext, box: Box, family: 4 | 6): { chain: 'OUTPUT' | 'INPUT'; denied: Denied } | undefined {
  const out = box.slice();
  out[Dim.Out] = LOOPBACK;
  const denied = surelyDenies(model, ctx.state.get(family, 'filter', 'OUTPUT'), out);
  if (denied) return { chain: 'OUTPUT', denied };
  const back = box.slice();
  back[Dim.In] = LOOPBACK;
  const input = surelyDenies(model, ctx.state.get(family, 'filter', 'INPUT'), back);
  return input && { chain: 'INPUT', denied: input };
}

/**
 * Where this machine's own connections, rewritten in nat OUTPUT, are surely dropped. A new address is routed again:
 * a REDIRECT's packets go to the loopback address, by loopback; a DNAT's leave by any other interface, or by loopback
 * when the address is this machine's, and must be dropped either way.
 */
function localDrop(model: AnalysisModel, ctx: CheckContext, box: Box, redirect: boolean, family: 4 | 6): { chain: 'OUTPUT' | 'INPUT'; denied: Denied } | undefined {
  if (redirect) {
    const local = box.slice();
    local[Dim.Dst] = LOCALHOST[family];
    return loopbackDrop(model, ctx, local, family);
  }
  const away = box.slice();
  away[Dim.Out] = notLoopback(model.spaces[family], Dim.Out);
  const denied = surelyDenies(model, ctx.state.get(family, 'filter', 'OUTPUT'), away);
  return denied && loopbackDrop(model, ctx, box, family) ? { chain: 'OUTPUT', denied } : undefined;
}

/** A DNAT or REDIRECT in nat OUTPUT whose connections (this machine's own) filter OUTPUT or INPUT surely drops. */
function checkLocal(model: AnalysisModel, ctx: CheckContext, ri: RuleInfo, family: 4 | 6, ways: Way[]): boolean {
  const redirect = ri.rule.target?.spec?.name === 'REDIRECT';
  const to = redirect ? redirectPorts(ri) : dnatDestination(ri, family);
  const space = model.space(ri.chain);
  if (!to || space.isEmpty(ri.box)) return false;
  // Dropped on every way in, and in the same chain, so that one fix serves.
  const found = droppedOnEveryWay(model, ri, ways, to, (box) => localDrop(model, ctx, box, redirect, family), (a, b) => a.chain === b.chain);
  if (!found) return false;
  const { chain, denied } = found;
  const fix = suggestedRule(ri, to, family, redirect ? 'lo' : undefined, chain);
  const what = redirect ? `Connections this REDIRECT sends to ${to.ports ? `${describeDestination(to, family)} of ` : ''}this machine` : `Connections this DNAT sends to ${describeDestination(to, family)}`;
  const path = chain === 'OUTPUT' ? 'this machine\'s own packets pass filter OUTPUT after nat OUTPUT, with their new address and port' : 'they come back in over loopback and pass filter INPUT';
  ctx.sink.add('dnat-dropped', 'warning', ri.rule.range,
    `${what} are dropped after it: ${path}, where ${denied.by} denies them. Accept them in ${chain}: '${fix}'.`,
    { rule: fix, chain, insertBefore: denied.insertBefore },
  ).related = [{ range: denied.range, message: `denies the ${redirect ? 'redirected' : 'rewritten'} connections` }];
  return true;
}
