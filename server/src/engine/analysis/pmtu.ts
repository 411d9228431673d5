/**
 * Path MTU discovery broken (pmtu-blocked): a router whose next link is narrower than a packet answers with an ICMP
 * error ("fragmentation needed", type 3 code 4; in IPv6 "packet too big", type 2), and the sender lowers the size
 * of its packets. Connection tracking marks these errors RELATED to the connection they are about. A chain that
 * accepts the ESTABLISHED replies of its connections but denies the RELATED errors keeps the host (in INPUT) or
 * the hosts it routes for (in FORWARD) from learning the smaller size: over a VPN, PPPoE or a tunnel, connections
 * open and then hang as soon as a full-size packet is sent.
 */
import { CheckContext } from '../checks/context';
import { ChainState } from '../state';
import { IntervalSet } from './intervals';
import { AnalysisModel } from './model';
import { acceptsReplies, denier, follow, selectiveDenyEnd } from './policy';
import { Box, Dim, notLoopback, stateSet, withDims } from './space';

const FIRST_FRAGMENT = IntervalSet.point(0n);

/** The error path MTU discovery needs, per family: protocol, ICMP type and code (the Icmp dimension is type * 256 + code), its name. */
const TOO_BIG = {
  4: { proto: IntervalSet.point(1n), icmp: IntervalSet.point(3n * 256n + 4n), name: "ICMP 'fragmentation needed' (type 3 code 4)", rule: '-p icmp -m icmp --icmp-type fragmentation-needed -j ACCEPT' },
  6: { proto: IntervalSet.point(58n), icmp: IntervalSet.of(2n * 256n, 2n * 256n + 255n), name: "ICMPv6 'packet too big' (type 2)", rule: '-p ipv6-icmp -m icmp6 --icmpv6-type packet-too-big -j ACCEPT' },
} as const;

/** Packets from anywhere, not on the loopback interface in INPUT (remote routers never use it). */
function fromOutside(model: AnalysisModel, cs: ChainState, dims: Array<[Dim, IntervalSet]>): Box {
  const space = model.space(cs);
  return withDims(space, cs.name === 'INPUT' ? [...dims, [Dim.In, notLoopback(space, Dim.In)]] : dims);
}

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const end = selectiveDenyEnd(model, cs);
  if (!end) return;
  // Only where the replies themselves get through: where they do not, missing-established says so.
  const replies = end.before.find((ri) => acceptsReplies(model, cs, ri));
  if (!replies) return;
  const tooBig = TOO_BIG[cs.family];
  const errors = fromOutside(model, cs, [[Dim.Proto, tooBig.proto], [Dim.Icmp, tooBig.icmp], [Dim.State, stateSet('RELATED')], [Dim.Frag, FIRST_FRAGMENT]]);
  const r = follow(model, cs, errors, end.rule);
  if (r.mayAccept) return;
  const d = denier(r, end);
  const whose = cs.name === 'INPUT' ? 'this host' : 'the hosts it forwards for';
  ctx.sink.add('pmtu-blocked', 'warning', d.range,
    `${cs.name} takes the ESTABLISHED replies of connections (line ${replies.rule.range.start.line + 1}) but not the RELATED ICMP errors about them: ${d.by} denies ${tooBig.name}, so path MTU discovery fails, and connections of ${whose} over a narrower link (a VPN, PPPoE, a tunnel) open and then hang. Accept RELATED with ESTABLISHED ('--ctstate ESTABLISHED,RELATED'), or at least '${tooBig.rule}'.`,
    // An accept for the errors may go anywhere before the deny: before the denying rule, or else at the top.
    { chain: cs.name, table: cs.table, insertBefore: d.insertBefore ?? model.rules(cs)[0]?.rule.range.start.line, rule: `-A ${cs.name} ${tooBig.rule}` });
}

/** The INPUT and FORWARD chains of every filter table. */
export function checkPathMtu(model: AnalysisModel, ctx: CheckContext): void {
  for (const cs of ctx.state.all()) {
    if (cs.table === 'filter' && cs.builtin && (cs.name === 'INPUT' || cs.name === 'FORWARD')) checkChain(model, ctx, cs);
  }
}
