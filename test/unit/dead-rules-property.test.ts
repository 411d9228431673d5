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

test(`property: every rule reported dead is confirmed dead by concrete packets (${RUNS} rulesets)`, (t) => {
  let claims = 0;
  fc.assert(
    fc.property(fc.array(rule, { minLength: 3, maxLength: 12 }), (rules) => {
      const text = ['*filter', ':INPUT ACCEPT [0:0]', ':X - [0:0]', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      for (const d of result.diagnostics.filter((x) => DEAD.has(x.code))) {
        const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
        claims++;
        const refuted = refuteDead(result, cmd, 120);
        assert.equal(refuted, undefined, `${d.code} on line ${d.range.start.line + 1} is wrong: ${refuted}\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261126 },
  );
  t.diagnostic(`${claims} dead-rule claims confirmed`);
  assert.ok(claims > 100, `the property exercised dead-rule claims (${claims})`);
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
