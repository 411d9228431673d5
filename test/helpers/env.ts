/** Where the shared test data is, and how tests that need the environment skip (or fail in CI). */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SHARED = process.env.IPTABLES_SHARED ?? path.resolve(ROOT, '..', 'shared');
export const CORPUS = path.join(SHARED, 'corpus');
export const IN_CI = process.env.CI === 'true';

/**
 * Returns undefined when the requirement is met; otherwise the reason to skip. In CI a missing requirement is a
 * failure, so the caller throws instead of skipping.
 */
export function requirement(ok: boolean, what: string): string | undefined {
  if (ok) return undefined;
  if (IN_CI) throw new Error(`CI=true but ${what}`);
  const msg = `SKIPPED: ${what}`;
  process.stderr.write(`${msg}\n`);
  return msg;
}

export const corpusSkip = (): string | undefined => requirement(existsSync(CORPUS), `the corpus is not at ${CORPUS}`);
