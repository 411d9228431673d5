/**
 * Code lenses above each user chain: how many rules jump to it (a click lists them) and how many rules it holds,
 * as rust-analyzer shows references above a function.
 */
import { CodeLens, Location } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';
import { ChainState } from '../engine/state';

/** The client command that shows a list of locations (the VS Code client maps it to its references view). */
export const SHOW_REFERENCES = 'iptables.showReferences';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function codeLenses(result: LintResult, uri: string): CodeLens[] {
  const { state, graph } = result;
  // Every jump and goto of the ruleset, by the chain it enters (as the kernel follows it): one pass over the rules.
  const jumps = new Map<ChainState, Location[]>();
  for (const from of state.all()) {
    for (const r of from.rules) {
      const to = graph.entered(r);
      if (!to) continue;
      let list = jumps.get(to);
      if (!list) jumps.set(to, (list = []));
      list.push({ uri, range: r.target!.range });
    }
  }
  const lenses: CodeLens[] = [];
  for (const cs of state.all()) {
    if (cs.builtin) continue;
    const from = jumps.get(cs) ?? [];
    const range = cs.declRange;
    const title = `${from.length ? `jumped to from ${plural(from.length, 'rule')}` : 'nothing jumps here'} · holds ${plural(cs.rules.length, 'rule')}`;
    lenses.push({ range, command: from.length ? { title, command: SHOW_REFERENCES, arguments: [uri, range.start, from] } : { title, command: '' } });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line);
}
