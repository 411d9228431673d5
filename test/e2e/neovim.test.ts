/**
 * A second real editor: Neovim (headless) starts `iptables-language-server --stdio` as its language server and
 * gets the same diagnostics and hover text. Needs Debian's neovim; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { requirement, ROOT } from '../helpers/env';

const NVIM = '/usr/bin/nvim';
const SERVER = path.join(ROOT, 'bin', 'iptables-language-server');
const why = !existsSync(NVIM) ? `Neovim is not installed (${NVIM}, Debian package neovim)` : !existsSync(path.join(ROOT, 'dist', 'server.js')) ? 'the server is not built' : undefined;
const skip = requirement(!why, `the Neovim test cannot run: ${why}`);

const LUA = `
local out = {}
local file = vim.fn.argv()[1]
vim.cmd('edit ' .. file)
local buf = vim.api.nvim_get_current_buf()
vim.bo[buf].filetype = 'iptables'
local client = vim.lsp.start_client({ name = 'iptables', cmd = { 'node', '${SERVER}', '--stdio' }, root_dir = vim.fn.fnamemodify(file, ':h') })
vim.lsp.buf_attach_client(buf, client)
local ok = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(out.diagnostics, { line = d.lnum, col = d.col, code = d.code, message = d.message, severity = d.severity })
end
local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 2, character = 25 } }, 10000)
out.hover = ''
for _, r in pairs(hover or {}) do
  if r.result and r.result.contents then out.hover = r.result.contents.value or '' end
end
out.waited = ok
local f = io.open(vim.fn.argv()[2], 'w')
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd('qa!')
`;

test('Neovim gets the same diagnostics and hover from iptables-language-server --stdio', { skip, timeout: 60000 }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-nvim-'));
  try {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCPET\nCOMMIT\n';
    const file = path.join(dir, 'rules.v4');
    writeFileSync(file, text);
    writeFileSync(path.join(dir, 'check.lua'), LUA);
    const result = path.join(dir, 'result.json');
    const r = spawnSync(NVIM, ['--headless', '-u', 'NONE', '-i', 'NONE', '-n', '-c', `luafile ${path.join(dir, 'check.lua')}`, file, result], { encoding: 'utf8', timeout: 50000 });
    assert.ok(existsSync(result), `nvim wrote no result: ${r.stdout} ${r.stderr}`);
    const out = JSON.parse(readFileSync(result, 'utf8'));
    const expected = lint(text, { fileName: file }).diagnostics.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`);
    const got = (out.diagnostics as Array<{ line: number; col: number; code: string; message: string }>).map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`);
    assert.deepEqual(got.sort(), expected.sort());
    assert.match(out.hover, /--dport[\s\S]*Destination port/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
