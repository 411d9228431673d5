/** ipv6-unfiltered's quick fix applied to a script, for the unit and kernel tests. */
import assert from 'node:assert/strict';
import { applyEdits } from '../../server/src/engine/format';
import { quickFixes } from '../../server/src/engine/fixes';
import { lint } from '../../server/src/engine/lint';

/** The script with the fix applied, and the lines the block took (first, one past the last). */
export function withIpv6Block(text: string, fileName = 'fw.sh'): { text: string; title: string; from: number; to: number } | undefined {
  const r = lint(text, { fileName });
  const d = r.diagnostics.find((x) => x.code === 'ipv6-unfiltered');
  assert.ok(d, `ipv6-unfiltered in:\n${text}`);
  const fix = quickFixes(r, d).find((f) => f.title.startsWith('Filter IPv6 too'));
  if (!fix) return undefined;
  const from = fix.edits[0].range.start.line;
  return { text: applyEdits(text, fix.edits), title: fix.title, from, to: from + fix.edits[0].newText.split('\n').length - 1 };
}
