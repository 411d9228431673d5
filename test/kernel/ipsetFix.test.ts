/**
 * prefer-ipset's quick fix with the real kernel: the rewritten script runs in a throw-away network namespace, the
 * kernel holds the set with every address and the one rule that uses it, and real packets meet the same fate before
 * and after. Needs root; with CI=true it must run.
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
import { FW_ADDR, makeNetPair, netnsUnavailable, readCounters, SENDER } from './netns';

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

const noNet = netnsUnavailable();
const skipNet = requirement(!noNet, `the ipset rewrite cannot be checked with real packets: ${noNet}`);

test('kernel: real packets meet the same fate before and after the rewrite', { skip: skipNet, timeout: 60000 }, (t) => {
  const blocked = [...Array.from({ length: 20 }, (_, i) => `198.51.100.${i * 8}/29`), '192.0.2.3', '203.0.113.0/24'];
  const script = ['#!/bin/sh', ...blocked.map((a) => `iptables-legacy -A INPUT -s ${a} -j DROP`), 'iptables-legacy -A INPUT -p udp --dport 53 -j ACCEPT', ''].join('\n');
  const r = lint(script, { fileName: 'fw.sh' });
  const fix = quickFixes(r, r.diagnostics.find((d) => d.code === 'prefer-ipset')!).find((f) => f.title.startsWith('Put the'))!;
  const rewritten = applyEdits(script, fix.edits);
  assert.match(rewritten, /iptables-legacy -A INPUT -m set --match-set input_sources src -j DROP/);
  const net = makeNetPair();
  const fates = (text: string) => {
    net.run(net.fw, ['sh', '-c', 'iptables-legacy -F INPUT; ipset destroy 2>/dev/null; true']);
    net.run(net.fw, ['sh', '-c', text]);
    let sport = 42000;
    return ['192.0.2.2', '192.0.2.3', '203.0.113.9'].map((src) => {
      net.run(net.fw, ['iptables-legacy', '-Z', 'INPUT']);
      net.run(net.peer, ['python3', '-c', SENDER, 'udp', src, FW_ADDR, String(sport++), '53']);
      const counts = readCounters(net.run(net.fw, ['iptables-legacy-save', '-c', '-t', 'filter'])).get('filter')!.get('INPUT')!;
      return counts[counts.length - 1] > 0 ? 'accepted' : 'dropped';
    });
  };
  try {
    const before = fates(script);
    const after = fates(rewritten);
    t.diagnostic(`before: ${before.join(', ')}; after: ${after.join(', ')}`);
    assert.deepEqual(before, ['accepted', 'dropped', 'dropped']);
    assert.deepEqual(after, before);
  } finally {
    net.destroy();
  }
});
