/**
 * A firewall for IPv4 only (ipv6-unfiltered): a script that makes the IPv4 INPUT chain deny by default and never
 * does anything about IPv6. iptables filters IPv4 alone; on a host with an IPv6 address (most cloud servers and home
 * connections now) every service the script meant to hide stays reachable over IPv6.
 */
import { CheckContext } from '../checks/context';
import { AnalysisModel } from './model';
import { selectiveDenyEnd } from './policy';

export function checkIpv6Unfiltered(model: AnalysisModel, ctx: CheckContext): void {
  // A restore file holds one family by design (rules.v4 beside rules.v6); only a script sets up both, or forgets one.
  if (ctx.rs.format !== 'script' || ctx.rs.mentionsIpv6) return;
  const cs = ctx.state.get(4, 'filter', 'INPUT');
  // A chain that accepts nothing at all is a lockdown, not a host firewall with services.
  const end = cs && selectiveDenyEnd(model, cs);
  if (!cs || !end) return;
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: this script never runs ip6tables, so on a host with an IPv6 address every service it keeps closed stays open over IPv6. Set up the same rules with ip6tables (with ICMPv6 accepted for neighbour discovery), or turn IPv6 off.`,
    { chain: cs.name, table: cs.table, endLine: end.rule?.rule.startLine, verdict: end.rule?.rule.target?.name === 'REJECT' ? 'REJECT' : 'DROP', sshPorts: ctx.settings.sshPorts });
}
