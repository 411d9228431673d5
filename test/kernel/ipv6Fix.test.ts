/**
 * ipv6-unfiltered's quick fix with the real kernel: the block it writes for each corpus script it reports, and for
 * hand-written scripts, runs in a throw-away network namespace with ip6tables, every command accepted, and the kernel
 * then holds each rule of the block in IPv6's INPUT. Needs root (and the corpus); with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { CORPUS, requirement } from '../helpers/env';
import { withIpv6Block } from '../helpers/ipv6Block';
import { kernelUnavailable } from './oracle';

const why = kernelUnavailable() ?? (existsSync(CORPUS) ? undefined : `the corpus is not at ${CORPUS}`);
const skip = requirement(!why, `the IPv6 blocks cannot be checked against the kernel: ${why}`);

const HAND = [
  '#!/bin/sh\niptables -F\niptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\niptables -A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\niptables -A INPUT -p tcp --dport 113 -j REJECT --reject-with icmp-port-unreachable\niptables -A INPUT -j LOG --log-prefix "it\'s $dropped: "\n',
  '#!/bin/sh\niptables -A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p udp -m udp --dport 51820 -j ACCEPT\niptables -A INPUT -j REJECT --reject-with icmp-host-prohibited\n',
];

/** The block's commands, as the namespace runs them (without sudo). */
function blockOf(text: string, name: string): string[] {
  const out = withIpv6Block(text, name);
  assert.ok(out, `${name}: a fix`);
  return out.text.split('\n').slice(out.from, out.to).map((l) => l.trim().replace(/^sudo /, '')).filter((l) => !l.startsWith('#'));
}

test('kernel: ip6tables accepts every command of the IPv6 block, and holds each of its rules', { skip, timeout: 120000 }, (t) => {
  const scripts: Array<[string, string]> = HAND.map((s, i) => [`hand-${i + 1}.sh`, s]);
  for (const f of readdirSync(path.join(CORPUS, 'scripts'))) {
    const text = readFileSync(path.join(CORPUS, 'scripts', f), 'utf8');
    if (lint(text, { fileName: f }).diagnostics.some((d) => d.code === 'ipv6-unfiltered')) scripts.push([f, text]);
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-ipv6-'));
  try {
    symlinkSync('/usr/sbin/ip6tables-legacy', path.join(dir, 'ip6tables'));
    for (const [name, text] of scripts) {
      const block = blockOf(text, name);
      writeFileSync(path.join(dir, 'run.sh'), `set -e\nexport PATH=${dir}:$PATH\n${block.join('\n')}\nip6tables-legacy-save -t filter\n`);
      const r = spawnSync('unshare', ['-n', 'sh', path.join(dir, 'run.sh')], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${name}: ${r.stderr}\n${block.join('\n')}`);
      const held = r.stdout.split('\n').filter((l) => l.startsWith('-A INPUT '));
      const written = block.filter((l) => l.startsWith('ip6tables -A INPUT '));
      assert.equal(held.length, written.length, `${name}: every rule of the block is in the kernel\n${r.stdout}`);
      const policy = block.includes('ip6tables -P INPUT DROP') ? 'DROP' : 'ACCEPT';
      assert.match(r.stdout, new RegExp(`^:INPUT ${policy} `, 'm'), name);
    }
    t.diagnostic(`${scripts.length} scripts' IPv6 blocks loaded`);
    assert.ok(scripts.length >= 17);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
