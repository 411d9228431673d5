/**
 * Proof of the packet tracer against the real kernel: rulesets are loaded into a namespace, real packets are sent
 * from a second one over a veth pair, and the per-rule packet counters say which rules matched. The tracer must
 * name exactly those rules (for a trace that forks, exactly those of one of its branches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint, LintResult } from '../../server/src/engine/lint';
import { packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';
import { requirement, ROOT } from '../helpers/env';
import { FW_ADDR, makeNetPair, netnsUnavailable, readCounters, SENDER } from './netns';

const why = netnsUnavailable();
const skip = requirement(!why, `the tracer's kernel test cannot run: ${why}`);

const NAT_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination ${FW_ADDR}:80
-A PREROUTING -p tcp -m tcp --dport 8443 -j REDIRECT --to-ports 443
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCKED - [0:0]
:SERVICES - [0:0]
:LOGDROP - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -j BLOCKED
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -g SERVICES
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -j LOGDROP
-A BLOCKED -s 192.0.2.3/32 -j DROP
-A BLOCKED -s 203.0.113.0/24 -p udp -j DROP
-A BLOCKED -j RETURN
-A SERVICES -p tcp -m tcp --dport 80 -j ACCEPT
-A SERVICES -p tcp -m tcp --dport 443 -j ACCEPT
-A SERVICES -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT
-A LOGDROP -j LOG --log-prefix "drop: "
-A LOGDROP -j DROP
COMMIT
`;

const RAW_RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 123 -j NOTRACK
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 22 -j MARK --set-xmark 0x1/0xffffffff
-A INPUT -m length --length 0:100 -j ACCEPT
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state UNTRACKED -j ACCEPT
-A INPUT -p udp -m conntrack --ctstate NEW -m udp --dport 53 -j ACCEPT
-A INPUT -p tcp -m tcp --tcp-flags SYN,RST,ACK SYN --dport 22 -j ACCEPT
-A INPUT -s 192.0.2.0/25 -p tcp -j REJECT --reject-with tcp-reset
COMMIT
`;

type Probe = [proto: 'tcp' | 'udp' | 'icmp', src: string, dport: number];
const SOURCES = ['192.0.2.2', '192.0.2.3', '203.0.113.9'];
const probes = (protoPorts: Array<['tcp' | 'udp' | 'icmp', number]>, sources = SOURCES.slice(0, 2)): Probe[] => sources.flatMap((s) => protoPorts.map(([p, port]) => [p, s, port] as Probe));

const CASES: Array<{ name: string; text: string; probes: Probe[] }> = [
  { name: 'plex-media-server', text: readFileSync(path.join(ROOT, 'examples', 'plex-media-server.iptables'), 'utf8'), probes: probes([['tcp', 22], ['tcp', 32400], ['tcp', 8080], ['udp', 32400], ['udp', 1900], ['udp', 53], ['icmp', 0]]) },
  { name: 'wordpress-server', text: readFileSync(path.join(ROOT, 'examples', 'wordpress-server.iptables'), 'utf8'), probes: probes([['tcp', 22], ['tcp', 443], ['tcp', 25], ['udp', 53], ['icmp', 0]], ['192.0.2.2']) },
  { name: 'ssh-safe-baseline (recent: a fork)', text: readFileSync(path.join(ROOT, 'examples', 'ssh-safe-baseline.iptables'), 'utf8'), probes: probes([['tcp', 22], ['tcp', 80], ['icmp', 0]], ['192.0.2.2']) },
  { name: 'NAT, jumps, goto and RETURN', text: NAT_RULES, probes: probes([['tcp', 8080], ['tcp', 8443], ['tcp', 80], ['tcp', 22], ['udp', 53], ['icmp', 0]], SOURCES) },
  { name: 'raw NOTRACK, mangle, states and flags', text: RAW_RULES, probes: probes([['udp', 123], ['udp', 53], ['tcp', 22], ['tcp', 80], ['icmp', 0]], SOURCES) },
];

type Key = string;

/** The rules that matched, as table:chain:index, limited to chains a packet arriving for this machine passes. */
function kernelMatched(counters: Map<string, Map<string, number[]>>, result: LintResult): Set<Key> {
  const out = new Set<Key>();
  for (const [table, chains] of counters) {
    for (const [chain, counts] of chains) {
      const cs = result.state.get(4, table, chain);
      if (!cs || !result.graph.hooks(cs).every((h) => h === 'PREROUTING' || h === 'INPUT')) continue;
      counts.forEach((n, i) => n > 0 && out.add(`${table}:${chain}:${i + 1}`));
    }
  }
  return out;
}

function tracedBranches(result: LintResult, probe: Probe, sport: number): Array<{ keys: Set<Key>; verdict: string }> {
  const [proto, src, dport] = probe;
  const packet = packetFrom({ proto, src, dst: FW_ADDR, sport, dport, in: 'va', state: 'NEW', icmpType: 8, tcpFlags: 'SYN', length: proto === 'tcp' ? 60 : proto === 'udp' ? 33 : 41 }, 4);
  const t = tracePacket(result, packet, 'input');
  return t.branches.map((b) => {
    const keys = new Set<Key>();
    for (const s of b.stages) for (const r of s.matched) {
      const cs = result.state.all().find((c) => c.rules.includes(r))!;
      keys.add(`${cs.table}:${cs.name}:${cs.rules.indexOf(r) + 1}`);
    }
    return { keys, verdict: b.verdict };
  });
}

test('tracer: the rules it names are the rules whose kernel counters count the packet', { skip, timeout: 120000 }, (t) => {
  const net = makeNetPair();
  let packets = 0;
  const failures: string[] = [];
  try {
    let sport = 41000;
    for (const c of CASES) {
      const result = lint(c.text, { fileName: 'rules.v4' });
      net.run(net.fw, ['iptables-legacy-restore'], c.text);
      for (const probe of c.probes) {
        for (const table of ['raw', 'mangle', 'nat', 'filter']) net.run(net.fw, ['iptables-legacy', '-t', table, '-Z']);
        sport++;
        net.run(net.peer, ['python3', '-c', SENDER, probe[0], probe[1], FW_ADDR, String(sport), String(probe[2])]);
        const kernel = kernelMatched(readCounters(net.run(net.fw, ['iptables-legacy-save', '-c'])), result);
        const traced = tracedBranches(result, probe, sport);
        packets++;
        const same = traced.find((b) => b.keys.size === kernel.size && [...b.keys].every((k) => kernel.has(k)));
        if (!same) failures.push(`${c.name}: ${probe.join(' ')}: kernel matched {${[...kernel].join(', ')}}; tracer: ${traced.map((b) => `{${[...b.keys].join(', ')}} -> ${b.verdict}`).join(' | ')}`);
      }
    }
  } finally {
    net.destroy();
  }
  t.diagnostic(`${packets} packets over ${CASES.length} rulesets compared with the kernel's counters`);
  assert.ok(packets >= 50);
  assert.deepEqual(failures, []);
});
