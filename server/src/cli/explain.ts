/** `iptables-lint explain FILE`: every rule in plain words, chain by chain, in the order the kernel holds them. */
import { explainRule } from '../engine/explain';
import { lint } from '../engine/lint';
import { readInput } from './input';

export const EXPLAIN_USAGE = `Usage: iptables-lint explain FILE [--ipv4|--ipv6]
Prints every rule in plain words, chain by chain, in the order the kernel holds them once the file is loaded (a
script: once it has run), each with its line: a reading of the ruleset for a review.`;

export function runExplain(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string): number {
  let family: 4 | 6 | undefined;
  const files: string[] = [];
  for (const a of argv) {
    if (a === '--ipv4' || a === '-4') family = 4;
    else if (a === '--ipv6' || a === '-6') family = 6;
    else if (a === '-h' || a === '--help') {
      out(`${EXPLAIN_USAGE}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      errOut(`iptables-lint explain: unknown option '${a}'.\n${EXPLAIN_USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    errOut(`iptables-lint explain: give one file.\n${EXPLAIN_USAGE}`);
    return 2;
  }
  const text = readInput(files[0], readStdin, errOut, 'explain');
  if (text === undefined) return 2;
  const result = lint(text, { fileName: files[0] === '-' ? undefined : files[0], family });
  for (const cs of result.state.all()) {
    // An empty chain says something only when it is a built-in one that drops.
    if (!cs.rules.length && cs.policy !== 'DROP') continue;
    const policy = cs.builtin ? `, policy ${cs.policy ?? 'ACCEPT'}` : '';
    out(`${cs.family === 6 ? 'ip6tables ' : ''}${cs.table} ${cs.name} (${cs.rules.length} rule${cs.rules.length === 1 ? '' : 's'}${policy})\n`);
    cs.rules.forEach((c, i) => out(`  ${i + 1}. line ${c.startLine + 1}: ${explainRule(c).replace(/`/g, '').replace(/\n\n/g, ' ')}\n`));
  }
  return 0;
}
