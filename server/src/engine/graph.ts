/**
 * The jump graph: which built-in chains reach each user chain through -j/-g, and by which path. A path is kept as
 * a link to the chain before it (the paths of a deep nesting of chains would otherwise fill memory with the square
 * of its depth) and spelled out only when a finding or a hover shows it.
 */
import { Command, Ruleset } from './model';
import { ChainState, RulesetState, familyOf } from './state';
import { hashKey, hashText, SECOND_PRIME } from './fingerprint';

interface Reach {
  /** Built-in chain name -> the chain before this one on a shortest path from it (the built-in chain itself first). */
  from: Map<string, ChainState>;
  /** The built-in chains that reach this one, in the order they were found. */
  hooks: string[];
  /** Chains whose rules jump or go to this chain. */
  callers: ChainState[];
}

export class JumpGraph {
  private readonly reach = new Map<ChainState, Reach>();
  /** The user chain each jumping rule enters. */
  private readonly next = new Map<Command, ChainState>();
  /** Per chain, the chains that lie on a cycle of jumps with it (undefined for a chain on no cycle). */
  private cycles?: Map<ChainState, Set<ChainState>>;
  private readonly keys = new Map<ChainState, Map<string, [number, number]>>();

  constructor(rs: Ruleset, state: RulesetState) {
    for (const cs of state.all()) this.reach.set(cs, { from: new Map(), hooks: [], callers: [] });
    for (const cs of state.all()) {
      // Indexed: this runs once, over every rule, mostly before V8 optimises it, where each step of a for-of
      // over a list would allocate.
      const rules = cs.rules;
      for (let k = 0; k < rules.length; k++) {
        const r = rules[k];
        const t = r.target;
        if (!t || t.spec || t.dynamic) continue;
        const next = state.get(familyOf(rs, r), r.table, state.jumpTarget(r));
        if (next) {
          this.reach.get(next)!.callers.push(cs);
          this.next.set(r, next);
        }
      }
    }
    for (const cs of state.all()) {
      if (!cs.builtin) continue;
      // Breadth-first from each built-in chain (so each path is a shortest one); cycles are cut by the visited set.
      const queue: ChainState[] = [cs];
      const seen = new Set<ChainState>([cs]);
      for (let k = 0; k < queue.length; k++) {
        const cur = queue[k];
        const rules = cur.rules;
        for (let j = 0; j < rules.length; j++) {
          const next = this.next.get(rules[j]);
          if (!next || next.builtin || seen.has(next)) continue;
          seen.add(next);
          const reach = this.reach.get(next)!;
          reach.from.set(cs.name, cur);
          reach.hooks.push(cs.name);
          queue.push(next);
        }
      }
    }
  }

  /** The built-in chains (hooks) whose packets can reach this chain. */
  hooks(cs: ChainState): readonly string[] {
    if (cs.builtin) return [cs.name];
    return this.reach.get(cs)?.hooks ?? [];
  }

  /** One shortest path of chain names from the built-in chain `hook` to this chain. */
  path(cs: ChainState, hook: string): string[] {
    const names: string[] = [];
    for (let c: ChainState | undefined = cs; c; c = c.builtin ? undefined : this.reach.get(c)?.from.get(hook)) names.push(c.name);
    return names.reverse();
  }

  /** A short fingerprint of path(cs, hook), worked out from the chain before it (no path is spelled out). */
  pathKey(cs: ChainState, hook: string): string {
    const [a, b] = this.pathHash(cs, hook);
    return hashKey(a, b);
  }

  private pathHash(cs: ChainState, hook: string): [number, number] {
    let known = this.keys.get(cs);
    const kept = known?.get(hook);
    if (kept) return kept;
    // Iteratively: the chains on the path whose fingerprint is not known yet, from this one back.
    const todo: ChainState[] = [];
    let c: ChainState | undefined = cs;
    let base: [number, number] = [0x811c9dc5 | 0, 0x01000193 | 0];
    while (c) {
      const k = this.keys.get(c)?.get(hook);
      if (k) {
        base = k;
        break;
      }
      todo.push(c);
      c = c.builtin ? undefined : this.reach.get(c)?.from.get(hook);
    }
    for (let i = todo.length - 1; i >= 0; i--) {
      base = [hashText(base[0], todo[i].name), hashText(base[1], todo[i].name, SECOND_PRIME)];
      known = this.keys.get(todo[i]);
      if (!known) this.keys.set(todo[i], (known = new Map()));
      known.set(hook, base);
    }
    return base;
  }

  /**
   * A cycle of jumps that starts and ends at `start`, with the rule that closes it (depth-first, without recursion,
   * within the chains that share a cycle with `start`: no other chain can lead back to it).
   */
  cycleThrough(start: ChainState): { chains: ChainState[]; rule: Command } | undefined {
    const group = this.cyclesOf().get(start);
    if (!group) return undefined;
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
      if (!next || !group.has(next)) continue;
      if (next === start) return { chains: path.map((f) => f.chain), rule };
      if (!seen.has(next)) {
        seen.add(next);
        path.push({ chain: next, next: 0 });
      }
    }
    return undefined;
  }

  /** Whether the two chains lie on one cycle of jumps (a chain that jumps to itself lies on one with itself). */
  shareCycle(a: ChainState, b: ChainState): boolean {
    return this.cyclesOf().get(a)?.has(b) ?? false;
  }

  /** The user chain a rule jumps or goes to, when it exists. */
  entered(rule: Command): ChainState | undefined {
    return this.next.get(rule);
  }

  callers(cs: ChainState): ChainState[] {
    return this.reach.get(cs)?.callers ?? [];
  }

  /** The rules that jump or go to `cs`, chain by chain of its callers, each chain's in order. */
  jumpsInto(cs: ChainState): Command[] {
    const out: Command[] = [];
    for (const from of new Set(this.callers(cs))) for (const r of from.rules) if (this.next.get(r) === cs) out.push(r);
    return out;
  }

  /** The strongly connected groups of chains that hold a cycle (Tarjan's algorithm, without recursion). */
  private cyclesOf(): Map<ChainState, Set<ChainState>> {
    if (this.cycles) return this.cycles;
    const cycles = new Map<ChainState, Set<ChainState>>();
    const index = new Map<ChainState, number>();
    const low = new Map<ChainState, number>();
    const stack: ChainState[] = [];
    const onStack = new Set<ChainState>();
    const targets = (cs: ChainState) => cs.rules.map((r) => this.next.get(r)).filter((n): n is ChainState => n !== undefined);
    for (const root of this.reach.keys()) {
      if (index.has(root)) continue;
      const frames: Array<{ chain: ChainState; out: ChainState[]; k: number }> = [];
      const enter = (cs: ChainState) => {
        index.set(cs, index.size);
        low.set(cs, index.get(cs)!);
        stack.push(cs);
        onStack.add(cs);
        frames.push({ chain: cs, out: targets(cs), k: 0 });
      };
      enter(root);
      while (frames.length) {
        const f = frames[frames.length - 1];
        if (f.k < f.out.length) {
          const w = f.out[f.k++];
          if (!index.has(w)) enter(w);
          else if (onStack.has(w)) low.set(f.chain, Math.min(low.get(f.chain)!, index.get(w)!));
          continue;
        }
        frames.pop();
        if (frames.length) {
          const parent = frames[frames.length - 1].chain;
          low.set(parent, Math.min(low.get(parent)!, low.get(f.chain)!));
        }
        if (low.get(f.chain) !== index.get(f.chain)) continue;
        const group = new Set<ChainState>();
        let w: ChainState;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          group.add(w);
        } while (w !== f.chain);
        // One chain alone is a cycle only if it jumps to itself.
        if (group.size > 1 || f.out.includes(f.chain)) for (const c of group) cycles.set(c, group);
      }
    }
    return (this.cycles = cycles);
  }
}

/**
 * A circle of jumps that a built-in chain of `chains` reaches, along each chain's jumps in `next` (`target`: the chain
 * a jump enters). Depth first from each built-in chain, without recursion: a chain met again while still on the path
 * closes a circle. Returns the chains of the circle, from the one it closes on, and the jumps from the built-in chain
 * to the one that closes it, in order; undefined when there is none.
 */
export function reachedCircle<J>(chains: readonly ChainState[], next: ReadonlyMap<ChainState, readonly J[]>, target: (jump: J) => ChainState): { chains: ChainState[]; jumps: J[] } | undefined {
  // Per chain: whether it is on the path being followed (false once it has been left: nothing circles through it).
  const onPath = new Map<ChainState, boolean>();
  for (const root of chains) {
    if (!root.builtin || onPath.has(root)) continue;
    const path: Array<{ chain: ChainState; via?: J; k: number }> = [{ chain: root, k: 0 }];
    onPath.set(root, true);
    while (path.length) {
      const top = path[path.length - 1];
      const out = next.get(top.chain) ?? [];
      if (top.k >= out.length) {
        onPath.set(top.chain, false);
        path.pop();
        continue;
      }
      const jump = out[top.k++];
      const to = target(jump);
      const seen = onPath.get(to);
      if (seen) {
        const circle = path.slice(path.findIndex((s) => s.chain === to));
        return { chains: circle.map((s) => s.chain), jumps: [...path.slice(1).map((s) => s.via!), jump] };
      }
      if (seen === undefined) {
        onPath.set(to, true);
        path.push({ chain: to, via: jump, k: 0 });
      }
    }
  }
  return undefined;
}
