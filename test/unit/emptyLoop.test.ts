import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { scriptToRestore } from '../../server/src/engine/toRestore';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const run = (text: string) => lint(text, { fileName: 'fw.sh' });
const codes = (text: string) => run(text).diagnostics.map((d) => `${d.range.start.line}:${d.code}`);
const ADMINS = ['for ip in $ADMIN_IPS; do', '  iptables -A INPUT -s $ip -p tcp --dport 22 -j ACCEPT', 'done', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -P INPUT DROP'];

test('a loop over a list left empty makes no pass: said on its list, and its rules are left out of the analysis', () => {
  const text = script('ADMIN_IPS=""', ...ADMINS);
  const r = run(text);
  const d = r.diagnostics.find((x) => x.code === 'empty-loop')!;
  assert.deepEqual([d.severity, d.range.start.line, d.range.start.character, d.range.end.character], ['warning', 2, 10, 20]);
  assert.match(d.message, /^This loop makes no pass: \$ADMIN_IPS is empty here \(as set on line 2\)/);
  assert.deepEqual(d.related?.map((x) => [x.range.start.line, x.message]), [[1, '$ADMIN_IPS is set here']]);
  // The SSH accept never runs: the DROP policy locks everyone out.
  assert.ok(codes(text).includes('6:ssh-lockout'));
  assert.match(hover(r, { line: 3, character: 12 })!.markdown, /Never runs: the loop around it has nothing to go over/);
  const converted = scriptToRestore(r, 'fw.sh')[0].text;
  assert.doesNotMatch(converted, /--dport 22/);
  assert.match(converted, /# The commands of loops over an empty list \(lines 4\) never run/);
  // Silenced on its line, it is not said (the loop still makes no pass).
  const silenced = codes(script('ADMIN_IPS=""', '# iptables-lint disable=empty-loop', ...ADMINS));
  assert.ok(!silenced.some((c) => c.endsWith('empty-loop')) && silenced.some((c) => c.endsWith('ssh-lockout')), silenced.join(' '));
  // Filled in, the loop is the SSH accept, and nothing is said.
  const filled = codes(script('ADMIN_IPS="192.0.2.10 198.51.100.7"', ...ADMINS));
  assert.ok(!filled.some((c) => /empty-loop|ssh-lockout/.test(c)), filled.join(' '));
});

test('not said where the loop may go over something: a quoted value, a word beside it, a value not known, no iptables in it', () => {
  for (const lines of [
    ['ADMIN_IPS=""', 'for ip in "$ADMIN_IPS"; do iptables -A INPUT -s "$ip" -j ACCEPT; done'],
    ['EXTRA=', 'for p in 22 $EXTRA; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'],
    ['for ip in $ADMIN_IPS; do iptables -A INPUT -s $ip -j ACCEPT; done'],
    ['ADMIN_IPS=$(cat /etc/admins)', 'for ip in $ADMIN_IPS; do iptables -A INPUT -s $ip -j ACCEPT; done'],
    ['LIST=', 'for x in $LIST; do echo $x; done'],
  ]) assert.deepEqual(run(script(...lines)).diagnostics.filter((d) => d.code === 'empty-loop'), [], lines.join(' / '));
  // A bash array (`PORTS=(22 80)`, which the shell reads as `PORTS=` and a parenthesis) is not an empty value: `$PORTS`
  // is its first item, so the loop accepts port 22 alone, and the DROP of port 22 after it is shadowed.
  const array = run(script('PORTS=(22 80 443)', 'for p in $PORTS; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done', 'iptables -A INPUT -p tcp --dport $PORTS -j DROP').replace('#!/bin/sh', '#!/bin/bash'));
  assert.deepEqual(array.diagnostics.filter((d) => d.severity !== 'info').map((d) => `${d.range.start.line}:${d.code}`), ['3:shadowed-rule']);
  // Blanks only, or several variables all empty, make no pass either.
  assert.ok(codes(script('A=" "', 'B=', 'for ip in $A $B; do iptables -A INPUT -s $ip -j ACCEPT; done')).includes('3:empty-loop'));
});

test('a function called only in a loop that makes no pass never runs', () => {
  const text = script('PORTS=', 'allow() { iptables -A INPUT -p tcp --dport $1 -j ACCEPT; }', 'for p in $PORTS; do allow $p; done', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP');
  const r = run(text);
  assert.ok(codes(text).includes('3:empty-loop'));
  // Its rule is not in the chain: the SSH accept after the loop is the only rule.
  assert.deepEqual(r.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine), [4]);
  // Called elsewhere too, it runs there.
  const also = run(script('PORTS=', 'allow() { iptables -A INPUT -p tcp --dport $1 -j ACCEPT; }', 'for p in $PORTS; do allow $p; done', 'allow 80', 'iptables -P INPUT DROP'));
  assert.deepEqual(also.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine), [2]);
});
