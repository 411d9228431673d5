/**
 * dnat-bypassed against the real kernel: connections are sent to ports that nat PREROUTING forwards (through a
 * Docker-style jump on `-m addrtype --dst-type LOCAL`, into a chain named DOCKER: one DNAT to this machine on another
 * port, one elsewhere on another port, one elsewhere on the same port), and the per-rule counters say that the INPUT
 * rules the check reports never met them, while the DNATs took every one (and INPUT met those sent to this machine
 * with the new port). Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';
import { FW_ADDR, makeNetPair, netnsUnavailable, PEER_ADDRS, readCounters, SENDER } from './netns';

const why = netnsUnavailable();
const skip = requirement(!why, `the dnat-bypassed kernel test cannot run: ${why}`);

const RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${FW_ADDR}:80
-A DOCKER -p tcp -m tcp --dport 8443 -j DNAT --to-destination 203.0.113.50:443
-A DOCKER -p tcp -m tcp --dport 9000 -j DNAT --to-destination 203.0.113.50:9000
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 8080 -j DROP
-A INPUT -p tcp -m tcp --dport 8443 -j DROP
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 9000 -j DROP
COMMIT
`;

test('dnat-bypassed: the INPUT rules it reports never meet the forwarded connections, which the DNATs take', { skip, timeout: 60000 }, () => {
  const result = lint(RULES, { fileName: 'rules.v4' });
  const lines = RULES.split('\n');
  const inputAt = (k: number) => lines.findIndex((l) => l.startsWith('-A INPUT')) + k;
  assert.deepEqual(result.diagnostics.filter((d) => d.code === 'dnat-bypassed').map((d) => d.range.start.line), [inputAt(0), inputAt(1), inputAt(3)]);
  const net = makeNetPair();
  try {
    net.run(net.fw, ['iptables-legacy-restore'], RULES);
    const sources = PEER_ADDRS.slice(0, 2);
    let sport = 47000;
    for (const src of sources) for (const port of [8080, 8443, 9000]) net.run(net.peer, ['python3', '-c', SENDER, 'tcp', src, FW_ADDR, String(++sport), String(port)]);
    const counters = readCounters(net.run(net.fw, ['iptables-legacy-save', '-c']));
    const input = counters.get('filter')?.get('INPUT') ?? [];
    const dnats = counters.get('nat')?.get('DOCKER') ?? [];
    assert.deepEqual([input[0], input[1], input[3]], [0, 0, 0], `the reported INPUT rules counted ${input[0]}, ${input[1]} and ${input[3]} packets`);
    // Every connection was taken by its DNAT, and those for this machine reached INPUT as port 80.
    assert.ok(dnats[0] >= sources.length && dnats[1] >= sources.length && dnats[2] >= sources.length, `DNAT counters ${dnats.join(', ')}`);
    assert.ok(input[2] >= sources.length, `INPUT port 80 counted ${input[2]}`);
  } finally {
    net.destroy();
  }
});
