/**
 * A parsed command packs its words (see parse/words.ts) and makes Tokens again only when asked. Whatever was asked,
 * and in whatever order, the words must read back as the lexer read them: the same text, raw text, ranges, quoting
 * and shell expansions; the same word must be the same Token every time; and the values read without making Tokens
 * must agree with the Tokens.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { lexRestoreLine, Token } from '../../server/src/engine/lexer';
import { hasSpan, lexTemplateLine } from '../../server/src/engine/parse/template';
import { Command } from '../../server/src/engine/model';
import { commandOnLine } from '../../server/src/engine/locate';

const ROOT = path.resolve(__dirname, '..', '..');

function view(t: Token | undefined): unknown {
  return t && { value: t.value, raw: t.raw, range: t.range, quoted: t.quoted, dynamic: t.dynamic };
}

/** Every Token-valued part of a command, asked for in the order given. */
function parts(c: Command): Array<Token | undefined> {
  const out: Array<Token | undefined> = [c.commandToken, c.chain, c.rulenum, c.extra, c.counters, c.tableToken, c.protocol?.token, c.target?.token];
  for (const o of c.options) out.push(o.nameToken, o.negToken, ...o.args);
  for (const m of c.matches) out.push(m.token);
  return out;
}

function checkCommand(c: Command, lexed: Token[] | undefined): void {
  // Values read without Tokens first, so that nothing has been made yet.
  const before = { chain: c.chainRange, command: c.commandRange, values: c.options.map((o) => [o.nameText, ...o.values]), parts: [c.partText('counters'), c.partText('rulenum'), c.partText('extra')], quoted: c.hasQuotedWord, target: c.target?.range };
  for (const o of c.options) {
    assert.equal(o.argValue, o.arg?.value);
    assert.equal(o.argDynamic, o.arg?.dynamic ?? false);
    assert.equal(o.valueCount, o.args.length);
  }
  assert.deepEqual(before.values, c.options.map((o) => [o.nameToken.value, ...o.args.map((a) => a.value)]));
  assert.deepEqual(before.chain, c.chain?.range);
  assert.deepEqual(before.command, c.commandToken.range);
  assert.deepEqual(before.parts, [c.counters?.value, c.rulenum?.value, c.extra?.value]);
  assert.equal(before.quoted, c.tokens.some((t) => t.quoted));
  assert.equal(c.chainName, c.chain?.value);
  assert.equal(c.chainDynamic, c.chain?.dynamic ?? false);
  assert.equal(c.target?.dynamic, c.target?.token.dynamic);
  assert.deepEqual(before.target, c.target?.token.range);
  const first = parts(c);
  const again = parts(c);
  first.forEach((t, k) => assert.equal(t, again[k], 'the same word is the same Token'));
  const tokens = c.tokens;
  for (const t of first) if (t && t !== c.counters) assert.ok(tokens.includes(t) || !lexed, `${t.value} is one of the command's words`);
  if (lexed) assert.deepEqual(tokens.map(view), lexed.map(view));
  const start = (c.counters ?? tokens[0]).range.start;
  assert.deepEqual(c.range, { start, end: tokens[tokens.length - 1].range.end });
  assert.equal(c.startLine, start.line);
  assert.equal(c.endLine, tokens[tokens.length - 1].range.end.line);
}

test('packed words read back as the lexer read them, in restore files of the corpus', (t) => {
  const corpus = path.resolve(ROOT, '..', 'shared', 'corpus', 'save');
  let files: string[] = [];
  try {
    files = readdirSync(corpus).map((f: string) => path.join(corpus, f));
  } catch {
    if (process.env.CI === 'true') throw new Error(`the corpus is missing at ${corpus}`);
    t.skip(`skipped: no corpus at ${corpus}`);
    return;
  }
  let commands = 0;
  for (const file of files.slice(0, 40)) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    for (const c of lint(text, { fileName: file }).ruleset.commands) {
      const line = lines[c.startLine].replace(/\r$/, '');
      // A template's lines with template syntax are read with its spans as parts of words.
      let lexed = (hasSpan(text) && line.includes('{') ? lexTemplateLine(line, c.startLine, 0, line.length, 0, []) : lexRestoreLine(line, c.startLine)).tokens;
      if (c.counters) lexed = lexed.slice(1);
      checkCommand(c, lexed);
      commands++;
    }
  }
  assert.ok(commands > 1000, `${commands} commands checked`);
});

test('packed words: quotes, --name=value, bundled flags, shell words over several lines, counters', () => {
  const restore = [
    '*filter', ':INPUT DROP [0:0]',
    '[5:300] -A INPUT -s 10.0.0.0/8 -m comment --comment "two words" -j ACCEPT',
    '-A INPUT -p tcp --dport=22 ! --syn -m tcp --tcp-flags SYN,ACK SYN -j DROP',
    'COMMIT', '',
  ].join('\n');
  const lines = restore.split('\n');
  const [commented, flags] = lint(restore, { fileName: 'x.rules' }).ruleset.commands;
  checkCommand(commented, lexRestoreLine(lines[2], 2).tokens.slice(1));
  checkCommand(flags, undefined);
  const comment = commented.matches[0].options[0];
  assert.equal(comment.argValue, 'two words');
  assert.deepEqual(view(comment.arg), { value: 'two words', raw: '"two words"', range: { start: { line: 2, character: 52 }, end: { line: 2, character: 63 } }, quoted: true, dynamic: false });
  const script = [
    '#!/bin/sh', 'IPT=/sbin/iptables',
    '$IPT -A INPUT \\', '  -s "$NET" -p tcp \\', '  --dport 22 -j ACCEPT',
    'iptables -nvL INPUT', 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE', '',
  ].join('\n');
  const cmds = lint(script, { fileName: 'x.sh' }).ruleset.commands;
  assert.equal(cmds.length, 3);
  for (const c of cmds) checkCommand(c, undefined);
  const [multi] = cmds;
  assert.equal(multi.startLine, 2);
  assert.equal(multi.endLine, 4);
  assert.equal(multi.options.find((o) => o.spec.short === '-s')?.argDynamic, true);
  assert.equal(multi.options.find((o) => o.spec.short === '-s')?.arg?.range.start.line, 3);
});

test('commandOnLine finds by halving what a search of every command finds, on every line of the corpus', (t) => {
  const dirs = ['save', 'scripts'].map((d) => path.resolve(ROOT, '..', 'shared', 'corpus', d));
  let lines = 0;
  for (const dir of dirs) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).map((f) => path.join(dir, f));
    } catch {
      if (process.env.CI === 'true') throw new Error(`the corpus is missing at ${dir}`);
      t.skip(`skipped: no corpus at ${dir}`);
      return;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const rs = lint(text, { fileName: file }).ruleset;
      const count = text.split('\n').length;
      for (let l = 0; l < count; l++, lines++) assert.equal(commandOnLine(rs, l), rs.commands.find((c) => c.startLine <= l && c.endLine >= l), `${file}:${l + 1}`);
    }
  }
  assert.ok(lines > 10000, `${lines} lines checked`);
});

test('packed options: the old `--opt ! value` form, a command too long for the packed places, and each option\'s module', () => {
  const oldNeg = lint('*filter\n-A INPUT -p tcp --dport ! 22 -j DROP\nCOMMIT\n', { fileName: 'x.rules' }).ruleset.commands[0];
  checkCommand(oldNeg, undefined);
  const dport = oldNeg.options.find((o) => o.nameText === '--dport')!;
  assert.equal(dport.negToken?.range.start.character, 24);
  assert.equal(dport.argValue, '22');
  // Past word 32,767 the places of an option no longer fit two small integers; its words are then kept as a list.
  const many = Array.from({ length: 9000 }, (_, k) => `-m comment --comment c${k}`).join(' ');
  const long = lint(`*filter\n-A INPUT ${many} -p tcp ! --dport 22 -m tcp --tcp-flags SYN,ACK SYN -j DROP\nCOMMIT\n`, { fileName: 'x.rules' }).ruleset.commands[0];
  checkCommand(long, lexRestoreLine(`-A INPUT ${many} -p tcp ! --dport 22 -m tcp --tcp-flags SYN,ACK SYN -j DROP`, 1).tokens);
  const last = long.options[long.options.length - 2];
  assert.equal(long.options.length, 2 * 9000 + 5);
  assert.deepEqual([last.nameText, ...last.values], ['--tcp-flags', 'SYN,ACK', 'SYN']);
  assert.equal(long.options.find((o) => o.nameText === '--dport')?.negated, true);
  assert.equal(long.options[2 * 8999 + 1].argValue, 'c8999');
  // Options that tcp shares with sctp, and udp with dccp, belong to the module the rule loaded.
  const rules = lint('*filter\n-A INPUT -p sctp --dport 1 -j DROP\n-A INPUT -p udp --dport 2 -j DROP\n-A INPUT -p dccp -m dccp --sport 3 -j DROP\n-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n', { fileName: 'x.rules' }).ruleset.commands;
  assert.deepEqual(rules.map((c) => c.options.map((o) => o.owner?.name ?? '-').join(' ')), ['- sctp -', '- udp -', '- - dccp -', '- -']);
});

test('packed words: columns worked out from word lengths hold with odd spacing, quotes late in a rule and shell words between', () => {
  const comments = Array.from({ length: 16 }, (_, k) => `-m comment --comment "c ${k}"`).join(' ');
  const lines = [
    '*filter',
    '-A INPUT  -s 10.0.0.1\t-p tcp   --dport 22 -m comment --comment "a b" -j ACCEPT',
    `-A INPUT ${comments} -j DROP`,
    '-A INPUT -m comment --comment "x"y -m comment --comment "" -j DROP',
    'COMMIT', '',
  ];
  const rs = lint(lines.join('\n'), { fileName: 'x.rules' }).ruleset;
  for (const c of rs.commands) checkCommand(c, lexRestoreLine(lines[c.startLine], c.startLine).tokens);
  const script = ['IPT=iptables', '$IPT -A INPUT -s $NET -p tcp --dport 22 -m comment --comment "ok $X" -j ACCEPT', 'iptables -A INPUT ${A}x -j DROP', ''].join('\n');
  for (const c of lint(script, { fileName: 'x.sh' }).ruleset.commands) checkCommand(c, undefined);
  assert.equal(rs.commands.length, 3);
});

test('packed command parts: far into a long rule, with counters, and the family a script command names', () => {
  const before = Array.from({ length: 25 }, (_, k) => `-m comment --comment c${k}`).join(' ');
  const line = `[1:2] ${before} -I INPUT 3 -j DROP`;
  const text = ['*filter', line, '[3:4] -A INPUT -j ACCEPT', 'COMMIT', ''].join('\n');
  const [far, near] = lint(text, { fileName: 'x.rules' }).ruleset.commands;
  checkCommand(far, lexRestoreLine(line, 1).tokens.slice(1));
  assert.deepEqual([far.commandToken.value, far.chain?.value, far.rulenum?.value, far.counters?.value, far.partText('counters')], ['-I', 'INPUT', '3', '[1:2]', '[1:2]']);
  assert.equal(far.commandToken.range.start.character, line.indexOf('-I'));
  assert.deepEqual([near.commandToken.value, near.chainName, near.counters?.range.start.character, near.range.start.character], ['-A', 'INPUT', 0, 0]);
  const script = lint('ip6tables -t mangle -A PREROUTING -j ACCEPT\niptables -A INPUT -j DROP\n', { fileName: 'x.sh' }).ruleset.commands;
  assert.deepEqual(script.map((c) => [c.commandFamily, c.tableToken?.value, c.broken, c.dynamic]), [[6, 'mangle', false, false], [4, undefined, false, false]]);
});

test('packed words read back as the lexer read them, for random rule lines (spacing, quotes, counters, --name=value, negations)', () => {
  const word = fc.constantFrom(
    '-p', 'tcp', '--dport', '22', '--dport=80', '-s', '10.0.0.1/32', '!', '-m', 'comment', '--comment', '"a b"', '""', '"x"y',
    '-m', 'tcp', '--tcp-flags', 'SYN,ACK', 'SYN', '-j', 'DROP', 'ACCEPT', '-i', 'eth+', '--state', 'NEW', 'state', 'multiport',
    '--dports', '1,2:3', '-g', 'X', '--syn', '-4', 'bogus', '"un', '--sport', '1:2', 'conntrack', '--ctstate', '-d', '::1',
  );
  const gap = fc.constantFrom(' ', ' ', ' ', '  ', '\t', ' \t ');
  const line = fc.tuple(
    fc.boolean(), fc.constantFrom('-A INPUT', '-I INPUT 1', '-A  INPUT', '-R INPUT 1', '-D INPUT'), fc.array(fc.tuple(gap, word), { maxLength: 40 }),
  ).map(([counters, cmd, rest]) => `${counters ? '[1:2] ' : ''}${cmd}${rest.map(([g, w]) => g + w).join('')}`);
  let checked = 0;
  fc.assert(fc.property(line, (l) => {
    const rs = lint(`*filter\n${l}\nCOMMIT\n`, { fileName: 'x.rules' }).ruleset;
    for (const c of rs.commands) {
      let lexed = lexRestoreLine(l, 1).tokens;
      if (c.counters) lexed = lexed.slice(1);
      // A `--name=value` word is split in two by the parser: compared with the lexer's words, it is one.
      checkCommand(c, l.includes('=') ? undefined : lexed);
      checked++;
    }
  }), { numRuns: 600, seed: 7 });
  assert.ok(checked > 300, `${checked} commands checked`);
});
