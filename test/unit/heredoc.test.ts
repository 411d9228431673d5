/** A restore file in a script's here-document (`iptables-restore <<EOF`): read, checked and loaded where it stands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { isRuleCommand } from '../../server/src/engine/model';
import { hover } from '../../server/src/features/hover';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
const codesOf = (text: string) => lint(text, { fileName: 'fw.sh' }).diagnostics.map((d) => `${d.code}@${d.range.start.line}`);

test('the body is read as a restore file, at its own lines, and its rules join the script\'s', () => {
  const text = script(
    'iptables-restore <<EOF',
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p tcp --dport 22 -j ACCPET',
    'COMMIT',
    'EOF',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
  );
  const r = lint(text, { fileName: 'fw.sh' });
  assert.deepEqual(r.ruleset.embedded, [{ fromLine: 2, toLine: 7, family: 4 }]);
  const input = r.state.get(4, 'filter', 'INPUT')!;
  assert.equal(input.policy, 'DROP');
  assert.deepEqual(input.rules.map((c) => c.startLine), [4, 5, 8]);
  const typo = r.diagnostics.find((d) => d.code === 'unknown-target')!;
  assert.deepEqual(typo.range, { start: { line: 5, character: 30 }, end: { line: 5, character: 36 } });
  assert.equal(typo.severity, 'error', 'a restore file has no other script to bring the chain in');
  // Its table line has its hover, as in a restore file.
  assert.match(hover(r, { line: 2, character: 2 })!.markdown, /\*\*filter\*\* table/);
});

test('without --noflush it replaces the tables it names; with it, adds to them', () => {
  const before = 'iptables -A INPUT -s 203.0.113.9 -j DROP';
  const body = ['*filter', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', 'EOF'];
  const rules = (text: string) => lint(text, { fileName: 'fw.sh' }).state.get(4, 'filter', 'INPUT')!.rules.map((c) => c.startLine);
  assert.deepEqual(rules(script(before, 'iptables-restore <<EOF', ...body)), [4]);
  assert.deepEqual(rules(script(before, 'iptables-restore -n <<EOF', ...body)), [1, 4]);
  assert.deepEqual(rules(script(before, 'sudo iptables-legacy-restore --noflush <<EOF', ...body)), [1, 4]);
  // ip6tables-restore loads the IPv6 tables.
  const v6 = lint(script('ip6tables-restore <<EOF', ...body), { fileName: 'fw.sh' });
  assert.equal(v6.state.get(6, 'filter', 'INPUT')!.rules.length, 1);
  assert.equal(v6.state.get(4, 'filter', 'INPUT'), undefined);
});

test('an SSH accept in the body counts: a DROP policy set after it by a command is no lockout', () => {
  const text = script('iptables-restore <<\'EOF\'', '*filter', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', 'EOF', 'iptables -P INPUT DROP');
  // No lockout: the one finding is that the script does nothing for IPv6.
  assert.deepEqual(codesOf(text), ['ipv6-unfiltered@8']);
  // And a missing COMMIT is the body's own error, on the last line of its table.
  assert.ok(codesOf(text.replace('COMMIT\n', '')).includes('missing-commit@5'));
});

test('a test run and <<- are left alone', () => {
  const body = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -s 10.0.0.1 -j ACCEPT', 'COMMIT', 'EOF'];
  for (const open of ['iptables-restore --test <<\'EOF\'', 'iptables-restore <<-EOF']) {
    const r = lint(script(open, ...body), { fileName: 'fw.sh' });
    assert.equal(r.ruleset.embedded, undefined, open);
    assert.equal(r.ruleset.commands.filter(isRuleCommand).length, 0, open);
  }
});

test('a body the shell expands: its rules get the variables\' known values, others stay unknown', () => {
  const body = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i $WAN -s ${ADMIN} -p tcp --dport 22 -j ACCEPT', '-A INPUT -s $OTHER -j ACCEPT', '-A INPUT -m comment --comment "from $WAN" -j DROP', 'COMMIT', 'EOF'];
  const r = lint(script('WAN=eth0', 'ADMIN=10.0.0.1', 'iptables-restore <<EOF', ...body), { fileName: 'fw.sh' });
  assert.deepEqual(r.ruleset.embedded, [{ fromLine: 4, toLine: 10, family: 4 }]);
  const [ssh, other, drop] = r.ruleset.commands.filter(isRuleCommand);
  assert.deepEqual(ssh.tokens.map((t) => t.value), ['-A', 'INPUT', '-i', 'eth0', '-s', '10.0.0.1', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
  assert.ok(ssh.substituted && !ssh.dynamic);
  // A word keeps its place in the text: the variable's range.
  assert.deepEqual(ssh.tokens[3].range, { start: { line: 6, character: 12 }, end: { line: 6, character: 16 } });
  assert.ok(other.dynamic, 'a variable with no known value');
  assert.equal(drop.options.find((o) => o.nameText === '--comment')?.argValue, 'from eth0');
  // The SSH accept counts (no lockout), and the unknown accept may accept anything.
  assert.ok(!r.diagnostics.some((d) => d.code === 'ssh-lockout' || d.severity === 'error'), JSON.stringify(r.diagnostics));
  // A value the shell would split, or a command's output, leaves the words of its line unknown: the body is a load
  // the analysis cannot read, as before.
  for (const pre of ['PORTS="22 80"', '']) {
    const line = pre ? '-A INPUT -p tcp -m multiport --dports $PORTS -j ACCEPT' : '-A INPUT -s $(cat /etc/admin) -j ACCEPT';
    const split = lint(script(pre, 'iptables-restore <<EOF', '*filter', ':INPUT DROP [0:0]', line, 'COMMIT', 'EOF'), { fileName: 'fw.sh' });
    if (pre) assert.ok(split.ruleset.commands.filter(isRuleCommand)[0].dynamic, line);
    else assert.equal(split.ruleset.embedded, undefined, line);
    assert.ok(!split.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(split.diagnostics));
  }
  // A chain named by a value: the body is not read.
  assert.equal(lint(script('C=SSH', 'iptables-restore <<EOF', '*filter', ':$C - [0:0]', '-A $C -j ACCEPT', 'COMMIT', 'EOF'), { fileName: 'fw.sh' }).ruleset.embedded, undefined);
  // The same body with a quoted delimiter: the shell expands nothing, and `$WAN` is what iptables gets.
  assert.ok(codesOf(script('WAN=eth0', 'ADMIN=10.0.0.1', 'iptables-restore <<\'EOF\'', ...body)).some((c) => c.startsWith('invalid-value@6') || c.startsWith('hostname@6')));
});

test('a blank setting leaves no word on the rule line: what iptables-restore then refuses is said on the variable', () => {
  const r = lint(script('LAN=', 'EXTRA=', 'iptables-restore <<EOF', '*filter', ':INPUT DROP [0:0]', '-A INPUT -i $LAN -j ACCEPT', '-A INPUT $EXTRA -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP', 'COMMIT', 'EOF'), { fileName: 'fw.sh' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  // iptables-restore reads `-A INPUT -i -j ACCEPT`.
  assert.deepEqual(errors.map((d) => [d.code, d.range.start.line, d.range.start.character]), [['missing-argument', 6, 12]]);
  assert.match(errors[0].message, /\(\$LAN is empty here, as set on line 2; not quoted, the shell leaves it out\)$/);
  assert.deepEqual(errors[0].related?.map((x) => [x.range.start.line, x.message]), [[1, '$LAN is set here']]);
  // A blank slot of options is harmless: the SSH accept is read without it (the DROP after it never fires).
  const [, ssh] = r.ruleset.commands.filter(isRuleCommand);
  assert.deepEqual(ssh.tokens.map((t) => t.value), ['-A', 'INPUT', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT']);
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'shadowed-rule').map((d) => d.range.start.line), [8]);
  assert.match(hover(r, { line: 7, character: 11 })!.markdown, /^`\$EXTRA` is empty here: not quoted, the shell leaves the word out/);
  // In double quotes the quotes stay for iptables-restore, which reads an empty word (and refuses an empty name).
  const quoted = lint(script('LAN=', 'iptables-restore <<EOF', '*filter', '-A INPUT -i "$LAN" -j ACCEPT', 'COMMIT', 'EOF'), { fileName: 'fw.sh' });
  assert.deepEqual(quoted.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.range.start.line, d.range.start.character, d.message]), [['invalid-value', 4, 12, 'Empty interface name. ("$LAN" is empty here, as set on line 2)']]);
  // What iptables-restore finds in a known value is said on the variable too, with no edit of its own (the place
  // to mend it is the assignment).
  const valued = lint(script('PORT=80a', 'NET=10.1.2.3/8', 'iptables-restore <<EOF', '*filter', '-A INPUT -p tcp --dport $PORT -j ACCEPT', '-A INPUT -s $NET -j ACCEPT', 'COMMIT', 'EOF'), { fileName: 'fw.sh' });
  const [port, net] = valued.diagnostics.filter((d) => d.code === 'invalid-value' || d.code === 'host-bits-set');
  assert.deepEqual([port.range.start.line, port.range.start.character, port.message], [5, 24, "'80a' is not a port number or service name. ($PORT is 80a here, as set on line 2)"]);
  assert.match(net.message, /\(\$NET is 10\.1\.2\.3\/8 here, as set on line 3\)$/);
  assert.deepEqual(net.related?.map((x) => x.range.start.line), [2]);
  assert.equal(net.data?.replacement, undefined);
});

test('other here-documents are no rules, and lines after them are read as before', () => {
  const text = script('cat <<EOF > /etc/motd', '-A INPUT -j ACCPET', 'EOF', 'iptables -A INPUT -j ACCPET');
  assert.deepEqual(codesOf(text).filter((c) => c.startsWith('unknown-target')), ['unknown-target@4']);
});
