/**
 * A quote a script never closes: the shell reads to the end of the file looking for it and stops with a syntax
 * error, so that command and everything after it never run. Held to bash itself (`bash -n` reads a script without
 * running it) where bash is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { scriptToRestore } from '../../server/src/engine/toRestore';

const UNCLOSED = /never closed/;

function unclosedErrors(text: string) {
  return lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'syntax' && UNCLOSED.test(d.message));
}

test('an unclosed double quote: one error at the quote; that command and the rest do not run', () => {
  const text = [
    'IPT=/sbin/iptables',
    '$IPT -A INPUT -i lo -j ACCEPT',
    '$IPT -A INPUT -p tcp --dport 443 -j "ACCEPT',
    '',
    '$IPT -P INPUT DROP',
    '',
  ].join('\n');
  const r = lint(text, { fileName: 'fw.sh' });
  const found = r.diagnostics.filter((d) => d.code === 'syntax');
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.equal(found[0].severity, 'error');
  assert.deepEqual(found[0].range, { start: { line: 2, character: 36 }, end: { line: 2, character: 37 } });
  assert.match(found[0].message, /double quote is never closed.*does not run, nor does anything after it/);
  // Only the loopback rule runs: no DROP policy (it is inside the quote), and no unknown target made of the rest.
  assert.deepEqual(r.ruleset.commands.map((c) => c.startLine), [1]);
  assert.ok(!r.diagnostics.some((d) => d.code === 'unknown-target'));
  assert.ok(r.diagnostics.some((d) => d.code === 'no-default-deny'));
  // The conversion holds what runs, and reads back without an error.
  const [file] = scriptToRestore(r);
  assert.match(file.text, /-A INPUT -i lo -j ACCEPT\nCOMMIT/);
  assert.ok(!lint(file.text, { format: 'restore' }).diagnostics.some((d) => d.severity === 'error'), file.text);
});

test('an unclosed single quote in a command that is not iptables stops the script there too', () => {
  const text = "iptables -A INPUT -i lo -j ACCEPT\necho 'setting the policy\niptables -P INPUT DROP\n";
  const found = unclosedErrors(text);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0].range.start, { line: 1, character: 5 });
  assert.match(found[0].message, /single quote is never closed/);
  assert.equal(lint(text, { fileName: 'fw.sh' }).ruleset.commands.length, 1);
});

test('closed quotes over several lines, escaped quotes and quotes inside the other kind are no error', () => {
  for (const text of [
    'iptables -A INPUT -m comment --comment "two\nlines" -j ACCEPT\n',
    'echo "say \\"hi\\"" \'a "b\' "c \'d"\niptables -P INPUT DROP\n',
    "echo don\\'t\n",
    '# a comment\'s quote\niptables -A INPUT -j ACCEPT\n',
    "cat <<EOF\nit's in a here-document\nEOF\niptables -A INPUT -j ACCEPT\n",
  ]) assert.deepEqual(unclosedErrors(text), [], text);
});

const hasBash = spawnSync('bash', ['-c', 'true']).status === 0;

test('an unclosed quote is reported exactly where bash finds one', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  // Words, blanks, both quotes, backslashes and line breaks: no $ (bash's $'...' quoting reads \' otherwise).
  const script = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '"', "'", '\\', '\n', '\t'), maxLength: 30 });
  fc.assert(fc.property(script, (text) => {
    const bash = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
    const bashSays = /unexpected EOF while looking for matching/.test(bash.stderr);
    assert.equal(unclosedErrors(text).length > 0, bashSays, `${JSON.stringify(text)}: bash says ${JSON.stringify(bash.stderr)}`);
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: 9 });
});

test('an expansion left open ($(, ${, a backquote) is reported exactly where bash finds one', { skip: !hasBash && !process.env.CI && 'bash is not installed' }, () => {
  assert.match(unclosedErrors('iptables -A INPUT -s $(cat /etc/allow -j ACCEPT\n')[0].message, /^This command substitution \$\( is never closed: .*matching \)\)/);
  assert.deepEqual(unclosedErrors('iptables -A INPUT -s ${NET -j DROP\n')[0].range, { start: { line: 0, character: 21 }, end: { line: 0, character: 23 } });
  assert.match(unclosedErrors('iptables -A INPUT -s `cat x -j DROP\n')[0].message, /^This backquote \(command substitution\) is never closed/);
  assert.deepEqual(unclosedErrors('iptables -A INPUT -s $(cat x) -j DROP\necho "${A:-$(date)}" `true`\n'), []);
  // Where bash finds no other syntax error first, it and the linter agree on whether the script ends inside one.
  const script = fc.string({ unit: fc.constantFrom('a', ' ', '"', '$(', ')', '${', '}', '`', '\n'), maxLength: 24 });
  let compared = 0;
  fc.assert(fc.property(script, (text) => {
    const bash = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
    const bashSays = /unexpected EOF while looking for matching/.test(bash.stderr);
    if (!bashSays && bash.status !== 0) return;
    compared++;
    assert.equal(unclosedErrors(text).length > 0, bashSays, `${JSON.stringify(text)}: bash says ${JSON.stringify(bash.stderr)}`);
  }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: 10 });
  assert.ok(compared > 50, `${compared}`);
});
