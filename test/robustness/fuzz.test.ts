/**
 * Fuzzing the engine: random text, word soup, and mutations of real rulesets. The engine never throws, every
 * diagnostic lies inside the document, and a 1,000-line document is analysed within a second.
 * FUZZ_RUNS sets the number of cases (CI runs a bounded number).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { lint, LintOptions } from '../../server/src/engine/lint';
import { AnalysisMemo } from '../../server/src/engine/memo';
import { formatEdits, applyEdits } from '../../server/src/engine/format';
import { locate } from '../../server/src/engine/locate';
import { tracePacket, packetFrom } from '../../server/src/engine/trace/tracer';
import { CORPUS } from '../helpers/env';
import { GENERIC_OPTIONS, MATCHES, TARGETS } from '../../server/src/engine/kb';
import { lintOptionsFor, normalizeSettings } from '../../server/src/settings';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { SelectionRange } from 'vscode-languageserver';
import { explainRule } from '../../server/src/engine/explain';
import { quickFixes, safeEdits } from '../../server/src/engine/fixes';
import { isRuleCommand } from '../../server/src/engine/model';
import { comparePos } from '../../server/src/engine/types';
import { codeLenses } from '../../server/src/features/codeLens';
import { incomingCalls, outgoingCalls, prepareCallHierarchy } from '../../server/src/features/callHierarchy';
import { workspaceSymbols } from '../../server/src/features/workspaceSymbols';
import { inlayHints } from '../../server/src/features/inlayHints';
import { scriptToRestore } from '../../server/src/engine/toRestore';
import { selectionRanges } from '../../server/src/features/selection';
import { signatureHelp } from '../../server/src/features/signature';
import { hover } from '../../server/src/features/hover';
import { semanticTokens } from '../../server/src/features/semanticTokens';
import { documentLinks } from '../../server/src/features/links';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * Past this, a large input "runs away". node's test runner cannot stop synchronous work at a test's timeout, so the
 * bound is checked once the work is done: far above what each such test takes (a few seconds at most), it fails
 * only where something has become quadratic or worse again (one of them took two minutes, and passed, before).
 */
const RUNAWAY_MS = 60000;

function withoutRunningAway(name: string, fn: () => void): void {
  test(name, { timeout: RUNAWAY_MS }, () => {
    const t0 = performance.now();
    fn();
    const took = performance.now() - t0;
    assert.ok(took < RUNAWAY_MS, `took ${(took / 1000).toFixed(0)} s, past the bound of ${RUNAWAY_MS / 1000} s: something runs away`);
  });
}

function check(text: string, opts: LintOptions = {}): void {
  const t0 = Date.now();
  const r = lint(text, opts);
  const lines = text.split('\n');
  for (const d of r.diagnostics) {
    const { start, end } = d.range;
    assert.ok(start.line >= 0 && start.line < lines.length && end.line < lines.length, `range lines inside: ${JSON.stringify(d)}`);
    assert.ok(start.character >= 0 && start.character <= lines[start.line].length && end.character <= lines[end.line].length + 1, `range columns inside: ${JSON.stringify(d)}`);
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `range ordered: ${JSON.stringify(d)}`);
    assert.ok(d.message.length > 0 && d.code.length > 0);
  }
  // The other engine entry points must survive the same input.
  applyEdits(text, formatEdits(r));
  locate(r, { line: Math.floor(lines.length / 2), character: 3 });
  tracePacket(r, packetFrom({ proto: 'tcp', dport: 22, in: 'eth0' }, r.ruleset.family), 'input');
  for (const c of r.ruleset.commands) if (isRuleCommand(c)) assert.ok(explainRule(c).length > 0);
  for (const d of r.diagnostics) quickFixes(r, d);
  applyEdits(text, safeEdits(r).edits);
  const mid = { line: Math.floor(lines.length / 2), character: 5 };
  const doc = TextDocument.create('file:///fuzz', opts.format === 'script' ? 'shellscript' : 'iptables', 1, text);
  const end = { line: lines.length - 1, character: lines[lines.length - 1].length };
  for (const p of [mid, end]) {
    signatureHelp(doc, r, doc.positionAt(doc.offsetAt(p)));
    hover(r, doc.positionAt(doc.offsetAt(p)));
    for (const item of prepareCallHierarchy(r, doc.uri, doc.positionAt(doc.offsetAt(p))) ?? []) {
      incomingCalls(r, doc.uri, item);
      outgoingCalls(r, doc.uri, item);
    }
    for (let s: SelectionRange | undefined = selectionRanges(r, [doc.positionAt(doc.offsetAt(p))])[0]; s?.parent; s = s.parent) {
      assert.ok(comparePos(s.parent.range.start, s.range.start) <= 0 && comparePos(s.range.end, s.parent.range.end) <= 0, 'each selection range holds the one inside it');
    }
  }
  codeLenses(r, doc.uri);
  workspaceSymbols([{ uri: doc.uri, result: r }], 'a');
  inlayHints(r, { start: { line: 0, character: 0 }, end });
  // Semantic tokens lie within their lines, in order; links name files.
  const data = semanticTokens(r).data;
  for (let i = 0, line = 0, col = 0; i < data.length; i += 5) {
    line += data[i];
    col = data[i] === 0 ? col + data[i + 1] : data[i + 1];
    assert.ok(line < lines.length && data[i + 2] > 0 && col + data[i + 2] <= lines[line].length, `semantic token ${line}:${col}+${data[i + 2]} inside its line`);
  }
  for (const l of documentLinks(r, () => true)) assert.ok(l.target?.startsWith('file:///'), JSON.stringify(l));
  // A script's conversion is a restore file the linter reads without a new kind of error.
  for (const f of r.ruleset.format === 'script' ? scriptToRestore(r) : []) {
    const back = lint(f.text, { format: 'restore', family: f.family });
    assert.ok(!back.diagnostics.some((d) => d.code === 'syntax' || d.code === 'missing-commit' || d.code === 'commit-format'), `conversion of:\n${text}\ngave:\n${f.text}\n${JSON.stringify(back.diagnostics.filter((d) => d.severity === 'error'))}`);
  }
  if (lines.length <= 1200) assert.ok(Date.now() - t0 < 1000, `analysis took ${Date.now() - t0} ms for ${lines.length} lines`);
}

const WORDS = ['-A', '-I', '-D', '-N', '-X', '-F', '-P', 'INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'X', 'Y', '-j', '-g', 'ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG', 'X', '-p', 'tcp', 'udp', 'icmp', '-m', 'conntrack', '--ctstate', 'NEW,ESTABLISHED', 'multiport', '--dports', '22,80', '--dport', '22', '1:2', '!', '-s', '10.0.0.0/8', '::1', '-i', 'eth+', '-o', 'lo', '"', '"a b"', "'", '*filter', '*nat', ':INPUT', 'ACCEPT', '[0:0]', 'COMMIT', '#', '\\', '$IPT', 'iptables', '$(x)', '`y`', '--to-destination', '1.2.3.4:80', '\u2013dport', '\u201C', '\u00A0', '-m', 'recent', '--set', '--name', 'x', '-t', 'mangle', '--log-prefix', '--comment', ';', '&&', '|', '\t', '\r', 'constructor', '__proto__', 'toString', 'iptables-restore', 'ip6tables-restore -n', '<<EOF', "<<'EOF'", '<<-EOF', 'EOF', '\nEOF\n', '{{ x }}', '{{', '}}', '{%', '%}', '\n{% for x in y %}\n', '\n{% endfor %}\n', '{% if a %}', '{% else %}', '{% endif %}', '{#', '#}', '{# c #}', '{{ r }}\n', '<', '>', '/etc/rules.v4', 'rules.v6', '.', 'source', 'iptables-save', 'ipset', 'restore', 'save', '-file', '"$R"', 'create', 'hash:ip', 'family', 'inet6', '--match-set', 'set', '\nfor p in 22 80; do\n', '\ndone\n', '$p', '\nfor ipt in iptables ip6tables; do\n', '$ipt',
  'A=(', 'A=(22 80)', ')', '(', '"${A[@]}"', '${A[*]}', '${A[1]}', '${#A[@]}', '${A[$i]}', 'A[2]=3', 'A+=(4)', '\nf() {\n', '\n}\n', 'local p=$1', 'p="$2"', '$1', '"$@"', 'f 22', '#!/bin/sh\n'];

test(`fuzz: random text (${RUNS} cases)`, () => {
  fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => check(s)), { numRuns: RUNS, seed: 1 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => check(s, { format: 'script' })), { numRuns: RUNS, seed: 2 });
});

test(`fuzz: soup of iptables words, as a restore file and as a script (${RUNS} cases)`, () => {
  const line = fc.array(fc.constantFrom(...WORDS), { maxLength: 14 }).map((ws) => ws.join(' '));
  const doc = fc.array(line, { maxLength: 40 });
  fc.assert(fc.property(doc, (lines) => {
    check(['*filter', ...lines, 'COMMIT', ''].join('\n'));
    check(lines.map((l) => `iptables ${l}`).join('\n'), { format: 'script' });
    check(lines.join('\n'), { family: 6 });
    // Named as templates, the same text is read with its template syntax as the template's.
    check(['*filter', ...lines, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4.j2' });
    check(lines.map((l) => `iptables ${l}`).join('\n'), { fileName: 'firewall.sh.j2' });
  }), { numRuns: RUNS, seed: 3 });
});

test(`fuzz: scripts of loops over chains, tables, targets, ports and braces, with bodies of soup (${RUNS} cases)`, () => {
  const values = fc.array(fc.constantFrom('INPUT', 'FORWARD', 'X', 'filter', 'nat', 'ACCEPT', 'DROP', 'LOG', '22', '80', '{80,443}', '{1..3}', 'iptables', 'ip6tables', '10.0.0.1', '"a b"'), { minLength: 1, maxLength: 4 });
  const word = fc.constantFrom(...WORDS, '$v', '"$v"', '${v}', '-A $v', '-t $v', '-j $v', '-P $v DROP', '-I INPUT 2', '-D INPUT 3', '-R INPUT 1');
  const command = fc.array(word, { maxLength: 10 }).map((ws) => `${ws[0] === '$v' ? '' : 'iptables '}${ws.join(' ')}`);
  const loop = fc.record({ values, body: fc.array(command, { minLength: 1, maxLength: 4 }), oneLine: fc.boolean() })
    .map(({ values: vs, body, oneLine }) => (oneLine ? `for v in ${vs.join(' ')}; do ${body.join('; ')}; done` : [`for v in ${vs.join(' ')}; do`, ...body.map((b) => `  ${b}`), 'done'].join('\n')));
  const script = fc.record({ shell: fc.constantFrom('#!/bin/bash', '#!/bin/sh', ''), parts: fc.array(fc.oneof(loop, command), { minLength: 1, maxLength: 6 }) });
  fc.assert(fc.property(script, ({ shell, parts }) => check([shell, ...parts, ''].join('\n'), { fileName: 'fw.sh' })), { numRuns: RUNS, seed: 5 });
});

const corpusFiles = existsSync(path.join(CORPUS, 'save')) ? readdirSync(path.join(CORPUS, 'save')).map((f) => path.join(CORPUS, 'save', f)) : [];
const examples = readdirSync(path.join(__dirname, '..', '..', 'examples')).map((f) => path.join(__dirname, '..', '..', 'examples', f));
const sources = [...examples, ...corpusFiles.filter((f) => readFileSync(f, 'utf8').length < 60000)].map((f) => readFileSync(f, 'utf8'));

test(`fuzz: mutations of real rulesets — deleted, duplicated and swapped words, stray quotes, Unicode (${RUNS} cases)`, () => {
  const mutation = fc.record({
    file: fc.nat(sources.length - 1),
    ops: fc.array(fc.record({ kind: fc.constantFrom('delete', 'duplicate', 'swap', 'quote', 'unicode', 'newline'), at: fc.nat(), with: fc.nat() }), { minLength: 1, maxLength: 8 }),
  });
  fc.assert(fc.property(mutation, ({ file, ops }) => {
    const words = sources[file].split(/(\s+)/);
    for (const op of ops) {
      const i = op.at % Math.max(1, words.length);
      const j = op.with % Math.max(1, words.length);
      if (op.kind === 'delete') words.splice(i, 1);
      else if (op.kind === 'duplicate') words.splice(i, 0, words[i] ?? '');
      else if (op.kind === 'swap') [words[i], words[j]] = [words[j], words[i]];
      else if (op.kind === 'quote') words[i] = `"${words[i] ?? ''}`;
      else if (op.kind === 'unicode') words[i] = `${words[i] ?? ''}\u2013\u{1F525}\u00A0`;
      else words[i] = `${words[i] ?? ''}\n`;
    }
    check(words.join(''));
  }), { numRuns: RUNS, seed: 4 });
});

test('pathological rulesets: huge lines, 10,000 jumps in a cycle, self-jumps, deep jump chains', () => {
  check(`*filter\n-A INPUT ${'-s 10.0.0.1 '.repeat(20000)}-j ACCEPT\nCOMMIT\n`);
  check(`*filter\n-A INPUT -m comment --comment "${'x'.repeat(200000)}" -j ACCEPT\nCOMMIT\n`);
  const n = 10000;
  const cycle = ['*filter', ...Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`), '-A INPUT -j C0', ...Array.from({ length: n }, (_, i) => `-A C${i} -j C${(i + 1) % n}`), 'COMMIT', ''].join('\n');
  const t0 = Date.now();
  const r = lint(cycle);
  assert.ok(r.diagnostics.some((d) => d.code === 'jump-loop'), 'the cycle is reported');
  assert.ok(Date.now() - t0 < 10000, `a 10,000-chain cycle took ${Date.now() - t0} ms`);
  check('*filter\n:X - [0:0]\n-A INPUT -j X\n-A X -j X\n-A X -g X\nCOMMIT\n');
  const deep = ['*filter', ...Array.from({ length: 500 }, (_, i) => `:D${i} - [0:0]`), '-A INPUT -j D0', ...Array.from({ length: 499 }, (_, i) => `-A D${i} -p tcp -j D${i + 1}`), '-A D499 -j ACCEPT', '-A INPUT -p tcp -j DROP', 'COMMIT', ''].join('\n');
  check(deep);
  check('\u0000\u0001\uFFFF\uD800'.repeat(1000));
  check('\r\n'.repeat(5000));
});

test('a 1,000-line realistic document is analysed within a second', () => {
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':BL - [0:0]', '-A INPUT -j BL', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'];
  for (let i = 0; i < 990; i++) {
    lines.push(i % 3 === 0 ? `-A BL -s 203.0.${i % 256}.${(i * 7) % 256} -j DROP` : i % 3 === 1 ? `-A INPUT -p tcp -m tcp --dport ${1000 + i} -j ACCEPT` : `-A INPUT -s 10.${i % 256}.0.0/16 -p udp -m multiport --dports 53,${2000 + i} -j ACCEPT`);
  }
  lines.push('COMMIT', '');
  check(lines.join('\n'));
});

/** Names every JavaScript object has (through its prototype): as words, they must be as unknown as any other. */
const PROTOTYPE_WORDS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
/** Values at the edges of what number and address readers take. */
const EDGE_VALUES = ['', '-1', '1e309', '0x', '0xffffffffffffffffffff', '99999999999999999999', 'NaN', 'Infinity', '1.5', ':', ',', '1:', ':1', '1,,2', '65535:0', '/', '1.2.3.4/99', '::/129', '1.2.3.4-', '-1.2.3.4', '[::1]:', '0/0', '4294967296', '\u00e9'];

test('words that are names of Object.prototype, and values at the edges, are read safely in every place a value can stand', () => {
  for (const w of [...PROTOTYPE_WORDS, ...EDGE_VALUES]) {
    const lines = [`-A INPUT -p ${w} -j ACCEPT`, `-A INPUT -m ${w} -j ACCEPT`, `-A INPUT -j ${w}`, `-A INPUT -g ${w}`, `-A ${w} -j ACCEPT`, `-P INPUT ${w}`];
    for (const o of GENERIC_OPTIONS) lines.push(`-A INPUT ${o.short ?? o.names[0]} ${w} ${w} -j ACCEPT`);
    for (const m of MATCHES) for (const o of m.options) lines.push(`-A INPUT -p tcp -m ${m.name} ${o.names[0]} ${w} ${w} -j ACCEPT`, `-A INPUT -p udp -m ${m.name} ${o.names[0]} ${w}`);
    for (const t of TARGETS) for (const o of t.options) lines.push(`-A INPUT -p tcp -j ${t.name} ${o.names[0]} ${w} ${w}`);
    for (const table of ['filter', 'nat', 'mangle', 'raw']) {
      check([`*${table}`, `:INPUT ACCEPT [0:0]`, `:${w} - [0:0]`, ...lines, 'COMMIT', ''].join('\n'), { fileName: 'rules.v4' });
      check([`*${table}`, `:INPUT ACCEPT [0:0]`, ...lines, 'COMMIT', ''].join('\n'), { fileName: 'rules.v6' });
    }
    check(lines.map((l) => `iptables ${l}`).join('\n'), { fileName: 'fw.sh' });
    if (!PROTOTYPE_WORDS.includes(w)) continue;
    assert.deepEqual(lintOptionsFor(normalizeSettings({ diagnostics: { 'host-bits-set': w } }), 'file:///rules.v4', 'iptables').severities, {});
    assert.throws(() => packetFrom({ proto: w }, 4), /unknown protocol/);
  }
});

withoutRunningAway('jumps nested 20,000 chains deep, or round a circle of 20,000 chains, are analysed without running away (each took minutes or ran out of memory)', () => {
  const n = 20000;
  const decl = Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`);
  const deep = ['*filter', ':INPUT DROP [0:0]', ...decl, '-A INPUT -j C0', ...Array.from({ length: n - 1 }, (_, i) => `-A C${i} -s 10.${i % 256}.0.0/16 -j C${i + 1}`), `-A C${n - 1} -j DROP`, 'COMMIT', ''];
  const r = lint(deep.join('\n'), { fileName: 'deep.rules' });
  // Nothing down the 20,000 chains accepts: SSH is locked out, and that is found through all of them.
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['ssh-lockout']);
  assert.deepEqual(r.graph.path(r.state.get(4, 'filter', `C${n - 1}`)!, 'INPUT').length, n + 1);
  // While typing (with the memo): an edit deep down gives what a fresh analysis gives.
  const memo = new AnalysisMemo();
  lint(deep.join('\n'), { fileName: 'deep.rules', memo });
  deep[n + 3 + 10000] = `-A C10000 -s 10.16.0.0/16 -j DROP`;
  const text = deep.join('\n');
  assert.deepEqual(lint(text, { fileName: 'deep.rules', memo }).diagnostics, lint(text, { fileName: 'deep.rules' }).diagnostics);
  const circle = ['*filter', ':INPUT DROP [0:0]', ...decl, '-A INPUT -j C0', ...Array.from({ length: n }, (_, i) => `-A C${i} -j C${(i + 1) % n}`), 'COMMIT', ''];
  const loops = lint(circle.join('\n'), { fileName: 'circle.rules' }).diagnostics.filter((d) => d.code === 'jump-loop');
  assert.equal(loops.length, 1);
  assert.equal((loops[0].data as { cycle: string[] }).cycle.length, n);
  const script = ['#!/bin/sh', ...Array.from({ length: n }, (_, i) => `iptables -N C${i}`), 'iptables -A INPUT -j C0', ...Array.from({ length: n }, (_, i) => `iptables -A C${i} -j C${(i + 1) % n}`), ''];
  assert.equal(lint(script.join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'jump-loop').length, 1);
});

withoutRunningAway('a port forward 20,000 nat chains deep, and one reached through a lattice of 2^20 ways, are checked without running away', () => {
  const n = 20000;
  const dnat = '-j DNAT --to-destination 192.168.1.10:80';
  const filter = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''];
  const deep = ['*nat', ':PREROUTING ACCEPT [0:0]', ...Array.from({ length: n }, (_, i) => `:N${i} - [0:0]`), '-A PREROUTING -i eth0 -j N0',
    ...Array.from({ length: n - 1 }, (_, i) => `-A N${i} -p tcp -j N${i + 1}`), `-A N${n - 1} -p tcp --dport 8080 ${dnat}`, 'COMMIT', ...filter];
  assert.equal(lint(deep.join('\n'), { fileName: 'deep.rules' }).diagnostics.filter((d) => d.code === 'dnat-dropped').length, 1);
  // Each of 20 levels reached from both chains of the level above: a million ways, each chain worked out once.
  const levels = 20;
  const lattice = ['*nat', ':PREROUTING ACCEPT [0:0]', ...Array.from({ length: levels }, (_, i) => [`:A${i} - [0:0]`, `:B${i} - [0:0]`]).flat(),
    '-A PREROUTING -i eth0 -j A0', '-A PREROUTING -i eth0 -j B0',
    ...Array.from({ length: levels - 1 }, (_, i) => [`-A A${i} -j A${i + 1}`, `-A A${i} -j B${i + 1}`, `-A B${i} -j A${i + 1}`, `-A B${i} -j B${i + 1}`]).flat(),
    `-A A${levels - 1} -p tcp --dport 8080 ${dnat}`, 'COMMIT', ...filter];
  assert.equal(lint(lattice.join('\n'), { fileName: 'lattice.rules' }).diagnostics.filter((d) => d.code === 'dnat-dropped').length, 1);
});

withoutRunningAway('a chain of 40,000 rules that all overlap one another is analysed without running away (it took minutes)', () => {
  const ip = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`;
  const n = 40000;
  const negated = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: n }, (_, i) => `-A INPUT ! -s ${ip(i)} -j ACCEPT`), 'COMMIT', ''];
  const found = lint(negated.join('\n'), { fileName: 'x.rules' }).diagnostics;
  // The union of the first two already accepts every packet: the third is redundant, whatever the work budget.
  assert.ok(found.some((d) => d.code === 'redundant-rule' && d.range.start.line === 4), 'the third rule is redundant');
  const overlapping = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: n }, (_, i) => `-A INPUT -s ${ip(i)}/${8 + (i % 24)} -d ${ip(n - i)}/${8 + (i % 20)} -j ${i % 2 ? 'ACCEPT' : 'DROP'}`), 'COMMIT', ''];
  lint(overlapping.join('\n'), { fileName: 'x.rules' });
});

withoutRunningAway('20,000 misspelt jumps among 20,000 chains, and one address list of 20,000 networks, are analysed without running away (they took minutes; the list, 6 s, when each item was held to every other)', () => {
  const n = 20000;
  const script = ['#!/bin/sh', ...Array.from({ length: n }, (_, i) => `iptables -N CHAIN${i}`), ...Array.from({ length: n }, (_, i) => `iptables -A CHAIN${i} -j CHAINX${i}`), ''];
  const unknown = lint(script.join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unknown-target');
  assert.equal(unknown.length, n);
  // Suggestions are made while their budget lasts: the first misspelling still gets one.
  assert.ok(unknown[0].message.includes('Did you mean'), unknown[0].message);
  const ip = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`;
  const list = ['*filter', ':INPUT DROP [0:0]', `-A INPUT -s ${Array.from({ length: n }, (_, i) => `${ip(i)}/24`).join(',')} -j ACCEPT`, '-A INPUT -s 10.0.5.0/24 -j ACCEPT', 'COMMIT', ''];
  const found = lint(list.join('\n'), { fileName: 'x.rules' }).diagnostics;
  assert.equal(found.filter((d) => d.code === 'host-bits-set').length, n);
  assert.equal(found.filter((d) => d.code === 'redundant-rule').length, 1);
  // The last item's finding points at the last item.
  const last = found.filter((d) => d.code === 'host-bits-set').at(-1)!;
  assert.equal(list[2].slice(last.range.start.character, last.range.end.character), `${ip(n - 1)}/24`);
  // The same list with a network before it that holds every item: each item is said to be held, once.
  const held = lint(list.join('\n').replace('-s ', '-s 10.0.0.0/8,'), { fileName: 'x.rules' }).diagnostics.filter((d) => d.code === 'duplicate-list-item');
  assert.equal(held.length, n);
});

withoutRunningAway('a ruleset of 10,000 lines pasted with typographic dashes is reported without running away (it took half a minute)', () => {
  const n = 10000;
  const text = ['*filter', ':INPUT DROP [0:0]', ...Array.from({ length: n }, (_, i) => `\u2013A INPUT \u2013s 10.0.${i >> 8}.${i & 255} \u2013j DROP`), 'COMMIT', ''].join('\n');
  const found = lint(text, { fileName: 'x.rules' }).diagnostics;
  // Each line: three look-alikes that break their words, and nothing else said about those words.
  assert.equal(found.filter((d) => d.code === 'lookalike-character' && d.severity === 'error').length, 3 * n);
  const line = text.split('\n')[2];
  const dashes = [...line].flatMap((ch, k) => (ch === '\u2013' ? [k] : []));
  for (const d of found.filter((x) => x.range.start.line === 2 && x.code !== 'lookalike-character' && x.severity === 'error')) {
    assert.ok(!dashes.some((k) => k >= d.range.start.character && k < Math.max(d.range.end.character, d.range.start.character + 1)), `an echo of a look-alike is kept: ${d.message}`);
  }
});

withoutRunningAway('a script of 40,000 blocking rules before its SSH accept is analysed without running away (it took 25 s)', () => {
  const ip = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`;
  const n = 40000;
  const sh = ['#!/bin/bash', 'IPT=/sbin/iptables', ...Array.from({ length: n }, (_, i) => `$IPT -A INPUT -s ${ip(i)} -j DROP  # blocked ${i}`), 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '$IPT -P INPUT DROP', ''];
  const found = lint(sh.join('\n'), { fileName: 'fw.sh' }).diagnostics;
  assert.equal(found.filter((d) => d.code === 'ssh-lockout').length, 0);
  assert.equal(found.filter((d) => d.code === 'prefer-ipset').length, 1);
});

withoutRunningAway('20,000 table blocks that each declare their built-in chains are read without running away (it took 5 s)', () => {
  const n = 20000;
  const text = Array.from({ length: n }, (_, i) => `*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -s 10.0.${(i >> 8) & 255}.${i & 255} -j ACCEPT\nCOMMIT`).join('\n') + '\n';
  const r = lint(text, { fileName: 'x.rules' });
  // The last block decides: its INPUT has its own one rule and the DROP policy; each declaration replaced its block's implicit entry.
  assert.equal(r.state.get(4, 'filter', 'INPUT')?.rules.length, 1);
  assert.equal(r.ruleset.chains.filter((c) => c.via === 'builtin').length, n);
  assert.equal(r.ruleset.chains.filter((c) => c.via === 'declaration').length, 2 * n);
});

withoutRunningAway('a script that flushes 20,000 times is analysed without running away (it took 4 s)', () => {
  const n = 20000;
  const sh = ['#!/bin/sh', 'iptables -P INPUT DROP', ...Array.from({ length: n }, () => 'iptables -F'), 'iptables -P INPUT ACCEPT', 'iptables -F', ''];
  const flushes = lint(sh.join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'ssh-lockout' && d.message.startsWith('This flush'));
  // Every flush before the ACCEPT policy runs while the DROP policy may still hold; the last one does not.
  assert.equal(flushes.length, n);
});

withoutRunningAway('a script that deletes 20,000 rules its chain does not hold is analysed without running away (it took minutes)', () => {
  const ip = (i: number) => `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.1`;
  const n = 20000;
  const sh = ['#!/bin/sh', ...Array.from({ length: n }, (_, i) => `iptables -A INPUT -s ${ip(i)} -j DROP`), ...Array.from({ length: n }, (_, i) => `iptables -D INPUT -s ${ip(i + n / 2)} -j DROP`), ''];
  // The second half of the rules is deleted; the other deletes find nothing.
  assert.equal(lint(sh.join('\n'), { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')!.rules.length, n / 2);
});

withoutRunningAway('scripts nested 20,000 ifs deep, calling a chain of 20,000 functions, or opening 20,000 loops, are read without running away (one ran out of memory)', () => {
  const ifs = ['#!/bin/sh', ...Array.from({ length: 20000 }, () => 'if [ -n "$X" ]; then'), 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', ...Array.from({ length: 20000 }, () => 'fi'), ''].join('\n');
  assert.equal(lint(ifs, { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')?.rules.length, 1);
  const fns = ['#!/bin/sh', ...Array.from({ length: 20000 }, (_, i) => `f${i}() { f${i + 1}; }`), 'f20000() { iptables -A INPUT -p tcp --dport 22 -j ACCEPT; }', 'f0', ''].join('\n');
  assert.equal(lint(fns, { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')?.rules.length, 1);
  // 20,000 loops that never end, each looked for its body.
  const loops = ['#!/bin/sh', ...Array.from({ length: 20000 }, () => 'for x in a b; do echo $x'), 'iptables -A INPUT -s $x -j DROP', ''].join('\n');
  assert.equal(lint(loops, { fileName: 'fw.sh' }).ruleset.loops, undefined);
  // Random keyword soup: never an exception.
  const words = ['if', 'then', 'else', 'elif', 'fi', 'case', 'in', 'esac', ';;', ')', '(', '{', '}', 'function', 'f', 'f()', 'do', 'done', ';', '\n', 'iptables -A INPUT -j ACCEPT', 'iptables -F', 'iptables-restore < r', 'start', '"$1"', 'for p in 22 80', 'iptables -A INPUT -p tcp --dport $p -j DROP', 'echo'];
  fc.assert(fc.property(fc.array(fc.constantFrom(...words), { maxLength: 80 }), (ws) => {
    lint(`#!/bin/sh\n${ws.join(' ')}\n`, { fileName: 'fw.sh' });
  }), { numRuns: 500 });
});

withoutRunningAway('a chain of 20,000 functions called only from a loop over an empty list, and 20,000 such loops, are read without running away', () => {
  const n = 20000;
  const fns = ['#!/bin/sh', 'NONE=', ...Array.from({ length: n }, (_, i) => `f${i}() { f${i + 1}; }`), `f${n}() { iptables -A INPUT -p tcp --dport 22 -j ACCEPT; }`, 'for x in $NONE; do f0; done', ''].join('\n');
  assert.equal(lint(fns, { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')?.rules.length ?? 0, 0);
  const loops = ['#!/bin/sh', 'NONE=', ...Array.from({ length: n }, (_, i) => `for x in $NONE; do iptables -A INPUT -s 10.0.${i >> 8}.${i & 255} -j DROP; done`), ''].join('\n');
  const r = lint(loops, { fileName: 'fw.sh' });
  assert.equal(r.diagnostics.filter((d) => d.code === 'empty-loop').length, n);
  assert.equal(r.state.get(4, 'filter', 'INPUT')?.rules.length ?? 0, 0);
  // Nested 20,000 deep, the rule at the heart: one finding, on the outermost loop.
  const nested = ['#!/bin/sh', 'NONE=', ...Array.from({ length: n }, () => 'for x in $NONE; do'), 'iptables -A INPUT -j DROP', ...Array.from({ length: n }, () => 'done'), ''].join('\n');
  const deep = lint(nested, { fileName: 'fw.sh' });
  assert.deepEqual(deep.diagnostics.filter((d) => d.code === 'empty-loop').map((d) => d.range.start.line), [2]);
  // A function with 20,000 calls and a body of 2,000 commands: the calls are looked at once.
  const calls = ['#!/bin/sh', 'P=22', 'f() {', ...Array.from({ length: 2000 }, (_, i) => `  iptables -A INPUT -s 10.1.${i >> 8}.${i & 255} -p tcp --dport $P -j ACCEPT`), '}', ...Array.from({ length: n }, () => 'f'), ''].join('\n');
  assert.ok(lint(calls, { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')!.rules.length >= 2000);
});

withoutRunningAway('a script of 5,000 variables set nowhere, each a letter off one that is set, and names of 20,000 characters, is analysed without running away', () => {
  const n = 5000;
  const long = 'A'.repeat(20000);
  const sh = ['#!/bin/sh', ...Array.from({ length: n }, (_, i) => `NET_OF_HOST_${i}_X=10.0.0.1`), ...Array.from({ length: n }, (_, i) => `iptables -A INPUT -s $NET_OF_HOST_${i}_Y -j ACCEPT`), `${long}B=1`, `iptables -A INPUT -s $${long}C -j ACCEPT`, ''];
  const found = lint(sh.join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unset-variable');
  // One finding per name; a slip named for the first ones sought, not for all 5,000 (each would be compared with every name).
  assert.equal(found.length, n + 1);
  assert.match(found[0].message, /did you mean \$NET_OF_HOST_\d+_X\?/);
});
