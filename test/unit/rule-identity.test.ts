/**
 * Which rule a -D names: iptables compares the rule it builds from the words, not their text. Pairs held to the
 * kernel are in test/kernel/commands.test.ts; here, rewrites that keep a rule's meaning keep its identity, and a
 * restore file's -D written another way deletes the rule it names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { looseIdentity, ruleIdentity } from '../../server/src/engine/ruleIdentity';
import { Command } from '../../server/src/engine/model';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** The commands of a restore file made of these rule lines. */
function rules(...lines: string[]): Command[] {
  return lint(['*filter', ...lines, 'COMMIT', ''].join('\n'), { format: 'restore' }).ruleset.commands.filter((c) => c.spec.short === '-A');
}

test('rules written differently but built the same have one identity; different rules have different ones', () => {
  const same = [
    ['-p tcp --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 -j ACCEPT', '--protocol 6 --destination-port ssh -j ACCEPT', '-p tcp --dport 22:22 --jump ACCEPT'],
    ['-s 10.0.0.1 -i eth0 -j DROP', '-i eth0 -s 10.0.0.1/32 -j DROP', '--in-interface eth0 --source 10.0.0.1/255.255.255.255 -j DROP'],
    ['-s 10.1.2.3/8 -j DROP', '-s 10.0.0.0/8 -j DROP'],
    ['-m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT', '-m conntrack --ctstate est,new -j ACCEPT'],
    ['-p udp -m multiport --dports 53,123 -j ACCEPT', '-p udp -m multiport --destination-ports domain,ntp -j ACCEPT'],
  ];
  for (const group of same) {
    const ids = rules(...group.map((r) => `-A INPUT ${r}`)).map(ruleIdentity);
    assert.equal(new Set(ids).size, 1, `${group.join(' / ')}: ${ids.join(' / ')}`);
  }
  const different = ['-p tcp --dport 22 -j ACCEPT', '-p tcp --dport 23 -j ACCEPT', '-p udp --dport 22 -j ACCEPT', '! -p tcp -j ACCEPT', '-p tcp -j ACCEPT', '-p tcp --dport 22 -j DROP', '-p tcp --dport 22 -g X',
    '-s 10.0.0.1 -j DROP', '-s 10.0.0.2 -j DROP', '-s 10.0.0.0/24 -j DROP', '-m state --state NEW -j ACCEPT', '-m conntrack --ctstate NEW -j ACCEPT', '-p tcp --dport 22:23 -j ACCEPT', '-j ACCEPT'];
  const ids = rules(':X - [0:0]', ...different.map((r) => `-A INPUT ${r}`)).map(ruleIdentity);
  assert.equal(new Set(ids).size, different.length, ids.join('\n'));
});

test('values not read here (ICMP type names, log prefixes) may be equal written apart: maybe the same rule, never another identity claim', () => {
  const [a, b, c] = rules('-A INPUT -p icmp --icmp-type 8 -j ACCEPT', '-A INPUT -p icmp --icmp-type echo-request -j ACCEPT', '-A INPUT -p udp -j ACCEPT');
  assert.notEqual(ruleIdentity(a), ruleIdentity(b));
  assert.equal(looseIdentity(a), looseIdentity(b));
  assert.notEqual(looseIdentity(a), looseIdentity(c));
});

test('a restore file\'s -D written another way deletes the rule it names; one that names no rule is an error', () => {
  const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.1/32 -j ACCEPT', '-D INPUT -p tcp --dport ssh -j ACCEPT', '-D INPUT -s 10.0.0.1 -j ACCEPT', 'COMMIT', ''].join('\n');
  const r = lint(text, { format: 'restore' });
  assert.deepEqual(r.state.get(4, 'filter', 'INPUT')?.rules, []);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  // With the SSH accept deleted, nothing accepts port 22 any more.
  assert.ok(r.diagnostics.some((d) => d.code === 'ssh-lockout'));
  const missing = lint(['*filter', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-D INPUT -p tcp --dport 2222 -j ACCEPT', 'COMMIT', ''].join('\n'), { format: 'restore' });
  assert.deepEqual(missing.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.range.start.line, d.message]), [[2, 'No such rule in INPUT to delete at this point: iptables-restore fails.']]);
});

/** Rewrites that keep a rule's meaning: each turns one part's text into another writing of the same thing. */
const PARTS: Array<[string, string[]]> = [
  ['-s 192.168.1.7', ['-s 192.168.1.7/32', '--source 192.168.1.7', '--src 192.168.1.7/255.255.255.255']],
  ['-d 10.0.0.0/8', ['-d 10.9.8.7/8', '--destination 10.0.0.0/255.0.0.0', '--dst 10.0.0.0/010']],
  ['-i eth0', ['--in-interface eth0']],
  ['! -o ppp0', ['! --out-interface ppp0']],
];
/** Matches, kept in their order: the kernel compares a rule's matches in the order they were loaded. */
const MODULES: Array<[string, string[]]> = [
  ['-m conntrack --ctstate NEW,RELATED', ['-m conntrack --ctstate RELATED,NEW', '-m conntrack --ctstate rel,new,NEW']],
  ['-m comment --comment "web server"', []],
];
const PROTO: Array<[string, string[]]> = [
  ['-p tcp --dport 443', ['-p 6 --dport https', '-p TCP -m tcp --dport 443:443', '--protocol tcp --destination-port 0x1bb']],
  ['-p udp --sport 53', ['-p 17 -m udp --sport domain', '-p udp --source-port 53:53']],
  ['-p tcp -m multiport --dports 80,443', ['-p 6 -m multiport --dports http,https', '-p tcp -m multiport --destination-ports 80:80,443']],
];

test('property: any order of iptables\' own options and any of these writings keep a rule\'s identity (matches kept in order)', () => {
  const pick = (choices: Array<[string, string[]]>) => fc.subarray(choices).chain((chosen) => fc.tuple(...chosen.map(([plain, other]) => fc.constantFrom(plain, ...other).map((w) => [plain, w] as const))));
  fc.assert(fc.property(pick(PARTS), pick(MODULES), pick(PROTO).map((p) => p.slice(0, 1)), fc.constantFrom('ACCEPT', 'DROP', 'LOG --log-prefix "x "'), fc.nat(), (parts, modules, proto, target, seed) => {
    const rest = [...modules, ...proto];
    const plain = [...parts.map(([p]) => p), ...rest.map(([p]) => p)];
    // iptables' own options rotated; the matches after them in their order (a protocol's options after its -p).
    const k = parts.length ? seed % parts.length : 0;
    const rotated = [...parts.slice(k), ...parts.slice(0, k)];
    const turned = [...rotated.map(([, w]) => w), ...rest.map(([, w]) => w)];
    const [a, b] = rules(`-A INPUT ${plain.join(' ')} -j ${target}`, `-A INPUT ${turned.join(' ')} -j ${target}`);
    assert.equal(ruleIdentity(b), ruleIdentity(a), `${plain.join(' ')}\n${turned.join(' ')}`);
  }), { numRuns: RUNS });
});
