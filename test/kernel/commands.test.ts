/**
 * Script commands and restore-file lines against the kernel: short iptables sequences, each run in a fresh throw-away namespace. Where the
 * kernel takes every command the linter must not say error; where it refuses one, the linter must say so (an error,
 * or a warning where it depends on what the chain held before the script ran), except for the few cases whose
 * failure depends only on rules the script cannot see. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { Backend, BACKEND, makeBuiltins, refusals, refusedCommands } from '../helpers/lint';
import { requirement } from '../helpers/env';
import { kernelUnavailable } from './oracle';

const why = kernelUnavailable();
const skip = requirement(!why, `script commands cannot be checked against the kernel: ${why}`);

/**
 * Sequences of commands (after `iptables`); `unseen` marks a refusal that depends on rules the script cannot know,
 * `only` the backend that refuses it (the other takes the commands).
 */
const CASES: Array<{ cmds: string[]; unseen?: string; only?: Backend }> = [
  ...['-P INPUT drop', '-P INPUT Drop', '-P INPUT REJECT', '-P FOO DROP', '-P INPUT', '-P INPUT ACCEPT -j DROP', '-P INPUT DROP -s 1.2.3.4', '-w -P INPUT DROP', '-P INPUT DROP -w'].map((c) => ({ cmds: [c] })),
  ...['-t nat -P PREROUTING DROP', '-t nat -P POSTROUTING ACCEPT', '-t mangle -P PREROUTING DROP', '-t raw -P OUTPUT DROP'].map((c) => ({ cmds: [c] })),
  ...[28, 29, 30].map((n) => ({ cmds: [`-N ${'a'.repeat(n)}`] })),
  ...['-N a-b.c_d', '-N 1abc', '-N -abc', '-N a!b', '-N INPUT', '-N accept', '-N ACCEPT', '-N RETURN', '-N DROP'].map((c) => ({ cmds: [c] })),
  { cmds: ['-t raw -N INPUT', '-t raw -A PREROUTING -j INPUT'] }, { cmds: ['-t nat -N FORWARD'] }, { cmds: ['-t raw -N FOO'] }, { cmds: ['-N X', '-E X Y'] }, { cmds: ['-N X', '-E X INPUT'] }, { cmds: ['-N X', '-N Y', '-E X Y'] }, { cmds: ['-E INPUT X'] },
  { cmds: ['-X INPUT'] }, { cmds: ['-N X', '-X X'] }, { cmds: ['-N X', '-A INPUT -j X', '-X X'] }, { cmds: ['-N X', '-A INPUT -j X', '-F INPUT', '-X X'] },
  { cmds: ['-N A', '-N B', '-A A -j B', '-X'] }, { cmds: ['-N A', '-N B', '-A A -j B', '-F', '-X'] }, { cmds: ['-X'] }, { cmds: ['-F'] }, { cmds: ['-Z'] },
  // A chain that still holds rules cannot be deleted; -X alone deletes every user chain or, if one holds rules, none.
  { cmds: ['-N X', '-A X -j ACCEPT', '-X X'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-F X', '-X X'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-D X 1', '-X X'] },
  { cmds: ['-N A', '-N B', '-A B -j ACCEPT', '-X'] }, { cmds: ['-N A', '-N B', '-A B -j ACCEPT', '-X A'] }, { cmds: ['-N A', '-N B', '-A B -j ACCEPT', '-X', '-N A'] },
  // A jump to a chain made only later, or renamed away; reading a chain that does not exist; -m conntrack with no option.
  { cmds: ['-A INPUT -j X', '-N X'] }, { cmds: ['-N X', '-A INPUT -j X'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-E X Y', '-A INPUT -j X'] }, { cmds: ['-N X', '-A INPUT -j X', '-E X Y', '-D INPUT -j X'], unseen: 'a script\'s -D of a jump is its clean-up, which may find a chain left from an earlier run' },
  { cmds: ['-N X', '-A INPUT -j X', '-E X Y', '-D INPUT -j Y'] }, { cmds: ['-A INPUT -g X', '-N X'] },
  { cmds: ['-Z X'] }, { cmds: ['-L X'] }, { cmds: ['-S X'] }, { cmds: ['-N X', '-Z X'] }, { cmds: ['-N X', '-S X'] }, { cmds: ['-L INPUT'] },
  { cmds: ['-A INPUT -m conntrack -j ACCEPT'] }, { cmds: ['-A INPUT -m conntrack --ctdir ORIGINAL -j ACCEPT'] },
  // -Z with -L or -S lists the counters and zeroes them; -W only with -w.
  { cmds: ['-A INPUT -j ACCEPT', '-L -Z'] }, { cmds: ['-A INPUT -j ACCEPT', '-Z INPUT -L'] }, { cmds: ['-A INPUT -j ACCEPT', '-L INPUT -Z OUTPUT'] }, { cmds: ['-A INPUT -j ACCEPT', '-S -Z'] },
  { cmds: ['-L -F'] }, { cmds: ['-W 100 -A INPUT -j ACCEPT'] }, { cmds: ['-w -W 100 -A INPUT -j ACCEPT'] },
  { cmds: ['-I INPUT 0 -j ACCEPT'] }, { cmds: ['-I INPUT 1 -j ACCEPT'] }, { cmds: ['-D INPUT 0'] }, { cmds: ['-R INPUT 0 -j ACCEPT'] },
  { cmds: ['-F INPUT', '-I INPUT 2 -j ACCEPT'] }, { cmds: ['-F INPUT', '-A INPUT -j ACCEPT', '-I INPUT 3 -j ACCEPT'] }, { cmds: ['-F INPUT', '-A INPUT -j ACCEPT', '-R INPUT 1 -j DROP'] },
  { cmds: ['-F INPUT', '-R INPUT 1 -j ACCEPT'] },
  { cmds: ['-I INPUT 2 -j ACCEPT'], unseen: 'INPUT may hold rules before the script runs' },
  { cmds: ['-D INPUT 1'], unseen: 'INPUT may hold rules before the script runs' },
  { cmds: ['-D INPUT -j ACCEPT'], unseen: 'INPUT may hold that rule before the script runs' },
  { cmds: ['-Z INPUT 1'], unseen: 'INPUT may hold rules before the script runs', only: 'legacy' },
  { cmds: ['-C INPUT -j ACCEPT'], unseen: '-C asks whether the rule is there: its failing is its answer' },
  { cmds: ['-A INPUT -j ACCEPT', '-D INPUT 1'] }, { cmds: ['-A INPUT -j ACCEPT', '-D INPUT -j ACCEPT'] }, { cmds: ['-L INPUT'] }, { cmds: ['-S'] },
  ...['-A INPUT -j ACCEPT -j DROP', '-A INPUT -p tcp -p udp', '-A INPUT -s 1.2.3.4 -s 5.6.7.8', '-A INPUT ! -s 1.2.3.4', '-A INPUT -s ! 1.2.3.4', '-A INPUT -i eth0 -i eth1',
    '-t nat -A INPUT -j ACCEPT', '-A INPUT --jump ACCEPT', '-A INPUT --goto INPUT', '-A INPUT -j', '-A', '-A INPUT -m', '-A INPUT -m tcp', '-A INPUT --dport 22', '-A INPUT -p tcp --dport 22 --dport 23',
    '-A INPUT -4 -j ACCEPT', '-A INPUT -6 -j ACCEPT', '-w -A INPUT -j ACCEPT', '-A INPUT -w 5 -j ACCEPT', '--append INPUT -j ACCEPT', '-A INPUT -c 1 2 -j ACCEPT'].map((c) => ({ cmds: [c] })),
  // Rule numbers past the end of a chain the script knows (made by -N, or flushed), and a -D of a rule it does not hold.
  { cmds: ['-N X', '-A X -j ACCEPT', '-D X 2'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-D X 1', '-D X 1'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-R X 2 -j DROP'] },
  { cmds: ['-N X', '-Z X 1'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-Z X 1'] }, { cmds: ['-N X', '-A X -j ACCEPT', '-Z X 2'] },
  { cmds: ['-N X', '-D X -j ACCEPT'] }, { cmds: ['-F INPUT', '-A INPUT -j ACCEPT', '-D INPUT -j DROP'] }, { cmds: ['-F', '-D INPUT -j ACCEPT'] },
  { cmds: ['-F INPUT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-D INPUT -p 6 -m tcp --dport ssh -j ACCEPT'] },
  { cmds: ['-N X', '-A X -p tcp --dport 22 -j ACCEPT', '-A X -p tcp --dport 22 -j ACCEPT', '-D X -p tcp --dport 22 -j ACCEPT', '-D X -p tcp --dport 22 -j ACCEPT', '-D X 1'] },
  { cmds: ['-N X', '-A INPUT -g X'] }, { cmds: ['-N X', '-A X -g X'] }, { cmds: ['-N X', '-A X -j X'] }, { cmds: ['-N X', '-N Y', '-A X -j Y', '-A Y -j X'] },
  // A rule past one that decides every packet: iptables-legacy's walk never checks its hook.
  { cmds: ['-A INPUT -j RETURN', '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu'] }, { cmds: ['-A INPUT -p tcp -j RETURN', '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu'] },
  // Another table's built-in chain name is a user chain's name like any other.
  { cmds: ['-t raw -N X', '-t raw -E X INPUT'] }, { cmds: ['-t raw -N X', '-t raw -E X PREROUTING'] },
];

test(`kernel (iptables-${BACKEND}): script commands: no error where the kernel takes them, a finding where it refuses one`, { skip, timeout: 120000 }, () => {
  const wrong: string[] = [];
  for (const { cmds, unseen, only } of CASES) {
    // The built-in chains made first, as on a machine in use (iptables-nft makes them only when something needs them).
    const run = spawnSync('unshare', ['-n', 'sh', '-c', `${makeBuiltins(`iptables-${BACKEND}`)} || exit 9; ${cmds.map((c) => `iptables-${BACKEND} ${c}`).join(' && ')} >/dev/null 2>&1`]);
    assert.notEqual(run.status, 9, 'the built-in chains could not be made');
    const kernelTakes = run.status === 0;
    // Findings of the checks for what iptables refuses (their codes' default is error), not of the policy analysis.
    const found = refusedCommands(lint(`${cmds.map((c) => `iptables ${c}`).join('\n')}\n`, { format: 'script' }).diagnostics);
    const what = cmds.join(' ; ');
    if (kernelTakes && found.length) wrong.push(`false error: ${what} (${found[0].message})`);
    if (!kernelTakes && !unseen && !found.length) wrong.push(`missed refusal: ${what}`);
    if (kernelTakes && unseen && (only ?? BACKEND) === BACKEND) wrong.push(`the kernel took ${what}, which was listed as refused (${unseen})`);
  }
  assert.deepEqual(wrong, []);
});

/**
 * Script commands whose refusal depends on what the chains hold when each one runs (run one by one, each on its own):
 * a rule of a user chain is checked against the hooks that reach the chain then, so the command refused is the rule
 * or the jump that comes second. The findings must stand exactly on the commands refused.
 */
const ORDERED: string[][] = [
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -A PREROUTING -j X'],
  ['-t nat -N X', '-t nat -A PREROUTING -j X', '-t nat -A X -j MASQUERADE'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -I PREROUTING 1 -g X'],
  ['-t nat -N X', '-t nat -N Y', '-t nat -A X -j Y', '-t nat -A Y -j MASQUERADE', '-t nat -A PREROUTING -j X'],
  ['-t nat -N X', '-t nat -N Y', '-t nat -A Y -j MASQUERADE', '-t nat -A PREROUTING -j X', '-t nat -A X -j Y'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -A POSTROUTING -j X'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -A PREROUTING -j X', '-t nat -A POSTROUTING -j X', '-t nat -A X -j MASQUERADE'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -A OUTPUT -j X', '-t nat -A X -j SNAT --to-source 10.0.0.1'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE --to-ports 80', '-t nat -A PREROUTING -j X'],
  // iptables-legacy's walk stops at a rule that decides every packet; iptables-nft checks TCPMSS and policy in their own chain only.
  ['-t nat -N X', '-t nat -A X -j ACCEPT', '-t nat -A X -j MASQUERADE', '-t nat -A PREROUTING -j X'],
  ['-t nat -N X', '-t nat -A X -j MASQUERADE', '-t nat -A PREROUTING -j ACCEPT', '-t nat -A PREROUTING -j X'],
  ['-t mangle -N X', '-t mangle -A X -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', '-t mangle -A PREROUTING -j X'],
  ['-N X', '-A X -m policy --dir in --pol none', '-A OUTPUT -j X'],
  ['-t mangle -N X', '-t mangle -A X -j REJECT', '-t mangle -A PREROUTING -j X', '-t mangle -A INPUT -j X'],
  // After a rule the script removes again, a built-in chain's own rules are still judged.
  ['-t nat -N X', '-t nat -A X -j ACCEPT', '-t nat -D X 1', '-t nat -A INPUT -j MASQUERADE'],
  // A command refused adds no rule: the rule numbers after it, a -D of the same rule and a -X count without it.
  ['-F INPUT', '-A INPUT -j MASQUERADE', '-A INPUT -j ACCEPT', '-D INPUT 2', '-D INPUT 1'],
  ['-F INPUT', '-A INPUT -m owner --uid-owner 0 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-I INPUT 3 -j DROP', '-R INPUT 2 -j ACCEPT'],
  ['-F OUTPUT', '-A OUTPUT -i eth0 -j ACCEPT', '-D OUTPUT -i eth0 -j ACCEPT', '-A OUTPUT -j ACCEPT', '-D OUTPUT 1'],
  ['-N X', '-A X -j MASQUERADE', '-X X'], ['-N X', '-A X -p udp -j REJECT --reject-with tcp-reset', '-A INPUT -j X', '-D INPUT 1', '-X X'],
];

test(`kernel (iptables-${BACKEND}): script commands run one by one: a finding exactly on each command the kernel refuses, as the chains stand when it runs`, { skip, timeout: 120000 }, () => {
  const wrong: string[] = [];
  for (const cmds of ORDERED) {
    const ipt = `iptables-${BACKEND}`;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', [`${makeBuiltins(ipt)} || exit 9`, ...cmds.map((c) => `${ipt} ${c} >/dev/null 2>&1; echo $?`)].join('\n')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const refused = run.stdout.trim().split('\n').map(Number).flatMap((rc, k) => (rc === 0 ? [] : [k]));
    const found = [...new Set(refusedCommands(lint(`${cmds.map((c) => `iptables ${c}`).join('\n')}\n`, { format: 'script' }).diagnostics).map((d) => d.range.start.line))];
    if (JSON.stringify(found) !== JSON.stringify(refused)) wrong.push(`${cmds.join(' ; ')}: refused ${JSON.stringify(refused)}, findings on ${JSON.stringify(found)}`);
  }
  assert.deepEqual(wrong, []);
});

/** A rule line of exactly `n` words (at least 4). */
function ruleOfWords(n: number): string {
  const groups = Math.floor((n - 4) / 4);
  const filler = ['', '-f', '-i eth0', '-i eth0 -f'][(n - 4) % 4];
  return ['-A INPUT', filler, ...Array.from({ length: groups }, () => '-m comment --comment x'), '-j ACCEPT'].filter(Boolean).join(' ');
}

/** Restore files with odd lines: counters, chain lines, commands, quotes, blanks and comments where they may or may not go. */
const F = (...l: string[]) => l.join('\n') + '\n';
const cases: string[] = [
  F('*filter', ':INPUT ACCEPT', 'COMMIT'), F('*filter', ':INPUT ACCEPT [0:0] extra', 'COMMIT'), F('*filter', ':INPUT ACCEPT [x:y]', 'COMMIT'), F('*filter', ':INPUT ACCEPT [0:0]', 'commit'),
  F('*FILTER', 'COMMIT'), F('* filter', 'COMMIT'), F('*filter ', 'COMMIT'), F('*filter', '', 'COMMIT'), F('*filter', '# c', 'COMMIT'), F('*filter', '  # c', 'COMMIT'), F('*filter', ' -A INPUT -j ACCEPT', 'COMMIT'),
  F('*filter', '[1:2] -A INPUT -j ACCEPT', 'COMMIT'), F('*filter', '[1:2]-A INPUT -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT [1:2]', 'COMMIT'), F('*filter', '[a:b] -A INPUT -j ACCEPT', 'COMMIT'),
  F('*filter', '-A INPUT -j ACCEPT # c', 'COMMIT'), F('*filter', '-A INPUT\t-j\tACCEPT', 'COMMIT'), F('*filter', '-A INPUT -m comment --comment "a b" -j ACCEPT', 'COMMIT'), F('*filter', "-A INPUT -m comment --comment 'a b' -j ACCEPT", 'COMMIT'),
  F('*filter', '-A INPUT -m comment --comment "a\\"b" -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -m comment --comment "" -j ACCEPT', 'COMMIT'), F('*filter', ':INPUT DROP [0:0]', ':INPUT ACCEPT [0:0]', 'COMMIT'),
  F('*filter', ':X - [0:0]', ':X - [0:0]', 'COMMIT'), F('*filter', ':X ACCEPT [0:0]', 'COMMIT'), F('*filter', ':INPUT - [0:0]', 'COMMIT'), F('*filter', ':PREROUTING ACCEPT [0:0]', 'COMMIT'), F('*filter', '-N X', '-A X -j ACCEPT', 'COMMIT'),
  F('*filter', '-P INPUT DROP', 'COMMIT'), F('*filter', '-F', 'COMMIT'), F('*filter', '-X', 'COMMIT'), F('*filter', '-I INPUT -j ACCEPT', 'COMMIT'), F('*filter', '-D INPUT -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT', '-D INPUT 1', 'COMMIT'),
  F('*filter', '-L', 'COMMIT'), F('*filter', '-Z', 'COMMIT'), F('*filter', '-E INPUT X', 'COMMIT'), F('*filter', ':X - [0:0]', '-E X Y', '-A Y -j ACCEPT', 'COMMIT'), F('*filter', 'COMMIT', 'COMMIT'), F('COMMIT'),
  F('*filter', '*nat', 'COMMIT'), F('*filter', 'COMMIT', '*filter', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT'), F('-A INPUT -j ACCEPT'), F('*filter', '-t nat -A INPUT -j ACCEPT', 'COMMIT'),
  F('*filter', '-A INPUT -w -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -4 -j ACCEPT', 'COMMIT'), F('*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j ACCEPT', 'COMMIT', '# end'), F('# start', '*filter', 'COMMIT'),
  F('*filter', ':INPUT ACCEPT [0:0]x', 'COMMIT'), F('*filter', ':INPUT  ACCEPT  [0:0]', 'COMMIT'), F('*filter', ':INPUT\tACCEPT\t[0:0]', 'COMMIT'), F('*filter', 'COMMIT extra'), F('*filter', ' COMMIT'),
  F('*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j ACCEPT', 'COMMIT', '*filter', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT', '*nat', 'COMMIT'), F('*filter', '-A INPUT -j "ACCEPT"', 'COMMIT'),
  F('*filter', '-A "INPUT" -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -s "10.0.0.1" -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT \\', 'COMMIT'),
  // A rule marked for the other family: the words before the mark are read, those after it are not.
  F('*filter', '-A INPUT -6 -p tpc -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -p tpc -6 -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -s -6 -j ACCEPT', 'COMMIT'),
  F('*filter', '-A INPUT -d 2001:db8::1 -6 -j ACCEPT', 'COMMIT'), F('*filter', '-A INPUT -6 -j NOSUCH', 'COMMIT'),
  // -X of a chain that holds rules, or that a rule jumps to: iptables-restore refuses the line.
  F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-X X', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-F X', '-X X', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-X', 'COMMIT'),
  F('*filter', ':X - [0:0]', ':Y - [0:0]', '-A X -j ACCEPT', '-X Y', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', '-X X', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', '-F INPUT', '-X X', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-X X', 'COMMIT'),
  // -D names a rule by what iptables builds from its words, not by their text.
  ...[['-p tcp --dport 22', '-p tcp -m tcp --dport 22'], ['-p tcp -m tcp --dport 22', '-p tcp --dport 22'], ['-s 10.0.0.1', '-s 10.0.0.1/32'], ['-s 10.0.0.1/8', '-s 10.0.0.0/8'],
    ['-p tcp', '-p 6'], ['-p tcp --dport 22', '-p tcp --dport ssh'], ['-p tcp --dport 22', '-p tcp --dport 22:22'], ['-i eth0 -s 10.0.0.1', '-s 10.0.0.1 -i eth0'],
    ['-m conntrack --ctstate NEW,ESTABLISHED', '-m conntrack --ctstate ESTABLISHED,NEW'], ['-m state --state NEW', '-m state --state new'], ['-p udp -m multiport --dports 53,123', '-p udp -m multiport --dports domain,ntp'],
    ['-p icmp --icmp-type 8', '-p icmp --icmp-type echo-request'], ['-p tcp --dport 22', '-p tcp --dport 23'], ['-p tcp --dport 22', '-p udp --dport 22'], ['-s 10.0.0.1', '-s 10.0.0.2'],
    ['-i eth0', '-i eth1'], ['-m state --state NEW', '-m conntrack --ctstate NEW'], ['-p tcp', '! -p tcp'], ['', '-p tcp']]
    .map(([a, b]) => F('*filter', `-A INPUT ${a} -j ACCEPT`, `-D INPUT ${b} -j ACCEPT`, 'COMMIT')),
  F('*filter', '-A INPUT -j ACCEPT', '-D INPUT -j DROP', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', '-D INPUT -g X', 'COMMIT'),
  // Rule numbers past the end of the chain: -D and -R refused by both, -Z by iptables-legacy only.
  F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-D X 2', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-R X 2 -j DROP', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-Z X 2', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j ACCEPT', '-Z X 1', 'COMMIT'),
  // At most 251 words on a rule line (counters before them not counted).
  ...[251, 252].flatMap((n) => ['', '[0:0] '].map((pre) => F('*filter', `${pre}${ruleOfWords(n)}`, 'COMMIT'))),
  // A jump to a chain declared further down, or renamed away (iptables-nft refuses the rename itself at COMMIT).
  F('*filter', '-A INPUT -j X', ':X - [0:0]', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-E X Y', '-A INPUT -j X', 'COMMIT'), F('*filter', ':X - [0:0]', '-E X Y', '-A INPUT -j Y', 'COMMIT'),
  // -Z of a chain that does not exist; of a built-in chain that iptables-nft-restore forgot at a -X and no line made again.
  F('*filter', '-Z X', 'COMMIT'), F('*filter', ':X - [0:0]', '-Z X', 'COMMIT'),
  F('*filter', '-X', '-Z INPUT', 'COMMIT'), F('*filter', ':INPUT DROP [0:0]', '-X', '-Z INPUT', 'COMMIT'), F('*filter', '-X', '-A INPUT -j ACCEPT', '-Z INPUT', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-X X', '-Z INPUT', 'COMMIT'), F('*filter', '-X', ':INPUT ACCEPT [0:0]', '-Z INPUT', 'COMMIT'), F('*filter', '-X', '-F INPUT', '-Z INPUT', 'COMMIT'),
  F('*filter', '-X', '-X INPUT', 'COMMIT'), F('*filter', '-A OUTPUT -j ACCEPT', '-F', '-X OUTPUT', 'COMMIT'), F('*filter', '-A OUTPUT -j ACCEPT', '-F OUTPUT', '-X OUTPUT', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT', '-X', '-Z INPUT', 'COMMIT'), F('*filter', '-X', '-Z OUTPUT 1', 'COMMIT'),
  // A built-in chain's line after rules of it sets its policy; nat takes no DROP policy.
  F('*filter', '-A INPUT -j ACCEPT', ':INPUT DROP [0:0]', 'COMMIT'), F('*filter', ':INPUT DROP [0:0]', '-A INPUT -j ACCEPT', ':INPUT ACCEPT [0:0]', 'COMMIT'),
  F('*raw', ':X - [0:0]', '-E X INPUT', 'COMMIT'), F('*raw', ':X - [0:0]', '-E X OUTPUT', 'COMMIT'),
  // A hook iptables-legacy's walk of the table never checks: past a rule that decides every packet, in the chain or on the way.
  F('*filter', '-A INPUT -j RETURN', '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', 'COMMIT'), F('*filter', '-A INPUT -j ACCEPT', '-A INPUT -m policy --dir out --pol none', 'COMMIT'),
  F('*nat', ':X - [0:0]', '-A INPUT -j ACCEPT', '-A INPUT -j X', '-A X -j REDIRECT', 'COMMIT'), F('*nat', ':X - [0:0]', '-A INPUT -p tcp -j ACCEPT', '-A INPUT -j X', '-A X -j REDIRECT', 'COMMIT'),
  F('*nat', ':X - [0:0]', '-A INPUT -j X', '-A X -j RETURN', '-A X -j REDIRECT', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j RETURN', '-A X -m policy --dir out --pol none', '-A INPUT -j X', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-A X -m policy --dir out --pol none', '-A INPUT -j X', 'COMMIT'),
  // A rule the kernel refuses is held until COMMIT: a -X of its chain fails, unless a flush naming the chain came first.
  F('*filter', ':Y - [0:0]', '-A Y -j REDIRECT', '-X Y', 'COMMIT'), F('*filter', ':Y - [0:0]', '-A Y -j REDIRECT', '-F Y', '-X Y', 'COMMIT'),
  F('*nat', ':Y - [0:0]', '-A Y -j DROP', '-X Y', 'COMMIT'),
  F('*raw', ':INPUT - [0:0]', '-A PREROUTING -j INPUT', 'COMMIT'), F('*raw', ':INPUT ACCEPT [0:0]', 'COMMIT'), F('*nat', ':FORWARD - [0:0]', 'COMMIT'),
  F('*nat', '-P PREROUTING DROP', 'COMMIT'), F('*nat', '-P PREROUTING ACCEPT', 'COMMIT'), F('*nat', ':PREROUTING DROP [0:0]', 'COMMIT'),
  // A rule the file removes before COMMIT: iptables-legacy never checks it in the kernel, iptables-nft does unless a
  // flush naming its chain took it back first; what iptables refuses while reading the words stays refused.
  ...[['filter', 'INPUT', '-j CT --notrack'], ['nat', 'INPUT', '-j DNAT --to-destination 1.2.3.4'], ['filter', 'INPUT', '-m owner --uid-owner 0 -j ACCEPT'],
    ['filter', 'INPUT', '-m tcp --dport 22 -j ACCEPT'], ['filter', 'FORWARD', '-j TCPMSS --set-mss 1000'], ['filter', 'INPUT', '-j REJECT --reject-with tcp-reset'],
    ['filter', 'OUTPUT', '-m policy --dir in --pol none -j ACCEPT'], ['mangle', 'INPUT', '-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu'], ['filter', 'OUTPUT', '-i eth0 -j ACCEPT'],
    ['filter', 'INPUT', '-m conntrack -j ACCEPT'], ['filter', 'INPUT', '-m hashlimit --hashlimit-above 1/day --hashlimit-burst 100000 --hashlimit-name x -j DROP'],
    ['filter', 'INPUT', '-m limit --limit 3/min --limit-burst 0 -j ACCEPT'], ['nat', 'PREROUTING', '-j DROP'], ['raw', 'PREROUTING', '-j CT --helper ftp'], ['filter', 'INPUT', '-j QUEUE']]
    .flatMap(([table, chain, rule]) => ['-F', `-F ${chain}`, `-D ${chain} 1`].map((removal) => F(`*${table}`, `-A ${chain} ${rule}`, removal, 'COMMIT'))),
  F('*filter', ':Y - [0:0]', '-A Y -j CT --notrack', '-F Y', '-X Y', 'COMMIT'), F('*nat', ':X - [0:0]', '-A INPUT -j X', '-A X -j DNAT --to-destination 1.2.3.4', '-F INPUT', '-F X', 'COMMIT'),
  // iptables-nft-restore's -F without a chain name leaves the rules the file added before it.
  F('*filter', '-A OUTPUT -j LOG', '-F', '-D OUTPUT 1', 'COMMIT'), F('*filter', '-A OUTPUT -j LOG', '-F', '-D OUTPUT 1', '-D OUTPUT 1', 'COMMIT'),
  F('*filter', '-A OUTPUT -j LOG', '-F', '-I OUTPUT 2 -j ACCEPT', 'COMMIT'), F('*filter', '-A OUTPUT -j LOG', '-F', '-D OUTPUT -j LOG', 'COMMIT'),
  F('*filter', '-A OUTPUT -j LOG', '-F OUTPUT', '-D OUTPUT 1', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j LOG', '-F', '-X X', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-A INPUT -j X', '-F', '-X', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', '-F', '-F INPUT', '-X X', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-A X -j LOG', '-F', ':X - [0:0]', '-X X', 'COMMIT'), F('*mangle', '-A INPUT -j REDIRECT', '-F', '-F INPUT', 'COMMIT'), F('*mangle', '-A INPUT -j REDIRECT', '-F', 'COMMIT'),
  // ... and the jumps among them: with the rules added after the flush they may close a circle a built-in chain reaches.
  F('*filter', ':X - [0:0]', '-A INPUT -j X', '-A X -j X', '-F', 'COMMIT'), F('*filter', ':X - [0:0]', '-A INPUT -j X', '-F', '-A X -j X', 'COMMIT'),
  F('*filter', ':X - [0:0]', ':Y - [0:0]', '-A X -j Y', '-F', '-A Y -j X', '-A INPUT -j Y', 'COMMIT'), F('*filter', ':X - [0:0]', '-A X -j X', '-F', 'COMMIT'),
  F('*filter', ':X - [0:0]', '-A INPUT -j X', '-A X -j X', '-F', '-F X', 'COMMIT'), F('*filter', ':X - [0:0]', ':Y - [0:0]', '-A X -j Y', '-F', '-A Y -j X', 'COMMIT'),
  // ... or lead a hook to a rule it does not allow.
  F('*nat', ':X - [0:0]', '-A PREROUTING -j X', '-F', '-A X -j SNAT --to-source 192.0.2.1', 'COMMIT'), F('*nat', ':X - [0:0]', '-A PREROUTING -j X', '-A X -j SNAT --to-source 192.0.2.1', '-F', 'COMMIT'),
  F('*nat', ':X - [0:0]', '-A OUTPUT -j X', '-F', '-A X -j MASQUERADE', 'COMMIT'), F('*nat', ':X - [0:0]', '-A PREROUTING -j X', '-F', '-F PREROUTING', '-A X -j SNAT --to-source 192.0.2.1', 'COMMIT'),
  F('*nat', ':X - [0:0]', ':Y - [0:0]', '-A OUTPUT -j X', '-F', '-A X -j Y', '-A Y -j MASQUERADE', 'COMMIT'), F('*nat', ':X - [0:0]', '-A POSTROUTING -j X', '-F', '-A X -j MASQUERADE', 'COMMIT'),
  // NAT to a port: iptables looks at the protocol number alone, negated or not.
  ...['', '-p tcp', '-p sctp', '-p dccp', '-p icmp', '-p ipv6-icmp', '-p gre', '-p udplite', '-p all', '! -p tcp', '! -p gre', '-p 17', '-p 47'].flatMap((p) => [
    `-A POSTROUTING ${p} -j SNAT --to-source 192.0.2.1:1000-2000`, `-A PREROUTING ${p} -j DNAT --to-destination 192.0.2.1:1000`,
    `-A POSTROUTING ${p} -j MASQUERADE --to-ports 1000`, `-A PREROUTING ${p} -j REDIRECT --to-ports 1000`, `-A POSTROUTING ${p} -j SNAT --to-source 192.0.2.1`,
  ].map((rule) => F('*nat', rule.replace('  ', ' '), 'COMMIT'))),
];

test(`kernel (iptables-${BACKEND}): restore files with odd lines: the linter refuses what iptables-restore refuses`, { skip, timeout: 120000 }, () => {
  const wrong: string[] = [];
  for (const text of cases) {
    const r = spawnSync('unshare', ['-n', `iptables-${BACKEND}-restore`], { input: text, encoding: 'utf8' });
    const errors = refusals(lint(text, { format: 'restore' }).diagnostics);
    if ((r.status === 0) !== (errors.length === 0)) wrong.push(`${r.status === 0 ? 'false error' : 'missed refusal'}: ${JSON.stringify(text)}${errors[0] ? ` (${errors[0].message})` : ` (${r.stderr.trim().split('\n')[0]})`}`);
  }
  assert.deepEqual(wrong, []);
});

/**
 * Scripts that load restore files from here-documents, run by bash (`set -e`: any command iptables refuses stops it)
 * with the backend's iptables and iptables-restore first on the PATH.
 */
const LOADS: Array<{ lines: string[]; unseen?: string }> = [
  // A here-document the shell expands: a blank setting leaves no word on the rule line (quoted, an empty one).
  ...[['LAN=', '-A INPUT -i $LAN -j ACCEPT'], ['LAN=', '-A INPUT -i "$LAN" -j ACCEPT'], ['EXTRA=', '-A INPUT $EXTRA -p tcp --dport 22 -j ACCEPT'],
    ['EXTRA=', '-A INPUT -p tcp --dport 22 $EXTRA -j ACCEPT'], ['NET=', '-A INPUT -s $NET/24 -j ACCEPT'], ['PORTS=', '-A INPUT -p tcp -m multiport --dports $PORTS -j ACCEPT'],
    ['CHAIN=', '-A INPUT -j $CHAIN'], ['PORT=80a', '-A INPUT -p tcp --dport $PORT -j ACCEPT'], ['WAN=eth0', '-A INPUT -i $WAN -j ACCEPT']]
    .map(([setting, rule]) => ({ lines: [setting, 'iptables-restore <<EOF', '*filter', rule, 'COMMIT', 'EOF'] })),
  // --noflush: a user chain's line empties a chain made before the load; a built-in chain's line sets its policy.
  { lines: ['iptables -N X', 'iptables -A X -j ACCEPT', 'iptables-restore --noflush <<EOF', '*filter', ':X - [0:0]', '-A INPUT -j X', 'COMMIT', 'EOF', 'iptables -F INPUT', 'iptables -X X'] },
  { lines: ['iptables -N X', 'iptables -A X -j ACCEPT', 'iptables-restore --noflush <<EOF', '*filter', '-A INPUT -j X', 'COMMIT', 'EOF', 'iptables -F INPUT', 'iptables -X X'] },
  { lines: ['iptables -t nat -N X', 'iptables -t nat -A X -j RETURN', 'iptables-restore --noflush <<EOF', '*nat', ':X - [0:0]', 'COMMIT', 'EOF', 'iptables -t nat -X X'] },
  { lines: ['iptables -P INPUT DROP', 'iptables-restore --noflush <<EOF', '*filter', ':INPUT ACCEPT [0:0]', 'COMMIT', 'EOF'] },
  { lines: ['iptables -N X', 'iptables-restore --noflush <<EOF', '*filter', '-A INPUT -j X', 'COMMIT', 'EOF'] },
  { lines: ['iptables-restore --noflush <<EOF', '*filter', '-A INPUT -j X', 'COMMIT', 'EOF', 'iptables -N X'] },
  { lines: ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables-restore --noflush <<EOF', '*filter', '-D INPUT -p 6 -m tcp --dport ssh -j ACCEPT', 'COMMIT', 'EOF'] },
  // Without --noflush the load replaces the table: its chains are gone after it.
  { lines: ['iptables-restore <<EOF', '*filter', ':X - [0:0]', '-A X -j ACCEPT', 'COMMIT', 'EOF', 'iptables -A INPUT -j X', 'iptables -X X'] },
  { lines: ['iptables-restore <<EOF', '*filter', '-A INPUT -j X', ':X - [0:0]', 'COMMIT', 'EOF'] },
  { lines: ['iptables -N X', 'iptables -A INPUT -j X', 'iptables-restore <<EOF', '*filter', ':INPUT ACCEPT [0:0]', 'COMMIT', 'EOF', 'iptables -X X'], unseen: 'a script\'s chain made anywhere in it may exist when a later command names it' },
  // A flush without a chain name in such a load: iptables-nft-restore keeps the rules the load added before it.
  { lines: ['iptables-restore <<EOF', '*filter', '-A INPUT -j ACCEPT', '-F', 'COMMIT', 'EOF', 'iptables -D INPUT 1'] },
  { lines: ['iptables-restore <<EOF', '*filter', ':X - [0:0]', '-A X -j LOG', '-F', 'COMMIT', 'EOF', 'iptables -X X'] },
  { lines: ['iptables-restore <<EOF', '*filter', ':X - [0:0]', '-A INPUT -j X', '-F', 'COMMIT', 'EOF', 'iptables -X X'] },
  { lines: ['iptables-restore <<EOF', '*filter', ':X - [0:0]', '-A INPUT -j X', '-F', 'COMMIT', 'EOF', 'iptables -F', 'iptables -X X'] },
  { lines: ['iptables -A INPUT -j ACCEPT', 'iptables-restore --noflush <<EOF', '*filter', '-A INPUT -j ACCEPT', '-F', 'COMMIT', 'EOF', 'iptables -D INPUT 1'] },
  // Rule numbers among the rules of loops and of a function called once per value: counted as the shell runs them.
  { lines: ['iptables -N X', 'for p in 22 80 443; do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -D X 3'] },
  { lines: ['iptables -N X', 'for p in 22 80 443; do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -D X 4'] },
  { lines: ['iptables -N X', 'for p in 22 80 443; do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -R X 3 -j DROP'] },
  { lines: ['iptables -N X', 'for p in 22 80 443; do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -I X 5 -j DROP'] },
  { lines: ['iptables -N X', 'for p in 1 2 3; do iptables -I X 1 -p tcp --dport $p -j ACCEPT; done', 'iptables -R X 4 -j DROP'] },
  { lines: ['iptables -N X', 'for p in 22 80; do iptables -A X -p tcp --dport $p -j ACCEPT; iptables -A X -p udp --dport $p -j ACCEPT; done', 'iptables -D X 5'] },
  { lines: ['iptables -N X', 'f() { iptables -A X -p tcp --dport $1 -j ACCEPT; }', 'f 22', 'f 80', 'iptables -D X 3'] },
  // A loop over a list left empty makes no pass: its rules are not there to delete.
  { lines: ['iptables -N X', 'E=', 'for p in $E; do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -D X 1'] },
  { lines: ['iptables -N X', 'E=', 'f() { iptables -A X -j ACCEPT; }', 'for p in $E; do f; done', 'iptables -A X -j DROP', 'iptables -D X 2'] },
  // A function whose calls differ in two parameters: each call's words checked, its rules counted.
  { lines: ['iptables -N X', 'f() { iptables -A X -p $1 --dport $2 -j ACCEPT; }', 'f tcp 22', 'f udp 53', 'iptables -D X 3'] },
  { lines: ['iptables -N X', 'f() { iptables -A X -p $1 --dport $2 -j ACCEPT; }', 'f tcp 22', 'f udp 53', 'iptables -R X 3 -j DROP'] },
  { lines: ['iptables -N X', 'f() { iptables -A X -p $1 --dport $2 -j ACCEPT; }', 'f tcp 22', 'f udp 80a'] },
  { lines: ['iptables -N X', 'f() { iptables -A $1 -p tcp --dport $2 -j ACCEPT; }', 'f X 22', 'f INPUT 80', 'iptables -D X 2'] },
  { lines: ['iptables -N X', 'for i in 1 2; do iptables -A X -j ACCEPT; done', 'for i in 1 2; do iptables -D X 1; done', 'iptables -A X -j DROP', 'iptables -D X 1'] },
  // Loops over values not known here, nested loops, conditions, a function called twice: the count is not claimed.
  { lines: ['iptables -N X', 'for p in $(seq 1 3); do iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -R X 3 -j DROP'] },
  { lines: ['iptables -N X', 'while read p; do iptables -A X -p tcp --dport $p -j ACCEPT; done <<EOF', '22', '80', '443', 'EOF', 'iptables -R X 3 -j DROP'] },
  { lines: ['iptables -N X', 'for a in 1 2; do for b in 3 4; do iptables -A X -p tcp --dport $a$b -j ACCEPT; done; done', 'iptables -R X 4 -j DROP'] },
  { lines: ['iptables -N X', 'for p in 22 80; do [ $p = 22 ] && iptables -A X -p tcp --dport $p -j ACCEPT; done', 'iptables -D X 2'], unseen: 'whether a condition holds is not known here' },
  { lines: ['iptables -N X', 'f() { iptables -A X -j ACCEPT; }', 'f', 'f', 'iptables -R X 2 -j DROP'] },
  { lines: ['iptables -N X', 'for i in 1 2 3; do iptables -I X $i -j ACCEPT; done', 'iptables -D X 3'] },
];

test(`kernel (iptables-${BACKEND}): scripts run by bash (restore files they load, loops, functions): a finding exactly where a command is refused`, { skip, timeout: 120000 }, () => {
  const wrong: string[] = [];
  const bin = mkdtempSync(path.join(os.tmpdir(), 'ipt-bin-'));
  for (const tool of ['iptables', 'iptables-restore']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool.replace('iptables', `iptables-${BACKEND}`)}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
  for (const { lines, unseen } of LOADS) {
    const text = ['#!/bin/bash', 'set -e', ...lines, ''].join('\n');
    const file = path.join(bin, 'fw.sh');
    writeFileSync(file, text);
    const run = spawnSync('unshare', ['-n', 'env', `PATH=${bin}:${process.env.PATH}`, 'bash', file], { encoding: 'utf8' });
    // A script's refusals are warnings (it goes on without the command); one only the other backend makes does not count.
    const found = refusedCommands(lint(text, { fileName: 'fw.sh' }).diagnostics);
    const what = lines.join(' ; ');
    if (run.status === 0 && found.length) wrong.push(`false finding: ${what} (${found[0].message})`);
    if (run.status !== 0 && !found.length && !unseen) wrong.push(`missed refusal: ${what} (${run.stderr.trim().split('\n').pop()})`);
    if (run.status === 0 && unseen) wrong.push(`the kernel took ${what}, which was listed as refused (${unseen})`);
  }
  assert.deepEqual(wrong, []);
});

test('kernel: a restore file\'s -F without a chain name: iptables-nft-restore keeps the rules the file added above it, iptables-legacy-restore does not, and the linter says so on the line', { skip, timeout: 60000 }, () => {
  const text = ['*filter', ':X - [0:0]', '-A X -j LOG', '-A OUTPUT -j X', '-F', '-A INPUT -j ACCEPT', 'COMMIT', ''].join('\n');
  const loaded = (backend: string) => {
    const r = spawnSync('unshare', ['-n', 'sh', '-c', `iptables-${backend}-restore && iptables-${backend}-save -t filter`], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter((l) => l.startsWith('-A '));
  };
  assert.deepEqual(loaded('legacy'), ['-A INPUT -j ACCEPT']);
  assert.deepEqual(loaded('nft').sort(), ['-A INPUT -j ACCEPT', '-A OUTPUT -j X', '-A X -j LOG']);
  const found = lint(text, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'syntax');
  assert.deepEqual(found.map((d) => [d.severity, d.range.start.line]), [['warning', 4]]);
  assert.match(found[0].message, /iptables-nft-restore .* keeps the rules this file added above it \(the rules on lines 3, 4\)/);
});

/**
 * Scripts with shell variables, run by sh as written: a variable set once to a known value is what iptables is
 * given, split at blanks where unquoted, and a variable set nowhere leaves nothing in its place.
 */
const WITH_VARIABLES: string[][] = [
  ['PORT=80a', 'iptables -A INPUT -p tcp --dport $PORT -j ACCEPT'],
  ['PORT=8080', 'iptables -A INPUT -p tcp --dport $PORT -j ACCEPT'],
  ['SERVICES="22 80 443"', 'iptables -A INPUT -p tcp -m multiport --dports $SERVICES -j ACCEPT'],
  ['SERVICES="22 80 443"', 'iptables -A INPUT -p tcp -m multiport --dports "$SERVICES" -j ACCEPT'],
  ['SERVICES=22,80,443', 'iptables -A INPUT -p tcp -m multiport --dports $SERVICES -j ACCEPT'],
  ['OPTS="-p tcp --dport 25"', 'iptables -A INPUT $OPTS -j ACCEPT'],
  ['OPTS="-p tcp --dport"', 'iptables -A INPUT $OPTS -j ACCEPT'],
  ['IPS="192.0.2.1 192.0.2.2"', 'iptables -A INPUT -s $IPS -j DROP'],
  ['IPS=192.0.2.1,192.0.2.2', 'iptables -A INPUT -s $IPS -j DROP'],
  ['NET=10.1.2.3/8', 'iptables -A INPUT -s $NET -j ACCEPT'],
  ['NET=10.1.2.0', 'iptables -A INPUT -s $NET/33 -j ACCEPT'],
  ['PREFIX="dropped: "', 'iptables -A INPUT -j LOG --log-prefix "$PREFIX"'],
  ['LAN_IFACE=eth1', 'iptables -A INPUT -i $LAN_IF -j ACCEPT'],
  ['iptables -A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT'],
  ['iptables -A INPUT -s "$ADMIN" -j ACCEPT'],
  ['iptables -A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT', 'ADMIN=192.0.2.9', 'iptables -A INPUT -s $ADMIN -p tcp --dport 22 -j ACCEPT'],
  // Settings left blank: unquoted, the word is left out (harmless where it stood for options of its own); quoted, an empty word.
  ['LAN=', 'iptables -A INPUT -i $LAN -j ACCEPT'],
  ['LAN=""', 'iptables -A INPUT -i "$LAN" -j ACCEPT'],
  ["ADMIN_IP=''", 'iptables -A INPUT -s $ADMIN_IP -p tcp --dport 22 -j ACCEPT'],
  ['EXTRA=', 'iptables -A INPUT $EXTRA -p tcp --dport 80 -j ACCEPT', 'iptables -A INPUT -p tcp --dport 80 $EXTRA -j ACCEPT'],
  ['PORTS=', 'iptables -A INPUT -p tcp -m multiport --dports $PORTS -j ACCEPT'],
  ['NET=', 'iptables -A INPUT -s $NET/24 -j ACCEPT'],
  ['CHAIN=', 'iptables -A $CHAIN -j ACCEPT'],
];

test(`kernel (iptables-${BACKEND}): scripts with variables: an error exactly where the kernel refuses a known value, a finding on a variable set nowhere`, { skip, timeout: 120000 }, () => {
  const wrong: string[] = [];
  const ipt = `iptables-${BACKEND}`;
  for (const lines of WITH_VARIABLES) {
    // `iptables` is the backend's, by a function the linted text does not hold.
    const body = lines.map((l) => (l.startsWith('iptables ') ? `${l} >/dev/null 2>&1; echo $?` : l));
    const run = spawnSync('unshare', ['-n', 'sh', '-c', [`${makeBuiltins(ipt)} || exit 9`, `iptables() { ${ipt} "$@"; }`, ...body].join('\n')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const commandLines = lines.flatMap((l, k) => (l.startsWith('iptables ') ? [k] : []));
    const refused = run.stdout.trim().split('\n').map(Number).flatMap((rc, k) => (rc === 0 ? [] : [commandLines[k]]));
    const r = lint(`${lines.join('\n')}\n`, { format: 'script', fileName: 'fw.sh' });
    const errors = [...new Set(refusedCommands(r.diagnostics).map((d) => d.range.start.line))];
    const unset = new Set(r.diagnostics.filter((d) => d.code === 'unset-variable').map((d) => d.range.start.line));
    // A refusal for a variable set nowhere depends on the environment the script runs in: a finding says so.
    const expected = refused.filter((l) => !unset.has(l));
    if (JSON.stringify(errors) !== JSON.stringify(expected)) wrong.push(`${lines.join(' ; ')}: refused ${JSON.stringify(refused)}, errors on ${JSON.stringify(errors)}`);
    if (lines.some((l) => /\$(ADMIN|LAN_IF)\b/.test(l)) && !refused.every((l) => unset.has(l))) wrong.push(`${lines.join(' ; ')}: no unset-variable finding on a refused line`);
  }
  assert.deepEqual(wrong, []);
});

