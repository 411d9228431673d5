/**
 * The script lexer splits a command line into the words bash gives the command: quotes of both kinds, backslashes
 * inside and outside them, blanks, comments and `;`, held to bash itself running the same line from a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { lexShell } from '../../server/src/engine/shellLexer';

const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

/** The words of the script's first command after `printf '[%s]'`, as the lexer reads them. */
function lexedArguments(script: string): string[] {
  const items = lexShell(script);
  const end = items.findIndex((i) => i.kind === 'op');
  return (end < 0 ? items : items.slice(0, end)).flatMap((i) => (i.kind === 'word' ? [i.value] : [])).slice(2);
}

test('the words of a command line are those bash passes to the command', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'shell-words-')), 'words.sh');
  // No $ (an expansion has no value here), no *, ?, [ or braces (bash expands them), no ~ at a word's start (the home
  // directory): everything else that splits words, and characters that stand for themselves.
  const tail = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\t', '"', "'", '\\', '\n', '-', '=', '#', ';', '1', '.', '/', ':', ',', '+', '@', '%', '^', '}'), maxLength: 24 });
  fc.assert(fc.property(tail, (text) => {
    const script = `printf '[%s]' ${text}`;
    writeFileSync(file, script);
    // A line bash refuses (a quote left open) is the unclosed-quote test's.
    if (spawnSync('bash', ['-n', file]).status !== 0) return;
    const out = spawnSync('bash', [file], { encoding: 'utf8' }).stdout;
    const words = (out.match(/\[[^\]]*\]/g) ?? []).map((w) => w.slice(1, -1));
    // printf with no argument prints its format once, as for one empty argument.
    const lexed = lexedArguments(script);
    assert.deepEqual(lexed.length ? lexed : [''], words, JSON.stringify(text));
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: 3 });
});

test('a backslash that ends the file is dropped, as bash drops it when it reads a script', () => {
  assert.deepEqual(lexedArguments("printf '[%s]' a\t\\"), ['a']);
  assert.deepEqual(lexedArguments("printf '[%s]' a\\"), ['a']);
});

test('every word knows where it stands: its raw text is the text between its start and its end', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', ' ', '\t', '"', "'", '\\', '\n', '-', '=', '#', ';', '$', '{', '}', '(', ')', '`', '|', '&', '<', '>', '.', '/', ':', '*'), maxLength: 40 });
  fc.assert(fc.property(text, fc.boolean(), (t, template) => {
    const script = template ? `{{ x }} ${t}` : t;
    const starts = [0];
    for (let k = 0; k < script.length; k++) if (script[k] === '\n') starts.push(k + 1);
    for (const item of lexShell(script)) {
      if (item.kind !== 'word') continue;
      const tok = item;
      assert.equal(script.slice(starts[tok.line] + tok.start, starts[tok.endLine] + tok.end), tok.raw, JSON.stringify(script));
    }
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: 5 });
});
