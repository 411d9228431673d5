/**
 * Call hierarchy for chains: which chains jump to this one (incoming), and which it jumps to (outgoing), each with
 * the rules that do it. Jumps are followed as the kernel follows them (a chain renamed since, by its new name).
 */
import { CallHierarchyIncomingCall, CallHierarchyItem, CallHierarchyOutgoingCall, SymbolKind } from 'vscode-languageserver';
import { Family } from '../engine/kb/addresses';
import { LintResult } from '../engine/lint';
import { Command, counted } from '../engine/model';
import { ChainState } from '../engine/state';
import { Position, Range } from '../engine/types';
import { chainAt } from './navigation';

interface ChainKey {
  family: Family;
  table: string;
  name: string;
}

function item(cs: ChainState, uri: string): CallHierarchyItem {
  const data: ChainKey = { family: cs.family, table: cs.table, name: cs.name };
  const what = cs.builtin ? `built-in chain of ${cs.table}, policy ${cs.policy ?? 'ACCEPT'}` : `user chain of ${cs.table}`;
  return { name: cs.name, kind: cs.builtin ? SymbolKind.Event : SymbolKind.Function, detail: `${what}, ${counted(cs.rules.length, 'rule')}`, uri, range: cs.declRange, selectionRange: cs.declRange, data };
}

function chainOf(result: LintResult, data: unknown): ChainState | undefined {
  const k = data as Partial<ChainKey> | undefined;
  if (!k || (k.family !== 4 && k.family !== 6) || typeof k.table !== 'string' || typeof k.name !== 'string') return undefined;
  return result.state.get(k.family, k.table, k.name);
}

/** The jumps of `from`'s rules, grouped by the chain each enters (in the order they first appear). */
function jumpsOf(result: LintResult, from: ChainState): Map<ChainState, Range[]> {
  const out = new Map<ChainState, Range[]>();
  for (const r of from.rules) {
    const to = result.graph.entered(r);
    if (!to) continue;
    const list = out.get(to) ?? [];
    list.push((r.target as NonNullable<Command['target']>).range);
    out.set(to, list);
  }
  return out;
}

export function prepareCallHierarchy(result: LintResult, uri: string, pos: Position): CallHierarchyItem[] | null {
  const ref = chainAt(result, pos);
  const cs = ref && result.state.get(ref.family as Family, ref.table, ref.name);
  return cs ? [item(cs, uri)] : null;
}

export function incomingCalls(result: LintResult, uri: string, target: CallHierarchyItem): CallHierarchyIncomingCall[] {
  const cs = chainOf(result, target.data);
  if (!cs) return [];
  const callers = [...new Set(result.graph.callers(cs))];
  return callers.map((from) => ({ from: item(from, uri), fromRanges: jumpsOf(result, from).get(cs) ?? [] }));
}

export function outgoingCalls(result: LintResult, uri: string, source: CallHierarchyItem): CallHierarchyOutgoingCall[] {
  const cs = chainOf(result, source.data);
  if (!cs) return [];
  return [...jumpsOf(result, cs)].map(([to, fromRanges]) => ({ to: item(to, uri), fromRanges }));
}
