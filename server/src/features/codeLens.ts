/**
 * Code lenses above each user chain: how many rules jump to it (a click lists them) and how many rules it holds,
 * as rust-analyzer shows references above a function.
 */
import { CodeLens, Location } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';
import { familyOf } from '../engine/state';
import { tableKey } from '../engine/model';

/** The client command that shows a list of locations (the VS Code client maps it to its references view). */
export const SHOW_REFERENCES = 'iptables.showReferences';

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function codeLenses(result: LintResult, uri: string): CodeLens[] {
  const { ruleset, state } = result;
  // Every jump and goto, by the chain it names: one pass over the commands, however many chains.
  const jumps = new Map<string, Location[]>();
  for (const c of ruleset.commands) {
    const t = c.target;
    if (!t || t.spec || t.dynamic || c.broken) continue;
    const key = `${tableKey(familyOf(ruleset, c), c.table)}\u0000${t.name}`;
    let list = jumps.get(key);
    if (!list) jumps.set(key, (list = []));
    list.push({ uri, range: t.range });
  }
  const lenses: CodeLens[] = [];
  for (const cs of state.all()) {
    if (cs.builtin) continue;
    const from = jumps.get(`${tableKey(cs.family, cs.table)}\u0000${cs.name}`) ?? [];
    const range = cs.declRange;
    const title = `${from.length ? `jumped to from ${plural(from.length, 'rule')}` : 'nothing jumps here'} · holds ${plural(cs.rules.length, 'rule')}`;
    lenses.push({ range, command: from.length ? { title, command: SHOW_REFERENCES, arguments: [uri, range.start, from] } : { title, command: '' } });
  }
  return lenses.sort((a, b) => a.range.start.line - b.range.start.line);
}
