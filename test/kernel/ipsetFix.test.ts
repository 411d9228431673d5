/**
 * prefer-ipset's quick fix with the real kernel: the rewritten script runs in a throw-away network namespace, and the
 * kernel holds the set with every address and the one rule that uses it. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';
import { kernelUnavailable } from './oracle';

const why = kernelUnavailable();
const skip = requirement(!why, `the ipset rewrite cannot be checked against the kernel: ${why}`);

test('kernel: a blocklist rewritten into an ipset runs, and the kernel holds the set and the one rule', { skip, timeout: 60000 }, () => {
  const addresses = Array.from({ length: 30 }, (_, i) => `198.51.${i}.0/24`);
  const script = ['#!/bin/sh', 'set -e', ...addresses.map((a) => `iptables -A INPUT -s ${a} -m comment --comment "blocklist" -j DROP`), 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', ''].join('\n');
  const r = lint(script, { fileName: 'fw.sh' });
  const d = r.diagnostics.find((x) => x.code === 'prefer-ipset')!;
  const fix = quickFixes(r, d).find((f) => f.title.startsWith('Put the'))!;
  const fixed = applyEdits(script, fix.edits);
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-ipset-'));
  try {
    symlinkSync('/usr/sbin/iptables-legacy', path.join(dir, 'iptables'));
    writeFileSync(path.join(dir, 'run.sh'), `export PATH=${dir}:$PATH\n${fixed.replace(/^#!.*\n/, '')}\niptables-legacy-save -t filter\nipset list input_sources\n`);
    const out = execFileSync('unshare', ['-n', 'sh', path.join(dir, 'run.sh')], { encoding: 'utf8', stdio: 'pipe' });
    assert.match(out, /^-A INPUT -m set --match-set input_sources src -m comment --comment blocklist -j DROP$/m);
    assert.match(out, /^-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT$/m);
    for (const a of addresses) assert.ok(out.includes(`\n${a}`), `${a} in the set`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
