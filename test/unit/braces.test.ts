/** bash's brace expansion, held to bash itself on random words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { braceExpand } from '../../server/src/engine/parse/braces';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';

test('brace expansion: lists, sequences, padding, steps, nesting, text around', () => {
  assert.deepEqual(braceExpand('{80,443}'), ['80', '443']);
  assert.deepEqual(braceExpand('{8000..8003}'), ['8000', '8001', '8002', '8003']);
  assert.deepEqual(braceExpand('{01..10..3}'), ['01', '04', '07', '10']);
  assert.deepEqual(braceExpand('a{b,c{d,e}}f'), ['abf', 'acdf', 'acef']);
  assert.deepEqual(braceExpand('{80}'), ['{80}']);
  assert.equal(braceExpand('{1..70000}'), undefined);
});

test('property: brace expansion gives the words bash gives', () => {
  const piece = fc.constantFrom('{', '}', ',', '..', '0', '1', '2', '9', '10', '01', 'a', 'c', '-', 'x');
  const words = fc.sample(fc.array(piece, { minLength: 1, maxLength: 9 }).map((p) => p.join('')), { numRuns: 600, seed: 7 });
  // One bash for every word: each word's expansion, its words separated by \x1f, words by \x1e.
  const script = words.map((w) => `printf '%s\\037' ${w}; printf '\\036'`).join('\n');
  const out = execFileSync('bash', ['-s'], { input: script, encoding: 'utf8', maxBuffer: 1 << 26 }).split('\x1e').slice(0, -1);
  assert.equal(out.length, words.length);
  words.forEach((w, k) => {
    const bash = out[k].split('\x1f').slice(0, -1).filter((x) => x !== '');
    const ours = braceExpand(w, 100000)?.filter((x) => x !== '');
    assert.deepEqual(ours, bash, `word ${w}`);
  });
});

const has = (cmd: string) => {
  try {
    execFileSync(cmd, ['-c', 'true']);
    return true;
  } catch {
    return false;
  }
};

test('dash leaves a loop\'s braces as they are where bash expands them, as sh-brace-expansion says', { skip: requirement(has('dash') && has('bash'), 'dash and bash are not both installed') }, () => {
  const loop = 'for p in {80,443} x{1..2}; do printf "%s|" "$p"; done';
  assert.equal(execFileSync('dash', ['-c', loop], { encoding: 'utf8' }), '{80,443}|x{1..2}|');
  assert.equal(execFileSync('bash', ['-c', loop], { encoding: 'utf8' }), '80|443|x1|x2|');
  // What the check says the loop runs with, and the values its fix lists, are what each shell does.
  const r = lint(`#!/bin/sh\n${loop.replace('printf "%s|" "$p"', 'iptables -A INPUT -p tcp --dport $p -j ACCEPT')}\n`, { fileName: 'fw' });
  const found = r.diagnostics.filter((d) => d.code === 'sh-brace-expansion');
  assert.deepEqual(found.map((d) => /runs with \$p = (\S+), not/.exec(d.message)?.[1]), ['{80,443}', 'x{1..2}']);
  assert.deepEqual(found.map((d) => d.data?.replacement), ['80 443', 'x1 x2']);
});
