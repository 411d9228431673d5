/** The extension-host test module, bundled for a launcher (code-server runner or @vscode/test-electron). */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { ROOT } from '../helpers/env';

export const VSIX = path.join(ROOT, 'iptables-language.vsix');
export const OUT = path.join(ROOT, '.cache', 'e2e');

/** The packaged extension, unpacked: what --install-extension would put in place. */
export function unpackVsix(dest: string): string {
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  execFileSync('unzip', ['-q', VSIX, 'extension/*', '-d', dest]);
  return path.join(dest, 'extension');
}

export async function buildSuite(): Promise<string> {
  const outfile = path.join(OUT, 'suite.js');
  await build({ entryPoints: [path.join(__dirname, 'suite', 'index.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
  return outfile;
}
