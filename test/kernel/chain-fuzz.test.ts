/**
 * Random restore files of chain commands (chain lines, -A, -I, -D, -R, -F, -X, -Z, -E, -N, -P, a second table
 * section; in the filter, nat, mangle and raw tables, with targets only some of them take; a quarter of them for
 * ip6tables-restore) against iptables-restore in a throw-away namespace: the linter must refuse exactly the files the real
 * iptables-restore refuses (a crash counts as refusing). And random scripts of the same commands (a quarter of them
 * ip6tables commands), each command run on its own: no finding on a command iptables takes; the same in loops,
 * conditions, if and case arms and functions, iptables and ip6tables mixed, run by bash: no finding on a line whose every run iptables
 * takes. And random scripts of one table's jumps and rules the kernel allows only at some hooks, each command run on
 * its own: no finding on a command iptables takes (the refusals found are counted). A fixed seed keeps the files the
 * same from run to run; FUZZ_RUNS sets how many (more find more). Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { BACKEND, makeBuiltins, refusals, refusedCommands } from '../helpers/lint';
import { requirement } from '../helpers/env';
import { kernelUnavailable } from './oracle';

const why = kernelUnavailable();
const skip = requirement(!why, `random chain commands cannot be checked against the kernel: ${why}`);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);

const CHAINS = ['INPUT', 'OUTPUT', 'X', 'Y'];
const SPECS = ['-j ACCEPT', '-s 10.0.0.1 -j DROP', '-s 10.0.0.1/32 -j DROP', '-p tcp --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 -j ACCEPT', '-j X', '-j Y', '-g Y', '-j RETURN', '-m conntrack --ctstate NEW -j ACCEPT', '-j LOG'];
/** Targets that only some tables take, and some only in some chains (reached through a jump too). */
const TABLE_SPECS = ['-j DNAT --to-destination 10.0.0.1', '-j SNAT --to-source 10.0.0.1', '-j MASQUERADE', '-j REDIRECT', '-j MARK --set-mark 1', '-j REJECT', '-j CT --notrack', '-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu'];
/** Targets with options of their own, some of which only one family or some protocols take. */
const OPTION_SPECS = ['-p tcp -j REJECT --reject-with tcp-reset', '-j REJECT --reject-with icmp-host-prohibited', '-j REJECT --reject-with icmp6-adm-prohibited', '-j LOG --log-prefix fw: --log-level 4', '-p tcp -j DNAT --to-destination 10.0.0.1:80', '-p udp -j REDIRECT --to-ports 53', '-j MARK --set-xmark 0x1/0xff', '-j CONNMARK --save-mark'];
const TABLES = ['filter', 'filter', 'nat', 'mangle', 'raw'];

const line = fc.tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(...CHAINS), fc.integer({ min: 1, max: 4 }), fc.constantFrom(...SPECS, ...TABLE_SPECS, ...OPTION_SPECS), fc.constantFrom(...CHAINS), fc.boolean(), fc.constantFrom(...TABLES))
  .map(([k, c, n, spec, other, flag, table]) => {
    const user = c === 'X' || c === 'Y';
    switch (k) {
      case 0: return `:${c} ${user ? '-' : flag ? 'DROP' : 'ACCEPT'} [0:0]`;
      case 1: case 2: case 3: return `-A ${c} ${spec}`;
      case 4: return `-I ${c} ${flag ? `${n} ` : ''}${spec}`;
      case 5: return `-D ${c} ${flag ? n : spec}`;
      case 6: return `-R ${c} ${n} ${spec}`;
      case 7: return flag ? `-F ${c}` : '-F';
      case 8: return flag ? `-X ${c}` : '-X';
      case 9: return flag ? `-Z ${c} ${n}` : `-Z ${c}`;
      case 10: return `-E ${c} ${other}`;
      case 11: return `-N ${c}`;
      case 12: return `-P ${c} ${flag ? 'DROP' : 'ACCEPT'}`;
      case 13: return `COMMIT\n*${table}`;
      default: return ':X - [0:0]';
    }
  });
/** The same text for ip6tables: IPv6 addresses (bracketed where a port may follow). */
function toV6(text: string): string {
  return text.replaceAll('10.0.0.1', '2001:db8::1').replace(/(--to-(source|destination)) 2001:db8::1(:\d+)?/g, '$1 [2001:db8::1]$3');
}

/** A restore file, and whether it is for ip6tables-restore (its addresses then IPv6 ones). */
const files = fc.tuple(fc.constantFrom(...TABLES), fc.array(line, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 3 }))
  .map(([table, lines, v6]) => {
    const text = [`*${table}`, ':Y - [0:0]', ...lines, 'COMMIT', ''].join('\n');
    return v6 === 0 ? { text: toV6(text), v6: true } : { text, v6: false };
  });

test(`kernel (iptables-${BACKEND}): random restore files of chain commands: refused by the linter exactly when iptables-restore refuses them`, { skip, timeout: 300000 }, () => {
  const wrong: string[] = [];
  const seen = new Set<string>();
  for (const { text, v6 } of fc.sample(files, { numRuns: RUNS, seed: SEED })) {
    if (seen.has(text)) continue;
    seen.add(text);
    const run = spawnSync('unshare', ['-n', `${v6 ? 'ip6tables' : 'iptables'}-${BACKEND}-restore`], { input: text, encoding: 'utf8' });
    const refused = refusals(lint(text, { fileName: v6 ? 'rules.v6' : 'rules.v4' }).diagnostics);
    if ((run.status === 0) === (refused.length === 0)) continue;
    wrong.push(`${run.status === 0 ? 'false error' : 'missed refusal'}${v6 ? ' (IPv6)' : ''}: ${JSON.stringify(text)} (${refused[0]?.message ?? (run.stderr.trim() || `exit ${run.status ?? run.signal}`)})`);
  }
  console.log(`# ${seen.size} random files`);
  assert.ok(seen.size > RUNS * 0.8, `only ${seen.size} distinct files`);
  assert.deepEqual(wrong, []);
});

/** A script command (in any table): the restore file's, and -C, -L and -S besides. */
const command = fc.tuple(line, fc.constantFrom(...CHAINS), fc.constantFrom(...SPECS), fc.integer({ min: 0, max: 9 }), fc.constantFrom(...TABLES))
  .map(([l, c, spec, k, table]) => (table === 'filter' ? '' : `-t ${table} `) + (k === 0 ? `-C ${c} ${spec}` : k === 1 ? `-S ${c}` : l.startsWith(':') || l.startsWith('COMMIT') ? `-N ${c}` : l));

test(`kernel (iptables-${BACKEND}): random scripts of chain commands: no finding on a command iptables takes`, { skip, timeout: 300000 }, () => {
  const wrong: string[] = [];
  const seen = new Set<string>();
  let refused = 0;
  // A quarter of the scripts are of ip6tables commands.
  for (const [drawn, family] of fc.sample(fc.tuple(fc.array(command, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 3 })), { numRuns: RUNS, seed: SEED })) {
    const tool = family === 0 ? 'ip6tables' : 'iptables';
    const cmds = tool === 'ip6tables' ? drawn.map(toV6) : drawn;
    const key = `${tool}\n${cmds.join('\n')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // Each command on its own, its exit status printed; the built-in chains made first, as on a machine in use.
    const ipt = `${tool}-${BACKEND}`;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', [`${makeBuiltins(ipt)} || exit 9`, ...cmds.map((c) => `${ipt} ${c} >/dev/null 2>&1; echo $?`)].join('\n')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const status = run.stdout.trim().split('\n').map(Number);
    const text = ['#!/bin/sh', ...cmds.map((c) => `${tool} ${c}`), ''].join('\n');
    // The findings of what iptables refuses (a script's are warnings), but those only the other backend makes.
    const found = refusedCommands(lint(text, { fileName: 'fw.sh' }).diagnostics);
    cmds.forEach((c, k) => {
      if (status[k] !== 0) refused++;
      const finding = found.find((d) => d.range.start.line === k + 1);
      if (status[k] === 0 && finding) wrong.push(`false finding on ${JSON.stringify(c)} in ${tool} ${JSON.stringify(cmds)} (${finding.message})`);
    });
  }
  console.log(`# ${seen.size} random scripts, ${refused} commands refused by iptables`);
  assert.ok(refused > 0 && seen.size > RUNS * 0.8);
  assert.deepEqual(wrong, []);
});

/** A command of a loop's body, a condition's or a function's (`$p` is the loop's value, 22 elsewhere). */
const inner = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom('INPUT', 'OUTPUT', 'X', 'Y'), fc.integer({ min: 1, max: 5 }), fc.constantFrom('-j ACCEPT', '-p tcp --dport $p -j ACCEPT', '-s 10.0.0.1 -j DROP', '-j Y', '-j RETURN', '-j MARK --set-mark 1', '-p tcp --dport $p -j REDIRECT --to-ports 8080', '-p tcp -j REJECT --reject-with tcp-reset', '-j REJECT --reject-with icmp-port-unreachable', '-j LOG --log-prefix fw$p', '-j X', '-j MASQUERADE', '-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu'), fc.boolean(), fc.constantFrom('', '', '', '-t nat ', '-t mangle '), fc.constantFrom('iptables', 'iptables', 'iptables', 'ip6tables'))
  .map(([k, c, n, spec, flag, table, tool]) => {
    const args = table + ['-N', '-A', '-A', '-I', '-D', '-D', '-R', '-F', '-Z', '-X'][k] + ` ${c}` + (k === 1 || k === 2 ? ` ${spec}` : k === 3 ? ` ${flag ? `${n} ` : ''}${spec}` : k === 4 || k === 5 ? ` ${flag ? n : spec}` : k === 6 ? ` ${n} ${spec}` : k === 8 ? ` ${n}` : '');
    return `${tool} ${tool === 'ip6tables' ? toV6(args) : args}`;
  });
/** A command of a function's body with `$p` its first parameter and, where `chain`, its chain its second. */
const withParams = (c: string, chain: boolean) => {
  const ported = c.replace(/\$p/g, () => '$1');
  return chain ? ported.replace(/ (-[AIDRFZXN]) (INPUT|OUTPUT|X|Y)\b/, (_, op: string) => ` ${op} $2`) : ported;
};
const statement = fc.tuple(fc.integer({ min: 0, max: 10 }), inner, inner).map(([k, a, b]) => [
  `for p in 22 80 443; do ${a}; done`, `for p in $(seq 1 2); do ${a}; done`, `[ -f /nonexistent ] && ${a}`,
  `for p in 22 80; do ${a}; ${b}; done`, `FN() { ${a}; }\nFN\nFN`, a.replace('$p', '22'), a.replace('$p', '22'),
  // Functions whose calls differ in two parameters: a port and a port, or a port and a chain.
  `FN() { ${withParams(a, false)}; ${b.replace(/\$p/g, () => '$2')}; }\nFN 22 80\nFN 443 22`,
  `FN() { ${withParams(a, true)}; }\nFN 22 INPUT\nFN 80 X`,
  `case start in\nstart)\n  ${a.replace('$p', '22')}\n  ${b.replace('$p', '22')}\n  ;;\nesac`,
  `if [ -f /nonexistent ]; then\n  ${a.replace('$p', '22')}\nelse\n  ${b.replace('$p', '22')}\nfi`][k]);

test(`kernel (iptables-${BACKEND}): random scripts with loops, conditions and functions, run by bash: no finding on a line iptables always takes`, { skip, timeout: 300000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipt-fuzz-'));
  const log = path.join(dir, 'runs.log');
  // An iptables that notes the line of the script that ran it (bash's DEBUG trap exports it) and how it ended.
  for (const tool of ['iptables', 'ip6tables']) {
    writeFileSync(path.join(dir, tool), `#!/bin/sh\n${tool}-${BACKEND} "$@" >/dev/null 2>&1\nrc=$?\necho "$LINE $rc" >> ${log}\nexit $rc\n`);
    chmodSync(path.join(dir, tool), 0o755);
  }
  const wrong: string[] = [];
  let findings = 0;
  for (const statements of fc.sample(fc.array(statement, { minLength: 1, maxLength: 6 }), { numRuns: Math.ceil(RUNS / 2), seed: SEED })) {
    let fn = 0;
    const text = ['#!/bin/bash', 'iptables -N X', ...statements.map((s) => s.replace(/FN/g, () => `f${Math.floor(fn++ / 3)}`)), ''].join('\n');
    // The trap takes the place of the first line, so that the lines keep their numbers.
    writeFileSync(path.join(dir, 'fw.sh'), text.replace('#!/bin/bash', "trap 'export LINE=$LINENO' DEBUG"));
    rmSync(log, { force: true });
    // The built-in chains of every table made first, as on a machine in use (iptables-nft makes them only when asked).
    const run = spawnSync('unshare', ['-n', 'sh', '-c', `${makeBuiltins(`iptables-${BACKEND}`)} && ${makeBuiltins(`ip6tables-${BACKEND}`)} || exit 9; PATH=${dir}:$PATH exec bash ${path.join(dir, 'fw.sh')}`]);
    assert.notEqual(run.status, 9, 'the built-in chains could not be made');
    // Per line (0-based): whether iptables took every run of it.
    const took = new Map<number, boolean>();
    for (const entry of readFileSync(log, 'utf8').trim().split('\n')) {
      const [line, rc] = entry.split(' ').map(Number);
      took.set(line - 1, (took.get(line - 1) ?? true) && rc === 0);
    }
    for (const d of refusedCommands(lint(text, { fileName: 'fw.sh' }).diagnostics)) {
      if (took.get(d.range.start.line) === true) wrong.push(`false finding on line ${d.range.start.line + 1} of ${JSON.stringify(text)} (${d.message})`);
      else findings++;
    }
  }
  rmSync(dir, { recursive: true, force: true });
  console.log(`# ${Math.ceil(RUNS / 2)} random scripts with loops: ${findings} findings on lines iptables refused`);
  assert.ok(findings > 0);
  assert.deepEqual(wrong, []);
});

/** Per table: its built-in chains, and rules some of whose targets and matches the kernel allows only at some hooks. */
const HOOK_TABLES: Record<string, { chains: string[]; specs: string[] }> = {
  nat: {
    chains: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    specs: ['-j MASQUERADE', '-j SNAT --to-source 10.0.0.1', '-j DNAT --to-destination 10.0.0.1', '-j REDIRECT', '-m policy --dir in --pol none', '-m policy --dir out --pol none -j ACCEPT'],
  },
  mangle: {
    chains: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
    specs: ['-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', '-j REJECT', '-m owner --uid-owner 0 -j MARK --set-mark 1', '-m policy --dir in --pol none', '-j MARK --set-mark 1'],
  },
};
const FLOW = ['-j ACCEPT', '-j RETURN', '-p tcp -j ACCEPT', '-j X', '-j Y', '-j X', '-j Y', '-g Y'];

/** A script of one table's commands: chains X and Y, jumps among them, and rules the kernel allows only at some hooks. */
const hookScript = fc.constantFrom('nat', 'mangle').chain((table) => {
  const { chains, specs } = HOOK_TABLES[table];
  const cmd = fc.tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(...chains, 'X', 'Y', 'X', 'Y'), fc.constantFrom(...specs, ...FLOW))
    .map(([k, c, spec]) => `-t ${table} ` + (k < 6 ? `-A ${c} ${spec}` : k === 6 ? `-I ${c} 1 ${spec}` : k === 7 ? `-D ${c} ${spec}` : k === 8 ? `-D ${c} 1` : `-F ${c}`));
  return fc.array(cmd, { minLength: 1, maxLength: 9 }).map((cmds) => [`-t ${table} -N X`, `-t ${table} -N Y`, ...cmds]);
});

test(`kernel (iptables-${BACKEND}): random scripts of jumps and rules allowed only at some hooks, run command by command: no finding on a command iptables takes`, { skip, timeout: 300000 }, () => {
  const wrong: string[] = [];
  const seen = new Set<string>();
  let refused = 0;
  let found = 0;
  for (const cmds of fc.sample(hookScript, { numRuns: RUNS, seed: SEED })) {
    const key = cmds.join('\n');
    if (seen.has(key)) continue;
    seen.add(key);
    const ipt = `iptables-${BACKEND}`;
    const run = spawnSync('unshare', ['-n', 'sh', '-c', [`${makeBuiltins(ipt)} || exit 9`, ...cmds.map((c) => `${ipt} ${c} >/dev/null 2>&1; echo $?`)].join('\n')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const status = run.stdout.trim().split('\n').map(Number);
    const findings = refusedCommands(lint(['#!/bin/sh', ...cmds.map((c) => `iptables ${c}`), ''].join('\n'), { fileName: 'fw.sh' }).diagnostics);
    cmds.forEach((c, k) => {
      const finding = findings.find((d) => d.range.start.line === k + 1);
      if (status[k] !== 0) refused++;
      if (status[k] !== 0 && finding) found++;
      if (status[k] === 0 && finding) wrong.push(`false finding on ${JSON.stringify(c)} in ${JSON.stringify(cmds)} (${finding.message})`);
    });
  }
  // Misses are counted, not asserted: a refusal through a jump a later command deletes is not modelled.
  console.log(`# ${seen.size} random scripts: ${refused} commands refused by iptables, ${found} of them found`);
  assert.ok(refused > 0 && found > 0 && seen.size > RUNS * 0.8);
  assert.deepEqual(wrong, []);
});
