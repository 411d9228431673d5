/**
 * Meaning preserved, proven with the real kernel: formatting a ruleset changes nothing the kernel loads, and every
 * quick-fix yields a file the kernel still accepts, with no new error. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyEdits, formatEdits } from '../../server/src/engine/format';
import { lint } from '../../server/src/engine/lint';
import { toLspDiagnostic } from '../../server/src/convert';
import { codeActions } from '../../server/src/features/codeActions';
import { CORPUS, requirement, ROOT } from '../helpers/env';
import { existsSync } from 'node:fs';
import { applyTextEdits } from '../helpers/edits';
import { fixAll } from '../../server/src/engine/fixes';
import { KernelCase, kernelUnavailable, loadAll } from './oracle';

const why = kernelUnavailable() ?? (existsSync(CORPUS) ? undefined : `the corpus is not at ${CORPUS}`);
const skip = requirement(!why, `the meaning-preservation tests cannot run: ${why}`);

function acceptedCorpus(): Array<{ name: string; family: 4 | 6; text: string }> {
  const rows = readFileSync(path.join(CORPUS, 'ORACLE.md'), 'utf8').split('\n').map((l) => l.split('|').map((x) => x.trim())).filter((c) => c.length > 10 && c[9] === 'ACCEPT');
  return rows.map((c) => ({ name: c[1], family: (c[2] === '6' ? 6 : 4) as 4 | 6, text: readFileSync(path.join(CORPUS, 'save', c[1]), 'utf8') }));
}

/** What the kernel holds, without the counters and the comment lines iptables-save adds. */
const canonical = (save: string | undefined) => (save ?? '').split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');

const format = (text: string, name: string) => applyEdits(text, formatEdits(lint(text, { fileName: name })));

test('formatting changes nothing the kernel loads (every accepted corpus file), and formatting twice equals once', { skip, timeout: 120000 }, (t) => {
  const files = acceptedCorpus();
  assert.ok(files.length >= 80);
  const cases: KernelCase[] = files.flatMap((f) => [{ family: f.family, text: f.text }, { family: f.family, text: format(f.text, f.name) }]);
  const verdicts = loadAll(cases, { save: true });
  const failures: string[] = [];
  let changed = 0;
  files.forEach((f, i) => {
    const original = verdicts[2 * i];
    const formatted = verdicts[2 * i + 1];
    const once = cases[2 * i + 1].text;
    if (once !== f.text) changed++;
    if (!original.accepted) failures.push(`${f.name}: the original does not load here: ${original.message}`);
    else if (!formatted.accepted) failures.push(`${f.name}: the formatted file is refused: ${formatted.message}`);
    else if (canonical(original.saved) !== canonical(formatted.saved)) failures.push(`${f.name}: the kernel holds something else after formatting`);
    if (format(once, f.name) !== once) failures.push(`${f.name}: formatting twice differs from once`);
  });
  t.diagnostic(`${files.length} files; ${changed} were changed by the formatter, all load to the same kernel state`);
  assert.deepEqual(failures, []);
});

test('every quick-fix on the corpus and the examples keeps the file loadable, with no new error', { skip, timeout: 180000 }, (t) => {
  const examples = readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.iptables')).map((f) => ({ name: f, family: 4 as const, text: readFileSync(path.join(ROOT, 'examples', f), 'utf8') }));
  const files = [...acceptedCorpus(), ...examples];
  const fixes: Array<{ file: string; title: string; family: 4 | 6; text: string; errorsBefore: number; acceptedBefore?: boolean }> = [];
  for (const f of files) {
    const result = lint(f.text, { fileName: f.name });
    const doc = TextDocument.create(`file:///${f.name}`, 'iptables', 1, f.text);
    const diags = result.diagnostics.map((d) => toLspDiagnostic(d, doc.uri, 'file:///docs'));
    const seen = new Set<string>();
    const errorsBefore = result.diagnostics.filter((d) => d.severity === 'error').length;
    for (const a of codeActions(doc, result, diags)) {
      const key = `${a.diagnostics?.[0].code}:${a.title.replace(/line \d+|'[^']*'/g, '…')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      fixes.push({ file: f.name, title: a.title, family: f.family, text: applyTextEdits(f.text, a.edit!.changes![doc.uri]), errorsBefore });
    }
  }
  const originals = loadAll(files.map((f) => ({ family: f.family, text: f.text })));
  const accepted = new Map(files.map((f, i) => [f.name, originals[i].accepted]));
  const verdicts = loadAll(fixes.map((x) => ({ family: x.family, text: x.text })));
  const failures: string[] = [];
  fixes.forEach((x, i) => {
    if (accepted.get(x.file) && !verdicts[i].accepted) failures.push(`${x.file}: '${x.title}' made the file unloadable: ${verdicts[i].message}`);
    const after = lint(x.text, { fileName: x.file }).diagnostics.filter((d) => d.severity === 'error').length;
    if (after > x.errorsBefore) failures.push(`${x.file}: '${x.title}' added ${after - x.errorsBefore} error(s)`);
  });
  t.diagnostic(`${fixes.length} distinct quick-fixes applied on ${files.length} files and loaded into the kernel`);
  assert.ok(fixes.length > 100);
  assert.deepEqual(failures, []);
});

/** `-m state --state` and `-m conntrack --ctstate` are the same test; the kernel holds them as different modules. */
const sameState = (save: string) => save.replace(/-m state( !)? --state /g, '-m conntrack$1 --ctstate ');

test('fix all changes nothing the kernel loads, and makes refused files load where only safe fixes were missing', { skip, timeout: 180000 }, (t) => {
  const all = readFileSync(path.join(CORPUS, 'ORACLE.md'), 'utf8').split('\n').map((l) => l.split('|').map((x) => x.trim())).filter((c) => c.length > 10 && (c[9] === 'ACCEPT' || c[9] === 'REJECT'));
  const examples = readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.iptables')).map((f) => ({ name: f, family: 4 as const, text: readFileSync(path.join(ROOT, 'examples', f), 'utf8') }));
  const files = [...all.map((c) => ({ name: c[1], family: (c[2] === '6' ? 6 : 4) as 4 | 6, text: readFileSync(path.join(CORPUS, 'save', c[1]), 'utf8') })), ...examples];
  const fixed = files.map((f) => fixAll(f.text, { fileName: f.name }));
  const changed = files.map((f, i) => i).filter((i) => fixed[i].text !== files[i].text);
  assert.ok(changed.length >= 10, `only ${changed.length} files have something to fix`);
  const verdicts = loadAll(changed.flatMap((i) => [{ family: files[i].family, text: files[i].text }, { family: files[i].family, text: fixed[i].text }]), { save: true });
  const failures: string[] = [];
  let nowLoad = 0;
  changed.forEach((i, k) => {
    const [before, after] = [verdicts[2 * k], verdicts[2 * k + 1]];
    const name = files[i].name;
    if (before.accepted && !after.accepted) failures.push(`${name}: fix all made it unloadable: ${after.message}`);
    else if (before.accepted && sameState(canonical(before.saved)) !== sameState(canonical(after.saved))) failures.push(`${name}: the kernel holds something else after fix all`);
    if (!before.accepted && after.accepted) nowLoad++;
    const errors = (text: string) => lint(text, { fileName: name }).diagnostics.filter((d) => d.severity === 'error').length;
    if (errors(fixed[i].text) > errors(files[i].text)) failures.push(`${name}: fix all added errors`);
  });
  t.diagnostic(`${changed.length} of ${files.length} files changed by fix all (${fixed.reduce((n, f) => n + f.fixes.length, 0)} fixes); every accepted one loads to the same kernel state; ${nowLoad} refused files now load`);
  assert.deepEqual(failures, []);
});
