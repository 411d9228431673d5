/**
 * untracked-state against the real kernel: real packets are sent at a ruleset whose raw table untracks some of them,
 * and the per-rule counters say that each rule the check reports never matched (while the packets did arrive: a
 * rule for UNTRACKED packets after them counted every one), and that the rule it leaves alone, for tracked packets,
 * did match. IPv4 and IPv6. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';
import { FW_ADDR, FW_ADDR6, makeNetPair, netnsUnavailable, PEER_ADDRS, PEER_ADDRS6, readCounters, SENDER } from './netns';

const why = netnsUnavailable();
const skip = requirement(!why, `the untracked-state kernel test cannot run: ${why}`);

const RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 53 -j NOTRACK
-A PREROUTING -p udp -m udp --dport 123 -j CT --notrack
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 53 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -p udp -m udp --dport 123 -m state --state NEW,ESTABLISHED -j ACCEPT
-A INPUT -p udp -m udp --dport 5000 -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
COMMIT
`;

/** The INPUT rules (by position) the check reports, and those it must not. */
const REPORTED = [0, 1];
const PORTS = [53, 123, 5000];

for (const family of [4, 6] as const) {
  test(`untracked-state, IPv${family}: the rules it reports never match real packets, which do arrive`, { skip, timeout: 60000 }, () => {
    const result = lint(RULES, { fileName: family === 4 ? 'rules.v4' : 'rules.v6' });
    const firstInputLine = RULES.split('\n').findIndex((l) => l.startsWith('-A INPUT'));
    const reported = result.diagnostics.filter((d) => d.code === 'untracked-state').map((d) => d.range.start.line - firstInputLine);
    assert.deepEqual(reported, REPORTED);
    const net = makeNetPair();
    try {
      const tool = family === 4 ? 'iptables-legacy' : 'ip6tables-legacy';
      net.run(net.fw, [`${tool}-restore`], RULES);
      const sources = (family === 4 ? PEER_ADDRS : PEER_ADDRS6).slice(0, 2);
      let sport = family === 4 ? 45000 : 46000;
      for (const src of sources) for (const port of PORTS) net.run(net.peer, ['python3', '-c', SENDER, 'udp', src, family === 4 ? FW_ADDR : FW_ADDR6, String(++sport), String(port)]);
      const input = readCounters(net.run(net.fw, [`${tool}-save`, '-c'])).get('filter')?.get('INPUT') ?? [];
      assert.equal(input.length, 4);
      for (const k of REPORTED) assert.equal(input[k], 0, `INPUT rule ${k + 1} is reported as never matching, yet counted ${input[k]} packets`);
      // Every untracked packet arrived, and the tracked ones matched their state rule.
      assert.equal(input[3], sources.length * 2);
      assert.equal(input[2], sources.length);
    } finally {
      net.destroy();
    }
  });
}
