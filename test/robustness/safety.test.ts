/**
 * Safety: the server and the linter read documents, nothing more. They never run anything a document says, never
 * touch the network, never change the machine's firewall.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../helpers/env';
import { withClient } from '../helpers/lspClient';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('the engine, the server and the linter import no process, network or shell module', () => {
  const forbidden = /from '(node:)?(child_process|net|http|https|http2|dgram|dns|tls|cluster|worker_threads)'|require\('(node:)?(child_process|net|http|https|dgram|dns)'\)/;
  const offenders = sources(path.join(ROOT, 'server', 'src')).filter((f) => forbidden.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
  // The bundled linter needs nothing but the file system (and V8's settings, for its heap).
  const lintBundle = readFileSync(path.join(ROOT, 'dist', 'lint.js'), 'utf8');
  assert.deepEqual([...new Set(lintBundle.match(/require\("[^"]+"\)/g))].sort(), ['require("node:fs")', 'require("node:v8")']);
});

const HOSTILE = [
  '#!/bin/sh',
  'MARK=$(touch MARKER_1)',
  'iptables -A INPUT -s $(touch MARKER_2) -j ACCEPT',
  'iptables -A INPUT -s `touch MARKER_3` -j DROP; touch MARKER_4',
  'iptables -F && iptables -P INPUT DROP',
  'iptables -A INPUT -s evil.example.com -j ACCEPT',
  'ip6tables -I INPUT 1 -j DROP',
  '',
].join('\n');

test('hostile documents are read, never run: no command in them executes, the firewall stays as it was', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-safety-'));
  const doc = HOSTILE.replace(/MARKER_/g, path.join(dir, 'marker_'));
  const file = path.join(dir, 'hostile.sh');
  writeFileSync(file, doc);
  const rulesBefore = process.getuid?.() === 0 ? spawnSync('iptables-legacy-save', { encoding: 'utf8' }).stdout : undefined;
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'iptables-lint'), file], { encoding: 'utf8', cwd: dir });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'iptables-lint'), 'trace', file, '--dport', '22'], { encoding: 'utf8', cwd: dir });
    await withClient(async (c) => {
      const uri = `file://${file}`;
      await c.open(uri, doc, 'shellscript');
      await c.diagnosticsFor(uri, (p) => p.diagnostics.length > 0);
      await c.conn.sendRequest('iptables/tracePacket', { textDocument: { uri }, query: '--proto tcp --dport 22' });
    });
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('marker_')), [], 'no command from the document ran');
    if (rulesBefore !== undefined) {
      const after = spawnSync('iptables-legacy-save', { encoding: 'utf8' }).stdout;
      const strip = (s: string) => s.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/g, '')).join('\n');
      assert.equal(strip(after), strip(rulesBefore), "the machine's firewall did not change");
    }
    assert.ok(!existsSync(path.join(ROOT, 'marker_1')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
