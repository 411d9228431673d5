/** Renaming a chain rewrites every place that names it, and refuses where a name is a shell value's. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseError } from 'vscode-languageserver';
import { lint } from '../../server/src/engine/lint';
import { highlights, prepareRename, rename } from '../../server/src/features/navigation';

const text = [
  '#!/bin/sh',
  'for c in WEB SSH; do iptables -N $c; done',
  'iptables -A INPUT -p tcp --dport 80 -j WEB',
  'CH=SSH',
  'iptables -A INPUT -j $CH',
  'iptables -N OTHER',
  'iptables -A INPUT -j OTHER',
  '',
].join('\n');
const r = lint(text, { fileName: 'fw.sh' });
const at = (line: number, word: string) => ({ line, character: text.split('\n')[line].indexOf(word) + 1 });

test('a chain named through a shell value (a loop\'s word, a variable) is not renamed: the edit would rewrite the value\'s word', () => {
  for (const pos of [at(2, 'WEB'), at(4, '$CH')]) {
    const refused = rename(r, 'file:///fw.sh', pos, 'NEWNAME');
    assert.ok(refused instanceof ResponseError, JSON.stringify(refused));
    assert.match(refused.message, /is also named through a shell value \(`\$(c|CH)` on line [25]\): rename it where that value is set/);
    assert.ok(prepareRename(r, pos) instanceof ResponseError);
  }
  // Highlights still show every place, the value's word once (a loop's commands share it).
  assert.deepEqual(highlights(r, at(2, 'WEB')).map((h) => h.range.start.line), [1, 2]);
  // A chain named plainly is renamed everywhere.
  const edit = rename(r, 'file:///fw.sh', at(6, 'OTHER'), 'OTHER2') as { changes: Record<string, Array<{ range: { start: { line: number } } }>> };
  assert.deepEqual(edit.changes['file:///fw.sh'].map((e) => e.range.start.line), [5, 6]);
});
