/**
 * What the chains hold after a script's chain commands (-N, -A, -I, -D, -F, -X, -E), and what iptables refuses among
 * them: held to a plain model of the kernel's chains, and by hand for -X of a chain that still holds rules or is
 * jumped to (the kernel's own answers are in test/kernel/commands.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';
import { CODE_INFO } from '../../server/src/engine/checks/codes';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const script = (...lines: string[]) => ['#!/bin/sh', ...lines.map((l) => `iptables ${l}`), ''].join('\n');
const findings = (text: string, fileName: string) => lint(text, { fileName }).diagnostics.filter((d) => d.code === 'syntax' || d.code === 'unknown-target' || d.code === 'undefined-chain');

test('-X of a chain that holds rules: the command fails, the chain and its rules stay', () => {
  const text = script('-N X', '-A X -s 10.0.0.1 -j ACCEPT', '-X X', '-A X -s 10.0.0.2 -j ACCEPT');
  const r = lint(text, { fileName: 'fw.sh' });
  const f = findings(text, 'fw.sh');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.equal(f[0].severity, 'warning');
  assert.deepEqual(f[0].range, { start: { line: 3, character: 12 }, end: { line: 3, character: 13 } });
  assert.match(f[0].message, /Chain X still holds 1 rule .*line 3.*"Directory not empty".*-F X/);
  assert.deepEqual(r.state.get(4, 'filter', 'X')?.rules.map((c) => c.startLine), [2, 4]);
});

test('-X of a chain that holds rules: the quick fix flushes it (or the table) on the line before, as the file runs iptables', () => {
  const cases: Array<[string, string, string, string]> = [
    [['#!/bin/sh', 'IPT=/sbin/iptables', '$IPT -t nat -N X', '$IPT -t nat -A X -j RETURN', '$IPT -t nat -X X', ''].join('\n'), 'fw.sh', 'Flush X first', '$IPT -t nat -F X'],
    [script('-N A', '-A A -j ACCEPT', '-X'), 'fw.sh', 'Flush the filter table first', 'iptables -F'],
    [['*filter', ':X - [0:0]', '-A X -j ACCEPT', '-X X', 'COMMIT', ''].join('\n'), 'rules.v4', 'Flush X first', '-F X'],
  ];
  for (const [text, fileName, title, line] of cases) {
    const r = lint(text, { fileName });
    const d = r.diagnostics.find((x) => /Directory not empty/.test(x.message))!;
    const [fix] = quickFixes(r, d);
    assert.equal(fix.title, title);
    const fixed = applyEdits(text, fix.edits);
    assert.equal(fixed.split('\n')[d.range.start.line], line, fixed);
    assert.deepEqual(lint(fixed, { fileName }).diagnostics.filter((x) => x.code === 'syntax'), [], fixed);
  }
});

test('-X of a chain emptied first (-F, or -D of its last rule) deletes it', () => {
  for (const empty of ['-F X', '-D X -s 10.0.0.1 -j ACCEPT', '-D X 1']) {
    const text = script('-N X', '-A X -s 10.0.0.1 -j ACCEPT', empty, '-X X');
    assert.deepEqual(findings(text, 'fw.sh'), [], empty);
    assert.equal(lint(text, { fileName: 'fw.sh' }).state.get(4, 'filter', 'X'), undefined, empty);
  }
});

test('-X alone deletes every user chain, or none while one holds rules', () => {
  const text = script('-N A', '-N B', '-A B -j ACCEPT', '-X', '-A A -j ACCEPT');
  const f = findings(text, 'fw.sh');
  assert.equal(f.length, 1, JSON.stringify(f));
  assert.match(f[0].message, /Chain B still holds 1 rule .*deletes no chain/);
  assert.equal(f[0].range.start.line, 4);
  // A is still there: the -A after the failed -X adds to it.
  assert.equal(lint(text, { fileName: 'fw.sh' }).state.get(4, 'filter', 'A')?.rules.length, 1);
  assert.deepEqual(findings(script('-N A', '-N B', '-A B -j ACCEPT', '-F', '-X'), 'fw.sh'), []);
});

test('in a restore file -X of a chain that holds rules or is jumped to is an error, and the jump still reaches the chain', () => {
  const file = (...l: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':X - [0:0]', ...l, 'COMMIT', ''].join('\n');
  const held = findings(file('-A X -j ACCEPT', '-X X'), 'rules.v4');
  assert.deepEqual(held.map((d) => [d.severity, d.range.start.line]), [['error', 4]]);
  assert.match(held[0].message, /"Directory not empty"/);
  const jumped = findings(file('-A INPUT -j X', '-X X'), 'rules.v4');
  assert.deepEqual(jumped.map((d) => [d.severity, d.range.start.line]), [['error', 4]], JSON.stringify(jumped));
  assert.match(jumped[0].message, /still jumped to .*line 4.*"Too many links"/);
  assert.deepEqual(findings(file('-A INPUT -j X', '-A X -j ACCEPT', '-F INPUT', '-F X', '-X X'), 'rules.v4'), []);
  // iptables-nft-restore's -F without a chain name leaves the rules this file added: the -X fails there.
  const kept = findings(file('-A INPUT -j X', '-A X -j ACCEPT', '-F', '-X X'), 'rules.v4');
  assert.deepEqual(kept.map((d) => [d.severity, d.range.start.line, (d.data as { refusedBy?: string }).refusedBy]), [['warning', 5, 'none'], ['warning', 6, 'iptables-nft']]);
  assert.match(kept[1].message, /keeps the rules this file added before it \(the rules on lines 4, 5\).*CHAIN_DEL failed/);
});

test('iptables-nft-restore\'s -F without a chain name leaves the rules the file added before it: rule numbers count them there', () => {
  const file = (...l: string[]) => lint(['*filter', ':OUTPUT ACCEPT [0:0]', ...l, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'syntax');
  const by = (ds: ReturnType<typeof file>) => ds.map((d) => [d.severity, d.range.start.line, (d.data as { refusedBy?: string } | undefined)?.refusedBy]);
  // The -F itself is a warning (line 3; a line both take, to different effect), then the numbers.
  assert.deepEqual(by(file('-A OUTPUT -j LOG', '-F', '-D OUTPUT 1')), [['warning', 3, 'none'], ['warning', 4, 'iptables-legacy']]);
  assert.deepEqual(by(file('-A OUTPUT -j LOG', '-F', '-D OUTPUT 1', '-D OUTPUT 1')), [['warning', 3, 'none'], ['warning', 4, 'iptables-legacy'], ['error', 5, undefined]]);
  assert.deepEqual(by(file('-A OUTPUT -j LOG', '-F', '-I OUTPUT 2 -j ACCEPT')), [['warning', 3, 'none'], ['warning', 4, 'iptables-legacy']]);
  assert.deepEqual(by(file('-A OUTPUT -j LOG', '-F', '-D OUTPUT -j LOG')), [['warning', 3, 'none'], ['warning', 4, 'iptables-legacy']]);
  // A flush naming the chain empties it for both.
  assert.deepEqual(by(file('-A OUTPUT -j LOG', '-F OUTPUT', '-D OUTPUT 1')), [['error', 4, undefined]]);
  // The -F itself: the two backends load different rulesets.
  const flush = lint(['*filter', ':X - [0:0]', '-A X -j LOG', '-A OUTPUT -j X', '-F', 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'syntax');
  assert.deepEqual(flush.map((d) => [d.severity, d.range]), [['warning', { start: { line: 4, character: 0 }, end: { line: 4, character: 2 } }]]);
  assert.match(flush[0].message, /keeps the rules this file added above it \(the rules on lines 3, 4\).*\(-F OUTPUT, -F X\)/);
  assert.deepEqual(lint(['*filter', '-F', '-A OUTPUT -j LOG', 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'syntax'), []);
  // The quick fix flushes each chain by name: the same for iptables-legacy, and no warning left.
  const text = ['*filter', ':X - [0:0]', '-A X -j LOG', '-A OUTPUT -j X', '-F', 'COMMIT', ''].join('\n');
  const r = lint(text, { fileName: 'rules.v4' });
  const fix = quickFixes(r, r.diagnostics.find((d) => d.code === 'syntax')!).find((f) => f.title === 'Flush OUTPUT, X by name')!;
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, ['*filter', ':X - [0:0]', '-A X -j LOG', '-A OUTPUT -j X', '-F OUTPUT', '-F X', 'COMMIT', ''].join('\n'));
  assert.deepEqual(lint(fixed, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity !== 'info'), []);
});

test('a script\'s here-document loaded without --noflush: its -F without a chain name is read as a restore file\'s, and the commands after the load count the rules iptables-nft kept', () => {
  const sh = (flags: string, ...after: string[]) => lint(['#!/bin/sh', `iptables-restore ${flags}<<EOF`, '*filter', ':X - [0:0]', '-A X -j LOG', '-A INPUT -j ACCEPT', '-F', 'COMMIT', 'EOF', ...after, ''].join('\n'), { fileName: 'fw.sh' });
  const by = (r: ReturnType<typeof sh>) => r.diagnostics.filter((d) => d.code === 'syntax').map((d) => [d.range.start.line, (d.data as { refusedBy?: string } | undefined)?.refusedBy]);
  const loaded = sh('');
  assert.deepEqual(by(loaded), [[6, 'none']]);
  assert.match(loaded.diagnostics.find((d) => d.code === 'syntax')!.message, /keeps the rules this load added above it \(the rules on lines 5, 6\)/);
  const fix = quickFixes(loaded, loaded.diagnostics.find((d) => d.code === 'syntax')!)[0];
  assert.equal(fix.title, 'Flush INPUT, X by name');
  // After the load: iptables-nft still has the rules, iptables-legacy has none.
  assert.deepEqual(by(sh('', 'iptables -D INPUT 1')), [[6, 'none'], [9, 'iptables-legacy']]);
  assert.deepEqual(by(sh('', 'iptables -X X')), [[6, 'none'], [9, 'iptables-nft']]);
  assert.deepEqual(by(sh('', 'iptables -F', 'iptables -X X')), [[6, 'none']]);
  // With --noflush both empty every chain: no warning, and the rule number is past the end for both.
  assert.deepEqual(by(sh('--noflush ')), []);
  assert.deepEqual(by(sh('--noflush ', 'iptables -F INPUT', 'iptables -D INPUT 1')), [[10, undefined]]);
});

test('a rule added after its chain was renamed or deleted goes nowhere, whatever the rule before it added to', () => {
  const renamed = lint(script('-N A', '-A A -s 10.0.0.1 -j ACCEPT', '-E A B', '-A A -s 10.0.0.2 -j ACCEPT', '-A B -s 10.0.0.3 -j ACCEPT'), { fileName: 'fw.sh' });
  assert.deepEqual(renamed.state.get(4, 'filter', 'B')?.rules.map((c) => c.startLine), [2, 5]);
  const deleted = lint(script('-N A', '-A A -s 10.0.0.1 -j ACCEPT', '-F A', '-X A', '-A A -s 10.0.0.2 -j ACCEPT', '-N A', '-A A -s 10.0.0.3 -j ACCEPT'), { fileName: 'fw.sh' });
  assert.deepEqual(deleted.state.get(4, 'filter', 'A')?.rules.map((c) => c.startLine), [7]);
  const file = ['*filter', ':A - [0:0]', '-A A -s 10.0.0.1 -j ACCEPT', 'COMMIT', '*filter', ':A - [0:0]', '-A A -s 10.0.0.2 -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.deepEqual(lint(file, { fileName: 'rules.v4' }).state.get(4, 'filter', 'A')?.rules.map((c) => c.startLine), [6]);
});

test('a jump to a chain the file makes only later, or has renamed away, is refused where it stands', () => {
  const s = findings(script('-A INPUT -p tcp -j X', '-N X', '-A X -j ACCEPT'), 'fw.sh');
  assert.deepEqual(s.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character]), [['unknown-target', 'warning', 1, 28]]);
  assert.match(s[0].message, /^Chain X does not exist at this point \(the script makes it only on line 3\): iptables refuses the jump \("Couldn't load target"\)/);
  // The jump is not among INPUT's rules: nothing reaches X.
  assert.equal(lint(script('-A INPUT -p tcp -j X', '-N X'), { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')?.rules.length, 0);
  // A function's rules run where it is called, after the chain is made; its -N, where it is called.
  assert.deepEqual(findings(['#!/bin/sh', 'f() {', '  iptables -A INPUT -j X', '}', 'iptables -N X', 'f', ''].join('\n'), 'fw.sh'), []);
  assert.match(findings(['#!/bin/sh', 'f() {', '  iptables -N X', '}', 'iptables -A INPUT -j X', 'f', ''].join('\n'), 'fw.sh')[0].message, /makes it only on line 6/);
  // The usual clean-up before making a chain again: its -D fails harmlessly on a first run.
  assert.deepEqual(findings(script('-D INPUT -j MYCHAIN 2>/dev/null', '-F MYCHAIN 2>/dev/null', '-X MYCHAIN 2>/dev/null', '-N MYCHAIN', '-A MYCHAIN -j RETURN', '-A INPUT -j MYCHAIN'), 'fw.sh'), []);
  // A chain made in an arm of an if that the analysis does not follow: no claim either way.
  const arms = ['#!/bin/sh', 'if [ "$1" = a ]; then', '  iptables -N X', 'else', '  iptables -N Y', '  iptables -A Y -j ACCEPT', 'fi', 'iptables -A INPUT -j X', 'iptables -A INPUT -j Y', ''].join('\n');
  assert.deepEqual(findings(arms, 'fw.sh'), []);
  const file = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -g X', ':X - [0:0]', ':Y - [0:0]', '-E Y Z', '-A INPUT -j Y', 'COMMIT', ''].join('\n');
  const r = findings(file, 'rules.v4').filter((d) => d.code === 'unknown-target');
  assert.deepEqual(r.map((d) => [d.severity, d.range.start.line]), [['error', 2], ['error', 6]]);
  assert.match(r[0].message, /the file makes it only on line 4\): iptables refuses the goto/);
  assert.match(r[1].message, /it was deleted or renamed before this line/);
});

test('-Z, -L and -S of a chain that does not exist; -m conntrack with none of its options', () => {
  for (const op of ['-Z', '-L', '-S']) {
    const f = findings(script(`${op} NOPE`), 'fw.sh');
    assert.deepEqual(f.map((d) => [d.code, d.range.start.line]), [['undefined-chain', 1]], op);
    assert.deepEqual(findings(script('-N NOPE', `${op} NOPE`), 'fw.sh'), [], op);
  }
  const text = ['*filter', '-A INPUT -m conntrack -j ACCEPT', '-A INPUT -m conntrack --ctdir REPLY -j ACCEPT', 'COMMIT', ''].join('\n');
  const missing = lint(text, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'missing-argument');
  assert.deepEqual(missing.map((d) => d.range.start.line), [1]);
  assert.match(missing[0].message, /-m conntrack needs one of --ctstate, .*--ctdir/);
});

/** A rule of the model: its words after the chain (what -D compares) and the chain it jumps to, if any. */
interface ModelRule {
  spec: string;
  jump?: string;
}

/**
 * The kernel's chains of the filter table as a script changes them, each command failing as iptables fails it
 * (and then changing nothing).
 */
class Chains {
  readonly chains = new Map<string, ModelRule[]>([['INPUT', []]]);

  private referenced(name: string | undefined): boolean {
    for (const rules of this.chains.values()) for (const r of rules) if (r.jump !== undefined && (name === undefined || r.jump === name)) return true;
    return false;
  }

  /** Runs one command: true, or why iptables refuses it (the chain named is missing, or anything else). */
  run(op: string, chain: string | undefined, arg: { n?: number; rule?: ModelRule; to?: string }): true | 'missing' | 'refused' {
    const rules = chain === undefined ? undefined : this.chains.get(chain);
    const user = chain !== undefined && chain !== 'INPUT';
    if (op === '-N') return rules ? 'refused' : !!this.chains.set(chain!, []);
    if (op === '-F' && chain === undefined) {
      for (const list of this.chains.values()) list.length = 0;
      return true;
    }
    if (op === '-X' && chain === undefined) {
      const users = [...this.chains.keys()].filter((n) => n !== 'INPUT');
      if (this.referenced(undefined) || users.some((n) => this.chains.get(n)!.length > 0)) return 'refused';
      for (const n of users) this.chains.delete(n);
      return true;
    }
    if (!rules) return 'missing';
    if (op === '-A') rules.push(arg.rule!);
    else if (op === '-I') {
      if (arg.n! > rules.length + 1) return 'refused';
      rules.splice(arg.n! - 1, 0, arg.rule!);
    } else if (op === '-D') {
      const at = arg.n !== undefined ? arg.n - 1 : rules.findIndex((r) => r.spec === arg.rule!.spec);
      if (at < 0 || at >= rules.length) return 'refused';
      rules.splice(at, 1);
    } else if (op === '-F') rules.length = 0;
    else if (op === '-X') {
      if (!user || this.referenced(chain) || rules.length > 0) return 'refused';
      this.chains.delete(chain!);
    } else if (op === '-E') {
      if (!user || this.chains.has(arg.to!)) return 'refused';
      this.chains.delete(chain!);
      this.chains.set(arg.to!, rules);
      for (const list of this.chains.values()) for (const r of list) if (r.jump === chain) r.jump = arg.to;
    }
    return true;
  }
}

const USER = ['A', 'B', 'C'];
const step = fc.record({
  op: fc.constantFrom('-N', '-N', '-A', '-A', '-A', '-A', '-I', '-D', '-D', '-F', '-X', '-E'),
  chain: fc.constantFrom('INPUT', 'A', 'A', 'B', 'C', undefined),
  n: fc.integer({ min: 1, max: 4 }),
  byNumber: fc.boolean(),
  src: fc.integer({ min: 1, max: 4 }),
  jump: fc.constantFrom(undefined, undefined, 'A', 'B', 'C'),
  to: fc.constantFrom(...USER),
  /** A -D writes its rule another way (`/32`), which iptables takes as the same rule. */
  slash: fc.boolean(),
});

test('property: a script\'s chain commands leave the chains as the kernel would, rule for rule, with a finding exactly where it refuses one', () => {
  fc.assert(fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
    const model = new Chains();
    const lines: string[] = [];
    const refused: Array<{ line: number; chain: string | undefined; surely: boolean }> = [];
    let inputKnown = false;
    for (const s of steps) {
      let { chain } = s;
      if (chain === undefined && !['-F', '-X'].includes(s.op)) chain = 'INPUT';
      if (chain === 'INPUT' && ['-N', '-X', '-E'].includes(s.op)) chain = 'A';
      // Jumps go down the list INPUT, A, B, C only, to a chain that exists: no loops, no unknown targets.
      const below = chain === 'INPUT' ? USER : USER.slice(USER.indexOf(chain!) + 1);
      const jump = s.jump !== undefined && below.includes(s.jump) && model.chains.has(s.jump) && model.chains.has(chain!) ? s.jump : undefined;
      const rule: ModelRule = jump ? { spec: `-j ${jump}`, jump } : { spec: `-s 10.0.0.${s.src} -j ACCEPT` };
      const byNumber = s.op === '-D' && s.byNumber;
      if (s.op === '-D' && !byNumber && rule.jump) continue;
      // A rule number beyond the chain's end is refused with a finding; the model needs no such case.
      if ((s.op === '-I' || byNumber) && model.chains.get(chain!) === undefined) continue;
      const written = s.op === '-D' && s.slash && !rule.jump ? `-s 10.0.0.${s.src}/32 -j ACCEPT` : rule.spec;
      const words = s.op === '-N' || s.op === '-F' || s.op === '-X' ? [] : s.op === '-E' ? [s.to] : s.op === '-I' ? [String(s.n), rule.spec] : byNumber ? [String(s.n)] : [written];
      // A chain renamed neither jumps nor is jumped to, and takes a name further down: the jumps stay free of loops.
      const jumpsOf = (l: ModelRule[]) => l.some((r) => r.jump !== undefined && (r.jump === chain || l === model.chains.get(chain!)));
      if (s.op === '-E' && (USER.indexOf(s.to) <= USER.indexOf(chain!) || [...model.chains.values()].some(jumpsOf))) continue;
      lines.push([s.op, chain ?? '', ...words].filter(Boolean).join(' '));
      const ok = model.run(s.op, chain, { n: s.op === '-I' || byNumber ? s.n : undefined, rule, to: s.to });
      if (s.op === '-F' && (chain === undefined || chain === 'INPUT')) inputKnown = true;
      // What INPUT held before the script ran is not known until the script flushes it.
      if (ok !== true) refused.push({ line: lines.length, chain, surely: ok === 'refused' && (chain !== 'INPUT' || inputKnown) });
    }
    // A chain the script makes anywhere may be there from an earlier run when a command names it before its -N.
    for (const x of refused) if (!x.surely && x.chain !== undefined && !lines.includes(`-N ${x.chain}`) && x.chain !== 'INPUT') x.surely = true;
    const r = lint(script(...lines), { fileName: 'fw.sh' });
    for (const name of ['INPUT', ...USER]) {
      // A built-in chain is there once the script names its table.
      const got = r.state.get(4, 'filter', name)?.rules.map((c) => c.ruleSpecText) ?? (name === 'INPUT' ? [] : undefined);
      const want = model.chains.get(name)?.map((x) => x.spec);
      assert.deepEqual(got, want, `${name} after:\n${lines.join('\n')}`);
    }
    // A finding (of what iptables refuses) exactly on the lines of commands iptables refuses, wherever it can tell.
    const flagged = new Set(r.diagnostics.filter((d) => CODE_INFO.get(d.code)?.severity === 'error' && (d.severity === 'error' || d.severity === 'warning')).map((d) => d.range.start.line));
    for (const line of flagged) assert.ok(refused.some((x) => x.line === line), `a finding on line ${line}, which the kernel takes:\n${lines.join('\n')}`);
    for (const x of refused) if (x.surely) assert.ok(flagged.has(x.line), `no finding on line ${x.line}, which the kernel refuses:\n${lines.join('\n')}`);
  }), { numRuns: RUNS });
});

test('a built-in chain\'s line after rules of it: the rules stay, and the line sets the policy', () => {
  const text = ['*filter', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', 'COMMIT', ''].join('\n');
  const r = lint(text, { fileName: 'rules.v4' });
  const input = r.state.get(4, 'filter', 'INPUT')!;
  assert.deepEqual(input.rules.map((c) => c.startLine), [1, 2]);
  assert.equal(input.policy, 'DROP');
  assert.equal(input.declRange.start.line, 3);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error' || d.code === 'ssh-lockout'), []);
  // The usual order is unchanged: the declaration, then the rules.
  const usual = lint(['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' });
  assert.equal(usual.state.get(4, 'filter', 'INPUT')!.declRange.start.line, 1);
});

test('a jump to a chain declared only below: the quick fix moves the declaration above the rule', () => {
  const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j LOGDROP', ':LOGDROP - [0:0]', '-A LOGDROP -j LOG', '-A LOGDROP -j DROP', 'COMMIT', ''].join('\n');
  const r = lint(text, { fileName: 'rules.v4' });
  const d = r.diagnostics.find((x) => x.code === 'unknown-target')!;
  const fixes = quickFixes(r, d).filter((f) => !f.title.startsWith('Disable'));
  assert.deepEqual(fixes.map((f) => f.title), ['Declare LOGDROP first: move line 5 above this rule']);
  const fixed = applyEdits(text, fixes[0].edits);
  assert.deepEqual(fixed.split('\n').slice(2, 5), ['-A INPUT -p tcp --dport 22 -j ACCEPT', ':LOGDROP - [0:0]', '-A INPUT -j LOGDROP']);
  assert.deepEqual(lint(fixed, { fileName: 'rules.v4' }).diagnostics.filter((x) => x.severity === 'error'), []);
  // In a script the -N stays where it is: no fix offered.
  const s = lint(script('-A INPUT -j X', '-N X'), { fileName: 'fw.sh' });
  assert.deepEqual(quickFixes(s, s.diagnostics.find((x) => x.code === 'unknown-target')!).filter((f) => !f.title.startsWith('Disable')), []);
});

test('iptables-restore --noflush in a script: the line of a chain made before the load empties it, without a finding', () => {
  const text = ['#!/bin/sh', 'iptables -N X', 'iptables -A X -j ACCEPT', 'iptables-restore --noflush <<EOF', '*filter', ':X - [0:0]', '-A X -j DROP', 'COMMIT', 'EOF', ''].join('\n');
  const r = lint(text, { fileName: 'fw.sh' });
  assert.deepEqual(r.state.get(4, 'filter', 'X')?.rules.map((c) => c.startLine), [6]);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'duplicate-chain'), []);
  // Declared twice within the one load is still a duplicate.
  const twice = text.replace(':X - [0:0]\n', ':X - [0:0]\n:X - [0:0]\n');
  assert.equal(lint(twice, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'duplicate-chain').length, 1);
});

test('a jump to a chain a script never makes: the quick fix creates it before the rule (before its loop), as the script runs iptables', () => {
  const text = ['#!/bin/sh', 'IPT=/sbin/iptables', 'for p in 80 443; do', '  $IPT -t nat -A PREROUTING -p tcp --dport $p -j WEBNAT', 'done', ''].join('\n');
  const r = lint(text, { fileName: 'fw.sh' });
  const d = r.diagnostics.find((x) => x.code === 'unknown-target')!;
  const fix = quickFixes(r, d).find((f) => f.title === 'Create chain WEBNAT (iptables -N)')!;
  assert.equal(applyEdits(text, fix.edits).split('\n')[2], '$IPT -t nat -N WEBNAT');
});

test('rule numbers past a chain\'s end: claimed only where the script knows how many rules the chain holds', () => {
  const sh = (...lines: string[]) => ['#!/bin/bash', ...lines, ''].join('\n');
  const loop3 = 'for p in 22 80 443; do iptables -A X -p tcp --dport $p -j ACCEPT; done';
  // [script, line of the finding or undefined, its message]
  const cases: Array<[string, number | undefined, RegExp?]> = [
    [sh('iptables -N X', loop3, 'iptables -D X 4'), 3, /X has 3 rules at this point; there is no rule 4 to delete \("Index of deletion too big"\)/],
    [sh('iptables -N X', loop3, 'iptables -D X 3'), undefined],
    [sh('iptables -N X', 'iptables -D X -j ACCEPT'), 2, /X holds no such rule at this point: this iptables -D fails/],
    [sh('iptables -F', 'iptables -D INPUT -p tcp --dport 22 -j ACCEPT'), 2, /INPUT holds no such rule/],
    // INPUT holds what was loaded before the script ran, until the script flushes it.
    [sh('iptables -D INPUT -j ACCEPT'), undefined],
    [sh('iptables -I INPUT 2 -j ACCEPT', 'iptables -D INPUT 3'), undefined],
    [sh('iptables -F INPUT', 'iptables -I INPUT 2 -j ACCEPT'), 2, /INPUT has 0 rules .*positions 1 to 1, not 2/],
    // Commands that may run other than once: loops over values not known here, conditions, nested loops, arms,
    // a function called twice, a -D a loop runs once per value.
    [sh('iptables -N X', 'for p in $(seq 1 3); do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -R X 3 -j DROP'), undefined],
    [sh('iptables -N X', 'while read p; do iptables -A X -p tcp --dport $p -j ACCEPT; done < ports', 'iptables -D X 3'), undefined],
    [sh('iptables -N X', 'for a in 1 2; do for b in 3 4; do iptables -A X -p tcp --dport $a$b -j ACCEPT; done; done', 'iptables -R X 4 -j DROP'), undefined],
    [sh('iptables -N X', '[ -f /etc/ssh ] && iptables -A X -j ACCEPT', 'iptables -D X 1'), undefined],
    [sh('iptables -N X', 'if [ -n "$SSH" ]; then', '  iptables -A X -j ACCEPT', 'fi', 'iptables -D X 1'), undefined],
    [sh('iptables -N X', 'f() { iptables -A X -j ACCEPT; }', 'f', 'f', 'iptables -R X 2 -j DROP'), undefined],
    [sh('iptables -N X', 'f() { iptables -A X -j ACCEPT; }', 'f', 'iptables -R X 2 -j DROP'), 4, /X has 1 rule at this point; there is no rule 2 to replace/],
    [sh('iptables -N X', 'for i in 1 2; do iptables -A X -j ACCEPT; done', 'for i in 1 2; do iptables -D X 1; done', 'iptables -A X -j DROP', 'iptables -D X 1'), undefined],
    [sh('iptables -N X', 'iptables -A X -j ACCEPT', 'iptables-restore < /etc/iptables/rules.v4', 'iptables -D X 2'), undefined],
    // -Z of a rule past the end: only iptables-legacy refuses it.
    [sh('iptables -N X', 'iptables -Z X 1'), 2, /no rule 1 to zero \("Index of counter too big"\)\. iptables-legacy refuses it/],
  ];
  for (const [text, line, message] of cases) {
    const f = lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'syntax');
    assert.deepEqual(f.map((d) => d.range.start.line), line === undefined ? [] : [line], text);
    if (message) assert.match(f[0].message, message, text);
  }
});

test('-Z of one rule in a restore file: iptables-nft-restore crashes on it; past the chain\'s end iptables-legacy-restore refuses it', () => {
  const file = (...l: string[]) => ['*filter', ':X - [0:0]', '-A X -j ACCEPT', ...l, 'COMMIT', ''].join('\n');
  const of = (text: string) => lint(text, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'syntax');
  const crash = of(file('-Z X 1'));
  assert.deepEqual(crash.map((d) => [d.range.start.line, d.range.start.character, (d.data as { refusedBy?: string }).refusedBy]), [[3, 5, 'iptables-nft']]);
  assert.match(crash[0].message, /iptables-nft-restore crashes .*-Z X/);
  const past = of(file('-Z X 2'));
  assert.deepEqual(past.map((d) => (d.data as { refusedBy?: string }).refusedBy), ['iptables-legacy']);
  assert.deepEqual(of(file('-Z X')), []);
  const deleted = of(file('-D X 2'));
  assert.deepEqual(deleted.map((d) => [d.severity, d.range.start.line]), [['error', 3]]);
  assert.match(deleted[0].message, /X has 1 rule at this point; there is no rule 2 to delete/);
});

test('restore files of several sections: each section\'s chain lines stand for that section, and a rule the file later drops is still checked where it stands', () => {
  const of = (text: string) => lint(text, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error');
  // A built-in chain line in a later section does not take the chain away from the rules of an earlier one.
  assert.deepEqual(of(['*filter', '-P OUTPUT DROP', 'COMMIT', '*filter', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join('\n')), []);
  // A jump to a chain that never exists, in a section a later one replaces, or before a flush: iptables-restore stops there.
  const replaced = of(['*filter', ':Y - [0:0]', '-A Y -j NOPE', 'COMMIT', '*filter', 'COMMIT', ''].join('\n'));
  assert.deepEqual(replaced.map((d) => [d.code, d.range.start.line]), [['unknown-target', 2]]);
  // A rule in the wrong table removed before COMMIT: iptables-legacy checks it at COMMIT, so never; iptables-nft when
  // it sends the rule, which a flush naming the chain saves it from, and a flush of the whole table does not.
  assert.deepEqual(of(['*filter', '-A INPUT -j DNAT --to-destination 10.0.0.1', '-F INPUT', 'COMMIT', ''].join('\n')), []);
  const flushed = lint(['*filter', '-A INPUT -j DNAT --to-destination 10.0.0.1', '-F', 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'target-not-allowed');
  assert.deepEqual(flushed.map((d) => [d.severity, d.range.start.line, (d.data as { refusedBy?: string }).refusedBy]), [['warning', 1, 'iptables-nft']]);
  assert.match(flushed[0].message, /^The file removes the rule before COMMIT: The DNAT target/);
  // Loaded by a COMMIT before a later section replaced it: refused at that COMMIT.
  const committed = of(['*filter', '-A INPUT -j DNAT --to-destination 10.0.0.1', 'COMMIT', '*filter', 'COMMIT', ''].join('\n'));
  assert.deepEqual(committed.map((d) => [d.code, d.range.start.line]), [['target-not-allowed', 1]]);
  // A chain the rule jumped to when it was added, deleted since: nothing to say.
  assert.deepEqual(of(['*filter', ':X - [0:0]', '-A INPUT -j X', '-F INPUT', '-X X', 'COMMIT', ''].join('\n')), []);
});

test('where iptables-nft-restore parts from iptables-legacy-restore: -X of built-in chains, a chain line given twice, -R, -Z of a chain not made yet', () => {
  const of = (...l: string[]) => lint(['*filter', ...l, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
  const by = (d: { data?: unknown }) => (d.data as { refusedBy?: string } | undefined)?.refusedBy;
  // -X of an empty built-in chain: legacy refuses it, nft deletes it; with rules both refuse.
  const empty = of(':OUTPUT DROP [0:0]', '-X OUTPUT').filter((d) => d.code === 'invalid-chain-name');
  assert.deepEqual(empty.map((d) => [d.severity, by(d), d.range.start.line]), [['warning', 'iptables-legacy', 2]]);
  assert.match(empty[0].message, /iptables-nft-restore deletes it, and its policy with it/);
  assert.deepEqual(of(':OUTPUT DROP [0:0]', '-A OUTPUT -j ACCEPT', '-X OUTPUT').filter((d) => d.code === 'invalid-chain-name').map((d) => d.severity), ['error']);
  // -X alone takes the empty built-in chains with it under nft: a DROP policy is lost.
  const all = of(':INPUT DROP [0:0]', ':OUTPUT DROP [0:0]', '-A OUTPUT -j ACCEPT', '-X').filter((d) => d.code === 'invalid-chain-name');
  assert.deepEqual(all.map((d) => d.range.start.line), [4]);
  assert.match(all[0].message, /deletes the empty built-in chains: INPUT and its DROP policy are gone/);
  assert.deepEqual(of(':INPUT ACCEPT [0:0]', '-X').filter((d) => d.code === 'invalid-chain-name'), []);
  // A user chain's line given twice: legacy stops there; nft empties the chain, so a -X after it deletes it.
  const twice = of(':Y - [0:0]', '-A Y -j ACCEPT', ':Y - [0:0]', '-X Y');
  assert.deepEqual(twice.map((d) => [d.code, by(d), d.range.start.line]), [['duplicate-chain', 'iptables-legacy', 3]]);
  assert.match(twice[0].message, /iptables-nft-restore empties it here/);
  // -R of a rule that is there crashes iptables-nft-restore (1.8.9); past the end both refuse it.
  const replace = of(':X - [0:0]', '-A X -j ACCEPT', '-R X 1 -j DROP').filter((d) => d.code === 'syntax');
  assert.deepEqual(replace.map((d) => [by(d), d.range.start.line]), [['iptables-nft', 3]]);
  assert.match(replace[0].message, /crashes on -R/);
  assert.deepEqual(of(':X - [0:0]', '-R X 1 -j DROP').filter((d) => d.code === 'syntax').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  // -Z of a built-in chain nothing in the section has named yet: nft has not made it.
  const zero = of('-Z INPUT', ':INPUT ACCEPT [0:0]').filter((d) => d.code === 'undefined-chain');
  assert.deepEqual(zero.map((d) => [by(d), d.range.start.line]), [['iptables-nft', 1]]);
  assert.deepEqual(of(':INPUT ACCEPT [0:0]', '-Z INPUT'), []);
  assert.deepEqual(of('-F INPUT', '-Z INPUT'), []);
  // nft forgets the table's chains at every -X: declared above it or not, INPUT must be named again after it.
  const forgot = of(':INPUT ACCEPT [0:0]', ':X - [0:0]', '-X X', '-Z INPUT').filter((d) => d.code === 'undefined-chain');
  assert.deepEqual(forgot.map((d) => [by(d), d.range.start.line]), [['iptables-nft', 4]]);
  assert.match(forgot[0].message, /^No line since the -X on line 4 names INPUT \(iptables-nft-restore forgets the table's chains at every -X\)/);
  assert.deepEqual(of(':INPUT ACCEPT [0:0]', '-X', '-A INPUT -j ACCEPT', '-Z INPUT').filter((d) => d.code === 'undefined-chain'), []);
  assert.deepEqual(of(':INPUT ACCEPT [0:0]', '-X', '-X INPUT').filter((d) => d.code === 'invalid-chain-name').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  // A built-in chain that holds the rules a flush without a chain name kept for iptables-nft-restore is not empty there.
  assert.deepEqual(of('-A OUTPUT -j ACCEPT', '-F', '-X OUTPUT').filter((d) => d.code === 'invalid-chain-name').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  assert.deepEqual(of('-A OUTPUT -j ACCEPT', '-F OUTPUT', '-X OUTPUT').filter((d) => d.code === 'invalid-chain-name').map((d) => [d.severity, by(d)]), [['warning', 'iptables-legacy']]);
});

test('a circle of jumps past a rule that decides every packet: iptables-legacy never walks there, iptables-nft refuses it', () => {
  const of = (...l: string[]) => lint(['*filter', ':Y - [0:0]', ...l, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'jump-loop');
  const hidden = of('-A Y -j ACCEPT', '-A Y -g Y', '-A OUTPUT -g Y');
  assert.deepEqual(hidden.map((d) => [d.severity, (d.data as { refusedBy?: string }).refusedBy, d.range.start.line]), [['warning', 'iptables-nft', 3]]);
  // A condition on the rule before, or the circle before it: both refuse.
  assert.deepEqual(of('-A Y -p tcp -j ACCEPT', '-A Y -g Y', '-A OUTPUT -g Y').map((d) => d.severity), ['error']);
  assert.deepEqual(of('-A Y -g Y', '-A Y -j ACCEPT', '-A OUTPUT -g Y').map((d) => d.severity), ['error']);
});

test('the jumps a -F without a chain name leaves to iptables-nft-restore: with the rules after it they may close a circle it refuses', () => {
  const of = (...l: string[]) => lint(['*filter', ':Y - [0:0]', ...l, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'jump-loop');
  const by = (d: { data?: unknown }) => (d.data as { refusedBy?: string }).refusedBy;
  // Both jumps kept: the finding stands on the later one.
  const kept = of('-A INPUT -j Y', '-A Y -j Y', '-F');
  assert.deepEqual(kept.map((d) => [d.severity, by(d), d.range.start.line]), [['warning', 'iptables-nft', 3]]);
  assert.match(kept[0].message, /^iptables-nft-restore keeps the rules that a flush without a chain name empties for iptables-legacy-restore \(the rules on lines 3, 4\), and they still jump where they jumped: they make a circle of jumps \(Y -> Y\) that a built-in chain reaches/);
  // The way in kept, the circle closed after the flush: on the rule that closes it.
  const closed = of('-A INPUT -j Y', '-F', '-A Y -j Y');
  assert.deepEqual(closed.map((d) => [by(d), d.range.start.line]), [['iptables-nft', 4]]);
  assert.match(closed[0].message, /\(the rule on line 3\).*: with this rule they make a circle of jumps \(Y -> Y\)/);
  // Nothing reaches the circle, or a flush naming the chain takes the kept rules back, or the circle stands as the file
  // leaves it (one finding, for both backends).
  assert.deepEqual(of('-A Y -j Y', '-F'), []);
  assert.deepEqual(of('-A INPUT -j Y', '-A Y -j Y', '-F', '-F Y'), []);
  assert.deepEqual(of('-A INPUT -j Y', '-F', '-A INPUT -j Y', '-A Y -j Y').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  // The quick fix flushes the chains by name at the -F: the circle is gone for both backends.
  const text = ['*filter', ':Y - [0:0]', '-A INPUT -j Y', '-F', '-A Y -j Y', 'COMMIT', ''].join('\n');
  const r = lint(text, { fileName: 'rules.v4' });
  const fix = quickFixes(r, r.diagnostics.find((d) => d.code === 'jump-loop')!).find((f) => f.title === 'Flush INPUT by name')!;
  const fixed = applyEdits(text, fix.edits);
  assert.equal(fixed, ['*filter', ':Y - [0:0]', '-A INPUT -j Y', '-F INPUT', '-A Y -j Y', 'COMMIT', ''].join('\n'));
  assert.deepEqual(lint(fixed, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity !== 'info'), []);
});

test('the jumps a -F without a chain name leaves to iptables-nft-restore may lead a hook to a rule it does not allow there', () => {
  const of = (...l: string[]) => lint(['*nat', ':Y - [0:0]', ...l, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'target-not-allowed');
  const by = (d: { data?: unknown }) => (d.data as { refusedBy?: string }).refusedBy;
  const after = of('-A OUTPUT -j Y', '-F', '-A Y -j MASQUERADE');
  assert.deepEqual(after.map((d) => [d.severity, by(d), d.range.start.line]), [['warning', 'iptables-nft', 4]]);
  assert.match(after[0].message, /^The MASQUERADE target is only allowed in POSTROUTING, not in OUTPUT \(reached as OUTPUT -> Y\)\. Only iptables-nft-restore leads it there: it keeps the jump on line 3/);
  assert.deepEqual(after[0].related?.map((r) => r.range.start.line), [2]);
  assert.deepEqual(quickFixes(lint(['*nat', ':Y - [0:0]', '-A OUTPUT -j Y', '-F', '-A Y -j MASQUERADE', 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }), after[0]).map((f) => f.title).filter((t) => t.startsWith('Flush')), ['Flush OUTPUT by name']);
  // The rule itself kept, the way to it through another chain.
  assert.deepEqual(of('-N Z', '-A OUTPUT -j Z', '-A Z -j Y', '-A Y -j MASQUERADE', '-F').map((d) => [by(d), d.range.start.line]), [['iptables-nft', 5]]);
  // A hook that allows it, or a flush naming the chain that takes the jump back: nothing.
  assert.deepEqual(of('-A POSTROUTING -j Y', '-F', '-A Y -j MASQUERADE'), []);
  assert.deepEqual(of('-A OUTPUT -j Y', '-F', '-F OUTPUT', '-A Y -j MASQUERADE'), []);
});

test('in a script, the command refused for a circle of jumps is the one that closes it as the script runs', () => {
  const loops = (...lines: string[]) => lint(script(...lines), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'jump-loop');
  // The circle is made first and reached later: the jump that reaches it fails, and the same rule once more after it
  // (nothing reaches Y then) is taken.
  const reached = loops('-N Y', '-A Y -g Y', '-A OUTPUT -g Y', '-A Y -g Y');
  assert.deepEqual(reached.map((d) => [d.severity, d.range.start.line]), [['warning', 3]]);
  assert.match(reached[0].message, /^This rule leads into a circle of jumps \(Y -> Y\), which a built-in chain then reaches: iptables refuses it \("Too many levels of symbolic links"\)/);
  assert.match(loops('-N A', '-N B', '-A INPUT -j A', '-A A -j B', '-A B -j A')[0].message, /^This rule closes a circle of jumps \(B -> A -> B\) that a built-in chain reaches/);
  // Reached first, closed later: the closing jump fails.
  assert.deepEqual(loops('-N A', '-N B', '-A INPUT -j A', '-A A -j B', '-A B -j A').map((d) => d.range.start.line), [5]);
  // Only past an ACCEPT of every packet: iptables-nft's refusal alone.
  const hidden = loops('-A INPUT -j ACCEPT', '-N Y', '-A Y -j Y', '-A INPUT -j Y');
  assert.deepEqual(hidden.map((d) => [d.range.start.line, (d.data as { refusedBy?: string }).refusedBy]), [[4, 'iptables-nft']]);
});

test('a script\'s -X and -E of a built-in chain: the iptables-nft command takes them; -X counts only the rules a chain surely holds', () => {
  const of = (...lines: string[]) => lint(script(...lines), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'invalid-chain-name' || d.code === 'syntax');
  const by = (d: { data?: unknown }) => (d.data as { refusedBy?: string } | undefined)?.refusedBy;
  assert.deepEqual(of('-F OUTPUT', '-X OUTPUT').map((d) => [d.severity, by(d)]), [['warning', 'iptables-legacy']]);
  assert.deepEqual(of('-P OUTPUT DROP', '-X OUTPUT').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  assert.deepEqual(of('-A OUTPUT -j ACCEPT', '-X OUTPUT').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  const renamed = of('-E INPUT MYINPUT');
  assert.deepEqual(renamed.map((d) => [d.severity, by(d)]), [['warning', 'iptables-legacy']]);
  assert.match(renamed[0].message, /keeps filtering its packets under the new name/);
  assert.deepEqual(of('-N Y', '-E INPUT Y').map((d) => [d.severity, by(d)]), [['error', undefined]]);
  // A rule that jumps to a chain that does not exist is refused: it does not keep its chain from being deleted.
  assert.deepEqual(of('-N X', '-A X -j NOPE', '-X X'), []);
  // Nor does a rule a command that may not run added (after &&), nor a jump such a command added.
  const sh = (...lines: string[]) => lint(['#!/bin/sh', ...lines, ''].join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'syntax');
  assert.deepEqual(sh('iptables -N X', '[ -f /etc/x ] && iptables -A X -j ACCEPT', 'iptables -X X'), []);
  assert.deepEqual(sh('iptables -N X', '[ -f /etc/x ] && iptables -A INPUT -j X', 'iptables -X X'), []);
  assert.equal(sh('iptables -N X', 'iptables -A INPUT -j X', 'iptables -X X').length, 1);
  assert.equal(of('-N X', '-N Y', '-A X -j Y', '-A X -j ACCEPT', '-F Y', '-X X').length, 1);
  // Nor does a rule whose target the kernel refuses in that table, or in that built-in chain.
  const nat = (...lines: string[]) => of(...lines).filter((d) => /-X is for user chains|built-in chain;/.test(d.message));
  assert.deepEqual(nat('-t raw -A OUTPUT -j REJECT', '-t raw -X OUTPUT').map((d) => [d.severity, by(d)]), [['warning', 'iptables-legacy']]);
  assert.deepEqual(nat('-t nat -A INPUT -j REDIRECT', '-t nat -X INPUT').map((d) => [d.severity, by(d)]), [['warning', 'iptables-legacy']]);
  assert.deepEqual(nat('-t nat -A OUTPUT -j REDIRECT', '-t nat -X OUTPUT').map((d) => [d.severity, by(d)]), [['error', undefined]]);
});

test('a restore file holds a rule the kernel refuses until COMMIT: a -X of its chain fails unless a flush naming the chain came first', () => {
  const syntax = (...lines: string[]) => lint(['*filter', ':Y - [0:0]', ...lines, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' }).diagnostics
    .filter((d) => d.code === 'syntax').map((d) => d.message);
  assert.equal(syntax('-A Y -j REDIRECT', '-X Y').filter((m) => /still holds 1 rule/.test(m)).length, 1);
  assert.deepEqual(syntax('-A Y -j REDIRECT', '-F Y', '-X Y'), []);
});

test('a script\'s command iptables refuses adds no rule: the rule numbers, -D and -X after it count without it', () => {
  const found = (...lines: string[]) => lint(script(...lines), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.severity !== 'info').map((d) => [d.code, d.range.start.line]);
  // MASQUERADE is refused in filter: INPUT holds one rule, so there is no rule 2 to delete.
  assert.deepEqual(found('-F INPUT', '-A INPUT -j MASQUERADE', '-A INPUT -j ACCEPT', '-D INPUT 2', '-D INPUT 1'), [['target-not-allowed', 2], ['syntax', 4]]);
  const r = lint(script('-F INPUT', '-A INPUT -m owner --uid-owner 0 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-I INPUT 3 -j DROP'), { fileName: 'fw.sh' });
  assert.match(r.diagnostics.find((d) => d.code === 'syntax')!.message, /^INPUT has 1 rule at this point: a rule can be inserted at positions 1 to 2, not 3/);
  assert.deepEqual(r.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine), [3]);
  // A -D of the refused rule finds nothing to delete; a -X of a chain only refused rules went to is taken.
  assert.deepEqual(found('-F OUTPUT', '-A OUTPUT -i eth0 -j ACCEPT', '-D OUTPUT -i eth0 -j ACCEPT'), [['interface-direction', 2], ['syntax', 3]]);
  assert.deepEqual(found('-N X', '-A X -j MASQUERADE', '-X X'), [['target-not-allowed', 2]]);
  // A chain only refused commands jump to is never jumped to, and says why.
  const unused = lint(script('-N X', '-A X -j ACCEPT', '-A INPUT -m recent --name x -j X'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unused-chain');
  assert.deepEqual(unused.map((d) => d.message), ['Chain X is never jumped to (iptables refuses the jump to it: the rule on line 4): none of its 1 rule ever sees a packet.']);
  // A here-document's restore file is refused whole: its rules stay in their places.
  const heredoc = lint(['#!/bin/sh', 'iptables-restore <<EOF', '*filter', '-A INPUT -o eth0 -j ACCEPT', '-A INPUT -j DROP', 'COMMIT', 'EOF', ''].join('\n'), { fileName: 'fw.sh' });
  assert.deepEqual(heredoc.state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine), [3, 4]);
});
