/** Parsing of IPv4/IPv6 addresses, prefixes and netmasks into numbers (bigint) for validation and analysis. */
import { strtoulBase0 } from './services';
import { TextCache } from '../textCache';

export type Family = 4 | 6;

export interface ParsedAddress {
  family: Family;
  value: bigint;
}

export interface ParsedNet {
  family: Family;
  /** The mask as a number; a dotted mask need not be contiguous (iptables keeps it as written). */
  mask: bigint;
  /** The mask is a prefix: [lo, hi] is exactly the set of matching addresses. */
  contiguous: boolean;
  /** First and last address of the network after the mask is applied. */
  lo: bigint;
  hi: bigint;
  prefix: number;
  /** The address as written had bits set outside the prefix. */
  hostBitsSet: boolean;
  /** The network address (address with the mask applied). */
  network: bigint;
}

/**
 * A dotted IPv4 address as iptables reads it; like iptables, missing trailing parts are zero (`10.1` is 10.1.0.0,
 * `0` is 0.0.0.0). The common form, one to four decimal parts each at most 255, is read character by character
 * (blocklists have tens of thousands of addresses); any other (a part with a leading zero, which is octal, or 0x,
 * hexadecimal; a number standing for several parts) is read by readIPv4Exactly.
 */
export function parseIPv4(s: string): bigint | undefined {
  let v = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= s.length; i++) {
    // The end of the text closes the last part as a dot would.
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      // A leading zero before another digit: an octal part.
      if (++digits > 3 || (digits === 2 && part === 0)) return slowIPv4(s);
      part = part * 10 + (c - 48);
      continue;
    }
    if (c === 120 || c === 88 || c === 43 || c === 32 || c === 9) return slowIPv4(s);
    if (c !== 46 || digits === 0 || ++parts > 4) return undefined;
    if (part > 255) return slowIPv4(s);
    v = v * 256 + part;
    part = 0;
    digits = 0;
  }
  for (let k = parts; k < 4; k++) v *= 256;
  return BigInt(v);
}

/**
 * The IPv4 address inside an IPv6 one (`::ffff:10.0.0.1`), read as the C library's inet_pton reads it: exactly four
 * decimal parts up to 255, none with a leading zero.
 */
function dottedQuad(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((v, p) => v * 256 + Number(p), 0);
}

function slowIPv4(s: string): bigint | undefined {
  const v = readIPv4Exactly(s);
  return v === undefined ? undefined : BigInt(v);
}

/**
 * An IPv4 address as iptables reads one that is not in the common form. First its own reading: one to four parts,
 * each a number as C's strtoul reads it (`010` is 8, `0x10` is 16, `08` is none) up to 255, missing ones zero.
 * Failing that, the C library's (inet_aton, through getaddrinfo): the last part fills the bytes the parts before it
 * leave (`65536` is 0.1.0.0, `1.65536` is 1.1.0.0), each part octal, hexadecimal or decimal, without a sign.
 */
export function readIPv4Exactly(s: string): number | undefined {
  const own = ownIPv4(s);
  if (own !== undefined) return own;
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  let value = 0;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k];
    const n = /^(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(p) ? strtoulBase0(p) : undefined;
    const room = k === parts.length - 1 ? 256 ** (4 - k) : 256;
    if (n === undefined || n >= room) return undefined;
    value = k === parts.length - 1 ? value * room + n : value * 256 + n;
  }
  return value;
}

/**
 * An IPv4 address as iptables' own reader takes it, without the C library's forms after it (as the iprange match
 * reads its ranges): one to four parts, each a number as C's strtoul reads it up to 255, missing ones zero.
 */
export function ownIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  let own = 0;
  for (const p of parts) {
    const n = strtoulBase0(p);
    if (n === undefined || n > 255) return undefined;
    own = own * 256 + n;
  }
  return own * 256 ** (4 - parts.length);
}

/**
 * How iptables reads an IPv4 address written in an uncommon form, where that is not what its digits say in decimal
 * (`192.168.001.010` is 192.168.1.8): the address it loads, or null when it refuses it; undefined for the common
 * form, and where the reading is the decimal one (`10.0.0.00`).
 */
export function surprisingIPv4(s: string): string | null | undefined {
  if (!/^[+0-9a-fA-FxX.]+$/.test(s) || !/(?:^|\.)(?:0[0-9xX]|\+)|\d{4}|[xX]|(?:^|\.)(?:25[6-9]|2[6-9]\d|[3-9]\d\d)(?:\.|$)/.test(s)) return undefined;
  const exact = readIPv4Exactly(s);
  if (exact === undefined) return /^[+0-9.]+$/.test(s) ? null : undefined;
  const parts = s.split('.');
  const decimal = parts.length <= 4 && parts.every((p) => /^\+?\d{1,3}$/.test(p) && Number(p) <= 255) ? parts.reduce((a, p) => a * 256 + Number(p), 0) * 256 ** (4 - parts.length) : undefined;
  return decimal === exact ? undefined : formatAddress(BigInt(exact), 4);
}

/** The range the last successful readIPv4Net found (two numbers, so that a check needs no list). */
let netLo = 0;
let netHi = 0;

/**
 * Reads an IPv4 address with an optional prefix length in one pass, by parseNet's rules: parts of one to three digits
 * up to 255, at most four (missing ones are zeros), a decimal prefix length up to 32. Sets netLo and netHi.
 */
function readIPv4Net(s: string): boolean {
  const n = s.length;
  let v = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let i = 0;
  for (; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      // A part with a leading zero (octal to iptables) takes parseNet's path.
      if (++digits > 3 || (digits === 2 && part === 0)) return false;
      part = part * 10 + (c - 48);
      continue;
    }
    const slash = c === 47;
    if ((c !== 46 && !slash) || digits === 0 || part > 255 || ++parts > 4) return false;
    v = v * 256 + part;
    part = 0;
    digits = 0;
    if (slash) break;
  }
  for (let p = parts; p < 4; p++) v *= 256;
  let prefix = 32;
  if (i < n) {
    // The prefix length: digits only, at most 32; a leading zero (octal to iptables) takes parseNet's path.
    if (i === n - 1 || (s.charCodeAt(i + 1) === 48 && i + 2 < n)) return false;
    prefix = 0;
    for (let k = i + 1; k < n; k++) {
      const c = s.charCodeAt(k);
      if (c < 48 || c > 57) return false;
      prefix = prefix * 10 + (c - 48);
      if (prefix > 32) return false;
    }
  }
  const size = 2 ** (32 - prefix);
  netLo = v - (v % size);
  netHi = netLo + size - 1;
  return true;
}

/**
 * Whether `s` is an IPv4 address in the common form (decimal parts without a leading zero) with an optional prefix
 * length (`10.1.2.3`, `10.0.0.0/8`) that parseNet reads without complaint: checked without building the parsed
 * form, as a ruleset's own addresses are checked while parsing (a blocklist has thousands that are read once).
 */
export function isIPv4Net(s: string): boolean {
  return readIPv4Net(s);
}

/**
 * The first and last address of an IPv4 network written as isIPv4Net accepts it (`10.0.0.0/8`, `1.2.3.4`), as
 * numbers; undefined for anything else. The same range parseNet gives, without its cache or its parsed form.
 */
export function ipv4NetRange(s: string): [number, number] | undefined {
  return readIPv4Net(s) ? [netLo, netHi] : undefined;
}

/** The value of a hexadecimal digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * An IPv6 address: eight groups of one to four hex digits separated by colons, one `::` standing for one or more
 * groups of zeros, and optionally an IPv4 address in place of the last two groups (`::ffff:10.0.0.1`). Read by
 * hand, one character at a time (blocklists of IPv6 addresses are long).
 */
export function parseIPv6(s: string): bigint | undefined {
  const n = s.length;
  const groups: number[] = [];
  /** Where `::` stands among the groups, or -1. */
  let gap = -1;
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return undefined;
    gap = 0;
    i = 2;
  } else if (s.indexOf(':') < 0) return undefined;
  while (i < n) {
    let v = 0;
    let j = i;
    for (let h = j < n ? hexDigit(s.charCodeAt(j)) : -1; h >= 0; h = ++j < n ? hexDigit(s.charCodeAt(j)) : -1) v = v * 16 + h;
    if (j < n && s.charCodeAt(j) === 46 /* . */) {
      // An IPv4 address as the last two groups.
      const w = dottedQuad(s.slice(i));
      if (w === undefined) return undefined;
      groups.push(Math.floor(w / 65536), w % 65536);
      break;
    }
    if (j === i || j - i > 4) return undefined;
    groups.push(v);
    if (j === n) break;
    if (s.charCodeAt(j) !== 58) return undefined;
    j++;
    if (j < n && s.charCodeAt(j) === 58) {
      if (gap >= 0) return undefined;
      gap = groups.length;
      j++;
    } else if (j === n) return undefined;
    i = j;
  }
  if (gap >= 0) {
    const missing = 8 - groups.length;
    if (missing < 1) return undefined;
    groups.splice(gap, 0, ...new Array<number>(missing).fill(0));
  }
  if (groups.length !== 8) return undefined;
  const word = (k: number) => BigInt(groups[2 * k] * 65536 + groups[2 * k + 1]);
  return (word(0) << 96n) | (word(1) << 64n) | (word(2) << 32n) | word(3);
}

export function parseAddress(s: string): ParsedAddress | undefined {
  const v4 = parseIPv4(s);
  if (v4 !== undefined) return { family: 4, value: v4 };
  // Brackets belong to the NAT targets' syntax (`[::1]:80`), which takes them off first: -s refuses `[::1]`.
  const v6 = parseIPv6(s);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function maxAddress(family: Family): bigint {
  return (1n << BigInt(bits(family))) - 1n;
}

function maskToPrefix(mask: bigint, family: Family): number | undefined {
  const total = bits(family);
  let prefix = 0;
  let seenZero = false;
  for (let b = total - 1; b >= 0; b--) {
    const set = (mask >> BigInt(b)) & 1n;
    if (set && seenZero) return undefined;
    if (set) prefix++;
    else seenZero = true;
  }
  return prefix;
}

export type NetResult = { ok: true; net: ParsedNet } | { ok: false; message: string };

const netCache = new TextCache<NetResult | undefined>(16384);

/** Parses `addr`, `addr/prefix` or `addr/dotted-mask` (no hostnames). Results are cached: rulesets repeat addresses. */
export function parseNet(s: string): NetResult | undefined {
  return netCache.get(s, parseNetUncached);
}

function parseNetUncached(s: string): NetResult | undefined {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const addr = parseAddress(addrText);
  if (!addr) return undefined;
  const total = bits(addr.family);
  const all = maxAddress(addr.family);
  let mask = all;
  let prefix = total;
  if (slash >= 0) {
    const maskText = s.slice(slash + 1);
    // A prefix length as iptables reads numbers (strtoul: /010 is /8, /0x8 is /8), or else a mask.
    const length = addr.family === 4 && maskText.includes('.') ? undefined : strtoulBase0(maskText);
    if (length !== undefined) {
      prefix = length;
      if (prefix > total) {
        return { ok: false, message: `Prefix length /${maskText} is too long for an IPv${addr.family} address (at most /${total}).` };
      }
      mask = (all << BigInt(total - prefix)) & all;
    } else {
      // Not a number: a mask written as an address (iptables takes nothing else).
      const m = addr.family === 4 ? (maskText.includes('.') ? parseIPv4(maskText) : undefined) : maskText.includes(':') ? parseIPv6(maskText) : undefined;
      if (m === undefined) return { ok: false, message: `'${maskText}' is not a valid netmask (a prefix length or a dotted mask).` };
      mask = m;
      prefix = maskToPrefix(m, addr.family) ?? -1;
    }
  }
  const network = addr.value & mask;
  const contiguous = prefix >= 0;
  const hostMask = all & ~mask;
  return {
    ok: true,
    net: { family: addr.family, mask, contiguous, lo: network, hi: contiguous ? network | hostMask : network, prefix, hostBitsSet: (addr.value & hostMask) !== 0n, network },
  };
}

export function formatAddress(v: bigint, family: Family): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  }
  const groups: string[] = [];
  for (let k = 7; k >= 0; k--) groups.push(((v >> BigInt(k * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== '0') {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && groups[e] === '0') e++;
    if (e - k > bestLen && e - k > 1) {
      best = k;
      bestLen = e - k;
    }
    k = e;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** A hostname as iptables would resolve it at load time. */
export function looksLikeHostname(s: string): boolean {
  return /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(s) && !/^[0-9.]+$/.test(s);
}
