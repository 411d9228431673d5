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

test('incremental analysis: a generated ruleset with user chains, jumps and a blocklist, edited at random', () => {
  check('generated', generateRuleset(600, 5), 'rules.v4', Math.ceil(EDITS / 3), 7);
});
