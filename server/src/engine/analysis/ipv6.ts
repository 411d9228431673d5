/**
 * A firewall for IPv4 only (ipv6-unfiltered): a script that makes the IPv4 INPUT chain deny by default and never
 * does anything about IPv6, or runs ip6tables without making IPv6's INPUT deny by default. iptables filters IPv4
 * alone; on a host with an IPv6 address (most cloud servers and home connections now) every service the script meant
 * to hide stays reachable over IPv6. The same for a rules.v4 file whose rules.v6 beside it has no default deny.
 */
import { CheckContext } from '../checks/context';
import { buildState } from '../chainState/build';
import { LineIndex } from '../lineIndex';
import { DiagnosticSink } from '../parse/diagnostics';
import { parseRestore } from '../parse/restore';
import { AnalysisModel } from './model';
import { holdsUnseen } from '../model';
import { DenyEnd, denyEnd, selectiveDenyEnd } from './policy';
import { baseName } from '../sibling';

export function checkIpv6Unfiltered(model: AnalysisModel, ctx: CheckContext): void {
  const script = ctx.rs.format === 'script';
  if (script ? ctx.rs.mentionsIpv6 : ctx.rs.family !== 4 || !ctx.sibling) return;
  const cs = ctx.state.get(4, 'filter', 'INPUT');
  // A chain that accepts nothing at all is a lockdown, not a host firewall with services.
  const end = cs && selectiveDenyEnd(model, cs);
  if (!cs || !end) return;
  if (!script) return checkIpv6Beside(ctx, end);
  if (ctx.rs.commands.some((c) => c.commandFamily === 6)) return checkIpv6Input(model, ctx, end);
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: this script never runs ip6tables, so on a host with an IPv6 address every service it keeps closed stays open over IPv6. Set up the same rules with ip6tables (with ICMPv6 accepted for neighbour discovery), or turn IPv6 off.`,
    { chain: cs.name, table: cs.table, endLine: end.rule?.rule.startLine, verdict: end.rule?.rule.target?.name === 'REJECT' ? 'REJECT' : 'DROP', sshPorts: ctx.settings.sshPorts });
}

/**
 * A script that runs ip6tables, but whose IPv6 INPUT has no default deny while its IPv4 INPUT has one (`end`): the
 * ip6tables commands accept a few services, say, and nothing drops the rest (no DROP policy, no catch-all deny).
 */
function checkIpv6Input(model: AnalysisModel, ctx: CheckContext, end: DenyEnd): void {
  const v6 = ctx.state.get(6, 'filter', 'INPUT');
  if ((v6 && denyEnd(model, v6)) || holdsUnseen(ctx.rs, 6)) return;
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: the ip6tables commands of this script never make IPv6's INPUT deny by default (no DROP policy, no catch-all DROP or REJECT), so on a host with an IPv6 address every service it keeps closed over IPv4, and does not close by name over IPv6, stays open there. Give ip6tables' INPUT the same end (after accepting ICMPv6 for neighbour discovery), or turn IPv6 off.`,
    { ipv6Rules: true });
}

/**
 * An IPv4 rules file (rules.v4) whose INPUT denies by default (`end`), beside an IPv6 one (rules.v6) whose INPUT
 * does not (an ACCEPT policy and no catch-all DROP or REJECT, as no-default-deny says of it); or, where a service
 * loads both at boot (/etc/iptables), beside none.
 */
function checkIpv6Beside(ctx: CheckContext, end: DenyEnd): void {
  const sibling = ctx.sibling?.();
  const open = sibling && (sibling.text === null ? (sibling.system ? 'missing' : undefined) : ipv6Openness(sibling.text));
  if (!sibling || !open) return;
  const name = baseName(sibling.path);
  const why = open === 'missing'
    ? `there is no ${sibling.path}, so the service that loads this file at boot sets up no IPv6 rules`
    : open === 'denies-nothing'
      ? `${name} beside this file denies nothing (no DROP policy, no rule that drops or rejects)`
      : `${name} beside this file has no default deny: its INPUT lets in every packet that no rule of it drops or rejects (an ACCEPT policy, no catch-all DROP or REJECT)`;
  ctx.sink.add('ipv6-unfiltered', 'info', end.range,
    `INPUT denies by default here (${end.what}), for IPv4 only: ${why}. On a host with an IPv6 address every service this file keeps closed stays open over IPv6. Give ${name} the same rules (with ICMPv6 accepted for neighbour discovery), or turn IPv6 off.`,
    { sibling: sibling.path });
}

/** The last IPv6 file looked at (a keystroke in the IPv4 one reads it again, unchanged). */
let last: { text: string; open: Openness } | undefined;

/** How an IPv6 rules file leaves INPUT open, if it does: it denies nothing at all, or only some packets. */
type Openness = 'denies-nothing' | 'no-default-deny' | undefined;

/**
 * Whether an IPv6 rules file's INPUT lets in what no rule denies: no DROP policy and no catch-all deny, read as
 * the analysis reads the file itself (see denyEnd); 'denies-nothing' where no rule of its filter table drops or
 * rejects anything (nor is there any file at all).
 */
export function ipv6Openness(text: string): Openness {
  if (last?.text === text) return last.open;
  const rs = parseRestore(text, 6, new LineIndex(text));
  const state = buildState(rs, new DiagnosticSink());
  const filter = state.inTable(6, 'filter');
  const input = filter.find((cs) => cs.name === 'INPUT');
  const denies = input?.policy === 'DROP' || filter.some((cs) => cs.rules.some((r) => r.target?.dynamic || r.target?.name === 'DROP' || r.target?.name === 'REJECT'));
  const open = !denies ? 'denies-nothing' : input && !denyEnd(new AnalysisModel(rs, state), input) ? 'no-default-deny' : undefined;
  last = { text, open };
  return open;
}
