/** A script's rules as restore files (the kernel test proves the result loads to the same state as the script). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { scriptToRestore } from '../../server/src/engine/toRestore';
import { tracePacket, packetFrom } from '../../server/src/engine/trace/tracer';

const convert = (script: string) => scriptToRestore(lint(script, { fileName: 'fw.sh' }), 'fw.sh');

test('the rules in the order the script leaves them, policies, user chains, one file per family', () => {
  const [v4, v6, more] = convert([
    '#!/bin/sh',
    'IPT=/sbin/iptables',
    '$IPT -A INPUT -p tcp --dport 22 -j ACCEPT',
    '$IPT -I INPUT 1 -i lo -j ACCEPT',
    '$IPT -N WEB',
    '$IPT -A WEB -p tcp -m multiport --dports 80,443 -m comment --comment "web server" -j ACCEPT',
    '$IPT -A INPUT -j WEB',
    '$IPT -w -P INPUT DROP',
    'ip6tables -A INPUT -p ipv6-icmp -j ACCEPT',
  ].join('\n'));
  assert.equal(more, undefined);
  assert.equal(v4.family, 4);
  assert.equal(v4.text.split('\n').filter((l) => !l.startsWith('#')).join('\n'), [
    '*filter', ':INPUT DROP [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':WEB - [0:0]',
    '-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j WEB',
    '-A WEB -p tcp -m multiport --dports 80,443 -m comment --comment "web server" -j ACCEPT', 'COMMIT', '',
  ].join('\n'));
  assert.equal(v6.family, 6);
  assert.match(v6.text, /^\*filter\n:INPUT ACCEPT \[0:0\]\n:FORWARD ACCEPT \[0:0\]\n:OUTPUT ACCEPT \[0:0\]\n-A INPUT -p ipv6-icmp -j ACCEPT\nCOMMIT\n$/m);
  // Each file is clean for the linter as a restore file of its family.
  assert.deepEqual(lint(v4.text, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(lint(v6.text, { fileName: 'rules.v6' }).diagnostics.filter((d) => d.severity === 'error'), []);
});

test('rules with shell values are left as comments that say why, and listed', () => {
  const [v4] = convert('iptables -A INPUT -s "$ADMIN" -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -j DROP\n');
  assert.deepEqual(v4.skipped, [{ line: 0, why: 'it holds a shell value, known only when the script runs' }]);
  assert.match(v4.text, /^# Line 1 of the script is not written out \(it holds a shell value, known only when the script runs\):\n#   iptables -A INPUT -s "\$ADMIN" -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP$/m);
});

test('a chain renamed with -E keeps the jumps made to it before: the linter and the conversion follow them', () => {
  const script = 'iptables -N SSH_IN\niptables -A SSH_IN -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j SSH_IN\niptables -E SSH_IN SSH_GUARD\niptables -P INPUT DROP\n';
  const r = lint(script, { fileName: 'fw.sh' });
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'unknown-target' || d.code === 'ssh-lockout'), []);
  const trace = tracePacket(r, packetFrom({ proto: 'tcp', dport: 22, src: '203.0.113.5', in: 'eth0' }, 4), 'input');
  assert.deepEqual(trace.branches.map((b) => b.verdict), ['ACCEPT']);
  assert.match(convert(script)[0].text, /^-A INPUT -p tcp -m tcp --dport 22 -j SSH_GUARD$/m);
});

test('an init script with start and stop: the start arm is written out, and the header says which lines are not', () => {
  const [v4] = convert(['#!/bin/sh', 'case "$1" in', 'start)', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '  iptables -P INPUT DROP', '  ;;', 'stop)', '  iptables -F', '  iptables -P INPUT ACCEPT', '  ;;', 'esac', ''].join('\n'));
  assert.match(v4.text, /^:INPUT DROP \[0:0\]$/m);
  assert.match(v4.text, /^-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT$/m);
  assert.match(v4.text, /the commands of the other arms, and of functions only they call \(lines 8, 9\), are not/);
  // Without branches, no such note.
  assert.doesNotMatch(convert('iptables -A INPUT -j ACCEPT\n')[0].text, /branches/);
});
