/**
 * The real-world corpus: accepted files give no error, refused files an error on the line iptables names (or a
 * warning naming iptables-legacy, where only it refuses), and no error where iptables-nft commits the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { refuteDead } from '../../server/src/engine/trace/confirm';
import { CORPUS, corpusSkip } from '../helpers/env';
import { refusals } from '../helpers/lint';

interface OracleRow {
  file: string;
  verdict: string;
  firstError: string;
  /** iptables-nft-restore committed the file (exit status 0). */
  nftCommits: boolean;
}

function oracle(): OracleRow[] {
  const rows: OracleRow[] = [];
  for (const line of readFileSync(path.join(CORPUS, 'ORACLE.md'), 'utf8').split('\n')) {
    const c = line.split('|').map((x) => x.trim());
    if (c.length > 10 && c[9] && c[1] !== 'file' && !c[1].startsWith('-')) rows.push({ file: c[1], verdict: c[9], firstError: c[10], nftCommits: c[7] === '0' });
  }
  return rows;
}

const skip = corpusSkip();

test('corpus: the 80 accepted files give no error-severity diagnostic', { skip }, () => {
  const accepted = oracle().filter((r) => r.verdict.startsWith('ACCEPT'));
  assert.ok(accepted.filter((r) => r.verdict === 'ACCEPT').length >= 80, 'the oracle lists 80 accepted files');
  const failures: string[] = [];
  for (const r of accepted) {
    const res = lint(readFileSync(path.join(CORPUS, 'save', r.file), 'utf8'), { fileName: r.file });
    for (const d of res.diagnostics.filter((x) => x.severity === 'error')) failures.push(`${r.file}:${d.range.start.line + 1}: ${d.code} ${d.message}`);
  }
  assert.deepEqual(failures, []);
});

test('corpus: every refused file gets an error, on the line iptables names', { skip }, () => {
  const refused = oracle().filter((r) => !r.verdict.startsWith('ACCEPT'));
  assert.ok(refused.length >= 20);
  const failures: string[] = [];
  for (const r of refused) {
    const res = lint(readFileSync(path.join(CORPUS, 'save', r.file), 'utf8'), { fileName: r.file });
    const errs = refusals(res.diagnostics, 'legacy');
    const m = /Error occurred at line: (\d+)|line (\d+) failed/.exec(r.firstError);
    if (!errs.length) failures.push(`${r.file}: no error (${r.firstError})`);
    else if (m) {
      const line = Number(m[1] ?? m[2]);
      if (!errs.some((d) => d.range.start.line + 1 === line)) {
        failures.push(`${r.file}: iptables names line ${line}, errors are on ${errs.slice(0, 5).map((d) => d.range.start.line + 1).join(', ')}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('corpus: no error on a file iptables-nft commits (the default backend of current distributions)', { skip }, () => {
  const committed = oracle().filter((r) => r.nftCommits);
  assert.ok(committed.length >= 80);
  const failures: string[] = [];
  for (const r of committed) {
    const res = lint(readFileSync(path.join(CORPUS, 'save', r.file), 'utf8'), { fileName: r.file });
    for (const d of refusals(res.diagnostics, 'nft')) failures.push(`${r.file}:${d.range.start.line + 1}: ${d.code} ${d.message}`);
  }
  assert.deepEqual(failures, []);
});

test('corpus: every script parses, its iptables invocations are found, no error on a shell variable but about its known value', { skip }, () => {
  const dir = path.join(CORPUS, 'scripts');
  const files = readdirSync(dir);
  assert.equal(files.length, 36);
  const failures: string[] = [];
  let invocations = 0;
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    const res = lint(text, { fileName: f, format: 'script' });
    invocations += res.ruleset.commands.length;
    // Every line that starts with a plain iptables command must have been found.
    text.split('\n').forEach((line, i) => {
      if (/^\s*(sudo\s+)?(\/s?bin\/|\/usr\/s?bin\/)?ip6?tables\s+-/.test(line) && !line.trim().endsWith('\\') && !res.ruleset.commands.some((c) => c.range.start.line === i)) {
        failures.push(`${f}:${i + 1}: invocation not found: ${line.trim()}`);
      }
    });
    for (const d of res.diagnostics.filter((x) => x.severity === 'error')) {
      const lines = text.split('\n');
      const word = lines[d.range.start.line].slice(d.range.start.character, d.range.end.line === d.range.start.line ? d.range.end.character : undefined);
      // A variable set once to a literal is read as its value: iptables refuses what the value says (`IPADDR=your_ip_address_here`).
      const known = d.data?.ofVariable === true && res.ruleset.format === 'script' && / is .* here, as set on lines? [0-9, ]+(; not quoted, it is split into \d+ words)?\)$/.test(d.message);
      if ((word.includes('$') || word.includes('`')) && !known) failures.push(`${f}:${d.range.start.line + 1}: error on a shell expansion '${word}': ${d.message}`);
    }
  }
  assert.ok(invocations > 1500, `found ${invocations} invocations`);
  assert.deepEqual(failures, []);
});

test('corpus: the directory layout is what the tests expect', { skip }, () => {
  assert.ok(existsSync(path.join(CORPUS, 'save')));
  assert.equal(readdirSync(path.join(CORPUS, 'save')).length, 105);
});

test('corpus: every shadowed/redundant/reject-before-accept claim is confirmed by concrete packets', { skip }, (t) => {
  const accepted = oracle();
  let claims = 0;
  const refuted: string[] = [];
  for (const r of accepted) {
    const res = lint(readFileSync(path.join(CORPUS, 'save', r.file), 'utf8'), { fileName: r.file });
    for (const d of res.diagnostics.filter((x) => ['shadowed-rule', 'redundant-rule', 'reject-before-accept'].includes(x.code))) {
      const cmd = res.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
      claims++;
      const why = refuteDead(res, cmd, 40, claims);
      if (why) refuted.push(`${r.file}:${d.range.start.line + 1} ${d.code}: ${why}`);
    }
  }
  t.diagnostic(`${claims} claims in the corpus files, each walked with 40 concrete packets`);
  assert.ok(claims > 400);
  assert.deepEqual(refuted, []);
});
