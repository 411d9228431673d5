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
