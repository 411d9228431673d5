/**
 * The extension as a person sees it, in a real VS Code in Chromium: open a file from the Explorer, the language in
 * the status bar, the squiggle, the Problems panel with codes, a hover box, the quick-fix menu. Screenshots go to
 * test-results/screenshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, Page } from 'playwright-core';
import { requirement, ROOT } from '../helpers/env';
import { CHROMIUM, CHROMIUM_ARGS, e2eUnavailable, installExtension, makeDirs, startCodeServer } from './codeServer';
import { makeWorkspace } from './workspace';

const VSIX = path.join(ROOT, 'iptables-language.vsix');
const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
const why = e2eUnavailable() ?? (existsSync(VSIX) ? undefined : `the extension is not packaged (${VSIX})`);
const skip = requirement(!why, `the VS Code UI tests cannot run: ${why}`);

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

test('as a person sees it: Explorer, status bar, squiggle, Problems, hover, quick-fix', { skip, timeout: 180000 }, async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const dirs = makeDirs();
  installExtension(dirs, VSIX);
  const workspace = makeWorkspace();
  const server = await startCodeServer(dirs, { 'workbench.colorTheme': 'Default Dark Modern' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    const row = page.getByRole('treeitem', { name: 'common-mistakes.iptables' });
    await row.waitFor({ timeout: 60000 });
    await row.click();
    await page.locator('.monaco-editor .view-lines').first().waitFor();
    const mode = page.locator('#status\\.editor\\.mode');
    await assertEventually(async () => (await mode.innerText()).trim() === 'iptables', 'the status bar names the language');
    t.diagnostic(`status bar language: ${(await mode.innerText()).trim()}`);
    const squiggle = page.locator('.squiggly-error').first();
    await squiggle.waitFor({ timeout: 30000 });
    await shot(page, 'editor-diagnostics');

    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.waitFor({ timeout: 15000 });
    await assertEventually(async () => /unknown-target/.test(await problems.innerText()) && /lookalike-character/.test(await problems.innerText()), 'the Problems panel lists the codes');
    await shot(page, 'problems-panel');
    await page.keyboard.press('Control+Shift+M');
    // (Should the panel stay open, the squiggle above it can still be hovered.)
    await problems.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);

    // Rest the mouse on the squiggle. The editor closes a hover when its layout changes (the panel closing, a
    // notification), and a mouse that stays still does not open it again: a person moves the mouse off and back.
    const box = await squiggle.boundingBox();
    assert.ok(box, 'the squiggle is visible');
    const hover = page.locator('.monaco-hover').filter({ hasText: /iptables|target|ACCEPT/ }).first();
    for (let attempt = 0; ; attempt++) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height + 200);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
      try {
        await hover.waitFor({ state: 'visible', timeout: 5000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
      }
    }
    t.diagnostic(`hover: ${(await hover.innerText()).split('\n')[0]}`);
    await shot(page, 'hover');

    // Put the cursor on the squiggle and ask for quick fixes, again if the editor was still busy with the hover
    // (a key pressed while the hover closes can be lost).
    const menu = page.locator('.action-widget').first();
    for (let attempt = 0; ; attempt++) {
      await page.mouse.click(box.x + 2, box.y + box.height / 2);
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+.');
      try {
        await menu.waitFor({ state: 'visible', timeout: 4000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
      }
    }
    await assertEventually(async () => /Disable|Change to|Replace/.test(await menu.innerText()), 'the quick-fix menu offers fixes');
    t.diagnostic(`quick fixes: ${(await menu.innerText()).split('\n').slice(0, 4).join(' | ')}`);
    await shot(page, 'quick-fix');
    await page.keyboard.press('Escape');
  } finally {
    await browser.close();
    await server.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(dirs.root, { recursive: true, force: true });
  }
});

async function assertEventually(check: () => Promise<boolean>, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`timed out: ${what}`);
}
