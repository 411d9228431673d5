/** Every snippet expands to something the analysis reports clean and the real kernel accepts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { requirement, ROOT } from '../helpers/env';
import { kernelUnavailable, loadAll, TEST_SETS } from '../kernel/oracle';
import { expandSnippet } from './expand';

interface Snippet {
  prefix: string;
  body: string[];
  description: string;
}

const load = (f: string): Record<string, Snippet> => JSON.parse(readFileSync(path.join(ROOT, 'snippets', f), 'utf8'));
const restore = load('iptables.code-snippets');
const shell = load('shell.code-snippets');

const BASE = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -p tcp -m tcp --dport 2222 -j ACCEPT'];
/** The wrapper keeps its own SSH on another port, so it shadows no snippet rule. */
const SETTINGS = { sshPorts: [2222] };
const NAT = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];

/** A whole ruleset for the snippet, and the lines (0-based) that came from the snippet itself. */
function asRuleset(s: Snippet): { text: string; own: [number, number] } {
  const body = expandSnippet(s.body);
  if (/^\*/m.test(body)) return { text: `${body.trimEnd()}\n`, own: [0, body.split('\n').length - 1] };
  const nat = /PREROUTING|POSTROUTING/.test(body);
  // The wrapper accepts loopback and replies as a real ruleset does, unless the snippet is the one that adds them.
  const head = nat ? NAT : [...BASE, ...(s.prefix === 'allow-loopback' ? [] : ['-A INPUT -i lo -j ACCEPT']), ...(s.prefix === 'allow-established' ? [] : ['-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'])];
  const extra = s.prefix === 'log-drop' ? ['-A INPUT -j LOGDROP'] : [];
  const lines = [...head, ...body.split('\n'), ...extra, 'COMMIT', ''];
  return { text: lines.join('\n'), own: [head.length, head.length + body.split('\n').length - 1] };
}

test('restore-file snippets: no warning or error, and no diagnostic at all on the snippet lines', () => {
  assert.ok(Object.keys(restore).length >= 15);
  for (const [name, s] of Object.entries(restore)) {
    const { text, own } = asRuleset(s);
    // An ip6tables snippet is checked as an ip6tables ruleset.
    const fileName = s.prefix.endsWith('-v6') ? 'rules.v6' : 'rules.v4';
    const diags = lint(text, { fileName, settings: /^\*/m.test(expandSnippet(s.body)) ? {} : SETTINGS }).diagnostics;
    const bad = diags.filter((d) => d.severity === 'error' || d.severity === 'warning' || (d.range.start.line >= own[0] && d.range.start.line <= own[1] && d.severity !== 'hint'));
    assert.deepEqual(bad.map((d) => `${name}:${d.range.start.line + 1} ${d.code} ${d.message}`), [], text);
  }
});

test('shell snippets: no warning or error; the whole firewall scripts, nothing at all (IPv6 filtered too)', () => {
  for (const [name, s] of Object.entries(shell)) {
    const text = expandSnippet(s.body);
    const whole = text.startsWith('#!');
    const diags = lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning' || (whole && d.severity !== 'hint'));
    assert.deepEqual(diags.map((d) => `${name}:${d.range.start.line + 1} ${d.code} ${d.message}`), [], text);
  }
});

test('the plex and web server snippets hold what the setups need', () => {
  const plex = expandSnippet(restore['Plex Media Server ruleset'].body);
  for (const need of ['--dport 32400', '-p udp -m udp --dport 32400', '32410,32412,32413,32414', '--dport 1900']) assert.ok(plex.includes(need), need);
  const web = expandSnippet(restore['Web server (WordPress) ruleset'].body);
  for (const need of ['-i lo', 'RELATED,ESTABLISHED', '--dport 22', '80,443', '--icmp-type 8', ':INPUT DROP']) assert.ok(web.includes(need), need);
});

const why = kernelUnavailable();
const skip = requirement(!why, `the kernel checks of the snippets cannot run: ${why}`);

test('kernel: every restore-file snippet loads', { skip }, () => {
  const names = Object.keys(restore);
  // An ip6tables snippet is loaded with ip6tables-restore.
  const verdicts = loadAll(names.map((n) => ({ family: restore[n].prefix.endsWith('-v6') ? (6 as const) : (4 as const), text: asRuleset(restore[n]).text })));
  names.forEach((n, i) => assert.ok(verdicts[i].accepted, `${n}: ${verdicts[i].message}\n${asRuleset(restore[n]).text}`));
});

test('kernel: every shell snippet runs with iptables in a throw-away network namespace', { skip }, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-snippet-'));
  try {
    // Inside the namespace `iptables` and `ip6tables` resolve to the legacy backends.
    symlinkSync('/usr/sbin/iptables-legacy', path.join(dir, 'iptables'));
    symlinkSync('/usr/sbin/ip6tables-legacy', path.join(dir, 'ip6tables'));
    for (const [name, s] of Object.entries(shell)) {
      const script = expandSnippet(s.body).replace(/IPT=\/sbin\/iptables/g, 'IPT=iptables').replace(/IP6T=\/sbin\/ip6tables/g, 'IP6T=ip6tables');
      const file = path.join(dir, 'run.sh');
      const sets = TEST_SETS.map((x) => `ipset create ${x} -exist`).join('; ');
      writeFileSync(file, `set -e\nexport PATH=${dir}:$PATH\n${sets}\n${script.replace(/^#!.*\n/, '')}\n`);
      chmodSync(file, 0o755);
      try {
        execFileSync('unshare', ['-n', 'sh', file], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        assert.fail(`${name} failed: ${(e as { stderr?: string }).stderr}\n${script}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
