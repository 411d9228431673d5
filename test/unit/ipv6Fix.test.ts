/** ipv6-unfiltered's quick fix: the IPv4 INPUT chain written again for ip6tables, where it means the same. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { quickFixes } from '../../server/src/engine/fixes';
import { lint } from '../../server/src/engine/lint';
import { CORPUS, corpusSkip } from '../helpers/env';
import { withIpv6Block } from '../helpers/ipv6Block';

/** The errors on the block's lines, the findings there that say the host cannot work over IPv6, and ipv6-unfiltered anywhere. */
function harmful(text: string, from: number, to: number): string[] {
  const bad = new Set(['ssh-lockout', 'loopback-blocked', 'missing-established', 'nd-blocked', 'pmtu-blocked']);
  const inBlock = (line: number) => line >= from && line < to;
  return lint(text, { fileName: 'fw.sh' }).diagnostics
    .filter((d) => d.code === 'ipv6-unfiltered' || (inBlock(d.range.start.line) && (d.severity === 'error' || bad.has(d.code))))
    .map((d) => `${d.code}@${d.range.start.line + 1}: ${d.message}`);
}

test('the IPv4 INPUT rules that mean the same for IPv6 are carried over, in order, after the last IPv4 INPUT command', () => {
  const script = [
    '#!/bin/sh',
    'IPT=/sbin/iptables',
    '$IPT -F',
    '$IPT -P INPUT DROP',
    '$IPT -A INPUT -i lo -j ACCEPT',
    '$IPT -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT',
    '$IPT -A INPUT -p icmp --icmp-type echo-request -j ACCEPT',
    '$IPT -A INPUT -p tcp --dport 22 -j ACCEPT',
    '$IPT -A INPUT -p udp --dport 1900 -s 192.168.1.0/24 -j ACCEPT',
    '$IPT -A INPUT -p tcp --dport 113 -j REJECT --reject-with icmp-port-unreachable',
    '$IPT -A INPUT -j LOG --log-prefix "dropped: "',
    '$IPT-save > /etc/iptables/rules.v4',
    '',
  ].join('\n');
  const out = withIpv6Block(script)!;
  assert.equal(out.title, 'Filter IPv6 too: INPUT again for ip6tables (5 of 7 rules carried over)');
  assert.equal(out.text, [
    ...script.split('\n').slice(0, 11),
    '# The same for IPv6 (iptables filters IPv4 only), with ICMPv6, which IPv6 needs to work.',
    'ip6tables -P INPUT ACCEPT',
    'ip6tables -F INPUT',
    'ip6tables -A INPUT -p ipv6-icmp -j ACCEPT',
    'ip6tables -A INPUT -i lo -j ACCEPT',
    'ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'ip6tables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    'ip6tables -A INPUT -p tcp -m tcp --dport 113 -j REJECT --reject-with icmp6-port-unreachable',
    "ip6tables -A INPUT -j LOG --log-prefix 'dropped: '",
    '# Not carried over (IPv4 addresses, ICMP, user chains or shell values): the rules on lines 7, 9.',
    'ip6tables -P INPUT DROP',
    '$IPT-save > /etc/iptables/rules.v4',
    '',
  ].join('\n'));
  assert.deepEqual(harmful(out.text, out.from, out.to), []);
  // The kernel holds the same INPUT for both families, apart from what was left behind.
  const after = lint(out.text, { fileName: 'fw.sh' });
  assert.equal(after.state.get(6, 'filter', 'INPUT')!.policy, 'DROP');
  assert.equal(after.state.get(6, 'filter', 'INPUT')!.rules.length, 6);
});

test('what the IPv4 rules let in through addresses or user chains stays reachable: loopback, replies, SSH', () => {
  const script = [
    '#!/bin/bash',
    'setup() {',
    '    sudo iptables -N SERVICES',
    '    sudo iptables -A SERVICES -p tcp --dport 22 -j ACCEPT',
    '    sudo iptables -A INPUT -i lo -s 127.0.0.0/8 -j ACCEPT',
    '    sudo iptables -A INPUT -s 0.0.0.0/0 -m conntrack --ctstate ESTABLISHED -j ACCEPT',
    '    sudo iptables -A INPUT -j SERVICES',
    '    sudo iptables -A INPUT -j LOG',
    '    sudo iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited',
    '}',
    'setup',
    '',
  ].join('\n');
  const out = withIpv6Block(script)!;
  const block = out.text.split('\n').slice(out.from, out.to);
  assert.deepEqual(block, [
    '    # The same for IPv6 (iptables filters IPv4 only), with ICMPv6, which IPv6 needs to work.',
    '    sudo ip6tables -A INPUT -p ipv6-icmp -j ACCEPT',
    // -s 0.0.0.0/0 is every address: the rule is carried over without it.
    '    sudo ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT',
    '    # What the IPv4 rules let in elsewhere (loopback, replies, SSH as it is reachable now): narrow SSH to your addresses.',
    '    sudo ip6tables -A INPUT -i lo -j ACCEPT',
    '    sudo ip6tables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '    sudo ip6tables -A INPUT -j LOG',
    '    # Not carried over (IPv4 addresses, ICMP, user chains or shell values): the rules on lines 5, 7.',
    '    sudo ip6tables -A INPUT -j REJECT',
  ]);
  assert.equal(out.text.split('\n')[out.to], '}');
  assert.deepEqual(harmful(out.text, out.from, out.to), []);
});

test('a start/stop script: the block goes into the arm that sets up the rules, not after the stop arm\'s commands', () => {
  const script = [
    '#!/bin/sh',
    'case "$1" in',
    '  start)',
    '    iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '    iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    '    iptables -A INPUT -j DROP',
    '    ;;',
    '  stop)',
    '    iptables -F INPUT',
    '    iptables -P INPUT ACCEPT',
    '    ;;',
    'esac',
    '',
  ].join('\n');
  const out = withIpv6Block(script)!;
  // Right after line 6, the last IPv4 INPUT command of the start arm.
  assert.equal(out.from, 6);
  assert.equal(out.text.split('\n')[out.to], '    ;;');
  assert.match(out.text.split('\n').slice(out.from, out.to).join('\n'), /ip6tables -A INPUT -j DROP$/);
  assert.deepEqual(harmful(out.text, out.from, out.to), []);
});

test('SSH ports of the setting are the ones kept reachable', () => {
  const script = '#!/bin/sh\niptables -A INPUT -s 10.0.0.0/8 -p tcp --dport 2222 -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\niptables -P INPUT DROP\n';
  const r = lint(script, { fileName: 'fw.sh', settings: { sshPorts: [2222] } });
  const d = r.diagnostics.find((x) => x.code === 'ipv6-unfiltered')!;
  const fix = quickFixes(r, d).find((f) => f.title.startsWith('Filter IPv6 too'))!;
  assert.match(fix.edits[0].newText, /ip6tables -A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT\n/);
  assert.doesNotMatch(fix.edits[0].newText, /--dport 22 /);
});

const skip = corpusSkip();

test('corpus: every script reported gets a block that ip6tables reads and that leaves the host working over IPv6', { skip }, () => {
  let n = 0;
  for (const f of readdirSync(path.join(CORPUS, 'scripts'))) {
    const text = readFileSync(path.join(CORPUS, 'scripts', f), 'utf8');
    if (!lint(text, { fileName: f }).diagnostics.some((d) => d.code === 'ipv6-unfiltered')) continue;
    const out = withIpv6Block(text, f);
    assert.ok(out, `${f}: a fix`);
    assert.deepEqual(harmful(out.text, out.from, out.to), [], f);
    n++;
  }
  assert.ok(n >= 15, `${n} corpus scripts`);
});
