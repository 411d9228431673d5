/**
 * Inlay hints: each rule's number in its chain, at the end of the rule, as `iptables -L --line-numbers` shows it:
 * the number `-D CHAIN N`, `-I CHAIN N` and `-R CHAIN N` take. In a script it is the place the rule has once the
 * whole script has run (a later -I moves it).
 */
import { InlayHint } from 'vscode-languageserver';
import { heldRules, LintResult } from '../engine/lint';
import { commandOnLine } from '../engine/locate';
import { assignedAt, Command, isRuleCommand } from '../engine/model';
import { Range } from '../engine/types';
import { loopPlace, unrolled } from '../engine/parse/scriptLoops';

interface Place {
  /** The rule's numbers: one, or one per value of a script's loop. */
  n: number[];
  of: number;
  chain: string;
  table: string;
}

/** Every rule's place in its chain, worked out once per analysis. */
const places = new WeakMap<LintResult, Map<Command, Place>>();

function placesOf(result: LintResult): Map<Command, Place> {
  let m = places.get(result);
  if (m) return m;
  m = new Map();
  const { loops } = result.ruleset;
  for (const cs of result.state.all()) {
    // A rule iptables refuses in a script is never in the chain: no number, and not counted.
    const rules = heldRules(result, cs);
    if (!loops) {
      rules.forEach((c, i) => m!.set(c, { n: [i + 1], of: rules.length, chain: cs.name, table: cs.table }));
      continue;
    }
    // A rule a loop adds once per value has a number for each; a rule whose place is not known exactly, none.
    const all = unrolled(rules, loops);
    all.forEach(({ rule }, i) => {
      if (result.state.amid.has(rule)) return;
      const place = m!.get(rule);
      if (place) place.n.push(i + 1);
      else m!.set(rule, { n: [i + 1], of: all.length, chain: cs.name, table: cs.table });
    });
  }
  places.set(result, m);
  return m;
}

/** A rule's numbers as a label: `#3`, `#3 #5`, `#3–#6`, or the first and the count. */
function numbers(n: number[]): string {
  if (n.length === 1) return `#${n[0]}`;
  if (n[n.length - 1] - n[0] === n.length - 1) return `#${n[0]}–#${n[n.length - 1]}`;
  return n.length <= 3 ? n.map((x) => `#${x}`).join(' ') : `#${n[0]} #${n[1]} … (${n.length})`;
}

/** `rule 3`, `rules 3, 5 and 7`. */
function ruleWord(place: Place): string {
  const n = place.n;
  return n.length === 1 ? `rule ${n[0]}` : `rules ${n.slice(0, -1).join(', ')} and ${n[n.length - 1]}`;
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
      last.label = `${last.label as string} · ${numbers(place.n)}`;
      const loop = result.ruleset.loops?.get(c);
      const who = loop?.each ? assignedAt(loop.loop, loop.valueAt[0]) : c.commandFamily === 6 ? 'ip6tables' : 'iptables';
      last.tooltip = `${last.tooltip as string} With ${who}: ${ruleWord(place)} of ${place.of} in ${place.chain}.`;
      continue;
    }
    const n = place.n[0];
    const tooltip = place.n.length === 1
      ? `Rule ${n} of ${place.of} in ${place.chain} (${place.table}): \`-D ${place.chain} ${n}\` deletes it, \`-I ${place.chain} ${n}\` inserts a rule before it.`
      : `R${ruleWord(place).slice(1)} of ${place.of} in ${place.chain} (${place.table}): ${loopOfHint(result, c)} adds this rule once for each value.`;
    hints.push({ position: c.range.end, label: numbers(place.n), paddingLeft: true, tooltip });
  }
  return hints;
}

/** What adds a rule once per value, in the words of a hint: the loop, or the calls of the function. */
function loopOfHint(result: LintResult, c: Command): string {
  const loop = result.ruleset.loops?.get(c)?.loop;
  return loop ? loopPlace(loop) : 'the loop';
}
