/**
 * Property: for random small rulesets, every rule the analysis calls dead is confirmed dead by walking concrete
 * packets (drawn from the rule's own match, corners included) through the chain with an evaluator that reads the
 * rules directly, independently of the interval model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { refuteDead } from '../../server/src/engine/trace/confirm';
import { matchRule } from '../../server/src/engine/trace/evaluate';
import { samplePackets } from '../../server/src/engine/trace/sample';
import { AnalysisModel } from '../../server/src/engine/analysis/model';
import { AnalysisLimits } from '../../server/src/engine/analysis/limits';
import { Dim, Space, STATES } from '../../server/src/engine/analysis/space';
import { IntervalSet } from '../../server/src/engine/analysis/intervals';
import { walkChain } from '../../server/src/engine/trace/walk';
import { LintResult } from '../../server/src/engine/lint';
import { mulberry } from '../../server/src/engine/trace/confirm';

const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

const src = fc.constantFrom('', '', '', '', '-s 10.0.0.0/8', '-s 10.1.0.0/16', '-s 10.1.2.3', '-s 192.168.0.0/16', '! -s 10.0.0.0/8', '-d 10.1.2.0/24', '-s 10.0.0.0/9,10.128.0.0/9');
const proto = fc.constantFrom('', '', '-p tcp', '-p tcp', '-p udp', '-p icmp', '! -p tcp');
const port = fc.constantFrom('', '', '', '--dport 22', '--dport 80', '--dport 1000:2000', '--dport 0:1023', '--dport 1024:65535', '-m multiport --dports 22,80', '! --dport 22', '--syn', '--sport 53');
const iface = fc.constantFrom('', '', '', '', '-i eth0', '-i eth+', '-i lo', '! -i eth1');
const state = fc.constantFrom('', '', '', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m state --state INVALID', '-m conntrack ! --ctstate NEW');
const other = fc.constantFrom('', '', '', '-m limit --limit 5/min', '-m recent --rcheck --name x', '-m length --length 0:500', '-f', '-m comment --comment x');
const target = fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'LOG', 'X', 'RETURN');

const rule = fc.tuple(fc.constantFrom('INPUT', 'INPUT', 'X'), src, proto, port, iface, state, other, target).map(([chain, s, p, dp, i, st, o, t]) => {
  const portPart = p === '-p tcp' || p === '-p udp' ? (p === '-p udp' && dp === '--syn' ? '' : dp) : '';
  const tgt = chain === 'X' && t === 'X' ? 'DROP' : chain === 'INPUT' && t === 'RETURN' ? 'ACCEPT' : t;
  return `-A ${chain} ${[s, p, portPart, i, st, o].filter(Boolean).join(' ')} -j ${tgt}`.replace(/ +/g, ' ');
});

/** SSH packets (TCP to port 22, NEW, first fragments) from anywhere: none may be accepted when a lockout is reported. */
function refuteLockout(result: LintResult, samples: number, rnd: () => number): string | undefined {
  const input = result.state.get(4, 'filter', 'INPUT')!;
  const space = new Space(4);
  const ssh = space.full.slice();
  ssh[Dim.Proto] = IntervalSet.point(6n);
  ssh[Dim.Dport] = IntervalSet.point(22n);
  ssh[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
  ssh[Dim.Frag] = IntervalSet.point(0n);
  for (const p of samplePackets(ssh, 4, samples, rnd)) {
    if (walkChain(result.state, 4, input, p, { maxOutcomes: 32 }).some((o) => o.verdict === 'ACCEPT')) return `${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} is accepted`;
  }
  return undefined;
}

/**
 * Rulesets that lean on a user chain: X returns some packets and decides the rest, and INPUT jumps into it early,
 * so that what X surely decides (and what the limits cut short) shapes the claims about INPUT.
 */
const viaChain = fc.tuple(
  fc.array(fc.tuple(src, proto, port, fc.constantFrom('RETURN', 'RETURN', 'RETURN', 'DROP', 'ACCEPT')), { minLength: 1, maxLength: 6 }),
  fc.constantFrom('DROP', 'ACCEPT', 'REJECT'),
  fc.array(rule.filter((r) => r.startsWith('-A INPUT')), { minLength: 1, maxLength: 6 }),
).map(([xs, last, after]) => [
  ...xs.map(([s, p, dp, t]) => `-A X ${[s, p, p === '-p tcp' || p === '-p udp' ? (dp === '--syn' && p === '-p udp' ? '' : dp) : ''].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' ')),
  `-A X -j ${last}`,
  '-A INPUT -j X',
  ...after,
]);

/** Rulesets that mostly deny, with an SSH accept somewhere (or none): the SSH lockout check at work. */
const mostlyDeny = fc.tuple(
  fc.array(rule.filter((r) => r.startsWith('-A INPUT')).map((r) => r.replace(/-j \S+$/, '-j DROP')), { minLength: 2, maxLength: 10 }),
  fc.nat(10),
  fc.constantFrom('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m multiport --dports 22,80 -m limit --limit 5/min -j ACCEPT', ''),
).map(([drops, at, accept]) => (accept ? [...drops.slice(0, at), accept, ...drops.slice(at)] : drops));

/** Every dead-rule and lockout claim of random rulesets, confirmed by concrete packets; the number of claims. */
function confirmClaims(policy: string, limits?: Partial<AnalysisLimits>): { dead: number; lockouts: number } {
  let claims = 0;
  let lockouts = 0;
  fc.assert(
    fc.property(fc.oneof(fc.array(rule, { minLength: 3, maxLength: 12 }), viaChain, mostlyDeny), (rules) => {
      const text = ['*filter', `:INPUT ${policy} [0:0]`, ':X - [0:0]', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text, { limits });
      for (const d of result.diagnostics.filter((x) => DEAD.has(x.code))) {
        const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
        claims++;
        const refuted = refuteDead(result, cmd, 120);
        assert.equal(refuted, undefined, `${d.code} on line ${d.range.start.line + 1} is wrong: ${refuted}\n${text}`);
      }
      if (result.diagnostics.some((d) => d.code === 'ssh-lockout')) {
        lockouts++;
        const refuted = refuteLockout(result, 120, mulberry(7));
        assert.equal(refuted, undefined, `ssh-lockout is wrong: ${refuted}\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261126 },
  );
  return { dead: claims, lockouts };
}

test(`property: every rule reported dead is confirmed dead by concrete packets (${RUNS} rulesets)`, (t) => {
  const { dead, lockouts } = confirmClaims('ACCEPT');
  t.diagnostic(`${dead} dead-rule claims and ${lockouts} lockouts confirmed`);
  assert.ok(dead > 100, `the property exercised dead-rule claims (${dead})`);
});

test(`property: with every work limit tiny, what is still claimed is still right, lockouts included (${RUNS} rulesets)`, (t) => {
  const tiny = { decisions: 1, candidates: 2, chainWork: 12, cover: 2, ownIndex: 1, followPieces: 1, followIntervals: 1 };
  const { dead, lockouts } = confirmClaims('DROP', tiny);
  t.diagnostic(`${dead} dead-rule claims and ${lockouts} lockouts confirmed under tiny limits`);
  assert.ok(dead > 20 && lockouts > 20, `the property exercised dead-rule claims (${dead}) and lockouts (${lockouts})`);
});

test('the concrete evaluator agrees with the model on packets drawn from exact rules', () => {
  const text = ['*filter', ':INPUT ACCEPT [0:0]',
    '-A INPUT -s 10.0.0.0/8 -p tcp --dport 1000:2000 -i eth+ -m conntrack --ctstate NEW -j ACCEPT',
    '-A INPUT ! -s 192.168.0.0/16 -p udp -m multiport --dports 53,123 -j ACCEPT',
    '-A INPUT -p icmp --icmp-type echo-request -m length --length 0:100 -j ACCEPT',
    '-A INPUT -p tcp --syn ! -i lo -j DROP', 'COMMIT', ''].join('\n');
  const result = lint(text);
  const model = new AnalysisModel(result.ruleset, result.state);
  const cs = result.state.get(4, 'filter', 'INPUT')!;
  const rnd = mulberry(7);
  for (const r of cs.rules) {
    const ri = model.ruleInfo(r, cs);
    assert.ok(ri.exact);
    for (const p of samplePackets(ri.box, 4, 200, rnd)) assert.equal(matchRule(r, p), 'yes', `line ${r.range.start.line + 1}: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
});
