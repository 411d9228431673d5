/**
 * DNS over UDP only (dns-tcp-blocked): a DNS answer too large for one UDP datagram (DNSSEC, many records) comes
 * truncated, and the client asks again over TCP, to port 53 as well. A rule that accepts DNS queries over UDP in a
 * chain that then surely denies the same queries over TCP breaks exactly those: in INPUT, the DNS server this host
 * runs; in OUTPUT, this host's own lookups; in FORWARD, those of the hosts it routes for.
 */
import { CheckContext } from '../checks/context';
import { ChainState } from '../state';
import { IntervalSet } from './intervals';
import { AnalysisModel, RuleInfo } from './model';
import { denier, follow, selectiveDenyEnd } from './policy';
import { Dim, notLoopback, stateSet } from './space';

const UDP = IntervalSet.point(17n);
const TCP = IntervalSet.point(6n);
const PORT_53 = IntervalSet.point(53n);

/** An exact ACCEPT of new UDP packets to port 53 named as such (not every UDP port). */
function acceptsUdpDns(model: AnalysisModel, cs: ChainState, ri: RuleInfo): boolean {
  const b = ri.box;
  return ri.flow.kind === 'verdict' && ri.flow.verdict === 'ACCEPT' && ri.exact && b[Dim.Proto].equals(UDP)
    && b[Dim.Dport].has(53n) && !model.space(cs).isFull(b, Dim.Dport) && b[Dim.State].has(1n);
}

/**
 * The same queries over TCP: the rule's addresses and interfaces, TCP to port 53, opening a connection; never on
 * the loopback interface (a local resolver asking itself is another matter, and `-i lo -j ACCEPT` takes it).
 */
function tcpTwin(model: AnalysisModel, cs: ChainState, ri: RuleInfo) {
  const space = model.space(cs);
  const box = ri.box.slice();
  box[Dim.Proto] = TCP;
  box[Dim.Dport] = PORT_53;
  box[Dim.State] = stateSet('NEW');
  box[Dim.In] = box[Dim.In].intersect(notLoopback(space, Dim.In));
  box[Dim.Out] = box[Dim.Out].intersect(notLoopback(space, Dim.Out));
  return box;
}

/** The rule written for TCP: its own address and interface conditions, then TCP to port 53. */
function tcpRuleText(ri: RuleInfo, chain: string): string {
  const own = ri.rule.options.filter((o) => !o.owner && ['-s', '-d', '-i', '-o'].includes(o.spec.short ?? '') && !o.argDynamic);
  const conditions = own.map((o) => `${o.negated ? '! ' : ''}${o.spec.short} ${o.argValue}`);
  return `-A ${chain} ${[...conditions, '-p tcp -m tcp --dport 53 -j ACCEPT'].join(' ')}`;
}

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const end = selectiveDenyEnd(model, cs);
  if (!end) return;
  for (const ri of end.before) {
    if (!acceptsUdpDns(model, cs, ri)) continue;
    const twin = tcpTwin(model, cs, ri);
    if (model.space(cs).isEmpty(twin)) continue;
    const r = follow(model, cs, twin, end.rule);
    if (r.mayAccept) continue;
    const d = denier(r, end);
    const whose = cs.name === 'INPUT' ? 'the DNS server on this host' : cs.name === 'OUTPUT' ? "this host's own lookups" : 'the lookups of the hosts it forwards for';
    const rule = tcpRuleText(ri, cs.name);
    ctx.sink.add('dns-tcp-blocked', 'warning', ri.rule.range,
      `This rule accepts DNS queries over UDP, but ${d.by} denies the same queries over TCP (port 53): answers too large for UDP (DNSSEC, many records) are asked for again over TCP, and fail for ${whose}. Accept them over TCP too: '${rule}'.`,
      { chain: cs.name, table: cs.table, rule });
  }
}

/** The built-in filter chains: INPUT (a DNS server here), OUTPUT (this host's lookups), FORWARD. */
export function checkDnsTcp(model: AnalysisModel, ctx: CheckContext): void {
  for (const cs of ctx.state.all()) if (cs.table === 'filter' && cs.builtin) checkChain(model, ctx, cs);
}
