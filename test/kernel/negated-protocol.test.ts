/**
 * `! -p tcp --dport 22` against the real kernel. iptables-legacy refuses the rule; iptables-nft takes it and reads
 * the port where a TCP header would have it, in whatever header the packet has, so a UDP packet to port 22 meets it.
 * The linter says both (a warning naming iptables-legacy), and reads the rule as iptables-nft does: a later ACCEPT of
 * UDP port 22 is reported as never firing. Real packets are sent, and the per-rule counters say the reported rule
 * never matched while the rules around it did. Needs root and iptables-nft; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';
import { FW_ADDR, makeNetPair, netnsUnavailable, PEER_ADDRS, readCounters, SENDER } from './netns';

const why = netnsUnavailable() ?? (spawnSync('iptables-nft', ['--version']).status === 0 ? undefined : 'iptables-nft is not installed');
const skip = requirement(!why, `the negated-protocol kernel test cannot run: ${why}`);

const RULES = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT ! -p tcp --dport 22 -j DROP
-A INPUT -p udp -m udp --dport 22 -j ACCEPT
-A INPUT -p udp -m udp --dport 23 -j ACCEPT
COMMIT
`;

test('! -p tcp --dport 22: iptables-legacy refuses it, and under iptables-nft a UDP packet to port 22 meets it (the later ACCEPT the linter reports never matches)', { skip, timeout: 60000 }, () => {
  const diags = lint(RULES, { fileName: 'rules.v4' }).diagnostics;
  const warning = diags.find((d) => d.code === 'protocol-required');
  assert.equal(warning?.range.start.line, 4);
  assert.equal((warning?.data as { refusedBy?: string } | undefined)?.refusedBy, 'iptables-legacy');
  assert.deepEqual(diags.filter((d) => d.code === 'reject-before-accept' || d.code === 'shadowed-rule').map((d) => d.range.start.line), [5]);
  const net = makeNetPair();
  try {
    assert.notEqual(spawnSync('unshare', ['-n', 'iptables-legacy-restore'], { input: RULES }).status, 0, 'iptables-legacy-restore took the rule');
    net.run(net.fw, ['iptables-nft-restore'], RULES);
    let sport = 47000;
    for (const src of PEER_ADDRS.slice(0, 2)) for (const port of [22, 23]) net.run(net.peer, ['python3', '-c', SENDER, 'udp', src, FW_ADDR, String(++sport), String(port)]);
    const input = readCounters(net.run(net.fw, ['iptables-nft-save', '-c'])).get('filter')?.get('INPUT') ?? [];
    assert.deepEqual(input, [2, 0, 2], 'packets counted by each INPUT rule');
  } finally {
    net.destroy();
  }
});
