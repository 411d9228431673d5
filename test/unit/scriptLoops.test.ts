/**
 * `for VALUE in ...; do <one command>; done` over known values: the rule is added once per value, each value is
 * checked, the analysis, the tracer and the conversion take every value; anything else about loops stays unknown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { quickFixes } from '../../server/src/engine/fixes';
import { inlayHints } from '../../server/src/features/inlayHints';
import { scriptToRestore } from '../../server/src/engine/toRestore';
import { packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const run = (text: string) => lint(text, { fileName: 'fw.sh' });
const codes = (text: string) => run(text).diagnostics.filter((d) => d.severity !== 'info' || d.code === 'redundant-rule').map((d) => `${d.range.start.line}:${d.code}`);

/** A family's INPUT chain once the script has run: its policy and the lines of its rules. */
function inputOf(r: ReturnType<typeof run>, family: 4 | 6): { policy?: string; lines: number[] } {
  const input = r.state.get(family, 'filter', 'INPUT')!;
  return { policy: input.policy, lines: input.rules.map((c) => c.startLine) };
}

const PORTS = script(
  'iptables -A INPUT -i lo -j ACCEPT',
  'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  'for port in 22 80 443; do',
  '  echo "opening $port"',
  '  iptables -A INPUT -p tcp --dport $port -j ACCEPT',
  'done',
  'iptables -A INPUT -p tcp --dport 80 -j DROP',
  'iptables -A INPUT -p tcp --dport 8080 -j DROP',
  'iptables -P INPUT DROP',
);

test('a rule a loop adds for each known value: later rules for any of the values are shadowed, others are not', () => {
  const r = run(PORTS);
  assert.deepEqual(r.ruleset.loops?.get(r.ruleset.commands[2])?.values, ['22', '80', '443']);
  assert.deepEqual(codes(PORTS).filter((c) => !c.endsWith('ipv6-unfiltered')), ['7:shadowed-rule']);
  // The SSH accept is one of the values: no lockout.
  assert.ok(!codes(PORTS).some((c) => c.endsWith('ssh-lockout')));
});

test('the loop rule is dead only when every value is taken before it', () => {
  const some = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'for p in 22 80 443; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done');
  assert.deepEqual(codes(some), []);
  const all = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done');
  assert.deepEqual(codes(all), ['3:redundant-rule']);
  // Addresses of a blocklist: a later accept from one of them never fires.
  const block = script('for ip in 203.0.113.5 198.51.100.0/24; do', '  iptables -A INPUT -s "$ip" -j DROP', 'done', 'iptables -A INPUT -s 198.51.100.7 -p tcp --dport 25 -j ACCEPT');
  assert.deepEqual(codes(block), ['4:reject-before-accept']);
});

test('each value is checked, and its findings say which value', () => {
  const bad = run(script('for p in 22 99999 http; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'));
  const found = bad.diagnostics.filter((d) => d.code === 'invalid-value');
  assert.equal(found.length, 1);
  assert.match(found[0].message, /\(with \$p = 99999\)$/);
  assert.equal(found[0].range.start.character, 60);
  // A list of known words from a variable, split as the shell splits it.
  const listed = run(script('PORTS="22 80"', 'for p in $PORTS; do iptables -A INPUT -p tcp --dport "$p" -j ACCEPT; done'));
  assert.deepEqual(listed.ruleset.loops?.get(listed.ruleset.commands[0])?.values, ['22', '80']);
});

test('loops the analysis cannot follow value by value stay unknown: unknown values, nested loops, the variable used twice', () => {
  const unknown = (text: string) => assert.equal(run(text).ruleset.loops, undefined, text);
  unknown(script('for ip in $(cat /etc/blocklist); do iptables -A INPUT -s $ip -j DROP; done'));
  unknown(script('for ip in $LIST; do iptables -A INPUT -s $ip -j DROP; done'));
  unknown(script('for p in 22 80; do iptables -A INPUT -p tcp --dport $p -m comment --comment "port $p" -j ACCEPT; done'));
  unknown(script('for p in 2*; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'));
  unknown(script('for p in {8000..8010}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'));
  unknown(script('for p in 22 {80,443}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'));
  unknown(script('for p in 22 80; do iptables -A INPUT -p tcp --dport ${p}0 -j ACCEPT; done'));
  // A value the shell splits (blanks), drops (empty) or expands (a glob) where $ip is unquoted: not one word each.
  unknown(script('for ip in "10.0.0.1 10.0.0.2" 10.0.0.3; do iptables -A INPUT -s $ip -j DROP; done'));
  unknown(script('for c in "INPUT FORWARD"; do iptables -A $c -j DROP; done'));
  unknown(script('for ip in "" 10.0.0.3; do iptables -A INPUT -s $ip -j DROP; done'));
  unknown(script("for ip in '10.0.0.*'; do iptables -A INPUT -s $ip -j DROP; done"));
  // Quoted, each value is one word whatever it holds.
  assert.deepEqual([...(run(script('for c in "my chain" X; do iptables -N "$c"; done')).ruleset.loops?.values() ?? [])].map((l) => l.values), [['my chain', 'X'], ['my chain', 'X']]);
  // Nested: the inner loop is followed value by value, the outer loop's variable stays unknown.
  const nested = run(script('for ip in 10.0.0.1 10.0.0.2; do', '  for p in 22 80; do', '    iptables -A INPUT -s $ip -p tcp --dport $p -j ACCEPT', '  done', 'done'));
  assert.deepEqual([...(nested.ruleset.loops?.values() ?? [])].map((l) => l.values), [['22', '80']]);
  assert.ok(nested.ruleset.commands[0].dynamic);
});

test('hover, the tracer and the conversion take every value', () => {
  const r = run(PORTS);
  assert.match(hover(r, { line: 5, character: 36 })!.markdown, /^`\$port` is each of `22`, `80`, `443` in turn \(the loop on line 4\)/);
  const rule = hover(r, { line: 5, character: 13 })!.markdown;
  assert.match(rule, /Added once for each value of the loop on line 4 \(3\)/);
  assert.match(rule, /`\$port` = `443`: Accepts TCP packets to port 443/);
  const t = tracePacket(r, packetFrom({ proto: 'tcp', dport: 443, in: 'eth0' }, 4), 'input');
  assert.deepEqual(t.branches.map((b) => [b.verdict, b.decidedBy?.startLine]), [['ACCEPT', 5]]);
  const [v4] = scriptToRestore(r, 'fw.sh');
  assert.deepEqual(v4.text.split('\n').filter((l) => l.includes('--dport')), [
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 80 -j DROP',
    '-A INPUT -p tcp -m tcp --dport 8080 -j DROP',
  ]);
});

test('property: the loop rule is called dead exactly when the rule of each of its values, alone in its place, is', () => {
  const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);
  const port = fc.integer({ min: 20, max: 27 });
  const earlier = fc.array(fc.record({ lo: port, span: fc.integer({ min: 0, max: 3 }), drop: fc.boolean() }), { maxLength: 4 });
  fc.assert(fc.property(earlier, fc.array(port, { minLength: 1, maxLength: 4 }), fc.boolean(), (rules, values, drop) => {
    const before = rules.map((r) => `iptables -A INPUT -p tcp --dport ${r.lo}:${r.lo + r.span} -j ${r.drop ? 'DROP' : 'ACCEPT'}`);
    const verdict = drop ? 'DROP' : 'ACCEPT';
    const dead = (text: string, line: number) => run(text).diagnostics.some((d) => DEAD.has(d.code) && d.range.start.line === line);
    const looped = script(...before, `for p in ${values.join(' ')}; do iptables -A INPUT -p tcp --dport $p -j ${verdict}; done`);
    const each = values.every((v) => dead(script(...before, `iptables -A INPUT -p tcp --dport ${v} -j ${verdict}`), before.length + 1));
    assert.equal(dead(looped, before.length + 1), each, looped);
  }), { numRuns: 150, seed: 11 });
});

test('fixes keep a loop whole: rules go in before the loop, and a rule of a loop of several lines is not moved or deleted alone', () => {
  const text = script(
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 80 -j DROP',
    'for p in 80 443; do',
    '  iptables -A INPUT -p tcp --dport $p -j ACCEPT',
    'done',
    'for p in 22; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done',
    'iptables -P INPUT DROP',
  );
  const r = run(text);
  const fixes = (line: number, code: string) => quickFixes(r, r.diagnostics.find((d) => d.range.start.line === line && d.code === code)!).filter((f) => !f.title.startsWith('Disable'));
  // The loop of several lines (80 and 443): not dead, 443 is new. The one-line loop of 22 is redundant, deleted whole.
  assert.deepEqual(fixes(6, 'redundant-rule').map((f) => f.edits[0].range.start.line), [6]);
  // The missing ESTABLISHED accept goes in before the first rule, never inside a loop.
  const est = fixes(7, 'missing-established')[0];
  assert.ok(est && est.edits[0].range.start.line <= 1, JSON.stringify(est));
  const body = run(script('iptables -A INPUT -p tcp --dport 80 -j DROP', 'for p in 80; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done'));
  const rba = body.diagnostics.find((d) => d.code === 'reject-before-accept')!;
  assert.equal(rba.range.start.line, 3);
  assert.deepEqual(quickFixes(body, rba).filter((f) => !f.title.startsWith('Disable')), []);
});

test('a loop over iptables and ip6tables runs the command once for each family', () => {
  const text = script(
    'for ipt in iptables ip6tables; do',
    '  $ipt -A INPUT -i lo -j ACCEPT',
    'done',
    'for ipt in iptables ip6tables; do $ipt -A INPUT -p tcp --dport 22 -j ACCEPT; done',
    'for ipt in iptables ip6tables; do $ipt -A INPUT -s 10.0.0.0/8 -j ACCEPT; done',
    'for ipt in iptables ip6tables; do $ipt -P INPUT DROP; done',
  );
  const r = run(text);
  assert.deepEqual(inputOf(r, 4), { policy: 'DROP', lines: [2, 4, 5] });
  assert.deepEqual(inputOf(r, 6), { policy: 'DROP', lines: [2, 4] });
  // What only one family refuses is said once; the rest once, not twice.
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.range.start.line}:${d.code}`), ['5:address-family']);
  assert.ok(!r.diagnostics.some((d) => d.code === 'ipv6-unfiltered'));
  // One rule-number hint per line, with both numbers.
  const hints = inlayHints(r, { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } });
  assert.deepEqual(hints.map((h) => `${h.position.line} ${h.label}`), ['2 #1 · #1', '4 #2 · #2', '5 #3']);
  // A setting that forces one family reads it once.
  assert.equal(lint(text, { fileName: 'fw.sh', family: 6 }).state.get(4, 'filter', 'INPUT'), undefined);
});

const BLOCK = script(
  'BAD="203.0.113.5 198.51.100.0/24"',
  'for ip in $BAD; do',
  '  iptables -A INPUT -s $ip -j LOG --log-prefix "blocked "',
  '  iptables -A INPUT -s $ip -j DROP',
  'done',
  'iptables -A INPUT -s 198.51.100.7 -p tcp --dport 25 -j ACCEPT',
);

test('a body of several commands: each is one rule where their rules interleave harmlessly (a LOG before a DROP)', () => {
  const r = run(BLOCK);
  const [log, drop] = r.ruleset.commands;
  assert.equal(r.ruleset.loops?.get(log)?.loop, r.ruleset.loops?.get(drop)?.loop);
  assert.deepEqual(r.ruleset.loops?.get(drop)?.values, ['203.0.113.5', '198.51.100.0/24']);
  assert.deepEqual(codes(BLOCK), ['6:reject-before-accept']);
  // The conversion writes them value by value, as the loop adds them.
  const [v4] = scriptToRestore(r, 'fw.sh');
  assert.deepEqual(v4.text.split('\n').filter((l) => l.startsWith('-A')), [
    '-A INPUT -s 203.0.113.5 -j LOG --log-prefix "blocked "',
    '-A INPUT -s 203.0.113.5 -j DROP',
    '-A INPUT -s 198.51.100.0/24 -j LOG --log-prefix "blocked "',
    '-A INPUT -s 198.51.100.0/24 -j DROP',
    '-A INPUT -s 198.51.100.7 -p tcp -m tcp --dport 25 -j ACCEPT',
  ]);
  assert.match(hover(r, { line: 4, character: 12 })!.markdown, /Added once for each value of the loop on line 3 \(2\), value by value with the other commands of its body/);
  // A fix never deletes or moves one command of such a body alone.
  const dead = run(script('iptables -A INPUT -p tcp -j DROP', 'for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j LOG; iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'));
  const rba = dead.diagnostics.find((d) => d.code === 'reject-before-accept');
  assert.ok(rba, JSON.stringify(dead.diagnostics));
  assert.deepEqual(quickFixes(dead, rba).filter((f) => !f.title.startsWith('Disable')), []);
});

test('a body of several commands for different chains, and a command that does not use the loop\'s word, added once per value', () => {
  const text = script(
    'for p in 22 80; do',
    '  iptables -A INPUT -p tcp --dport $p -j ACCEPT',
    '  iptables -A OUTPUT -p tcp --sport $p -j ACCEPT',
    '  iptables -A FORWARD -j LOG',
    'done',
    'iptables -A OUTPUT -p tcp --sport 80 -j DROP',
    'for i in 1 2; do iptables -I INPUT -p tcp --dport 2$i -j ACCEPT; iptables -I INPUT -p udp --dport 53 -j ACCEPT; done',
  );
  const r = run(text);
  assert.deepEqual(codes(text).filter((c) => !/no-default-deny|ipv6/.test(c)), ['6:shadowed-rule']);
  const [v4] = scriptToRestore(r, 'fw.sh');
  assert.deepEqual(v4.text.split('\n').filter((l) => l.startsWith('-A FORWARD')), ['-A FORWARD -j LOG', '-A FORWARD -j LOG']);
  // The last loop inserts a rule whose port is not one word of its own: it stays unknown, and its plain neighbour with it.
  assert.equal(r.ruleset.commands.filter((c) => r.ruleset.loops?.has(c)).length, 3);
  // Inserted once per value at the same place: the last value's rule ends up first.
  const ins = run(script('for p in 8080 8443; do iptables -I INPUT -p tcp --dport $p -j ACCEPT; done'));
  assert.deepEqual(scriptToRestore(ins, 'fw.sh')[0].text.split('\n').filter((l) => l.startsWith('-A')), ['-A INPUT -p tcp -m tcp --dport 8443 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT']);
});

test('bodies whose rules interleave in a way one rule per command cannot stand for stay unknown', () => {
  const unknown = (...lines: string[]) => {
    const r = run(script(...lines));
    assert.equal(r.ruleset.loops, undefined, lines.join('\n'));
  };
  // Rules that decide by different verdicts, in one chain; a jump among them.
  unknown('for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j DROP; iptables -A INPUT -p udp --dport $p -j ACCEPT; done');
  unknown('iptables -N SVC', 'for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j SVC; iptables -A INPUT -p udp --dport $p -j ACCEPT; done');
  // Inserted, next to another of the body in the same chain.
  unknown('for p in 22 80; do iptables -I INPUT -p tcp --dport $p -j LOG; iptables -A INPUT -p tcp --dport $p -j DROP; done');
  // Another command (what it does is not known), a compound command inside, a flush or a policy once per value.
  unknown('for ip in 10.0.0.1 10.0.0.2; do ipset add blocked $ip; iptables -A INPUT -s $ip -j DROP; done');
  unknown('for ip in 10.0.0.1 10.0.0.2; do', '  if [ -n "$LOG" ]; then iptables -A INPUT -s $ip -j LOG; fi', '  iptables -A INPUT -s $ip -j DROP', 'done');
  unknown('for ip in 10.0.0.1 10.0.0.2; do iptables -F; iptables -A INPUT -s $ip -j DROP; done');
});

test('a loop over iptables and ip6tables with several commands runs each once per family, in order', () => {
  const text = script(
    'for ipt in iptables ip6tables; do',
    '  $ipt -F',
    '  $ipt -A INPUT -i lo -j ACCEPT',
    '  $ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '  $ipt -A INPUT -p tcp --dport 22 -j ACCEPT',
    '  $ipt -A INPUT -p tcp --dport 22 -j DROP',
    '  $ipt -P INPUT DROP',
    'done',
  );
  const r = run(text);
  for (const family of [4, 6] as const) assert.deepEqual(inputOf(r, family), { policy: 'DROP', lines: [3, 4, 5, 6] }, `IPv${family}`);
  const found = r.diagnostics.map((d) => `${d.range.start.line}:${d.code}`);
  assert.ok(found.includes('6:shadowed-rule'), found.join(' '));
  // IPv6 is read too: its neighbour discovery is dropped.
  assert.ok(found.includes('7:nd-blocked'), found.join(' '));
  assert.equal(found.filter((f) => f === '6:shadowed-rule').length, 1);
});

/** Random rules for the property tests of bodies run once per value: ports 20 to 24, to INPUT or OUTPUT. */
const PORT = fc.integer({ min: 20, max: 24 });
const BODY_RULE = fc.record({ chain: fc.constantFrom('INPUT', 'OUTPUT'), usesWord: fc.boolean(), lo: PORT, span: fc.integer({ min: 0, max: 2 }), target: fc.constantFrom('ACCEPT', 'DROP', 'LOG', '') });
const AROUND = fc.array(fc.record({ chain: fc.constantFrom('INPUT', 'OUTPUT'), lo: PORT, span: fc.integer({ min: 0, max: 3 }), drop: fc.boolean() }), { maxLength: 3 });
type BodyRule = { chain: string; usesWord: boolean; lo: number; span: number; target: string };
const writeRule = (r: { chain: string; target: string }, dport: string, proto = 'tcp') => `iptables -A ${r.chain} -p ${proto} --dport ${dport}${r.target ? ` -j ${r.target}` : ''}`;
const aroundRules = (rs: ReadonlyArray<{ chain: string; lo: number; span: number; drop: boolean }>) => rs.map((r) => writeRule({ chain: r.chain, target: r.drop ? 'DROP' : 'ACCEPT' }, `${r.lo}:${r.lo + r.span}`));
const bodyPort = (r: BodyRule, v: string) => (r.usesWord ? v : `${r.lo}:${r.lo + r.span}`);
const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);

/**
 * A script whose body runs once per value (`taken`, its body's rules from line `bodyStart`, the rules after it from
 * `afterStart`) against the same script written out (`unrolled`: `pre` rules, the body once per value, the rest):
 * every rule called dead in the first is dead written out, for each value; the conversion and the traces agree.
 */
function holdsWrittenOut(taken: ReturnType<typeof run>, unrolled: string, n: { pre: number; body: number; values: number; post: number; bodyStart: number; afterStart: number }, text: string): void {
  const b = run(unrolled);
  const deadIn = (res: typeof b, line: number) => res.diagnostics.some((d) => DEAD.has(d.code) && d.range.start.line === line);
  for (let j = 0; j < n.body; j++) {
    if (deadIn(taken, n.bodyStart + j)) for (let k = 0; k < n.values; k++) assert.ok(deadIn(b, n.pre + 1 + k * n.body + j), `${text}\n---\n${unrolled}`);
  }
  for (let k = 0; k < n.post; k++) {
    if (deadIn(taken, n.afterStart + k)) assert.ok(deadIn(b, n.pre + 1 + n.values * n.body + k), `${text}\n---\n${unrolled}`);
  }
  assert.equal(scriptToRestore(taken, 'fw.sh')[0].text.replace(/^#.*\n/gm, ''), scriptToRestore(b, 'fw.sh')[0].text.replace(/^#.*\n/gm, ''), text);
  for (const dp of [20, 22, 25]) {
    const p = packetFrom({ proto: 'tcp', dport: dp, in: 'eth0' }, 4);
    const verdicts = (res: typeof b) => tracePacket(res, p, 'input').branches.map((x) => x.verdict);
    assert.deepEqual(verdicts(taken), verdicts(b), `${text}\nport ${dp}`);
  }
}

test('property: a loop of several commands is called dead, converted and traced as the same script with the loop written out', () => {
  let taken = 0;
  fc.assert(fc.property(AROUND, fc.array(BODY_RULE, { minLength: 2, maxLength: 3 }), fc.array(PORT, { minLength: 1, maxLength: 3 }), AROUND, (before, body, values, after) => {
    const [pre, post] = [aroundRules(before), aroundRules(after)];
    const looped = script(...pre, `for p in ${values.join(' ')}; do`, ...body.map((r) => `  ${writeRule(r, bodyPort(r, '$p'))}`), 'done', ...post);
    const unrolled = script(...pre, ...values.flatMap((v) => body.map((r) => writeRule(r, bodyPort(r, String(v))))), ...post);
    const a = run(looped);
    if (!a.ruleset.loops) return;
    taken++;
    // Every claim about the loop holds for each rule it stands for; every claim after it holds written out.
    holdsWrittenOut(a, unrolled, { pre: pre.length, body: body.length, values: values.length, post: post.length, bodyStart: pre.length + 2, afterStart: pre.length + 3 + body.length }, looped);
  }), { numRuns: 300, seed: 7 });
  assert.ok(taken > 60, `only ${taken} loops taken`);
});

test('rule numbers count a loop\'s rule once per value; a number that falls among a loop\'s rules is not followed rule by rule', () => {
  const text = script(
    'for ip in 10.0.0.1 10.0.0.2; do',
    '  iptables -A INPUT -s $ip -j LOG',
    '  iptables -A INPUT -s $ip -j DROP',
    'done',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'iptables -I INPUT 5 -p tcp --dport 443 -j ACCEPT',
    'iptables -A INPUT -p udp -j ACCEPT',
    'iptables -D INPUT 7',
  );
  const r = run(text);
  const input = r.state.get(4, 'filter', 'INPUT')!;
  assert.deepEqual(input.rules.map((c) => c.startLine), [2, 3, 6, 5]);
  const hints = inlayHints(r, { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } });
  assert.deepEqual(hints.map((h) => `${h.position.line} ${h.label}`), ['2 #1 #3', '3 #2 #4', '5 #6', '6 #5']);
  assert.match(String(hints[0].tooltip), /^Rules 1 and 3 of 6 in INPUT \(filter\): the loop on line 2 adds this rule once for each value/);
  // Rule 2 is the DROP of the first value, between two LOGs: the chain cannot hold the insert there rule by rule.
  const among = run(script('for ip in 10.0.0.1 10.0.0.2; do', '  iptables -A INPUT -s $ip -j LOG', '  iptables -A INPUT -s $ip -j DROP', 'done', 'iptables -I INPUT 2 -s 10.0.0.2 -j ACCEPT', 'iptables -A INPUT -s 10.0.0.2 -j ACCEPT'));
  assert.deepEqual([...among.state.amid.keys()].map((c) => c.startLine).sort(), [2, 3, 5]);
  // Nothing is claimed on their account (the last ACCEPT would be dead were the DROP sure), and the conversion says what it leaves out.
  assert.ok(!among.diagnostics.some((d) => /shadowed|redundant|reject-before/.test(d.code)), JSON.stringify(among.diagnostics));
  const [v4] = scriptToRestore(among, 'fw.sh');
  assert.deepEqual(v4.skipped.map((s) => s.line), [5, 2, 3]);
  assert.match(v4.skipped[0].why, /the command on line 6 inserts, replaces or deletes a rule among the rules a loop adds/);
  assert.deepEqual(inlayHints(among, { start: { line: 0, character: 0 }, end: { line: 7, character: 0 } }).map((h) => `${h.position.line} ${h.label}`), ['6 #6']);
});

test('a delete by specification that names one of a loop\'s rules takes that one alone: the loop\'s rules are then not counted on', () => {
  const text = script('for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j DROP; done', 'iptables -D INPUT -p tcp --dport 80 -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT');
  const r = run(text);
  assert.deepEqual(r.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine), [1, 3, 4]);
  assert.deepEqual([...r.state.amid.keys()].map((c) => c.startLine).sort(), [1, 2]);
  // Port 22's DROP still stands in the kernel, but the analysis no longer leans on the loop's rule: no claim either way.
  assert.ok(!r.diagnostics.some((d) => /shadowed|redundant|reject-before/.test(d.code)), JSON.stringify(r.diagnostics));
  assert.deepEqual(scriptToRestore(r, 'fw.sh')[0].skipped.map((s) => s.line), [1]);
  // A delete of a rule that is not the loop's leaves it as it is.
  const other = run(script('for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j DROP; done', 'iptables -A INPUT -p udp -j DROP', 'iptables -D INPUT -p udp -j DROP', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT'));
  assert.equal(other.state.amid.size, 0);
  assert.deepEqual(other.diagnostics.filter((d) => d.code === 'reject-before-accept').map((d) => d.range.start.line), [4]);
});

test('the loop\'s word as the chain, the table, the target, the policy or a module: a command of its own for each value', () => {
  const text = script(
    'for t in filter nat mangle raw; do iptables -t $t -F; iptables -t $t -X; done',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'for c in INPUT FORWARD; do iptables -P $c DROP; done',
  );
  const r = run(text);
  assert.equal(r.state.get(4, 'filter', 'INPUT')!.policy, 'DROP');
  assert.equal(r.state.get(4, 'filter', 'FORWARD')!.policy, 'DROP');
  assert.deepEqual(r.ruleset.commands.map((c) => `${c.startLine} ${c.table} ${c.spec.short} ${c.chainName ?? ''}`), [
    '1 filter -F ', '1 nat -F ', '1 mangle -F ', '1 raw -F ', '1 filter -X ', '1 nat -X ', '1 mangle -X ', '1 raw -X ', '2 filter -A INPUT', '3 filter -P INPUT', '3 filter -P FORWARD',
  ]);
  // What the DROP policy set in the loop means for INPUT is said, as for a policy written out.
  const found = codes(text);
  for (const code of ['3:ssh-lockout', '3:missing-established']) assert.ok(found.includes(code), found.join(' '));
  // The flush's fix sets the ACCEPT policy before the loop, written as the script runs iptables.
  const flush = r.diagnostics.find((d) => d.code === 'ssh-lockout' && d.range.start.line === 1)!;
  const fix = quickFixes(r, flush).find((f) => f.title.startsWith('Set the ACCEPT policy'))!;
  assert.deepEqual(fix.edits.map((e) => [e.range.start.line, e.newText]), [[1, 'iptables -P INPUT ACCEPT\n']]);
  // A fix never deletes the line: it holds every value's command.
  const dead = run(script('iptables -A INPUT -j DROP', 'iptables -A FORWARD -j DROP', 'for c in INPUT FORWARD; do iptables -A $c -p tcp --dport 22 -j DROP; done'));
  const red = dead.diagnostics.filter((d) => d.code === 'redundant-rule');
  assert.equal(red.length, 2, JSON.stringify(dead.diagnostics));
  assert.notEqual(red[0].message, red[1].message);
  for (const d of red) assert.deepEqual(quickFixes(dead, d).filter((f) => !f.title.startsWith('Disable')), []);
  // A value that makes a command iptables refuses: said once, naming the value.
  const bad = run(script('for c in INPUT PREROUTING; do iptables -A $c -p tcp --dport 22 -j ACCEPT; done'));
  assert.deepEqual(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.range.start.character}`), ['chain-not-in-table 42']);
  const badTarget = run(script('for t in ACCEPT DNAT; do iptables -A INPUT -p tcp --dport 22 -j $t; done'));
  assert.deepEqual(badTarget.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), ['The DNAT target is only allowed in the nat table, not in filter.', '-j DNAT needs --to-destination: iptables refuses it without.']);
  // Targets and modules: each value's rule on its own.
  const targets = run(script('for t in ACCEPT DROP; do iptables -A INPUT -p tcp --dport 22 -j $t; done'));
  assert.deepEqual(targets.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.target?.name), ['ACCEPT', 'DROP']);
  assert.ok(targets.diagnostics.some((d) => d.code === 'shadowed-rule' && d.range.start.line === 1), JSON.stringify(targets.diagnostics));
  const [v4] = scriptToRestore(targets, 'fw.sh');
  assert.deepEqual(v4.text.split('\n').filter((l) => l.startsWith('-A')), ['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 22 -j DROP']);
});

test('hover on a loop\'s word that makes each value a command of its own, and on its rule', () => {
  const r = run(script('for t in ACCEPT DROP; do iptables -A INPUT -p tcp --dport 22 -j $t; done'));
  const line = r.index.lineText(1);
  assert.match(hover(r, { line: 1, character: line.indexOf('$t') + 1 })!.markdown, /^`\$t` is each of `ACCEPT`, `DROP` in turn \(the loop on line 2\): the command runs once for each/);
  const rule = hover(r, { line: 1, character: line.indexOf('-A') + 1 })!.markdown;
  assert.match(rule, /Run once for each value of the loop on line 2 \(2\), each time a rule of its own/);
  assert.match(rule, /`\$t` = `DROP`: Drops TCP packets to port 22/);
  const [hint] = inlayHints(r, { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } });
  assert.equal(hint.label, '#1 · #2');
  assert.match(String(hint.tooltip), /With \$t = DROP: rule 2 of 2 in INPUT\.$/);
});

test('property: a loop over chains (a command of its own for each value) is analysed, converted and traced as the loop written out', () => {
  const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);
  const port = fc.integer({ min: 20, max: 24 });
  const chain = fc.constantFrom('INPUT', 'OUTPUT');
  const rule = fc.record({ chain: fc.option(chain, { nil: undefined }), lo: port, span: fc.integer({ min: 0, max: 2 }), target: fc.constantFrom('ACCEPT', 'DROP', 'LOG', '') });
  const earlier = fc.array(fc.record({ chain, lo: port, span: fc.integer({ min: 0, max: 3 }), drop: fc.boolean() }), { maxLength: 3 });
  const write = (c: string, lo: number, span: number, target: string) => `iptables -A ${c} -p tcp --dport ${lo}:${lo + span}${target ? ` -j ${target}` : ''}`;
  let taken = 0;
  fc.assert(fc.property(earlier, fc.array(rule, { minLength: 1, maxLength: 3 }), fc.array(chain, { minLength: 1, maxLength: 3 }), earlier, (before, body, values, after) => {
    const plain = (rs: typeof before) => rs.map((r) => write(r.chain, r.lo, r.span, r.drop ? 'DROP' : 'ACCEPT'));
    const looped = script(...plain(before), `for c in ${values.join(' ')}; do`, ...body.map((r) => `  ${write(r.chain ?? '$c', r.lo, r.span, r.target)}`), 'done', ...plain(after));
    const unrolled = script(...plain(before), ...values.flatMap((v) => body.map((r) => write(r.chain ?? v, r.lo, r.span, r.target))), ...plain(after));
    const a = run(looped);
    if (!a.ruleset.loops) return;
    taken++;
    const b = run(unrolled);
    const deadAt = (res: typeof a, line: number) => res.diagnostics.filter((d) => DEAD.has(d.code) && d.range.start.line === line).length;
    const start = before.length + 2;
    for (const [j] of body.entries()) {
      const claims = deadAt(a, start + j);
      const truly = values.reduce((n, _, k) => n + deadAt(b, before.length + 1 + k * body.length + j), 0);
      assert.ok(claims <= truly, `${looped}\n---\n${unrolled}\nline ${start + j}: ${claims} claims, ${truly} dead`);
    }
    for (const k of after.keys()) {
      if (deadAt(a, start + body.length + 1 + k)) assert.ok(deadAt(b, before.length + 1 + values.length * body.length + k), `${looped}\n---\n${unrolled}`);
    }
    assert.equal(scriptToRestore(a, 'fw.sh')[0].text.replace(/^#.*\n/gm, ''), scriptToRestore(b, 'fw.sh')[0].text.replace(/^#.*\n/gm, ''), looped);
    for (const dp of [20, 22, 25]) {
      for (const [hook, dir] of [['input', 'in'], ['output', 'out']] as const) {
        const p = packetFrom({ proto: 'tcp', dport: dp, [dir]: 'eth0' }, 4);
        const verdicts = (res: typeof a) => tracePacket(res, p, hook).branches.map((x) => x.verdict);
        assert.deepEqual(verdicts(a), verdicts(b), `${looped}\n${hook} port ${dp}`);
      }
    }
  }), { numRuns: 300, seed: 9 });
  assert.ok(taken > 100, `only ${taken} loops taken`);
});

test('a loop over brace expansion: expanded as bash does in a script for bash, a warning in a script for sh', () => {
  const body = ['for p in {80,443} {8000..8002}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done', 'iptables -A INPUT -p tcp --dport 8001 -j DROP', ''];
  const bash = lint(['#!/bin/bash', ...body].join('\n'), { fileName: 'fw' });
  assert.deepEqual([...bash.ruleset.loops!.values()][0].values, ['80', '443', '8000', '8001', '8002']);
  assert.ok(bash.diagnostics.some((d) => d.code === 'shadowed-rule' && d.range.start.line === 2));
  assert.ok(!bash.diagnostics.some((d) => d.code === 'sh-brace-expansion'));
  const sh = lint(['#!/bin/sh', ...body].join('\n'), { fileName: 'fw' });
  assert.equal(sh.ruleset.loops, undefined);
  const found = sh.diagnostics.filter((d) => d.code === 'sh-brace-expansion');
  assert.deepEqual(found.map((d) => [d.range.start.character, d.range.end.character]), [[9, 17], [18, 30]]);
  assert.match(found[0].message, /The loop runs with \$p = \{80,443\}, not with each value\. List the values \(80 443\), or run the script with bash/);
  const fixes = quickFixes(sh, found[1]).filter((f) => !f.title.startsWith('Disable'));
  assert.deepEqual(fixes.map((f) => [f.title, f.edits[0].newText, f.safe ?? false]), [['List the values: 8000 8001 8002', '8000 8001 8002', true], ['Run the script with bash (#!/bin/bash)', '#!/bin/bash', false]]);
  // With options on the first line, or through env.
  assert.ok(lint(['#!/bin/sh -e', ...body].join('\n'), { fileName: 'fw' }).diagnostics.some((d) => d.code === 'sh-brace-expansion'));
  assert.ok(lint(['#!/usr/bin/env bash', ...body].join('\n'), { fileName: 'fw' }).ruleset.loops);
  // Without a first line naming the shell, such a loop is not known either way, and nothing is said.
  const unknown = lint(body.join('\n'), { fileName: 'fw.sh' });
  assert.equal(unknown.ruleset.loops, undefined);
  assert.ok(!unknown.diagnostics.some((d) => d.code === 'sh-brace-expansion'));
});

test('a body whose rules decide by one verdict in one chain (TCP and UDP accepts per port): each command is one rule, never proof against another of the loop', () => {
  const text = script(
    'for p in 53 80; do',
    '  iptables -A INPUT -p tcp --dport $p -j ACCEPT',
    '  iptables -A INPUT -p udp --dport $p -j ACCEPT',
    '  iptables -A INPUT -p tcp --dport $p -j LOG',
    'done',
    'iptables -A INPUT -p udp --dport 53 -j DROP',
  );
  const r = run(text);
  assert.equal(r.ruleset.loops?.size, 3);
  // The DROP after the loop is shadowed by the loop's UDP accept; the LOG, taken by the TCP accept of its own value, is
  // not called dead on the strength of its loop mates (the TCP accept of port 80 comes after the LOG of port 53).
  assert.deepEqual(codes(text).filter((c) => /shadowed|redundant|reject/.test(c)), ['6:shadowed-rule']);
  const [v4] = scriptToRestore(r, 'fw.sh');
  assert.deepEqual(v4.text.split('\n').filter((l) => l.startsWith('-A')).map((l) => l.replace(/ -m (tcp|udp)/, '')), [
    '-A INPUT -p tcp --dport 53 -j ACCEPT', '-A INPUT -p udp --dport 53 -j ACCEPT', '-A INPUT -p tcp --dport 53 -j LOG',
    '-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -p udp --dport 80 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j LOG',
    '-A INPUT -p udp --dport 53 -j DROP',
  ]);
});

test('findings about a value\'s command of its own say which value, and the commands of one value keep their order', () => {
  const r = run(script('for t in ACCEPT DROP; do iptables -A INPUT -p tcp --dport 22 -j $t; done', 'for c in INPUT FORWARD; do iptables -A $c -j ACCEPT; iptables -A $c -p tcp -j ACCEPT; done'));
  const dead = r.diagnostics.filter((d) => /shadowed|redundant/.test(d.code)).map((d) => `${d.range.start.line} ${d.message.replace(/\. Removing.*|, with .*/, '')}`);
  assert.deepEqual(dead, [
    '1 This rule (with $t = DROP) never fires: earlier rules take every packet it could match (line 2 with $t = ACCEPT decides ACCEPT)',
    '2 Redundant (with $c = INPUT): earlier rules already give ACCEPT to every packet this rule matches (line 3 with $c = INPUT decides ACCEPT)',
    '2 Redundant (with $c = FORWARD): earlier rules already give ACCEPT to every packet this rule matches (line 3 with $c = FORWARD decides ACCEPT)',
  ]);
});

/** A script whose function `allow` runs `body`, called by `calls` after the usual first rules, then `after` and a DROP policy. */
const allowing = (body: string, after: string[], calls: string[]) => script(
  'allow() {',
  `  ${body}`,
  '}',
  'iptables -A INPUT -i lo -j ACCEPT',
  'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  ...calls,
  ...after,
  'iptables -P INPUT DROP',
);

test('a function called one call after another, each with its own argument: its body runs once per call, as a loop over the arguments', () => {
  const allow = (...calls: string[]) => allowing('iptables -A INPUT -p tcp --dport "$1" -j ACCEPT', ['iptables -A INPUT -p tcp --dport 80 -j DROP'], calls);
  const text = allow('allow 22', 'echo opened', 'allow 80', 'allow 99999');
  const r = run(text);
  const loop = r.ruleset.loops?.get(r.ruleset.commands.find((c) => c.startLine === 2)!);
  assert.deepEqual([loop?.name, loop?.values, loop?.loop.calls], ['1', ['22', '80', '99999'], [6, 8, 9]]);
  // Each call's argument is checked, and the finding says which call; the DROP of port 80 after the calls never fires.
  assert.match(r.diagnostics.find((d) => d.code === 'invalid-value')!.message, /\(with \$1 = 99999: the call on line 10\)$/);
  assert.deepEqual(codes(text), ['2:invalid-value', '10:shadowed-rule']);
  // The conversion writes the rules the calls add (the refused one left out), where the calls are.
  assert.deepEqual(scriptToRestore(r, 'fw.sh')[0].text.split('\n').filter((l) => l.includes('--dport')), ['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j DROP']);
  // Hover on $1 names the calls.
  const h = hover(r, { line: 2, character: text.split('\n')[2].indexOf('"$1"') + 2 });
  assert.match(JSON.stringify(h), /each of `22`, `80`, `99999` in turn \(the calls on lines 7, 9 and 10\)/);
  // One call alone is a loop of one value.
  assert.deepEqual(codes(allow('allow 80')), ['7:shadowed-rule', '8:ssh-lockout']);
  // Left unknown (no value for $1, nothing dead): calls apart, a call in an if, a call after &&, a quoted list, a
  // value not known, or a body that reads every argument, two of them, or shifts.
  for (const calls of [['allow 22', 'iptables -A INPUT -p udp --dport 53 -j ACCEPT', 'allow 80'], ['allow 22', 'if [ -n "$WEB" ]; then allow 80; fi'], ['true && allow 80'], ['allow "80 443"'], ['allow $WEB']]) {
    const t = allow(...calls);
    assert.equal(run(t).ruleset.loops, undefined, t);
    assert.deepEqual(codes(t).filter((c) => c.endsWith('shadowed-rule')), [], t);
  }
  for (const body of ['iptables -A INPUT -p tcp -m multiport --dports "$*" -j ACCEPT', 'iptables -A INPUT -p tcp --dport $1 -s "${2}0" -j ACCEPT', 'shift; iptables -A INPUT -p tcp --dport $1 -j ACCEPT']) {
    const t = script('allow() {', `  ${body}`, '}', 'allow 80 10.0.0.1', 'allow 81 10.0.0.2', 'iptables -A INPUT -p tcp --dport 80 -j DROP');
    assert.equal(run(t).ruleset.loops, undefined, t);
  }
});

test('a function of several parameters, all but one the same in every call: those are read as their word, the other is the loop\'s', () => {
  const allow = (...calls: string[]) => allowing('iptables -A INPUT -p "$1" --dport "$2" -j ACCEPT', ['iptables -A INPUT -p tcp --dport 80 -j DROP', 'iptables -A INPUT -p udp --dport 80 -j DROP'], calls);
  const text = allow('allow tcp 22', 'allow tcp 80');
  const r = run(text);
  const loop = r.ruleset.loops?.get(r.ruleset.commands.find((c) => c.startLine === 2)!);
  assert.deepEqual([loop?.name, loop?.values, [...(loop?.loop.fixed ?? [])]], ['2', ['22', '80'], [['1', 'tcp']]]);
  // The TCP drop of port 80 never fires; the UDP one does (the calls accept TCP only).
  assert.deepEqual(codes(text), ['8:shadowed-rule']);
  assert.deepEqual(scriptToRestore(r, 'fw.sh')[0].text.split('\n').filter((l) => l.includes('ACCEPT') && l.includes('--dport')), ['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT']);
  const line = text.split('\n')[2];
  assert.match(JSON.stringify(hover(r, { line: 2, character: line.indexOf('"$1"') + 2 })), /`\\"\$1\\"` is `tcp` in every call of its function \(the calls on lines 7 and 8\)/);
  assert.match(JSON.stringify(hover(r, { line: 2, character: line.indexOf('"$2"') + 2 })), /each of `22`, `80` in turn/);
  // Either parameter may be the one that differs; a value of the same word in every call is checked as any other.
  const byPort = allow('allow tcp 80', 'allow udp 80');
  const rb = run(byPort);
  assert.deepEqual(rb.ruleset.loops?.get(rb.ruleset.commands.find((c) => c.startLine === 2)!)?.name, '1');
  assert.deepEqual(codes(byPort), ['8:shadowed-rule', '9:shadowed-rule', '10:ssh-lockout']);
  assert.match(run(allow('allow tpc 22', 'allow tpc 80')).diagnostics.find((d) => d.code === 'unknown-protocol' || d.code === 'invalid-value')?.message ?? '', /tpc/);
  // One not known: the rule may match anything, so nothing is claimed dead.
  const unknown = allow('allow $PROTO 80', 'allow $PROTO 22');
  assert.equal(run(unknown).ruleset.loops, undefined);
  assert.deepEqual(codes(unknown).filter((c) => c.endsWith('shadowed-rule')), []);
});

test('a function whose calls differ in several parameters: its body is read call by call, each with the words it passes', () => {
  const allow = (...calls: string[]) => allowing('iptables -A INPUT -p "$1" --dport "$2" -j ACCEPT', ['iptables -A INPUT -p tcp --dport 80 -j DROP', 'iptables -A INPUT -p udp --dport 80 -j DROP'], calls);
  const text = allow('allow tcp 22', 'allow udp 80');
  const r = run(text);
  const c = r.ruleset.commands.find((x) => x.startLine === 2)!;
  const info = r.ruleset.loops?.get(c);
  assert.deepEqual([info?.name, info?.values, info?.loop.others?.map((m) => [...m])], ['1', ['tcp', 'udp'], [[['2', '22']], [['2', '80']]]]);
  assert.deepEqual(info?.variants.map((v) => v.tokens.map((t) => t.value).join(' ')), ['-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p udp --dport 80 -j ACCEPT']);
  // The calls change two dimensions (protocol and port): one box would hold more than the calls' rules (TCP 80 too),
  // so each call's rule decides its own packets. The UDP drop of port 80 never fires (the call on line 8 takes
  // them); the TCP one does.
  assert.deepEqual(codes(text).filter((x) => x.endsWith('shadowed-rule')), ['9:shadowed-rule']);
  assert.match(r.diagnostics.find((d) => d.code === 'shadowed-rule')!.message, /line 3 of the function called on line 8 decides ACCEPT/);
  assert.deepEqual(scriptToRestore(r, 'fw.sh')[0].text.split('\n').filter((l) => l.includes('ACCEPT') && l.includes('--dport')), ['-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p udp -m udp --dport 80 -j ACCEPT']);
  // Each call's words are checked, and a finding names them and the call.
  const bad = run(allow('allow tcp 22', 'allow udp 99999'));
  assert.match(bad.diagnostics.find((d) => d.code === 'invalid-value')!.message, /\(with \$1 = udp, \$2 = 99999: the call on line 8\)$/);
  // A call repeated with all its words is said so; one that repeats a word alone is another rule.
  const twice = run(allow('allow tcp 22', 'allow udp 22', 'allow tcp 22'));
  assert.deepEqual(twice.diagnostics.filter((d) => d.code === 'repeated-value').map((d) => d.message.split(':')[0]), ['The calls on lines 7 and 9 both pass tcp 22']);
  // The hover of either parameter names its words call by call.
  const line = text.split('\n')[2];
  assert.match(JSON.stringify(hover(r, { line: 2, character: line.indexOf('"$1"') + 2 })), /each of `tcp`, `udp` in turn/);
  assert.match(JSON.stringify(hover(r, { line: 2, character: line.indexOf('"$2"') + 2 })), /each call's own word in turn: `22`, `80` \(the calls on lines 7 and 8\)/);
  assert.match(JSON.stringify(hover(r, { line: 2, character: line.indexOf('-A') + 1 })), /`\$1` = `tcp`, `\$2` = `22`/);
  // A body that names a parameter that differs other than as a whole word of its own is not read per call.
  const partial = script('allow() {', '  iptables -A INPUT -p tcp --dport $1 -s "${2}0" -j ACCEPT', '}', 'allow 80 10.0.0.1', 'allow 81 10.0.0.2');
  assert.equal(run(partial).ruleset.loops, undefined);
  // Where a parameter that differs is the chain, each call's command is one of its own.
  const chains = run(script('allow() {', '  iptables -A $1 -p tcp --dport $2 -j ACCEPT', '}', 'allow INPUT 22', 'allow FORWARD 80'));
  assert.deepEqual(chains.ruleset.commands.map((x) => `${x.chainName} ${x.options.find((o) => o.spec.names.includes('--dport'))?.argValue}`), ['INPUT 22', 'FORWARD 80']);
});

test('a DROP policy set before a loop or calls accept SSH names the value or the call that accepts it', () => {
  const lockout = (...lines: string[]) => run(script('iptables -P INPUT DROP', ...lines)).diagnostics.find((d) => d.code === 'ssh-lockout')?.message.replace(/ accepts SSH.*$/, '');
  assert.equal(lockout('for p in 80 22 443; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'), 'INPUT gets a DROP policy here, before line 3 with $p = 22');
  assert.equal(lockout('allow() { iptables -A INPUT -p tcp --dport $1 -j ACCEPT; }', 'allow 80', 'allow 22'), 'INPUT gets a DROP policy here, before line 3 of the function called on line 5');
  assert.equal(lockout('allow() { iptables -A INPUT -p $1 --dport $2 -j ACCEPT; }', 'allow udp 22', 'allow tcp 22', 'allow tcp 80'), 'INPUT gets a DROP policy here, before line 3 of the function called on line 5');
});

test('property: a function whose calls differ in protocol and port is called dead, converted and traced as its calls written out', () => {
  let taken = 0;
  let dead = 0;
  const PROTO = fc.constantFrom('tcp', 'udp');
  const around = fc.array(fc.record({ chain: fc.constantFrom('INPUT', 'OUTPUT'), lo: PORT, span: fc.integer({ min: 0, max: 3 }), drop: fc.boolean(), proto: PROTO }), { maxLength: 3 });
  const aroundOf = (rs: ReadonlyArray<{ chain: string; lo: number; span: number; drop: boolean; proto: string }>) => rs.map((r) => writeRule({ chain: r.chain, target: r.drop ? 'DROP' : 'ACCEPT' }, `${r.lo}:${r.lo + r.span}`, r.proto));
  const calls = fc.array(fc.record({ proto: PROTO, port: PORT }), { minLength: 2, maxLength: 4 });
  fc.assert(fc.property(around, fc.array(BODY_RULE, { minLength: 1, maxLength: 2 }), calls, around, (before, body, values, after) => {
    if (!body.some((r) => r.usesWord)) return;
    const [pre, post] = [aroundOf(before), aroundOf(after)];
    const called = script('open_port() {', ...body.map((r) => `  ${writeRule(r, bodyPort(r, '"$2"'), '"$1"')}`), '}', ...pre, ...values.map((v) => `open_port ${v.proto} ${v.port}`), ...post);
    const unrolled = script(...pre, ...values.flatMap((v) => body.map((r) => writeRule(r, bodyPort(r, String(v.port)), v.proto))), ...post);
    const a = run(called);
    if (!a.ruleset.loops) return;
    taken++;
    if (a.diagnostics.some((d) => DEAD.has(d.code))) dead++;
    holdsWrittenOut(a, unrolled, { pre: pre.length, body: body.length, values: values.length, post: post.length, bodyStart: 2, afterStart: 3 + body.length + pre.length + values.length }, called);
  }), { numRuns: 400, seed: 13 });
  assert.ok(taken > 80 && dead > 20, `only ${taken} function bodies taken, ${dead} with a rule called dead`);
});

test('property: a function called one call after another is called dead, converted and traced as its calls written out', () => {
  let taken = 0;
  let withProto = 0;
  // With `proto`, the protocol is the function's first parameter, the same (tcp) in every call, and the port its second.
  fc.assert(fc.property(AROUND, fc.array(BODY_RULE, { minLength: 1, maxLength: 3 }), fc.array(PORT, { minLength: 1, maxLength: 3 }), AROUND, fc.boolean(), (before, body, values, after, proto) => {
    if (!body.some((r) => r.usesWord)) return;
    const [pre, post] = [aroundRules(before), aroundRules(after)];
    const bodyRule = (r: BodyRule) => (proto ? writeRule(r, bodyPort(r, '"$2"'), '"$1"') : writeRule(r, bodyPort(r, '"$1"')));
    const called = script('open_port() {', ...body.map((r) => `  ${bodyRule(r)}`), '}', ...pre, ...values.map((v) => `open_port ${proto ? 'tcp ' : ''}${v}`), ...post);
    const unrolled = script(...pre, ...values.flatMap((v) => body.map((r) => writeRule(r, bodyPort(r, String(v))))), ...post);
    const a = run(called);
    if (!a.ruleset.loops) return;
    taken++;
    if (proto) withProto++;
    holdsWrittenOut(a, unrolled, { pre: pre.length, body: body.length, values: values.length, post: post.length, bodyStart: 2, afterStart: 3 + body.length + pre.length + values.length }, called);
  }), { numRuns: 400, seed: 11 });
  assert.ok(taken > 80 && withProto > 30, `only ${taken} function bodies taken, ${withProto} with the protocol a parameter`);
});

test('a bash array: its items read as bash reads them in a script for bash; in a script for sh, where dash ends the script, a warning', () => {
  const body = ['ADMINS=(', '  203.0.113.7   # office', '  "198.51.100.0/24"', ')', 'WEB=(80 443)', 'for a in "${ADMINS[@]}"; do iptables -A INPUT -s "$a" -p tcp --dport 22 -j ACCEPT; done',
    'for p in ${WEB[@]}; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done', 'iptables -A INPUT -p tcp --dport ${WEB[1]} -j DROP', ''];
  const bash = lint(['#!/bin/bash', ...body].join('\n'), { fileName: 'fw' });
  assert.deepEqual([...bash.ruleset.loops!.values()].map((l) => l.values), [['203.0.113.7', '198.51.100.0/24'], ['80', '443']]);
  assert.ok(bash.diagnostics.some((d) => d.code === 'shadowed-rule' && d.range.start.line === 8), bash.diagnostics.map((d) => d.code).join(' '));
  assert.ok(!bash.diagnostics.some((d) => d.code === 'sh-array'));
  const sh = lint(['#!/bin/sh', ...body].join('\n'), { fileName: 'fw' });
  const found = sh.diagnostics.filter((d) => d.code === 'sh-array');
  assert.deepEqual(found.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character]), [[1, 0, 8], [5, 0, 5]]);
  assert.match(found[0].message, /ADMINS=\(\.\.\.\) is a bash array: dash .* ends the script there/);
  const fixes = quickFixes(sh, found[1]).filter((f) => !f.title.startsWith('Disable'));
  assert.deepEqual(fixes.map((f) => [f.title, f.edits[0].newText, f.safe ?? false]), [['Run the script with bash (#!/bin/bash)', '#!/bin/bash', false]]);
  // An item assigned on its own, an appended array, a value not literal: the array is not known, and nothing is claimed.
  for (const more of ['WEB[2]=8080', 'WEB+=(8443)', 'WEB=(80 443)']) {
    const r = lint(['#!/bin/bash', ...body.slice(0, 5), more, ...body.slice(5)].join('\n'), { fileName: 'fw' });
    assert.equal(r.ruleset.loops?.size, 1, more);
    assert.ok(!r.diagnostics.some((d) => d.code === 'shadowed-rule'), more);
  }
  const opaque = lint(['#!/bin/bash', 'WEB=(80 $(cat /etc/extra-ports))', ...body.slice(6)].join('\n'), { fileName: 'fw' });
  assert.equal(opaque.ruleset.loops, undefined);
  // An item assigned for one command alone (`A[2]=3 cmd`), an array left open, assignments inside an array's items.
  for (const odd of ['WEB[2]=8080 iptables -A INPUT -j ACCEPT', 'WEB=(80', 'WEB=(X=1 (2) )', 'WEB=() X=(1)']) {
    const r = lint(['#!/bin/bash', odd, ...body.slice(6)].join('\n'), { fileName: 'fw' });
    assert.ok(Array.isArray(r.diagnostics), odd);
  }
});

test('a function that names its parameters (local port=$1) is read call by call, and findings name them as the body does', () => {
  const text = (naming: string) => ['#!/bin/bash', 'allow() {', naming, '  iptables -A INPUT -p "$proto" --dport "$port" -j ACCEPT', '}',
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'allow tcp 22', 'allow tcp 80', 'allow udp 53', 'allow tcp 80', ''].join('\n');
  const r = lint(text('  local proto=$1\n  local port="$2"'), { fileName: 'fw' });
  const loop = [...r.ruleset.loops!.values()][0];
  assert.deepEqual([loop.name, loop.values, loop.loop.others?.map((m) => [...m])], ['proto', ['tcp', 'tcp', 'udp', 'tcp'], [[['port', '22']], [['port', '80']], [['port', '53']], [['port', '80']]]]);
  const repeated = r.diagnostics.filter((d) => d.code === 'repeated-value');
  assert.deepEqual(repeated.map((d) => d.message.split(', and only')[0]), ['The calls on lines 9 and 11 both pass tcp 80: this rule is added twice for $proto = tcp, $port = 80']);
  // One `local` for both, or plain assignments: the same.
  for (const naming of ['  local proto=$1 port=$2', '  proto=${1}; port=$2']) {
    assert.equal(lint(text(naming), { fileName: 'fw' }).diagnostics.filter((d) => d.code === 'repeated-value').length, 1, naming);
  }
  // A name set again in the body, or read into, or a parameter read both ways: not followed, and nothing is claimed.
  for (const naming of ['  local proto=$1 port=$2\n  port=443', '  read port\n  local proto=$1 port=$2', '  local proto=$1 port=$2\n  [ -n "$2" ] || return']) {
    const other = lint(text(naming), { fileName: 'fw' });
    assert.ok(!other.diagnostics.some((d) => d.code === 'repeated-value'), naming);
  }
});

test('a function that passes its arguments on whole ("$@") is read call by call: each call is the rule it makes', () => {
  const lines = ['#!/bin/bash', 'add() {', '  iptables -C "$@" 2>/dev/null || iptables -A "$@"', '}', 'iptables -F INPUT',
    'add INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'add INPUT -s 10.0.0.1/8 -j DROP', 'add INPUT -j DROP', 'add INPUT -p tcp --dport 80 -m comment --comment "web server" -j ACCEPT', ''];
  const r = lint(lines.join('\n'), { fileName: 'fw' });
  assert.ok(!r.ruleset.unseenRules);
  const loop = [...r.ruleset.loops!.values()].find((l) => l.name === '@')!;
  assert.deepEqual(loop.loop.argv?.[3], ['INPUT', '-p', 'tcp', '--dport', '80', '-m', 'comment', '--comment', 'web server', '-j', 'ACCEPT']);
  const found = (code: string) => r.diagnostics.filter((d) => d.code === code).map((d) => d.message);
  assert.match(found('host-bits-set')[0], /\(with \$@ = INPUT -s 10\.0\.0\.1\/8 -j DROP: the call on line 7\)/);
  assert.match(found('reject-before-accept')[0], /^This ACCEPT \(with \$@ = INPUT -p tcp --dport 80 -m comment --comment "web server" -j ACCEPT: the call on line 9\) never fires: DROP .* one command of a loop or function makes both/);
  // SSH is never accepted, and the catch-all DROP of the call on line 8 denies it.
  assert.equal(found('ssh-lockout').length, 1);
  // Calls apart from one another (another command between them), or with a word the shell splits: not followed.
  for (const other of [[...lines.slice(0, 6), 'iptables -P INPUT DROP', ...lines.slice(6)], [...lines.slice(0, 6), 'add INPUT -s $NETS -j DROP', ...lines.slice(7)]]) {
    const o = lint(other.join('\n'), { fileName: 'fw' });
    assert.ok(o.ruleset.unseenRules, other.join(' / '));
    assert.equal(o.diagnostics.filter((d) => d.code === 'ssh-lockout' && /No rule accepts SSH/.test(d.message)).length, 0);
  }
});

test('hover on a word of a loop\'s list that stands for values (a variable, an array, braces) lists the values it gives', () => {
  const text = '#!/bin/bash\nWEB=(80 443)\nP="22 25"\nfor p in "${WEB[@]}" $P {8000..8002} 9; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\n';
  const r = lint(text, { fileName: 'fw' });
  const at = (character: number) => hover(r, { line: 3, character })?.markdown;
  assert.equal(at(12), '`"${WEB[@]}"` gives the loop 2 values: `80`, `443`.');
  assert.equal(at(22), '`$P` gives the loop 2 values: `22`, `25`.');
  assert.equal(at(26), '`{8000..8002}` gives the loop 3 values (bash expands the braces): `8000`, `8001`, `8002`.');
  // A value written as itself needs no hover; nor a loop whose values are not known.
  assert.equal(at(37), undefined);
  const unknown = lint(text.replace('P="22 25"', 'P=$(cat ports)'), { fileName: 'fw' });
  assert.equal(hover(unknown, { line: 3, character: 12 }), undefined);
});
