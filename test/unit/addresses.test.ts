/**
 * Properties: the hand-written IPv4 and IPv6 readers accept exactly what the plain definitions accept, with the same
 * value; the quick check of IPv4 networks accepts exactly the IPv4 networks with a prefix length that parseNet reads,
 * and gives the same range; the quick reading of decimal numbers gives what strtoul with base 0 gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipv4NetRange, isIPv4Net, parseIPv4, parseIPv6, parseNet } from '../../server/src/engine/kb/addresses';
import { mulberry } from '../../server/src/engine/trace/confirm';
import { strtoulBase0 } from '../../server/src/engine/kb/services';
import { plainPort, plainPortCount, portListKind, portRangeKind, readPortRange, strictPortRangeKind } from '../../server/src/engine/kb/values';

/** Random strings of up to `longest - 1` characters drawn from `chars` (PROPERTY_RUNS × 100 of them, from `seed`). */
function* randomStrings(seed: number, chars: string, longest: number): Generator<string> {
  const rnd = mulberry(seed);
  for (let t = 0; t < Number(process.env.PROPERTY_RUNS ?? 300) * 100; t++) {
    let s = '';
    for (let k = Math.floor(rnd() * longest); k > 0; k--) s += chars[Math.floor(rnd() * chars.length)];
    yield s;
  }
}

/** A number as C's strtoul reads it with base 0 (a sign and blanks before it allowed), or undefined. */
function cNumber(p: string, signed: boolean): number | undefined {
  const m = (signed ? /^[ \t]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/ : /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/).exec(p);
  return m ? Number(m[1].toLowerCase().startsWith('0x') ? m[1] : m[1].length > 1 && m[1][0] === '0' ? parseInt(m[1], 8) : m[1]) : undefined;
}

/**
 * IPv4 as iptables reads it: its own reading first (one to four parts, each a C number up to 255, missing trailing
 * parts zero), then the C library's inet_aton (the last part fills the bytes the others leave, no sign).
 */
function reference(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const own = parts.map((p) => cNumber(p, true));
  if (own.every((n) => n !== undefined && n <= 255)) return BigInt((own as number[]).reduce((v, n) => v * 256 + n, 0) * 256 ** (4 - parts.length));
  const aton = parts.map((p) => cNumber(p, false));
  const last = parts.length - 1;
  if (aton.some((n, k) => n === undefined || n >= (k === last ? 256 ** (4 - last) : 256))) return undefined;
  return BigInt((aton as number[]).reduce((v, n, k) => (k === last ? v * 256 ** (4 - last) + n : v * 256 + n), 0));
}

test('parseIPv4 agrees with the reference on edge cases and on random strings of digits and dots', () => {
  const cases = ['', '.', '1', '1.', '.1', '10.1', '1.2.3', '1.2.3.4', '1.2.3.4.5', '255.255.255.255', '256.1.1.1', '1.2.3.256', '001.002.003.004', '0001.1.1.1', '1..2', '1.2.3.4/8', ' 1.2.3.4', '12.34.56.789', '0',
    '192.168.001.010', '192.168.001.008', '08', '0x10.0.0.1', '65536', '1.65536', '1.2.65535', '0x7f000001', '4294967295', '4294967296', '+1.2.3.4', '0x', '1.0x'];
  for (const c of cases) assert.equal(parseIPv4(c), reference(c), JSON.stringify(c));
  assert.equal(parseIPv4('10.1'), 0x0a010000n);
  assert.equal(parseIPv4('192.168.001.010'), 0xc0a80108n);
  assert.equal(parseIPv4('1.65536'), 0x01010000n);
  for (const s of randomStrings(9, '0123456789..x+', 13)) {
    assert.equal(parseIPv4(s), reference(s), JSON.stringify(s));
  }
});

/**
 * What isIPv4Net stands for: parseNet reads it as IPv4 without complaint, its parts are in the common form (decimal,
 * no leading zero), and any mask is a prefix length.
 */
function netReference(s: string): boolean {
  const r = parseNet(s);
  const common = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){0,3}(\/|$)/.test(s) && s.split('/')[0].split('.').every((p) => Number(p) <= 255);
  return !!r && r.ok && r.net.family === 4 && common && (!s.includes('/') || /\/(0|[1-9]\d*)$/.test(s));
}

test('isIPv4Net accepts exactly the IPv4 networks parseNet reads (with a decimal prefix length, not a dotted mask)', () => {
  const cases = ['', '/', '1.2.3.4', '1.2.3.4/', '1.2.3.4/0', '1.2.3.4/32', '1.2.3.4/33', '1.2.3.4/032', '1.2.3.4/0032', '10.0.0.0/8', '10/8', '1.2.3.4/255.0.0.0', '1.2.3.4/8/8', '::1', '1.2.3.4.5/8', '256.0.0.0/8', '1.2.3.4/x'];
  for (const c of cases) assert.equal(isIPv4Net(c), netReference(c), JSON.stringify(c));
  for (const s of randomStrings(11, '0123456789../3x:', 16)) {
    assert.equal(isIPv4Net(s), netReference(s), JSON.stringify(s));
    const r = parseNet(s);
    assert.deepEqual(ipv4NetRange(s), isIPv4Net(s) && r?.ok ? [Number(r.net.lo), Number(r.net.hi)] : undefined, JSON.stringify(s));
  }
  assert.deepEqual(ipv4NetRange('10.1.2.3/8'), [0x0a000000, 0x0affffff]);
  assert.deepEqual(ipv4NetRange('255.255.255.255/0'), [0, 0xffffffff]);
  // A prefix length with a leading zero is octal to iptables: parseNet reads it so (/010 is /8; /08 is refused).
  const octal = parseNet('10.1.2.3/010');
  assert.ok(octal?.ok && octal.net.prefix === 8);
  assert.equal(parseNet('10.1.2.3/08')?.ok, false);
  assert.ok(parseNet('10.1.2.3/0x8')?.ok);
});

/** IPv6 by its plain definition: split at `::` and at colons, an IPv4 address in place of the last two groups. */
function reference6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return undefined;
  let tail4: bigint | undefined;
  let str = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    // As inet_pton reads it: four decimal parts, none with a leading zero.
    const quad = s.slice(lastColon + 1);
    tail4 = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(quad) && quad.split('.').every((p) => Number(p) <= 255) ? quad.split('.').reduce((v, p) => (v << 8n) | BigInt(p), 0n) : undefined;
    if (tail4 === undefined) return undefined;
    str = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const halves = str.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':').map((g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if ([...head, ...tail].some(Number.isNaN)) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 && missing < 1) return undefined;
  const groups = halves.length === 2 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : head;
  if (groups.length !== 8) return undefined;
  const v = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  return tail4 === undefined ? v : (v & ~0xffffffffn) | tail4;
}

test('parseIPv6 agrees with the plain definition on edge cases and on random strings of hex digits, colons and dots', () => {
  const cases = ['', ':', '::', ':::', '::1', '1::', '1::2::3', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::1', '::ffff:10.0.0.1', '::10.1', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', '1.2::3', '::a.b', '2001:DB8::Ff', ':1::', '1::2:', 'fe80::1%eth0', '1:2:3:4:5:6:7::', '::1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8'];
  for (const c of cases) assert.equal(parseIPv6(c), reference6(c), JSON.stringify(c));
  assert.equal(parseIPv6('2001:db8::1'), 0x20010db8000000000000000000000001n);
  for (const s of randomStrings(13, '0123456789abcdefABF::::...', 20)) {
    assert.equal(parseIPv6(s), reference6(s), JSON.stringify(s));
  }
});

/** C's strtoul with base 0 as iptables uses it, written plainly: optional blanks and plus, then 0x hex, 0 octal or decimal. */
function strtoulReference(v: string): number | undefined {
  const m = /^[ \t]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(v);
  if (!m) return undefined;
  return m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3]);
}

test('numbers: the quick decimal reading gives what strtoul with base 0 gives, for random words', () => {
  for (const c of ['0', '7', '80', '010', '08', '0x50', '+5', ' 5', '65535', '99999999999999999', '1e3', '']) {
    assert.equal(strtoulBase0(c), strtoulReference(c), JSON.stringify(c));
  }
  for (const s of randomStrings(13, '0123456789xX+ af', 18)) assert.equal(strtoulBase0(s), strtoulReference(s), JSON.stringify(s));
});

/** Plain ports by their definition: comma-separated decimal numbers without a leading zero, each at most 65535. */
function plainPortsReference(v: string): number {
  if (!/^(0|[1-9]\d*)(,(0|[1-9]\d*))*$/.test(v)) return -1;
  const items = v.split(',');
  return items.every((p) => p.length <= 5 && Number(p) <= 65535) ? items.length : -1;
}

test('ports: the quick reading of plain port lists agrees with their definition, and such lists are taken without remark', () => {
  for (const c of ['', '0', '00', '01', '80', '65535', '65536', '99999', '123456', '22,80', '22,,80', ',22', '22,', '1:2', '0,0', '08']) {
    assert.equal(plainPortCount(c), plainPortsReference(c), JSON.stringify(c));
  }
  for (const s of randomStrings(19, '0123456789,,:', 14)) {
    const n = plainPortCount(s);
    assert.equal(n, plainPortsReference(s), JSON.stringify(s));
    assert.equal(plainPort(s), n === 1 ? Number(s) : -1, JSON.stringify(s));
    // The quick path stands for what the full check says of such values, read by it once they are not plain: nothing.
    if (n === 1) for (const k of [portRangeKind, strictPortRangeKind]) assert.equal(k.validate(`${s}:`, { family: 4 }), undefined, s);
    if (n > 0 && n <= 13) assert.equal(portListKind.validate(`${s},1:2`, { family: 4 }), undefined, s);
  }
});

test('ports: a port or range is read as its first and last port, in the base of the module, for every value the checks take', () => {
  const cases: Array<[string, 0 | 10, [number, number] | undefined]> = [
    ['80', 0, [80, 80]], ['ssh', 10, [22, 22]], [':1023', 0, [0, 1023]], ['1024:', 10, [1024, 65535]], [':', 0, [0, 65535]],
    ['0x50', 0, [80, 80]], ['0x50', 10, undefined], ['010:020', 0, [8, 16]], ['010:020', 10, [10, 20]],
    ['200:100', 0, [200, 100]], ['1:2:3', 0, undefined], ['nosuchservice', 0, undefined], ['65536', 0, undefined], ['', 0, undefined],
  ];
  for (const [text, base, want] of cases) assert.deepEqual(readPortRange(text, base), want, `${text} (base ${base})`);
  let taken = 0;
  for (const s of randomStrings(23, '0123456789::x', 10)) {
    for (const [k, base] of [[portRangeKind, 10], [strictPortRangeKind, 0]] as const) {
      if (k.validate(s, { family: 4 }) !== undefined) continue;
      taken++;
      const r = readPortRange(s, base);
      assert.ok(r !== undefined, `${s} is taken by ${k.name} and read`);
      if (k === strictPortRangeKind) assert.ok(r[0] <= r[1], `${s}: a range tcp takes is in order`);
    }
  }
  assert.ok(taken > 1000, `only ${taken} random values were taken`);
});
