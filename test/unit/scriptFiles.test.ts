/**
 * The files a script names for its firewall (linked in the editor): what each command does with the file, how its
 * name is found (beside the script, through a known variable), and the words that name no file to open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { documentLinks } from '../../server/src/features/links';

const script = (...lines: string[]) => ['#!/bin/sh', ...lines, ''].join('\n');
/** Each file named: `line:start-end role path`. */
const files = (text: string, fileName: string | null = '/srv/fw/firewall.sh') =>
  (lint(text, { fileName: fileName ?? undefined }).ruleset.files ?? []).map((f) => `${f.range.start.line}:${f.range.start.character}-${f.range.end.character} ${f.role} ${f.path}`);

test('each command names its file in its own way: sourced, loaded, saved, an ipset file', () => {
  const text = script(
    '. /etc/default/firewall',
    'source ./firewall.conf',
    'iptables-restore < /etc/iptables/rules.v4',
    'ip6tables-restore -n -T filter /etc/iptables/rules.v6',
    '/sbin/iptables-save > /etc/iptables/rules.v4',
    'iptables-legacy-save -t nat >> saved/nat.v4',
    'ip6tables-nft-save -f /var/lib/ip6tables',
    'iptables-apply -t 30 -w /etc/iptables/applied.v4 rules.v4',
    'ipset -exist restore < /etc/ipset.conf',
    'ipset save > /etc/ipset.conf',
    'ipset restore -file blocklist.ipset',
  );
  assert.deepEqual(files(text), [
    '1:2-23 sources /etc/default/firewall',
    '2:7-22 sources /srv/fw/firewall.conf',
    '3:19-41 loads /etc/iptables/rules.v4',
    '4:31-53 loads /etc/iptables/rules.v6',
    '5:22-44 saves /etc/iptables/rules.v4',
    '6:31-43 saves /srv/fw/saved/nat.v4',
    '7:22-40 saves /var/lib/ip6tables',
    '8:49-57 loads /srv/fw/rules.v4',
    '8:24-48 saves /etc/iptables/applied.v4',
    '9:23-38 ipset /etc/ipset.conf',
    '10:13-28 ipset /etc/ipset.conf',
    '11:20-35 ipset /srv/fw/blocklist.ipset',
  ]);
});

test('a file named by a known variable is found through its value; the link covers the word as written', () => {
  const text = script('RULES=/etc/iptables/rules.v4', 'sudo iptables-restore < "$RULES"', 'iptables-save > "${RULES}.bak"');
  assert.deepEqual(files(text), ['2:24-32 loads /etc/iptables/rules.v4', '3:16-30 saves /etc/iptables/rules.v4.bak']);
});

test('words that name no file to open: standard input and output, devices, globs, home folders, unknown variables, relative names of an unsaved script', () => {
  const none = script(
    'iptables-restore < /dev/stdin',
    'iptables-save > /dev/null',
    'iptables-restore -',
    'iptables-restore < /etc/iptables/*.v4',
    'iptables-restore < ~/rules.v4',
    'iptables-restore < "$SAVED"',
    'iptables-restore < $(ls /etc/iptables | head -1)',
    'iptables-restore <<EOF',
    '*filter',
    'COMMIT',
    'EOF',
    'cat rules.v4 | iptables-restore',
    'echo iptables-restore < /etc/iptables/rules.v4',
    'ipset list > /tmp/sets.txt',
  );
  assert.deepEqual(files(none), []);
  // Without the script's own name, a relative name leads nowhere; an absolute one still does.
  assert.deepEqual(files(script('. ./firewall.conf', 'iptables-restore < /etc/iptables/rules.v4'), null), ['2:19-41 loads /etc/iptables/rules.v4']);
  // A variable assigned in an arm may hold either value: no link.
  assert.deepEqual(files(script('if [ -n "$1" ]; then RULES=a.v4; else RULES=b.v4; fi', 'iptables-restore < $RULES')), []);
});

test('the editor links only the files that are there to open, each with what the script does with it', () => {
  const result = lint(script('. ./firewall.conf', 'iptables-restore < /etc/iptables/rules.v4', 'iptables-save > rules.v4'), { fileName: '/srv/fw/firewall.sh' });
  const there = new Set(['/srv/fw/firewall.conf', '/srv/fw/rules.v4']);
  const links = documentLinks(result, (f) => there.has(f));
  assert.deepEqual(links.map((l) => [l.range.start.line, l.target, l.tooltip]), [
    [1, 'file:///srv/fw/firewall.conf', 'Open the configuration this script reads its variables from'],
    [3, 'file:///srv/fw/rules.v4', 'Open the file this script saves the rules to'],
  ]);
  // A restore file names no files.
  assert.deepEqual(documentLinks(lint('*filter\nCOMMIT\n', { fileName: '/etc/iptables/rules.v4' }), () => true), []);
});
