/** The built server over stdio with a real LSP client: diagnostics, incremental edits, settings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodeActionRequest } from 'vscode-languageserver-protocol';
import { TestClient, withClient } from '../helpers/lspClient';
import { generateRuleset } from '../../bench/generate';

const URI = 'file:///tmp/rules.v4';
const TEXT = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCPET\nCOMMIT\n';

test('publishes diagnostics with code, range, severity, link and source', async () => {
  const c = new TestClient();
  try {
    const init = (await c.initialize()) as { capabilities: { textDocumentSync: { change: number } } };
    assert.equal(init.capabilities.textDocumentSync.change, 2, 'incremental sync');
    await c.open(URI, TEXT);
    const p = await c.diagnosticsFor(URI, (x) => x.diagnostics.length > 0);
    const d = p.diagnostics.find((x) => x.code === 'unknown-target')!;
    assert.ok(d, JSON.stringify(p.diagnostics));
    assert.deepEqual(d.range, { start: { line: 2, character: 30 }, end: { line: 2, character: 36 } });
    assert.equal(d.severity, 1);
    assert.equal(d.source, 'iptables');
    assert.match(d.codeDescription!.href, /docs\/diagnostics\/unknown-target\.md$/);
  } finally {
    await c.close();
  }
});

test('tags: a dead rule and an orphan chain fade out, a chain Docker jumps to does not', async () => {
  const c = new TestClient();
  try {
    await c.initialize();
    const text = '*filter\n:INPUT ACCEPT [0:0]\n:ORPHAN - [0:0]\n:DOCKER-USER - [0:0]\n-A INPUT -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A ORPHAN -j DROP\n-A DOCKER-USER -j RETURN\nCOMMIT\n';
    await c.open(URI, text);
    const p = await c.diagnosticsFor(URI, (x) => x.diagnostics.some((d) => d.code === 'unused-chain'));
    const at = (line: number, code: string) => p.diagnostics.find((d) => d.range.start.line === line && d.code === code);
    assert.deepEqual(at(2, 'unused-chain')?.tags, [1], 'ORPHAN: unnecessary');
    assert.deepEqual(at(5, 'reject-before-accept')?.tags, [1], 'the ACCEPT after the DROP: unnecessary');
    const docker = at(3, 'unused-chain');
    assert.equal(docker?.severity, 4, 'DOCKER-USER: a hint');
    assert.equal(docker?.tags, undefined, 'DOCKER-USER: not faded out');
  } finally {
    await c.close();
  }
});

test('incremental edits re-publish diagnostics for the new version', async () => {
  await withClient(async (c) => {
    await c.open(URI, TEXT);
    await c.diagnosticsFor(URI, (x) => x.diagnostics.some((d) => d.code === 'unknown-target'));
    const v = await c.change(URI, [{ range: { start: { line: 2, character: 30 }, end: { line: 2, character: 36 } }, text: 'ACCEPT' }]);
    const p = await c.diagnosticsFor(URI, (x) => x.version === v);
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 1), []);
  });
});

test('a large document is analysed again while idle once open; edits made meanwhile, and after, are published', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/large.rules';
    const lines = generateRuleset(2500).split('\n');
    await c.open(uri, lines.join('\n'));
    const opened = await c.diagnosticsFor(uri, (x) => x.version === 1, 60000);
    // At once (while the server runs the document again), then after a pause: each edit's findings come back.
    const at = lines.findIndex((l) => l.startsWith('-A INPUT')) + 1;
    for (const [k, pause] of [[0, 0], [1, 300]]) {
      await new Promise((r) => setTimeout(r, pause));
      const v = await c.change(uri, [{ range: { start: { line: at + k, character: 0 }, end: { line: at + k, character: 0 } }, text: '-A INPUT -j ACCPET\n' }]);
      const p = await c.diagnosticsFor(uri, (x) => x.version === v, 60000);
      assert.deepEqual(p.diagnostics.filter((d) => d.code === 'unknown-target').map((d) => d.range.start.line), [at, at + 1].slice(0, k + 1));
      assert.equal(p.diagnostics.length, opened.diagnostics.length + k + 1);
    }
    assert.equal(c.stderr, '');
  });
});

test('a settings change that turns a check off re-publishes at once', async () => {
  await withClient(async (c) => {
    await c.open(URI, TEXT);
    await c.diagnosticsFor(URI, (x) => x.diagnostics.some((d) => d.code === 'unknown-target'));
    await c.setSettings({ diagnostics: { 'unknown-target': 'off' } });
    await c.diagnosticsFor(URI, (x) => !x.diagnostics.some((d) => d.code === 'unknown-target'));
    await c.setSettings({ diagnostics: { 'unknown-target': 'warning' } });
    const p = await c.diagnosticsFor(URI, (x) => x.diagnostics.some((d) => d.code === 'unknown-target'));
    assert.equal(p.diagnostics.find((d) => d.code === 'unknown-target')!.severity, 2);
  });
});

test('at most iptables.maxNumberOfProblems findings are published, the most severe first, with a note of the rest', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/many.rules';
    // Three misspelt targets (errors) after eight host-bits warnings, and one unused chain (information).
    const rules = [...Array.from({ length: 8 }, (_, i) => `-A INPUT -s 10.0.0.${i + 1}/8 -j DROP`), ...['ACCPET', 'DORP', 'REJCET'].map((t) => `-A INPUT -j ${t}`)];
    const text = ['*filter', ':INPUT ACCEPT [0:0]', ':SPARE - [0:0]', ...rules, 'COMMIT', ''].join('\n');
    await c.open(uri, text);
    const all = await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'unknown-target'));
    assert.ok(all.diagnostics.length > 12, `${all.diagnostics.length} findings`);
    assert.ok(!all.diagnostics.some((d) => d.code === undefined), 'no note while every finding is shown');
    await c.setSettings({ maxNumberOfProblems: 5 });
    const some = await c.diagnosticsFor(uri, (x) => x.diagnostics.length === 6);
    const [note, ...shown] = some.diagnostics;
    assert.equal(note.code, undefined);
    assert.deepEqual(note.range.start, { line: 0, character: 0 });
    assert.equal(note.severity, 3);
    assert.match(note.message, new RegExp(`^${all.diagnostics.length - 5} more findings in this document are not shown: the editor is sent the 5 most severe of ${all.diagnostics.length} \\(setting iptables\\.maxNumberOfProblems\\)`));
    // The three errors, then the first two warnings, in the document's order.
    assert.deepEqual(shown.map((d) => [d.range.start.line, d.severity]), [[3, 2], [4, 2], [11, 1], [12, 1], [13, 1]]);
    // Code actions asked with the note in their context answer as for any other finding.
    const actions = await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: note.range, context: { diagnostics: [note] } });
    assert.ok(Array.isArray(actions));
    // A value that is not a whole number of at least 1 is the default.
    await c.setSettings({ maxNumberOfProblems: 0 });
    await c.diagnosticsFor(uri, (x) => x.diagnostics.length === all.diagnostics.length);
  });
});

test('the size up to which policies are analysed is a setting', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/size.rules';
    await c.open(uri, '*filter\n-A INPUT -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n');
    await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'reject-before-accept'));
    await c.setSettings({ maxAnalysisSizeMB: 0.00001 });
    const small = await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'too-large'));
    assert.match(small.diagnostics.find((d) => d.code === 'too-large')!.message, /iptables\.maxAnalysisSizeMB/);
    assert.ok(!small.diagnostics.some((d) => d.code === 'reject-before-accept'));
    await c.setSettings({});
    await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'reject-before-accept') && !x.diagnostics.some((d) => d.code === 'too-large'));
  });
});

test('shell scripts are analysed, unless the setting says not to', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/fw.sh';
    await c.open(uri, '#!/bin/sh\necho start\niptables -A INPUT -j ACCPET\n', 'shellscript');
    const p = await c.diagnosticsFor(uri, (x) => x.diagnostics.length > 0);
    assert.equal(p.diagnostics[0].range.start.line, 2);
    await c.setSettings({ analyzeShellScripts: false });
    await c.diagnosticsFor(uri, (x) => x.diagnostics.length === 0);
  });
});

test('a finding about a variable\'s value points to the assignment as related information, in the same document', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/vars.sh';
    await c.open(uri, '#!/bin/sh\nPORT=80a\niptables -A INPUT -p tcp --dport $PORT -j ACCEPT\n', 'shellscript');
    const p = await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'invalid-value'));
    const d = p.diagnostics.find((x) => x.code === 'invalid-value')!;
    assert.deepEqual(d.range, { start: { line: 2, character: 33 }, end: { line: 2, character: 38 } });
    assert.match(d.message, /\(\$PORT is 80a here, as set on line 2\)$/);
    assert.deepEqual(d.relatedInformation, [{ location: { uri, range: { start: { line: 1, character: 0 }, end: { line: 1, character: 8 } } }, message: '$PORT is set here' }]);
  });
});
