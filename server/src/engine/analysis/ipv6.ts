/**
 * A firewall for IPv4 only (ipv6-unfiltered): a script that makes the IPv4 INPUT chain deny by default and never
 * does anything about IPv6. iptables filters IPv4 alone; on a host with an IPv6 address (most cloud servers and home
 * connections now) every service the script meant to hide stays reachable over IPv6. The same for a rules.v4 file
 * whose rules.v6 beside it denies nothing.
 */
import { CheckContext } from '../checks/context';
import { AnalysisModel } from './model';
import { DenyEnd, selectiveDenyEnd } from './policy';
import { admitsEverything, baseName } from '../sibling';

export function checkIpv6Unfiltered(model: AnalysisModel, ctx: CheckContext): void {
  const script = ctx.rs.format === 'script';
  if (script ? ctx.rs.mentionsIpv6 : ctx.rs.family !== 4 || !ctx.sibling) return;
  const cs = ctx.state.get(4, 'filter', 'INPUT');
  // A chain that accepts nothing at all is a lockdown, not a host firewall with services.
  const end = cs && selectiveDenyEnd(model, cs);
  if (!cs || !end) return;
  if (!script) return checkIpv6Beside(ctx, end);
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: this script never runs ip6tables, so on a host with an IPv6 address every service it keeps closed stays open over IPv6. Set up the same rules with ip6tables (with ICMPv6 accepted for neighbour discovery), or turn IPv6 off.`,
    { chain: cs.name, table: cs.table, endLine: end.rule?.rule.startLine, verdict: end.rule?.rule.target?.name === 'REJECT' ? 'REJECT' : 'DROP', sshPorts: ctx.settings.sshPorts });
}

/**
 * An IPv4 rules file (rules.v4) whose INPUT denies by default (`end`), beside an IPv6 one (rules.v6) that denies
 * nothing; or, where a service loads both at boot (/etc/iptables), beside none.
 */
function checkIpv6Beside(ctx: CheckContext, end: DenyEnd): void {
  const sibling = ctx.sibling?.();
  if (!sibling || (sibling.text === null ? !sibling.system : !admitsEverything(sibling.text))) return;
  const name = baseName(sibling.path);
  const why = sibling.text === null
    ? `there is no ${sibling.path}, so the service that loads this file at boot sets up no IPv6 rules`
    : `${name} beside this file denies nothing (no DROP policy, no rule that drops or rejects)`;
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: ${why}. On a host with an IPv6 address every service this file keeps closed stays open over IPv6. Give ${name} the same rules (with ICMPv6 accepted for neighbour discovery), or turn IPv6 off.`,
    { sibling: sibling.path });
}
