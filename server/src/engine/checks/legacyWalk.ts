/**
 * How iptables-legacy's kernel walks a table when it checks it: from each built-in chain, rule by rule, into the
 * chains the rules jump or go to, and no further in a chain than a rule that decides every packet (a verdict with
 * no condition). A rule the walk never reaches from a hook is never checked against that hook's restrictions, nor
 * is a circle of jumps past such a rule seen. iptables-nft checks every rule of every chain a hook reaches.
 */
import { Command, OptionUse } from '../model';
import { ChainState, RulesetState } from '../state';
import { CheckContext } from './context';

/** Verdicts whose rule, with no condition, ends iptables-legacy's walk of a chain (the rules after it never run). */
const ENDS_WALK = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);

/** A rule that decides every packet: a verdict and no condition of any kind. */
export function endsWalk(rule: Command): boolean {
  // The rule's own fields first: its target's name and word are read from the rule's words, which a walk over a
  // long chain would otherwise read for every rule.
  if (rule.matches.length !== 0 || !rule.options.every(isJump)) return false;
  const t = rule.target;
  return !!t && !t.dynamic && ENDS_WALK.has(t.name);
}

const isJump = (o: OptionUse) => o.spec.names[0] === '--jump';

/** The chains the walk enters from chain `cs`: those its rules jump or go to, up to the first that decides every packet. */
export function walkedJumps(ctx: CheckContext, cs: ChainState): ChainState[] {
  const out: ChainState[] = [];
  for (const rule of cs.rules) {
    const to = ctx.graph.entered(rule);
    if (to) out.push(to);
    if (endsWalk(rule)) break;
  }
  return out;
}

/** Per state, per family and table: the hooks whose walk enters each chain. */
const walks = new WeakMap<RulesetState, Map<string, Map<ChainState, Set<string>>>>();

/** The hooks from which iptables-legacy's walk enters chain `cs` (a built-in chain's own hook enters it). */
export function legacyHooks(ctx: CheckContext, cs: ChainState): ReadonlySet<string> {
  let byTable = walks.get(ctx.state);
  if (!byTable) walks.set(ctx.state, (byTable = new Map()));
  const key = `${cs.family}:${cs.table}`;
  let entered = byTable.get(key);
  if (!entered) byTable.set(key, (entered = walkTable(ctx, cs)));
  return entered.get(cs) ?? NONE;
}

const NONE: ReadonlySet<string> = new Set();

function walkTable(ctx: CheckContext, any: ChainState): Map<ChainState, Set<string>> {
  const entered = new Map<ChainState, Set<string>>();
  for (const root of ctx.state.inTable(any.family, any.table)) {
    if (!root.builtin) continue;
    const hook = root.name;
    const todo = [root];
    const mark = (c: ChainState) => {
      let hooks = entered.get(c);
      if (!hooks) entered.set(c, (hooks = new Set()));
      if (hooks.has(hook)) return false;
      hooks.add(hook);
      return true;
    };
    mark(root);
    while (todo.length) for (const to of walkedJumps(ctx, todo.pop()!)) if (mark(to)) todo.push(to);
  }
  return entered;
}

/** Whether iptables-legacy's walk from `hook` reaches `rule` of chain `cs`. */
export function legacyWalks(ctx: CheckContext, cs: ChainState, rule: Command, hook: string): boolean {
  if (!legacyHooks(ctx, cs).has(hook)) return false;
  for (const r of cs.rules) {
    if (r === rule) return true;
    if (endsWalk(r)) return false;
  }
  return true;
}
