/** The hover on a user chain names the rules that jump to it as the kernel follows them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';
import { inlayHints } from '../../server/src/features/inlayHints';

const script = [
  '#!/bin/sh',
  'iptables -N OLD',
  'iptables -A INPUT -p tcp --dport 22 -j OLD',
  'iptables -E OLD LOGGED',
  'iptables -A INPUT -p tcp --dport 80 -j LOGGED',
  'iptables -A INPUT -p tcp --dport 81 -j LOGGED',
  'iptables -D INPUT -p tcp --dport 81 -j LOGGED',
  'iptables -A LOGGED -j ACCEPT',
  '',
].join('\n');

test('a chain renamed with -E: the jump made before the rename counts, a deleted rule does not', () => {
  const r = lint(script, { fileName: 'fw.sh' });
  const md = hover(r, { line: 7, character: 12 })!.markdown;
  assert.match(md, /\*\*LOGGED\*\* — user chain of `filter`/);
  assert.match(md, /Jumped to from line 3, line 5\./);
});

test('a chain nothing jumps to says so, even with a rule of another table naming it', () => {
  const r = lint('*nat\n:X - [0:0]\n-A PREROUTING -j X\nCOMMIT\n*filter\n:X - [0:0]\n-A X -j ACCEPT\nCOMMIT\n', { fileName: 'rules.v4' });
  assert.match(hover(r, { line: 6, character: 4 })!.markdown, /\*\*X\*\* — user chain of `filter`[\s\S]*Nothing jumps to it\./);
  assert.match(hover(r, { line: 2, character: 17 })!.markdown, /\*\*X\*\* — user chain of `nat`[\s\S]*Jumped to from line 3\./);
});

test('hover on a rule iptables refuses in a script says it is not added, and the rules after it are counted without it', () => {
  const text = '#!/bin/sh\niptables -A INPUT -j REJECT --reject-with tcp-reset\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  const r = lint(text, { fileName: 'fw.sh' });
  assert.match(hover(r, { line: 1, character: 10 })!.markdown, /^\*\*Not added to INPUT\*\* \(`filter` table\): iptables refuses this command/);
  assert.match(hover(r, { line: 2, character: 10 })!.markdown, /^\*\*Rule 1 of 1 in INPUT\*\*/);
  // The inlay hints number the rules the same way.
  assert.deepEqual(inlayHints(r, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }).map((h) => `${h.position.line} ${h.label}`), ['2 #1']);
});
