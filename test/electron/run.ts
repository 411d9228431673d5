/**
 * `npm run test:electron`: the extension-host suite (test/e2e/suite) under @vscode/test-electron, for desktops.
 * CI uses the code-server runner instead (test/e2e/extension.test.ts); both load the same run().
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildSuite } from '../e2e/build';
import { makeWorkspace } from '../e2e/workspace';
import { ROOT } from '../helpers/env';
import { chooseVSCode, DOWNLOAD_HOST } from './choose';

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

async function canDownload(): Promise<boolean> {
  try {
    await Promise.race([lookup(DOWNLOAD_HOST), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 3000))]);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<number> {
  const choice = await chooseVSCode({ env: process.env, isExecutable, canDownload });
  if (choice.kind === 'refuse') {
    process.stderr.write(`${choice.message}\n`);
    return 2;
  }
  if (!existsSync(path.join(ROOT, 'dist', 'server.js'))) {
    process.stderr.write('Build the extension first: npm run build\n');
    return 2;
  }
  const extensionTestsPath = await buildSuite();
  const workspace = makeWorkspace();
  const common = { extensionDevelopmentPath: ROOT, extensionTestsPath, launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'] };
  return choice.kind === 'executable'
    ? runTests({ ...common, vscodeExecutablePath: choice.path })
    : runTests({ ...common, version: choice.version });
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`The extension tests failed: ${(e as Error).message ?? e}\n`);
    process.exitCode = 1;
  },
);
