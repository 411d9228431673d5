/**
 * Property: an analysis that reuses the previous one (the server's memo, one per open document) gives exactly the
 * diagnostics of a fresh analysis, after any sequence of edits: a character typed or deleted, lines inserted,
 * deleted, duplicated or swapped, a rule moved to another chain, a table line changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { AnalysisMemo } from '../../server/src/engine/memo';
import { mulberry } from '../../server/src/engine/trace/confirm';
import { generateRuleset } from '../../bench/generate';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from '../../server/src/analysisCache';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/settings';

const EDITS = Number(process.env.PROPERTY_RUNS ?? 300);
const ROOT = path.resolve(__dirname, '..', '..');
const CHARS = '0123456789abcdefxyz -!:/,."#*\tACEPTDROPJMs';

/** The diagnostics as comparable text, in a fixed order. */
function summary(text: string, fileName: string, memo?: AnalysisMemo): string[] {
  return lint(text, { fileName, memo }).diagnostics.map((d) => JSON.stringify(d)).sort();
}

function edit(lines: string[], rnd: () => number): string {
  const pick = () => Math.floor(rnd() * lines.length);
  const n = pick();
  const r = rnd();
  if (r < 0.35) {
    // A keystroke: replace, insert or delete one character.
    const line = lines[n];
    const at = Math.floor(rnd() * (line.length + 1));
    const ch = CHARS[Math.floor(rnd() * CHARS.length)];
    const mode = rnd();
    lines[n] = mode < 0.4 ? line.slice(0, at) + ch + line.slice(at + 1) : mode < 0.7 ? line.slice(0, at) + ch + line.slice(at) : line.slice(0, at) + line.slice(at + 1);
    return `char at ${n}:${at}`;
  }
  if (r < 0.5) {
    lines.splice(n, 1);
    return `delete line ${n}`;
  }
  if (r < 0.65) {
    lines.splice(pick(), 0, lines[n]);
    return `copy line ${n}`;
  }
  if (r < 0.75) {
    const m = pick();
    [lines[n], lines[m]] = [lines[m], lines[n]];
    return `swap lines ${n} and ${m}`;
  }
  if (r < 0.9) {
    // Move a rule to the chain of another rule.
    const other = lines[pick()].match(/^-A (\S+)/);
    if (other && /^-A \S+/.test(lines[n])) lines[n] = lines[n].replace(/^-A \S+/, `-A ${other[1]}`);
    return `rule ${n} to ${other?.[1]}`;
  }
  // Rename a chain where it is declared, or change a table line.
  const tables = ['*filter', '*nat', '*mangle', '*raw'];
  if (lines[n].startsWith('*')) lines[n] = tables[Math.floor(rnd() * tables.length)];
  else if (lines[n].startsWith(':')) lines[n] = lines[n].replace(/^:(\S+)/, ':$1X');
  else lines[n] = lines[n].replace(/-j (\S+)/, '-j $1X');
  return `rename at ${n}`;
}

function check(name: string, text: string, fileName: string, steps: number, seed: number): void {
  const rnd = mulberry(seed);
  const memo = new AnalysisMemo();
  const lines = text.split('\n');
  summary(text, fileName, memo);
  const history: string[] = [];
  for (let k = 0; k < steps; k++) {
    history.push(edit(lines, rnd));
    const now = lines.join('\n');
    const reused = summary(now, fileName, memo);
    const fresh = summary(now, fileName);
    assert.deepEqual(reused, fresh, `${name}: after ${history.slice(-5).join('; ')} (step ${k + 1}) the reused analysis differs from a fresh one`);
  }
}

test('incremental analysis: the bundled examples, edited at random, give what a fresh analysis gives', () => {
  const examples = ['plex-media-server.iptables', 'nat-gateway.iptables', 'ssh-safe-baseline.iptables', 'common-mistakes.iptables', 'wordpress-server.sh', 'ansible-rules.v4.j2'];
  examples.forEach((f, i) => check(f, readFileSync(path.join(ROOT, 'examples', f), 'utf8'), f, Math.ceil(EDITS / examples.length), 11 + i));
});

test('a document analysed again as it stands (the server does so once a large one opens) changes nothing for the edits after', () => {
  const cache = new AnalysisCache(() => DEFAULT_SERVER_SETTINGS);
  const text = generateRuleset(600, 5);
  let doc = TextDocument.create('file:///r/rules.v4', 'iptables', 1, text);
  const first = cache.get(doc);
  for (let k = 0; k < 3; k++) cache.rehearse(doc);
  // The published result stays the one the editor has.
  assert.equal(cache.get(doc), first);
  const rnd = mulberry(21);
  const lines = text.split('\n');
  for (let k = 0; k < 40; k++) {
    const what = edit(lines, rnd);
    const now = lines.join('\n');
    doc = TextDocument.update(doc, [{ text: now }], doc.version + 1);
    const reused = cache.get(doc).diagnostics.map((d) => JSON.stringify(d)).sort();
    assert.deepEqual(reused, summary(now, 'rules.v4'), `after ${what} (step ${k + 1})`);
    if (k % 10 === 0) cache.rehearse(doc);
  }
});

test('incremental analysis: a generated ruleset with user chains, jumps and a blocklist, edited at random', () => {
  check('generated', generateRuleset(600, 5), 'rules.v4', Math.ceil(EDITS / 3), 7);
});

test('incremental analysis: a script with loops and rule numbers that count their rules, edited at random', () => {
  const text = [
    '#!/bin/sh',
    'for ip in 10.0.0.1 10.0.0.2; do',
    '  iptables -A INPUT -s $ip -j LOG',
    '  iptables -A INPUT -s $ip -j DROP',
    'done',
    'for p in 22 80; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done',
    'iptables -A INPUT -s 10.0.0.2 -j ACCEPT',
    'iptables -I INPUT 5 -p tcp --dport 443 -j ACCEPT',
    'iptables -D INPUT 2',
    'iptables -A INPUT -p tcp --dport 22 -j DROP',
    'iptables -R INPUT 3 -p udp -j ACCEPT',
    'iptables -P INPUT DROP',
    '',
  ].join('\n');
  check('loops', text, 'fw.sh', Math.ceil(EDITS / 3), 5);
});

test('incremental analysis: a rule number that falls among a loop\'s rules, then goes, changes what the unchanged rules prove', () => {
  const before = ['#!/bin/sh', 'for ip in 10.0.0.1 10.0.0.2; do', '  iptables -A INPUT -s $ip -j LOG', '  iptables -A INPUT -s $ip -j DROP', 'done', 'iptables -D INPUT 2', 'iptables -A INPUT -s 10.0.0.2 -j ACCEPT', ''];
  const after = before.filter((l) => !l.startsWith('iptables -D'));
  const memo = new AnalysisMemo();
  const first = summary(before.join('\n'), 'fw.sh', memo);
  assert.ok(!first.some((d) => d.includes('reject-before-accept')), 'nothing is claimed while the delete falls among the loop\'s rules');
  const reused = summary(after.join('\n'), 'fw.sh', memo);
  assert.deepEqual(reused, summary(after.join('\n'), 'fw.sh'));
  assert.ok(reused.some((d) => d.includes('reject-before-accept')));
});

test('incremental analysis: a script whose hook refusals fall on the rule or on the jump, by the order of its commands, edited at random', () => {
  const lines = [
    '#!/bin/sh',
    'iptables -t nat -N X',
    'iptables -t nat -N Y',
    'iptables -t nat -A X -j MASQUERADE',
    'iptables -t nat -A PREROUTING -j X',
    'iptables -t nat -A Y -j X',
    'iptables -t nat -A POSTROUTING -j Y',
    'iptables -t nat -A X -j ACCEPT',
    'iptables -t mangle -N M',
    'iptables -t mangle -A M -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu',
    'iptables -t mangle -A PREROUTING -j M',
    '',
  ];
  // Two commands swapped: the same rules, the refusal moves from the jump to the rule.
  const memo = new AnalysisMemo();
  const where = (text: string, m?: AnalysisMemo) => lint(text, { fileName: 'fw.sh', memo: m }).diagnostics.filter((d) => d.code === 'target-not-allowed').map((d) => d.range.start.line);
  assert.deepEqual(where(lines.join('\n'), memo), [4, 10]);
  const swapped = [...lines];
  [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
  assert.deepEqual(where(swapped.join('\n'), memo), [4, 10]);
  assert.equal(lint(swapped.join('\n'), { fileName: 'fw.sh', memo }).diagnostics.find((d) => d.range.start.line === 4)?.message.startsWith('The MASQUERADE target'), true);
  assert.deepEqual(summary(swapped.join('\n'), 'fw.sh', memo), summary(swapped.join('\n'), 'fw.sh'));
  check('hooks', lines.join('\n'), 'fw.sh', Math.ceil(EDITS / 3), 9);
});
