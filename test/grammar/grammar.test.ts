/** The TextMate grammars: up to date with the knowledge base, and every scope asserted by vscode-tmgrammar-test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/env';

const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

test('the grammars are generated from the current knowledge base', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'grammar.ts'), '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('vscode-tmgrammar-test: every assertion in test/grammar holds', () => {
  const r = spawnSync(bin('vscode-tmgrammar-test'), ['-c', '--config', 'test/grammar/fixtures/package.json', 'test/grammar/*.test.iptables', 'test/grammar/*.test.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal((r.stdout.match(/run successfuly/g) ?? []).length, readdirSync(__dirname).filter((f) => /\.test\.(iptables|sh)$/.test(f)).length);
});

test('every scope the grammars can produce is asserted somewhere', () => {
  const scopes = new Set<string>();
  for (const f of ['iptables.tmLanguage.json', 'iptables-shell.injection.tmLanguage.json']) {
    const text = readFileSync(path.join(ROOT, 'syntaxes', f), 'utf8');
    for (const m of text.matchAll(/"name": "([^"]+)"/g)) scopes.add(m[1]);
  }
  const asserted = readdirSync(__dirname).filter((f) => /\.test\.(iptables|sh)$/.test(f)).map((f) => readFileSync(path.join(__dirname, f), 'utf8')).join('\n');
  const missing = [...scopes].filter((s) => !asserted.includes(s) && s !== 'punctuation.definition.comment.iptables' && !s.startsWith('meta.'));
  assert.deepEqual(missing, []);
});
