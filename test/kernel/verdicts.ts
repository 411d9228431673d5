/** One rule per case, loaded alone by iptables-legacy (or ip6tables-legacy) in a throw-away namespace, and the linter's word on it. */
import assert from 'node:assert/strict';
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { BACKEND, refusals } from '../helpers/lint';

/** A rule (after the command word) for one family; `module` names what it exercises, to leave out when this kernel lacks it. */
export interface Case { family: 4 | 6; module: string; rule: string }

/**
 * Modules whose rules load only with something this test cannot make: a SELinux context the system knows, an nfacct
 * object. iptables-legacy here lacks both modules anyway; iptables-nft has them and refuses every such rule.
 */
const OUTSIDE = ['target SECMARK', 'match nfacct'];

/**
 * Loads every case in a namespace (its script in a temporary directory); per case, whether the kernel took it, or
 * undefined when it lacks the module. With `fresh`, each case meets empty tables: iptables-legacy skips some checks
 * of a rule that an earlier catch-all rule leaves unreachable (`-A INPUT -j ACCEPT`, then `-m owner` in INPUT).
 */
export function kernelVerdicts(all: Case[], prologue = '', fresh = false): Array<boolean | undefined> {
  const tool = (c: Case) => `${c.family === 6 ? 'ip6tables' : 'iptables'}-${BACKEND}`;
  // Empty tables: a restore file that names them with no rules (iptables-legacy-restore, ip6tables-nft-restore, ...).
  const reset = (c: Case) => (fresh ? `printf '*filter\\nCOMMIT\\n*nat\\nCOMMIT\\n*mangle\\nCOMMIT\\n*raw\\nCOMMIT\\n' | ${tool(c)}-restore; ` : '');
  const script = all.map((c) => `${reset(c)}out=$(${tool(c)} ${c.rule} 2>&1); s=$?; case "$out" in *"missing kernel module"*|*"No chain/target/match"*) echo "$s absent";; *) echo "$s";; esac`).join('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-verdicts-'));
  let r: SpawnSyncReturns<string>;
  try {
    writeFileSync(path.join(dir, 'run.sh'), `${prologue}\n${script}`);
    r = spawnSync('unshare', ['-n', 'sh', path.join(dir, 'run.sh')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, all.length, r.stderr);
  const absent = new Set([...all.filter((_, i) => lines[i].endsWith('absent')).map((c) => c.module), ...OUTSIDE]);
  return all.map((c, i) => (absent.has(c.module) ? undefined : lines[i] === '0'));
}

/** What the linter says iptables (of the backend under test) refuses in a case's rule. */
export function lintErrors(c: Case): string[] {
  return refusals(lint(`${c.family === 6 ? 'ip6tables' : 'iptables'} ${c.rule}\n`, { format: 'script' }).diagnostics).map((d) => d.message);
}

/** Each case where the linter and the kernel disagree (the kernel took it and the linter says it refuses, or the other way), said plainly; cases of a module the kernel lacks are left out. */
export function disagreements(all: Case[], verdicts: Array<boolean | undefined>): string[] {
  return all.flatMap((c, i) => {
    const errors = lintErrors(c);
    return verdicts[i] === undefined || verdicts[i] === (errors.length === 0) ? [] : [`${verdicts[i] ? 'false error' : 'missed refusal'}: ${show(c)}${errors[0] ? ` (${errors[0]})` : ''}`];
  });
}

export const show = (c: Case) => `${c.family === 6 ? 'ip6tables' : 'iptables'} ${c.rule}`;
