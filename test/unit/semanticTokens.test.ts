/**
 * Semantic tokens: chains wherever they stand (declared, used, built-in), jumps to user chains, tables, match modules
 * (`-m state` deprecated), a script's variables (read-only where their value is known); one line at a time, in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { SEMANTIC_LEGEND, semanticTokens } from '../../server/src/features/semanticTokens';
import { Range } from '../../server/src/engine/types';

/** The tokens decoded: `line:column text type[.modifier...]`. */
function decode(text: string, fileName: string, range?: Range): string[] {
  const data = semanticTokens(lint(text, { fileName }), range).data;
  const lines = text.split('\n');
  const out: string[] = [];
  let line = 0;
  let col = 0;
  for (let i = 0; i < data.length; i += 5) {
    col = data[i] === 0 ? col + data[i + 1] : data[i + 1];
    line += data[i];
    const mods = SEMANTIC_LEGEND.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b));
    out.push(`${line}:${col} ${lines[line].slice(col, col + data[i + 2])} ${[SEMANTIC_LEGEND.tokenTypes[data[i + 3]], ...mods].join('.')}`);
  }
  return out;
}

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':SSH - [0:0]',
  '-A INPUT -m state --state ESTABLISHED -j ACCEPT',
  '-A INPUT -p tcp -m tcp --dport 22 -j SSH',
  '-A INPUT -m nosuchmatch -j ACCPET',
  '-A SSH -s 10.0.0.0/8 -j RETURN',
  'COMMIT',
  '',
].join('\n');

test('a rules file: tables, chains declared and used, jumps to user chains, match modules', () => {
  assert.deepEqual(decode(RULES, 'rules.v4'), [
    '0:1 filter namespace',
    '1:1 INPUT function.defaultLibrary',
    '2:1 SSH function.declaration',
    '3:3 INPUT function.defaultLibrary',
    '3:12 state type.deprecated',
    '4:3 INPUT function.defaultLibrary',
    '4:19 tcp type',
    '4:37 SSH function',
    // An unknown match is left to the grammar (which marks it invalid); an unknown target is written as a chain.
    '5:3 INPUT function.defaultLibrary',
    '5:27 ACCPET function',
    '6:3 SSH function',
  ]);
});

test('a table line with no name, or a chain line with none, gives no empty token', () => {
  assert.deepEqual(decode('*\n', 'rules.v4'), []);
  assert.deepEqual(decode('*filter\n:\n-A INPUT -j ACCEPT\nCOMMIT\n', 'rules.v4'), ['0:1 filter namespace', '2:3 INPUT function.defaultLibrary']);
});

test('a range: only the tokens of its lines', () => {
  const range = { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } };
  assert.deepEqual(decode(RULES, 'rules.v4', range), ['2:1 SSH function.declaration', '3:3 INPUT function.defaultLibrary', '3:12 state type.deprecated']);
});

test('a script: -t, -N, -E and their chains, variables read-only where their value is known, a restore file in a here-document', () => {
  const script = [
    '#!/bin/sh',
    'WAN=eth0',
    'iptables -t nat -N PORTS',
    'iptables -t nat -A PREROUTING -i $WAN -j PORTS',
    'iptables -A INPUT -i "${LAN}" -s $WAN/24 -j DROP',
    'iptables -t nat -E PORTS FORWARDS',
    'iptables-restore -n <<EOF',
    '*raw',
    '-A PREROUTING -j CT --notrack',
    'COMMIT',
    'EOF',
    '',
  ].join('\n');
  assert.deepEqual(decode(script, 'fw.sh'), [
    '2:12 nat namespace',
    '2:19 PORTS function.declaration',
    '3:12 nat namespace',
    '3:19 PREROUTING function.defaultLibrary',
    '3:33 $WAN variable.readonly',
    '3:41 PORTS function',
    '4:12 INPUT function.defaultLibrary',
    '4:22 ${LAN} variable',
    '4:33 $WAN variable.readonly',
    '5:12 nat namespace',
    '5:19 PORTS function',
    '5:25 FORWARDS function.declaration',
    '7:1 raw namespace',
    '8:3 PREROUTING function.defaultLibrary',
  ]);
});

test('over the examples: every token on one line, within it, on a word, in order, none overlapping', () => {
  const dir = path.join(__dirname, '..', '..', 'examples');
  for (const name of readdirSync(dir)) {
    const text = readFileSync(path.join(dir, name), 'utf8');
    const data = semanticTokens(lint(text, { fileName: name })).data;
    assert.ok(data.length > 0, name);
    const lines = text.split('\n');
    let line = 0;
    let col = 0;
    let end = 0;
    for (let i = 0; i < data.length; i += 5) {
      if (data[i] > 0) [col, end] = [0, 0];
      line += data[i];
      col += data[i + 1];
      const at = `${name}:${line}:${col}`;
      assert.ok(data[i + 2] > 0 && col >= end, `${at}: empty or overlapping`);
      assert.ok(col + data[i + 2] <= lines[line].length, `${at}: past the line's end`);
      assert.match(lines[line].slice(col, col + data[i + 2]), /^[^\s]+$/, at);
      end = col + data[i + 2];
    }
  }
});
