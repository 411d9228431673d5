/** loop-variable-unused: a `for` loop whose body never reads its variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const run = (text: string) => lint(text, { fileName: 'fw.sh' });
const found = (text: string) => run(text).diagnostics.filter((d) => d.code === 'loop-variable-unused');

test('a loop whose iptables commands never read its variable: said on the variable, naming one that differs only by case', () => {
  const text = script('for ip in $(cat /etc/blocklist); do', '  iptables -A INPUT -s $IP -j DROP', 'done');
  const [d, ...rest] = found(text);
  assert.deepEqual(rest, []);
  assert.deepEqual(d.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 6 } });
  assert.match(d.message, /^This loop sets \$ip, but its body never reads it: every pass runs the same commands, adding the same rules again for each value\. The body reads \$IP, another variable/);
  // The fix makes the body read the loop's variable, wherever it reads the other ($IP, ${IP}).
  const two = script('for ip in 203.0.113.7 198.51.100.23; do', '  echo "blocking ${IP}"', '  iptables -A INPUT -s $IP -j DROP', 'done');
  const r = run(two);
  const fix = quickFixes(r, found(two)[0]).find((f) => f.preferred)!;
  assert.equal(fix.title, 'Read $ip where the body reads $IP');
  const fixed = applyEdits(two, fix.edits);
  assert.equal(fixed, two.replace('${IP}', '${ip}').replace('$IP', '$ip'));
  assert.deepEqual(found(fixed), []);
  // After the fix the loop's rules are read value by value.
  assert.equal(run(fixed).ruleset.loops?.size, 1);
});

test('a body that reads no variable at all: the same rule once per value; on one line too', () => {
  const d = found(script('for p in 22 80 443; do iptables -A INPUT -p tcp --dport 22 -j ACCEPT; done'));
  assert.equal(d.length, 1);
  assert.doesNotMatch(d[0].message, /another variable/);
  // `for p` alone loops over the script's arguments.
  assert.equal(found(script('for p; do', '  iptables -A INPUT -j ACCEPT', 'done')).length, 1);
});

test('nothing said where the body reads the variable, or might read it out of sight', () => {
  const bodies = [
    'iptables -A INPUT -p tcp --dport $p -j ACCEPT',
    'iptables -A INPUT -p tcp --dport "${p}" -j ACCEPT',
    'iptables -A INPUT -s "${p%/*}" -j ACCEPT',
    'iptables -A INPUT -s ${p:-10.0.0.1} -j ACCEPT',
    'iptables -A INPUT -m length --length ${#p} -j ACCEPT',
    'iptables -A INPUT -p tcp --dport $((p + 1)) -j ACCEPT',
    'eval "iptables -A INPUT -p tcp --dport \\$p -j ACCEPT"',
    'allow_port',
    'ufw allow 22',
    'read x; iptables -A INPUT -j ACCEPT',
    'for q in 1 2; do iptables -A INPUT -p tcp --dport $p -m mark --mark $q -j ACCEPT; done',
    'if true; then iptables -A INPUT -p tcp --dport $p -j ACCEPT; fi',
  ];
  for (const body of bodies) {
    const text = script('allow_port() { iptables -A INPUT -p tcp --dport "$p" -j ACCEPT; }', 'for p in 22 80; do', `  ${body}`, 'done');
    assert.deepEqual(found(text).map((d) => d.range.start.line), [], body);
  }
  // A while loop sets no variable of its own; a loop with an empty body adds nothing.
  assert.deepEqual(found(script('while read ip; do', '  iptables -A INPUT -s $IP -j DROP', 'done < /etc/blocklist')), []);
  assert.deepEqual(found(script('for p in 1 2; do', '  :', 'done')), []);
});

test('loops inside loops: each is judged on its own body; an inner loop that reads nothing of its own is said', () => {
  const text = script(
    'for host in 10.0.0.1 10.0.0.2; do',
    '  for interface in eth0 eth1; do',
    '    iptables -A INPUT -s $host -j DROP',
    '  done',
    'done',
  );
  assert.deepEqual(found(text).map((d) => [d.range.start.line, /\$interface/.test(d.message)]), [[2, true]]);
});

test('silenced by a comment on the line before', () => {
  const text = script('# iptables-lint disable=loop-variable-unused', 'for i in 1 2 3; do', '  iptables -A INPUT -j LOG', 'done');
  assert.deepEqual(found(text), []);
});

test('a function called with different arguments whose body reads none of them: said on its first iptables command', () => {
  const fn = (body: string, ...calls: string[]) => script('allow() {', `  ${body}`, '}', ...calls);
  const [d, ...rest] = found(fn('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'allow 80', 'allow 443'));
  assert.deepEqual(rest, []);
  assert.deepEqual(d.range, { start: { line: 2, character: 2 }, end: { line: 2, character: 10 } });
  assert.match(d.message, /^allow is called with different arguments \('80', '443'\), but its body reads none of them/);
  // Read in any form, shifted, called the same way each time (or once), or a body that runs other commands: nothing.
  for (const body of ['iptables -A INPUT -p tcp --dport "$1" -j ACCEPT', 'iptables -A INPUT -p tcp --dport ${1} -j ACCEPT', 'iptables -A INPUT -m multiport -p tcp --dports "$*" -j ACCEPT', 'iptables -A INPUT -m comment --comment "$@" -j ACCEPT', 'shift; iptables -A INPUT -j ACCEPT', 'open_port']) {
    assert.deepEqual(found(fn(body, 'allow 80', 'allow 443')), [], body);
  }
  assert.deepEqual(found(fn('iptables -A INPUT -j ACCEPT', 'allow 80', 'allow 80')), []);
  assert.deepEqual(found(fn('iptables -A INPUT -j ACCEPT', 'allow')), []);
  // A body that feeds iptables-restore a here-document may read its arguments there.
  assert.deepEqual(found(script('allow() {', '  iptables-restore -n <<EOF', '-A INPUT -p tcp --dport $1 -j ACCEPT', 'EOF', '}', 'allow 80', 'allow 443')), []);
});
