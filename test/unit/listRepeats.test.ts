/** duplicate-list-item: an item of a comma-separated list that another item already holds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fixAll, quickFixes } from '../../server/src/engine/fixes';
import { lint } from '../../server/src/engine/lint';

const rules = (...lines: string[]) => ['*filter', ...lines, 'COMMIT', ''].join('\n');
/** The findings of this check: line, the item's text as its range covers it, and the message. */
function found(text: string, fileName = 'rules.v4'): Array<{ line: number; item: string; message: string }> {
  const r = lint(text, { fileName });
  const lines = text.split('\n');
  return r.diagnostics.filter((d) => d.code === 'duplicate-list-item').map((d) => ({
    line: d.range.start.line,
    item: lines[d.range.start.line].slice(d.range.start.character, d.range.end.character),
    message: d.message,
  }));
}

test('ports: the same port twice, a port inside a range of the list, a service name and its number', () => {
  const f = found(rules(
    '-A INPUT -p tcp -m multiport --dports 22,80,22 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 20:30,25 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --sports 25,20:30 -j ACCEPT',
    '-A INPUT -p udp -m multiport --ports domain,53 -j ACCEPT',
    '-A INPUT -p tcp -m multiport ! --dports 22,22 -j DROP',
  ));
  assert.deepEqual(f.map((x) => [x.line, x.item]), [[1, '22'], [2, '25'], [3, '25'], [4, '53'], [5, '22']]);
  assert.match(f[0].message, /^'22' is already in this list: the match is the same without it\. Remove it\.$/);
  assert.match(f[1].message, /^'25' lies within '20:30', listed before it:/);
  assert.match(f[2].message, /^'25' lies within '20:30', also in this list:/);
  assert.match(f[3].message, /^'53' is already in this list \(as 'domain'\)/);
});

test('states and flags: the same name twice, however it is spelled', () => {
  // Names that start alike but are not one, and a list with an empty item: nothing.
  assert.deepEqual(found(rules('-A INPUT -p tcp --tcp-flags ACK,ALL SYN -j DROP', '-A INPUT -m conntrack --ctstate NEW,ESTABLISHED,RELATED,INVALID,UNTRACKED -j ACCEPT')), []);
  const f = found(rules(
    '-A INPUT -m conntrack --ctstate NEW,ESTABLISHED,NEW -j ACCEPT',
    '-A INPUT -m state --state ESTABLISHED,EST -j ACCEPT',
    '-A INPUT -p tcp --tcp-flags SYN,ACK,syn SYN -j DROP',
  ));
  assert.deepEqual(f.map((x) => [x.line, x.item]), [[1, 'NEW'], [2, 'EST'], [3, 'syn']]);
});

test('addresses: one rule per address, so an address an earlier one covers makes a rule that only sees its packets again', () => {
  const f = found(rules(
    '-A INPUT -s 10.0.0.1,10.0.0.1 -j ACCEPT',
    '-A INPUT -d 10.0.0.0/8,10.20.0.0/16 -j DROP',
    '-A INPUT -s 10.20.0.0/16,10.0.0.0/8 -j DROP',
  ));
  assert.deepEqual(f.map((x) => [x.line, x.item]), [[1, '10.0.0.1'], [2, '10.20.0.0/16']]);
  assert.match(f[1].message, /one rule per address/);
  const v6 = found(['*filter', '-A INPUT -s 2001:db8::/32,2001:db8:1::1 -j ACCEPT', 'COMMIT', ''].join('\n'), 'rules.v6');
  assert.deepEqual(v6.map((x) => x.item), ['2001:db8:1::1']);
});

test('nothing said of lists without a repeat, of host names, of values a script does not know, or of lists iptables refuses', () => {
  const none = rules(
    '-A INPUT -p tcp -m multiport --dports 22,80,443,8000:8080 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 20:30,25:35 -j ACCEPT',
    '-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT',
    '-A INPUT -s example.com,example.com -j ACCEPT',
    '-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT',
  );
  assert.deepEqual(found(none), []);
  assert.deepEqual(found(rules('-A INPUT -p tcp -m multiport --dports 30:20,25 -j ACCEPT')), []);
  assert.deepEqual(found(['#!/bin/sh', 'iptables -A INPUT -p tcp -m multiport --dports "$PORTS,22" -j ACCEPT', ''].join('\n'), 'fw.sh'), []);
});

test('in scripts: the item in quotes; a value that comes from a variable is said on the variable, and mended where it is set', () => {
  const s = ['#!/bin/sh', 'iptables -A INPUT -p tcp -m multiport --dports "22,80,22" -j ACCEPT', 'WEB=80,443,80', 'iptables -A INPUT -p tcp -m multiport --dports $WEB -j ACCEPT', ''].join('\n');
  const f = found(s, 'fw.sh');
  assert.deepEqual(f.map((x) => [x.line, x.item]), [[1, '22'], [3, '$WEB']]);
  assert.match(f[1].message, /'80' is already in this list.*\(\$WEB is 80,443,80 here, as set on line 3\)$/);
  // The fix edits the quoted list; `$WEB` is left as it is (its assignment may serve other commands).
  const { text: fixed } = fixAll(s, { fileName: 'fw.sh' });
  assert.equal(fixed, s.replace('"22,80,22"', '"22,80"'));
});

test('the fix takes the item out with its comma; applied unasked for ports and states, only offered for addresses', () => {
  const text = rules(
    '-A INPUT -p tcp -m multiport --dports 22,80,22,443 -j ACCEPT',
    '-A INPUT -p tcp -m multiport --dports 25,20:30 -j ACCEPT',
    '-A INPUT -m conntrack --ctstate NEW,NEW -j ACCEPT',
    '-A INPUT -s 10.0.0.1,10.0.0.1 -j ACCEPT',
  );
  const { text: fixed } = fixAll(text, { fileName: 'rules.v4' });
  assert.equal(fixed, text.replace('22,80,22,443', '22,80,443').replace('25,20:30', '20:30').replace('NEW,NEW', 'NEW'));
  const r = lint(text, { fileName: 'rules.v4' });
  const addr = r.diagnostics.find((d) => d.code === 'duplicate-list-item' && d.range.start.line === 4)!;
  const fix = quickFixes(r, addr).find((x) => x.title === "Remove '10.0.0.1' from the list")!;
  assert.equal(fix.safe, false);
  assert.deepEqual(fix.edits.map((e) => [e.range.start.character, e.range.end.character, e.newText]), [[20, 29, '']]);
});

/** The ports a multiport list matches, read plainly: each item a port or a from:to range. */
function portsOf(items: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const it of items) {
    const [lo, hi] = it.split(':').map(Number);
    for (let p = lo; p <= (hi ?? lo); p++) out.add(p);
  }
  return out;
}

test('property: every port item called redundant can go, and the list then matches the same ports', () => {
  const item = fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 6 })).map(([lo, n]) => `${lo}:${lo + n}`));
  let reported = 0;
  fc.assert(fc.property(fc.array(item, { minLength: 2, maxLength: 7 }), (items) => {
    if (items.reduce((n, it) => n + (it.includes(':') ? 2 : 1), 0) > 15) return;
    const text = rules(`-A INPUT -p tcp -m multiport --dports ${items.join(',')} -j ACCEPT`);
    const { text: fixed } = fixAll(text, { fileName: 'rules.v4' });
    const after = /--dports (\S+)/.exec(fixed)![1].split(',');
    if (after.length < items.length) reported++;
    // As many findings as items that another holds (an earlier one, or a wider one).
    const bounds = items.map((it) => it.split(':').map(Number)).map(([lo, hi]) => [lo, hi ?? lo]);
    const held = bounds.filter(([lo, hi], i) => bounds.some(([l, h], j) => j !== i && l <= lo && hi <= h && (j < i || l < lo || hi < h))).length;
    assert.equal(found(text).length, held, text);
    assert.deepEqual([...portsOf(after)].sort((a, b) => a - b), [...portsOf(items)].sort((a, b) => a - b), `${items} -> ${after}`);
    // What is left holds no item another holds.
    assert.deepEqual(found(fixed), [], fixed);
  }), { numRuns: 300, seed: 5 });
  assert.ok(reported > 50, `only ${reported} lists with a redundant item`);
});

test('property: an address is reported exactly when an earlier network of the list holds it', () => {
  const net = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 28, max: 32 })).map(([host, prefix]) => {
    const base = host & ~((1 << (32 - prefix)) - 1);
    return { text: `10.0.0.${base}/${prefix}`, lo: base, hi: base + (1 << (32 - prefix)) - 1 };
  });
  fc.assert(fc.property(fc.array(net, { minLength: 2, maxLength: 9 }), (nets) => {
    const line = `-A INPUT -s ${nets.map((n) => n.text).join(',')} -j ACCEPT`;
    // Where each item starts on the line.
    const starts = nets.map((_, i) => '-A INPUT -s '.length + nets.slice(0, i).reduce((k, m) => k + m.text.length + 1, 0));
    const at = lint(rules(line), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'duplicate-list-item').map((d) => starts.indexOf(d.range.start.character));
    const held = nets.flatMap((n, i) => (nets.slice(0, i).some((m) => m.lo <= n.lo && n.hi <= m.hi) ? [i] : []));
    assert.deepEqual(at, held, line);
  }), { numRuns: 300, seed: 9 });
});
