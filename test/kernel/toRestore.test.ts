/**
 * Script to restore file, proven with the real kernel: a script run in a throw-away network namespace and the
 * restore file made from it, loaded by iptables-restore in another, leave the kernel holding the same rules.
 * Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { scriptToRestore } from '../../server/src/engine/toRestore';
import { requirement, ROOT } from '../helpers/env';
import { expandSnippet } from '../snippets/expand';
import { kernelUnavailable, TEST_SETS } from './oracle';

const why = kernelUnavailable();
const skip = requirement(!why, `the script conversion cannot be checked against the kernel: ${why}`);

/** Scripts that exercise what a conversion must follow: insert positions, deletes, replaces, renames, flushes. */
const SCRIPTS: Record<string, string> = {
  'insert, delete, replace': [
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'iptables -I INPUT 1 -i lo -j ACCEPT',
    'iptables -I INPUT 3 -p udp --dport 53 -j ACCEPT',
    'iptables -D INPUT -p tcp --dport 80 -j ACCEPT',
    'iptables -R INPUT 2 -p tcp --dport 2222 -j ACCEPT',
    'iptables -A INPUT -m comment --comment "web and more" -p tcp -m multiport --dports 443,8443 -j ACCEPT',
    'iptables -P INPUT DROP',
  ].join('\n'),
  'user chains, renames, flushes, other tables': [
    'iptables -N SSH_IN',
    'iptables -A SSH_IN -s 10.0.0.0/8 -j ACCEPT',
    'iptables -A SSH_IN -j DROP',
    'iptables -A INPUT -p tcp --dport 22 -j SSH_IN',
    'iptables -E SSH_IN SSH_GUARD',
    'iptables -N OLD',
    'iptables -A OLD -j RETURN',
    'iptables -F OLD',
    'iptables -X OLD',
    'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE',
    'iptables -t nat -A PREROUTING -i eth0 -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80',
    'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
    'iptables -w -A OUTPUT -o lo -j ACCEPT',
    'iptables -P FORWARD DROP',
  ].join('\n'),
  'shell forms: variables, separators, continuations, quoting': [
    'IPT=iptables',
    '$IPT -A INPUT -p tcp --dport 22 -j ACCEPT ; $IPT -A INPUT -p tcp --dport 80 -j ACCEPT',
    '${IPT} -A INPUT -p udp --dport 53 \\',
    '  -j ACCEPT',
    '"$IPT" -A INPUT -m comment --comment \'single quoted\' -j ACCEPT',
    'iptables -A INPUT -m comment --comment "it\'s \\"quoted\\"" -j ACCEPT',
    'iptables -A INPUT -p icmp -j ACCEPT && iptables -A INPUT -p igmp -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 443 -j ACCEPT || true',
    'iptables -A INPUT -m comment --comment a\\ b -j ACCEPT',
    'iptables -A INPUT -p tcp --dport 8080 -j ACCEPT # a comment after it',
    'iptables -A INPUT -m comment --comment "a#b" -j ACCEPT',
    'iptables -A INPUT -m comment --comment \'$HOME stays\' -j ACCEPT',
  ].join('\n'),
  'both families': [
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'ip6tables -A INPUT -p ipv6-icmp -j ACCEPT',
    'ip6tables -P INPUT DROP',
  ].join('\n'),
  'a restore file in a here-document, then commands': [
    'iptables-restore <<\'EOF\'',
    '*filter',
    ':INPUT DROP [0:0]',
    ':SSH - [0:0]',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p tcp --dport 22 -j SSH',
    '-A SSH -s 10.0.0.0/8 -j ACCEPT',
    'COMMIT',
    '*nat',
    ':POSTROUTING ACCEPT [0:0]',
    '-A POSTROUTING -o eth0 -j MASQUERADE',
    'COMMIT',
    'EOF',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'iptables-restore --noflush <<EOF',
    '*filter',
    '-A INPUT -p tcp --dport 443 -j ACCEPT',
    'COMMIT',
    'EOF',
    'ip6tables-restore <<EOF',
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -p ipv6-icmp -j ACCEPT',
    'COMMIT',
    'EOF',
  ].join('\n'),
  'functions, run where they are called': [
    'setup_ssh() {',
    '  iptables -N SSH_IN',
    '  iptables -A SSH_IN -s 10.0.0.0/8 -j ACCEPT',
    '  iptables -A INPUT -p tcp --dport 22 -j SSH_IN',
    '}',
    'base() {',
    '  iptables -A INPUT -i lo -j ACCEPT',
    '  iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '}',
    'iptables -A INPUT -p tcp --dport 25 -j ACCEPT',
    'iptables -F',
    'base',
    'iptables -A INPUT -p tcp --dport 80 -j ACCEPT',
    'setup_ssh',
    'iptables -P INPUT DROP',
  ].join('\n'),
  'loops over known values': [
    'PORTS="25 587"',
    'for port in 22 80 443; do iptables -A INPUT -p tcp --dport $port -j ACCEPT; done',
    'for port in $PORTS; do',
    '  : "mail port $port"',
    '  iptables -A INPUT -p tcp --dport "$port" -j ACCEPT',
    'done',
    'for net in 10.0.0.0/8 192.168.0.0/16; do iptables -A FORWARD -s ${net} -j ACCEPT; done',
    'iptables -P INPUT DROP',
  ].join('\n'),
  'a loop over both families': [
    'for ipt in iptables ip6tables; do $ipt -A INPUT -p tcp --dport 22 -j ACCEPT; done',
    'for ipt in iptables ip6tables; do',
    '  $ipt -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'done',
    'for ipt in iptables ip6tables; do $ipt -P INPUT DROP; done',
  ].join('\n'),
  'loops of several commands': [
    'BAD="203.0.113.5 198.51.100.0/24"',
    'for ip in $BAD; do',
    '  iptables -A INPUT -s $ip -j LOG --log-prefix "blocked "',
    '  iptables -A INPUT -s $ip -j DROP',
    'done',
    'for p in 22 80; do iptables -A INPUT -j LOG; iptables -A OUTPUT -p tcp --sport $p -j ACCEPT; iptables -A INPUT -p tcp --dport $p -j ACCEPT; done',
    'for p in 8080 8443; do iptables -I INPUT 5 -p tcp --dport $p -j ACCEPT; done',
    'for p in 53 123; do iptables -A INPUT -p udp --dport $p -j ACCEPT; iptables -A INPUT -p tcp --dport $p -j ACCEPT; done',
    'iptables -A OUTPUT -j LOG',
    'iptables -A OUTPUT -p udp -j ACCEPT',
    'iptables -D OUTPUT 3',
    'for ipt in iptables ip6tables; do',
    '  $ipt -N SVC',
    '  $ipt -A SVC -p tcp --dport 443 -j ACCEPT',
    '  $ipt -A INPUT -j SVC',
    '  $ipt -P INPUT DROP',
    'done',
  ].join('\n'),
  'loops over chains, tables and targets': [
    'for t in filter nat mangle raw; do iptables -t $t -F; iptables -t $t -X; done',
    'for c in INPUT FORWARD; do',
    '  iptables -A $c -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '  iptables -A $c -p tcp --dport 22 -j LOG',
    'done',
    'for t in LOG ACCEPT; do iptables -A INPUT -p tcp --dport 22 -j $t; done',
    'for c in INPUT FORWARD; do iptables -P $c DROP; done',
  ].join('\n'),
  'wordpress example': readFileSync(path.join(ROOT, 'examples', 'wordpress-server.sh'), 'utf8').replace(/IPT=\/sbin\/iptables/, 'IPT=iptables').replace(/IP6T=\/sbin\/ip6tables/, 'IP6T=ip6tables'),
};

for (const [name, s] of Object.entries(JSON.parse(readFileSync(path.join(ROOT, 'snippets', 'shell.code-snippets'), 'utf8')) as Record<string, { body: string[] }>)) {
  SCRIPTS[`snippet: ${name}`] = expandSnippet(s.body).replace(/IPT=\/sbin\/iptables/g, 'IPT=iptables').replace(/IP6T=\/sbin\/ip6tables/g, 'IP6T=ip6tables');
}

/** The rules as the kernel holds them, both families, without counters and comment lines. */
const SAVE = 'for t in filter nat mangle raw; do iptables-legacy-save -t $t; done; echo ==v6==; for t in filter nat mangle raw; do ip6tables-legacy-save -t $t; done';
const canonical = (save: string) => save.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/ \[\d+:\d+\]$/, '')).join('\n');

/** A directory where `iptables` and its friends are the legacy backends, as in the snippet tests; removed after. */
function withBackendDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-convert-'));
  try {
    for (const [name, target] of [['iptables', 'iptables-legacy'], ['ip6tables', 'ip6tables-legacy'], ['iptables-restore', 'iptables-legacy-restore'], ['ip6tables-restore', 'ip6tables-legacy-restore']]) {
      symlinkSync(`/usr/sbin/${target}`, path.join(dir, name));
    }
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the script, and loads the restore files made from it, each in a namespace of its own; what is wrong, if
 * anything. `failing`: the script's refused commands fail and it goes on (no `set -e`), as a script with mistakes does.
 */
function compare(dir: string, name: string, script: string, files: ReturnType<typeof scriptToRestore>, failing = false): string | undefined {
  const sets = TEST_SETS.map((x) => `ipset create ${x} -exist`).join('; ');
  writeFileSync(path.join(dir, 'script.sh'), `${failing ? '' : 'set -e\n'}export PATH=${dir}:$PATH\n${sets}\n${script.replace(/^#!.*\n/, '')}\n${SAVE}\n`);
  const restore = files.map((f) => `${f.family === 6 ? 'ip6tables' : 'iptables'}-legacy-restore < ${path.join(dir, `v${f.family}.rules`)}`).join(' && ');
  for (const f of files) writeFileSync(path.join(dir, `v${f.family}.rules`), f.text);
  writeFileSync(path.join(dir, 'restore.sh'), `set -e\n${sets}\n${restore}\n${SAVE}\n`);
  chmodSync(path.join(dir, 'script.sh'), 0o755);
  const failures: string[] = [];
  const run = (file: string) => {
    try {
      return execFileSync('unshare', ['-n', 'sh', path.join(dir, file)], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      failures.push(`${name}: ${file} failed: ${(e as { stderr?: string }).stderr}\n${files.map((f) => f.text).join('\n')}`);
      return undefined;
    }
  };
  const [byScript, byRestore] = [run('script.sh'), run('restore.sh')];
  if (byScript !== undefined && byRestore !== undefined && canonical(byScript) !== canonical(byRestore)) {
    failures.push(`${name}: the kernel holds something else\n--- script:\n${canonical(byScript)}\n--- restore file:\n${canonical(byRestore)}`);
  }
  return failures.length ? failures.join('\n') : undefined;
}

test('kernel: a script and the restore files made from it leave the kernel holding the same rules', { skip, timeout: 120000 }, (t) => {
  const failures = withBackendDir((dir) => Object.entries(SCRIPTS).flatMap(([name, script]) => {
    const files = scriptToRestore(lint(script, { fileName: 'fw.sh' }), 'fw.sh');
    assert.ok(files.length > 0, name);
    for (const f of files) assert.deepEqual(f.skipped, [], `${name}: nothing is left out`);
    return compare(dir, name, script, files) ?? [];
  }));
  t.diagnostic(`${Object.keys(SCRIPTS).length} scripts run and converted`);
  assert.deepEqual(failures, []);
});

test('kernel: the commands iptables refuses fail in the script and are left out of the restore files alike', { skip, timeout: 120000 }, () => {
  const script = [
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    'iptables -A INPUT -j REJECT --reject-with tcp-reset',
    'iptables -A INPUT -o eth0 -j ACCEPT',
    'iptables -t nat -A PREROUTING -j DROP',
    'for p in 22 80; do iptables -A INPUT -o eth0 -p tcp --dport $p -j ACCEPT; done',
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -P INPUT DROP',
  ].join('\n');
  const files = scriptToRestore(lint(script, { fileName: 'fw.sh' }), 'fw.sh');
  assert.deepEqual(files.flatMap((f) => f.skipped.map((x) => x.line)), [1, 2, 4, 3]);
  assert.match(files[0].skipped[0].why, /^iptables refuses it: --reject-with tcp-reset needs -p tcp/);
  assert.equal(withBackendDir((dir) => compare(dir, 'refused commands', script, files, true)), undefined);
});
