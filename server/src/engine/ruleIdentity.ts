/**
 * Which rule a `-D` names by its words. iptables does not compare text: it builds the rule from the words and looks
 * for an equal one, so `-p tcp --dport 22`, `-p 6 -m tcp --dport ssh` and `--dport 22:22 -p tcp` all name the same
 * rule. The key below is equal for rules that differ in such ways only: the order of iptables' own options,
 * a match loaded by `-m` or by `-p`, protocol names and numbers, port names and single-port ranges, a host address
 * with or without its /32 (and host bits under a mask), connection states in any order, short and long option
 * names. Anything else is compared as written, so two keys that differ do not prove two rules differ (see
 * `looseIdentity`).
 */
import { parseNet } from './kb/addresses';
import { protocolNumber } from './kb/services';
import { conntrackStateOf, portBaseOf, readPortRange } from './kb/values';
import { Command, OptionUse } from './model';

/** iptables' own options that are not part of the rule it builds (or are read as the rule's match and target). */
const NOT_COMPARED = new Set(['--match', '--jump', '--goto', '--set-counters', '--table', '--ipv4', '--ipv6', '--wait', '--wait-interval']);

/** Values as the kernel keeps them; undefined for a value not read here (a host name, an unknown service). */
function address(v: string): string | undefined {
  const r = parseNet(v);
  return r?.ok ? `${r.net.lo}/${r.net.mask}` : undefined;
}

function portRange(v: string, o: OptionUse): string | undefined {
  const r = readPortRange(v, portBaseOf(o.spec.args[0]));
  return r && `${r[0]}:${r[1]}`;
}

function list(v: string, each: (item: string) => string | undefined): string | undefined {
  const out: string[] = [];
  for (const item of v.split(',')) {
    const k = each(item);
    if (k === undefined) return undefined;
    out.push(k);
  }
  return out.join(',');
}

/** An option's values as the kernel keeps them, where that is known here. */
function knownValues(o: OptionUse): string | undefined {
  const v = o.values[0] ?? '';
  switch (o.spec.names[0]) {
    case '--source':
    case '--destination':
      return list(v, address);
    case '--protocol': {
      const n = protocolNumber(v);
      return n === undefined ? undefined : String(n);
    }
    case '--sport':
    case '--dport':
      return portRange(v, o);
    case '--sports':
    case '--dports':
    case '--ports':
      return list(v, (p) => portRange(p, o));
    case '--state':
    case '--ctstate':
      return [...new Set(v.split(',').map((s) => conntrackStateOf(s) ?? s.toUpperCase()))].sort().join(',');
    case '--in-interface':
    case '--out-interface':
    case '--comment':
      return v;
    default:
      return undefined;
  }
}

/**
 * An option with its values: as the kernel keeps them where known, else as written (`exact`) or left out (the loose
 * key, under which every value not read here may equal any other).
 */
function optionKey(o: OptionUse, exact: boolean): string {
  const known = knownValues(o);
  return `${o.negated ? '!' : ''}${o.spec.names[0]}=${known ?? (exact ? o.values.join(' ') : '*')}`;
}

/** The options of a match or target, in any order (the kernel keeps them in fields, not in a list). */
const optionsKey = (opts: readonly OptionUse[], exact: boolean) => opts.map((o) => optionKey(o, exact)).sort().join(' ');

/** The target: jump or goto, its name and options. */
function targetKey(c: Command, exact: boolean): string {
  const t = c.target;
  return t ? `${t.goto ? '-g' : '-j'} ${t.name} ${optionsKey(t.options, exact)}` : '';
}

function key(c: Command, exact: boolean): string {
  const generic: string[] = [];
  for (const o of c.options) if (!o.owner && !o.spec.commandLineOnly && !NOT_COMPARED.has(o.spec.names[0])) generic.push(optionKey(o, exact));
  const matches = c.matches.map((m) => `${m.spec?.name ?? m.name}(${optionsKey(m.options, exact)})`);
  // The loose key takes the matches in any order: where -p loads its match among the others is not modelled.
  if (!exact) matches.sort();
  return `${generic.sort().join(' ')} | ${matches.join(' ')} | ${targetKey(c, exact)}`;
}

/** Identities already worked out, by command (a command does not change once parsed): exact ones, and loose ones. */
const IDENTITIES = new WeakMap<Command, string>();
const LOOSE = new WeakMap<Command, string>();

function kept(known: WeakMap<Command, string>, c: Command, exact: boolean): string {
  let id = known.get(c);
  if (id === undefined) known.set(c, (id = key(c, exact)));
  return id;
}

/** What iptables compares when a -D names a rule by its words (not the command, chain or rule number). */
export function ruleIdentity(c: Command): string {
  return kept(IDENTITIES, c, true);
}

/**
 * A rule's identity with the values not read here left out: two rules whose loose identities are equal may be the
 * same rule to the kernel though their identities differ (ICMP type names, marks, ... may be equal written apart).
 */
export function looseIdentity(c: Command): string {
  return kept(LOOSE, c, false);
}
