/**
 * Proof against the real kernel: thousands of generated rulesets, committed in a throw-away network namespace,
 * compared with whether the linter reports an error. Needs root and unshare; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { BACKEND, refusals } from '../helpers/lint';
import { requirement, ROOT } from '../helpers/env';
import { generateCases } from './generate';
import { kernelUnavailable, loadAll } from './oracle';
import { compareWithKernel, formatDisagreements } from './oracle-report';

const why = kernelUnavailable();
const skip = requirement(!why, `the kernel oracle cannot run: ${why}`);
const CASES = Number(process.env.ORACLE_CASES ?? 4000);

test(`kernel oracle (iptables-${BACKEND}): ${CASES} generated rulesets, no false error, at least 99% of refusals found`, { skip }, (t) => {
  const report = compareWithKernel(generateCases(CASES, 20261126));
  const missRate = report.misses.length / report.refused;
  t.diagnostic(`kernel oracle: ${report.total} cases, kernel refused ${report.refused}, accepted ${report.accepted}; linter false errors ${report.falseErrors.length}, misses ${report.misses.length} (${(missRate * 100).toFixed(2)}%)`);
  if (report.misses.length) t.diagnostic(`misses (refused by the kernel, no error from the linter):\n${formatDisagreements(report.misses)}`);
  assert.ok(report.accepted >= 1000, `a good share of the cases must be valid (${report.accepted})`);
  assert.ok(report.refused >= 1000, `a good share of the cases must be invalid (${report.refused})`);
  assert.equal(report.falseErrors.length, 0, `errors on rulesets the kernel accepts:\n${formatDisagreements(report.falseErrors)}`);
  assert.ok(missRate <= 0.01, `miss rate ${(missRate * 100).toFixed(2)}% is above 1%`);
});

test(`kernel oracle (iptables-${BACKEND}): the example rulesets load, and the linter agrees`, { skip }, () => {
  const dir = path.join(ROOT, 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.iptables'));
  const verdicts = loadAll(files.map((f) => ({ family: 4, text: readFileSync(path.join(dir, f), 'utf8') })));
  files.forEach((f, i) => {
    const errors = refusals(lint(readFileSync(path.join(dir, f), 'utf8'), { fileName: f }).diagnostics);
    const broken = f === 'common-mistakes.iptables';
    assert.equal(verdicts[i].accepted, !broken, `${f}: kernel says ${verdicts[i].message || 'accepted'}`);
    assert.equal(errors.length > 0, broken, `${f}: linter errors ${errors.map((e) => e.message).join('; ')}`);
  });
});

/**
 * The lines of a restore file around its rules: chain lines (names, policies, counters), counters before a rule,
 * commands other than -A, tables and COMMIT in the shapes people write them. The linter refuses exactly what the
 * restore of the backend under test refuses.
 */
test(`kernel oracle (iptables-${BACKEND}): chain lines, counters and commands of restore files`, { skip }, () => {
  const H = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n';
  const texts = [
    ':FOO - [1:2]', ':FOO - [a:b]', ':FOO - [1:2:3]', ':FOO -', ':FOO DROP [0:0]', ':FOO - [0:0]\n:FOO - [0:0]', ':foo bar - [0:0]',
    '[1:2] -A INPUT -j ACCEPT', '[1:2]', '[x:0]', '[a:2] -A INPUT -j ACCEPT', '-A INPUT -j ACCEPT [1:2]', '-c 1 2 -A INPUT -j ACCEPT',
    '-A FOO -j ACCEPT\n:FOO - [0:0]', '-N FOO\n-A FOO -j ACCEPT', ':FOO - [0:0]\n-X FOO', '-F', '-Z', '-P INPUT DROP',
    '   \n  # x', '-A INPUT -j ACCEPT # comment', "-A INPUT -m comment --comment 'a b' -j ACCEPT", '-A INPUT -m comment --comment a\\ b -j ACCEPT', '\t-A INPUT -j ACCEPT', '-A\tINPUT\t-j\tACCEPT',
    ':INPUT DROP [0:0]', ':INPUT RETURN [0:0]', ':INPUT - [0:0]',
    `:${'x'.repeat(29)} - [0:0]`, `:${'x'.repeat(30)} - [0:0]`, ':-x - [0:0]', ':!x - [0:0]', ':a!b - [0:0]', ':ACCEPT - [0:0]', ':RETURN - [0:0]', ':QUEUE - [0:0]', ':LOG - [0:0]', ':DNAT - [0:0]',
  ].map((t) => `${H}${t}\nCOMMIT\n`);
  texts.push('*nat x\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', '* nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', '*nat # comment\nCOMMIT\n', '*\nCOMMIT\n', '*FILTER\n:INPUT ACCEPT [0:0]\nCOMMIT\n', '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n', `${H}-A INPUT -j ACCEPT\n`, `${H}COMMIT\nCOMMIT\n`, `${H}COMMIT \n`, '*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING DROP [0:0]\nCOMMIT\n');
  const verdicts = loadAll(texts.map((text) => ({ family: 4, text })));
  const wrong = texts.flatMap((text, i) => {
    const errors = refusals(lint(text, { fileName: 'rules.v4' }).diagnostics);
    return verdicts[i].accepted === (errors.length === 0) ? [] : [`${verdicts[i].accepted ? 'false error' : 'missed refusal'}: ${JSON.stringify(text)}${errors[0] ? ` (${errors[0].message})` : ` (${verdicts[i].message})`}`];
  });
  assert.ok(verdicts.filter((v) => !v.accepted).length >= 8, 'some of the lines are refused');
  assert.deepEqual(wrong, []);
});
