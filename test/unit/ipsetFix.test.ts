/** prefer-ipset's quick fix in scripts: a blocklist becomes one ipset and one rule, only where that means the same. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/engine/format';
import { quickFixes } from '../../server/src/engine/fixes';
import { lint } from '../../server/src/engine/lint';

function rewrite(text: string): string | undefined {
  const r = lint(text, { fileName: 'fw.sh', settings: { ipsetThreshold: 3 } });
  const d = r.diagnostics.find((x) => x.code === 'prefer-ipset');
  assert.ok(d, `prefer-ipset in:\n${text}`);
  const fix = quickFixes(r, d).find((f) => f.title.startsWith('Put the'));
  return fix && applyEdits(text, fix.edits);
}

const list = (...rules: string[]) => ['#!/bin/sh', ...rules, 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', ''].join('\n');
const block = (ip: string) => `sudo iptables -A INPUT -s ${ip} -m comment --comment "China IP" -j DROP`;

test('a blocklist becomes an ipset loaded with ipset restore, and one rule with the rest of the rules\' words', () => {
  assert.equal(rewrite(list(block('1.2.0.0/16'), block('1.3.0.0/16'), 'echo half way', block('1.4.0.0/16'))), [
    '#!/bin/sh',
    "sudo ipset restore -exist <<'EOF'",
    'create input_sources hash:net family inet',
    'add input_sources 1.2.0.0/16',
    'add input_sources 1.3.0.0/16',
    'add input_sources 1.4.0.0/16',
    'EOF',
    "sudo iptables -A INPUT -m set --match-set input_sources src -m comment --comment 'China IP' -j DROP",
    'echo half way',
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    '',
  ].join('\n'));
  // The result is clean for the linter, and a name already in use is not taken again.
  const fixed = rewrite(list(block('1.2.0.0/16'), block('1.3.0.0/16'), block('1.4.0.0/16')))!;
  assert.deepEqual(lint(fixed, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.severity === 'error' || d.code === 'prefer-ipset'), []);
  const taken = rewrite(list('iptables -A OUTPUT -m set --match-set input_sources dst -j DROP', ...['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((a) => `iptables -A INPUT -s ${a} -j DROP`)))!;
  assert.match(taken, /create input_sources_2 hash:net family inet/);
  // ip6tables: an IPv6 set; destinations: dst.
  const v6 = rewrite(['#!/bin/sh', ...['2001:db8::1', '2001:db8::2', '2001:db8:1::/48'].map((a) => `ip6tables -A OUTPUT -d ${a} -j REJECT`), ''].join('\n'))!;
  assert.match(v6, /create output_destinations hash:net family inet6/);
  assert.match(v6, /ip6tables -A OUTPUT -m set --match-set output_destinations dst -j REJECT/);
  // Values are quoted for the shell: a `$` or a quote in a single-quoted comment stays as the rules had it.
  const priced = rewrite(list(...['10.0.0.1', '10.0.0.2', '10.0.0.3'].map((a) => `iptables -A INPUT -s ${a} -m comment --comment 'costs $5, it'"'"'s "spam"' -j DROP`)))!;
  assert.match(priced, /--comment 'costs \$5, it'\\''s "spam"' -j DROP\n/);
  const before = lint(list(`iptables -A INPUT -s 10.0.0.1 -m comment --comment 'costs $5, it'"'"'s "spam"' -j DROP`), { fileName: 'fw.sh' }).ruleset.commands[0];
  const after = lint(priced, { fileName: 'fw.sh' }).ruleset.commands.find((c) => c.matches.some((m) => m.name === 'set'))!;
  const comment = (c: typeof before) => c.options.find((o) => o.spec.names[0] === '--comment')!.argValue;
  assert.equal(comment(after), comment(before));
  assert.equal(comment(after), 'costs $5, it\'s "spam"');
});

test('not offered where one set would not mean the same as the rules', () => {
  const three = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
  // Another rule between them in the chain: it sees packets between two of them.
  assert.equal(rewrite(list(`iptables -A INPUT -s ${three[0]} -j DROP`, 'iptables -A INPUT -p udp -j ACCEPT', `iptables -A INPUT -s ${three[1]} -j DROP`, `iptables -A INPUT -s ${three[2]} -j DROP`)), undefined);
  // A verdict that lets the packet go on (a packet in two of the networks would be logged twice, once by the set).
  assert.equal(rewrite(list(...three.map((a) => `iptables -A INPUT -s ${a} -j LOG`))), undefined);
  // Inserted rules, negated addresses, host names, every address.
  assert.equal(rewrite(list(...three.map((a) => `iptables -I INPUT -s ${a} -j DROP`))), undefined);
  assert.equal(rewrite(list(...three.map((a) => `iptables -A INPUT ! -s ${a} -j DROP`))), undefined);
  assert.equal(rewrite(list(...['a.example', 'b.example', 'c.example'].map((a) => `iptables -A INPUT -s ${a} -j DROP`))), undefined);
  assert.equal(rewrite(list(`iptables -A INPUT -s 0.0.0.0/0 -j DROP`, ...three.map((a) => `iptables -A INPUT -s ${a} -j DROP`))), undefined);
  // A rule over two lines.
  assert.equal(rewrite(list(`iptables -A INPUT -s ${three[0]} \\\n  -j DROP`, ...three.slice(1).map((a) => `iptables -A INPUT -s ${a} -j DROP`))), undefined);
  // A restore file: the set cannot be made in it.
  const r = lint(['*filter', ...three.map((a) => `-A INPUT -s ${a} -j DROP`), 'COMMIT', ''].join('\n'), { settings: { ipsetThreshold: 3 } });
  assert.ok(!quickFixes(r, r.diagnostics.find((d) => d.code === 'prefer-ipset')!).some((f) => f.title.startsWith('Put the')));
});
