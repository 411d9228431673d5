/**
 * Extension-host tests inside a real VS Code (code-server) driven by Chromium: the packaged .vsix is what runs,
 * and the test module calls the real vscode API. Needs the code-server install and Chromium; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { requirement } from '../helpers/env';
import { buildSuite, OUT, unpackVsix, VSIX } from './build';
import { CHROMIUM, CHROMIUM_ARGS, e2eUnavailable, makeDirs, startCodeServer } from './codeServer';
import { makeWorkspace } from './workspace';

const why = e2eUnavailable() ?? (existsSync(VSIX) ? undefined : `the extension is not packaged (${VSIX}; run npm run package)`);
const skip = requirement(!why, `the VS Code tests cannot run: ${why}`);

test('extension-host tests pass in a real VS Code, on the packaged extension', { skip, timeout: 240000 }, async (t) => {
  const extension = unpackVsix(path.join(OUT, 'vsix'));
  const suite = await buildSuite();
  const workspace = makeWorkspace();
  const dirs = makeDirs();
  const server = await startCodeServer(dirs);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const logs: string[] = [];
  try {
    const page = await browser.newPage();
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [['extensionDevelopmentPath', remote(extension)], ['extensionTestsPath', remote(suite)]];
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`no exit after 180 s; log:\n${logs.join('\n')}\n${server.log()}`)), 180000);
    });
    const code = await Promise.race([exit, timeout]).finally(() => clearTimeout(timer));
    const results = logs.filter((l) => /^(not )?ok - /.test(l));
    for (const l of results) t.diagnostic(l.split('\n')[0]);
    assert.ok(results.length >= 10, `the suite ran its cases:\n${logs.join('\n')}`);
    assert.equal(code, 0, logs.filter((l) => l.startsWith('not ok')).join('\n'));
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(dirs.root, { recursive: true, force: true });
  }
});
