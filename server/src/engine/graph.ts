/** The jump graph: which built-in chains reach each user chain through -j/-g, and by which path. */
import { Command, Ruleset } from './model';
import { ChainState, RulesetState, familyOf } from './state';

export interface Reach {
  /** Built-in chain name -> one path of chain names from it to this chain. */
  from: Map<string, string[]>;
  /** Rules (commands) that jump or go to this chain. */
  callers: ChainState[];
}

export class JumpGraph {
  private readonly reach = new Map<ChainState, Reach>();
  /** The user chain each jumping rule enters. */
  private readonly next = new Map<Command, ChainState>();

  constructor(rs: Ruleset, state: RulesetState) {
    for (const cs of state.all()) this.reach.set(cs, { from: new Map(), callers: [] });
    for (const cs of state.all()) {
      if (!cs.builtin) continue;
      // Breadth-first from each built-in chain; cycles are cut by the visited set.
      const queue: Array<[ChainState, string[]]> = [[cs, [cs.name]]];
      const seen = new Set<ChainState>([cs]);
      while (queue.length) {
        const [cur, path] = queue.shift()!;
        this.reach.get(cur)!.from.set(cs.name, path);
        for (const r of cur.rules) {
          const t = r.target;
          if (!t || t.spec || t.dynamic) continue;
          const next = state.get(familyOf(rs, r), r.table, t.name);
          if (!next || next.builtin || seen.has(next)) continue;
          seen.add(next);
          queue.push([next, [...path, next.name]]);
        }
      }
    }
    for (const cs of state.all()) {
      for (const r of cs.rules) {
        const t = r.target;
        if (!t || t.spec || t.dynamic) continue;
        const next = state.get(familyOf(rs, r), r.table, t.name);
        if (next) {
          this.reach.get(next)!.callers.push(cs);
          this.next.set(r, next);
        }
      }
    }
  }

  /** Built-in chains (hooks) whose packets can reach this chain, each with a path. */
  hooks(cs: ChainState): Map<string, string[]> {
    if (cs.builtin) return new Map([[cs.name, [cs.name]]]);
    return this.reach.get(cs)?.from ?? new Map();
  }

  /** A cycle of jumps that starts and ends at `start`, with the rule that closes it (depth-first, without recursion). */
  cycleThrough(start: ChainState): { chains: ChainState[]; rule: Command } | undefined {
    const seen = new Set<ChainState>([start]);
    const path: Array<{ chain: ChainState; next: number }> = [{ chain: start, next: 0 }];
    while (path.length) {
      const top = path[path.length - 1];
      if (top.next >= top.chain.rules.length) {
        path.pop();
        continue;
      }
      const rule = top.chain.rules[top.next++];
      const next = this.next.get(rule);
      if (!next) continue;
      if (next === start) return { chains: path.map((f) => f.chain), rule };
      if (!seen.has(next)) {
        seen.add(next);
        path.push({ chain: next, next: 0 });
      }
    }
    return undefined;
  }

  callers(cs: ChainState): ChainState[] {
    return this.reach.get(cs)?.callers ?? [];
  }
}
