import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexRestoreLine } from '../../server/src/engine/lexer';
import { lexShell } from '../../server/src/engine/shellLexer';
import { mulberry } from '../../server/src/engine/trace/confirm';

/**
 * iptables-restore's word splitting written plainly, character by character: blanks end a word outside double
 * quotes; a double quote opens or closes a quoted part; inside one, a backslash takes the next character as it is.
 */
function referenceWords(line: string): Array<{ value: string; raw: string; start: number; end: number; quoted: boolean }> {
  const out: Array<{ value: string; raw: string; start: number; end: number; quoted: boolean }> = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
    if (i >= line.length) break;
    const start = i;
    let value = '';
    let inQuotes = false;
    let quoted = false;
    while (i < line.length && (inQuotes || (line[i] !== ' ' && line[i] !== '\t'))) {
      const c = line[i];
      if (inQuotes && c === '\\' && i + 1 < line.length) {
        value += line[i + 1];
        i += 2;
      } else if (c === '"') {
        inQuotes = !inQuotes;
        quoted = true;
        i++;
      } else {
        value += c;
        i++;
      }
    }
    out.push({ value, raw: line.slice(start, i), start, end: i, quoted });
  }
  return out;
}

test('restore lexer splits on blanks and keeps exact ranges', () => {
  const { tokens } = lexRestoreLine('-A INPUT  -p tcp', 3);
  assert.deepEqual(tokens.map((t) => t.value), ['-A', 'INPUT', '-p', 'tcp']);
  assert.deepEqual(tokens[2].range, { start: { line: 3, character: 10 }, end: { line: 3, character: 12 } });
});

test('restore lexer: double quotes group words, backslash escapes inside them', () => {
  const { tokens } = lexRestoreLine('-j LOG --log-prefix "[UFW BLOCK] " -m comment --comment "say \\"hi\\""', 0);
  assert.equal(tokens[3].value, '[UFW BLOCK] ');
  assert.equal(tokens[3].raw, '"[UFW BLOCK] "');
  assert.equal(tokens[3].quoted, true);
  assert.equal(tokens[7].value, 'say "hi"');
});

test('restore lexer: single quotes are ordinary characters, as in iptables-restore', () => {
  const { tokens } = lexRestoreLine("--comment 'a b'", 0);
  assert.deepEqual(tokens.map((t) => t.value), ['--comment', "'a", "b'"]);
});

test('restore lexer reads random lines of words, quotes and backslashes as the plain definition does', () => {
  const rnd = mulberry(7);
  const chars = 'ab  "\\\t-';
  for (let t = 0; t < Number(process.env.PROPERTY_RUNS ?? 300) * 20; t++) {
    let line = '';
    const n = Math.floor(rnd() * 14);
    for (let k = 0; k < n; k++) line += chars[Math.floor(rnd() * chars.length)];
    const got = lexRestoreLine(line, 0).tokens.map((w) => ({ value: w.value, raw: w.raw, start: w.start, end: w.end, quoted: w.quoted }));
    assert.deepEqual(got, referenceWords(line), JSON.stringify(line));
  }
});

test('restore lexer reports an unterminated quote', () => {
  const { problems } = lexRestoreLine('--comment "abc', 0);
  assert.equal(problems.length, 1);
  assert.deepEqual(problems[0].range.start, { line: 0, character: 10 });
});

test('shell lexer: quotes, expansions, continuations and comments', () => {
  const text = 'IPT=/sbin/iptables\n$IPT -A INPUT -s "$LAN" \\\n  --comment \'x y\' -j ACCEPT # trailing\n';
  const items = lexShell(text);
  const words = items.filter((i) => i.kind === 'word').map((i) => (i.kind === 'word' ? i : undefined)!);
  assert.deepEqual(words.map((w) => w.value), ['IPT=/sbin/iptables', '$IPT', '-A', 'INPUT', '-s', '$LAN', '--comment', 'x y', '-j', 'ACCEPT']);
  assert.equal(words[1].dynamic, true);
  assert.equal(words[5].dynamic, true);
  assert.equal(words[7].dynamic, false);
  // A word after a continuation is on the next line.
  assert.equal(words[6].range.start.line, 2);
  const comments = items.filter((i) => i.kind === 'comment');
  assert.equal(comments.length, 1);
});

test('shell lexer: command substitutions and here-documents are skipped whole', () => {
  const text = 'X=$(cat <<EOF\n-A INPUT\nEOF\n)\ncat <<END\niptables -A INPUT -j DROP\nEND\necho done\n';
  const words = lexShell(text).filter((i) => i.kind === 'word').map((i) => (i.kind === 'word' ? i.value : ''));
  assert.ok(!words.includes('iptables'), `here-document body must not be words: ${words}`);
  assert.ok(words.includes('echo'));
});
