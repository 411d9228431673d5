/** function-defined-later: a call the shell makes before the function is defined finds no such command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lint } from '../../server/src/engine/lint';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const run = (text: string) => lint(text, { fileName: 'fw.sh' });
const found = (text: string) => run(text).diagnostics.filter((d) => d.code === 'function-defined-later');
const body = ['allow_ssh() {', '  iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '}'];

test('a call above the definition: said on the call, with the definition; the function does not run there', () => {
  const text = script('iptables -A INPUT -i lo -j ACCEPT', 'allow_ssh', 'iptables -P INPUT DROP', ...body);
  const r = run(text);
  const [d, ...more] = r.diagnostics.filter((x) => x.code === 'function-defined-later');
  assert.equal(more.length, 0);
  assert.deepEqual([d.severity, d.range.start.line, d.range.start.character, d.range.end.character], ['warning', 2, 0, 9]);
  assert.match(d.message, /^allow_ssh is defined only further down \(line 5\): when this line runs the shell finds no such command \("allow_ssh: not found"\)/);
  assert.deepEqual(d.related?.map((x) => [x.range.start.line, x.message]), [[4, 'allow_ssh is defined here']]);
  // The SSH accept is never added: the DROP policy locks SSH out, and that is said.
  assert.ok(r.diagnostics.some((x) => x.code === 'ssh-lockout' && x.range.start.line === 3), JSON.stringify(r.diagnostics.map((x) => x.code)));
  assert.deepEqual([...(r.ruleset.neverCalled ?? [])].map((c) => c.startLine), [5]);
});

test('what sh runs: the rules the analysis follows are those a run of the script adds', () => {
  const text = script('iptables -A INPUT -s 10.0.0.1 -j ACCEPT', 'early', 'early() { iptables -A INPUT -s 10.0.0.2 -j ACCEPT; }', 'late() { iptables -A INPUT -s 10.0.0.3 -j ACCEPT; }', 'late', 'early');
  const ran = execFileSync('sh', ['-c', `iptables() { echo "$4"; }\n${text}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  const { ruleset } = run(text);
  const followed = (ruleset.run?.order ?? ruleset.commands).filter((c) => !ruleset.otherArms?.has(c)).map((c) => c.options.find((o) => o.nameText === '-s')!.argValue!);
  assert.deepEqual(followed, ran);
  assert.deepEqual(ran, ['10.0.0.1', '10.0.0.3', '10.0.0.2']);
});

test('not said: a call inside a function (it runs later), a call below a first definition, a call of a command', () => {
  assert.deepEqual(found(script('main() {', '  allow_ssh', '}', ...body, 'main')), []);
  assert.deepEqual(found(script(...body, 'allow_ssh', ...body, 'allow_ssh')), []);
  assert.deepEqual(found(script('iptables -A INPUT -j ACCEPT', 'echo done')), []);
  // A script that sources a file (or runs eval) may have the function from there.
  assert.deepEqual(found(script('. /usr/local/lib/firewall-functions', 'allow_ssh', ...body)), []);
  // In an if or a loop at the top it runs where it stands, before the definition: said.
  assert.equal(found(script('if [ -n "$1" ]; then', '  allow_ssh', 'fi', ...body)).length, 1);
  assert.equal(found(script('for i in 1; do allow_ssh; done', ...body)).length, 1);
});
