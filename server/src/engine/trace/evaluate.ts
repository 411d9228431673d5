/**
 * Whether one rule matches one concrete packet, read directly from the rule's options (independently of the
 * interval model the analysis uses). A condition that depends on more than the packet (rate limits, recent lists,
 * ipsets, time, owners, shell variables) answers "unknown": the caller forks.
 */
import { parseAddress, parseNet } from '../kb/addresses';
import { protocolNumber } from '../kb/services';
import { conntrackStateOf, icmpTypeOf, parseNumber, portBaseOf, PortBase, readPortRange } from '../kb/values';
import { Command, OptionUse, Ruleset } from '../model';
import { Packet } from './packet';

export type Tri = 'yes' | 'no' | 'unknown';

const and = (a: Tri, b: Tri): Tri => (a === 'no' || b === 'no' ? 'no' : a === 'unknown' || b === 'unknown' ? 'unknown' : 'yes');
const bool = (v: boolean): Tri => (v ? 'yes' : 'no');
const not = (v: Tri, neg: boolean): Tri => (!neg || v === 'unknown' ? v : v === 'yes' ? 'no' : 'yes');

function addrIn(text: string, a: bigint, family: 4 | 6): Tri {
  let any: Tri = 'no';
  for (const item of text.split(',')) {
    const r = parseNet(item);
    if (!r) return 'unknown'; // a host name
    if (!r.ok || r.net.family !== family) return 'no';
    if ((a & r.net.mask) === r.net.network) any = 'yes';
  }
  return any;
}

function ifaceIs(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function portIn(text: string, port: number, base: PortBase): boolean {
  return text.split(',').some((item) => {
    const r = readPortRange(item, base);
    return r !== undefined && port >= r[0] && port <= r[1];
  });
}

function flags(list: string): number {
  const bits: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ALL: 63, NONE: 0 };
  return list.toUpperCase().split(',').reduce((acc, f) => acc | (bits[f] ?? 0), 0);
}

function icmpIs(text: string, p: Packet): boolean {
  const named = icmpTypeOf(text, p.family === 6);
  // A rule iptables refuses never reaches here; an unknown type is taken as any.
  if (!named || named[0] < 0) return true;
  const [type, code] = named;
  return p.icmpType === type && (code === undefined || p.icmpCode === code);
}

function generic(o: OptionUse, p: Packet): Tri {
  const a = o.arg!;
  if (o.arg && (!a || a.dynamic)) return 'unknown';
  switch (o.spec.short) {
    case '-p': {
      const n = protocolNumber(a.value);
      if (n === undefined) return 'unknown';
      return not(bool(n === 0 || p.proto === n), o.negated);
    }
    case '-s':
      return not(addrIn(a.value, p.src, p.family), o.negated);
    case '-d':
      return not(addrIn(a.value, p.dst, p.family), o.negated);
    case '-i':
      return not(bool(ifaceIs(a.value, p.in)), o.negated);
    case '-o':
      return not(bool(ifaceIs(a.value, p.out)), o.negated);
    case '-f':
      return not(bool(p.fragment), o.negated);
    default:
      return 'yes';
  }
}

/** Port and type matches never match a second fragment, whatever their options. */
const HEADER_MATCHES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'icmp', 'icmp6', 'multiport']);

function matchOption(module: string, o: OptionUse, p: Packet): Tri {
  const a = o.arg!;
  if (o.args.some((x) => x.dynamic)) return 'unknown';
  const name = o.spec.names[0];
  switch (name) {
    case '--sport': return not(bool(portIn(a.value, p.sport, portBaseOf(o.spec.args[0]))), o.negated);
    case '--dport': return not(bool(portIn(a.value, p.dport, portBaseOf(o.spec.args[0]))), o.negated);
    case '--sports': return not(bool(portIn(a.value, p.sport, portBaseOf(o.spec.args[0]))), o.negated);
    case '--dports': return not(bool(portIn(a.value, p.dport, portBaseOf(o.spec.args[0]))), o.negated);
    case '--ports': return not(bool(portIn(a.value, p.sport, portBaseOf(o.spec.args[0])) || portIn(a.value, p.dport, portBaseOf(o.spec.args[0]))), o.negated);
    case '--syn': return not(bool((p.tcpFlags & 0x17) === 0x02), o.negated);
    case '--tcp-flags': return not(bool((p.tcpFlags & flags(o.arg!.value)) === flags(o.args[1].value)), o.negated);
    case '--icmp-type':
    case '--icmpv6-type': return not(bool(icmpIs(a.value, p)), o.negated);
    case '--ctstate':
    case '--state': {
      const states = a.value.split(',').map((s) => conntrackStateOf(s));
      if (states.some((s) => s === undefined || s === 'SNAT' || s === 'DNAT')) return 'unknown';
      return not(bool(states.includes(p.state)), o.negated);
    }
    case '--src-range':
    case '--dst-range': {
      const [x, y] = a.value.split('-').map((s) => parseAddress(s)?.value);
      if (x === undefined || y === undefined) return 'unknown';
      const v = name === '--src-range' ? p.src : p.dst;
      return not(bool(v >= x && v <= y), o.negated);
    }
    case '--length': {
      const [x, y] = a.value.split(':');
      const lo = parseNumber(x) ?? 0;
      const hi = y === undefined ? lo : y === '' ? 65535 : parseNumber(y) ?? 65535;
      return not(bool(p.length >= lo && p.length <= hi), o.negated);
    }
    case '--ttl-eq':
    case '--hl-eq': return not(bool(p.ttl === Number(a.value)), o.negated);
    case '--ttl-lt':
    case '--hl-lt': return bool(p.ttl < Number(a.value));
    case '--ttl-gt':
    case '--hl-gt': return bool(p.ttl > Number(a.value));
    case '--comment':
    case '--nfacct-name': return 'yes';
  }
  if (module === 'recent') {
    // --set always matches (it records the address); the checks depend on what was recorded before.
    if (name === '--rcheck' || name === '--update' || name === '--remove') return 'unknown';
    return 'yes';
  }
  return 'unknown';
}

/** Whether the rule matches the packet ('unknown' when it depends on something besides the packet). */
/** A rule a script's loop adds once per value matches when the rule of one value does (see Ruleset.loops). */
export function matchRuleOf(rule: Command, p: Packet, loops: Ruleset['loops']): Tri {
  const variants = loops?.get(rule)?.variants;
  if (!variants || variants.length < 2) return matchRule(rule, p);
  let r: Tri = 'no';
  for (const v of variants) {
    const m = matchRule(v, p);
    if (m === 'yes') return 'yes';
    if (m === 'unknown') r = 'unknown';
  }
  return r;
}

export function matchRule(rule: Command, p: Packet): Tri {
  let r: Tri = rule.dynamic ? 'unknown' : 'yes';
  for (const o of rule.options) {
    if (o.owner) continue;
    r = and(r, generic(o, p));
    if (r === 'no') return r;
  }
  for (const m of rule.matches) {
    if (!m.spec) return and(r, 'unknown') === 'no' ? 'no' : 'unknown';
    if (HEADER_MATCHES.has(m.spec.name) && p.fragment) return 'no';
    if (m.options.length === 0 && !['comment', 'nfacct'].includes(m.spec.name) && !HEADER_MATCHES.has(m.spec.name)) {
      r = and(r, 'unknown');
      continue;
    }
    for (const o of m.options) {
      r = and(r, matchOption(m.spec.name, o, p));
      if (r === 'no') return r;
    }
  }
  return r;
}
