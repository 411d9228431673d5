/** `iptables-lint explain FILE`: every rule in plain words, chain by chain, in the order the kernel holds them. */
import { explainRule } from '../engine/explain';
import { lint, refusedRulesOf } from '../engine/lint';
import { Command, lineName, Ruleset, unseenLoadsNote } from '../engine/model';
import { oneFileInput } from './input';
import { readSourcedFile } from '../sourcedFile';
import { unrolled } from '../engine/parse/scriptLoops';

export const EXPLAIN_USAGE = `Usage: iptables-lint explain FILE [--ipv4|--ipv6]
Prints every rule in plain words, chain by chain, in the order the kernel holds them once the file is loaded (a
script: once it has run), each with its line: a reading of the ruleset for a review.`;

export function runExplain(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string): number {
  const input = oneFileInput(argv, 'explain', EXPLAIN_USAGE, 'file', { out, errOut, readStdin });
  if (typeof input === 'number') return input;
  const { file, family, text } = input;
  const result = lint(text, { fileName: file === '-' ? undefined : file, family, readFile: readSourcedFile });
  let said = false;
  for (const cs of result.state.all()) {
    // A rule iptables refuses in a script is not added when it runs: said after the chain's rules, and not counted.
    const refused = refusedRulesOf(result, cs);
    // An empty chain says something only when it is a built-in one that drops.
    if (!cs.rules.length && !refused.length && cs.policy !== 'DROP') continue;
    said = true;
    const policy = cs.builtin ? `, policy ${cs.policy ?? 'ACCEPT'}` : '';
    // A rule a loop (or a function's calls) adds once per value stands there once per value.
    const rules = [...unrolled(cs.rules, result.ruleset.loops), ...unrolled(refused, result.ruleset.loops)];
    const count = rules.filter(({ rule }) => !result.refused?.has(rule)).length;
    out(`${cs.family === 6 ? 'ip6tables ' : ''}${cs.table} ${cs.name} (${count} rule${count === 1 ? '' : 's'}${policy})\n`);
    let n = 0;
    for (const { rule, variant } of rules) {
      const no = result.refused?.has(rule);
      out(`  ${no ? '-' : `${++n}.`} ${placeOf(result.ruleset, rule, variant)}${no ? ' (refused by iptables: not added)' : ''}: ${plainText(explainRule(variant))}\n`);
    }
  }
  // Nothing to explain: say so, rather than print nothing.
  if (!said) out(`No rules, and no policy that drops.${unseenLoadsNote(result.ruleset)}\n`);
  return 0;
}

/** Where a rule is written, and for a function's body run once per call, which call adds this one. */
function placeOf(rs: Ruleset, rule: Command, variant: Command): string {
  const info = rs.loops?.get(rule);
  const calls = info?.loop.calls;
  const n = info?.valueAt[info.variants.indexOf(variant)];
  return calls && n !== undefined ? `line ${rule.startLine + 1} of the function called on line ${calls[n] + 1}` : lineName(rs, rule);
}

/**
 * The explanation without Markdown: a quoted word stands alone, unless it begins or ends with a blank or is empty
 * (a log prefix `dropped: `), which keeps double quotes so that its end can be seen.
 */
function plainText(md: string): string {
  return md.replace(/`([^`]*)`/g, (_, s: string) => (/^\S(?:.*\S)?$/.test(s) ? s : JSON.stringify(s))).replace(/\n\n/g, ' ');
}
