/** A smoke run of the benchmark on small sizes: it runs, prints its tables, and writes nothing. No timing is asserted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/env';

test('npm run bench -- --smoke prints its figures', { timeout: 120000 }, () => {
  const before = existsSync(path.join(ROOT, 'BENCHMARKS.md')) ? readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8') : undefined;
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'run.ts'), '--smoke'], { cwd: ROOT, encoding: 'utf8', timeout: 110000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| generated 1,000 rules \| \d+ \| [\d.]+ \| [\d.]+ \| \d+ \|/);
  assert.match(r.stdout, /keystroke to updated diagnostics, p95 over 10 edits \| [\d.]+ ms/);
  assert.match(r.stdout, /\| target \| measured \|/);
  const after = existsSync(path.join(ROOT, 'BENCHMARKS.md')) ? readFileSync(path.join(ROOT, 'BENCHMARKS.md'), 'utf8') : undefined;
  assert.equal(after, before, 'a smoke run leaves BENCHMARKS.md alone');
});
