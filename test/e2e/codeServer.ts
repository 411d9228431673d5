/**
 * A real VS Code (code-server) and Chromium for the end-to-end tests: start, wait until healthy, stop the whole
 * process group. Everything lives in a temporary folder; nothing is written to the home folder.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers/env';

export const CODE_SERVER = path.join(ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Why the editor tests cannot run here, or undefined. */
export function e2eUnavailable(): string | undefined {
  if (!existsSync(CODE_SERVER)) return `code-server is not installed (run scripts/install-code-server.sh): ${CODE_SERVER}`;
  if (!existsSync(CHROMIUM)) return `Chromium is not installed at ${CHROMIUM} (Debian package chromium)`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface CodeServer {
  port: number;
  url: string;
  dirs: { root: string; userData: string; extensions: string };
  stop(): Promise<void>;
  log(): string;
}

export function makeDirs(): CodeServer['dirs'] {
  const root = mkdtempSync(path.join(tmpdir(), 'ipt-e2e-'));
  const dirs = { root, userData: path.join(root, 'user-data'), extensions: path.join(root, 'extensions') };
  for (const d of [dirs.userData, dirs.extensions, path.join(root, 'xdg-config'), path.join(root, 'xdg-data')]) mkdirSync(d, { recursive: true });
  return dirs;
}

function env(dirs: CodeServer['dirs']): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: path.join(dirs.root, 'xdg-config'), XDG_DATA_HOME: path.join(dirs.root, 'xdg-data'), HOME: dirs.root };
}

export function installExtension(dirs: CodeServer['dirs'], vsix: string): string {
  return execFileSync(CODE_SERVER, ['--extensions-dir', dirs.extensions, '--user-data-dir', dirs.userData, '--install-extension', vsix], { env: env(dirs), encoding: 'utf8' });
}

export async function startCodeServer(dirs: CodeServer['dirs'], settings: Record<string, unknown> = {}): Promise<CodeServer> {
  const port = await freePort();
  const config = path.join(dirs.root, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'workbench.tips.enabled': false, 'update.mode': 'none',
    'workbench.enableExperiments': false, 'editor.hover.delay': 200, ...settings,
  }, null, 2));
  let output = '';
  const proc: ChildProcess = spawn(CODE_SERVER, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--config', config,
  ], { env: env(dirs), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (proc.exitCode !== null) throw new Error(`code-server exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 60 s: ${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port,
    url,
    dirs,
    log: () => output,
    stop: async () => {
      try {
        process.kill(-proc.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 300));
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
