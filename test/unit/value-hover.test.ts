/** The hover on a value says what iptables reads it as: a state by its beginning, a port in the module's base. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { explainRule } from '../../server/src/engine/explain';

const text = [
  '*filter',
  '-A INPUT -m conntrack --ctstate est,NEW -j ACCEPT',
  '-A INPUT -p icmp --icmp-type ECHO-REQ -j ACCEPT',
  '-A INPUT -p udp --dport 010 -j ACCEPT',
  '-A INPUT -p tcp --dport 010 -j ACCEPT',
  'COMMIT',
  '',
].join('\n');

test('a value iptables reads as another name says which, and a port is read in its module\'s base', () => {
  const r = lint(text);
  const at = (line: number, word: string) => hover(r, { line, character: text.split('\n')[line].indexOf(word) + 1 })!.markdown;
  assert.match(at(1, 'est,'), /^\*\*ESTABLISHED\*\* \(iptables reads `est` as ESTABLISHED\): [\s\S]*\*\*NEW\*\*: /);
  assert.match(at(2, 'ECHO-REQ'), /^\*\*echo-request\*\* \(iptables reads `ECHO-REQ` as echo-request\)/);
  assert.equal(at(3, '010'), 'port **10**');
  assert.equal(at(4, '010'), 'port **8**');
});

test('a rule in plain words names states and ICMP types as iptables reads them', () => {
  const r = lint(text);
  const rules = r.ruleset.commands.filter((c) => c.spec.short === '-A');
  assert.match(explainRule(rules[0]), /in connection state ESTABLISHED or NEW/);
  assert.match(explainRule(rules[1]), /of type `ECHO-REQ` \(echo-request\)/);
});
