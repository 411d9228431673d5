/**
 * The claims that a rule never fires (shadowed-rule, redundant-rule, reject-before-accept), against the real kernel:
 * random rulesets, written in the addresses, ports and interfaces of a veth pair, are loaded into a throw-away
 * namespace, a grid of first packets (TCP SYNs, UDP datagrams, ICMP echo requests, from every peer address, to ports
 * inside and outside every range the rules name) is sent at them, and the kernel's per-rule counters must show that
 * no rule the linter calls dead matched a single one, nor the kernel rule of an address that an earlier address of
 * its list holds (duplicate-list-item), where the rule decides. Where it claims SSH is locked out, SSH connections from every
 * peer address are sent on their own, and none may be accepted. KERNEL_DEAD_RUNS and KERNEL_DEAD_SEED set how many
 * rulesets and which. Needs root; with CI=true it must run.
 */
import { test, TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { Command } from '../../server/src/engine/model';
import { requirement } from '../helpers/env';
import { BACKEND } from '../helpers/lint';
import { BURST_SENDER, FW_ADDR, FW_ADDR6, makeNetPair, netnsUnavailable, PEER_ADDRS, PEER_ADDRS6, readCounters } from './netns';
import { Family } from '../../server/src/engine/kb/addresses';

const why = netnsUnavailable();
const skip = requirement(!why, `the dead-rule kernel test cannot run: ${why}`);

const RUNS = Number(process.env.KERNEL_DEAD_RUNS ?? 60);
const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);

// The rules' conditions, in the values the peer's packets take (addresses 192.0.2.2, .3 and 203.0.113.9, to
// 192.0.2.1, arriving on va) and values they never take.
const src = fc.constantFrom('', '', '', '-s 192.0.2.0/24', '-s 192.0.2.2', '-s 192.0.2.3/32', '! -s 192.0.2.2', '-s 192.0.2.2/31', '-s 203.0.113.0/24', '-s 192.0.2.0/30,203.0.113.9', '-d 192.0.2.1', '! -d 192.0.2.1', '-s 10.0.0.0/8', '-s 192.0.2.0/24,192.0.2.2', '-s 192.0.2.3/32,203.0.113.0/24,192.0.2.3/32', '-d 192.0.2.1,192.0.2.1');
const proto = fc.constantFrom('', '', '-p tcp', '-p tcp', '-p udp', '-p icmp', '! -p tcp', '! -p udp');
const port = fc.constantFrom('', '', '--dport 22', '--dport 80', '--dport 1000:2000', '--dport 0:1023', '-m multiport --dports 22,80', '-m multiport --dports 8,1500:2500', '! --dport 22', '--syn', '! --syn', '--sport 40000:40999', '--sport 0:1023', '--dport 010', '--dport 8:010');
const icmp = fc.constantFrom('', '--icmp-type echo-request', '--icmp-type 8', '--icmp-type 0', '--icmp-type 3/4', '--icmp-type any');
const iface = fc.constantFrom('', '', '', '-i va', '-i v+', '! -i va', '-i lo', '! -i lo', '-i vb');
const state = fc.constantFrom('', '', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m state --state INVALID', '-m conntrack ! --ctstate NEW', '-m state --state new', '-m conntrack --ctstate NEW,UNTRACKED');
const other = fc.constantFrom('', '', '', '-m limit --limit 5/min', '-m recent --rcheck --name probe', '-m length --length 0:60', '-m length ! --length 0:60', '-f', '-m comment --comment probe', '-m ttl --ttl-gt 1');
const target = fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'LOG', 'X', 'RETURN');

const rule = fc.tuple(fc.constantFrom('INPUT', 'INPUT', 'X'), src, proto, port, icmp, iface, state, other, target).map(([chain, s, p, dp, it, i, st, o, t]) => {
  const portPart = p === '-p tcp' || p === '-p udp' ? (p === '-p udp' && /syn/.test(dp) ? '' : dp) : '';
  const icmpPart = p === '-p icmp' ? it : '';
  const tgt = chain === 'X' && t === 'X' ? 'DROP' : chain === 'INPUT' && t === 'RETURN' ? 'ACCEPT' : t;
  return `-A ${chain} ${[s, p, portPart, icmpPart, i, st, o].filter(Boolean).join(' ')} -j ${tgt}`.replace(/ +/g, ' ');
});

/**
 * Rulesets with claims to check: random rules, then copies of some of them with a condition more (a port, an
 * address, an interface, a state) and a verdict of their own, which an earlier rule may leave dead.
 */
const ruleset = fc.tuple(fc.array(rule, { minLength: 3, maxLength: 10 }), fc.array(fc.tuple(fc.nat(), fc.constantFrom('-s 192.0.2.2', '-i va', '-m conntrack --ctstate NEW', '-m length --length 0:60', '-d 192.0.2.1'), fc.constantFrom('ACCEPT', 'DROP', 'REJECT', 'LOG')), { maxLength: 4 })).map(([rules, copies]) => {
  const out = [...rules];
  for (const [k, extra, verdict] of copies) {
    const r = rules[k % rules.length];
    // iptables takes each of its own options (-s, -d, -i) once per rule.
    const own = extra.split(' ')[0];
    if (own !== '-m' && r.includes(` ${own} `)) continue;
    out.push(r.replace(/ -j \S+$/, ` ${extra} -j ${r.startsWith('-A X') && verdict === 'LOG' ? 'RETURN' : verdict}`));
  }
  return out;
});

/** The same conditions for ip6tables: the pair's IPv6 addresses (2001:db8::2, ::3 and 2001:db8:1::9, to 2001:db8::1), ICMPv6, the hop limit. */
const IPV6: Array<[string, string]> = [
  ['192.0.2.0/30,203.0.113.9', '2001:db8::/126,2001:db8:1::9'], ['192.0.2.0/24', '2001:db8::/64'], ['192.0.2.3/32', '2001:db8::3/128'],
  ['192.0.2.2/31', '2001:db8::2/127'], ['203.0.113.0/24', '2001:db8:1::/64'], ['192.0.2.2', '2001:db8::2'], ['192.0.2.1', '2001:db8::1'],
  ['10.0.0.0/8', 'fc00::/7'], ['-p icmp', '-p ipv6-icmp'], ['--icmp-type echo-request', '--icmpv6-type echo-request'],
  ['--icmp-type 8', '--icmpv6-type 128'], ['--icmp-type 0', '--icmpv6-type 129'], ['--icmp-type 3/4', '--icmpv6-type 1/4'],
  ['--icmp-type any', '--icmpv6-type destination-unreachable'], [' -f ', ' -m frag --fragmore '], ['-m ttl --ttl-gt 1', '-m hl --hl-gt 1'],
];

function forFamily(rule: string, family: Family): string {
  if (family === 4) return rule;
  let out = rule;
  for (const [v4, v6] of IPV6) out = out.split(v4).join(v6);
  return out;
}

/**
 * Source ports, each used once in a long while: from 40000 to 40999 (the range a rule names) and from 41000 to
 * 64999, taken in turn, so that a packet repeats an earlier one's addresses and ports only hundreds of rulesets
 * later, and is always the first of its connection.
 */
class Ports {
  private low = 0;
  private high = 0;

  next(low: boolean): number {
    return low ? 40000 + (this.low++ % 1000) : 41000 + (this.high++ % 24000);
  }
}

/** Every peer address to ports inside, outside and at the edges of the ranges above, from both ranges of source ports; and echo requests. */
function grid(ports: Ports, family: Family): Array<[string, string, string, number, number]> {
  const out: Array<[string, string, string, number, number]> = [];
  const dst = family === 4 ? FW_ADDR : FW_ADDR6;
  for (const src of family === 4 ? PEER_ADDRS : PEER_ADDRS6) {
    for (const proto of ['tcp', 'udp']) {
      for (const dport of [8, 9, 10, 22, 80, 999, 1000, 1500, 2000, 2500, 3000]) {
        for (const low of [true, false]) out.push([proto, src, dst, ports.next(low), dport]);
      }
    }
    out.push(['icmp', src, dst, ports.next(false), 0]);
  }
  return out;
}

/**
 * The kernel's count for the rule on `line`: iptables loads a rule with a list of addresses (`-s A,B`) as one rule
 * per address, one after the other, so the rule's counters are those of its share of the kernel's.
 */
function countOf(kernel: readonly number[], rules: readonly Command[], line: number, item?: number): number {
  let at = 0;
  for (const r of rules) {
    const n = r.options.filter((o) => o.spec.short === '-s' || o.spec.short === '-d').reduce((m, o) => m * (o.argValue ?? '').split(',').length, 1);
    // One address of a list, where the rule has one list (its rules stand in the list's order).
    if (r.range.start.line === line && item !== undefined) return kernel[at + item];
    if (r.range.start.line === line) return kernel.slice(at, at + n).reduce((a, b) => a + b, 0);
    at += n;
  }
  throw new Error(`no rule on line ${line + 1}`);
}

/** Which item of its list a finding on a list's item is about (by the commas before it in its word). */
function itemAt(text: string, line: number, character: number): number {
  const before = text.split('\n')[line].slice(0, character);
  return before.slice(before.lastIndexOf(' ') + 1).split(',').length - 1;
}

/** The packets the filter table accepted, by the counters of iptables-save -c: its ACCEPT rules', and the policy's where it is ACCEPT. */
function acceptedCount(save: string): number {
  let n = 0;
  for (const line of save.split('\n')) {
    const rule = /^\[(\d+):\d+\] -A (INPUT|X) .*-j ACCEPT$/.exec(line);
    const policy = /^:INPUT ACCEPT \[(\d+):\d+\]/.exec(line);
    n += Number(rule?.[1] ?? policy?.[1] ?? 0);
  }
  return n;
}

function holdsClaims(t: TestContext, family: Family, seed: number): void {
  const tool = family === 4 ? 'iptables' : 'ip6tables';
  const [fwAddr, peers] = family === 4 ? [FW_ADDR, PEER_ADDRS] : [FW_ADDR6, PEER_ADDRS6];
  const net = makeNetPair();
  let claims = 0;
  let counted = 0;
  let lockouts = 0;
  let refused = 0;
  let listed = 0;
  const ports = new Ports();
  const sshBurst = () => JSON.stringify(peers.map((a) => ['tcp', a, fwAddr, ports.next(false), 22]));
  try {
    // The counting itself: with SSH accepted, each peer's connection is counted as accepted.
    net.run(net.fw, [`${tool}-${BACKEND}-restore`], ['*filter', ':INPUT DROP [0:0]', ':X - [0:0]', '-A INPUT -p tcp --dport 22 -j X', '-A X -j ACCEPT', 'COMMIT', ''].join('\n'));
    net.run(net.peer, ['python3', '-c', BURST_SENDER, sshBurst()]);
    assert.equal(acceptedCount(net.run(net.fw, [`${tool}-${BACKEND}-save`, '-c'])), peers.length);
    fc.assert(
      fc.property(ruleset, fc.constantFrom('ACCEPT', 'DROP'), (rules, policy) => {
        const text = ['*filter', `:INPUT ${policy} [0:0]`, ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':X - [0:0]', ...rules.map((r) => forFamily(r, family)), 'COMMIT', ''].join('\n');
        const result = lint(text, { fileName: `rules.v${family}` });
        // A ruleset the kernel refuses is the other tests' business.
        if (result.diagnostics.some((d) => d.severity === 'error')) {
          refused++;
          return;
        }
        net.run(net.fw, [`${tool}-${BACKEND}-restore`], text);
        const packets = grid(ports, family);
        net.run(net.peer, ['python3', '-c', BURST_SENDER, JSON.stringify(packets)]);
        const counters = readCounters(net.run(net.fw, [`${tool}-${BACKEND}-save`, '-c'])).get('filter')!;
        counted += (counters.get('INPUT') ?? []).reduce((a, b) => a + b, 0);
        for (const d of result.diagnostics.filter((x) => DEAD.has(x.code))) {
          const chain = ['INPUT', 'X'].find((c) => result.state.get(family, 'filter', c)?.rules.some((r) => r.range.start.line === d.range.start.line))!;
          const n = countOf(counters.get(chain)!, result.state.get(family, 'filter', chain)!.rules, d.range.start.line);
          claims++;
          assert.equal(n, 0, `${d.code} on line ${d.range.start.line + 1} is wrong: the kernel counted ${n} packets there\n${text}`);
        }
        // An address that an earlier one of its list holds: its own kernel rule, in a rule that decides, matches nothing.
        for (const d of result.diagnostics.filter((x) => x.code === 'duplicate-list-item' && /one rule per address/.test(x.message))) {
          const line = text.split('\n')[d.range.start.line];
          // Where the rule decides and counts nothing of its own (each address's rule has its own rate limit).
          if (!/-j (ACCEPT|DROP|REJECT|RETURN)$/.test(line) || / -m (limit|recent) /.test(line) || (line.match(/ -[sd] /g) ?? []).length > 1) continue;
          const chain = line.split(' ')[1];
          const n = countOf(counters.get(chain)!, result.state.get(family, 'filter', chain)!.rules, d.range.start.line, itemAt(text, d.range.start.line, d.range.start.character));
          listed++;
          assert.equal(n, 0, `duplicate-list-item on line ${d.range.start.line + 1} is wrong: the kernel counted ${n} packets for that address\n${text}`);
        }
        // A lockout claimed: SSH connections from every peer address, alone, and none accepted.
        if (result.diagnostics.some((d) => d.code === 'ssh-lockout')) {
          lockouts++;
          net.run(net.fw, [`${tool}-${BACKEND}`, '-Z']);
          net.run(net.peer, ['python3', '-c', BURST_SENDER, sshBurst()]);
          const accepted = acceptedCount(net.run(net.fw, [`${tool}-${BACKEND}-save`, '-c']));
          assert.equal(accepted, 0, `ssh-lockout is wrong: the kernel accepted ${accepted} SSH connection(s)\n${text}`);
        }
      }),
      { numRuns: RUNS, seed, includeErrorInReport: true },
    );
  } finally {
    net.destroy();
  }
  t.diagnostic(`${claims} dead-rule claims, ${listed} addresses held by an earlier one of their list and ${lockouts} lockouts checked against the kernel's counters (IPv${family}) (${counted} matches counted in INPUT; ${refused} rulesets refused, left out)`);
  assert.ok(refused < RUNS / 4, `most rulesets load (${refused} refused)`);
  assert.ok(lockouts >= RUNS / 10, `the rulesets made lockout claims (${lockouts})`);
  assert.ok(claims >= RUNS / 4, `the rulesets made dead-rule claims (${claims})`);
  assert.ok(listed >= RUNS / 20, `the rulesets held addresses twice in a list (${listed})`);
  assert.ok(counted > RUNS * 10, `the packets reached the rules (${counted} matches counted)`);
}

const SEED = Number(process.env.KERNEL_DEAD_SEED ?? 20261128);

test(`kernel (iptables-${BACKEND}): no rule the linter calls dead matches a packet, no SSH connection is accepted where it claims a lockout (${RUNS} random rulesets, a grid of packets each)`, { skip, timeout: 600000 }, (t) => holdsClaims(t, 4, SEED));

test(`kernel (ip6tables-${BACKEND}): the same for IPv6 (${RUNS} random rulesets)`, { skip, timeout: 600000 }, (t) => holdsClaims(t, 6, SEED + 1));
