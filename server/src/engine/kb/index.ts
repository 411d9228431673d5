/** The one knowledge base of iptables, with the look-ups parsing, validation, hover and completion share. */
import { Family } from './addresses';
import { BUILTIN_CHAINS, COMMANDS, CommandSpec, TABLES } from './core';
import { MATCHES } from './matches';
import { ModuleSpec, OptionSpec, TableSpec } from './model';
import { TARGETS } from './targets';
import { applyExclusive } from './exclusive';
import { wordTable } from '../wordTable';
import { strtoulBase0 } from './services';

export * from './model';
export { BUILTIN_CHAINS, COMMANDS, GENERIC_OPTIONS, TABLES, TABLE_ORDER } from './core';
export type { CommandSpec } from './core';
export { MATCHES } from './matches';
export { TARGETS, VERDICTS } from './targets';

applyExclusive([...MATCHES, ...TARGETS]);

const matchByName = new Map<string, ModuleSpec>();
for (const m of MATCHES) {
  matchByName.set(m.name, m);
  for (const a of m.aliases ?? []) matchByName.set(a, m);
}
const targetByName = new Map<string, ModuleSpec>(TARGETS.map((t) => [t.name, t]));
const tableByName = new Map<string, TableSpec>(TABLES.map((t) => [t.name, t]));
const commandByName = new Map<string, CommandSpec>();
for (const c of COMMANDS) {
  commandByName.set(c.short, c);
  commandByName.set(c.long, c);
}

export function findMatch(name: string): ModuleSpec | undefined {
  return matchByName.get(name);
}

export function findTarget(name: string): ModuleSpec | undefined {
  return targetByName.get(name);
}

export function findTable(name: string): TableSpec | undefined {
  return tableByName.get(name);
}

export function findCommand(word: string): CommandSpec | undefined {
  return commandByName.get(word);
}

export function isBuiltinChain(name: string): boolean {
  return BUILTIN_CHAINS.some((c) => c.name === name);
}

/** Whether `name` is one of the built-in chains of `table` (INPUT of filter, not of nat). */
export function isBuiltinChainOf(table: string, name: string): boolean {
  return findTable(table)?.chains.includes(name) ?? false;
}

export function tablesWithChain(chain: string): string[] {
  return TABLES.filter((t) => t.chains.includes(chain)).map((t) => t.name);
}

/** The protocol matches -p loads when given a number. */
const PROTOCOL_MATCH_BY_NUMBER = wordTable({ '1': 'icmp', '6': 'tcp', '17': 'udp', '132': 'sctp', '33': 'dccp', '58': 'ipv6-icmp' });

/**
 * The match `-p` loads for its protocol, by name or by number (read as iptables reads numbers: `06` and `0x6` are
 * 6), as iptables names the protocol's match.
 */
export function protocolMatch(proto: string, family: Family): ModuleSpec | undefined {
  const lower = proto.toLowerCase();
  const n = /^[0-9]/.test(lower) ? strtoulBase0(lower) : undefined;
  const p = n === undefined ? lower : PROTOCOL_MATCH_BY_NUMBER[String(n)] ?? lower;
  if (p === 'icmp' && family === 4) return matchByName.get('icmp');
  if ((p === 'ipv6-icmp' || p === 'icmpv6' || p === 'icmp6') && family === 6) return matchByName.get('icmp6');
  if (['tcp', 'udp', 'sctp', 'dccp'].includes(p)) return matchByName.get(p);
  return undefined;
}

export function optionMatches(spec: OptionSpec, word: string): boolean {
  return spec.names.includes(word) || spec.short === word;
}

/** Per option list of the knowledge base (a fixed set of lists), its options by name. */
const byName = new Map<OptionSpec[], Map<string, OptionSpec>>();

/** The option of `specs` named exactly `word` (long or short name). */
export function exactOption(specs: OptionSpec[], word: string): OptionSpec | undefined {
  let m = byName.get(specs);
  if (!m) {
    m = new Map();
    for (const s of specs) {
      for (const n of s.names) if (!m.has(n)) m.set(n, s);
      if (s.short && !m.has(s.short)) m.set(s.short, s);
    }
    byName.set(specs, m);
  }
  return m.get(word);
}

const abbreviations = new Map<OptionSpec[], Map<string, OptionSpec | undefined>>();

/** Looks an option word up in a list of specs, exactly first, then as an unambiguous abbreviation of a long name (as getopt does). */
export function lookupOption(specs: OptionSpec[], word: string): OptionSpec | undefined {
  const exact = exactOption(specs, word);
  if (exact || !word.startsWith('--') || word.length < 4) return exact;
  let cache = abbreviations.get(specs);
  if (!cache) abbreviations.set(specs, (cache = new Map()));
  if (cache.has(word)) return cache.get(word);
  const prefixed = specs.filter((s) => s.names.some((n) => n.startsWith(word)));
  const found = prefixed.length === 1 ? prefixed[0] : undefined;
  cache.set(word, found);
  return found;
}

export function allModuleNames(kind: 'match' | 'target'): string[] {
  return (kind === 'match' ? MATCHES : TARGETS).filter((m) => !m.removed).map((m) => m.name);
}

export function isAvailable(spec: { family?: Family }, family: Family): boolean {
  return spec.family === undefined || spec.family === family;
}
