/**
 * The quick fix of ipv6-unfiltered: the script's IPv4 INPUT chain written again for ip6tables, right after the
 * script's last IPv4 INPUT command (in the arms of if and case the analysis follows), so that IPv6 is filtered as
 * IPv4 is.
 *
 * A rule is carried over when it means the same for IPv6: no IPv4 address, no ICMP (ICMPv6 is another protocol, and
 * IPv6 needs it: the block accepts it first), no jump to a user chain (the script made it for IPv4 only), no shell
 * value, and ip6tables accepts every word of it (checked by reading the rule as an ip6tables rule). REJECT's ICMP
 * types become their ICMPv6 counterparts. The rules left behind are named in a comment of the block.
 */
import { canonicalSpec } from './format';
import { lint, LintResult } from './lint';
import { Command } from './model';

export interface Ipv6Counterpart {
  /** The line the block goes before (the line after the script's last IPv4 INPUT command). */
  before: number;
  text: string;
  carried: number;
  /** The lines of the rules not carried over. */
  left: number[];
}

const REJECT_TYPES: Record<string, string> = {
  'icmp-net-unreachable': 'icmp6-no-route',
  'icmp-host-unreachable': 'icmp6-addr-unreachable',
  'icmp-port-unreachable': 'icmp6-port-unreachable',
  'icmp-net-prohibited': 'icmp6-adm-prohibited',
  'icmp-host-prohibited': 'icmp6-adm-prohibited',
  'icmp-admin-prohibited': 'icmp6-adm-prohibited',
};

/** ICMP's reject types as ICMPv6's, in a rule's text. */
function forIpv6(spec: string): string {
  return spec
    .replace(/--reject-with (icmp-[a-z-]+)/, (all, t: string) => (REJECT_TYPES[t] ? `--reject-with ${REJECT_TYPES[t]}` : all))
    // `-s 0.0.0.0/0` is every address: said of IPv6, nothing (ip6tables takes it, and it reads oddly).
    .replace(/(^|[^!] )-[sd] [0-9.]+\/0+(?= |$)/g, '$1')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Each rule's conditions and target for ip6tables (shell-quoted), when it means the same there; undefined for the
 * others. All are read at once as the rules of one ip6tables restore file (without the policy analysis): a rule
 * with an error there is one ip6tables would refuse.
 */
function carried(rules: Command[]): Array<string | undefined> {
  const texts = rules.map((c) => {
    if (c.protocol && ['icmp', '1'].includes(c.protocol.value)) return undefined;
    const restore = canonicalSpec(c, { restore: true });
    const shell = canonicalSpec(c, { restore: true, shell: true });
    return restore === undefined || shell === undefined ? undefined : { restore: forIpv6(restore), shell: forIpv6(shell) };
  });
  // Line k + 2 of the probe holds rule k (a placeholder rule for those already left out).
  const probe = ['*filter', ':INPUT ACCEPT [0:0]', ...texts.map((t) => `-A INPUT ${t ? t.restore : '-j ACCEPT'}`), 'COMMIT', ''].join('\n');
  const refused = new Set(lint(probe, { format: 'restore', family: 6, maxAnalysisSize: 0 }).diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line - 2));
  return texts.map((t, k) => (t && !refused.has(k) ? t.shell : undefined));
}

/** The command changes IPv4's filter INPUT: a rule, its policy, a flush of it (or of every chain). */
function touchesInput(result: LintResult, c: Command): boolean {
  if ((c.commandFamily ?? result.ruleset.family) !== 4 || c.table !== 'filter') return false;
  return c.chainName === 'INPUT' || (c.chainName === undefined && (c.spec.short === '-F' || c.spec.short === '-Z'));
}

/** -m state written as -m conntrack (the same meaning), so that the block is in the current form. */
const current = (text: string) => text.replace(/-m state --state /g, '-m conntrack --ctstate ');

/** ICMPv6: IPv6 does not work without neighbour discovery, and connections stall without "packet too big". */
const ICMPV6 = '-p ipv6-icmp -j ACCEPT';

/** What a host firewall must let in, as the checks that find it missing name it. */
const NEEDED: Array<{ code: string; rule: (data: { port?: number }) => string }> = [
  { code: 'loopback-blocked', rule: () => '-i lo -j ACCEPT' },
  { code: 'missing-established', rule: () => '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT' },
  { code: 'ssh-lockout', rule: (d) => `-p tcp -m tcp --dport ${d.port ?? 22} -j ACCEPT` },
];

/** A rule that accepts every reply. */
const REPLIES = /^-m conntrack --ctstate (ESTABLISHED,RELATED|RELATED,ESTABLISHED|ESTABLISHED) -j ACCEPT$/;

/**
 * The accepts the block lacks that an IPv6 host needs: loopback, the replies of its connections, SSH (as it is
 * reachable over IPv6 today). Found by reading the block alone as a script, with the checks that report them missing.
 */
function missingAccepts(rules: string[], end: string, sshPorts: number[]): string[] {
  const probe = lint(['#!/bin/sh', ...rules.map((r) => `ip6tables -A INPUT ${r}`), `ip6tables ${end}`, ''].join('\n'), { format: 'script', settings: { sshPorts } });
  const out: string[] = [];
  // The replies of the host's own connections (missing-established speaks only where new ones are accepted).
  if (!rules.some((r) => REPLIES.test(r))) out.push(NEEDED[1].rule({}));
  for (const need of NEEDED) {
    for (const d of probe.diagnostics) if (d.code === need.code && d.data && (d.data as { chain?: string }).chain === 'INPUT') out.push(need.rule(d.data as { port?: number }));
  }
  return [...new Set(out)];
}

/** Where accepts go at the end of the rules: before the logging (and other rules that decide nothing) that end them. */
function beforeTrailingLogs(rules: string[]): number {
  let k = rules.length;
  while (k > 0 && !/ -[jg] (ACCEPT|DROP|REJECT|RETURN)\b/.test(` ${rules[k - 1]}`)) k--;
  return k;
}

export interface FindingEnd {
  /** The line of the catch-all deny INPUT ends in; undefined for the DROP policy. */
  endLine?: number;
  /** The catch-all deny's verdict. */
  verdict: string;
  sshPorts: number[];
}

/** Blocks already worked out, per analysis: the editor asks for the code actions of a line again and again. */
const made = new WeakMap<LintResult, Map<string, Ipv6Counterpart | undefined>>();

/** The block for an ipv6-unfiltered finding: INPUT's rules up to the deny it ends in, then that deny. */
export function ipv6Counterpart(result: LintResult, finding: FindingEnd): Ipv6Counterpart | undefined {
  let known = made.get(result);
  if (!known) made.set(result, (known = new Map()));
  const key = JSON.stringify([finding.endLine, finding.verdict, finding.sshPorts]);
  if (!known.has(key)) known.set(key, makeBlock(result, finding));
  return known.get(key);
}

function makeBlock(result: LintResult, finding: FindingEnd): Ipv6Counterpart | undefined {
  const { ruleset, state, index } = result;
  const cs = state.get(4, 'filter', 'INPUT');
  if (ruleset.format !== 'script' || !cs) return undefined;
  // Those that make the chain the analysis reads: not a `stop)` arm's flush after the `start)` arm's rules.
  const touching = ruleset.commands.filter((c) => touchesInput(result, c) && !ruleset.otherArms?.has(c));
  if (!touching.length) return undefined;
  const last = touching.reduce((a, b) => (b.endLine > a.endLine ? b : a));
  const end = finding.endLine === undefined ? cs.rules.length : cs.rules.findIndex((c) => c.startLine === finding.endLine);
  if (end < 0) return undefined;
  const rules = [ICMPV6];
  const left: number[] = [];
  const before = cs.rules.slice(0, end);
  carried(before).forEach((text, k) => {
    if (text === undefined) left.push(before[k].startLine);
    else rules.push(current(text));
  });
  const endText = finding.endLine === undefined ? '-P INPUT DROP' : `-A INPUT -j ${finding.verdict}`;
  const added = missingAccepts(rules, endText, finding.sshPorts);
  const prefix = index.lineText(last.startLine).slice(0, last.commandToken.range.start.character);
  const indent = /^\s*/.exec(prefix)![0];
  const cmd = `${indent}${/(^|\s)sudo\s/.test(prefix) ? 'sudo ' : ''}ip6tables`;
  const lines = [`${indent}# The same for IPv6 (iptables filters IPv4 only), with ICMPv6, which IPv6 needs to work.`];
  // A script that flushes INPUT on each run flushes the IPv6 INPUT too (its policy opened first, as for IPv4).
  if (touching.some((c) => c.spec.short === '-F')) lines.push(`${cmd} -P INPUT ACCEPT`, `${cmd} -F INPUT`);
  const at = beforeTrailingLogs(rules);
  lines.push(...rules.slice(0, at).map((r) => `${cmd} -A INPUT ${r}`));
  if (added.length) {
    lines.push(`${indent}# What the IPv4 rules let in elsewhere (loopback, replies, SSH as it is reachable now): narrow SSH to your addresses.`);
    lines.push(...added.map((r) => `${cmd} -A INPUT ${r}`));
  }
  lines.push(...rules.slice(at).map((r) => `${cmd} -A INPUT ${r}`));
  if (left.length) {
    const lineList = [...left].sort((a, b) => a - b).map((l) => l + 1).join(', ');
    lines.push(`${indent}# Not carried over (IPv4 addresses, ICMP, user chains or shell values): the rule${left.length > 1 ? 's' : ''} on line${left.length > 1 ? 's' : ''} ${lineList}.`);
  }
  lines.push(`${cmd} ${endText}`);
  return { before: last.endLine + 1, text: lines.join('\n'), carried: end - left.length, left };
}
