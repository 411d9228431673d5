/** Every diagnostic code: its default severity and a one-line title. Documentation lives in docs/diagnostics/CODE.md. */
import { Severity } from '../types';

export interface CodeInfo {
  code: string;
  severity: Severity;
  title: string;
}

export const CODES: CodeInfo[] = [
  { code: 'syntax', severity: 'error', title: 'A line iptables cannot read' },
  { code: 'unknown-option', severity: 'error', title: 'An option no loaded module knows' },
  { code: 'missing-argument', severity: 'error', title: 'An option or command without its value' },
  { code: 'invalid-value', severity: 'error', title: 'A value iptables refuses' },
  { code: 'unknown-match', severity: 'error', title: 'A match module that does not exist' },
  { code: 'unknown-table', severity: 'error', title: 'A table that does not exist' },
  { code: 'missing-commit', severity: 'error', title: 'A table not closed by COMMIT' },
  { code: 'commit-format', severity: 'error', title: 'Line endings, blank lines or COMMIT that iptables-restore refuses' },
  { code: 'lookalike-character', severity: 'error', title: 'A typographic character pasted in place of ASCII' },
  { code: 'obsolete-syntax', severity: 'error', title: 'Syntax current iptables no longer accepts' },
  { code: 'hostname', severity: 'info', title: 'A host name resolved once, at load time' },
  { code: 'unknown-ipset', severity: 'warning', title: 'A script rule naming an ipset the script does not make (in time)' },
  { code: 'sh-brace-expansion', severity: 'warning', title: 'A loop over bash brace expansion in a script for sh' },
  { code: 'sh-array', severity: 'warning', title: 'A bash array in a script for sh, where dash stops the script' },
  { code: 'loop-variable-unused', severity: 'warning', title: 'A loop or function whose body never reads its variable or arguments' },
  { code: 'unset-variable', severity: 'warning', title: 'An iptables command reads a variable the script never sets' },
  { code: 'empty-loop', severity: 'warning', title: 'A loop over a list left empty, whose rules are never added' },
  { code: 'function-defined-later', severity: 'warning', title: 'A script calls a function before defining it' },
  { code: 'not-rerunnable', severity: 'info', title: 'A script that adds its rules again when run a second time' },
  { code: 'unknown-target', severity: 'error', title: 'A jump to a target or chain that does not exist' },
  { code: 'undefined-chain', severity: 'error', title: 'A rule for a chain that was never declared' },
  { code: 'duplicate-chain', severity: 'error', title: 'A chain declared twice' },
  { code: 'invalid-chain-name', severity: 'error', title: 'A chain name the kernel refuses' },
  { code: 'chain-not-in-table', severity: 'error', title: 'A built-in chain the table does not have' },
  { code: 'invalid-policy', severity: 'error', title: 'A policy on a user chain, or other than ACCEPT/DROP' },
  { code: 'target-not-allowed', severity: 'error', title: 'A target or match in a table or chain the kernel refuses it in' },
  { code: 'interface-direction', severity: 'error', title: '-i or -o where the packet has no such interface' },
  { code: 'protocol-required', severity: 'error', title: 'A protocol-specific option without -p' },
  { code: 'address-family', severity: 'error', title: 'IPv4 in an IPv6 ruleset, or the reverse' },
  { code: 'jump-loop', severity: 'error', title: 'Chains that jump to each other in a circle' },
  { code: 'shadowed-rule', severity: 'warning', title: 'A rule that never fires because earlier rules decide its packets' },
  { code: 'reject-before-accept', severity: 'warning', title: 'An ACCEPT placed after the DROP/REJECT that takes its packets' },
  { code: 'redundant-rule', severity: 'info', title: 'A rule whose packets already get the same verdict' },
  { code: 'repeated-value', severity: 'info', title: 'A loop or a run of calls that adds the same rule twice' },
  { code: 'never-matches', severity: 'warning', title: 'A rule whose own conditions exclude every packet' },
  { code: 'untracked-state', severity: 'warning', title: 'A connection-state match on packets the raw table untracks' },
  { code: 'missing-established', severity: 'warning', title: 'Replies to accepted connections are dropped' },
  { code: 'ssh-lockout', severity: 'warning', title: 'A default-deny that cuts off SSH' },
  { code: 'loopback-blocked', severity: 'warning', title: 'INPUT or OUTPUT that denies traffic on the loopback interface' },
  { code: 'nd-blocked', severity: 'warning', title: 'An ip6tables chain that denies IPv6 neighbour discovery' },
  { code: 'dnat-dropped', severity: 'warning', title: 'A port forward (DNAT or REDIRECT) whose connections the filter table drops' },
  { code: 'snat-dropped', severity: 'warning', title: 'A MASQUERADE or SNAT for forwarded connections that filter FORWARD drops' },
  { code: 'dnat-bypassed', severity: 'warning', title: 'An INPUT rule for a port that a DNAT forwards elsewhere first' },
  { code: 'pmtu-blocked', severity: 'warning', title: 'The ICMP errors path MTU discovery needs are denied' },
  { code: 'dns-tcp-blocked', severity: 'warning', title: 'DNS accepted over UDP but denied over TCP' },
  { code: 'limit-ineffective', severity: 'warning', title: 'A rate limit whose excess packets are accepted anyway' },
  { code: 'ipv6-unfiltered', severity: 'info', title: 'A script or rules file that filters IPv4 and leaves IPv6 open' },
  { code: 'duplicate-list-item', severity: 'info', title: 'An item of a list that another item of the list already holds' },
  { code: 'host-bits-set', severity: 'warning', title: 'An address with bits set past its prefix' },
  { code: 'prefer-ipset', severity: 'info', title: 'Many rules that differ only by address' },
  { code: 'deprecated-match', severity: 'hint', title: '-m state instead of -m conntrack' },
  { code: 'unused-chain', severity: 'info', title: 'A user chain nothing jumps to' },
  { code: 'no-default-deny', severity: 'info', title: 'INPUT or FORWARD that accepts whatever is not denied' },
  { code: 'too-large', severity: 'info', title: 'A document too large to analyse fully' },
];

export const CODE_INFO = new Map(CODES.map((c) => [c.code, c]));

/** Where each code's page lives: `${base}/${code}.md`. The server points it at the pages shipped with the extension. */
export function docUrl(code: string, base: string): string {
  return `${base.replace(/\/$/, '')}/${code}.md`;
}
