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
import { Dim, notLoopback, stateSet, withDims } from './space';

/** Neighbour solicitations and advertisements: every code of types 135 and 136 (the Icmp dimension is type * 256 + code). */
const ND_TYPES = IntervalSet.of(135n * 256n, 136n * 256n + 255n);
const ICMPV6 = IntervalSet.point(58n);
/** Neighbour discovery is sent with a hop limit of 255, and dropped by the receiver with any other. */
const HOP_LIMIT = IntervalSet.point(255n);

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  // A chain that accepts nothing at all keeps IPv6 off on purpose.
  const end = selectiveDenyEnd(model, cs);
  if (!end) return;
  const space = model.space(cs);
  // Never on the loopback interface: an accept for `lo` takes none of it.
  const iface = cs.name === 'INPUT' ? Dim.In : Dim.Out;
  const nd = withDims(space, [[Dim.Proto, ICMPV6], [Dim.Icmp, ND_TYPES], [Dim.State, stateSet('UNTRACKED')], [Dim.Ttl, HOP_LIMIT], [Dim.Frag, IntervalSet.point(0n)], [iface, notLoopback(space, iface)]]);
  const r = follow(model, cs, nd, end.rule);
  if (r.mayAccept) return;
  const d = denier(r, end);
  const way = cs.name === 'INPUT' ? 'in' : 'out';
  const fix = `-A ${cs.name} -p ipv6-icmp -m icmp6 --icmpv6-type neighbour-solicitation -j ACCEPT' and the same for neighbour-advertisement`;
  ctx.sink.add('nd-blocked', 'warning', d.range,
    `Nothing in ${cs.name} lets IPv6 neighbour discovery ${way} (ICMPv6 neighbour solicitations and advertisements, which connection tracking leaves untracked), and ${d.by} denies them: the host loses IPv6, the session you are typing in included, a few minutes after this loads. Accept them before the deny: '${fix}.`,
    { chain: cs.name, table: cs.table, insertBefore: d.insertBefore });
}

/** The INPUT and OUTPUT chains of every IPv6 filter table. */
export function checkNeighbourDiscovery(model: AnalysisModel, ctx: CheckContext): void {
  for (const cs of ctx.state.all()) {
    if (cs.family === 6 && cs.table === 'filter' && cs.builtin && (cs.name === 'INPUT' || cs.name === 'OUTPUT')) checkChain(model, ctx, cs);
  }
}
