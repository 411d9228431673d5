/**
 * The knowledge base against what is installed here: every match and target extension iptables ships for IPv4 and
 * IPv6 (its shared objects), and every option each one's help lists, must be known, so that a valid rule using any
 * of them never gets an "unknown" error; and the service names it knows must be listed in /etc/services (Debian's
 * netbase) for the protocols it says. Needs iptables, ip6tables and netbase (not root); with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { findMatch, findTarget, ModuleSpec } from '../../server/src/engine/kb';
import { DEBIAN_SERVICE_PROTOCOLS, SCTP_SERVICES, SERVICES, UNREGISTERED_SERVICES } from '../../server/src/engine/kb/services';
import { requirement } from '../helpers/env';

/** Where Debian, Fedora and others keep the extensions. */
const DIRS = ['/usr/lib/x86_64-linux-gnu/xtables', '/usr/lib/aarch64-linux-gnu/xtables', '/usr/lib64/xtables', '/usr/lib/xtables', '/usr/libexec/xtables'];
const dir = DIRS.find((d) => existsSync(d));
const tools = ['iptables', 'ip6tables'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const skip = requirement(!!dir && tools, `the knowledge base cannot be compared with the iptables extensions: ${dir ? 'iptables or ip6tables is not installed' : `no xtables directory (${DIRS.join(', ')})`}`);

/**
 * The options an extension's help lists (what iptables prints after its own help, for `-m name` or `-j NAME`), or
 * undefined when the program cannot load it (an extension of the other family in a shared object of both).
 */
function helpOptions(program: string, isTarget: boolean, name: string): string[] | undefined {
  const r = spawnSync(program, [isTarget ? '-j' : '-m', name, '--help'], { encoding: 'utf8' });
  if (/Couldn't load/.test(r.stderr)) return undefined;
  const own = r.stdout.slice(r.stdout.indexOf('print package version.') + 'print package version.'.length);
  return [...new Set(own.match(/(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]/g) ?? [])];
}

test('every extension iptables and ip6tables ship, and every option their help lists, is in the knowledge base', { skip }, (t) => {
  const problems: string[] = [];
  let checked = 0;
  for (const [program, family, prefixes] of [['iptables', 4, ['libxt_', 'libipt_']], ['ip6tables', 6, ['libxt_', 'libip6t_']]] as const) {
    for (const file of readdirSync(dir!)) {
      const prefix = prefixes.find((p) => file.startsWith(p));
      const name = prefix && file.endsWith('.so') ? file.slice(prefix.length, -3) : undefined;
      // standard is -j ACCEPT and the like; NAT holds SNAT, DNAT and the rest under their own names.
      if (!name || name === 'standard' || name === 'NAT') continue;
      const isTarget = name === name.toUpperCase();
      const spec: ModuleSpec | undefined = isTarget ? findTarget(name) : findMatch(name);
      checked++;
      if (!spec) {
        problems.push(`${program}: ${isTarget ? 'target' : 'match'} ${name} is not in the knowledge base`);
        continue;
      }
      const listed = helpOptions(program, isTarget, name);
      if (!listed) {
        if (!spec.family && !spec.removed) problems.push(`${program} cannot load ${name}, which the knowledge base allows in both families`);
        continue;
      }
      if (spec.family && spec.family !== family) problems.push(`${program}: ${name} is marked as IPv${spec.family} only`);
      const known = new Set(spec.options.flatMap((o) => o.names));
      const missing = listed.filter((o) => !known.has(o));
      if (missing.length) problems.push(`${program}: ${name} lacks ${missing.join(' ')}`);
    }
  }
  t.diagnostic(`${checked} extensions compared (${dir})`);
  assert.ok(checked > 150, `only ${checked} extensions found in ${dir}`);
  assert.deepEqual(problems, []);
});

const netbase = spawnSync('dpkg', ['-S', '/etc/services'], { encoding: 'utf8' }).stdout?.startsWith('netbase:') ?? false;
const noNetbase = requirement(netbase, 'the service names cannot be compared with Debian\'s: /etc/services is not from netbase');

test('the service names of the knowledge base are those of /etc/services (netbase), for the protocols it says, with their ports', { skip: noNetbase }, () => {
  const listed: Record<string, Map<string, number>> = { tcp: new Map(), udp: new Map(), sctp: new Map() };
  for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
    const m = /^([^#\s]+)\s+(\d+)\/(\w+)((?:[ \t]+[^#\s]+)*)/.exec(line);
    if (!m || !listed[m[3]]) continue;
    for (const name of [m[1], ...m[4].trim().split(/\s+/).filter(Boolean)]) if (!listed[m[3]].has(name)) listed[m[3]].set(name, Number(m[2]));
  }
  const wrong: string[] = [];
  for (const [name, port] of Object.entries(SERVICES)) {
    const [tcp, udp] = [listed.tcp.get(name), listed.udp.get(name)];
    const says = tcp !== undefined && udp !== undefined ? undefined : tcp !== undefined ? 'tcp' : udp !== undefined ? 'udp' : 'none';
    if (DEBIAN_SERVICE_PROTOCOLS[name] !== says) wrong.push(`${name}: listed for ${says ?? 'tcp and udp'}, the knowledge base says ${DEBIAN_SERVICE_PROTOCOLS[name] ?? 'tcp and udp'}`);
    for (const p of [tcp, udp]) if (p !== undefined && p !== port) wrong.push(`${name}: port ${p} there, ${port} in the knowledge base`);
  }
  for (const name of Object.keys(UNREGISTERED_SERVICES)) if (listed.tcp.has(name) || listed.udp.has(name)) wrong.push(`${name} is listed after all`);
  // Every name the list has for TCP or UDP is known, with its port.
  for (const map of [listed.tcp, listed.udp]) for (const [name, port] of map) if (SERVICES[name] !== port) wrong.push(`${name} (${port}) is listed, the knowledge base has ${SERVICES[name] ?? 'no such name'}`);
  const sctp = [...listed.sctp.keys()].filter((n) => SERVICES[n] !== undefined || SCTP_SERVICES[n] !== undefined).sort();
  assert.deepEqual(sctp, Object.keys(SCTP_SERVICES).sort(), 'the names listed for SCTP');
  assert.deepEqual(wrong, []);
});
