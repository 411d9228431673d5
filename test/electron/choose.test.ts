/** The @vscode/test-electron launcher's choice, without starting VS Code. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { chooseVSCode } from './choose';
import { ROOT } from '../helpers/env';

const never = async () => false;
const always = async () => true;

test('VSCODE_EXECUTABLE wins when it names an executable', async () => {
  const c = await chooseVSCode({ env: { VSCODE_EXECUTABLE: '/opt/code/code' }, isExecutable: (p) => p === '/opt/code/code', canDownload: always });
  assert.deepEqual(c, { kind: 'executable', path: '/opt/code/code' });
});

test('a VSCODE_EXECUTABLE that is not executable is refused, not downloaded around', async () => {
  const c = await chooseVSCode({ env: { VSCODE_EXECUTABLE: '/nope' }, isExecutable: () => false, canDownload: always });
  assert.equal(c.kind, 'refuse');
  assert.match((c as { message: string }).message, /'\/nope', which is not an executable/);
});

test('without VSCODE_EXECUTABLE it downloads when it can', async () => {
  assert.deepEqual(await chooseVSCode({ env: {}, isExecutable: () => false, canDownload: always }), { kind: 'download', version: 'stable' });
  assert.deepEqual(await chooseVSCode({ env: { VSCODE_VERSION: '1.100.0' }, isExecutable: () => false, canDownload: always }), { kind: 'download', version: '1.100.0' });
});

test('neither download nor executable: a clear refusal saying what it needs', async () => {
  const c = await chooseVSCode({ env: {}, isExecutable: () => false, canDownload: never });
  assert.equal(c.kind, 'refuse');
  assert.match((c as { message: string }).message, /VSCODE_EXECUTABLE=.*npm test/);
});

test('npm run test:electron stops at once with the message when VS Code cannot be had', () => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'electron', 'run.ts')], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, VSCODE_EXECUTABLE: '/nonexistent/code' }, timeout: 30000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /not an executable file/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(Date.now() - t0 < 20000);
});
