/** A rule number (-I, -R, -D with a number): the rule at that place when the command runs, on hover and as its definition. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { definition } from '../../server/src/features/navigation';

const lines = [
  '#!/bin/sh',
  'iptables -A INPUT -i lo -j ACCEPT',
  'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
  'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
  'iptables -I INPUT 2 -m conntrack --ctstate ESTABLISHED -j ACCEPT',
  'iptables -D INPUT 4',
  'iptables -R INPUT 1 -i lo -j ACCEPT',
  'iptables -I INPUT 4 -j LOG',
  'iptables -D INPUT 9',
  'for p in 8080 8443; do iptables -A INPUT -p tcp --dport $p -j LOG; iptables -A INPUT -p tcp --dport $p -j ACCEPT; done',
  'iptables -D INPUT 7',
  '',
];
const text = lines.join('\n');
const r = lint(text, { fileName: 'fw.sh' });
const numberAt = (line: number) => ({ line, character: lines[line].lastIndexOf(' ') + 1 });

test('hover on a rule number names the rule at that place when the command runs', () => {
  // -I 2 inserts before the SSH accept (the second rule then); -D 4 deletes the port 80 accept (the insert moved it).
  const insert = hover(r, { line: 4, character: lines[4].indexOf(' 2 ') + 1 })!.markdown;
  assert.match(insert, /This command inserts its rule before the rule of line 3:\n\n```\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n```/);
  assert.match(hover(r, numberAt(5))!.markdown, /This command deletes the rule of line 4:/);
  assert.match(hover(r, { line: 6, character: lines[6].indexOf(' 1 ') + 1 })!.markdown, /This command replaces the rule of line 2:/);
  // Past the end: -I at one past the last rule appends; -D names no rule.
  assert.match(hover(r, { line: 7, character: lines[7].indexOf(' 4 ') + 1 })!.markdown, /INPUT holds 3 rules then: the rule goes at its end\./);
  assert.match(hover(r, numberAt(8))!.markdown, /INPUT holds 4 rules then: there is no rule 9\./);
  // Among the rules of a loop (LOG 8080, ACCEPT 8080, LOG 8443, ...): rule 7 is one of them, not one rule of the chain.
  assert.match(hover(r, numberAt(10))!.markdown, /It falls among the rules a loop of this script adds/);
});

test('go to definition on a rule number goes to that rule', () => {
  assert.deepEqual(definition(r, 'file:///fw.sh', { line: 5, character: lines[5].length - 1 })?.range.start, { line: 3, character: 9 });
  assert.deepEqual(definition(r, 'file:///fw.sh', { line: 4, character: lines[4].indexOf(' 2 ') + 1 })?.range.start, { line: 2, character: 9 });
  assert.equal(definition(r, 'file:///fw.sh', numberAt(8)), undefined);
  assert.equal(definition(r, 'file:///fw.sh', numberAt(10)), undefined);
});
