/** The server over stdio survives what a client or a user can throw at it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HoverRequest, CompletionRequest, DocumentSymbolRequest, DefinitionRequest, CodeActionRequest, DocumentFormattingRequest } from 'vscode-languageserver-protocol/node';
import { lint } from '../../server/src/engine/lint';
import { TestClient, withClient } from '../helpers/lspClient';

const alive = async (c: TestClient) => {
  const uri = `file:///tmp/alive-${Math.random()}.rules`;
  await c.open(uri, '*filter\n-A INPUT -j ACCPET\nCOMMIT\n');
  const p = await c.diagnosticsFor(uri, (x) => x.diagnostics.length > 0);
  assert.equal(p.diagnostics[0].code, 'unknown-target');
};

test('malformed JSON-RPC and unknown methods do not end the server', async () => {
  await withClient(async (c) => {
    const body = '{this is not json';
    c.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const wrongShape = JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'textDocument/hover', params: { nonsense: true } });
    c.proc.stdin!.write(`Content-Length: ${Buffer.byteLength(wrongShape)}\r\n\r\n${wrongShape}`);
    await assert.rejects(c.conn.sendRequest('no/suchMethod', {}), /Unhandled method|not found/i);
    await c.conn.sendNotification('no/suchNotification', {});
    await alive(c);
    assert.equal(c.proc.exitCode, null);
  });
});

test('requests for documents never opened, and positions outside the document, get empty answers', async () => {
  await withClient(async (c) => {
    const ghost = { uri: 'file:///never/opened.rules' };
    assert.equal(await c.conn.sendRequest(HoverRequest.type, { textDocument: ghost, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await c.conn.sendRequest(CompletionRequest.type, { textDocument: ghost, position: { line: 3, character: 3 } }), []);
    assert.deepEqual(await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: ghost }), []);
    const uri = 'file:///tmp/small.rules';
    await c.open(uri, '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    for (const position of [{ line: 999, character: 5 }, { line: 1, character: 9999 }, { line: -1, character: -4 }]) {
      await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position });
      await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position });
    }
    await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: { line: 50, character: 0 }, end: { line: 60, character: 0 } }, context: { diagnostics: [{ range: { start: { line: 50, character: 0 }, end: { line: 50, character: 1 } }, message: 'x', code: 'unknown-target', source: 'iptables', data: { moveAbove: 99, insertBefore: 77 } }] } });
    await alive(c);
  });
});

test('edits racing each other: the diagnostics end up those of the final text', async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/race.rules';
    let text = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
    await c.open(uri, text);
    let version = 1;
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const insert = i % 3 === 0 ? `-A INPUT -p tcp --dport ${i} -j ACCPET\n` : `-A INPUT -s 10.0.${i % 256}.0/24 -j DROP\n`;
      text = text.replace('COMMIT\n', `${insert}COMMIT\n`);
      const line = text.split('\n').length - 3;
      sends.push(c.change(uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: insert }]).then((v) => (version = v)));
    }
    await Promise.all(sends);
    const p = await c.diagnosticsFor(uri, (x) => x.version === version, 20000);
    const expected = lint(text, { fileName: '/tmp/race.rules' }).diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort();
    assert.deepEqual(p.diagnostics.map((d) => `${d.range.start.line}:${d.code}`).sort(), expected);
  });
});

test('a 50 MB file: the server answers and says it is too large to analyse, instead of stalling', { timeout: 120000 }, async () => {
  await withClient(async (c) => {
    const uri = 'file:///tmp/huge.rules';
    const line = '-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 443 -j DROP\n';
    const text = `*filter\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}COMMIT\n`;
    const t0 = Date.now();
    await c.open(uri, text);
    const p = await c.diagnosticsFor(uri, (x) => x.diagnostics.some((d) => d.code === 'too-large'), 60000);
    assert.match(p.diagnostics.find((d) => d.code === 'too-large')!.message, /too large/);
    // A feature request on the huge document is answered too (with whatever it can say).
    await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 1 } });
    assert.ok(Date.now() - t0 < 60000);
    await alive(c);
  });
});

test('an error inside one feature is answered as an error and logged; the server goes on', async () => {
  const c = new TestClient(['--stdio'], { ...process.env, IPTABLES_LS_TEST_HOOKS: '1' });
  const logs: string[] = [];
  c.conn.onNotification('window/logMessage', (m: { message: string }) => logs.push(m.message));
  try {
    await c.initialize();
    const uri = 'file:///tmp/fail.rules';
    await c.open(uri, '*filter\nCOMMIT\n');
    await assert.rejects(c.conn.sendRequest('iptables/_fail', { textDocument: { uri } }), /deliberate failure/);
    await alive(c);
    assert.ok(logs.some((l) => /_fail failed/.test(l)), logs.join('\n'));
    const edits = await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(edits, []);
  } finally {
    await c.close();
  }
});
