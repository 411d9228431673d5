/**
 * Inlay hints: each rule's number in its chain, at the end of the rule, as `iptables -L --line-numbers` shows it:
 * the number `-D CHAIN N`, `-I CHAIN N` and `-R CHAIN N` take. In a script it is the place the rule has once the
 * whole script has run (a later -I moves it).
 */
import { InlayHint } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';
import { commandOnLine } from '../engine/locate';
import { Command, isRuleCommand } from '../engine/model';
import { Range } from '../engine/types';

/** Every rule's place in its chain, worked out once per analysis. */
const places = new WeakMap<LintResult, Map<Command, { n: number; of: number; chain: string; table: string }>>();

function placesOf(result: LintResult): Map<Command, { n: number; of: number; chain: string; table: string }> {
  let m = places.get(result);
  if (m) return m;
  m = new Map();
  for (const cs of result.state.all()) cs.rules.forEach((c, i) => m!.set(c, { n: i + 1, of: cs.rules.length, chain: cs.name, table: cs.table }));
  places.set(result, m);
  return m;
}

export function inlayHints(result: LintResult, range: Range): InlayHint[] {
  const { commands } = result.ruleset;
  const first = commandOnLine(result.ruleset, range.start.line);
  let k = first ? first.index : commands.findIndex((c) => c.startLine >= range.start.line);
  if (k < 0) return [];
  const at = placesOf(result);
  const hints: InlayHint[] = [];
  for (; k < commands.length && commands[k].startLine <= range.end.line; k++) {
    const c = commands[k];
    const place = isRuleCommand(c) ? at.get(c) : undefined;
    if (!place) continue;
    // One command written for both families (`for ipt in iptables ip6tables`): one hint with both numbers.
    const last = hints[hints.length - 1];
    if (last && last.position.line === c.range.end.line && last.position.character === c.range.end.character) {
      last.label = `${last.label as string} · #${place.n}`;
      last.tooltip = `${last.tooltip as string} With ${c.commandFamily === 6 ? 'ip6tables' : 'iptables'}: rule ${place.n} of ${place.of}.`;
      continue;
    }
    hints.push({
      position: c.range.end,
      label: `#${place.n}`,
      paddingLeft: true,
      tooltip: `Rule ${place.n} of ${place.of} in ${place.chain} (${place.table}): \`-D ${place.chain} ${place.n}\` deletes it, \`-I ${place.chain} ${place.n}\` inserts a rule before it.`,
    });
  }
  return hints;
}
