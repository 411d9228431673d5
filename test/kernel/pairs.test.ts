/**
 * Every pair of options of every module (and each option alone), each with a plain value of its kind and with what
 * the module cannot do without, in a rule of its own: what one option of a module requires of another, which pairs iptables or the kernel refuse together,
 * and which order matters. The linter must refuse exactly what iptables or the kernel refuses. Needs root; with
 * CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MATCHES, ModuleSpec, OptionSpec, TARGETS } from '../../server/src/engine/kb';
import { requirement } from '../helpers/env';
import { BACKEND } from '../helpers/lint';
import { kernelUnavailable } from './oracle';
import { Case, disagreements, kernelVerdicts } from './verdicts';
import { requiredOf } from '../../server/src/engine/checks/kernel';

const why = kernelUnavailable();
const skip = requirement(!why, `pairs of options cannot be checked against the kernel: ${why}`);

/**
 * Options whose value names something outside iptables that this test does not make (a cgroup's path, a pinned
 * eBPF object, a conntrack timeout policy): the kernel refuses every made-up name, which the linter cannot know.
 */
const OUTSIDE = new Set(['match cgroup --path', 'match bpf --object-pinned', 'target CT --timeout']);
/** The rateest match names estimators that RATEEST rules make (its own test makes them first). */
const OUTSIDE_MODULES = new Set(['match rateest']);

/**
 * Values a kind's name does not tell: a conntrack helper the kernel has (its rules get -p tcp, which it serves), an
 * estimator's interval and averaging time the kernel takes together.
 */
const VALUES: Record<string, string> = { '--helper': 'ftp', '--rateest-interval': '250ms', '--rateest-ewmalog': '0.5s' };

/** A plain value of the option's kind, as a rule would hold it. */
function valueFor(o: OptionSpec, family: 4 | 6): string {
  const kind = o.args[0];
  if (!kind) return '';
  if (VALUES[o.names[0]]) return VALUES[o.names[0]];
  const choice = kind.choices?.find((c) => !c.family || c.family === family);
  if (choice) return choice.label;
  const n = kind.name;
  const rules: Array<[RegExp, string]> = [[/port/, '80'], [/address|host|net|npt/, family === 4 ? '10.0.0.1' : '2001:db8::1'], [/interface/, 'eth0'], [/mark|mask/, '0x1'], [/rate/, '5/sec'], [/time/, '12:00'], [/set name/, 'blocklist'], [/string|any/, 'abc']];
  const lower = /^int:(\d+)/.exec(n);
  if (lower) return String(Math.max(1, Number(lower[1])));
  return rules.find(([re]) => re.test(n))?.[1] ?? '1';
}

function rulesFor(m: ModuleSpec, family: 4 | 6): string[] {
  const options = m.options.filter((o) => !o.removed && (!o.family || o.family === family) && o.args.length <= 1 && !OUTSIDE.has(`${m.kind} ${m.name} ${o.names[0]}`));
  const table = m.tables && !m.tables.includes('filter') ? m.tables[0] : 'filter';
  const chain = table === 'filter' ? 'INPUT' : 'PREROUTING';
  const part = (o: OptionSpec) => `${o.names[0]} ${valueFor(o, family)}`.trim();
  const out: string[] = [];
  for (let i = 0; i < options.length; i++) {
    for (let j = i; j < options.length; j++) {
      const [a, b] = [options[i], options[j]];
      const named = new Set([...a.names, ...b.names]);
      // What the knowledge base says each needs beside it, and the module cannot do without, with a plain value (so
      // that a pair is not refused for that alone).
      const groups = requiredOf(m).filter((g) => !g.some((n) => named.has(n))).map((g) => g[0]);
      const needs = [...new Set([...(a.requires ?? []), ...(b.requires ?? []), ...groups])].filter((r) => !named.has(r)).map((r) => m.options.find((x) => x.names.includes(r))).filter((x): x is OptionSpec => x !== undefined).map(part);
      const proto = m.protocols?.[0] ?? a.protocols?.[0] ?? b.protocols?.[0] ?? (named.has('--helper') ? 'tcp' : undefined);
      const body = [part(a), ...(i === j ? [] : [part(b)]), ...needs].join(' ');
      out.push(`-t ${table} -A ${chain} ${proto ? `-p ${proto} ` : ''}${m.kind === 'match' ? `-m ${m.name} ${body} -j ACCEPT` : `-j ${m.name} ${body}`}`);
    }
  }
  return out;
}

test(`kernel (iptables-${BACKEND}): every pair of options of every module: the linter refuses what the kernel refuses`, { skip, timeout: 300000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...MATCHES, ...TARGETS]) {
      if (m.removed || (m.family && m.family !== family) || OUTSIDE_MODULES.has(`${m.kind} ${m.name}`)) continue;
      for (const rule of rulesFor(m, family)) all.push({ family, module: `${m.kind} ${m.name}`, rule });
    }
  }
  const verdicts = kernelVerdicts(all, 'ipset create blocklist hash:ip', true);
  const [taken, refused] = [true, false].map((x) => verdicts.filter((v) => v === x).length);
  assert.ok(refused >= 500 && taken >= 800, `pairs both taken and refused: ${taken} taken, ${refused} refused`);
  assert.deepEqual(disagreements(all, verdicts), []);
});
