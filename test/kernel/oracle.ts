/**
 * The real kernel as a test oracle: each ruleset is committed with iptables-legacy-restore inside a throw-away
 * network namespace (`unshare -n`), so the machine's own firewall is never touched.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { BACKEND } from '../helpers/lint';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface KernelCase {
  family: 4 | 6;
  text: string;
}

/** ipsets a ruleset names (--match-set, --add-set, ...), to be created before it is loaded. */
export function setsNamed(c: KernelCase): string[] {
  const out = new Map<string, string>();
  for (const m of c.text.matchAll(/--(?:match|add|del|map)-set\s+(\S+)\s+(\S+)/g)) {
    const type = m[2].split(',').length > 1 ? 'hash:net,port' : 'hash:net';
    out.set(m[1], `${m[1]} ${type} family ${c.family === 6 ? 'inet6' : 'inet'}`);
  }
  return [...out.values()];
}

export interface KernelVerdict {
  accepted: boolean;
  message: string;
}

/** Why the kernel oracle cannot run here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const tool of ['unshare', 'iptables-legacy-restore', 'ip6tables-legacy-restore', `iptables-${BACKEND}-restore`, `ip6tables-${BACKEND}-restore`, 'ipset']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  const probe = spawnSync('unshare', ['-n', 'sh', '-c', 'iptables-legacy-restore --version'], { encoding: 'utf8' });
  if (probe.status !== 0) return `unshare -n does not work here: ${probe.stderr.trim()}`;
  return undefined;
}

/** ipsets that generated and corpus rules may name; created in each namespace before loading. */
export const TEST_SETS = ['blocklist hash:net family inet', 'blocklist6 hash:net family inet6', 'pairs hash:net,port family inet'];

/** Loads every case in one namespace (each file flushes the tables it names) and returns the kernel's verdicts. */
export function loadAll(cases: KernelCase[], opts: { save?: boolean } = {}): Array<KernelVerdict & { saved?: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-oracle-'));
  try {
    cases.forEach((c, i) => writeFileSync(path.join(dir, `${i}.rules`), c.text));
    const sets = TEST_SETS.map((s) => `ipset create ${s} -exist`).join('; ');
    const lines = cases.map((c, i) => {
      const tool = c.family === 6 ? 'ip6tables' : 'iptables';
      const own = setsNamed(c).map((x) => `ipset create ${x} -exist 2>/dev/null; `).join('');
      const save = opts.save ? ` && ${tool}-${BACKEND}-save > ${i}.saved` : '';
      // A restore replaces every table the file names, user chains included: no state leaks between cases.
      return `${own}${tool}-${BACKEND}-restore < ${i}.rules > ${i}.out 2>&1${save}; echo $? > ${i}.rc`;
    });
    writeFileSync(path.join(dir, 'run.sh'), `cd ${dir}\n${sets}\n${lines.join('\n')}\n`);
    execFileSync('unshare', ['-n', 'sh', path.join(dir, 'run.sh')], { stdio: 'ignore', maxBuffer: 1 << 26 });
    return cases.map((_, i) => {
      const rc = Number(readFileSync(path.join(dir, `${i}.rc`), 'utf8').trim());
      const out: KernelVerdict & { saved?: string } = { accepted: rc === 0, message: readFileSync(path.join(dir, `${i}.out`), 'utf8').trim() };
      if (opts.save && rc === 0) out.saved = readFileSync(path.join(dir, `${i}.saved`), 'utf8');
      return out;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
