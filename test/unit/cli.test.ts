import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Log } from 'sarif';
import { main } from '../../server/src/cli/lint';
import { githubAnnotation } from '../../server/src/cli/formats';
import { CODES } from '../../server/src/engine/checks/codes';
import { fixAll } from '../../server/src/engine/fixes';
import { lint } from '../../server/src/engine/lint';
import { ROOT } from '../helpers/env';

function run(args: string[], stdin = ''): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, (s) => (out += s), (s) => (err += s), () => stdin);
  return { code, out, err };
}

const ex = (f: string) => path.join(ROOT, 'examples', f);

test('text output: file:line:col: severity: message [code], exit 1 on errors', () => {
  const r = run([ex('common-mistakes.iptables')]);
  assert.equal(r.code, 1);
  assert.match(r.out, /common-mistakes\.iptables:10:32: error: 'ACCPET' is neither a target nor a chain of the filter table\. Did you mean 'ACCEPT'\? \[unknown-target\]/);
});

test('json output: 1-based positions', () => {
  const r = run(['--format', 'json', '-'], '*filter\n-A INPUT -j ACCPET\nCOMMIT\n');
  const arr = JSON.parse(r.out);
  assert.deepEqual(arr[0], { file: '<stdin>', line: 2, column: 13, endLine: 2, endColumn: 19, severity: 'error', code: 'unknown-target', message: arr[0].message });
  assert.equal(r.code, 1);
});

test('the command line analyses policies in a file of any size (only the editor has a limit)', () => {
  const pad = `# ${'x'.repeat(12 * 1024 * 1024)}\n`;
  const r = run(['--format', 'json', '-'], `*filter\n${pad}-A INPUT -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n`);
  assert.deepEqual(JSON.parse(r.out).map((d: { code: string; line: number }) => [d.code, d.line]), [['ssh-lockout', 3], ['reject-before-accept', 4]]);
});

test('exit 0 on a clean file, 2 on usage errors and unreadable files', () => {
  assert.equal(run([ex('plex-media-server.iptables')]).code, 0);
  const bad = run(['--format', 'xml', ex('plex-media-server.iptables')]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /text, json, sarif, github or diff/);
  const badEq = run(['--format=xml', ex('plex-media-server.iptables')]);
  assert.equal(badEq.code, 2);
  assert.match(badEq.err, /text, json, sarif, github or diff, not 'xml'/);
  assert.deepEqual(JSON.parse(run(['--format=json', ex('plex-media-server.iptables')]).out), []);
  const missing = run(['/nonexistent/rules.v4']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read \/nonexistent\/rules\.v4: no such file/);
  assert.equal(run([]).code, 2);
});

test('--severity, --exclude, --fail-on and --ssh-port: what is reported, what fails the run, which port SSH is', () => {
  const rules = '*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 2222 -j ACCEPT\nCOMMIT\n';
  const codesOf = (r: { out: string }) => JSON.parse(r.out).map((d: { code: string }) => d.code).sort();
  assert.deepEqual(codesOf(run(['--format', 'json', '-'], rules)), ['deprecated-match', 'ssh-lockout']);
  // Only warnings and graver; a warning fails the run only with --fail-on warning (or a less grave level).
  const warnings = run(['--severity', 'warning', '--format', 'json', '-'], rules);
  assert.deepEqual(codesOf(warnings), ['ssh-lockout']);
  assert.equal(warnings.code, 0);
  assert.equal(run(['--fail-on=warning', '-'], rules).code, 1);
  assert.equal(run(['--fail-on', 'hint', '--exclude', 'ssh-lockout', '-'], rules).code, 1, 'the hint left fails it');
  assert.equal(run(['--fail-on', 'hint', '--exclude', 'ssh-lockout,deprecated-match', '-'], rules).code, 0);
  // A finding left out by --severity does not fail the run.
  assert.equal(run(['--severity', 'error', '--fail-on', 'hint', '-'], rules).code, 0);
  // SSH on 2222: no lockout.
  assert.deepEqual(codesOf(run(['--ssh-port', '2222', '--format', 'json', '-'], rules)), ['deprecated-match']);
  // Usage errors: a level or check that does not exist (with the nearest check), a port out of range.
  const typo = run(['--exclude', 'shadowd-rule', '-'], rules);
  assert.equal(typo.code, 2);
  assert.match(typo.err, /^iptables-lint: --exclude: there is no check 'shadowd-rule' \(did you mean 'shadowed-rule'\?\)\./);
  assert.match(run(['--severity', 'warn', '-'], rules).err, /--severity must be error, warning, info or hint, not 'warn'/);
  assert.match(run(['--ssh-port', '70000', '-'], rules).err, /--ssh-port takes TCP ports from 1 to 65535, not '70000'/);
  assert.equal(run(['--fail-on'], rules).code, 2);
});

test('the installed bin runs the bundled linter', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'iptables-lint'), ex('common-mistakes.iptables')], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /\[unknown-target\]/);
});

test('--fix rewrites each file with its safe fixes, says what it did, and reports what is left', () => {
  const text = '*filter\n-A INPUT -m state --state NEW -s 10.1.2.3/8 -j ACCPET\nCOMMIT\n';
  const written: Array<[string, string]> = [];
  let out = '';
  let err = '';
  const code = main(['--fix', 'rules.v4', 'clean.v4'], (s) => (out += s), (s) => (err += s + '\n'), () => '', (f, t) => written.push([f, t]),
    (f: string) => (f === 'rules.v4' ? text : '*filter\n-A INPUT -j ACCEPT\nCOMMIT\n'));
  assert.deepEqual(written, [['rules.v4', '*filter\n-A INPUT -m conntrack --ctstate NEW -s 10.0.0.0/8 -j ACCPET\nCOMMIT\n']], 'a file with nothing to fix is not written');
  assert.match(err, /^rules\.v4: fixed: deprecated-match: Use -m conntrack --ctstate$/m);
  assert.match(err, /^rules\.v4: fixed: host-bits-set: Use the network address 10\.0\.0\.0\/8$/m);
  // What is left is reported against the fixed text (the target's column is the fixed line's).
  assert.match(out, /^rules\.v4:2:54: error: 'ACCPET' is neither a target/m);
  assert.doesNotMatch(out, /deprecated-match|host-bits-set/);
  assert.equal(code, 1);
});

test('--fix on standard input writes the fixed text to standard output and the rest to standard error', () => {
  const r = run(['--fix', '-'], '*filter\r\n-A INPUT -s 10.1.2.3/8 -j ACCEPT\r\nCOMMIT\r\n');
  assert.equal(r.out, '*filter\n-A INPUT -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n');
  assert.match(r.err, /<stdin>: fixed: commit-format: Convert the whole file to LF line endings/);
  assert.equal(r.code, 0);
});

test('--format diff prints the safe fixes as a diff that patch applies, and writes nothing', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-diff-'));
  try {
    const original = readFileSync(ex('common-mistakes.iptables'), 'utf8');
    writeFileSync(path.join(dir, 'rules.v4'), original);
    const written: string[] = [];
    let out = '';
    const code = main(['--format', 'diff', 'rules.v4'], (s) => (out += s), () => undefined, () => '', (f) => written.push(f), (f) => readFileSync(path.join(dir, f), 'utf8'));
    assert.equal(code, 1, 'the exit status still tells of errors');
    assert.deepEqual(written, []);
    assert.match(out, /^--- a\/rules\.v4$/m);
    assert.match(out, /^-.*10\.1\.2\.3\/8/m);
    assert.match(out, /^\+.*10\.0\.0\.0\/8/m);
    const r = spawnSync('patch', ['-p1', '--batch'], { cwd: dir, input: out, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(path.join(dir, 'rules.v4'), 'utf8'), fixAll(original, { fileName: 'rules.v4' }).text);
    // Nothing to fix, nothing printed; --fix with --format diff is a usage error.
    assert.equal(run(['--format', 'diff', ex('ssh-safe-baseline.iptables')]).out, '');
    assert.equal(run(['--fix', '--format', 'diff', ex('ssh-safe-baseline.iptables')]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--format sarif: one run, every rule described, each finding with its level, region and related places', () => {
  const r = run(['--format', 'sarif', ex('common-mistakes.iptables'), '-'], '*filter\n-A INPUT -j ACCPET\nCOMMIT\n');
  const log: Log = JSON.parse(r.out);
  assert.equal(log.version, '2.1.0');
  assert.equal(log.runs.length, 1);
  const run0 = log.runs[0];
  const rules = run0.tool.driver.rules!;
  assert.deepEqual(rules.map((x) => x.id), CODES.map((c) => c.code));
  const results = run0.results!;
  const expected = lint(readFileSync(ex('common-mistakes.iptables'), 'utf8'), { fileName: ex('common-mistakes.iptables') }).diagnostics;
  assert.equal(results.length, expected.length + 1);
  for (const res of results) {
    assert.equal(rules[res.ruleIndex!].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level!));
  }
  const target = results.find((x) => x.ruleId === 'unknown-target' && x.locations![0].physicalLocation!.artifactLocation!.uri!.endsWith('common-mistakes.iptables'))!;
  assert.deepEqual(target.locations![0].physicalLocation!.region, { startLine: 10, startColumn: 32, endLine: 10, endColumn: 38 });
  assert.equal(target.level, 'error');
  const shadowed = results.find((x) => x.ruleId === 'reject-before-accept')!;
  assert.ok(shadowed.relatedLocations!.length > 0 && shadowed.relatedLocations![0].message!.text!.length > 0);
  assert.equal(results[results.length - 1].locations![0].physicalLocation!.artifactLocation!.uri, 'stdin');
  assert.equal(r.code, 1);
});

test('the problem matcher the extension contributes reads every line the linter prints', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'iptables-lint');
  const re = new RegExp(matcher.pattern.regexp);
  const files = ['common-mistakes.iptables', 'wordpress-server.sh'].map(ex);
  const text = run(files).out.trimEnd().split('\n');
  const json = JSON.parse(run(['--format', 'json', ...files]).out) as Array<{ file: string; line: number; column: number; severity: string; code: string; message: string }>;
  assert.equal(text.length, json.length);
  text.forEach((line, i) => {
    const m = re.exec(line);
    assert.ok(m, line);
    const p = matcher.pattern;
    assert.deepEqual([m[p.file], Number(m[p.line]), Number(m[p.column]), m[p.severity], m[p.message], m[p.code]], [json[i].file, json[i].line, json[i].column, json[i].severity, json[i].message, json[i].code]);
  });
});

test('convert: a script\'s rules as a restore file on standard output, what is left out on standard error', () => {
  const r = run(['convert', ex('wordpress-server.sh')]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^\*filter\n:INPUT DROP \[0:0\]\n/m);
  assert.deepEqual(lint(r.out, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error'), []);
  const mixed = run(['convert', '-'], 'iptables -A INPUT -s "$ADMIN" -j ACCEPT\nip6tables -A INPUT -j ACCEPT\n');
  assert.equal(mixed.code, 1);
  assert.match(mixed.err, /^-:1: not converted: it holds a shell value/m);
  assert.match(mixed.err, /also has ip6tables rules: convert them with --ipv6/);
  const v6 = run(['convert', '--ipv6', '-'], 'iptables -A INPUT -j ACCEPT\nip6tables -A INPUT -j ACCEPT\n');
  assert.equal(v6.code, 0);
  assert.match(v6.out, /ip6tables-restore[\s\S]*-A INPUT -j ACCEPT/);
  assert.equal(run(['convert', '-'], 'echo hello\n').code, 2);
  assert.equal(run(['convert']).code, 2);
  // Nothing to convert because the rules come from where they cannot be read: said, with the line.
  const loads = run(['convert', '-'], 'echo start\niptables-restore < /etc/iptables/rules.v4\n');
  assert.equal(loads.code, 2);
  assert.match(loads.err, /has no iptables or ip6tables commands to convert\. It loads rules that cannot be read here .* on line 2\.\n?$/);
});

test('explain: every rule in plain words, chain by chain, in the order the kernel holds them', () => {
  const r = run(['explain', '-'], '#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -I INPUT 1 -i lo -j ACCEPT\niptables -P INPUT DROP\niptables -P OUTPUT DROP\n');
  assert.equal(r.code, 0);
  assert.equal(r.out, [
    'filter INPUT (2 rules, policy DROP)',
    '  1. line 3: Accepts packets arriving on lo.',
    '  2. line 2: Accepts TCP packets to port 22 (SSH).',
    'filter OUTPUT (0 rules, policy DROP)',
    '',
  ].join('\n'));
  assert.equal(run(['explain']).code, 2);
  // Nothing to explain is said, and why when the script loads its rules from elsewhere.
  assert.equal(run(['explain', '-'], '#!/bin/sh\necho hello\n').out, 'No rules, and no policy that drops.\n');
  assert.match(run(['explain', '-'], '#!/bin/sh\niptables-restore <<EOF\n*filter\n-A INPUT -s $(cat /etc/admins) -j ACCEPT\nCOMMIT\nEOF\n').out, /^No rules, and no policy that drops\. It loads rules that cannot be read here .* on line 2\.\n$/);
  // A value with a blank at its end keeps its quotes.
  const log = run(['explain', '-'], '*filter\n-A INPUT -j LOG --log-prefix "dropped: "\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n');
  assert.match(log.out, /1\. line 2: Logs every packet with the prefix "dropped: " and lets them go on to the next rule\.\n/);
  assert.match(log.out, /2\. line 3: Accepts TCP packets to port 80 \(HTTP\)\.\n/);
  // A loop's rules, and a function's body run once per call, stand there once per value, in the kernel's order.
  const loop = run(['explain', '-'], '#!/bin/sh\nfor a in 10.0.0.1 10.0.0.2; do\n  iptables -A INPUT -s $a -j LOG\n  iptables -A INPUT -s $a -j DROP\ndone\n');
  assert.deepEqual(loop.out.split('\n').slice(0, 5), ['filter INPUT (4 rules, policy ACCEPT)', '  1. line 3: Logs packets from 10.0.0.1 and lets them go on to the next rule.', '  2. line 4: Drops packets from 10.0.0.1 without an answer.', '  3. line 3: Logs packets from 10.0.0.2 and lets them go on to the next rule.', '  4. line 4: Drops packets from 10.0.0.2 without an answer.']);
  const calls = run(['explain', '-'], '#!/bin/sh\nallow() { iptables -A INPUT -p tcp --dport "$1" -j ACCEPT; }\nallow 22\nallow 443\n');
  // A rule iptables refuses is said (after the rules the chain holds), not counted.
  const refused = run(['explain', '-'], '#!/bin/sh\niptables -A INPUT -j REJECT --reject-with tcp-reset\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n');
  assert.deepEqual(refused.out.split('\n').slice(0, 3), ['filter INPUT (1 rule, policy ACCEPT)', '  1. line 3: Accepts TCP packets to port 22 (SSH).', '  - line 2 (refused by iptables: not added): Rejects every packet, answering with tcp-reset.']);
  const only = run(['explain', '-'], '#!/bin/sh\niptables -N X\niptables -A X -j MASQUERADE\n');
  assert.deepEqual(only.out.split('\n').slice(0, 2), ['filter X (0 rules)', '  - line 3 (refused by iptables: not added): Rewrites the source address of every packet to the address of the interface they leave by (masquerading).']);
  assert.deepEqual(calls.out.split('\n').slice(1, 3), ['  1. line 2 of the function called on line 3: Accepts TCP packets to port 22 (SSH).', '  2. line 2 of the function called on line 4: Accepts TCP packets to port 443 (HTTPS).']);
});

test('--format github: one workflow command per finding, its properties and message escaped', () => {
  const r = run(['--format', 'github', '-'], '*filter\n-A INPUT -j ACCPET\n-A INPUT -s 10.1.2.3/8 -j ACCEPT\nCOMMIT\n');
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines[0], "::error file=<stdin>,line=2,col=13,endLine=2,endColumn=19,title=iptables unknown-target::'ACCPET' is neither a target nor a chain of the filter table. Did you mean 'ACCEPT'?");
  assert.match(lines[1], /^::warning file=<stdin>,line=3,col=13,.*title=iptables host-bits-set::/);
  assert.equal(r.code, 1);
  assert.equal(githubAnnotation({ file: 'a,b:c.v4', line: 1, column: 1, endLine: 1, endColumn: 2, severity: 'info', code: 'x', message: '100%\ndone' }),
    '::notice file=a%2Cb%3Ac.v4,line=1,col=1,endLine=1,endColumn=2,title=iptables x::100%25%0Adone\n');
});

test('a reader that stops early closes the pipe, and the linter stops quietly', () => {
  const r = spawnSync('sh', ['-c', `node ${path.join(ROOT, 'bin', 'iptables-lint')} ${ex('common-mistakes.iptables')} | head -1`], { encoding: 'utf8' });
  assert.equal(r.stdout.split('\n').length, 2);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
});

test('a configuration the script sources, beside it on disk, sets its variables for the linter and for convert', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-sourced-'));
  try {
    writeFileSync(path.join(dir, 'firewall.conf'), 'WAN=eth0\nWEB_PORT=8080\n');
    const fw = path.join(dir, 'firewall.sh');
    writeFileSync(fw, '#!/bin/sh\n. ./firewall.conf\niptables -A INPUT -i $WAN -p tcp -j ACCEPT\niptables -A INPUT -i $WAN -p tcp --dport $WEB_PORT -j ACCEPT\n');
    assert.match(run([fw]).out, /firewall\.sh:4:10: info: Redundant: .*\[redundant-rule\]/);
    assert.match(run(['convert', fw]).out, /^-A INPUT -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT$/m);
    // Without the file, nothing is known about the variables.
    rmSync(path.join(dir, 'firewall.conf'));
    assert.doesNotMatch(run([fw]).out, /redundant-rule/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
