/**
 * IPv6 without neighbour discovery (nd-blocked): IPv6 finds the link-layer address of its neighbours, the router
 * included, with ICMPv6 neighbour solicitations and advertisements (types 135 and 136), as IPv4 does with ARP. The
 * kernel's connection tracking leaves them untracked, so an ESTABLISHED,RELATED accept does not let them through:
 * an ip6tables INPUT or OUTPUT that ends in a deny without accepting them cuts the host off IPv6 once its neighbour
 * cache runs out, a few minutes after the rules load.
 */
import { CheckContext } from '../checks/context';
import { ChainState } from '../state';
import { IntervalSet } from './intervals';
import { AnalysisModel } from './model';
import { denier, follow, selectiveDenyEnd } from './policy';
import { lineName } from '../model';
import { Dim, notLoopback, stateSet, withDims } from './space';

/** Neighbour solicitations and advertisements: every code of each type (the Icmp dimension is type * 256 + code). */
const ND = [
  { type: 135, name: 'neighbour-solicitation', plural: 'neighbour solicitations', codes: IntervalSet.of(135n * 256n, 135n * 256n + 255n) },
  { type: 136, name: 'neighbour-advertisement', plural: 'neighbour advertisements', codes: IntervalSet.of(136n * 256n, 136n * 256n + 255n) },
];
const ICMPV6 = IntervalSet.point(58n);
/** Neighbour discovery is sent with a hop limit of 255, and dropped by the receiver with any other. */
const HOP_LIMIT = IntervalSet.point(255n);

/**
 * Each of the two messages is needed both ways (a host asks with a solicitation and hears the answer as an
 * advertisement; it answers others' solicitations with one): a chain that lets one of them through and denies the
 * other breaks neighbour discovery as surely as one that denies both.
 */
function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  // A chain that accepts nothing at all keeps IPv6 off on purpose.
  const end = selectiveDenyEnd(model, cs);
  if (!end) return;
  const space = model.space(cs);
  // Never on the loopback interface: an accept for `lo` takes none of it.
  const iface = cs.name === 'INPUT' ? Dim.In : Dim.Out;
  const walks = ND.map((t) => follow(model, cs, withDims(space, [[Dim.Proto, ICMPV6], [Dim.Icmp, t.codes], [Dim.State, stateSet('UNTRACKED')], [Dim.Ttl, HOP_LIMIT], [Dim.Frag, IntervalSet.point(0n)], [iface, notLoopback(space, iface)]]), end.rule));
  const denied = ND.filter((_, k) => !walks[k].mayAccept);
  if (!denied.length) return;
  const k = ND.indexOf(denied[0]);
  const d = denier(walks[k], end);
  const way = cs.name === 'INPUT' ? 'in' : 'out';
  const rule = (t: (typeof ND)[number]) => `-A ${cs.name} -p ipv6-icmp -m icmp6 --icmpv6-type ${t.name} -j ACCEPT`;
  const message = denied.length === 2
    ? `Nothing in ${cs.name} lets IPv6 neighbour discovery ${way} (ICMPv6 neighbour solicitations and advertisements, which connection tracking leaves untracked), and ${d.by} denies them: the host loses IPv6, the session you are typing in included, a few minutes after this loads. Accept them before the deny: '${rule(ND[0])}' and the same for neighbour-advertisement.`
    : `${cs.name} lets ${ND[1 - k].plural} ${way} (${lineName(model.rs, walks[1 - k].mayAccept!.rule)}) but not ${denied[0].plural} (ICMPv6 type ${denied[0].type}), and ${d.by} denies them: neighbour discovery needs both, so the host loses IPv6, the session you are typing in included, a few minutes after this loads. Accept them before the deny: '${rule(denied[0])}'.`;
  ctx.sink.add('nd-blocked', 'warning', d.range, message, { chain: cs.name, table: cs.table, insertBefore: d.insertBefore, types: denied.map((t) => t.name) });
}

/** The INPUT and OUTPUT chains of every IPv6 filter table. */
export function checkNeighbourDiscovery(model: AnalysisModel, ctx: CheckContext): void {
  for (const cs of ctx.state.all()) {
    if (cs.family === 6 && cs.table === 'filter' && cs.builtin && (cs.name === 'INPUT' || cs.name === 'OUTPUT')) checkChain(model, ctx, cs);
  }
}
