/** iptables(8) itself: tables, built-in chains, commands and the options every rule may use. */
import { neg, opt } from './build';
import { OptionSpec, TableSpec, ChainSpec } from './model';
import * as v from './values';

export const TABLES: TableSpec[] = [
  { name: 'filter', doc: 'The default table, where packets are accepted or dropped.', chains: ['INPUT', 'FORWARD', 'OUTPUT'] },
  { name: 'nat', doc: 'Address translation. Only the first packet of each connection passes through it; the rest of the connection is translated the same way.', chains: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'] },
  { name: 'mangle', doc: 'Changes to packet headers and marks (TOS, TTL, MARK) for routing and traffic control.', chains: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] },
  { name: 'raw', doc: 'Runs before connection tracking; used to exempt packets from it (NOTRACK, CT).', chains: ['PREROUTING', 'OUTPUT'] },
  { name: 'security', doc: 'Mandatory access control (SELinux SECMARK); runs after filter.', chains: ['INPUT', 'FORWARD', 'OUTPUT'] },
];

export const BUILTIN_CHAINS: ChainSpec[] = [
  { name: 'PREROUTING', doc: 'Every packet arriving on an interface, before the routing decision. Order of tables: raw, mangle, nat.' },
  { name: 'INPUT', doc: 'Packets addressed to this machine, after routing. Order of tables: mangle, filter, security, nat.' },
  { name: 'FORWARD', doc: 'Packets routed through this machine to another host. Order of tables: mangle, filter, security.' },
  { name: 'OUTPUT', doc: 'Packets this machine sends, before routing. Order of tables: raw, mangle, nat, filter, security.' },
  { name: 'POSTROUTING', doc: 'Every packet about to leave on an interface, after routing. Order of tables: mangle, nat.' },
];

/** The order in which tables see a packet at a hook. */
export const TABLE_ORDER = ['raw', 'mangle', 'nat', 'filter', 'security'];

export interface CommandSpec {
  short: string;
  long: string;
  doc: string;
  /** What follows: chain required/optional, extra argument, rule spec allowed. */
  chain: 'required' | 'optional' | 'none';
  rulenum?: 'required' | 'optional';
  extra?: 'policy' | 'newname';
  ruleSpec: boolean;
  /** Allowed inside an iptables-restore file. */
  inRestore: boolean;
}

export const COMMANDS: CommandSpec[] = [
  { short: '-A', long: '--append', doc: 'Append a rule to the end of the chain.', chain: 'required', ruleSpec: true, inRestore: true },
  { short: '-I', long: '--insert', doc: 'Insert a rule at a position of the chain (default: first).', chain: 'required', rulenum: 'optional', ruleSpec: true, inRestore: true },
  { short: '-D', long: '--delete', doc: 'Delete a rule, given by its number or by repeating its specification.', chain: 'required', rulenum: 'optional', ruleSpec: true, inRestore: true },
  { short: '-R', long: '--replace', doc: 'Replace the rule at a position of the chain.', chain: 'required', rulenum: 'required', ruleSpec: true, inRestore: true },
  { short: '-C', long: '--check', doc: 'Check whether a rule exists (no change).', chain: 'required', ruleSpec: true, inRestore: true },
  { short: '-N', long: '--new-chain', doc: 'Create a user-defined chain.', chain: 'required', ruleSpec: false, inRestore: true },
  { short: '-X', long: '--delete-chain', doc: 'Delete a user-defined chain (every empty user chain when none is named).', chain: 'optional', ruleSpec: false, inRestore: true },
  { short: '-F', long: '--flush', doc: 'Delete every rule of the chain (of every chain when none is named). Policies stay as they are.', chain: 'optional', ruleSpec: false, inRestore: true },
  { short: '-Z', long: '--zero', doc: 'Reset packet and byte counters.', chain: 'optional', rulenum: 'optional', ruleSpec: false, inRestore: true },
  { short: '-P', long: '--policy', doc: 'Set the policy of a built-in chain: what happens to packets that reach its end (ACCEPT or DROP).', chain: 'required', extra: 'policy', ruleSpec: false, inRestore: true },
  { short: '-E', long: '--rename-chain', doc: 'Rename a user-defined chain.', chain: 'required', extra: 'newname', ruleSpec: false, inRestore: true },
  { short: '-L', long: '--list', doc: 'List the rules.', chain: 'optional', rulenum: 'optional', ruleSpec: false, inRestore: false },
  { short: '-S', long: '--list-rules', doc: 'Print the rules in iptables-save form.', chain: 'optional', rulenum: 'optional', ruleSpec: false, inRestore: false },
  { short: '-h', long: '--help', doc: 'Print help.', chain: 'none', ruleSpec: false, inRestore: false },
  { short: '-V', long: '--version', doc: 'Print the version.', chain: 'none', ruleSpec: false, inRestore: false },
];

export const GENERIC_OPTIONS: OptionSpec[] = [
  neg(['--protocol'], v.protocolKind, 'Protocol of the packet: `tcp`, `udp`, `icmp`, a name from /etc/protocols, a number, or `all`. Also loads the protocol\'s match, so `--dport` and friends become available.', { short: '-p' }),
  neg(['--source', '--src'], v.addressListKind, 'Source address: an address, a network `addr/prefix`, a host name (resolved once, at load time), or a comma-separated list (which makes one rule per entry).', { short: '-s' }),
  neg(['--destination', '--dst'], v.addressListKind, 'Destination address: an address, a network `addr/prefix`, a host name, or a comma-separated list.', { short: '-d' }),
  neg(['--in-interface'], v.interfaceKind, 'Interface the packet arrived on. `eth+` matches every name starting with eth. Not in OUTPUT or POSTROUTING, where there is none.', { short: '-i' }),
  neg(['--out-interface'], v.interfaceKind, 'Interface the packet will leave on. Not in PREROUTING or INPUT, where it is not known yet.', { short: '-o' }),
  neg(['--fragment'], null, 'Only second and later fragments of a fragmented packet (they carry no ports). IPv4 only.', { short: '-f', family: 4 }),
  opt(['--jump'], null, 'What to do with a matching packet: a verdict (ACCEPT, DROP, REJECT, ...), an extension target, or a user chain to enter (and come back from).', { short: '-j' }),
  opt(['--goto'], null, 'Continue in a user chain without coming back: when it ends, the calling chain\'s caller decides.', { short: '-g' }),
  opt(['--match'], null, 'Load a match module, whose options may then follow: `-m conntrack --ctstate NEW`.', { short: '-m' }),
  opt(['--set-counters'], [v.counterKind('a packet count'), v.counterKind('a byte count')], 'Initial packet and byte counters of the rule.', { short: '-c', argNames: ['packets', 'bytes'] }),
  opt(['--ipv4'], null, 'Only for IPv4 (ignored by iptables, refused by ip6tables).', { short: '-4' }),
  opt(['--ipv6'], null, 'Only for IPv6 (ignored by ip6tables, refused by iptables).', { short: '-6' }),
  opt(['--table'], null, 'The table the command works on (default filter).', { short: '-t', commandLineOnly: true }),
  opt(['--wait'], null, 'Wait for the xtables lock instead of failing.', { short: '-w', optional: v.intKind(0, 100000), commandLineOnly: true }),
  opt(['--wait-interval'], v.intKind(1, 100000000), 'Microseconds between tries for the lock.', { short: '-W', commandLineOnly: true, requires: ['--wait'] }),
  opt(['--verbose'], null, 'More output.', { short: '-v' }),
  opt(['--numeric'], null, 'Print addresses and ports as numbers (with -L).', { short: '-n', commandLineOnly: true, commands: ['-L'] }),
  opt(['--exact'], null, 'Print exact counters (with -L).', { short: '-x', commandLineOnly: true, commands: ['-L'] }),
  opt(['--line-numbers'], null, 'Print rule numbers when listing (with -L).', { commandLineOnly: true, commands: ['-L'] }),
  opt(['--modprobe'], v.anyKind, 'Command used to load kernel modules.', { short: '-M' }),
];
