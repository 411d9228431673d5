/**
 * What the analysis follows in a script: the arm of an if or case that sets up the most rules (an init script's start),
 * function bodies where they are called, and rules files loaded from elsewhere as chains that may hold anything. The
 * commands not followed are checked one by one but leave the chains as they are.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { scriptToRestore } from '../../server/src/engine/toRestore';
import { applyEdits, formatEdits } from '../../server/src/engine/format';
import { fixAll, quickFixes } from '../../server/src/engine/fixes';
import { runArms, runLine } from '../../server/src/engine/model';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const run = (text: string) => lint(text, { fileName: 'firewall.sh' });
const codes = (text: string) => run(text).diagnostics.map((d) => `${d.range.start.line}:${d.code}`);
const inputRules = (text: string) => run(text).state.get(4, 'filter', 'INPUT')?.rules.map((r) => r.startLine) ?? [];

const INIT = script(
  'case "$1" in',
  '  start|restart)',
  '    iptables -P INPUT ACCEPT',
  '    iptables -F INPUT',
  '    iptables -A INPUT -i lo -j ACCEPT',
  '    iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  '    iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
  '    iptables -P INPUT DROP',
  '    ;;',
  '  stop)',
  '    iptables -P INPUT ACCEPT',
  '    iptables -F INPUT',
  '    iptables -A INPUT -j ACCPET',
  '    ;;',
  '  *) echo "usage: $0 start|stop"; exit 1 ;;',
  'esac',
  'iptables -R INPUT 3 -p tcp --dport 2222 -j ACCEPT',
);

test('case: the start arm is followed, not the stop that flushes again', () => {
  // The rules of start stay, and the -R after the case replaces the third of them.
  assert.deepEqual(inputRules(INIT), [5, 6, 17]);
  const found = codes(INIT);
  // No "no default deny" from the stop arm's ACCEPT policy, no "rule 3 does not exist" after its flush; the
  // lockout is real: the -R replaced the SSH accept.
  assert.ok(!found.some((c) => c.endsWith('no-default-deny')), found.join(' '));
  assert.ok(!found.some((c) => c.endsWith(':syntax')), found.join(' '));
  assert.ok(found.some((c) => c.endsWith('ssh-lockout')), found.join(' '));
  // The stop arm is still checked command by command: its typo is found.
  assert.ok(found.includes('13:unknown-target'), found.join(' '));
  // The patterns are not commands.
  assert.ok(!found.some((c) => c.startsWith('2:') || c.startsWith('10:') || c.startsWith('15:')), found.join(' '));
});

test('case on one line, and a pattern that looks like a command', () => {
  const text = script('case "$1" in iptables) iptables -A INPUT -p tcp --dport 80 -j ACCEPT ;; flush) iptables -F INPUT ;; esac');
  assert.deepEqual(inputRules(text), [1]);
  assert.deepEqual(run(text).diagnostics.filter((d) => d.severity === 'error'), []);
});

test('if/else: the arm with more rules is followed; an if without else is followed; its condition always runs', () => {
  const ifElse = script(
    'if [ "$MODE" = open ]; then',
    '  iptables -P INPUT ACCEPT',
    'else',
    '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    '  iptables -A INPUT -j DROP',
    'fi',
  );
  assert.deepEqual(inputRules(ifElse), [4, 5]);
  const elif = script(
    'if [ -f /etc/a ]; then iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'elif [ -f /etc/b ]; then iptables -A INPUT -p tcp --dport 443 -j ACCEPT; iptables -A INPUT -p tcp --dport 8443 -j ACCEPT',
    'else iptables -F INPUT',
    'fi',
  );
  assert.deepEqual(inputRules(elif), [2, 2]);
  // The usual idempotent add: `iptables -C` is the condition, the add its then-arm (the only arm).
  const idempotent = script('if ! iptables -C INPUT -p tcp --dport 22 -j ACCEPT 2>/dev/null; then', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi');
  assert.deepEqual(inputRules(idempotent), [2]);
  // Nested: a case in the else of an if, in a function; each statement picks its own arm.
  const nested = script(
    'setup() {',
    '  if [ -n "$DRY" ]; then echo dry; else',
    '    case "$PROFILE" in',
    '      web) iptables -A INPUT -p tcp --dport 80 -j ACCEPT; iptables -A INPUT -p tcp --dport 443 -j ACCEPT ;;',
    '      ssh) iptables -A INPUT -p tcp --dport 22 -j ACCEPT ;;',
    '    esac',
    '  fi',
    '}',
    'setup',
    'iptables -A INPUT -j DROP',
  );
  assert.deepEqual(inputRules(nested), [4, 4, 10]);
});

test('a script without if or case is followed line by line, as before', () => {
  const text = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -F INPUT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT');
  assert.deepEqual(inputRules(text), [3]);
  assert.equal(run(text).ruleset.otherArms, undefined);
});

test('a rule that a later flush, delete or other arm leaves out is still checked where it runs', () => {
  const text = script(
    'iptables -A INPUT -j ACCPET',
    'iptables -A INPUT -m tcp --dport 22 -j ACCEPT',
    'iptables -N LOGDROP',
    'iptables -A INPUT -j LOGDROP',
    'iptables -F',
    'iptables -X LOGDROP',
    'if [ -n "$A" ]; then iptables -N HELPER; iptables -A INPUT -j HELPER; else iptables -A INPUT -p tcp --dport 1 -j ACCEPT; iptables -A INPUT -p tcp --dport 2 -j ACCEPT; iptables -A INPUT -p tcp --dport 3 -j ACCEPT; fi',
  );
  const found = codes(text);
  assert.ok(found.includes('1:unknown-target'), found.join(' '));
  assert.ok(found.includes('2:protocol-required'), found.join(' '));
  // The jump to a chain the script made (and deleted since), or made in the arm not followed, is no error.
  assert.ok(!found.includes('4:unknown-target') && !found.includes('7:unknown-target'), found.join(' '));
  assert.deepEqual(inputRules(text), [7, 7, 7]);
});

test('an arm that only takes away is not followed when running no arm sets up more', () => {
  // `stop` handled by an if at the end: the rules stay.
  const stopAtEnd = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -j DROP', 'if [ "$1" = stop ]; then', '  iptables -F INPUT', '  iptables -P INPUT ACCEPT', 'fi');
  assert.deepEqual(inputRules(stopAtEnd), [1, 2]);
  // A policy that closes is setting up: followed.
  const strict = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'if [ -n "$STRICT" ]; then iptables -P INPUT DROP; fi');
  assert.equal(run(strict).state.get(4, 'filter', 'INPUT')?.policy, 'DROP');
  // A case whose arms only tear down or look: none is followed.
  const maintenance = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'case "$1" in', '  flush) iptables -F ;;', '  panic) iptables -P INPUT DROP; iptables -F INPUT ;;', 'esac');
  assert.deepEqual(inputRules(maintenance), [1]);
});

test('a rule is called dead in a script only where the rules that take its packets run whenever it does', () => {
  const dead = (text: string) => run(text).diagnostics.filter((d) => ['shadowed-rule', 'redundant-rule', 'reject-before-accept'].includes(d.code)).map((d) => d.range.start.line);
  // The DROP runs only when $LOCKDOWN is set: the SSH accept after it is not dead.
  assert.deepEqual(dead(script('if [ -n "$LOCKDOWN" ]; then iptables -A INPUT -j DROP; fi', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), []);
  // Two statements whose followed arms may never run together: no claim across them.
  assert.deepEqual(dead(script('if [ "$V6" = off ]; then iptables -A INPUT -j DROP; else echo; fi', 'if [ "$V6" = on ]; then iptables -A INPUT -p tcp --dport 22 -j ACCEPT; fi')), []);
  // Unconditional, or in the same arm: the claim stands.
  assert.deepEqual(dead(script('iptables -A INPUT -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), [2]);
  assert.deepEqual(dead(script('if [ -n "$X" ]; then', '  iptables -A INPUT -j DROP', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi')), [3]);
  // A rule in an arm after an unconditional one that takes its packets: dead whenever it runs.
  assert.deepEqual(dead(script('iptables -A INPUT -j DROP', 'if [ -n "$X" ]; then iptables -A INPUT -p tcp --dport 22 -j ACCEPT; fi')), [2]);
});

test('functions run where they are called: a start() called from the start arm is followed, a stop() called only from stop is not', () => {
  const text = script(
    'start() {',
    '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    '  iptables -P INPUT DROP',
    '}',
    'function stop {',
    '  iptables -F INPUT',
    '  iptables -P INPUT ACCEPT',
    '}',
    'function status() { iptables -L -n; }',
    'case "$1" in',
    '  start|restart) start ;;',
    '  stop) stop ;;',
    '  status) status ;;',
    'esac',
  );
  assert.deepEqual(inputRules(text), [2]);
  assert.equal(run(text).state.get(4, 'filter', 'INPUT')?.policy, 'DROP');
  assert.deepEqual([...(run(text).ruleset.otherArms ?? [])].map((c) => c.startLine).sort((a, b) => a - b), [6, 7, 9]);
  // A function's name in its header is not a call; a function nothing calls is followed (a library of functions).
  const library = script('allow_ssh() {', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '}');
  assert.deepEqual(inputRules(library), [2]);
  // A function called at the top level runs; one called from inside another runs when that one does.
  const nested = script('base() { iptables -A INPUT -i lo -j ACCEPT; }', 'setup() {', '  base', '  iptables -A INPUT -j DROP', '}', 'teardown() { iptables -F; }', 'if [ "$1" = down ]; then teardown; else setup; fi');
  assert.deepEqual(inputRules(nested), [1, 4]);
});

test('a function runs where it is called, not where it is written: a flush before the call does not take its rules away', () => {
  const text = script(
    'allow_ssh() {',
    '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    '}',
    'base() {',
    '  iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '  iptables -A INPUT -i lo -j ACCEPT',
    '}',
    'iptables -P INPUT ACCEPT',
    'iptables -F',
    'base',
    'allow_ssh',
    'iptables -A INPUT -p tcp --dport 22 -j DROP',
    'iptables -P INPUT DROP',
  );
  // The rules stand in the order the calls make them, after the flush; the DROP for port 22 comes after the accept.
  assert.deepEqual(inputRules(text), [5, 6, 2, 12]);
  const found = run(text).diagnostics;
  assert.deepEqual(found.filter((d) => d.severity !== 'info').map((d) => `${d.range.start.line}:${d.code}`), ['12:shadowed-rule']);
  assert.match(found.find((d) => d.code === 'shadowed-rule')!.message, /line 3 of the function called on line 12 decides ACCEPT/);
  // The hover of the rule says where it runs.
  assert.match(hover(run(text), { line: 2, character: 12 })!.markdown, /^\*\*Rule 3 of 4 in INPUT\*\*[\s\S]*Runs where its function is called, on line 12/);
  // Written in the order of the text, the flush would have taken the accept away: the same script without functions.
  const inline = script('iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT ACCEPT', 'iptables -F', 'iptables -A INPUT -p tcp --dport 22 -j DROP', 'iptables -P INPUT DROP');
  assert.ok(codes(inline).includes('4:ssh-lockout'));
});

test('a function called several times runs where the first followed call is; a body in an arm runs in the arms of its call', () => {
  // Called twice: its rules stand once, from the first call on (the kernel would hold them twice).
  const twice = script('ssh() { iptables -A INPUT -p tcp --dport 22 -j ACCEPT; }', 'iptables -F', 'ssh', 'iptables -A INPUT -p tcp --dport 22 -j DROP', 'ssh');
  assert.deepEqual(inputRules(twice), [1, 4]);
  // Called from an if: the rules of the body run only when that arm does, so they make no later rule dead.
  const maybe = script('ssh() { iptables -A INPUT -p tcp --dport 22 -j ACCEPT; }', 'iptables -F', 'if [ -n "$SSH" ]; then ssh; fi', 'iptables -A INPUT -p tcp --dport 22 -j DROP');
  assert.deepEqual(inputRules(maybe), [1, 4]);
  assert.ok(!codes(maybe).includes('4:shadowed-rule'), codes(maybe).join(' '));
  // Called in the same arm as the later rule: they run together, so the later rule is dead.
  const together = script('ssh() { iptables -A INPUT -p tcp --dport 22 -j ACCEPT; }', 'case "$1" in', '  start)', '    iptables -F', '    ssh', '    iptables -A INPUT -p tcp --dport 22 -j DROP', '    ;;', 'esac');
  assert.deepEqual(inputRules(together), [1, 6]);
  assert.ok(codes(together).includes('6:shadowed-rule'), codes(together).join(' '));
  // Nested: a function that calls another runs it where it is itself called; calls round a circle end.
  const nested = script('inner() { iptables -A INPUT -i lo -j ACCEPT; }', 'outer() {', '  inner', '  iptables -A INPUT -j DROP', '}', 'iptables -F', 'outer');
  assert.deepEqual(inputRules(nested), [1, 4]);
  const { ruleset } = run(nested);
  assert.equal(ruleset.run?.line.get(ruleset.commands[0]), 7);
  const circle = run(script('a() { b; iptables -A INPUT -i lo -j ACCEPT; }', 'b() { a; iptables -A INPUT -i eth0 -j ACCEPT; }', 'iptables -F', 'a')).ruleset;
  assert.deepEqual(circle.run?.order.map((c) => c.startLine), [3, 2, 1]);
});

test('a function the script never calls does not run: its commands are checked, but leave the chains as they are', () => {
  const rules = ['iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'];
  const panic = ['panic() {', '  iptables -F', '  iptables -P INPUT DROP', '  iptables -A INPUT -p tcp --dport 99999 -j DROP', '}'];
  const r = run(script(...rules, ...panic));
  // Its flush would take the SSH accept away: it never runs, so no lockout is said.
  assert.deepEqual(inputRules(script(...rules, ...panic)), [1, 2, 3]);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'ssh-lockout'), []);
  assert.deepEqual([...(r.ruleset.neverCalled ?? [])].map((c) => c.startLine), [6, 7, 8]);
  // Checked on its own all the same (iptables would refuse the port), and its hover says why it leaves the chains alone.
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line), [8]);
  assert.match(hover(r, { line: 7, character: 12 })!.markdown, /Not run by this script: nothing in it calls the function/);
  // A function only a never-called function calls does not run either.
  const chain = run(script(...rules, 'flush_all() { iptables -F; }', 'panic() { flush_all; iptables -P INPUT DROP; }'));
  assert.deepEqual([...(chain.ruleset.neverCalled ?? [])].map((c) => c.startLine).sort(), [5, 6]);
  // Named only by a trap, it runs only when the trap fires (a signal, an error): not followed either.
  for (const trap of ['trap panic INT TERM', "trap 'panic; exit 1' ERR"]) {
    const trapped = run(script(...rules, ...panic, trap));
    assert.deepEqual([...(trapped.ruleset.trapped ?? [])].map(([c, line]) => [c.startLine, line]), [[6, 10], [7, 10], [8, 10]], trap);
    assert.deepEqual(trapped.diagnostics.filter((d) => d.code === 'ssh-lockout'), [], trap);
    assert.match(hover(trapped, { line: 7, character: 12 })!.markdown, /Runs only when the trap set on line 11 fires/, trap);
  }
  // It may run all the same where the script calls functions by names it does not spell, where the name is written
  // elsewhere (a comment, a string), or where the script is a set of functions another one calls: followed as written.
  for (const extra of [['"$@"'], ['# panic: drop everything'], ['ACTION=panic', '$ACTION'], ['echo "run panic to close"']]) {
    const maybe = run(script(...rules, ...panic, ...extra));
    assert.equal(maybe.ruleset.neverCalled, undefined, extra.join(' / '));
    assert.ok(maybe.diagnostics.some((d) => d.code === 'ssh-lockout'), extra.join(' / '));
  }
  assert.equal(run(script(...panic)).ruleset.neverCalled, undefined);
  // A script whose rules are all in functions that a call at the top runs (`main "$@"`) runs something too.
  const main = run(script('main() {', ...rules.map((l) => `  ${l}`), '}', ...panic, 'main "$@"'));
  assert.deepEqual([...(main.ruleset.neverCalled ?? [])].map((c) => c.startLine), [8, 9, 10]);
  assert.deepEqual(main.diagnostics.filter((d) => d.code === 'ssh-lockout'), []);
  // The conversion leaves its commands out, and says so.
  assert.match(scriptToRestore(r, 'fw.sh')[0].text, /# The commands of functions the script never calls, or runs only from a trap \(lines 7, 8, 9\), are not written here\./);
});

test('nothing after an exit at the top of the script runs: its commands are checked, but leave the chains as they are', () => {
  const rules = ['iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'];
  const old = ['# the old rules, kept for reference', 'iptables -F', 'iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 99999 -j DROP'];
  const r = run(script(...rules, 'exit 0', ...old));
  assert.equal(r.ruleset.exitAt, 5);
  assert.deepEqual([...(r.ruleset.neverRun ?? [])].map((c) => c.startLine), [7, 8, 9]);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'ssh-lockout'), []);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line), [9]);
  assert.match(hover(r, { line: 7, character: 10 })!.markdown, /Never runs: the script exits on line 6, before it\./);
  assert.match(scriptToRestore(r, 'fw.sh')[0].text, /# The commands after the script's exit on line 6 \(lines 8, 9, 10\) never run, and are not written here\./);
  // A function called only after the exit never runs either.
  const called = run(script('panic() { iptables -F; iptables -P INPUT DROP; }', ...rules, 'exit', 'panic'));
  assert.deepEqual(called.diagnostics.filter((d) => d.code === 'ssh-lockout'), []);
  // An exit that may not end the script: in an if, after && or ||, in a pipeline, in a subshell, in a loop, in a
  // function. What follows runs (the flush takes the SSH accept away).
  for (const exit of [['if [ -z "$1" ]; then', '  exit 1', 'fi'], ['[ -n "$1" ] || exit 1'], ['( exit 1 )'], ['(', '  exit 1', ')'], ['true | exit'], ['while false; do exit; done'], ['quit() { exit 0; }']]) {
    const maybe = run(script(...rules, ...exit, ...old));
    assert.equal(maybe.ruleset.exitAt, undefined, exit.join(' / '));
    assert.ok(maybe.diagnostics.some((d) => d.code === 'ssh-lockout'), exit.join(' / '));
  }
});

test('property: the order the analysis runs a script in is the order sh runs it, for functions defined first and called once, nested or not', () => {
  // Each function: its rules (numbered), and the function it calls, if any (one defined before it: no recursion).
  const fn = fc.record({ rules: fc.integer({ min: 0, max: 3 }), calls: fc.boolean() });
  const shape = fc.record({ fns: fc.array(fn, { minLength: 1, maxLength: 5 }), main: fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4 })), { maxLength: 10 }) });
  fc.assert(fc.property(shape, ({ fns, main }) => {
    let n = 0;
    const rule = () => `iptables -A INPUT -s 10.0.${n >> 8}.${n++ & 255} -j ACCEPT`;
    const called = new Set<number>();
    const lines: string[] = [];
    fns.forEach((f, k) => {
      lines.push(`f${k}() {`);
      for (let r = 0; r < f.rules; r++) lines.push(`  ${rule()}`);
      // Each function is called from one place at most, so that it runs once.
      if (f.calls && k > 0 && !called.has(k - 1)) {
        called.add(k - 1);
        lines.push(`  f${k - 1}`);
      }
      lines.push(`  ${rule()}`, '}');
    });
    for (const m of main) {
      if (m < 0 || m >= fns.length || called.has(m)) lines.push(rule());
      else {
        called.add(m);
        lines.push(`f${m}`);
      }
    }
    const text = ['#!/bin/sh', ...lines, ''].join('\n');
    const ran = execFileSync('sh', ['-c', `iptables() { echo "$4"; }\n${text}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const { ruleset } = lint(text, { fileName: 'fw.sh' });
    const followed = (ruleset.run?.order ?? ruleset.commands).filter((c) => !ruleset.otherArms?.has(c)).map((c) => c.options.find((o) => o.nameText === '-s')!.argValue!);
    // A function nothing calls runs in no shell. In a script that runs something itself (iptables, or a call, outside
    // its functions) the analysis leaves it out; in a set of functions only it follows them where they are written.
    if (lines.some((l) => l.startsWith('iptables ') || /^f\d+$/.test(l))) assert.deepEqual(followed, ran, text);
    else assert.deepEqual(followed.filter((a) => ran.includes(a)), ran, text);
  }), { numRuns: 60, seed: 7 });
});

test('a function called once per port, before or after the rules it makes redundant: the finding names the call that passes the port', () => {
  const fn = ['allow() {', '  iptables -A INPUT -p tcp --dport "$1" -j ACCEPT', '}'];
  // Called before the rules: the body runs at the calls (it was left as written, in no arm, and proved nothing).
  const before = run(script(...fn, 'allow 80', 'allow 443', 'iptables -A INPUT -p tcp --dport 443 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT'));
  const redundant = before.diagnostics.filter((d) => d.code === 'redundant-rule');
  assert.deepEqual(redundant.map((d) => d.range.start.line), [6, 7]);
  assert.match(redundant[0].message, /\(line 3 of the function called on line 6 decides ACCEPT\)/);
  assert.match(redundant[1].message, /\(line 3 of the function called on line 5 decides ACCEPT\)/);
  assert.match(hover(before, { line: 2, character: 12 })!.markdown, /Added once for each value of the calls on lines 5 and 6[\s\S]*Runs where its function is called, once per call, the first on line 5:/);
  // A packet both calls take: both are named.
  const both = run(script(...fn, 'allow 80', 'allow 443', 'allow 22', 'iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT'));
  assert.match(both.diagnostics.find((d) => d.code === 'redundant-rule')!.message, /\(line 3 of the function called on lines 5 and 6 decides ACCEPT\)/);
  // A `for` loop's rule is named by the value that takes the packets.
  const loop = run(script('for p in 80 443; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done', 'iptables -A INPUT -p tcp --dport 443 -j ACCEPT'));
  assert.match(loop.diagnostics.find((d) => d.code === 'redundant-rule')!.message, /\(line 3 with \$p = 443 decides ACCEPT\)/);
});

test('a loop or a run of calls that adds the same deciding rule twice: repeated-value on the rule, once per repeated value', () => {
  const found = (...lines: string[]) => run(script(...lines)).diagnostics.filter((d) => d.code === 'repeated-value');
  const loop = found('for p in 22 80 443 80 22 22; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done');
  assert.deepEqual(loop.map((d) => [d.range.start.line, d.data]), [[2, { value: '22', times: 3 }], [2, { value: '80', times: 2 }]]);
  assert.match(loop[0].message, /^The loop on line 2 lists 22 3 times: this rule is added 3 times for \$p = 22, and only the first copy ever fires/);
  const calls = found('allow() { iptables -A INPUT -p udp --dport "$1" -j DROP; }', 'allow 53', 'allow 123', 'allow 53');
  assert.equal(calls.length, 1);
  assert.match(calls[0].message, /^The calls on lines 3 and 5 both pass 53: .* Remove the repeated call\.$/);
  // A function of two parameters: the repeated call passes both words again.
  const two = found('allow() { iptables -A INPUT -p "$1" --dport "$2" -j ACCEPT; }', 'allow tcp 22', 'allow tcp 80', 'allow tcp 22');
  assert.match(two[0]?.message ?? '', /^The calls on lines 3 and 5 both pass tcp 22: this rule is added twice for \$1 = tcp, \$2 = 22,/);
  // Each copy of a rate-limited rule has its own count; a LOG rule or a jump decides nothing; a body of two commands
  // interleaves their rules; a list without a repeat: nothing said.
  assert.deepEqual(found('for p in 22 22; do', '  iptables -A INPUT -p tcp --dport $p -m limit --limit 5/min -j ACCEPT', 'done'), []);
  assert.deepEqual(found('for p in 22 22; do', '  iptables -A INPUT -p tcp --dport $p -j LOG', 'done'), []);
  assert.deepEqual(found('iptables -N X', 'for p in 22 22; do', '  iptables -A INPUT -p tcp --dport $p -j X', 'done'), []);
  assert.deepEqual(found('for p in 22 22; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', '  iptables -A INPUT -p udp --dport $p -j ACCEPT', 'done'), []);
  assert.deepEqual(found('for p in 22 80; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done'), []);
  // A rule that does not use the loop's word is the same for every value, repeated or not: not this finding.
  assert.deepEqual(found('for p in 22 22; do', '  iptables -A INPUT -p tcp -j ACCEPT', 'done'), []);
  // A value iptables refuses adds no rule, twice or not.
  assert.deepEqual(found('for p in 99999 99999; do', '  iptables -A INPUT -p tcp --dport $p -j ACCEPT', 'done'), []);
});

test('a script whose functions run in the order they are written keeps its order; a body that loads a restore file stays where it is', () => {
  const inOrder = run(script('setup() { iptables -A INPUT -i lo -j ACCEPT; }', 'setup', 'iptables -A INPUT -j DROP')).ruleset;
  assert.deepEqual(inOrder.run?.order, inOrder.commands);
  // The body still runs at its call's line, outside any arm.
  assert.equal(runLine(inOrder, inOrder.commands[0]), 2);
  assert.deepEqual(runArms(inOrder, inOrder.commands[0]), []);
  assert.equal(run(script('iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -j DROP')).ruleset.run, undefined);
  const heredoc = script('load() {', '  iptables-restore -n <<EOF', '*filter', '-A INPUT -i lo -j ACCEPT', 'COMMIT', 'EOF', '}', 'iptables -F', 'load');
  assert.equal(run(heredoc).ruleset.run, undefined);
});

test('a rules file the script loads from elsewhere: its chains may hold anything, so nothing is claimed about them', () => {
  const loaded = script('iptables -P INPUT DROP', 'iptables-restore -n < /etc/iptables/extra.rules', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', 'iptables -A INPUT -j MYCHAIN', 'iptables -A LATER -j ACCEPT');
  const r = run(loaded);
  assert.deepEqual(r.ruleset.loads, [{ family: 4, line: 2, noflush: true }]);
  // No lockout, no missing loopback or RELATED (the file may accept them), no unknown chain (the file may make it).
  assert.deepEqual(r.diagnostics.map((d) => d.code), []);
  // Without the load, each is said.
  const without = (text: string) => codes(text.replace('iptables-restore -n < /etc/iptables/extra.rules\n', ''));
  const plain = [...without(loaded), ...without(loaded.replace('iptables -A INPUT -j MYCHAIN\n', ''))];
  for (const c of ['ssh-lockout', 'loopback-blocked', 'pmtu-blocked', 'unknown-target', 'undefined-chain']) assert.ok(plain.some((x) => x.endsWith(`:${c}`)), `${c} in ${plain.join(' ')}`);
  // A load that replaces the tables (no --noflush) between a rule and the one it would make dead: no claim.
  const dead = (text: string) => run(text).diagnostics.filter((d) => d.code === 'shadowed-rule' || d.code === 'reject-before-accept').length;
  assert.equal(dead(script('iptables -A INPUT -j DROP', 'cat rules.v4 | iptables-restore', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), 0);
  assert.equal(dead(script('iptables-restore < rules.v4', 'iptables -A INPUT -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT')), 1);
  // A saved firewall loaded instead of the script's own (then exit): the script's rules are another way, analysed.
  const instead = script('if [ -e /etc/iptables.conf ]; then', '  iptables-restore < /etc/iptables.conf', '  exit 0', 'fi', 'iptables -P INPUT DROP', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  assert.equal(run(instead).ruleset.loads, undefined);
  assert.ok(codes(instead).some((c) => c.endsWith(':ssh-lockout')), codes(instead).join(' '));
  // Extra rules added with --noflush count wherever they stand.
  assert.equal(run(instead.replace('iptables-restore <', 'iptables-restore -n <')).ruleset.loads?.length, 1);
  // --test only reads the file; a here-document is read as a restore file.
  assert.equal(run(script('iptables-restore --test < rules.v4')).ruleset.loads, undefined);
  // The conversion says what it cannot write.
  assert.match(scriptToRestore(run(loaded), 'fw.sh')[0].text, /loads rules from a file that is not part of it \(line 3\)/);
});

test('a variable assigned once, plainly, is read as its value where it is used after; never where something else may set it', () => {
  const base = (...lines: string[]) => script('IPT=/sbin/iptables', ...lines, '$IPT -A INPUT -i $LAN -j ACCEPT', '$IPT -A INPUT -i "${LAN}" -p tcp --dport $SSH -j ACCEPT');
  const redundant = (text: string) => run(text).diagnostics.filter((d) => d.code === 'redundant-rule').length;
  const plain = base('LAN=eth1', 'SSH="22"');
  assert.equal(redundant(plain), 1);
  const rule = run(plain).state.get(4, 'filter', 'INPUT')!.rules[1];
  assert.equal(rule.substituted, true);
  // The conversion writes the values; formatting and fixes keep the variables.
  assert.match(scriptToRestore(run(plain), 'fw.sh')[0].text, /^-A INPUT -i eth1 -p tcp -m tcp --dport 22 -j ACCEPT$/m);
  assert.deepEqual(formatEdits(run(plain)), []);
  // Not when something else may set it, or before its assignment.
  for (const spoiled of [
    base('LAN=eth1', 'SSH=22', 'LAN=eth2'),
    base('if [ -n "$X" ]; then LAN=eth1; fi', 'SSH=22'),
    base('LAN=eth1', 'SSH=22', 'export LAN'),
    base('LAN=eth1', 'SSH=22', '. /etc/default/firewall'),
    base('LAN=eth1', 'SSH=22', 'read LAN'),
    base('LAN=eth1', 'SSH=22', 'printf -v LAN %s eth2'),
    base('LAN=eth1', 'SSH=22', 'echo ${LAN:=eth3}'),
    base('LAN=eth1', 'SSH=22', 'for LAN in eth1 eth2; do :; done'),
    base('[ -e /dev/ppp0 ] && LAN=eth1', 'SSH=22'),
    base('LAN=eth1', 'SSH=22', 'while false; do LAN=eth2; done'),
    base('SSH=22', 'for x in a; do', '  LAN=eth1', 'done'),
    base('LAN="eth1 eth2"', 'SSH=22'),
    base('LAN=$(ip route | awk "{print \\$5}")', 'SSH=22'),
    script('IPT=/sbin/iptables', '$IPT -A INPUT -i $LAN -j ACCEPT', 'LAN=eth1', '$IPT -A INPUT -i $LAN -p tcp --dport 22 -j ACCEPT'),
  ]) assert.equal(redundant(spoiled), 0, spoiled);
  // A finding about a value is given on the variable's word, saying what it is there and where it is set; its fix
  // would write the value in place of the variable, so none is offered (the assignment is where to mend it).
  const hostBits = script('NET=10.1.2.3/8', 'iptables -A INPUT -s $NET -j ACCEPT');
  const r = run(hostBits);
  const [d, ...more] = r.diagnostics.filter((x) => x.code === 'host-bits-set');
  assert.equal(more.length, 0);
  assert.deepEqual([d.range.start, d.range.end], [{ line: 2, character: 21 }, { line: 2, character: 25 }]);
  assert.match(d.message, /has host bits set past \/8.*\(\$NET is 10\.1\.2\.3\/8 here, as set on line 2\)$/);
  assert.deepEqual(quickFixes(r, d).filter((f) => !/disable|silence/i.test(f.title)), []);
  // The assignment is named as related information: where to go to mend it.
  assert.deepEqual(d.related, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 14 } }, message: '$NET is set here' }]);
  // A word of two variables names both; one sourced from a configuration names the line that sources it.
  const two = lint(script('. ./net.conf', 'MASK=8', 'iptables -A INPUT -s ${NET}/$MASK -j ACCEPT'), { fileName: '/srv/fw/firewall.sh', readFile: (f) => (f === '/srv/fw/net.conf' ? 'NET=10.1.2.3\n' : undefined) });
  const both = two.diagnostics.find((x) => x.code === 'host-bits-set')!;
  assert.match(both.message, /\(\$\{NET\}\/\$MASK is 10\.1\.2\.3\/8 here, as set on lines 2, 3\)$/);
  assert.deepEqual(both.related?.map((x) => [x.range.start.line, x.message]), [[1, '$NET is set by the file sourced here'], [2, '$MASK is set here']]);
  // In a loop's body too (each value's command is read on its own, the finding said once).
  const looped = run(script('PORT=80a', 'for ip in 192.0.2.1 192.0.2.2; do', '  iptables -A INPUT -s $ip -p tcp --dport $PORT -j DROP', 'done'));
  const inLoop = looped.diagnostics.filter((x) => x.code === 'invalid-value');
  assert.equal(inLoop.length, 1);
  assert.deepEqual(inLoop[0].related?.map((x) => [x.range.start.line, x.message]), [[1, '$PORT is set here']]);
  // An error in a value: iptables refuses the command, and the analysis leaves its rule out.
  const bad = run(script('PORT=80a', 'iptables -A INPUT -p tcp --dport 80 -j DROP', 'iptables -A INPUT -p tcp --dport $PORT -j ACCEPT'));
  assert.match(bad.diagnostics.find((x) => x.code === 'invalid-value')!.message, /\(\$PORT is 80a here, as set on line 2\)$/);
  assert.equal(bad.state.get(4, 'filter', 'INPUT')!.rules.length, 1);
});

test('a setting left blank is a value too: unquoted, the shell leaves the word out; quoted, iptables is given an empty word', () => {
  const r = run(script('LAN=', 'ADMIN=""', 'EXTRA=', 'iptables -A INPUT -i $LAN -j ACCEPT', 'iptables -A INPUT -s "$ADMIN" -j ACCEPT', 'iptables -A INPUT $EXTRA -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j DROP'));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  // `-i -j ACCEPT`: said on the variable's word (the word iptables never sees), with the line that leaves it blank.
  assert.deepEqual(errors.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['missing-argument', 4, 21], ['invalid-value', 5, 21]]);
  assert.match(errors[0].message, /\(\$LAN is empty here, as set on line 2; not quoted, the shell leaves it out\)$/);
  assert.deepEqual(errors[0].related?.map((x) => [x.range.start.line, x.message]), [[1, "$LAN is set here"]]);
  assert.match(errors[1].message, /^Empty address\. \("\$ADMIN" is empty here, as set on line 3\)$/);
  // A blank option slot is harmless: the rule is read without it, and analysed (the DROP after it never fires).
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'shadowed-rule').map((d) => d.range.start.line), [7]);
  assert.equal(r.state.get(4, 'filter', 'INPUT')!.rules.length, 2);
  assert.match(hover(r, { line: 5, character: 23 })!.markdown, /^`"\$ADMIN"` is empty here/);
  // The word the shell leaves out has a hover of its own (iptables never sees it).
  assert.match(hover(r, { line: 4, character: 23 })!.markdown, /^`\$LAN` is empty here: not quoted, the shell leaves the word out/);
  assert.match(hover(r, { line: 6, character: 20 })!.markdown, /^`\$EXTRA` is empty here/);
  // In a loop's command too (read once per value of the loop).
  const looped = run(script('EXTRA=', 'for p in 22 80; do', '  iptables -A INPUT $EXTRA -p tcp --dport $p -j ACCEPT', 'done'));
  assert.match(hover(looped, { line: 3, character: 22 })!.markdown, /^`\$EXTRA` is empty here: not quoted, the shell leaves the word out/);
  assert.deepEqual(looped.diagnostics.filter((d) => d.severity === 'error'), []);
  // A finding of the command's own (a port iptables refuses) stays where it is, not blamed on the blank word.
  const own = run(script('EXTRA=', 'iptables -A INPUT -p tcp --dport 80a $EXTRA -j ACCEPT'));
  assert.deepEqual(own.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.range.start.character, d.message]), [[33, "'80a' is not a port number or service name."]]);
  // An unquoted blank argument of a function is no argument at all: the calls are not read as a loop over it.
  const calls = run(script('NONE=', 'allow() { iptables -A INPUT -p tcp --dport $1 -j ACCEPT; }', 'allow 22', 'allow $NONE'));
  assert.equal(calls.ruleset.loops?.size ?? 0, 0);
});

test('an unquoted known value with blanks is split into words, as the shell splits it', () => {
  // A list written with blanks where iptables wants commas: iptables is given `--dports 22 80 443` and refuses it.
  const list = run(script('SERVICES="22 80 443"', 'iptables -A INPUT -p tcp -m multiport --dports $SERVICES -j ACCEPT'));
  const err = list.diagnostics.find((d) => d.severity === 'error')!;
  assert.deepEqual([err.range.start.line, err.range.start.character], [2, 47]);
  assert.match(err.message, /\(\$SERVICES is 22 80 443 here, as set on line 2; not quoted, it is split into 3 words\)$/);
  assert.equal(list.state.get(4, 'filter', 'INPUT')!.rules.length, 0);
  // Options kept in a variable are read as the rule's own: the DROP after the ACCEPT of the same packets never fires.
  const opts = run(script('OPTS="-p tcp --dport 25"', 'iptables -A INPUT $OPTS -j ACCEPT', 'iptables -A INPUT -p tcp --dport 25 -j DROP'));
  assert.deepEqual(opts.diagnostics.filter((d) => d.code === 'shadowed-rule').map((d) => d.range.start.line), [3]);
  // A function's command runs where the function is called: written before the assignment, called after it, it reads
  // the value; called once before it too, it does not (that first call reads nothing, and is said so).
  const body = ['setup() {', '  iptables -A INPUT -p tcp --dport $PORT -j ACCEPT', '}'];
  const after = run(script(...body, 'PORT=80a', 'setup'));
  assert.match(after.diagnostics.find((d) => d.code === 'invalid-value')?.message ?? '', /\(\$PORT is 80a here, as set on line 5\)$/);
  const before = run(script(...body, 'setup', 'PORT=80a', 'setup'));
  assert.deepEqual(before.diagnostics.filter((d) => d.severity === 'error' || d.code === 'unset-variable').map((d) => d.code), ['unset-variable']);
  // Called from another function that the script calls after the assignment (`main() { ...; setup; }` ... `main`):
  // it reads the value too, however deep; not where the outer function is called before it, or from a loop.
  const nested = ['inner() {', '  setup', '}', 'main() {', '  inner', '}'];
  const deep = run(script(...body, ...nested, 'PORT=80a', 'main "$@"'));
  assert.match(deep.diagnostics.find((d) => d.code === 'invalid-value')?.message ?? '', /\(\$PORT is 80a here, as set on line 11\)$/);
  const early = run(script(...body, ...nested, 'main', 'PORT=80a', 'main'));
  assert.deepEqual(early.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
  const looped = run(script(...body, 'many() {', '  for x in 1 2; do setup; done', '}', 'PORT=80a', 'many'));
  assert.deepEqual(looped.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
  // A function calling itself is not followed round (its values are read where its body stands).
  const self = run(script(...body, 'again() {', '  setup', '  again', '}', 'PORT=80a', 'again'));
  assert.deepEqual(self.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
  // Where the script sets IFS, the shell may split elsewhere than at blanks: such a value is not known as words.
  const ifs = run(script('IFS=","', 'OPTS="-p tcp --dport 25"', 'iptables -A INPUT $OPTS -j ACCEPT', 'iptables -A INPUT -p tcp --dport 25 -j DROP'));
  assert.deepEqual(ifs.diagnostics.filter((d) => d.code === 'shadowed-rule'), []);
  assert.equal(ifs.ruleset.commands[0].dynamic, true);
  // The hover names the words, on an option's name as on a value.
  assert.match(hover(opts, { line: 2, character: 20 })!.markdown, /^`\$OPTS` is split by the shell into the words `-p`, `tcp`, `--dport`, `25` \(it is not quoted\)/);
  assert.match(hover(list, { line: 2, character: 50 })!.markdown, /^`\$SERVICES` is split by the shell into the words `22`, `80`, `443`[^]*port \*\*22\*\*/);
  // Where the words make several options or modules, each is named with what it does, in the order written.
  const made = /The words it makes:\n((?:- .*\n?)*)/.exec(hover(opts, { line: 2, character: 20 })!.markdown)?.[1];
  assert.match(made?.trim() ?? '', /^- `-p tcp`: [^\n]+\n- `--dport 25`: [^\n]+$/);
  // ... in place of the hover of the first of them, which would speak as if the word were that option alone.
  assert.doesNotMatch(hover(opts, { line: 2, character: 20 })!.markdown, /--protocol/);
  const ct = run(script('NEW="! -i lo -m conntrack --ctstate NEW"', 'iptables -A INPUT $NEW -j ACCEPT'));
  const items = /The words it makes:\n((?:- .*\n?)*)/.exec(hover(ct, { line: 2, character: 20 })!.markdown)?.[1].trim().split('\n');
  assert.deepEqual(items?.map((i) => /^- `([^`]*)`/.exec(i)?.[1]), ['! -i lo', '-m conntrack', '--ctstate NEW']);
  // One option's worth of words (a list of ports) has nothing more to say.
  assert.doesNotMatch(hover(list, { line: 2, character: 50 })!.markdown, /The words it makes/);
  // A fix never writes into such a word (the change belongs in the variable's value); one that deletes the rule's line still stands.
  const state = script('OPTS="-m state --state NEW"', 'iptables -A INPUT -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 $OPTS -j ACCEPT');
  const r = run(state);
  const deprecated = r.diagnostics.find((d) => d.code === 'deprecated-match')!;
  assert.deepEqual(quickFixes(r, deprecated).filter((f) => !/disable|silence/i.test(f.title)), []);
  assert.equal(fixAll(state, { fileName: 'firewall.sh' }).text.includes('$OPTS'), true);
  const redundant = r.diagnostics.find((d) => d.code === 'redundant-rule')!;
  assert.deepEqual(quickFixes(r, redundant).map((f) => f.title).filter((t) => t.startsWith('Delete')), ['Delete this redundant rule']);
  // Quoted, the value is one word (here a port list iptables refuses: blanks are no separator).
  const quoted = run(script('SERVICES="22 80"', 'iptables -A INPUT -p tcp -m multiport --dports "$SERVICES" -j ACCEPT'));
  assert.match(quoted.diagnostics.find((d) => d.severity === 'error')!.message, /\("\$SERVICES" is 22 80 here, as set on line 2\)$/);
});

test('a word made of known variables and text is read as its value too; with any other expansion, or a $ that is text, it stays unknown', () => {
  const rules = (...words: string[]) => script('LAN=192.168.1.0', 'WEB=10.0.0.5', 'PREFIX=fw', ...words.map((w) => `iptables -A INPUT -s ${w} -j ACCEPT`), 'iptables -A INPUT -s 192.168.1.0/24 -p tcp --dport 22 -j ACCEPT');
  const sources = (text: string) => run(text).ruleset.commands.slice(0, -1).map((c) => (c.options[0].argDynamic ? 'unknown' : c.options[0].argValue));
  assert.deepEqual(sources(rules('$LAN/24', '"${LAN}/24"', '${LAN}/24,$WEB')), ['192.168.1.0/24', '192.168.1.0/24', '192.168.1.0/24,10.0.0.5']);
  // The rule after them is then found redundant: the analysis reads the resolved words.
  assert.equal(run(rules('$LAN/24')).diagnostics.filter((d) => d.code === 'redundant-rule').length, 1);
  assert.deepEqual(sources(rules('$UNKNOWN/24', '$LAN/$(echo 24)', '${LAN:-10.0.0.0}/24', '$LAN/$1')), ['unknown', 'unknown', 'unknown', 'unknown']);
  // A $ in single quotes or escaped is text: iptables is given it as it stands (and refuses it).
  const literal = run(rules("'$LAN'/24", '\\$LAN/24'));
  assert.deepEqual(literal.diagnostics.filter((d) => d.code === 'invalid-value').map((d) => d.range.start.line), [4, 5]);
  // A value with text around it, in a target's option.
  // The hover says what the word was read as.
  const read = run(rules('$LAN/24'));
  assert.match(hover(read, { line: 4, character: 22 })!.markdown, /^`\$LAN\/24` is read as `192\.168\.1\.0\/24`: each variable in it is set once, plainly, before this line/);
  const dnat = run(script('WEB=10.0.0.5', 'PREFIX=fw', 'iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination $WEB:8080', 'iptables -A INPUT -j LOG --log-prefix "$PREFIX: "'));
  assert.deepEqual(dnat.ruleset.commands.map((c) => c.target!.options[0].argValue), ['10.0.0.5:8080', 'fw: ']);
});

test('a configuration the script sources (. /etc/default/firewall) sets variables where it is sourced, when it can be read and holds only assignments', () => {
  const files: Record<string, string> = {
    '/etc/default/firewall': '# the firewall\'s settings\nLAN=eth1\nSSH_PORT="22"\n',
    '/srv/fw/ports.conf': 'WEB=80\n',
    '/etc/busy.conf': 'LAN=eth1\necho loaded\n',
    '/etc/twice.conf': 'LAN=eth1\nLAN=eth2\n',
  };
  const read = (path: string) => files[path];
  const rules = ['iptables -A INPUT -i $LAN -j ACCEPT', 'iptables -A INPUT -i $LAN -p tcp --dport $SSH_PORT -j ACCEPT'];
  const redundant = (text: string, readFile: (p: string) => string | undefined = read, fileName = '/srv/fw/firewall.sh') =>
    lint(text, { fileName, readFile }).diagnostics.filter((d) => d.code === 'redundant-rule').map((d) => d.range.start.line);
  assert.deepEqual(redundant(script('. /etc/default/firewall', ...rules)), [3]);
  assert.deepEqual(redundant(script('source /etc/default/firewall', ...rules)), [3]);
  // Beside the script, by a relative name.
  assert.deepEqual(redundant(script('. ./ports.conf', 'iptables -A INPUT -p tcp -j ACCEPT', 'iptables -A INPUT -p tcp --dport $WEB -j ACCEPT')), [3]);
  // Nothing is known when the file cannot be read, runs commands, assigns twice, is sourced in an if or after use,
  // names a shell value, or the script sets the variable too.
  for (const [text, readFile] of [
    [script('. /etc/default/firewall', ...rules), () => undefined],
    [script('. /etc/missing.conf', ...rules), read],
    [script('. /etc/busy.conf', ...rules), read],
    [script('. /etc/twice.conf', ...rules), read],
    [script('[ -r /etc/default/firewall ] && . /etc/default/firewall', ...rules), read],
    [script('if [ -r /etc/default/firewall ]; then . /etc/default/firewall; fi', ...rules), read],
    [script('. $CONF', ...rules), read],
    [script('. /etc/default/firewall', 'LAN=eth2', ...rules), read],
    [script(rules[0], '. /etc/default/firewall', rules[1]), read],
  ] as const) assert.deepEqual(redundant(text, readFile), [], text);
});

test('with set -e the first command iptables refuses stops the script, and its error says so', () => {
  const stops = (text: string) => lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => /The script stops here/.test(d.message)).map((d) => [d.range.start.line, d.code, /\((.*?)\)/.exec(d.message.slice(d.message.indexOf('The script stops here')))?.[1]]);
  const body = ['iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22,80 -j ACCEPT', 'iptables -A INPUT -j REJECT --reject-with tcp-reset', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'];
  assert.deepEqual(stops(['#!/bin/sh', 'set -eu', ...body, ''].join('\n')), [[3, 'invalid-value', '`set -e` on line 2']]);
  assert.deepEqual(stops(['#!/bin/sh -e', ...body, ''].join('\n')), [[2, 'invalid-value', 'the first line runs the shell with -e']]);
  assert.deepEqual(stops(['#!/bin/bash', 'set -o errexit', ...body, ''].join('\n')), [[3, 'invalid-value', '`set -e` on line 2']]);
  // A kernel refusal stops it as well; a command before || or && or as an if's condition does not; nor without -e.
  assert.deepEqual(stops(['#!/bin/sh', 'set -e', 'iptables -A INPUT -p tcp --dport 22,80 -j ACCEPT || true', 'if iptables -A INPUT -o eth0 -j ACCEPT; then :; fi', body[2], ''].join('\n')), [[4, 'protocol-required', '`set -e` on line 2']]);
  assert.deepEqual(stops(['#!/bin/sh', 'set -e', 'set +e', ...body, ''].join('\n')), []);
  assert.deepEqual(stops(['#!/bin/sh', ...body, ''].join('\n')), []);
});

test('not-rerunnable: a script that appends rules no flush before them takes away adds them again when run twice', () => {
  const found = (...lines: string[]) => lint(['#!/bin/sh', ...lines, ''].join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'not-rerunnable').map((d) => [d.range.start.line, d.message] as [number, string]);
  const [[line, message]] = found('iptables -N LOGDROP', 'iptables -A LOGDROP -j DROP', 'iptables -A INPUT -j LOGDROP');
  assert.equal(line, 2);
  assert.match(message, /^Run a second time, this script adds its rules again: nothing before this line flushes LOGDROP, so every rule is there twice, and its `-N` fails \(the chain exists already\)\. Flush first \('iptables -F LOGDROP', or the whole table\)/);
  // Said once, at the first rule: the nat table's own flush, and ip6tables' own, count for their rules alone.
  assert.deepEqual(found('iptables -F', 'iptables -A INPUT -j ACCEPT', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE').map(([l]) => l), [3]);
  assert.match(String(found('iptables -F', 'iptables -A INPUT -j ACCEPT', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE')[0][1]), /flushes POSTROUTING \(nat\), .*'iptables -t nat -F POSTROUTING'/);
  assert.deepEqual(found('iptables -F', 'iptables -A INPUT -j ACCEPT', 'ip6tables -A INPUT -j ACCEPT').map(([l]) => l), [3]);
  // A -C of another rule does not count for this one.
  assert.deepEqual(found('iptables -D INPUT -p tcp --dport 2222 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT').map(([l]) => l), [2]);
  assert.deepEqual(found('iptables -D INPUT -p tcp --dport ssh -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'), []);
  // Run again safely: a flush of the chain or of the table first, a rule added only when -C does not find it, a
  // rule deleted just before, a restore file fed to iptables-restore.
  for (const lines of [
    ['iptables -F INPUT', 'iptables -A INPUT -j ACCEPT'],
    ['iptables -F', 'iptables -X', 'iptables -N X', 'iptables -A X -j RETURN', 'iptables -A INPUT -j X'],
    ['iptables -C INPUT -p tcp --dport 22 -j ACCEPT || iptables -A INPUT -p tcp --dport 22 -j ACCEPT'],
    ['iptables -C INPUT -p tcp --dport 22 -j ACCEPT || \\', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT'],
    ['iptables -C INPUT -p tcp --dport 22 -j ACCEPT ||', '  sudo iptables -A INPUT -p tcp --dport 22 -j ACCEPT'],
    ['if ! iptables -C INPUT -p tcp --dport 22 -j ACCEPT 2>/dev/null; then', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'fi'],
    ['iptables -D INPUT -p tcp --dport 22 -j ACCEPT 2>/dev/null', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'],
    // The same rule written another way: iptables compares the rules it builds.
    ['iptables -C INPUT -p tcp --dport ssh -j ACCEPT || iptables -A INPUT -p 6 -m tcp --dport 22 -j ACCEPT'],
    ["iptables-restore <<'EOF'", '*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', 'EOF'],
  ]) assert.deepEqual(found(...lines), [], lines.join(' / '));
  // Left alone: rules loaded from a file, commands the analysis cannot see.
  for (const more of ['iptables-restore < /etc/iptables/rules.v4', '. /etc/firewall/more-rules', 'eval "$RULES"']) {
    assert.deepEqual(found(more, 'iptables -A INPUT -j ACCEPT'), [], more);
  }
});

test('not-rerunnable: the quick fix flushes the chain before the rule, with the script\'s own way of running iptables', () => {
  const text = ['#!/bin/sh', 'IPT=/sbin/iptables', '$IPT -t nat -A POSTROUTING -o eth0 -j MASQUERADE', ''].join('\n');
  const r = lint(text, { fileName: 'fw.sh' });
  const [fix] = quickFixes(r, r.diagnostics.find((d) => d.code === 'not-rerunnable')!);
  assert.equal(fix.title, 'Flush POSTROUTING first');
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed.split('\n')[2], '$IPT -t nat -F POSTROUTING');
  assert.deepEqual(lint(fixed, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'not-rerunnable'), []);
});

test('rules added to a chain not known here may be any chain\'s: no claim that INPUT lacks an accept, but a user chain made with the same word is not INPUT', () => {
  // (Calls of the wrapper with other commands between them are not read call by call.)
  const wrapper = ['add() {', '  iptables -C "$@" 2>/dev/null || iptables -A "$@"', '}', 'add INPUT -i lo -j ACCEPT', 'iptables -A INPUT -p udp --dport 53 -j ACCEPT', 'add INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'add INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -P INPUT DROP'];
  const claims = /missing-established|ssh-lockout|loopback-blocked|no-default-deny|ipv6-unfiltered/;
  assert.deepEqual(codes(script(...wrapper)).filter((c) => claims.test(c)), []);
  // The same rules with their chain a variable that names a chain the script makes: INPUT is known, and lacks them all.
  const made = ['CH=$(hostname)', 'iptables -N "$CH"', 'iptables -A "$CH" -s 192.0.2.0/24 -j DROP', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', 'iptables -P INPUT DROP'];
  const found = codes(script(...made));
  for (const code of ['5:missing-established', '5:ssh-lockout', '5:loopback-blocked']) assert.ok(found.includes(code), `${code} in ${found.join(' ')}`);
  // Without the -N, the variable may name INPUT.
  assert.deepEqual(codes(script(...made.filter((l) => !l.includes('-N')))).filter((c) => claims.test(c)), []);
  // A flush while the DROP policy may be in place cuts off the session whatever else the script adds.
  const flush = codes(script('iptables -F INPUT', ...wrapper));
  assert.ok(flush.includes('1:ssh-lockout'), flush.join(' '));
});

test('a function that runs its arguments as a command ("$@") and is given iptables commands may add any rule: no claim that INPUT lacks an accept', () => {
  const body = ['run() {', '  echo "+ $*"', '  "$@"', '}'];
  const through = codes(script(...body, 'run iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP').replace('#!/bin/sh', '#!/bin/bash'));
  assert.ok(!through.some((c) => /ssh-lockout|missing-established|loopback-blocked/.test(c)), through.join(' '));
  // Given other commands only, it adds no rule: the claims stand.
  const other = codes(script(...body, 'run apt-get update', 'iptables -P INPUT DROP').replace('#!/bin/sh', '#!/bin/bash'));
  assert.ok(other.includes('6:ssh-lockout'), other.join(' '));
});
