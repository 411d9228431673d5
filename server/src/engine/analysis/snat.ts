/**
 * Source NAT for connections the filter table drops first (snat-dropped): a gateway's MASQUERADE or SNAT in nat
 * POSTROUTING rewrites the first packet of a forwarded connection after it has passed filter FORWARD. When FORWARD
 * surely denies every such packet, the rule rewrites none of the traffic it is there for: the classic NAT gateway
 * whose FORWARD chain has a DROP policy and no rule for the local network. (This machine's own connections pass
 * POSTROUTING too, without FORWARD: the finding says so.)
 */
import { CheckContext } from '../checks/context';
import { ChainState } from '../state';
import { droppedOnEveryWay, NatDestination, surelyDenies, Way, waysIn } from './dnat';
import { AnalysisModel, RuleInfo } from './model';

/** Where a source NAT sends packets: where they were going. */
const KEEPS_DESTINATION: NatDestination = { text: '' };
const REWRITES_SOURCE = new Set(['MASQUERADE', 'SNAT']);

/** The FORWARD rule that would let the connections through: the rule's own source, output interface and protocol. */
function forwardRule(ri: RuleInfo): string {
  const parts = ['-A FORWARD'];
  for (const o of ri.rule.options) {
    if (o.owner || o.negated || o.argDynamic || o.argValue === undefined) continue;
    if (o.spec.short === '-s' || o.spec.short === '-o' || o.spec.short === '-p') parts.push(`${o.spec.short} ${o.argValue}`);
  }
  parts.push('-j ACCEPT');
  return parts.join(' ');
}

/** Every MASQUERADE or SNAT in nat POSTROUTING, or in a chain it reaches, whose forwarded connections FORWARD drops. */
export function checkSnat(model: AnalysisModel, ctx: CheckContext): void {
  const known = new Map<ChainState, Way[]>();
  for (const cs of ctx.state.all()) {
    if (cs.table !== 'nat' || !(cs.name === 'POSTROUTING' || (!cs.builtin && ctx.graph.hooks(cs).includes('POSTROUTING')))) continue;
    const forward = ctx.state.get(cs.family, 'filter', 'FORWARD');
    if (!forward) continue;
    let ways: Way[] | undefined;
    for (const ri of model.rules(cs)) {
      const target = ri.rule.target?.spec?.name;
      if (!target || !REWRITES_SOURCE.has(target) || model.space(cs).isEmpty(ri.box)) continue;
      ways ??= waysIn(model, ctx, cs, 'POSTROUTING', known);
      // The first packet of each connection, its destination as it is (a source NAT keeps it), as FORWARD sees it.
      const found = droppedOnEveryWay(model, ri, ways, KEEPS_DESTINATION, (box) => surelyDenies(model, forward, box));
      if (!found) continue;
      const fix = forwardRule(ri);
      ctx.sink.add('snat-dropped', 'warning', ri.rule.range,
        `The forwarded connections this ${target} is for never reach it: they pass filter FORWARD first, where ${found.by} denies them. It rewrites only connections this machine makes itself. To forward them, accept them in FORWARD: '${fix}' (and their replies: '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT').`,
        { rule: fix, chain: 'FORWARD', insertBefore: found.insertBefore },
      ).related = [{ range: found.range, message: 'denies the forwarded connections' }];
    }
  }
}
