/**
 * A script's own ipsets: what counts as making one, the rules held to them (unknown-ipset, and address-family for a
 * set of the other family), the scripts left alone (sets made elsewhere), the fix, and completion of set names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lint } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { complete } from '../../server/src/features/completion';
import { definition } from '../../server/src/features/navigation';
import { applyTextEdits } from '../helpers/edits';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const found = (text: string) => lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unknown-ipset' || d.code === 'address-family').map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code}`);

test('every spelling of making a set counts, with its type and family', () => {
  const text = script(
    'ipset create a hash:ip',
    'ipset -exist create b hash:net family inet6 hashsize 1024',
    'ipset -N c iphash',
    'ipset n d list:set',
    '/usr/sbin/ipset -! create e hash:net,port -family inet6',
    'ipset restore <<EOF',
    'create f bitmap:port range 0-1024',
    '-N g hash:mac',
    'EOF',
    'ipset rename a h',
    'IPSET=/sbin/ipset',
    '$IPSET create i hash:ip',
    'ipset create -exist j hash:net family inet6',
  );
  const { ruleset } = lint(text, { fileName: 'fw.sh' });
  assert.equal(ruleset.ipsets?.unseen, false);
  assert.deepEqual(ruleset.ipsets?.made.map((m) => `${m.name} ${m.type} ${m.family ?? '-'} ${m.line}`), [
    'a hash:ip 4 1', 'b hash:net 6 2', 'c iphash - 3', 'd list:set - 4', 'e hash:net,port 6 5', 'f bitmap:port - 7', 'g hash:mac - 8', 'h  - 10', 'i hash:ip 4 12', 'j hash:net 6 13',
  ]);
});

test('rules are held to the sets the script makes: a name it does not make, a set made later, one of the other family', () => {
  const text = script(
    'iptables -A INPUT -m set --match-set late src -j DROP',
    'ipset create blocklist hash:net',
    'ipset create late hash:ip',
    'ipset create six hash:ip family inet6',
    'iptables -A INPUT -m set --match-set blocklst src -j DROP',
    'iptables -A INPUT -m set ! --match-set blocklist src,dst -j ACCEPT',
    'ip6tables -A INPUT -m set --match-set blocklist src -j DROP',
    'iptables -A INPUT -m set --match-set six src -j DROP',
    'iptables -A INPUT -j SET --add-set scanners src',
    'iptables -A INPUT -m set --match-set $SET src -j DROP',
  );
  assert.deepEqual(found(text), ['1:37 unknown-ipset', '5:37 unknown-ipset', '7:38 address-family', '8:37 address-family', '9:35 unknown-ipset']);
  const r = lint(text, { fileName: 'fw.sh' });
  const typo = r.diagnostics.find((d) => d.range.start.line === 5)!;
  assert.match(typo.message, /Did you mean 'blocklist'\?/);
  assert.deepEqual(quickFixes(r, typo).filter((f) => !f.title.startsWith('Disable')).map((f) => [f.title, f.edits[0].newText]), [["Change to 'blocklist'", 'blocklist']]);
});

test('scripts that may use sets made elsewhere are left alone', () => {
  const use = 'iptables -A INPUT -m set --match-set blocklist src -j DROP';
  // No set made here: ipset-persistent, fail2ban or another script makes them.
  assert.deepEqual(found(script(use)), []);
  // Sets restored from a file, or made under a name not known here.
  assert.deepEqual(found(script('ipset create other hash:ip', 'ipset restore < /etc/ipset.conf', use)), []);
  assert.deepEqual(found(script('ipset create other hash:ip', 'ipset restore -file /etc/ipset.conf', use)), []);
  assert.deepEqual(found(script('ipset create other hash:ip', 'ipset create "$NAME" hash:ip', use)), []);
  assert.deepEqual(found(script('ipset create other hash:ip', '$IPSET create x hash:ip', use)), []);
  assert.deepEqual(found(script('ipset create other hash:ip', 'ipset restore <<EOF', 'create $SET hash:ip', 'EOF', use)), []);
  // A name made from a known variable is known.
  assert.deepEqual(found(script('SET=blocklist', 'ipset create "$SET" hash:net', use)), []);
  // A rules file never makes sets.
  assert.deepEqual(lint('*filter\n-A INPUT -m set --match-set blocklist src -j DROP\nCOMMIT\n', { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'unknown-ipset'), []);
});

test('made later is told only on the straight way: sets and rules under if, case or in functions are compared by name', () => {
  const use = 'iptables -A INPUT -m set --match-set bl src -j DROP';
  assert.deepEqual(found(script('if [ -n "$X" ]; then', `  ${use}`, 'fi', 'ipset create bl hash:ip')), []);
  assert.deepEqual(found(script(use, 'if true; then ipset create bl hash:ip; fi')), []);
  // A function that makes the set, called before the rule: it runs first.
  assert.deepEqual(found(script('mk() { ipset create bl hash:ip; }', 'mk', use)), []);
  // A function whose rule runs (from its call) after the set is made.
  assert.deepEqual(found(script('rules() {', `  ${use}`, '}', 'ipset create bl hash:ip', 'rules')), []);
});

test('completion after --match-set offers the sets the script makes, with their type', () => {
  const text = script('ipset create blocklist hash:net', 'ipset create six hash:ip family inet6', 'iptables -A INPUT -m set --match-set ');
  const doc = TextDocument.create('file:///fw.sh', 'shellscript', 1, text);
  const items = complete(doc, lint(text, { fileName: 'fw.sh' }), { line: 3, character: 39 });
  const sets = items.filter((i) => i.label === 'blocklist' || i.label === 'six');
  assert.deepEqual(sets.map((i) => `${i.label}: ${i.detail}`), ['blocklist: made on line 2 (hash:net)', 'six: made on line 3 (hash:ip, IPv6)']);
});

test('go to definition on a set name goes to where the script makes it', () => {
  const text = script('ipset -exist create blocklist hash:net', 'iptables -A INPUT -m set --match-set blocklist src -j DROP', 'iptables -A INPUT -m set --match-set other src -j DROP');
  const r = lint(text, { fileName: 'fw.sh' });
  assert.deepEqual(definition(r, 'file:///fw.sh', { line: 2, character: 40 }), { uri: 'file:///fw.sh', range: { start: { line: 1, character: 20 }, end: { line: 1, character: 29 } } });
  // A set the script does not make, and the flags after the name, lead nowhere.
  assert.equal(definition(r, 'file:///fw.sh', { line: 3, character: 40 }), undefined);
  assert.equal(definition(r, 'file:///fw.sh', { line: 2, character: 48 }), undefined);
});

test('a set made after the rule that uses it: the fix moves the line that makes it above the rule', () => {
  const text = script('iptables -A INPUT -m set --match-set bl src -j DROP', 'ipset create bl hash:net', 'ipset add bl 198.51.100.0/24');
  const r = lint(text, { fileName: 'fw.sh' });
  const d = r.diagnostics.find((x) => x.code === 'unknown-ipset')!;
  const fix = quickFixes(r, d).find((f) => f.title === 'Make the set first: move line 3 above this rule')!;
  const fixed = applyTextEdits(text, fix.edits);
  assert.equal(fixed, script('ipset create bl hash:net', 'iptables -A INPUT -m set --match-set bl src -j DROP', 'ipset add bl 198.51.100.0/24'));
  assert.deepEqual(found(fixed), []);
  // Made on a line with other commands, or in a here-document: no move.
  for (const other of [script('iptables -A INPUT -m set --match-set bl src -j DROP', 'ipset create bl hash:net && echo made'), script('iptables -A INPUT -m set --match-set bl src -j DROP', 'ipset restore <<EOF', 'create bl hash:net', 'EOF')]) {
    const o = lint(other, { fileName: 'fw.sh' });
    assert.deepEqual(quickFixes(o, o.diagnostics.find((x) => x.code === 'unknown-ipset')!).filter((f) => !f.title.startsWith('Disable')), []);
  }
});

test('a set destroyed before a rule that names it, and not made again in between, is one the rule cannot find', () => {
  const rule = 'iptables -A INPUT -m set --match-set bl src -j DROP';
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset destroy bl', rule)), ['3:37 unknown-ipset']);
  assert.match(lint(script('ipset create bl hash:ip', 'ipset destroy bl', rule), { fileName: 'fw.sh' }).diagnostics.find((d) => d.code === 'unknown-ipset')!.message, /destroyed on line 3, before this rule/);
  // Every set at once (no name), and the short spellings.
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset -X', rule)), ['3:37 unknown-ipset']);
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset x bl', rule)), ['3:37 unknown-ipset']);
  // Made again after, destroyed after the rule, another set destroyed, or destroyed in an arm or by a name not known: nothing.
  assert.deepEqual(found(script('ipset destroy bl 2>/dev/null', 'ipset create bl hash:ip', rule)), []);
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset destroy bl', 'ipset create bl hash:ip', rule)), []);
  assert.deepEqual(found(script('ipset create bl hash:ip', rule, 'ipset destroy bl')), []);
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset create other hash:ip', 'ipset destroy other', rule)), []);
  assert.deepEqual(found(script('ipset create bl hash:ip', 'if [ "$1" = stop ]; then ipset destroy bl; fi', rule)), []);
  assert.deepEqual(found(script('ipset create bl hash:ip', 'ipset destroy "$SET"', rule)), []);
});
