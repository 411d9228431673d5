/**
 * The values a script's variables have where iptables is run, held to bash: random scripts of assignments, uses
 * (quoted or not, alone or inside a word) and iptables commands are run by bash with an `iptables` on the PATH that
 * prints the words it is given. Every word the parser reads as known text must be the word bash passed, and a
 * command whose words are all known has as many words as bash passed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { Token } from '../../server/src/engine/lexer';
import { requirement } from '../helpers/env';

const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

const NAMES = ['A', 'B', 'WAN', 'PORT'];
/** Values as a script writes them after `=`: plain, quoted, with blanks, with an expansion of another variable. */
const VALUES = ['eth0', '22', '10.0.0.0/8', '"a b"', "'c d'", '"$A"', '$B', '"${WAN}x"', 'x$A', '""', '"22:80"', "'$A'", '\\$A', '"a\\"b"'];
/** Words of an iptables command: options, and uses of the variables. */
const WORDS = ['-A', 'INPUT', '-s', '$A', '"$A"', '${B}', '"${WAN}"', '$PORT/24', '"$A $B"', "'$A'", '-j', 'ACCEPT', 'x$WAN', '"$PORT"x', '\\$A', '$A$B',
  '${A[@]}', '"${A[@]}"', '${B[*]}', '"${B[*]}"', '${A[0]}', '"${B[1]}"', 'x${WAN[2]}', '"${A[@]}x"', '${PORT[1]}/24'];
/** Bash arrays: their items (each plain, quoted, with blanks, an expansion, braces), and assignments to one item or appended ones. */
const ITEMS = ['22', 'eth0', '"a b"', "'c d'", '10.0.0.1', '$A', '"$B"', '{80,443}', '""', 'x'];
const arrays = fc.record({ name: fc.constantFrom(...NAMES), items: fc.array(fc.constantFrom(...ITEMS), { maxLength: 3 }), how: fc.constantFrom('=', '=', '=', '+=', '[1]=') })
  .map(({ name, items, how }) => (how === '[1]=' ? `${name}[1]=${items[0] ?? 'y'}` : `${name}${how}(${items.join(' ')})`));

const LOOP_VALUES = ['22', '80', 'eth0', '"a b"', 'x', '10.0.0.1', "'$A'", '$A', '"$B"', '{80,443}', '{1..3}', 'a{b,c}', '{x}', '{3..1}', '{a..c}', '{1..5..2}', '{,x}', '"{1,2}"',
  '"${A[@]}"', '${B[@]}', '"${A[*]}"', '${WAN[1]}'];
const LOOP_WORDS = [...WORDS, '$v', '"$v"', '${v}/24', '-A $v', '-j $v'];
/** A loop on one line over a list of values, its body one iptables command. */
const loop = fc.record({ values: fc.array(fc.constantFrom(...LOOP_VALUES), { minLength: 1, maxLength: 3 }), body: fc.array(fc.constantFrom(...LOOP_WORDS), { minLength: 1, maxLength: 5 }) })
  .map(({ values, body }) => `for v in ${values.join(' ')}; do iptables ${body.join(' ')}; done`);

const statement = fc.oneof(
  fc.record({ name: fc.constantFrom(...NAMES), value: fc.constantFrom(...VALUES), how: fc.constantFrom('', '', '', 'export ', 'local-prefix') })
    .map(({ name, value, how }) => (how === 'local-prefix' ? `${name}=${value} true` : `${how}${name}=${value}`)),
  fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((ws) => `iptables ${ws.join(' ')}`),
  arrays,
);

/** Runs the script with bash, each line marked (`echo @n;` before it): the words of each iptables run, by line. */
function runsByLine(dir: string, lines: string[]): Map<number, string[][]> {
  const fake = path.join(dir, 'iptables');
  writeFileSync(fake, "#!/bin/sh\nprintf '[%s]' \"$@\"\necho\n");
  chmodSync(fake, 0o755);
  const file = path.join(dir, 'fw.sh');
  writeFileSync(file, `${lines.map((l, n) => `echo @${n}; ${l}`).join('\n')}\n`);
  const out = spawnSync('bash', [file], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}` } }).stdout;
  const runs = new Map<number, string[][]>();
  let line = -1;
  for (const l of out.split('\n').slice(0, -1)) {
    if (l.startsWith('@')) runs.set((line = Number(l.slice(1))), []);
    else runs.get(line)!.push((l.match(/\[[^\]]*\]/g) ?? []).map((w) => w.slice(1, -1)));
  }
  return runs;
}

/** Known words line up with bash's up to the first unknown one (which may stand for any number of words). */
function agrees(words: readonly Token[], passed: string[] | undefined, said: string): void {
  assert.ok(passed, said);
  if (words.every((t) => !t.dynamic)) assert.equal(words.length, passed.length, said);
  for (let k = 0; k < words.length && !words[k].dynamic; k++) assert.equal(words[k].value, passed[k], said);
}

const shown = (words: readonly Token[]) => JSON.stringify(words.map((t) => (t.dynamic ? '?' : t.value)));

/** Every iptables command of the script, and every pass of a loop's, as the parser reads it, against bash's runs. */
function agreesWithBash(dir: string, lines: string[]): number {
  const script = `${lines.join('\n')}\n`;
  const runs = runsByLine(dir, lines);
  const r = lint(script, { fileName: 'fw.sh' });
  let looped = 0;
  for (const c of r.ruleset.commands) {
    const passed = runs.get(c.startLine) ?? [];
    const info = r.ruleset.loops?.get(c);
    if (!info) {
      // Not read as a loop's: run once, or in a loop whose values are not known (any number of times, with the same
      // known words every time).
      if (!lines[c.startLine].startsWith('for ')) assert.equal(passed.length, 1, `${script}\nline ${c.startLine + 1} ran ${passed.length} times`);
      for (const p of passed) agrees(c.tokens, p, `${script}\nline ${c.startLine + 1}: parsed ${shown(c.tokens)}, bash gave ${JSON.stringify(p)}`);
      continue;
    }
    // A loop's command: each value's variant against the run for that value.
    assert.equal(passed.length, info.values.length, `${script}\nline ${c.startLine + 1}: values ${JSON.stringify(info.values)}, bash ran ${passed.length} times`);
    info.variants.forEach((v, k) => {
      const at = info.valueAt[k];
      agrees(v.tokens, passed[at], `${script}\nline ${c.startLine + 1}, $v = ${info.values[at]}: parsed ${shown(v.tokens)}, bash gave ${JSON.stringify(passed[at])}`);
    });
    looped++;
  }
  return looped;
}

test('the words a script passes to iptables, where the parser knows them, are the words bash passes', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-values-'));
  // For bash (which expands braces) or for no shell in particular (the parser then leaves braces unknown).
  fc.assert(fc.property(fc.constantFrom('#!/bin/bash', '#'), fc.array(fc.oneof(statement, statement, loop), { minLength: 1, maxLength: 8 }), (shell, rest) => {
    agreesWithBash(dir, [shell, ...rest]);
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 13 });
});

test('an array\'s items, where the parser knows them, are the words bash passes: alone, inside a word, one by its index, looped over', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-arrays-'));
  const plainItems = fc.array(fc.constantFrom('22', 'eth0', '"a b"', "'c d'", '10.0.0.1', '""', 'x y'), { maxLength: 4 });
  const uses = fc.array(fc.constantFrom('-s', '${A[@]}', '"${A[@]}"', '${A[*]}', '"${A[*]}"', '${A[0]}', '"${A[1]}"', '${A[3]}', '$A', '"$A"', 'x${A[2]}', '"${A[@]}"x', '${A[1]}/24'), { minLength: 1, maxLength: 4 });
  const over = fc.constantFrom('"${A[@]}"', '${A[@]}', '"${A[*]}"', '${A[*]}', '${A[1]}', '"${A[@]}" 9');
  let looped = 0;
  fc.assert(fc.property(plainItems, uses, over, uses, (items, used, list, body) => {
    looped += agreesWithBash(dir, ['#!/bin/bash', `A=(${items.join(' ')})`, `iptables -A INPUT ${used.join(' ')}`, `for v in ${list}; do iptables -A $v ${body.join(' ')}; done`]);
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 29 });
  // The arrays are plain: their loops are read, value by value, in most runs.
  assert.ok(looped > Number(process.env.PROPERTY_RUNS ?? 200) / 2, `only ${looped} loops over an array were read`);
});

/** Arguments of a call: mostly plain ones (a run of such calls is read as a loop), some the shell splits or drops. */
const ARG = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('22', '80', 'eth0', '22 80', 'eth0 eth1', '1 2 3') }, { weight: 1, arbitrary: fc.constantFrom('"a b"', '""', '$A', '"$A"', "'x y'", '1 "2 3"', '') });
/** A use of a positional parameter, put among the body's words. */
const POSITIONAL = fc.constantFrom('$1', '"$1"', '${1}', '-A $1', '-j $1', '$2', '"$2"', '-s $2', '"$@"', '$1 $2');
/** A use of a parameter by the name the body gives it (see NAMING). */
const NAMED = fc.constantFrom('$a', '"$a"', '${b}', '-s $b', '"$a"x', '$a $b', '-j $a');
/** Names given to the parameters at the top of the body (`local a=$1`), some of them set again or read into first. */
const NAMING = fc.constantFrom('', '', 'local a=$1; ', 'a="$1"; b=${2}; ', 'local a=$1 b=$2; ', 'local a=$1; a=9; ', 'read a < /dev/null; local a=$1; ', 'local a=$1 b=$1; ', ': x; local b="$2"; ', 'local a=$1; ((a++)); ', 'local a=$1; let a+=1; ');

test('the words a function passes to iptables, for each call, where the parser knows them, are the words bash passes', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-calls-'));
  // Most bodies a rule (`-A INPUT` first), whose words the parser reads.
  const body = fc.tuple(NAMING, fc.constantFrom('-A INPUT ', '-A INPUT ', ''), fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }), fc.oneof(POSITIONAL, NAMED, fc.constant('"$@"')), fc.nat())
    .map(([naming, rule, ws, use, at]) => `f() { ${naming}iptables ${rule}${[...ws.slice(0, at % (ws.length + 1)), use, ...ws.slice(at % (ws.length + 1))].join(' ')}; }`);
  const call = ARG.map((a) => `f ${a}`.trimEnd());
  // Statements, a run of calls (which the parser may read as a loop over their arguments), statements, calls.
  const others = fc.tuple(fc.array(statement, { maxLength: 3 }), fc.array(call, { minLength: 1, maxLength: 4 }), fc.array(fc.oneof(statement, call), { maxLength: 3 }))
    .map(([before, calls, after]) => [...before, ...calls, ...after]);
  let named = 0;
  let forwarded = 0;
  fc.assert(fc.property(body, others, (definition, rest) => {
    const lines = [definition, ...rest];
    const script = `${lines.join('\n')}\n`;
    const runs = runsByLine(dir, lines);
    // The function's runs, call by call, in the order the script makes them.
    const called = rest.flatMap((l, n) => (l === 'f' || l.startsWith('f ') ? runs.get(n + 1) ?? [] : []));
    const r = lint(script, { fileName: 'fw.sh' });
    for (const c of r.ruleset.commands) {
      const info = r.ruleset.loops?.get(c);
      const passed = c.startLine === 0 ? called : runs.get(c.startLine) ?? [];
      if (!info) {
        for (const p of passed) agrees(c.tokens, p, `${script}\nline ${c.startLine + 1}: parsed ${shown(c.tokens)}, bash gave ${JSON.stringify(p)}`);
        continue;
      }
      assert.equal(passed.length, info.values.length, `${script}\nline ${c.startLine + 1}: values ${JSON.stringify(info.values)}, bash ran ${passed.length} times`);
      info.variants.forEach((v, k) => {
        const at = info.valueAt[k];
        agrees(v.tokens, passed[at], `${script}\nline ${c.startLine + 1}, call ${at + 1} (${info.values[at]}): parsed ${shown(v.tokens)}, bash gave ${JSON.stringify(passed[at])}`);
      });
      if (/^[a-z]/.test(info.name)) named++;
      if (info.name === '@') forwarded++;
    }
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 17 });
  // Bodies that read their parameters by the names they give them (`local a=$1`) are read call by call too.
  assert.ok(named >= Number(process.env.PROPERTY_RUNS ?? 200) / 40, `only ${named} calls read a parameter by its name`);
  // And bodies that pass their arguments on whole (`iptables "$@"`).
  assert.ok(forwarded >= Number(process.env.PROPERTY_RUNS ?? 200) / 40, `only ${forwarded} calls passed on whole`);
});

test('the words of a function run from other functions, where the parser knows them, are the words bash passes on every run', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-nested-'));
  let knownInBody = 0;
  // f runs iptables; g calls f, h calls g (`main() { setup; }`): the calls of each come among the assignments.
  const definitions = ['', 'g() { f; }', 'h() { true; g; }'];
  const body = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }).map((ws) => `f() { iptables ${ws.join(' ')}; }`);
  // Settings first (some of them), then assignments, commands and calls in any order.
  const rest = fc.tuple(fc.subarray(['A=eth0', 'B=22', 'WAN=eth1', 'PORT=10.0.0.0']), fc.array(fc.oneof(statement, fc.constantFrom('f', 'g', 'h', 'h', 'g')), { minLength: 1, maxLength: 8 }))
    .map(([settings, more]) => [...settings, ...more]);
  fc.assert(fc.property(body, rest, (definition, others) => {
    const lines = [definition, ...definitions.slice(1), ...others];
    const script = `${lines.join('\n')}\n`;
    const runs = runsByLine(dir, lines);
    // Every run of f's body, whichever call made it.
    const bodyRuns = others.flatMap((l, n) => (/^[fgh]$/.test(l) ? runs.get(n + definitions.length) ?? [] : []));
    const r = lint(script, { fileName: 'fw.sh' });
    for (const c of r.ruleset.commands) {
      const passed = c.startLine === 0 ? bodyRuns : runs.get(c.startLine) ?? [];
      for (const p of passed) agrees(c.tokens, p, `${script}\nline ${c.startLine + 1}: parsed ${shown(c.tokens)}, bash gave ${JSON.stringify(p)}`);
    }
    // (The body's variables read as known values, where the functions run only after their assignments.)
    const f = r.ruleset.commands.find((c) => c.startLine === 0);
    if (f?.tokens.some((t) => t.raw.includes('$') && !t.raw.includes("'") && !t.raw.includes('\\') && !t.dynamic)) knownInBody++;
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 19 });
  assert.ok(knownInBody > 0, 'no generated script had a variable of the body read as known');
});

/** A line of a restore file as iptables-restore splits it: at blanks, double quotes grouping (and taken away). */
function restoreWords(line: string): string[] {
  return (line.match(/(?:"[^"]*"|[^\s"])+/g) ?? []).map((w) => w.replace(/"/g, ''));
}

test('the words of a here-document\'s rules, where the parser knows them, are those iptables-restore gets once bash has expanded the body', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-heredoc-'));
  const fake = path.join(dir, 'iptables-restore');
  writeFileSync(fake, '#!/bin/sh\ncat\n');
  chmodSync(fake, 0o755);
  const file = path.join(dir, 'fw.sh');
  const assignments = fc.array(statement.filter((l) => !l.startsWith('iptables')), { maxLength: 5 });
  const rule = fc.array(fc.constantFrom('-s', '$A', '${B}', '"$A"', '"x $WAN"', '$PORT/24', 'x$WAN', '-j', 'ACCEPT', "'$A'"), { minLength: 1, maxLength: 5 }).map((ws) => `-A INPUT ${ws.join(' ')}`);
  fc.assert(fc.property(assignments, fc.array(rule, { minLength: 1, maxLength: 3 }), (before, rules) => {
    const lines = [...before, 'iptables-restore <<EOF', '*filter', ...rules, 'COMMIT', 'EOF'];
    const script = `${lines.join('\n')}\n`;
    writeFileSync(file, script);
    const out = spawnSync('bash', [file], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}` } }).stdout.split('\n');
    const first = before.length + 2;
    for (const c of lint(script, { fileName: 'fw.sh' }).ruleset.commands) {
      const passed = restoreWords(out[c.startLine - first + 1]);
      agrees(c.tokens, passed, `${script}\nline ${c.startLine + 1}: parsed ${shown(c.tokens)}, iptables-restore gets ${JSON.stringify(passed)}`);
    }
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 19 });
});

test('dash ends a script at an array assignment, where bash runs on, as sh-array says', { skip: requirement(hasBash && spawnSync('dash', ['-c', 'true']).status === 0, 'dash and bash are not both installed') }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shell-sh-array-'));
  const lines = ['#!/bin/sh', 'iptables -P INPUT DROP', 'ADMINS=(203.0.113.7 198.51.100.20)', 'for ip in "${ADMINS[@]}"; do iptables -A INPUT -s "$ip" -j ACCEPT; done'];
  const ran = (shell: string) => {
    const fake = path.join(dir, 'iptables');
    writeFileSync(fake, "#!/bin/sh\nprintf '[%s]' \"$@\"\necho\n");
    chmodSync(fake, 0o755);
    const file = path.join(dir, 'fw.sh');
    writeFileSync(file, `${lines.join('\n')}\n`);
    return spawnSync(shell, [file], { encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}` } });
  };
  const dash = ran('dash');
  assert.equal(dash.stdout, '[-P][INPUT][DROP]\n');
  assert.match(dash.stderr, /Syntax error: "\(" unexpected/);
  assert.equal(ran('bash').stdout, '[-P][INPUT][DROP]\n[-A][INPUT][-s][203.0.113.7][-j][ACCEPT]\n[-A][INPUT][-s][198.51.100.20][-j][ACCEPT]\n');
  const r = lint(`${lines.join('\n')}\n`, { fileName: 'fw.sh' });
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'sh-array').map((d) => d.range.start.line), [2]);
  // The rules are read as bash runs them.
  assert.deepEqual([...r.ruleset.loops!.values()][0].values, ['203.0.113.7', '198.51.100.20']);
});
