/**
 * Proof of the packet tracer against the real kernel, IPv4 and IPv6: rulesets are loaded into a namespace, real
 * packets are sent from a second one over a veth pair, and the per-rule packet counters say which rules matched.
 * The tracer must name exactly those rules (for a trace that forks, exactly those of one of its branches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint, LintResult } from '../../server/src/engine/lint';
import { packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';
import { requirement, ROOT } from '../helpers/env';
import { FW_ADDR, FW_ADDR6, makeNetPair, NetPair, netnsUnavailable, PEER_ADDRS6, readCounters, SENDER } from './netns';
import { Family } from '../../server/src/engine/kb/addresses';

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

/**
 * The same rulesets for ip6tables: the addresses, ICMP and REJECT written for IPv6, and two rules more in the second
 * (a hop limit, an ICMPv6 type); the length limit set where IPv6 packets (a 40-byte header) fall on either side.
 */
function forIPv6(text: string, extra: string[] = []): string {
  const swaps: Array<[string, string]> = [
    [`${FW_ADDR}:80`, `[${FW_ADDR6}]:80`],
    ['-p icmp -m icmp --icmp-type 8', '-p ipv6-icmp -m icmp6 --icmpv6-type echo-request'],
    ['-s 192.0.2.3/32', '-s 2001:db8::3/128'],
    ['-s 203.0.113.0/24', '-s 2001:db8:1::/64'],
    ['-s 192.0.2.0/25', '! -s 2001:db8::2/128'],
    ['--length 0:100', '--length 0:60'],
  ];
  let out = text;
  for (const [v4, v6] of swaps) out = out.split(v4).join(v6);
  const lines = out.split('\n');
  lines.splice(lines.lastIndexOf('COMMIT'), 0, ...extra);
  return lines.join('\n');
}

const NAT_RULES6 = forIPv6(NAT_RULES);
const RAW_RULES6 = forIPv6(RAW_RULES, ['-A INPUT -m hl --hl-lt 2 -j DROP', '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type destination-unreachable -j DROP']);

/** The IPv6 baseline snippet, with SSH on its default port. */
function baseline6(): string {
  const snippets = JSON.parse(readFileSync(path.join(ROOT, 'snippets', 'iptables.code-snippets'), 'utf8')) as Record<string, { body: string[] | string }>;
  const body = snippets['SSH-safe baseline (IPv6)'].body;
  return (Array.isArray(body) ? body.join('\n') : body).replace(/\$\{1:(\d+)\}/g, '$1').replace(/\$0/g, '') + '\n';
}

const CASES6: Array<{ name: string; text: string; probes: Probe[] }> = [
  { name: 'IPv6 SSH-safe baseline', text: baseline6(), probes: probes([['tcp', 22], ['tcp', 80], ['udp', 53], ['icmp', 0]], PEER_ADDRS6.slice(0, 1)) },
  { name: 'IPv6 NAT, jumps, goto and RETURN', text: NAT_RULES6, probes: probes([['tcp', 8080], ['tcp', 8443], ['tcp', 80], ['tcp', 22], ['udp', 53], ['icmp', 0]], PEER_ADDRS6) },
  { name: 'IPv6 raw NOTRACK, mangle, states, hop limit and flags', text: RAW_RULES6, probes: probes([['udp', 123], ['udp', 53], ['tcp', 22], ['tcp', 80], ['icmp', 0]], PEER_ADDRS6) },
];

type Key = string;

/** The rules that matched, as table:chain:index, limited to chains a packet arriving for this machine passes. */
function kernelMatched(counters: Map<string, Map<string, number[]>>, result: LintResult, family: Family): Set<Key> {
  const out = new Set<Key>();
  for (const [table, chains] of counters) {
    for (const [chain, counts] of chains) {
      const cs = result.state.get(family, table, chain);
      if (!cs || !result.graph.hooks(cs).every((h) => h === 'PREROUTING' || h === 'INPUT')) continue;
      counts.forEach((n, i) => n > 0 && out.add(`${table}:${chain}:${i + 1}`));
    }
  }
  return out;
}

function tracedBranches(result: LintResult, probe: Probe, sport: number, family: Family): Array<{ keys: Set<Key>; verdict: string }> {
  const [proto, src, dport] = probe;
  // What the sender sends: a SYN with the kernel's options (40 bytes), a UDP datagram or an echo request of 5 bytes.
  const length = (family === 4 ? 20 : 40) + (proto === 'tcp' ? 40 : 13);
  const packet = packetFrom({ proto: proto === 'icmp' && family === 6 ? 'ipv6-icmp' : proto, src, dst: family === 4 ? FW_ADDR : FW_ADDR6, sport, dport, in: 'va', state: 'NEW', icmpType: family === 4 ? 8 : 128, tcpFlags: 'SYN', length }, family);
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

/** Sends every probe of every case at the rules and compares the kernel's counters with the trace; the mismatches. */
function compare(net: NetPair, family: Family, cases: typeof CASES, firstPort: number): { packets: number; failures: string[] } {
  const tool = family === 4 ? 'iptables-legacy' : 'ip6tables-legacy';
  const dst = family === 4 ? FW_ADDR : FW_ADDR6;
  let packets = 0;
  let sport = firstPort;
  const failures: string[] = [];
  for (const c of cases) {
    const result = lint(c.text, { fileName: family === 4 ? 'rules.v4' : 'rules.v6' });
    net.run(net.fw, [`${tool}-restore`], c.text);
    for (const probe of c.probes) {
      for (const table of ['raw', 'mangle', 'nat', 'filter']) net.run(net.fw, [tool, '-t', table, '-Z']);
      sport++;
      net.run(net.peer, ['python3', '-c', SENDER, probe[0], probe[1], dst, String(sport), String(probe[2])]);
      const kernel = kernelMatched(readCounters(net.run(net.fw, [`${tool}-save`, '-c'])), result, family);
      const traced = tracedBranches(result, probe, sport, family);
      packets++;
      const same = traced.find((b) => b.keys.size === kernel.size && [...b.keys].every((k) => kernel.has(k)));
      if (!same) failures.push(`${c.name}: ${probe.join(' ')}: kernel matched {${[...kernel].join(', ')}}; tracer: ${traced.map((b) => `{${[...b.keys].join(', ')}} -> ${b.verdict}`).join(' | ')}`);
    }
  }
  return { packets, failures };
}

test('tracer: the rules it names are the rules whose kernel counters count the packet', { skip, timeout: 120000 }, (t) => {
  const net = makeNetPair();
  try {
    const { packets, failures } = compare(net, 4, CASES, 41000);
    t.diagnostic(`${packets} packets over ${CASES.length} rulesets compared with the kernel's counters`);
    assert.ok(packets >= 50);
    assert.deepEqual(failures, []);
  } finally {
    net.destroy();
  }
});

test('tracer, IPv6: the rules it names are the rules whose ip6tables counters count the packet', { skip, timeout: 120000 }, (t) => {
  const net = makeNetPair();
  try {
    const { packets, failures } = compare(net, 6, CASES6, 43000);
    t.diagnostic(`${packets} IPv6 packets over ${CASES6.length} rulesets compared with the kernel's counters`);
    assert.ok(packets >= 30);
    assert.deepEqual(failures, []);
  } finally {
    net.destroy();
  }
});
