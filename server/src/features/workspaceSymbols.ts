/** Workspace symbols: the user chains of every open ruleset, found by name (Go to Symbol in Workspace). */
import { SymbolInformation, SymbolKind } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';

/** Whether the letters of `query` appear in `name` in order (case aside), as editors match symbol names. */
function matches(name: string, query: string): boolean {
  const n = name.toLowerCase();
  let at = 0;
  for (const ch of query.toLowerCase()) {
    at = n.indexOf(ch, at);
    if (at < 0) return false;
    at++;
  }
  return true;
}

export function workspaceSymbols(docs: Array<{ uri: string; result: LintResult }>, query: string): SymbolInformation[] {
  const out: SymbolInformation[] = [];
  for (const { uri, result } of docs) {
    for (const cs of result.state.all()) {
      if (cs.builtin || !matches(cs.name, query)) continue;
      out.push({ name: cs.name, kind: SymbolKind.Function, location: { uri, range: cs.declRange }, containerName: `${cs.family === 6 ? 'ip6tables ' : ''}${cs.table}` });
    }
  }
  return out;
}
