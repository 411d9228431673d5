/**
 * The kinds of values options take: how each is validated and which values completion offers.
 * A validator returns undefined when the value is fine, or a problem to report.
 */
import { Family, formatAddress, isIPv4Net, looksLikeHostname, ownIPv4, parseAddress, parseIPv4, parseIPv6, parseNet, surprisingIPv4 } from './addresses';
import { PORT_DESCRIPTIONS, PROTOCOL_ALIASES, PROTOCOLS, SCTP_SERVICES, SERVICES, strtoulBase0, strtoulSigned } from './services';
import { RATE, unitSeconds } from './limit';
import { u32Problem } from './u32';
import { bytecodeProblem } from './bpf';
import { TextCache } from '../textCache';
import { wordTable } from '../wordTable';
import { suggest } from '../suggest';

export interface ValueProblem {
  message: string;
  /** Defaults to `invalid-value`. */
  code?: string;
  /** Defaults to `error`. */
  severity?: 'error' | 'warning' | 'info' | 'hint';
  /** The value plainly meant, when there is one: for invalid-value, a safe quick fix (the one fix-all applies). */
  replacement?: string;
  /** Values probably meant (a misspelt name's nearest): quick fixes offered, never applied unasked. */
  suggestions?: string[];
}

/** A misspelt name: the nearest of `names`, said after the message and offered as a fix of the whole value. */
function misspelt(problem: ValueProblem, item: string, names: readonly string[], whole = (near: string) => near): ValueProblem {
  const [near] = suggest(item, names, 1);
  return near === undefined ? problem : { ...problem, message: `${problem.message} Did you mean '${near}'?`, suggestions: [whole(near)] };
}

export interface ValueChoice {
  label: string;
  doc: string;
  family?: Family;
}

export interface ValueContext {
  family: Family;
}

export interface ValueKind {
  name: string;
  /** How a signature names a value of this kind: `port`, `number`, `text`. */
  label: string;
  /** Human description used in messages: "a port or port range". */
  what: string;
  /** The description for one address family, where some values belong to one family only (see enumKind). */
  whatIn?: (family: Family) => string;
  validate(value: string, ctx: ValueContext): ValueProblem | undefined;
  choices?: ValueChoice[];
  /** The choices form a comma-separated list. */
  list?: boolean;
  /** The choice a word names as iptables reads it (in another case, or by its beginning), where that is not the word itself. */
  choiceOf?: (word: string, family: Family) => ValueChoice | undefined;
  /** Free text, which may begin with a dash (`--comment -x`): the parser never reads it as the next option. */
  textual: boolean;
  /** Text that people write with spaces (a comment, a log prefix): unquoted, iptables refuses the words after the first. */
  spaced: boolean;
}

const err = (message: string, code?: string, replacement?: string): ValueProblem => ({ message, code, replacement });

function kind(name: string, what: string, validate: ValueKind['validate'], extra: Partial<ValueKind> = {}): ValueKind {
  // All fields in one order: every kind has the same shape (the parser calls validate for every value).
  const textual = name.startsWith('string') || name === 'any';
  return { name, label: extra.label ?? name, what, whatIn: extra.whatIn, validate, choices: extra.choices, list: extra.list, choiceOf: extra.choiceOf, textual, spaced: false };
}

/** The same kind, with a check of its own before the kind's (which runs only when that one finds nothing). */
function refined(base: ValueKind, first: (v: string, ctx: ValueContext) => ValueProblem | undefined): ValueKind {
  return { ...base, validate: (v, ctx) => first(v, ctx) ?? base.validate(v, ctx) };
}

/** The same kind of text, as one that people write with spaces (see ValueKind.spaced). */
export function spaced(k: ValueKind): ValueKind {
  return { ...k, spaced: true };
}

// ---- numbers -------------------------------------------------------------------------------------

/** A number as iptables reads one (C's strtoul with base 0): decimal, hexadecimal after 0x, octal after a 0. */
export function parseNumber(s: string): number | undefined {
  return strtoulBase0(s);
}

/** A number with a leading zero is octal to iptables: a warning when that is not the number it looks like. */
function octalSurprise(v: string, n: number, what: string): ValueProblem | undefined {
  if (!/^0[0-7]+$/.test(v) || n === Number(v)) return undefined;
  return { message: `iptables reads ${v} as an octal number: ${what} ${n}, not ${Number(v)}. Write ${n}, or ${Number(v)} without the leading zero.`, severity: 'warning' };
}

export function intKind(min: number, max: number, what = `a whole number from ${min} to ${max}`): ValueKind {
  return kind(`int:${min}:${max}`, what, (v) => {
    const n = parseNumber(v);
    if (n === undefined || n < min || n > max) return err(`'${v}' is not ${what}.`);
    return octalSurprise(v, n, 'the number');
  }, { label: 'number' });
}

/**
 * A rule's counter after -c, as C's sscanf("%llu") reads it: its leading digits (a sign allowed; a minus wraps
 * round, too many keeps the largest), the rest ignored. No digit at all is refused; any other reading than the
 * number as written is a warning that says what iptables keeps.
 */
export function counterKind(what: string): ValueKind {
  return kind('counter', what, (v) => {
    const m = /^\s*([+-]?)(\d+)/.exec(v);
    if (!m) return err(`'${v}' is not ${what}: iptables refuses it ("counter not numeric").`);
    const max = (1n << 64n) - 1n;
    const digits = BigInt(m[2]);
    const n = digits > max ? max : m[1] === '-' ? BigInt.asUintN(64, -digits) : digits;
    if (m[0] === v && m[1] !== '-' && digits <= max) return undefined;
    return { message: `iptables reads '${v}' as ${what} of ${n}. Write ${n}.`, severity: 'warning', replacement: String(n) };
  }, { label: 'number' });
}

/** `ordered`: iptables refuses a range whose start is above its end (connbytes), where others take it as written. */
export function intRangeKind(min: number, max: number, sep = ':', ordered = false, refusal?: string): ValueKind {
  const what = `a number or range (from${sep}to) between ${min} and ${max}`;
  return kind(`intrange:${min}:${max}${ordered ? ':ordered' : ''}`, what, (v) => {
    const parts = v.split(sep);
    if (parts.length > 2) return err(`'${v}' is not ${what}.`);
    const read: number[] = [];
    for (const p of parts) {
      if (p === '' && parts.length === 2) continue;
      const n = parseNumber(p);
      if (n === undefined || n < min || n > max) return err(`'${v}' is not ${what}.`);
      read.push(n);
    }
    if (ordered && read.length === 2 && read[0] > read[1]) return err(`'${v}' starts above its end: iptables refuses it ("${refusal ?? `${read[0]} should be less than ${read[1]}`}"). Write ${read[1]}${sep}${read[0]}.`);
    return undefined;
  }, { label: `from[${sep}to]` });
}

/**
 * A prefix length the family bounds: up to 32 for IPv4, 128 for IPv6. `clampsIPv4`: iptables takes more for IPv4
 * and keeps 32 (connlimit), where others refuse it (hashlimit).
 */
export function prefixLengthKind(clampsIPv4: boolean): ValueKind {
  return kind(`prefix-length${clampsIPv4 ? ':clamped' : ''}`, 'a prefix length (0-32 for IPv4, 0-128 for IPv6)', (v, ctx) => {
    const n = parseNumber(v);
    const max = ctx.family === 4 ? 32 : 128;
    if (n === undefined || (n > max && !(clampsIPv4 && ctx.family === 4))) return err(`'${v}' is not a prefix length (0-${max} for IPv${ctx.family}).`);
    if (n > max) return { message: `IPv4 prefixes end at 32: iptables takes ${v} and keeps 32.`, severity: 'warning' };
    return octalSurprise(v, n, 'the length');
  }, { label: 'length' });
}

const CLAMPED_PREFIX_LENGTH = prefixLengthKind(true);

/**
 * A prefix as connlimit's --connlimit-mask and HMARK's prefixes take it: a length (0-128 for IPv6; for IPv4 any
 * 32-bit number, more than 32 kept as 32) or a mask written as an address of the family (any bits, `255.0.255.0` too).
 */
export const prefixOrMaskKind = kind('prefix-or-mask', 'a prefix length (0-32 for IPv4, 0-128 for IPv6) or a mask', (v, ctx) => {
  const n = parseNumber(v);
  // A length as connlimit takes one (an IPv4 length past 32 kept as 32), up to the 32-bit number iptables reads.
  if (n !== undefined && n <= (ctx.family === 6 ? 128 : 0xffffffff)) return CLAMPED_PREFIX_LENGTH.validate(v, ctx);
  if (n === undefined && (ctx.family === 4 ? parseIPv4(v) : parseIPv6(v)) !== undefined) return undefined;
  return err(`'${v}' is not a prefix length (0-${ctx.family === 4 ? 32 : 128}) or an IPv${ctx.family} mask.`);
}, { label: 'length' });

/**
 * A one-byte header field that iptables reads as a 32-bit number (the routing header's type): above 255 it is loaded
 * as written, and the rule never matches.
 */
export function headerByteKind(field: string): ValueKind {
  return kind('int:0:4294967295', 'a whole number from 0 to 255', (v) => {
    const n = parseNumber(v);
    if (n === undefined || n > 0xffffffff) return err(`'${v}' is not a whole number from 0 to 255.`);
    if (n > 255) return { message: `${field} is one byte (0-255): iptables loads ${v} as written, and the rule never matches.`, severity: 'warning' };
    return octalSurprise(v, n, 'the number');
  }, { label: 'number' });
}

/** A number iptables reads in 32 bits where the kernel keeps fewer: above their range, a warning that says what is kept. */
export function keptBitsKind(bits: number, field: string): ValueKind {
  const max = 2 ** bits - 1;
  return kind('int:0:4294967295', `a whole number from 0 to ${max}`, (v) => {
    const n = parseNumber(v);
    if (n === undefined || n > 0xffffffff) return err(`'${v}' is not a whole number from 0 to ${max}.`);
    if (n > max) return { message: `${field} is ${bits} bits (0-${max}): iptables takes ${v} and loads ${n % (max + 1)}.`, severity: 'warning' };
    return octalSurprise(v, n, 'the number');
  }, { label: 'number' });
}

/** TCPMSS --set-mss: at most the largest MSS a packet of the family can carry (65535 less the IP and TCP headers). */
export const setMssKind = kind('int:mss', 'an MSS from 0 to 65515 (IPv4) or 65495 (IPv6)', (v, ctx) => {
  const max = ctx.family === 6 ? 65495 : 65515;
  const n = parseNumber(v);
  if (n === undefined || n > max) return err(`'${v}' is not an MSS from 0 to ${max}: iptables refuses it ("out of range (0-${max})").`);
  return octalSurprise(v, n, 'the number');
}, { label: 'number' });

/** NFQUEUE --queue-balance: two queue numbers, the first below the second. */
export const queueRangeKind = kind('queue range', 'two queue numbers from:to, the first the lower', (v) => {
  const [a, b, more] = v.split(':');
  const lo = parseNumber(a);
  const hi = b === undefined ? undefined : parseNumber(b);
  if (more !== undefined || lo === undefined || hi === undefined || lo > 65535 || hi > 65535) return err(`'${v}' is not a range of queues; write from:to, as 0:3.`);
  if (lo >= hi) return err(`The range ${v} is empty or reversed: iptables wants the first queue below the second.`);
  return undefined;
}, { label: 'from:to' });

/** SYNPROXY --wscale: iptables takes 0-255, TCP only has window scales up to 14. */
export const windowScaleKind = kind('window scale', 'a TCP window scale from 0 to 14', (v) => {
  const n = parseNumber(v);
  if (n === undefined || n > 0xffffffff) return err(`'${v}' is not a window scale (0-14).`);
  // iptables reads 32 bits and keeps 8.
  if (n > 255) return { message: `A window scale is one byte: iptables takes ${v} and loads ${n % 256}${n % 256 > 14 ? ', above the 14 TCP allows' : ''}. Write a number from 0 to 14.`, severity: 'warning' };
  if (n > 14) return { message: `TCP has no window scale above 14 (RFC 7323): iptables takes ${v}, and clients cap it at 14.`, severity: 'warning' };
  return undefined;
}, { label: 'number' });

// ---- smaller modules' values -------------------------------------------------------------------------

/** DCCP packet types, in any case (libxt_dccp). */
export const dccpTypesKind = enumKind('DCCP type', ['REQUEST', 'RESPONSE', 'DATA', 'ACK', 'DATAACK', 'CLOSEREQ', 'CLOSE', 'RESET', 'SYNC', 'SYNCACK', 'INVALID'].map((t) => ({ label: t, doc: `DCCP ${t} packets.` })), { list: true, match: 'nocase' });

/** A list whose items are names (as written) or numbers up to `max`. */
function namesOrNumbersKind(name: string, names: string[], max: number, what: string): ValueKind {
  return kind(name, what, (v) => {
    for (const item of v.split(',')) {
      const n = parseNumber(item);
      if (n !== undefined ? n > max : !names.includes(item)) return err(`'${item}' is not ${what.replace(/^a comma-separated list of /, 'one of ')}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''}, or a number up to ${max}.`);
    }
    return undefined;
  }, { choices: names.map((x) => ({ label: x, doc: `${x}.` })), list: true, label: `${name.split(' ').pop()}[,…]` });
}

const TCP_OPTIONS = namesOrNumbersKind('TCP option', ['wscale', 'mss', 'sack-permitted', 'sack', 'timestamp', 'md5'], 255, 'a comma-separated list of TCP options');

/** TCPOPTSTRIP's option names (in lower case) or numbers; not 0 or 1 (the end of the list and padding, no options to strip). */
export const tcpOptionsKind = refined(TCP_OPTIONS, (v) => {
  const filler = v.split(',').find((item) => parseNumber(item) === 0 || parseNumber(item) === 1);
  return filler === undefined ? undefined : err(`TCP option ${filler} marks the end of the options or pads them (no option to strip): iptables refuses it ("Option value may not be 0 or 1").`);
});

/** The headers ipv6header knows, by their numbers: hop-by-hop, routing, fragment, ESP, AH, no next, destination, any. */
const IPV6_HEADER_NUMBERS = [0, 43, 44, 50, 51, 59, 60, 255];
const IPV6_HEADER_NAMES = ['hop', 'hop-by-hop', 'dst', 'route', 'frag', 'auth', 'esp', 'none', 'prot', 'protocol'];

/** ipv6header's headers: its own names, a protocol name of /etc/protocols (as written) or a number, of a header it knows. */
export const ipv6HeadersKind = kind('IPv6 header', 'a comma-separated list of IPv6 extension headers', (v) => {
  for (const item of v.split(',')) {
    if (IPV6_HEADER_NAMES.includes(item)) continue;
    // (`all` is a name of -p's own, not of /etc/protocols, which ipv6header reads.)
    const n = parseNumber(item) ?? (item === 'all' ? undefined : PROTOCOLS[item] ?? PROTOCOL_ALIASES[item]);
    if (n === undefined || !IPV6_HEADER_NUMBERS.includes(n)) return err(`'${item}' is not an IPv6 extension header ipv6header knows: ${IPV6_HEADER_NAMES.join(', ')} (or their protocol numbers).`);
  }
  return undefined;
}, { choices: IPV6_HEADER_NAMES.map((x) => ({ label: x, doc: `The ${x} header.` })), list: true, label: 'header[,…]' });

/** A conntrack zone: a number up to 65535, or `mark` (the packet's mark). */
export const ctZoneKind = kind('zone', 'a zone number (0-65535) or mark', (v) => {
  const n = parseNumber(v);
  if (v === 'mark' || (n !== undefined && n <= 65535)) return undefined;
  return err(`'${v}' is not a conntrack zone: a number from 0 to 65535, or mark.`);
}, { label: 'zone' });

const MH_TYPES = ['binding-refresh-request', 'brr', 'home-test-init', 'hoti', 'careof-test-init', 'coti', 'home-test', 'hot', 'careof-test', 'cot', 'binding-update', 'bu', 'binding-acknowledgement', 'ba', 'binding-error', 'be'];
/** A mobility header type: a name in any case or its beginning, a number, or a range of numbers. */
export const mhTypeKind = kind('MH type', 'a mobility header type name, number or range', (v) => {
  if (v !== '' && MH_TYPES.some((t) => t.startsWith(v.toLowerCase()))) return undefined;
  const [a, b, more] = v.split(':');
  const lo = parseNumber(a);
  const hi = b === undefined ? lo : parseNumber(b);
  if (more === undefined && lo !== undefined && hi !== undefined && lo <= 255 && hi <= 255) return undefined;
  return err(`'${v}' is not a mobility header type: a name such as binding-update (bu), a number, or a range from:to.`);
}, { choices: MH_TYPES.map((t) => ({ label: t, doc: `${t}.` })), label: 'type' });

// ---- ports ---------------------------------------------------------------------------------------

/**
 * How a module reads a port number: tcp, sctp, multiport and the NAT targets as C's strtoul with base 0 (010 is
 * 8, 0x50 is 80); udp, dccp, conntrack and TPROXY in decimal (010 is 10, 0x50 is no number).
 */
export type PortBase = 0 | 10;

function parseUnsigned(s: string, base: PortBase): number | undefined {
  if (base === 0) return strtoulBase0(s);
  const m = /^[ \t]*\+?(\d+)$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

/** A port as iptables reads it: a number (in the module's base) or a service name. */
export function parsePort(s: string, base: PortBase = 0): number | undefined {
  const n = parseUnsigned(s, base);
  if (n !== undefined) return n <= 65535 ? n : undefined;
  return SERVICES[s];
}

/**
 * The first and last port a port or a range from:to names, an end left out being 0 or 65535, in the order written
 * (a reversed range stays reversed); undefined for a port not read here (an unknown service) or more than one colon.
 */
export function readPortRange(text: string, base: PortBase = 0): [number, number] | undefined {
  const colon = text.indexOf(':');
  if (colon < 0) {
    const n = parsePort(text, base);
    return n === undefined ? undefined : [n, n];
  }
  if (text.indexOf(':', colon + 1) >= 0) return undefined;
  const lo = colon === 0 ? 0 : parsePort(text.slice(0, colon), base);
  const hi = colon === text.length - 1 ? 65535 : parsePort(text.slice(colon + 1), base);
  return lo === undefined || hi === undefined ? undefined : [lo, hi];
}

/** Ports and ranges (`whole`, items joined by commas and colons) with the item `item` written as `text`. */
function portItemAs(whole: string, item: string, text: string): string {
  return whole.split(/([,:])/).map((x) => (x === item ? text : x)).join('');
}

/** A comma-separated list again, its k-th item written as `text`: a fix for one item mends the list it is in. */
function listWith(items: readonly string[], k: number, text: string): string {
  return items.map((x, j) => (j === k ? text : x)).join(',');
}

const SERVICE_NAMES = Object.keys(SERVICES);
const COMMON_SERVICE_NAMES = SERVICE_NAMES.filter((n) => PORT_DESCRIPTIONS[SERVICES[n]] !== undefined);

function checkPort(p: string, whole: string, wraps: boolean, base: PortBase, sctp = false): ValueProblem | undefined {
  const n = parseUnsigned(p, base);
  if (n !== undefined) {
    if (n <= 65535) return base === 0 ? octalSurprise(p, n, 'port') : undefined;
    if (wraps && n <= 0xffffffff) return { message: `Port ${p} is out of range (0-65535); this match silently keeps ${n % 65536} instead.`, severity: 'warning' };
    return err(`Port ${p} in '${whole}' is out of range (0-65535).`);
  }
  if (base === 0 && /^0\d+$/.test(p)) return err(`iptables reads ${p} as an octal number, and ${p} is not one (8 and 9 are not octal digits): it refuses it. Write ${Number(p)}.`);
  if (sctp && SCTP_SERVICES[p] === undefined && /^[a-z][a-z0-9-]*$/i.test(p)) {
    const n = SERVICES[p];
    return err(`The sctp match looks '${p}' up as an SCTP service, which /etc/services (on Debian and Ubuntu) does not list: iptables refuses it ("invalid port/service").${n !== undefined ? ` Write the number, ${n}.` : ''}`);
  }
  if (SERVICES[p] !== undefined || (sctp && SCTP_SERVICES[p] !== undefined)) return undefined;
  const lower = p.toLowerCase();
  if (lower !== p && SERVICES[lower] !== undefined) {
    const replacement = portItemAs(whole, p, lower);
    return { message: `Service names are looked up as written, and /etc/services writes this one '${lower}': iptables refuses '${p}' ("invalid port/service"). Write ${lower}.`, replacement };
  }
  if (/^[a-z][a-z0-9-]*$/i.test(p)) {
    const problem: ValueProblem = { message: `'${p}' is not in /etc/services on Debian and Ubuntu: there iptables refuses it ("invalid port/service"), where a system with a longer list may not.`, severity: 'warning' };
    // The names of well-known ports first: `htps` is more likely https than ftps.
    const names = suggest(p, COMMON_SERVICE_NAMES, 1).length ? COMMON_SERVICE_NAMES : SERVICE_NAMES;
    return misspelt(problem, p, names, (near) => portItemAs(whole, p, near));
  }
  return err(`'${p}' is not a port number or service name.`);
}

export const portKind = kind('port', 'a port number or service name', (v) => checkPort(v, v, false, 10));

/**
 * How many ports `v` lists, when it is only plain port numbers (decimal, no leading zero, up to 65535) separated
 * by commas, which every port option takes without remark; -1 for anything else. Read without splitting: every
 * rule of a services chain has one.
 */
export function plainPortCount(v: string): number {
  let count = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= v.length; i++) {
    const c = i < v.length ? v.charCodeAt(i) : 44;
    if (c >= 48 && c <= 57) {
      if (digits === 1 && value === 0) return -1;
      value = value * 10 + (c - 48);
      if (++digits > 5 || value > 65535) return -1;
      continue;
    }
    if (c !== 44 /* , */ || digits === 0) return -1;
    count++;
    value = 0;
    digits = 0;
  }
  return count;
}

/** The port `v` names when it is one plain port number (as plainPortCount reads them); -1 otherwise. */
export function plainPort(v: string): number {
  return plainPortCount(v) === 1 ? Number(v) : -1;
}

function portRange(name: string, refuseInverted: boolean, base: PortBase, sctp = false): ValueKind {
  return kind(name, 'a port or a port range (from:to)', (v) => {
    if (plainPortCount(v) === 1) return undefined;
    if (v.includes(',') && v.split(',').every((p) => p !== '' && p.split(':').every((x) => x === '' || parsePort(x, base) !== undefined))) {
      return err(`'${v}' lists several ports, but this option takes one port or one range (from:to). For a list, load the multiport match: -m multiport --dports ${v} (or --sports).`);
    }
    const parts = v.split(':');
    if (parts.length > 2) return err(`'${v}' is not a port or port range; write from:to.`);
    for (const p of parts) {
      if (p === '' && parts.length === 2) continue;
      const e = checkPort(p, v, !refuseInverted, base, sctp);
      if (e) return e;
    }
    if (refuseInverted && parts.length === 2 && parts[0] !== '' && parts[1] !== '') {
      const lo = parsePort(parts[0], base);
      const hi = parsePort(parts[1], base);
      if (lo !== undefined && hi !== undefined && lo > hi) return err(`Port range '${v}' is reversed (${lo} > ${hi}): iptables refuses it ("invalid portrange"). Write ${hi}:${lo}.`);
    }
    return undefined;
  }, { label: 'port[:port]' });
}

/** Ports as udp, dccp and conntrack take them: a reversed range is kept, and never matches. */
export const portRangeKind = portRange('port-range', false, 10);
/** Ports as tcp and multiport take them: a reversed range is refused. */
export const strictPortRangeKind = portRange('strict-port-range', true, 0);
/** Ports as sctp takes them: as tcp does, a name looked up for SCTP. */
export const sctpPortRangeKind = portRange('strict-port-range:sctp', true, 0, true);

/** How the option whose values are of this kind reads a port number. */
export function portBaseOf(k: ValueKind | undefined): PortBase {
  return k === portRangeKind || k === portKind ? 10 : 0;
}

export const portListKind = kind('port-list', 'a comma-separated list of ports or ranges (at most 15)', (v) => {
  const plain = plainPortCount(v);
  if (plain > 0 && plain <= 15) return undefined;
  const items = v.split(',');
  let count = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k];
    if (item === '') return err(`Empty entry in port list '${v}'.`);
    // Unlike --dport, a range in a list needs both ends.
    if (item.startsWith(':') || item.endsWith(':')) return err(`multiport needs both ends of a range: '${item}' is refused ("invalid port/service"). Write ${item.startsWith(':') ? `0${item}` : `${item}65535`}.`);
    const e = strictPortRangeKind.validate(item, { family: 4 });
    // A fix for one item, or a suggestion, mends the list.
    if (e) {
      const within = (text: string) => listWith(items, k, text);
      return { ...e, replacement: e.replacement === undefined ? undefined : within(e.replacement), suggestions: e.suggestions?.map(within) };
    }
    count += item.includes(':') ? 2 : 1;
  }
  if (count > 15) return err(`multiport takes at most 15 ports (a range counts as two); '${v}' has ${count}.`);
  return undefined;
}, { label: 'port[,port…]' });

/** `port` or `port-port` as --to-ports takes it. */
export const natPortsKind = kind('nat-ports', 'a port or port range (from-to)', (v) => {
  const parts = v.split('-');
  if (parts.length > 2) return err(`'${v}' is not a port or range (from-to).`);
  const ports: number[] = [];
  for (const p of parts) {
    const n = strtoulBase0(p);
    if (n === undefined || n > 65535) return err(`'${v}' is not a port or range (from-to) of numbers.`);
    const odd = octalSurprise(p, n, 'port');
    if (odd) return odd;
    ports.push(n);
  }
  if (ports.length === 2 && ports[0] > ports[1]) return err(`Port range '${v}' is reversed: iptables refuses it. Write ${parts[1]}-${parts[0]}.`);
  return undefined;
}, { label: 'port[-port]' });

// ---- addresses -----------------------------------------------------------------------------------

function checkHost(item: string, ctx: ValueContext, allowHostname: boolean): ValueProblem | undefined {
  if (item === '') return err('Empty address.');
  if (ctx.family === 4 && isIPv4Net(item)) return undefined;
  const odd = ctx.family === 4 ? oddIPv4(item) : zoned(item);
  if (odd) return odd;
  const net = parseNet(item);
  if (net) {
    if (!net.ok) return err(net.message);
    // With a prefix of 0 the address is never looked at (`ip6tables -s 0/0` is every address); iptables reads an
    // IPv4-mapped IPv6 address (::ffff:1.2.3.4) as the IPv4 address. Both held to the kernel.
    const mapped = ctx.family === 4 && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(item);
    if (net.net.family !== ctx.family && net.net.prefix !== 0 && !mapped) {
      return err(
        `IPv${net.net.family} address '${item}' in an ${ctx.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'} ruleset: the ${ctx.family === 4 ? 'iptables' : 'ip6tables'} command refuses it.`,
        'address-family',
      );
    }
    return undefined;
  }
  const slash = item.indexOf('/');
  const host = slash < 0 ? item : item.slice(0, slash);
  if (allowHostname && looksLikeHostname(host)) {
    return {
      message: `'${host}' is a host name: iptables resolves it once, when the rules are loaded (and fails if DNS is not up yet). An address is safer.`,
      severity: 'info',
      code: 'hostname',
    };
  }
  if (/^[\d.]+$/.test(host)) return err(`'${item}' is not a valid IPv4 address.`);
  if (/^[0-9a-fA-F:.]+$/.test(host) && host.includes(':')) return err(`'${item}' is not a valid IPv6 address.`);
  return err(`'${item}' is neither an address nor a host name.`);
}

/**
 * A link-local IPv6 address with its zone (`fe80::1%eth0`, `fe80::1%2`): ip6tables has the C library read it, which
 * takes the zone to find the interface and then leaves it out of the rule.
 */
function zoned(item: string): ValueProblem | undefined {
  const slash = item.indexOf('/');
  const host = slash < 0 ? item : item.slice(0, slash);
  const at = host.indexOf('%');
  if (at < 0 || parseIPv6(host.slice(0, at)) === undefined || !/^[\w.-]+$/.test(host.slice(at + 1))) return undefined;
  const zone = host.slice(at + 1);
  const bare = host.slice(0, at) + (slash < 0 ? '' : item.slice(slash));
  const named = /^\d+$/.test(zone) ? '' : ` and refuses the rule if no interface ${zone} exists when the rules load`;
  return { message: `ip6tables leaves the zone %${zone} out of the rule${named}: it matches ${bare} on every interface. Write ${bare}, with -i or -o for the interface.`, severity: 'warning' };
}

/**
 * An IPv4 address in a form whose reading surprises (see surprisingIPv4): iptables refuses it, or loads another
 * address than its digits say in decimal. The fix writes the address iptables loads, with the same prefix.
 */
function oddIPv4(item: string): ValueProblem | undefined {
  const slash = item.indexOf('/');
  const host = slash < 0 ? item : item.slice(0, slash);
  const read = surprisingIPv4(host);
  if (read === undefined) return undefined;
  if (read === null) {
    const bad = host.split('.').find((p) => /^0\d*[89]/.test(p));
    return err(bad ? `'${item}' is refused by iptables: a part that begins with 0 is an octal number to it, and ${bad} is none. Write it without the leading zero.` : `'${item}' is not a valid IPv4 address.`);
  }
  const replacement = read + (slash < 0 ? '' : item.slice(slash));
  const parts = host.split('.');
  const why = [
    parts.some((p) => /^0[0-7]/.test(p)) ? 'a part that begins with 0 is an octal number to it' : '',
    /[xX]/.test(host) ? '0x makes a part hexadecimal' : '',
    parts.some((p) => !/^0[xX]/.test(p) && Number(p) > 255) ? `a last part above 255 stands for the ${parts.length === 1 ? 'whole address' : 'bytes after it too'}` : '',
  ].filter(Boolean).join('; ');
  return { message: `iptables reads '${host}' as ${read}: ${why}. Write ${replacement}.`, severity: 'warning', replacement };
}

export const addressListKind = kind('address-list', 'an address, network (addr/prefix) or comma-separated list', (v, ctx) => {
  if (!v.includes(',')) return checkHost(v, ctx, true);
  // An error wherever it is; else the first note, whose fix (an item written again) is made one for the whole list.
  const items = v.split(',');
  let note: ValueProblem | undefined;
  for (let k = 0; k < items.length; k++) {
    const e = checkHost(items[k], ctx, true);
    if (!e) continue;
    if ((e.severity ?? 'error') === 'error') return e;
    note ??= e.replacement === undefined ? e : { ...e, replacement: listWith(items, k, e.replacement) };
  }
  return note;
}, { label: 'address[/mask][,…]' });

export const addressKind = kind('address', 'an address or network (addr/prefix)', (v, ctx) => checkHost(v, ctx, true), { label: 'address[/mask]' });

/**
 * conntrack's addresses: as addressKind, but iptables takes an IPv4 prefix length above 32 there and keeps 32
 * (`1.2.3.4/33` is the host 1.2.3.4), where -s and -d refuse it; ip6tables refuses one above 128 as -s does.
 */
export const ctAddressKind = kind('address:conntrack', 'an address or network (addr/prefix)', (v, ctx) => {
  const m = ctx.family === 4 ? /^([\d.]+)\/(\d+)$/.exec(v) : null;
  if (!m || Number(m[2]) <= 32) return checkHost(v, ctx, true);
  return checkHost(m[1], ctx, true) ?? { message: `IPv4 prefixes end at 32: iptables takes ${v} here and keeps 32 (the host ${m[1]}).`, severity: 'warning', replacement: m[1] };
}, { label: 'address[/mask]' });

/**
 * The prefixes of SNPT and DNPT: IPv6 networks of at most 64 bits, each written as its network address. The kernel
 * refuses a longer prefix (an address without a length is all 128 bits) and one with bits set past its length,
 * where -s and -d mask them away.
 */
export const nptPrefixKind = kind('npt-prefix', 'an IPv6 prefix of at most 64 bits (address/length)', (v, ctx) => {
  const problem = checkHost(v, ctx, true);
  const r = parseNet(v);
  if ((problem && (problem.severity ?? 'error') === 'error') || !r?.ok || !r.net.contiguous) return problem;
  const { prefix, network, hostBitsSet } = r.net;
  if (prefix > 64) return err(`${v}${v.includes('/') ? '' : ' (no length: all 128 bits)'}: the kernel translates prefixes of at most 64 bits and refuses it ("Invalid argument").`);
  const exact = `${formatAddress(network, 6)}/${prefix}`;
  if (hostBitsSet) return { message: `${v} has bits set past its /${prefix}: the kernel takes only the network address here and refuses it ("Invalid argument"). The network is ${exact}.`, suggestions: [exact] };
  return problem;
}, { label: 'address/length' });

export const plainAddressKind = kind('plain-address', 'an address', (v, ctx) => {
  const a = parseAddress(v);
  if (!a) return err(`'${v}' is not an IP address.`);
  if (a.family !== ctx.family) return err(`IPv${a.family} address '${v}' in an IPv${ctx.family} ruleset.`, 'address-family');
  return undefined;
}, { label: 'address' });

/** The address TEE sends copies to: any but the unspecified one (0.0.0.0, ::), which the kernel refuses. */
export const gatewayKind = kind('gateway', 'an address', (v, ctx) => {
  const e = plainAddressKind.validate(v, ctx);
  if (e) return e;
  return parseAddress(v)?.value === 0n ? err(`'${v}' is the unspecified address: TEE needs the address of a host to send the copies to, and the kernel refuses this one.`) : undefined;
}, { label: 'address' });

export const ipRangeKind = kind('ip-range', 'an address range (from-to)', (v, ctx) => {
  const parts = v.split('-');
  if (parts.length > 2) return err(`'${v}' is not an address range (from-to).`);
  for (const p of parts) {
    const e = plainAddressKind.validate(p, ctx);
    if (e) return e;
    // iprange reads IPv4 with iptables' own reader alone: none of the C library's forms (65536 for 0.1.0.0).
    if (ctx.family === 4 && ownIPv4(p) === undefined) return err(`'${p}' is not an IPv4 address iprange reads (dotted numbers up to 255 each): iptables refuses it ("Bad value").`);
  }
  return undefined;
}, { label: 'address-address' });

/**
 * The parts of an SNAT/DNAT address: `addr[-addr][:port[-port][/port]]`, IPv6 addresses in brackets when a port
 * follows. The address part is empty for a port alone (`:8080`); `base` is the port a shifted range starts from.
 */
export function splitNatTarget(v: string, family: Family): { addr: string; ports?: string; base?: string } {
  const shifted = (addr: string, ports: string | undefined) => {
    const slash = ports?.indexOf('/') ?? -1;
    return slash < 0 ? { addr, ports } : { addr, ports: ports!.slice(0, slash), base: ports!.slice(slash + 1) };
  };
  if (family === 6) {
    // A port alone (`:80`), or after a bracketed address or range (`[a-b]:80`); otherwise the whole is an address.
    if (/^:[^:]*$/.test(v)) return shifted('', v.slice(1));
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(v);
    return m ? shifted(m[1], m[2]) : { addr: v };
  }
  const c = v.indexOf(':');
  return c >= 0 ? shifted(v.slice(0, c), v.slice(c + 1)) : { addr: v };
}

/** `addr[-addr][:port[-port][/port]]` for SNAT/DNAT (IPv6 addresses in brackets when a port follows). */
export const natTargetKind = kind('nat-target', 'an address, address range, and optional :port or :port-port', (v, ctx) => {
  if (v === '') return err('An empty address: iptables refuses it ("Bad IP address").');
  const { addr, ports, base } = splitNatTarget(v, ctx.family);
  if (addr !== '') {
    const e = ipRangeKind.validate(addr, ctx);
    if (e) return e;
    // Unlike -s and -d, SNAT and DNAT read an IPv4 address only as four decimal numbers (no 10.1 for 10.0.0.1, no
    // leading zero, no 0x).
    const short = ctx.family === 4 ? addr.split('-').find((a) => !/^\d+\.\d+\.\d+\.\d+$/.test(a)) : undefined;
    if (short !== undefined) return err(`'${short}' is not written as a full IPv4 address: SNAT and DNAT take four numbers (a.b.c.d), and iptables refuses it ("Bad IP address").`);
    const padded = ctx.family === 4 ? addr.split('-').find((a) => /(?:^|\.)0\d/.test(a)) : undefined;
    if (padded !== undefined) return err(`'${padded}' has a part with a leading zero: SNAT and DNAT read an IPv4 address as four plain decimal numbers, and iptables refuses it ("Bad IP address"). Write ${padded.split('.').map((x) => String(Number(x))).join('.')}.`);
  }
  if (ports === undefined) return undefined;
  // A range may be shifted: `80-90/85` sends original port 85 to 80, 86 to 81, and so on round the range.
  if (base === undefined) return natPortsKind.validate(ports, ctx);
  if (!ports.includes('-')) return err(`'${v}': a shift (/port) follows a port range (from-to) only; iptables refuses it after one port ("Garbage after port value").`);
  const n = strtoulBase0(base);
  if (n === undefined || n < 1 || n > 65535) return err(`'${base}' after the slash in '${v}' is not a port from 1 to 65535: iptables refuses it.`);
  return natPortsKind.validate(ports, ctx);
}, { label: 'address[-address][:port[-port][/port]]' });

// ---- interfaces ----------------------------------------------------------------------------------

export const interfaceKind = kind('interface', 'an interface name (a trailing + matches every name that starts with it)', (v) => {
  if (v.length === 0) return err('Empty interface name.');
  if (v.length > 15) return err(`Interface name '${v}' is longer than 15 characters; the kernel cannot have such an interface.`);
  if (/[\s/]/.test(v.replace(/\+$/, ''))) return { message: `Interface name '${v}' contains a character Linux does not allow in one ('/' or a blank): iptables loads the rule with a warning, and it never matches.`, severity: 'warning' };
  return undefined;
});

/**
 * A bridge port (physdev): an interface name, but an empty one is taken, and compares no character of the port's
 * name, so that the rule matches a bridged packet whatever port it uses (a packet that is not bridged, never).
 */
export const bridgePortKind = refined(interfaceKind, (v) => (v.length === 0
  ? { message: 'An empty bridge port name matches every port: iptables loads the rule, and it matches any bridged packet. Write the port\'s name (or --physdev-is-in, --physdev-is-out for any port).', severity: 'warning' }
  : undefined));

// ---- protocol ------------------------------------------------------------------------------------

/** Warnings for a protocol the family's packets never carry (ICMP in IPv6, ICMPv6 in IPv4); n is its number. */
function protocolFamilyProblem(v: string, n: number, ctx: ValueContext): ValueProblem | undefined {
  if (ctx.family === 4 && n === 58) {
    return { message: `'${v}' is ICMPv6, which IPv4 packets never carry: iptables accepts the rule but it never matches. Use -p icmp.`, code: 'address-family', severity: 'warning', replacement: 'icmp' };
  }
  if (ctx.family === 6 && n === 1) {
    return { message: `'${v}' is ICMP for IPv4, which IPv6 packets never carry: ip6tables accepts the rule but it never matches. Use -p ipv6-icmp.`, code: 'address-family', severity: 'warning', replacement: 'ipv6-icmp' };
  }
  return undefined;
}

/** A protocol by number (0-255, as strtoul reads it), or by name: `exact` as written (--ctproto), else in any case (-p). */
function checkProtocol(v: string, ctx: ValueContext, exact: boolean): ValueProblem | undefined {
  const num = strtoulBase0(v);
  if (num !== undefined) return num <= 255 ? undefined : err(`Protocol number ${v} is out of range (0-255).`);
  const n = exact ? PROTOCOLS[v] ?? PROTOCOL_ALIASES[v] : PROTOCOLS[v.toLowerCase()];
  if (n !== undefined) return protocolFamilyProblem(v, n, ctx);
  const lower = v.toLowerCase();
  if (exact && PROTOCOLS[lower] !== undefined) return err(`iptables looks '${v}' up as written, and /etc/protocols has it in lower case: write '${lower}'.`, undefined, lower);
  // /etc/protocols gives MPTCP 262, a number for sockets that no IP header carries.
  if (lower === 'mptcp' && !exact) return { message: `Multipath TCP travels as TCP: its packets carry protocol 6. /etc/protocols gives mptcp 262, which no packet carries: iptables-legacy loads a rule that never matches, and iptables-nft keeps 6 of it (262 modulo 256) and matches all of TCP. Write -p tcp.`, severity: 'warning', suggestions: ['tcp'] };
  return err(`Unknown protocol '${v}'.`);
}

const PROTOCOL_CHOICES: ValueChoice[] = [
  { label: 'tcp', doc: 'Transmission Control Protocol (6).' },
  { label: 'udp', doc: 'User Datagram Protocol (17).' },
  { label: 'icmp', doc: 'ICMP for IPv4 (1): ping, unreachable messages.', family: 4 },
  { label: 'ipv6-icmp', doc: 'ICMPv6 (58): ping, neighbour discovery; required for IPv6 to work.', family: 6 },
  { label: 'all', doc: 'Every protocol (the default).' },
  { label: 'sctp', doc: 'Stream Control Transmission Protocol (132).' },
  { label: 'dccp', doc: 'Datagram Congestion Control Protocol (33).' },
  { label: 'udplite', doc: 'UDP-Lite (136).' },
  { label: 'gre', doc: 'Generic Routing Encapsulation (47), used by PPTP and tunnels.' },
  { label: 'esp', doc: 'IPsec Encapsulating Security Payload (50).' },
  { label: 'ah', doc: 'IPsec Authentication Header (51).' },
  { label: 'igmp', doc: 'Internet Group Management Protocol (2), IPv4 multicast membership (IPv6 has MLD, inside ICMPv6).', family: 4 },
  { label: 'ipv6', doc: 'IPv6 encapsulated in IPv4 (41), e.g. 6in4 tunnels.', family: 4 },
  { label: 'ospf', doc: 'OSPF routing (89).' },
  { label: 'vrrp', doc: 'Virtual Router Redundancy Protocol (112).' },
];

/** -p: iptables writes the name in lower case before looking it up. */
export const protocolKind = kind('protocol', 'a protocol name or number', (v, ctx) => checkProtocol(v, ctx, false), { choices: PROTOCOL_CHOICES });

/** --ctproto (and --vproto): the name looked up as written (`tcp` or `TCP`, not `Tcp`). */
export const exactProtocolKind = kind('protocol', 'a protocol name (as /etc/protocols writes it) or number', (v, ctx) => checkProtocol(v, ctx, true), { choices: PROTOCOL_CHOICES });

// ---- enumerations ----------------------------------------------------------------------------------

/** A signature's name for a value of a kind with choices: the few choices themselves, else the kind's last word. */
function enumLabel(name: string, choices: ValueChoice[], list = false): string {
  const labels = [...new Set(choices.map((c) => c.label))];
  if (!list && labels.length <= 4) return labels.join('|');
  return `${name.split(' ').pop()}${list ? '[,…]' : ''}`;
}

/**
 * How iptables compares a word with the names it knows: `exact` as written; `nocase` in any case; `prefix` in any
 * case, the first name the word begins (`est` for ESTABLISHED, as libxt_conntrack and REJECT read them).
 */
export type NameMatch = 'exact' | 'nocase' | 'prefix';

export function enumKind(name: string, choices: ValueChoice[], opts: { list?: boolean; match?: NameMatch; caseInsensitive?: boolean; what?: string; label?: string } = {}): ValueKind {
  const match: NameMatch = opts.match ?? (opts.caseInsensitive ? 'nocase' : 'exact');
  const norm = (s: string) => (match === 'exact' ? s : s.toLowerCase());
  // The first choice of each (normalised) label.
  const known = new Map<string, ValueChoice>();
  for (const c of choices) if (!known.has(norm(c.label))) known.set(norm(c.label), c);
  /** The choice a word names: itself, or (prefix) the first whose label it begins, of the family's when there is one. */
  const find = (item: string, family: Family): ValueChoice | undefined => {
    const exact = known.get(norm(item));
    if (exact || match !== 'prefix' || item === '') return exact;
    const lower = item.toLowerCase();
    const all = choices.filter((c) => c.label.toLowerCase().startsWith(lower));
    return all.find((c) => !c.family || c.family === family) ?? all[0];
  };
  const oneOf = (list: ValueChoice[]) => `one of ${list.map((c) => c.label).join(', ')}`;
  const what = opts.what ?? (opts.list ? `a comma-separated list of ${name}` : oneOf(choices));
  // Values of one family only (REJECT's ICMP and ICMPv6 answers): each family's description names its own.
  const whatIn = opts.what || opts.list || !choices.some((c) => c.family) ? undefined : (family: Family) => oneOf(choices.filter((c) => !c.family || c.family === family));
  const check = (v: string, ctx: ValueContext): ValueProblem | undefined => {
    const items = opts.list ? v.split(',') : [v];
    for (const item of items) {
      const c = find(item, ctx.family);
      if (!c) {
        const valid = choices.filter((x) => !x.family || x.family === ctx.family).map((x) => x.label);
        // (In a list, the fix mends the one item.)
        return misspelt(err(`'${item}' is not a valid ${name}; expected ${valid.slice(0, 12).join(', ')}${valid.length > 12 ? ', ...' : ''}.`), item, valid, (near) => items.map((x) => (x === item ? near : x)).join(','));
      }
      if (c.family && c.family !== ctx.family) {
        return err(`'${item}' is only valid in ${c.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'} rulesets.`, 'address-family');
      }
    }
    return undefined;
  };
  // Rulesets repeat the same few values (RELATED,ESTABLISHED thousands of times): each is checked once per family.
  const seen: Record<Family, TextCache<ValueProblem | undefined>> = { 4: new TextCache(1024), 6: new TextCache(1024) };
  const checkIn: Record<Family, (v: string) => ValueProblem | undefined> = { 4: (v) => check(v, { family: 4 }), 6: (v) => check(v, { family: 6 }) };
  return kind(name, what, (v, ctx) => seen[ctx.family].get(v, checkIn[ctx.family]), { choices, list: opts.list, label: opts.label ?? enumLabel(name, choices, opts.list), choiceOf: find, whatIn });
}

export const CONNTRACK_STATES: ValueChoice[] = [
  { label: 'NEW', doc: 'The first packet of a connection the kernel has not seen before.' },
  { label: 'ESTABLISHED', doc: 'A packet of a connection that has seen traffic in both directions: replies and the rest of an accepted connection.' },
  { label: 'RELATED', doc: 'A new connection tied to an existing one: an FTP data channel, or an ICMP error about a known connection.' },
  { label: 'INVALID', doc: 'A packet conntrack cannot place in any connection (malformed, or out of window). Usually dropped.' },
  { label: 'UNTRACKED', doc: 'A packet exempted from tracking by `-j NOTRACK` or `-j CT --notrack` in the raw table.' },
];

/**
 * The connection state a word names as conntrack and state read it: the state whose name it begins, in any case
 * (`est` is ESTABLISHED); SNAT and DNAT are conntrack's virtual states. Undefined for no state.
 */
export function conntrackStateOf(word: string): string | undefined {
  const upper = word.toUpperCase();
  return upper === '' ? undefined : [...CONNTRACK_STATES.map((c) => c.label), 'SNAT', 'DNAT'].find((s) => s.startsWith(upper));
}

export const stateKind = enumKind('state', CONNTRACK_STATES, { list: true, match: 'prefix', what: 'a comma-separated list of connection states' });
export const ctstateKind = enumKind(
  'ctstate',
  [
    ...CONNTRACK_STATES,
    { label: 'SNAT', doc: 'Virtual state: the original source differs from the reply destination (the connection is source-NATed).' },
    { label: 'DNAT', doc: 'Virtual state: the original destination differs from the reply source (the connection is destination-NATed).' },
  ],
  { list: true, match: 'prefix', what: 'a comma-separated list of connection states', label: 'state[,…]' },
);

export const ctstatusKind = enumKind(
  'ctstatus',
  [
    { label: 'NONE', doc: 'None of the other flags.' },
    { label: 'EXPECTED', doc: 'The connection was expected by a helper.' },
    { label: 'SEEN_REPLY', doc: 'Packets have been seen in both directions.' },
    { label: 'ASSURED', doc: 'The connection is assured and will not be dropped early when the table is full.' },
    { label: 'CONFIRMED', doc: 'The connection has been confirmed (its first packet left the box).' },
  ],
  { list: true, match: 'prefix' },
);

export const TCP_FLAGS: ValueChoice[] = [
  { label: 'SYN', doc: 'Synchronise: opens a connection.' },
  { label: 'ACK', doc: 'Acknowledgement: set on every packet after the first.' },
  { label: 'FIN', doc: 'Finish: the sender has no more data.' },
  { label: 'RST', doc: 'Reset: aborts the connection.' },
  { label: 'URG', doc: 'Urgent pointer is significant.' },
  { label: 'PSH', doc: 'Push buffered data to the application.' },
  { label: 'ALL', doc: 'All six flags: SYN,ACK,FIN,RST,URG,PSH.' },
  { label: 'NONE', doc: 'No flag.' },
];
const tcpFlagList = enumKind('TCP flag', TCP_FLAGS, { list: true, caseInsensitive: true, what: 'a comma-separated list of TCP flags' });
/** TCP flags, comma-separated: iptables passes over an empty item (`SYN,`, or `,` for none at all). */
export const tcpFlagsKind = kind(tcpFlagList.name, tcpFlagList.what, (v, ctx) => {
  // (A list without an empty item is checked as it is: the list check keeps its answers by the text.)
  if (v !== '' && v.charCodeAt(0) !== 44 && v.charCodeAt(v.length - 1) !== 44 && !v.includes(',,')) return tcpFlagList.validate(v, ctx);
  const items = v.split(',').filter((x) => x !== '');
  return items.length ? tcpFlagList.validate(items.join(','), ctx) : undefined;
}, { choices: tcpFlagList.choices, label: tcpFlagList.label, list: tcpFlagList.list, choiceOf: tcpFlagList.choiceOf, whatIn: tcpFlagList.whatIn });

export const ICMP_TYPES: ValueChoice[] = [
  { label: 'any', doc: 'Every ICMP type.' },
  { label: 'echo-reply', doc: 'Type 0: the answer to a ping.' },
  { label: 'pong', doc: 'Type 0: alias of echo-reply.' },
  { label: 'destination-unreachable', doc: 'Type 3: a host, network, port or protocol cannot be reached; needed for path MTU discovery.' },
  { label: 'network-unreachable', doc: 'Type 3 code 0.' },
  { label: 'host-unreachable', doc: 'Type 3 code 1.' },
  { label: 'protocol-unreachable', doc: 'Type 3 code 2.' },
  { label: 'port-unreachable', doc: 'Type 3 code 3: nothing listens on that UDP port.' },
  { label: 'fragmentation-needed', doc: 'Type 3 code 4: path MTU discovery. Blocking it breaks large transfers.' },
  { label: 'source-route-failed', doc: 'Type 3 code 5.' },
  { label: 'network-unknown', doc: 'Type 3 code 6.' },
  { label: 'host-unknown', doc: 'Type 3 code 7.' },
  { label: 'network-prohibited', doc: 'Type 3 code 9.' },
  { label: 'host-prohibited', doc: 'Type 3 code 10.' },
  { label: 'TOS-network-unreachable', doc: 'Type 3 code 11.' },
  { label: 'TOS-host-unreachable', doc: 'Type 3 code 12.' },
  { label: 'communication-prohibited', doc: 'Type 3 code 13: administratively prohibited.' },
  { label: 'host-precedence-violation', doc: 'Type 3 code 14.' },
  { label: 'precedence-cutoff', doc: 'Type 3 code 15.' },
  { label: 'source-quench', doc: 'Type 4 (deprecated).' },
  { label: 'redirect', doc: 'Type 5: a router suggests a better route. Often dropped.' },
  { label: 'network-redirect', doc: 'Type 5 code 0.' },
  { label: 'host-redirect', doc: 'Type 5 code 1.' },
  { label: 'TOS-network-redirect', doc: 'Type 5 code 2.' },
  { label: 'TOS-host-redirect', doc: 'Type 5 code 3.' },
  { label: 'echo-request', doc: 'Type 8: a ping.' },
  { label: 'ping', doc: 'Type 8: alias of echo-request.' },
  { label: 'router-advertisement', doc: 'Type 9.' },
  { label: 'router-solicitation', doc: 'Type 10.' },
  { label: 'time-exceeded', doc: 'Type 11: TTL ran out (what traceroute relies on).' },
  { label: 'ttl-exceeded', doc: 'Type 11: alias of time-exceeded.' },
  { label: 'ttl-zero-during-transit', doc: 'Type 11 code 0.' },
  { label: 'ttl-zero-during-reassembly', doc: 'Type 11 code 1.' },
  { label: 'parameter-problem', doc: 'Type 12: a bad IP header.' },
  { label: 'ip-header-bad', doc: 'Type 12 code 0.' },
  { label: 'required-option-missing', doc: 'Type 12 code 1.' },
  { label: 'timestamp-request', doc: 'Type 13.' },
  { label: 'timestamp-reply', doc: 'Type 14.' },
  { label: 'address-mask-request', doc: 'Type 17.' },
  { label: 'address-mask-reply', doc: 'Type 18.' },
];

export const ICMP_TYPE_NUMBERS: Readonly<Record<string, [number, number?]>> = wordTable({
  any: [-1], 'echo-reply': [0], pong: [0], 'destination-unreachable': [3], 'network-unreachable': [3, 0],
  'host-unreachable': [3, 1], 'protocol-unreachable': [3, 2], 'port-unreachable': [3, 3], 'fragmentation-needed': [3, 4],
  'source-route-failed': [3, 5], 'network-unknown': [3, 6], 'host-unknown': [3, 7], 'network-prohibited': [3, 9],
  'host-prohibited': [3, 10], 'TOS-network-unreachable': [3, 11], 'TOS-host-unreachable': [3, 12],
  'communication-prohibited': [3, 13], 'host-precedence-violation': [3, 14], 'precedence-cutoff': [3, 15],
  'source-quench': [4], redirect: [5], 'network-redirect': [5, 0], 'host-redirect': [5, 1], 'TOS-network-redirect': [5, 2],
  'TOS-host-redirect': [5, 3], 'echo-request': [8], ping: [8], 'router-advertisement': [9], 'router-solicitation': [10],
  'time-exceeded': [11], 'ttl-exceeded': [11], 'ttl-zero-during-transit': [11, 0], 'ttl-zero-during-reassembly': [11, 1],
  'parameter-problem': [12], 'ip-header-bad': [12, 0], 'required-option-missing': [12, 1], 'timestamp-request': [13],
  'timestamp-reply': [14], 'address-mask-request': [17], 'address-mask-reply': [18],
});

export const ICMPV6_TYPES: ValueChoice[] = [
  { label: 'destination-unreachable', doc: 'Type 1.' },
  { label: 'no-route', doc: 'Type 1 code 0.' },
  { label: 'communication-prohibited', doc: 'Type 1 code 1.' },
  { label: 'beyond-scope', doc: 'Type 1 code 2.' },
  { label: 'address-unreachable', doc: 'Type 1 code 3.' },
  { label: 'port-unreachable', doc: 'Type 1 code 4.' },
  { label: 'failed-policy', doc: 'Type 1 code 5.' },
  { label: 'reject-route', doc: 'Type 1 code 6.' },
  { label: 'packet-too-big', doc: 'Type 2: path MTU discovery. IPv6 routers never fragment, so blocking it breaks connections.' },
  { label: 'time-exceeded', doc: 'Type 3.' },
  { label: 'ttl-exceeded', doc: 'Type 3: alias.' },
  { label: 'ttl-zero-during-transit', doc: 'Type 3 code 0.' },
  { label: 'ttl-zero-during-reassembly', doc: 'Type 3 code 1.' },
  { label: 'parameter-problem', doc: 'Type 4.' },
  { label: 'bad-header', doc: 'Type 4 code 0.' },
  { label: 'unknown-header-type', doc: 'Type 4 code 1.' },
  { label: 'unknown-option', doc: 'Type 4 code 2.' },
  { label: 'echo-request', doc: 'Type 128: a ping.' },
  { label: 'ping', doc: 'Type 128: alias.' },
  { label: 'echo-reply', doc: 'Type 129: the answer to a ping.' },
  { label: 'pong', doc: 'Type 129: alias.' },
  { label: 'mld-listener-query', doc: 'Type 130: multicast listener discovery.' },
  { label: 'mld-listener-report', doc: 'Type 131.' },
  { label: 'mld-listener-done', doc: 'Type 132.' },
  { label: 'mld-listener-reduction', doc: 'Type 132: alias.' },
  { label: 'router-solicitation', doc: 'Type 133: needed for address autoconfiguration.' },
  { label: 'router-advertisement', doc: 'Type 134: needed for address autoconfiguration.' },
  { label: 'neighbour-solicitation', doc: 'Type 135: IPv6 neighbour discovery (its ARP). Must be allowed.' },
  { label: 'neighbor-solicitation', doc: 'Type 135: alias.' },
  { label: 'neighbour-advertisement', doc: 'Type 136: IPv6 neighbour discovery. Must be allowed.' },
  { label: 'neighbor-advertisement', doc: 'Type 136: alias.' },
  { label: 'redirect', doc: 'Type 137.' },
];

export const ICMPV6_TYPE_NUMBERS: Readonly<Record<string, [number, number?]>> = wordTable({
  'destination-unreachable': [1], 'no-route': [1, 0], 'communication-prohibited': [1, 1], 'beyond-scope': [1, 2],
  'address-unreachable': [1, 3], 'port-unreachable': [1, 4], 'failed-policy': [1, 5], 'reject-route': [1, 6],
  'packet-too-big': [2], 'time-exceeded': [3], 'ttl-exceeded': [3], 'ttl-zero-during-transit': [3, 0],
  'ttl-zero-during-reassembly': [3, 1], 'parameter-problem': [4], 'bad-header': [4, 0], 'unknown-header-type': [4, 1],
  'unknown-option': [4, 2], 'echo-request': [128], ping: [128], 'echo-reply': [129], pong: [129],
  'mld-listener-query': [130], 'mld-listener-report': [131], 'mld-listener-done': [132], 'mld-listener-reduction': [132],
  'router-solicitation': [133], 'router-advertisement': [134], 'neighbour-solicitation': [135],
  'neighbor-solicitation': [135], 'neighbour-advertisement': [136], 'neighbor-advertisement': [136], redirect: [137],
});

/** Names that nftables gives ICMPv6 types and ip6tables (1.8.9) does not know: what to write instead. */
const NFT_ONLY_ICMPV6: Record<string, string> = { 'mld-listener-query': '130', 'mld-listener-report': '131', 'mld-listener-done': '132', 'mld-listener-reduction': '132' };

/** The names iptables and ip6tables know, in lower case, with what each stands for (without nftables' own names). */
const ICMP_BY_NAME = {
  4: new Map(Object.entries(ICMP_TYPE_NUMBERS).map(([k, v]) => [k.toLowerCase(), v])),
  6: new Map(Object.entries(ICMPV6_TYPE_NUMBERS).filter(([k]) => !NFT_ONLY_ICMPV6[k.toLowerCase()]).map(([k, v]) => [k.toLowerCase(), v])),
};
const icmpNames = (v6: boolean) => [...ICMP_BY_NAME[v6 ? 6 : 4].keys()];

/**
 * The type and code (none: every code; type -1: any type) an ICMP or ICMPv6 type stands for as iptables reads it:
 * a number, type/code, a name in any case or the beginning of exactly one name. Undefined when iptables refuses it.
 */
export function icmpTypeOf(text: string, v6: boolean): readonly [number, number?] | undefined {
  const numbers = icmpNumbers(text);
  if (numbers !== undefined) return numbers === null ? undefined : numbers;
  const lower = text.toLowerCase();
  const begun = lower === '' ? [] : icmpNames(v6).filter((n) => n.startsWith(lower));
  return begun.length === 1 ? ICMP_BY_NAME[v6 ? 6 : 4].get(begun[0]) : undefined;
}


/**
 * An ICMP type written as numbers, `type` or `type/code`, each as C's strtoul reads it (0x10 is 16, 010 is 8) up to
 * 255: the numbers; null for numbers iptables refuses; undefined for a name (names never begin with a digit).
 */
function icmpNumbers(text: string): readonly [number, number?] | null | undefined {
  if (!/^[ \t+]*\d/.test(text)) return undefined;
  const slash = text.indexOf('/');
  const type = strtoulBase0(slash < 0 ? text : text.slice(0, slash));
  const code = slash < 0 ? undefined : strtoulBase0(text.slice(slash + 1));
  if (type === undefined || type > 255 || (slash >= 0 && (code === undefined || code > 255))) return null;
  return code === undefined ? [type] : [type, code];
}

/**
 * ICMP and ICMPv6 types as libxt_icmp reads them: a number, type/code, or a name in any case, or the beginning of
 * exactly one name (`echo-req`; `echo` is both echo-request and echo-reply, which iptables refuses as ambiguous).
 */
function icmpTypeKind(name: string, choices: ValueChoice[], v6: boolean): ValueKind {
  const names = icmpNames(v6);
  return kind(
    name,
    `an ${v6 ? 'ICMPv6' : 'ICMP'} type name, number, or type/code`,
    (v) => {
      const numbers = icmpNumbers(v);
      if (numbers) return undefined;
      if (numbers === null) return err(`'${v}' is not ${v6 ? 'an ICMPv6' : 'an ICMP'} type number (0-255, with /code 0-255), as iptables reads numbers (010 is 8, 0x10 is 16, 08 is none).`);
      const lower = v.toLowerCase();
      if (v6 && NFT_ONLY_ICMPV6[lower]) {
        return { message: `ip6tables does not know the name '${v}' (nftables does) and refuses it: write its number, ${NFT_ONLY_ICMPV6[lower]}.`, replacement: NFT_ONLY_ICMPV6[lower] };
      }
      const begun = lower === '' ? [] : names.filter((n) => n.startsWith(lower));
      if (begun.length === 1) return undefined;
      if (begun.length > 1) return err(`'${v}' is ambiguous: it begins ${begun.slice(0, 4).join(', ')}${begun.length > 4 ? ', ...' : ''}; iptables refuses it. Write the whole name.`);
      return misspelt(err(`'${v}' is not a valid ${v6 ? 'ICMPv6' : 'ICMP'} type; use a name such as echo-request or a number.`), lower, names);
    },
    {
      choices,
      label: 'type[/code]',
      choiceOf: (word) => {
        const begun = word === '' ? [] : names.filter((n) => n.startsWith(word.toLowerCase()));
        return begun.length === 1 ? choices.find((c) => c.label.toLowerCase() === begun[0]) : undefined;
      },
    },
  );
}
export const icmpTypeKind4 = icmpTypeKind('ICMP type', ICMP_TYPES, false);
export const icmpTypeKind6 = icmpTypeKind('ICMPv6 type', ICMPV6_TYPES, true);

export const REJECT_TYPES: ValueChoice[] = [
  { label: 'icmp-port-unreachable', doc: 'The default: answers as if nothing listened on the port.', family: 4 },
  { label: 'icmp-net-unreachable', doc: 'Network unreachable.', family: 4 },
  { label: 'icmp-host-unreachable', doc: 'Host unreachable.', family: 4 },
  { label: 'icmp-proto-unreachable', doc: 'Protocol unreachable.', family: 4 },
  { label: 'icmp-net-prohibited', doc: 'Network administratively prohibited.', family: 4 },
  { label: 'icmp-host-prohibited', doc: 'Host administratively prohibited (what RHEL/CentOS use).', family: 4 },
  { label: 'icmp-admin-prohibited', doc: 'Communication administratively prohibited.', family: 4 },
  { label: 'net-unreach', doc: 'Short for icmp-net-unreachable.', family: 4 },
  { label: 'host-unreach', doc: 'Short for icmp-host-unreachable.', family: 4 },
  { label: 'port-unreach', doc: 'Short for icmp-port-unreachable (ip6tables: icmp6-port-unreachable).' },
  { label: 'proto-unreach', doc: 'Short for icmp-proto-unreachable.', family: 4 },
  { label: 'net-prohib', doc: 'Short for icmp-net-prohibited.', family: 4 },
  { label: 'host-prohib', doc: 'Short for icmp-host-prohibited.', family: 4 },
  { label: 'admin-prohib', doc: 'Short for icmp-admin-prohibited.', family: 4 },
  { label: 'tcp-reset', doc: 'Answers with a TCP RST, as a closed port does. Only with -p tcp.' },
  { label: 'tcp-rst', doc: 'Short for tcp-reset (iptables only).', family: 4 },
  { label: 'icmp6-port-unreachable', doc: 'The IPv6 default: port unreachable.', family: 6 },
  { label: 'icmp6-no-route', doc: 'No route to destination.', family: 6 },
  { label: 'no-route', doc: 'Short for icmp6-no-route.', family: 6 },
  { label: 'icmp6-adm-prohibited', doc: 'Administratively prohibited.', family: 6 },
  { label: 'adm-prohibited', doc: 'Short for icmp6-adm-prohibited.', family: 6 },
  { label: 'icmp6-addr-unreachable', doc: 'Address unreachable.', family: 6 },
  { label: 'addr-unreach', doc: 'Short for icmp6-addr-unreachable.', family: 6 },
  { label: 'icmp6-policy-fail', doc: 'Source address failed ingress/egress policy.', family: 6 },
  { label: 'policy-fail', doc: 'Short for icmp6-policy-fail.', family: 6 },
  { label: 'icmp6-reject-route', doc: 'Reject route to destination.', family: 6 },
  { label: 'reject-route', doc: 'Short for icmp6-reject-route.', family: 6 },
];
export const rejectWithKind = enumKind('reject type', REJECT_TYPES, { match: 'prefix' });

export const LOG_LEVELS: ValueChoice[] = [
  { label: 'emerg', doc: 'Level 0: system unusable.' },
  { label: 'alert', doc: 'Level 1.' },
  { label: 'crit', doc: 'Level 2.' },
  { label: 'error', doc: 'Level 3.' },
  { label: 'warning', doc: 'Level 4 (the default).' },
  { label: 'notice', doc: 'Level 5.' },
  { label: 'info', doc: 'Level 6.' },
  { label: 'debug', doc: 'Level 7.' },
  { label: 'panic', doc: 'Alias of emerg.' },
];

export const logLevelKind = kind(
  'log level',
  'a syslog level (0-7 or a name such as info)',
  (v) => {
    const n = strtoulBase0(v);
    if (n !== undefined && n <= 7) return undefined;
    if (LOG_LEVELS.some((l) => l.label === v)) return undefined;
    // Older iptables took names in any case and the aliases err and warn; current iptables refuses them.
    const lower = v.toLowerCase();
    if (LOG_LEVELS.some((l) => l.label === lower)) return err(`iptables refuses the log level '${v}': level names are lower case ('${lower}').`, undefined, lower);
    const full = lower === 'err' ? 'error' : lower === 'warn' ? 'warning' : undefined;
    if (full) return err(`Current iptables refuses the log level '${v}' (older versions took it): write '${full}'.`, undefined, full);
    return misspelt(err(`'${v}' is not a log level; use 0-7 or emerg, alert, crit, error, warning, notice, info, debug.`), lower, LOG_LEVELS.map((l) => l.label));
  },
  { choices: LOG_LEVELS, label: 'level' },
);

export const macKind = kind('mac', 'a MAC address (xx:xx:xx:xx:xx:xx)', (v) => {
  if (/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(v)) return undefined;
  if (/X/i.test(v)) return err(`'${v}' is an anonymised placeholder, not a MAC address: iptables refuses it.`);
  return err(`'${v}' is not a MAC address (six hexadecimal bytes separated by colons).`);
});

/** For a rate written with a fraction (`1.5/s`), the same rate in whole numbers of a longer unit: ` 1.5/s is 90/minute.` */
function sameRate(count: string, unit: string): string {
  const x = Number(count);
  const seconds = unitSeconds(unit);
  if (!Number.isFinite(x) || seconds === undefined) return '';
  for (const [name, per] of [['minute', 60], ['hour', 3600], ['day', 86400]] as const) {
    const n = (x * per) / seconds;
    if (per > seconds && Math.abs(n - Math.round(n)) < 1e-9) return ` ${count}/${unit} is ${Math.round(n)}/${name}.`;
  }
  return '';
}

/**
 * A rate as libxt_limit reads it (see kb/limit.ts): the number at the start, then `/` and the beginning of a unit,
 * in any case (`5/s`, `5/MIN`); without a `/`, whatever follows the number is ignored and the rate is per second.
 */
export const rateKind = kind('rate', 'a rate such as 3/min (per second, minute, hour or day)', (v) => {
  const m = RATE.exec(v);
  if (!m) return err(`'${v}' is not a rate; write a number and a unit: 3/second, 10/minute, 100/hour, 1000/day.`);
  const [, num, rest, unit] = m;
  if (unit !== undefined && unitSeconds(unit) === undefined) return err(`Unknown rate unit '${unit}' in '${v}'; use second, minute, hour or day (or their beginning: s, min, h, d).`);
  const fraction = rest.startsWith('.') && unit !== undefined ? sameRate(num + rest, unit) : '';
  if (Number(num) === 0) return err(`A rate of 0 is refused; the kernel cannot divide by it.${rest !== '' ? ` iptables reads '${v}' as 0: a rate is a whole number.${fraction}` : ''}`);
  // iptables reads the whole number at the start and the unit after the slash; what stands between is ignored.
  if (unit === undefined && rest !== '') return { message: `iptables reads '${v}' as ${Number(num)} per second: it ignores what follows the number. Write ${Number(num)}/second, or the unit you meant after a /.`, severity: 'warning' };
  if (rest !== '') return { message: `iptables reads '${v}' as ${Number(num)}/${unit}: a rate is a whole number, and it ignores '${rest}'.${fraction}`, severity: 'warning' };
  return undefined;
});

/** hashlimit: a byte rate (512kb/s, written in lower case) or a packet rate as -m limit reads it. */
export const hashlimitRateKind = kind('hashlimit rate', 'a rate (3/min) or a byte rate (512kb/s)', (v) => {
  const bytes = /^(\d+)(b|kb|mb|gb)\/s/.exec(v);
  if (bytes) return Number(bytes[1]) === 0 ? err('A rate of 0 is refused.') : undefined;
  return rateKind.validate(v, { family: 4 });
}, { label: 'rate' });

/**
 * hashlimit's burst: a number of packets from 1 to 1000000 (read as strtoul reads numbers), or an amount of bytes
 * (`400kb`, the units in lower case as for the rate), which a byte rate's check reads (see checks/kernel.ts).
 */
const hashlimitPackets = intKind(1, 1000000, 'a number of packets from 1 to 1000000, or an amount of bytes (400kb)');
export const hashlimitBurstKind = kind('hashlimit burst', hashlimitPackets.what, (v, ctx) => (/^\d+[a-z]+$/.test(v) ? undefined : hashlimitPackets.validate(v, ctx)), { label: 'number' });

export const markKind = kind('mark', 'a value with an optional /mask', (v) => {
  const parts = v.split('/');
  if (parts.length > 2) return err(`'${v}' is not value[/mask].`);
  for (const p of parts) {
    const n = parseNumber(p);
    if (n === undefined || n > 0xffffffff) return err(`'${p}' in '${v}' is not a 32-bit number.`);
  }
  return undefined;
}, { label: 'value[/mask]' });

export function stringKind(max: number, what = 'a text', truncated = false): ValueKind {
  return kind(`string:${max}`, what, (v) => {
    if (v.length <= max) return undefined;
    if (truncated) return { message: `Longer than ${max} characters (${v.length}): iptables cuts it to '${v.slice(0, max)}'.`, severity: 'warning' };
    return err(`Too long: at most ${max} characters, this has ${v.length}.`);
  }, { label: 'text' });
}

/** Text that iptables cuts at `max` characters and refuses when empty, with `empty` saying why. */
export function nonEmptyText(name: string, max: number, what: string, empty: string): ValueKind {
  const text = stringKind(max, what, true);
  return kind(name, text.what, (v, ctx) => (v === '' ? err(empty) : text.validate(v, ctx)), { label: 'text' });
}

/** A log prefix: not empty ("No prefix specified"), at most `max` characters (iptables cuts a longer one). */
export function prefixKind(max: number): ValueKind {
  return spaced(nonEmptyText(`string:prefix:${max}`, max, `a prefix of at most ${max} characters`, 'An empty prefix is refused ("No prefix specified"): leave the option out, or write some text.'));
}

/**
 * A name the kernel gives a file (a recent list in /proc/net/xt_recent, an idle timer in sysfs): besides the kind's
 * own rules, no '/' and not '.' or '..', which the kernel refuses.
 */
export function fileNamed(base: ValueKind, where: string): ValueKind {
  return refined(base, (v) => (v.includes('/') || v === '.' || v === '..' ? err(`'${v}' cannot be a file name (in ${where}): the kernel refuses a name with '/', and '.' or '..' ("Invalid argument").`) : undefined));
}

/** The name of a recent list: not empty (the kernel refuses it), at most 199 characters (iptables cuts a longer one). */
export const recentNameKind = fileNamed(nonEmptyText('string:name:199', 199, 'a name', 'An empty list name is refused by the kernel ("Invalid argument"): leave --name out for the list DEFAULT, or name one.'), '/proc/net/xt_recent');

/** The string match's bytes: text, with hexadecimal between pipes (`|0d 0a|`), two digits a byte; at most 256 characters. */
const stringText = stringKind(256);
export const hexStringKind = kind('string:hex', 'text with hexadecimal bytes between pipes (|0d0a|)', (v, ctx) => {
  const parts = v.split('|');
  if (parts.length % 2 === 0) return err(`'${v}' opens a hexadecimal part with | and never closes it: iptables refuses it.`);
  for (let k = 1; k < parts.length; k += 2) {
    const hex = parts[k].replace(/ /g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return err(`'|${parts[k]}|' is not whole bytes of hexadecimal (two digits each): iptables refuses it.`);
  }
  return stringText.validate(v, ctx);
}, { label: 'text' });

const HMARK_FIELDS: Record<string, string> = {
  ct: 'The connection as it was first seen (both directions of one connection get the same mark).',
  src: 'The source address.',
  dst: 'The destination address.',
  sport: 'The source port.',
  dport: 'The destination port.',
  proto: 'The protocol number.',
  spi: 'The IPsec SPI (ESP and AH).',
};

/** HMARK --hmark-tuple: the fields hashed; iptables takes the first name a word begins, in this order, in any case. */
export const hmarkTupleKind = enumKind('HMARK field', ['ct', 'src', 'dst', 'sport', 'dport', 'proto', 'spi'].map((f) => ({ label: f, doc: HMARK_FIELDS[f] })), { list: true, match: 'prefix' });

/**
 * A rate for the rateest match: a number as C's strtod reads one, and a unit after it in any case (`bit`, `kbit`,
 * `Mibit`, ..., `Bps`, `KBps`, `MiBps`, ...); a number alone is bytes per second.
 */
export const estimatorRateKind = kind('estimator rate', 'a rate: a number and a unit such as kbit, mbit, KBps or MiBps', (v) => {
  const m = /^[+-]?(?:inf(?:inity)?|nan|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i.exec(v);
  if (!m) return err(`'${v}' is not a rate: iptables wants a number, with a unit such as kbit, mbit or KBps.`);
  const unit = v.slice(m[0].length).toLowerCase();
  if (unit && !RATE_UNITS.includes(unit)) return err(`'${unit}' is not a unit iptables knows for a rate; use one of ${RATE_UNITS_SHOWN}.`);
  return undefined;
}, { label: 'rate' });

const RATE_UNITS_SHOWN = 'bit, kbit, mbit, gbit, tbit, Kibit, Mibit, Gibit, Tibit, Bps, KBps, MBps, GBps, TBps, KiBps, MiBps, GiBps, TiBps';
const RATE_UNITS = RATE_UNITS_SHOWN.toLowerCase().split(', ');

export const anyKind = kind('any', 'a value', () => undefined, { label: 'value' });

/** A time of day as libxt_time reads it: hours:minutes[:seconds], each part a number that may be left out (`:30`). */
export const timeKind = kind('time', 'a time of day (hh:mm or hh:mm:ss)', (v) => {
  const m = /^(\d*):(\d*)(?::(\d*))?$/.exec(v);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59 || (m[3] && Number(m[3]) > 59)) return err(`'${v}' is not a time of day (hh:mm[:ss]).`);
  return undefined;
});

/**
 * The parts of a date as libxt_time reads them, each a number as C's strtoul reads it (any number of digits, a
 * sign allowed, none at all read as 0), with what may follow it and its largest value: the year from 1970 to
 * 2038, then `-` month, `-` day, `T` hour, `:` minute, `:` second, stopping anywhere.
 */
const DATE_PARTS: ReadonlyArray<{ name: string; next: string; max: number }> = [
  { name: 'year', next: '-', max: 2038 }, { name: 'month', next: '-', max: 12 }, { name: 'day', next: 'T', max: 31 },
  { name: 'hour', next: ':', max: 23 }, { name: 'minute', next: ':', max: 59 }, { name: 'second', next: '', max: 59 },
];

export const dateKind = kind('date', 'a date (YYYY[-MM[-DD[Thh[:mm[:ss]]]]])', (v) => {
  let at = 0;
  for (const part of DATE_PARTS) {
    const m = /^\s*([+-]?)(\d+)/.exec(v.slice(at));
    // No digits: strtoul reads 0 and stops where it started; a minus sign makes a number past every range.
    const n = !m ? 0 : m[1] === '-' && Number(m[2]) !== 0 ? Infinity : Number(m[2]);
    at += m ? m[0].length : 0;
    const next = v[at] ?? '';
    if ((next !== part.next && next !== '') || n > part.max || (part.name === 'year' && n < 1970)) {
      return err(`'${v}' is not a date iptables takes: ${part.name === 'year' && (n < 1970 || n > 2038) ? 'the year must be from 1970 to 2038' : n > part.max ? `the ${part.name} is past ${part.max}` : `'${next}' cannot follow the ${part.name}`} (it reads YYYY[-MM[-DD[Thh[:mm[:ss]]]]]).`);
    }
    if (next === '') return undefined;
    at++;
  }
  return undefined;
});

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/**
 * Weekdays as libxt_time reads them: a number (1 is Monday, 7 Sunday), or a word whose first two letters are those
 * of a day, in that case (`Mo`, `Mon`, `Monday`; not `mon` or `MON`).
 */
export const weekdaysKind = kind(
  'weekdays',
  'a comma-separated list of weekdays (Mon..Sun or 1..7)',
  (v) => {
    for (const d of v.split(',')) {
      // A number as strtoul reads it (a sign, 0x, a leading 0): iptables sets the bit of that number.
      const day = strtoulSigned(d);
      if (day) {
        if (day.size === 0) return err(`Day ${d}: the week begins with Monday (1), and iptables refuses 0 ("the week does NOT begin with Sunday").`);
        if (day.size > 7 || day.negative) return { message: `There is no weekday ${d} (1 is Monday, 7 Sunday): iptables takes it, and which day it sets, if any, depends on the machine (past 31 the bit wraps round on some). Write a day from 1 to 7.`, severity: 'warning' };
        continue;
      }
      if (WEEKDAYS.some((w) => d.length >= 2 && d.startsWith(w.slice(0, 2)))) continue;
      const fixed = dayInCase(d);
      if (!fixed) return err(`'${d}' is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun or 1-7.`);
      // Every day written in another case, set right at once (when each is a day).
      const all = v.split(',').map((x) => (/^\d+$/.test(x) ? x : dayInCase(x)));
      return err(`iptables reads weekdays in their case: '${d}' is refused; write '${fixed}'.`, undefined, all.every(Boolean) ? all.join(',') : undefined);
    }
    return undefined;
  },
  { choices: WEEKDAYS.map((w) => ({ label: w, doc: fullDay(w) })), list: true },
);
/** The day a word names in another case (`mon`, `MONDAY`), as iptables takes it (`Mon`). */
function dayInCase(d: string): string | undefined {
  if (WEEKDAYS.some((w) => d.length >= 2 && d.startsWith(w.slice(0, 2)))) return d;
  return WEEKDAYS.find((w) => d.length >= 2 && d.toLowerCase().startsWith(w.slice(0, 2).toLowerCase()));
}

function fullDay(w: string): string {
  return { Mon: 'monday', Tue: 'tuesday', Wed: 'wednesday', Thu: 'thursday', Fri: 'friday', Sat: 'saturday', Sun: 'sunday' }[w] ?? w;
}

/**
 * Days of the month, 1 to 31: an empty item is skipped, and day 0 is taken and matches no day. libxt_time reads an
 * item with more than digits in ways of its own (`2024` is day 20, `15-x` day 15): such items get a warning.
 */
export const monthdaysKind = kind('monthdays', 'a comma-separated list of days of the month (1-31)', (v) => {
  let warning: ValueProblem | undefined;
  for (const d of v.split(',')) {
    if (d === '') continue;
    // iptables reads at most two characters of each day, as a number (strtoul, base 0), and skips the rest.
    const n = strtoulBase0(d.slice(0, 2));
    if (n === undefined || n > 31) return err(`'${d}' is not a day of the month (1-31).`);
    if (d.length > 2) warning ??= { message: `'${d}' is not a plain day of the month: iptables reads only its first two characters (${d.slice(0, 2)}). Write the days as numbers from 1 to 31.`, severity: 'warning' };
    else if (n === 0) warning ??= { message: 'There is no day 0: iptables takes it, and it matches no day.', severity: 'warning' };
  }
  return warning;
});

export const ADDRTYPES: ValueChoice[] = [
  { label: 'UNSPEC', doc: 'Unspecified address.' },
  { label: 'UNICAST', doc: 'A unicast address.' },
  { label: 'LOCAL', doc: 'An address of this machine.' },
  { label: 'BROADCAST', doc: 'A broadcast address.', family: 4 },
  { label: 'ANYCAST', doc: 'An anycast address.' },
  { label: 'MULTICAST', doc: 'A multicast address.' },
  { label: 'BLACKHOLE', doc: 'A blackhole route.', family: 4 },
  { label: 'UNREACHABLE', doc: 'An unreachable route.' },
  { label: 'PROHIBIT', doc: 'A prohibited route.', family: 4 },
  { label: 'THROW', doc: 'A throw route.', family: 4 },
  { label: 'NAT', doc: 'A NAT route.', family: 4 },
  { label: 'XRESOLVE', doc: 'An external resolver route.', family: 4 },
];
export const addrtypeKind = enumKind('address type', ADDRTYPES, { list: true, match: 'prefix' });

export const pkttypeKind = enumKind('packet type', [
  { label: 'unicast', doc: 'Addressed to this host.' },
  { label: 'broadcast', doc: 'Addressed to every host of the link.' },
  { label: 'multicast', doc: 'Addressed to a multicast group.' },
  { label: 'otherhost', doc: 'Addressed to another host (seen in promiscuous mode, or on a bridge).' },
  { label: 'host', doc: 'Another name of unicast (iptables-save writes unicast).' },
], { caseInsensitive: true });

export const TOS_NAMES: ValueChoice[] = [
  { label: 'Minimize-Delay', doc: '0x10.' },
  { label: 'Maximize-Throughput', doc: '0x08.' },
  { label: 'Maximize-Reliability', doc: '0x04.' },
  { label: 'Minimize-Cost', doc: '0x02.' },
  { label: 'Normal-Service', doc: '0x00.' },
];
export const tosKind = kind(
  'tos',
  'a TOS value[/mask] or name (Minimize-Delay, ...)',
  (v) => {
    if (TOS_NAMES.some((t) => t.label.toLowerCase() === v.toLowerCase())) return undefined;
    const parts = v.split('/');
    if (parts.length <= 2 && parts.every((p) => { const n = parseNumber(p); return n !== undefined && n <= 255; })) return undefined;
    return err(`'${v}' is not a TOS value (0-255, optional /mask) or name.`);
  },
  { choices: TOS_NAMES },
);

const DSCP_CLASSES = ['CS0', 'CS1', 'CS2', 'CS3', 'CS4', 'CS5', 'CS6', 'CS7', 'BE', 'EF', 'AF11', 'AF12', 'AF13', 'AF21', 'AF22', 'AF23', 'AF31', 'AF32', 'AF33', 'AF41', 'AF42', 'AF43'];
export const dscpClassKind = enumKind('DSCP class', DSCP_CLASSES.map((c) => ({ label: c, doc: `DiffServ class ${c}.` })), { caseInsensitive: true });

export const setFlagsKind = kind('set flags', 'a comma-separated list of src/dst (one per set dimension)', (v) => {
  const parts = v.split(',');
  if (parts.length > 6 || parts.some((p) => p !== 'src' && p !== 'dst')) return err(`'${v}' is not a list of src/dst flags.`);
  return undefined;
}, { label: 'src|dst[,…]' });

export const setNameKind = kind('set name', 'an ipset name', (v) => {
  if (v.length > 31) return err(`ipset names are at most 31 characters; '${v}' has ${v.length}.`);
  return undefined;
}, { label: 'set' });

/**
 * A user or group: a name (looked up when the rule is loaded), or a number or range from-to read as C's strtoul
 * reads numbers (0x10 is 16, 010 is 8), at most 4294967294 (the last number means no one), in order.
 */
export const ownerKind = kind('user or group', 'a user/group name, number, or range', (v) => {
  if (/^[a-z_][a-z0-9_.-]*\$?$/i.test(v)) return undefined;
  const parts = v.split('-');
  const ids = parts.length <= 2 ? parts.map((p) => strtoulBase0(p)) : [];
  if (!ids.length || ids.some((n) => n === undefined || n > 4294967294)) return err(`'${v}' is not a user or group name, nor a number or range from 0 to 4294967294 as iptables reads numbers.`);
  if (ids.length === 2 && ids[0]! > ids[1]!) return err(`'${v}' starts above its end: iptables refuses it. Write ${parts[1]}-${parts[0]}.`);
  return undefined;
}, { label: 'user|group' });

/** The addresses of a type 0 routing header (-m rt --rt-0-addrs): up to 16 IPv6 addresses, comma-separated. */
export const rtAddressesKind = kind('rt-addresses', 'up to 16 IPv6 addresses, comma-separated', (v) => {
  const items = v.split(',');
  if (items.length > 16) return err(`${items.length} addresses: a type 0 routing header holds at most 16, and ip6tables refuses more ("too many addresses specified").`);
  const bad = items.find((a) => parseAddress(a)?.family !== 6);
  return bad === undefined ? undefined : err(`'${bad}' is not an IPv6 address: ip6tables refuses it ("bad address").`);
}, { label: 'address,...' });

/**
 * The options of an IPv6 hop-by-hop or destination options header (-m hbh --hbh-opts, -m dst --dst-opts): up to 16
 * items `type[:length]`, comma-separated, each number as C's strtoul reads it (a sign, 0x, a leading 0 for octal).
 */
export const ipv6OptionsKind = kind('ipv6-options', 'up to 16 option types, each with an optional :length, comma-separated', (v) => {
  const items = v.split(',');
  if (items.length > 16) return err(`${items.length} options: ip6tables takes at most 16 ("too many addresses specified").`);
  const number = (x: string) => strtoulSigned(x) !== undefined;
  for (const item of items) {
    const colon = item.indexOf(':');
    const type = colon < 0 ? item : item.slice(0, colon);
    if (!number(type)) return err(`'${type}' is not a number: each option is a type, optionally followed by :length, and ip6tables refuses ${type === '' ? 'an empty one' : 'it'}.`);
    if (colon >= 0 && !number(item.slice(colon + 1))) return err(`'${item.slice(colon + 1)}' after '${type}:' is not a number (an option's length): ip6tables refuses it.`);
  }
  return undefined;
}, { label: 'type[:length],...' });

/**
 * The bit a label written as a number names, as iptables reads it: strtoul with base 0 (saturating at 64 bits), then
 * an int (a negative one is taken for a name instead), kept in 16 bits. Undefined for a name.
 */
function labelBit(v: string): number | undefined {
  const m = /^[ \t]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(v);
  if (!m) return undefined;
  let n = m[1] !== undefined ? BigInt(`0x${m[1]}`) : m[2] !== undefined ? BigInt(`0o${m[2].slice(1) || '0'}`) : BigInt(m[3]);
  if (n >= 1n << 64n) n = (1n << 64n) - 1n;
  if (n & (1n << 31n)) return undefined;
  return Number(n & 0xffffn);
}

/**
 * A connection label (-m connlabel --label): a bit number from 0 to 127 (as strtoul reads it), or a name that
 * iptables looks up in /etc/xtables/connlabel.conf on the machine loading the rules.
 */
export const connlabelKind = kind('connlabel', 'a label: a number from 0 to 127, or a name from /etc/xtables/connlabel.conf', (v) => {
  if (v === '') return err('An empty label: iptables refuses it ("Argument must have a minimum length of 1 characters").');
  const bit = labelBit(v);
  if (bit !== undefined) {
    if (bit > 127) return err(`Label ${v}${String(bit) === v ? '' : ` (kept as ${bit}: iptables keeps 16 bits of it)`}: the kernel holds labels 0 to 127 and refuses it ("Numerical result out of range").`);
    if (String(bit) !== v && strtoulBase0(v) !== bit) return { message: `Label ${v} is kept in 16 bits, as label ${bit}: write ${bit}.`, severity: 'warning', replacement: String(bit) };
    return undefined;
  }
  return { message: `'${v}' is a label name: iptables looks it up in /etc/xtables/connlabel.conf when loading, and refuses the rule where that file does not name it (or does not exist). A number from 0 to 127 needs no file.`, severity: 'warning' };
}, { label: 'label' });

/** SCTP chunk types as the sctp match names them, with the flags each may carry (a letter in capitals: set; small: clear). */
const SCTP_CHUNKS: Array<[string, string, string]> = [
  ['DATA', 'IUBE', 'User data.'], ['INIT', '', 'Starts an association.'], ['INIT_ACK', '', 'Answers INIT.'],
  ['SACK', '', 'Acknowledges data.'], ['HEARTBEAT', '', 'Probes a path.'], ['HEARTBEAT_ACK', '', 'Answers HEARTBEAT.'],
  ['ABORT', 'T', 'Ends an association at once.'], ['SHUTDOWN', '', 'Begins a graceful close.'], ['SHUTDOWN_ACK', '', 'Answers SHUTDOWN.'],
  ['ERROR', '', 'Reports an error.'], ['COOKIE_ECHO', '', 'Returns the state cookie.'], ['COOKIE_ACK', '', 'Answers COOKIE_ECHO.'],
  ['ECN_ECNE', '', 'Explicit congestion notification echo.'], ['ECN_CWR', '', 'Congestion window reduced.'],
  ['SHUTDOWN_COMPLETE', 'T', 'Ends a graceful close.'], ['I_DATA', 'IUBE', 'User data, interleaved.'], ['RE_CONFIG', '', 'Stream reconfiguration.'],
  ['PAD', '', 'Padding.'], ['ASCONF', '', 'Address configuration change.'], ['ASCONF_ACK', '', 'Answers ASCONF.'],
  ['FORWARD_TSN', '', 'Moves the cumulative acknowledgement point.'], ['I_FORWARD_TSN', '', 'FORWARD_TSN for interleaved data.'],
];
const SCTP_CHUNK_FLAGS = new Map(SCTP_CHUNKS.map(([name, flags]) => [name, flags]));

/**
 * The chunk types of -m sctp --chunk-types: a comma-separated list of names (in any case, empty items skipped), each
 * with optional flags after a colon (DATA and I_DATA: I, U, B, E; ABORT and SHUTDOWN_COMPLETE: T), or ALL or NONE alone.
 */
export const sctpChunksKind = kind('sctp-chunks', 'a comma-separated list of SCTP chunk types, each with optional :flags (or ALL, NONE)', (v) => {
  if (/^(all|none)$/i.test(v)) return undefined;
  const names = SCTP_CHUNKS.map(([name]) => name);
  for (const item of v.split(',')) {
    if (item === '') continue;
    const colon = item.indexOf(':');
    const name = (colon < 0 ? item : item.slice(0, colon)).toUpperCase();
    const allowed = SCTP_CHUNK_FLAGS.get(name);
    if (allowed === undefined) {
      const whole = /^(all|none)$/i.test(name) ? ` ${name} stands alone, for every chunk type or none.` : '';
      const mended = (near: string) => v.split(',').map((x) => (x === item ? near + (colon < 0 ? '' : item.slice(colon)) : x)).join(',');
      return misspelt(err(`'${item}' names no SCTP chunk type iptables knows: it refuses it ("Unknown sctp chunk").${whole}`), name, names, mended);
    }
    const flags = colon < 0 ? '' : item.slice(colon + 1);
    const bad = [...flags].find((f) => !allowed.includes(f.toUpperCase()));
    if (bad !== undefined) return err(`'${item}': ${allowed ? `${name} takes the flags ${[...allowed].join(', ')} (a capital sets one, a small letter clears it)` : `${name} takes no flags`}, and iptables refuses '${bad}' ("Invalid flags for chunk type").`);
  }
  return undefined;
}, { label: 'chunk[:flags],...', choices: SCTP_CHUNKS.map(([label, , doc]) => ({ label, doc })), list: true });

/**
 * A time as RATEEST reads it, in microseconds: a number as C's strtod reads it (blanks before it, a fraction, an
 * exponent, 0x), then a unit in any case (s, sec, secs, ms, msec, msecs, us, usec, usecs); no unit is microseconds.
 * Undefined when iptables refuses it ("bad interval value").
 */
export function rateestMicros(v: string): number | undefined {
  const m = /^[ \t\n]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))(s|secs?|ms|msecs?|us|usecs?)?$/i.exec(v);
  if (!m) return undefined;
  const unit = (m[2] ?? 'us').toLowerCase();
  return strtodValue(m[1]) * (unit.startsWith('u') ? 1 : unit.startsWith('m') ? 1e3 : 1e6);
}

/** The value of a number strtod reads (see rateestMicros): JavaScript reads no sign before 0x, nor 0x fractions. */
function strtodValue(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[+-]/, '');
  const hex = /^0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/i.exec(body);
  if (!hex) return sign * Number(body);
  const [, whole, fraction, exponent] = hex;
  const mantissa = parseInt(whole || '0', 16) + (fraction ? parseInt(fraction, 16) / 16 ** fraction.length : 0);
  return sign * mantissa * 2 ** Number(exponent ?? 0);
}

export const rateestTimeKind = kind('rateest-time', 'a time: a number and a unit (250ms, 1s; no unit is microseconds)', (v) => {
  const t = rateestMicros(v);
  if (t === undefined) return err(`'${v}' is not a time RATEEST reads (a number and s, ms or us): iptables refuses it ("bad interval value").`);
  if (t > 0 && t < 1000 && !/[a-z]$/i.test(v)) return { message: `'${v}' has no unit, and RATEEST reads it as microseconds: write ${v}s if seconds are meant.`, severity: 'warning' };
  return undefined;
}, { label: 'time' });

/** The u32 match's expression (see u32.ts). */
export const u32Kind = kind('string:u32', 'a u32 expression (location=value[,value...][&&...])', (v) => {
  const problem = u32Problem(v);
  return problem ? err(`iptables refuses the u32 expression '${v}' ${problem}.`) : undefined;
}, { label: 'expression' });

/** The bpf match's program (see bpf.ts). */
export const bytecodeKind = kind('string:bpf', 'a BPF program (count,code jt jf k,code jt jf k,...)', (v) => {
  const problem = bytecodeProblem(v);
  return problem ? err(`${problem}.`) : undefined;
}, { label: 'bytecode' });

/**
 * A tc class: two hexadecimal numbers, major:minor, as C's sscanf("%x:%x") reads them (a sign and a leading 0x
 * allowed, anything after the minor number ignored). The kernel keeps 16 bits of each: more (or a minus sign) is a
 * warning that says what is kept, as is text after the minor number.
 */
export const classKind = kind('class', 'a traffic class major:minor (hexadecimal)', (v) => {
  const m = /^\s*([+-]?(?:0[xX])?[0-9a-fA-F]+):\s*([+-]?(?:0[xX])?[0-9a-fA-F]+)/.exec(v);
  if (!m) return err(`'${v}' is not a class in major:minor form (two hexadecimal numbers).`);
  const read = (x: string) => {
    const neg = x.startsWith('-');
    const n = BigInt.asUintN(32, BigInt(`0x${x.replace(/^[+-]/, '').replace(/^0[xX]/, '')}`));
    return neg ? BigInt.asUintN(32, -n) : n;
  };
  const [major, minor] = [read(m[1]), read(m[2])];
  const hex = (n: bigint) => (n & 0xffffn).toString(16).padStart(4, '0');
  if (major <= 0xffffn && minor <= 0xffffn && m[0].length === v.length && !m[0].includes('-')) return undefined;
  return { message: `iptables reads '${v}' as the class ${hex(major)}:${hex(minor)}${m[0].length < v.length ? `, leaving out '${v.slice(m[0].length)}'` : ''}${major > 0xffffn || minor > 0xffffn ? ' (the kernel keeps 16 bits of each number)' : ''}. Write ${hex(major)}:${hex(minor)}.`, severity: 'warning', replacement: `${hex(major)}:${hex(minor)}` };
});

export const floatKind = kind('probability', 'a number between 0 and 1', (v) => {
  const n = Number(v);
  if (!/^\d*\.?\d+$/.test(v) || n < 0 || n > 1) return err(`'${v}' is not a probability between 0 and 1.`);
  return undefined;
});
