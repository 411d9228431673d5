/** unset-variable: an iptables command reads a variable that nothing in the script sets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint, LintOptions } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';
import fc from 'fast-check';
import { distance } from '../../server/src/engine/parse/unsetVariable';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
/** The findings of this check: line, the text its range covers, severity and message. */
function found(text: string, opts: LintOptions = {}) {
  const r = lint(text, { fileName: '/srv/fw/firewall.sh', ...opts });
  const lines = text.split('\n');
  return r.diagnostics.filter((d) => d.code === 'unset-variable').map((d) => ({
    line: d.range.start.line,
    text: lines[d.range.start.line].slice(d.range.start.character, d.range.end.character),
    severity: d.severity,
    message: d.message,
    d,
    r,
  }));
}

test('a name close to one the script sets: a warning naming it, on the first use, with the others listed', () => {
  const text = script('LAN_IFACE=eth1', 'iptables -A INPUT -i $LAN_IF -j ACCEPT', 'iptables -A FORWARD -i "${LAN_IF}" -j ACCEPT');
  const [f, ...more] = found(text);
  assert.equal(more.length, 0);
  assert.deepEqual([f.line, f.text, f.severity], [2, 'LAN_IF', 'warning']);
  assert.equal(f.message, "$LAN_IF is set nowhere in this script: did you mean $LAN_IFACE? As it is, the shell puts nothing here, and iptables reads '-i -j' there. It is read on line 4 too.");
  // The fix reads the variable meant, in every place.
  const fix = quickFixes(f.r, f.d).find((x) => x.title === 'Read $LAN_IFACE instead (2 places)')!;
  assert.equal(applyEdits(text, fix.edits), text.replaceAll('LAN_IF}', 'LAN_IFACE}').replace('$LAN_IF ', '$LAN_IFACE '));
  assert.equal(fix.safe, undefined);
  // A different case, a letter off, two letters swapped.
  for (const [set, used] of [['WAN', 'wan'], ['EXTIF', 'EXTIFF'], ['ADMIN_NET', 'ADMNI_NET']]) {
    const [g] = found(script(`${set}=x`, `iptables -A INPUT -s $${used} -j ACCEPT`));
    assert.match(g.message, new RegExp(`did you mean \\$${set}\\?`), `${used} for ${set}`);
  }
});

test('a name close to none: information, saying what iptables is given in its place', () => {
  const said = (line: string) => found(script(line)).map((f) => [f.severity, f.message.replace(/^.*the shell puts nothing here/, '')]);
  assert.deepEqual(said('iptables -A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT'), [['info', ", and iptables reads '-s -p' there."]]);
  assert.deepEqual(said('iptables -A INPUT -s "$ADMIN" -j ACCEPT'), [['info', ': iptables is given an empty word.']]);
  assert.deepEqual(said('iptables -A INPUT -s $NET/24 -j ACCEPT'), [['info', ", and iptables is given '/24'."]]);
  assert.deepEqual(said('$IPTABLES -A INPUT -j DROP'), [['info', ", and '-A' is run as the command."]]);
  assert.deepEqual(said('sudo $IPTABLES -A INPUT -j DROP'), [['info', ", and '-A' is run as the command."]]);
  // With another variable in the word, what the word becomes is not said.
  assert.deepEqual(found(script('NET=10.0.0.0', 'iptables -A INPUT -s $NET/$BITS -j ACCEPT')).map((f) => f.message.replace(/^.*the shell puts nothing here/, '')), ['.']);
  assert.deepEqual(said('iptables -A INPUT -j LOG --log-prefix $PREFIX'), [['info', ", and iptables reads '--log-prefix' with nothing after it."]]);
  assert.match(found(script('iptables -A INPUT -s $ADMIN -j ACCEPT'))[0].message, /unless the environment it runs in sets it/);
});

test('in the list of a loop whose body runs iptables: a loop over nothing adds none of its rules', () => {
  const said = (...lines: string[]) => found(script(...lines)).map((f) => [f.line, f.text, f.message.replace(/^.*the shell puts nothing here/, '')]);
  assert.deepEqual(said('for ip in $BLOCKLIST; do', '  iptables -A INPUT -s $ip -j DROP', 'done'), [[1, 'BLOCKLIST', ': the loop makes no pass, and the rules of its body are never added.']]);
  assert.deepEqual(said('for p in 22 $EXTRA_PORTS; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done'), [[1, 'EXTRA_PORTS', ', and the loop goes without the values it was meant to hold.']]);
  // A loop that runs no iptables command, or over a command's output, is not looked at.
  assert.deepEqual(said('for i in $LIST; do echo $i; done', 'for ip in $(cat /etc/blocklist); do iptables -A INPUT -s $ip -j DROP; done'), []);
});

test('in the rule lines of a here-document the shell expands for iptables-restore: a refused line loads none of it', () => {
  const body = (delimiter: string, ...rules: string[]) => script('LAN_IFACE=eth1', `iptables-restore <<${delimiter}`, '*filter', ...rules, 'COMMIT', 'EOF');
  const text = body('EOF', '-A INPUT -i $LAN_IF -j ACCEPT', '-A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT', '-A INPUT -i $LAN_IFACE -j ACCEPT');
  const said = found(text);
  assert.deepEqual(said.map((f) => [f.line, f.text, f.severity]), [[4, 'LAN_IF', 'warning'], [5, 'ADMIN', 'info']]);
  assert.match(said[0].message, /did you mean \$LAN_IFACE\? As it is, the shell puts nothing here, and iptables reads '-i -j' there \(a line iptables-restore refuses loads nothing of the whole here-document\)\.$/);
  const fix = quickFixes(said[0].r, said[0].d).find((x) => x.title.startsWith('Read $LAN_IFACE instead'))!;
  assert.equal(applyEdits(text, fix.edits), text.replace('$LAN_IF ', '$LAN_IFACE '));
  // Under a quoted delimiter the shell leaves the body as it is: `$LAN_IF` is iptables-restore's text, not a variable.
  assert.deepEqual(found(body("'EOF'", '-A INPUT -i $LAN_IF -j ACCEPT')), []);
});

test('nothing said of a name the script sets in any way, or may set unseen', () => {
  const none = (...lines: string[]) => assert.deepEqual(found(script(...lines), { readFile: (f) => (f === '/srv/fw/fw.conf' ? 'ADMIN=10.0.0.1\n' : undefined) }).map((f) => f.message), [], lines.join(' / '));
  const use = 'iptables -A INPUT -s $ADMIN -j ACCEPT';
  none('ADMIN=10.0.0.1', use);
  none('setup() {', '  local ADMIN=10.0.0.1', `  ${use}`, '}');
  none('if [ -n "$1" ]; then ADMIN=$1; fi', use);
  none('for ADMIN in 10.0.0.1 10.0.0.2; do', `  ${use}`, 'done');
  none('read ADMIN', use);
  none('export ADMIN', use);
  none(': ${ADMIN:=10.0.0.1}', use);
  none('iptables -A INPUT -s ${ADMIN:-10.0.0.1} -j ACCEPT');
  none(". /srv/fw/fw.conf", use);
  // A name in any other word counts as set (it may be set in a way not read here).
  none('echo "ADMIN is given by the caller"', use);
  // The script may set anything: eval, a file that cannot be read.
  none('eval "$SETUP"', use);
  none('. /etc/default/firewall', use);
  // What the shell, a login or the hooks that run firewall scripts set.
  none('iptables -A INPUT -i $IFACE -j ACCEPT', 'iptables -A INPUT -i $PPP_IFACE -j ACCEPT', 'iptables -A INPUT -s $new_ip_address -j ACCEPT', 'iptables -A INPUT -m comment --comment $HOSTNAME -j ACCEPT');
  // A dollar that is text, and a command's output.
  none("iptables -A INPUT -m comment --comment '$ADMIN' -j ACCEPT", 'iptables -A INPUT -s $(cat /etc/admin) -j ACCEPT');
  // Positional parameters are a function's or the script's arguments.
  none('iptables -A INPUT -s $1 -j ACCEPT');
  // Other commands than iptables are ShellCheck's to look at.
  none('echo $ADMIN');
});

test('a command at the top of the script that reads a variable the script sets only later: a warning', () => {
  const use = 'iptables -A INPUT -s $ADMIN -j ACCEPT';
  const [f, ...more] = found(script(use, 'iptables -A INPUT -s $ADMIN -p tcp -j ACCEPT', 'ADMIN=10.0.0.1'));
  assert.equal(more.length, 0);
  assert.deepEqual([f.line, f.text, f.severity], [1, 'ADMIN', 'warning']);
  assert.equal(f.message, "$ADMIN is set only later (line 4): when this line runs it is still empty, so the shell puts nothing here, and iptables reads '-s -j' there. Set it before its first use. It is read too early on line 3 too.");
  // Not where the command may run later than it stands: a function (called after the assignment), an arm, a loop.
  for (const lines of [
    ['allow() {', `  ${use}`, '}', 'ADMIN=10.0.0.1', 'allow'],
    ['if [ -n "$1" ]; then', `  ${use}`, 'fi', 'ADMIN=10.0.0.1'],
    ['while true; do', `  ${use}`, '  ADMIN=10.0.0.1', 'done'],
  ]) assert.deepEqual(found(script(...lines)), [], lines.join(' / '));
  // A name only mentioned later (`echo ADMIN`): neither said to be set there, nor (the mention may set it unseen) unset.
  assert.deepEqual(found(script(use, 'echo ADMIN')), []);
  // A function's command runs where the function is first called: called before the assignment, it reads nothing.
  const [g, ...others] = found(script('allow() {', `  ${use}`, '}', 'allow', 'ADMIN=10.0.0.1', 'allow'));
  assert.equal(others.length, 0);
  assert.deepEqual([g.line, g.text, g.severity], [2, 'ADMIN', 'warning']);
  assert.match(g.message, /^\$ADMIN is set only later \(line 6\): when this line runs \(its function is first run by the call on line 5\) it is still empty/);
  // Through a function that calls it (`main() { allow; }`): where that one is first called.
  const [n, ...rest] = found(script('allow() {', `  ${use}`, '}', 'main() {', '  allow', '}', 'main', 'ADMIN=10.0.0.1', 'main'));
  assert.equal(rest.length, 0);
  assert.match(n.message, /^\$ADMIN is set only later \(line 9\): when this line runs \(its function is first run by the call on line 8\) it is still empty/);
  assert.deepEqual(found(script('allow() {', `  ${use}`, '}', 'main() {', '  allow', '}', 'ADMIN=10.0.0.1', 'main')), []);
  // Not where that first call may itself run later (in an arm or a loop), nor for a command in an if of the body.
  for (const lines of [
    ['allow() {', `  ${use}`, '}', 'if [ -n "$1" ]; then allow; fi', 'ADMIN=10.0.0.1'],
    ['allow() {', '  if [ -n "$1" ]; then', `    ${use}`, '  fi', '}', 'allow', 'ADMIN=10.0.0.1'],
  ]) assert.deepEqual(found(script(...lines)), [], lines.join(' / '));
});

test('a loop variable written another way is loop-variable-unused\'s to say, not said twice', () => {
  const text = script('for ip in 203.0.113.7 198.51.100.23; do', '  iptables -A INPUT -s $IP -j DROP', 'done');
  assert.deepEqual(found(text), []);
  assert.equal(lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'loop-variable-unused').length, 1);
});

test('the distance between names, read only near the diagonal, is the plain one up to 3', () => {
  // The plain definition: every cell of the table (additions, removals, changes, swaps of neighbours).
  const plain = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
    return Math.min(d[a.length][b.length], 3);
  };
  const name = fc.string({ unit: fc.constantFrom('A', 'B', 'C', '_', '1'), maxLength: 12 });
  fc.assert(fc.property(name, name, (a, b) => distance(a, b) === plain(a, b)), { numRuns: 3000 });
});
