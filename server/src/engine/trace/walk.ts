/**
 * Walks a concrete packet through chains as the kernel does: -j enters a user chain and comes back, -g does not,
 * RETURN and a chain's end go back, a built-in chain's policy decides at its end. A rule that may or may not match
 * the packet (rate limits, recent lists, ...) forks the walk: every outcome is reported with the assumptions made.
 */
import { Family } from '../kb/addresses';
import { Command, Ruleset } from '../model';
import { ChainState, RulesetState } from '../state';
import { matchRuleOf } from './evaluate';
import { Packet } from './packet';

export interface Step {
  chain: string;
  rule?: Command;
  /** What happened: the rule matched, a jump, a return, the policy applied, ... */
  event: 'match' | 'jump' | 'goto' | 'return' | 'end' | 'policy' | 'verdict';
  detail: string;
}

export interface Assumption {
  rule: Command;
  matched: boolean;
}

export interface Outcome {
  /** ACCEPT, DROP, REJECT, a NAT target, ... or CONTINUE when a chain entered on its own ends (no caller). */
  verdict: string;
  decidedBy?: Command;
  steps: Step[];
  assumptions: Assumption[];
  /** Rules whose conditions were tested, in order (for "is this rule ever reached?"). */
  visited: Command[];
  /** Non-terminating targets applied on the way (MARK, NOTRACK, LOG, ...). */
  effects: Command[];
}

interface Frame {
  chain: ChainState;
  index: number;
}

export interface WalkOptions {
  /** Stop forking past this many outcomes (the rest are not explored). */
  maxOutcomes?: number;
  maxSteps?: number;
  /** The rules a script's loop adds once per value (Ruleset.loops): such a rule matches when one value's rule does. */
  loops?: Ruleset['loops'];
}

export function walkChain(state: RulesetState, family: Family, start: ChainState, packet: Packet, opts: WalkOptions = {}): Outcome[] {
  const maxOutcomes = opts.maxOutcomes ?? 64;
  const maxSteps = opts.maxSteps ?? 20000;
  const outcomes: Outcome[] = [];
  const builtin = start.builtin ? start : undefined;

  const run = (frame: Frame, stack: Frame[], acc: Omit<Outcome, 'verdict' | 'decidedBy'>): void => {
    let { chain, index } = frame;
    let steps = 0;
    for (;;) {
      if (outcomes.length >= maxOutcomes) return;
      if (++steps > maxSteps) {
        outcomes.push({ ...acc, verdict: 'UNDECIDED (too many steps: a loop?)' });
        return;
      }
      if (index >= chain.rules.length) {
        // The end of a chain: back to the caller, or the built-in chain's policy.
        const back = stack.pop();
        if (back) {
          acc.steps.push({ chain: chain.name, event: 'end', detail: `end of ${chain.name}, back to ${back.chain.name}` });
          chain = back.chain;
          index = back.index;
          continue;
        }
        if (builtin) {
          const policy = builtin.policy ?? 'ACCEPT';
          acc.steps.push({ chain: builtin.name, event: 'policy', detail: `policy of ${builtin.name}: ${policy}` });
          outcomes.push({ ...acc, verdict: policy });
        } else outcomes.push({ ...acc, verdict: 'CONTINUE' });
        return;
      }
      const rule = chain.rules[index];
      acc.visited.push(rule);
      const m = matchRuleOf(rule, packet, opts.loops);
      if (m === 'unknown') {
        // Fork: explore "does not match" later, with its own copy of the path.
        const other = { steps: [...acc.steps], assumptions: [...acc.assumptions, { rule, matched: false }], visited: [...acc.visited], effects: [...acc.effects] };
        const otherStack = stack.map((f) => ({ ...f }));
        acc.assumptions.push({ rule, matched: true });
        const matchedPath = () => apply(rule, { chain, index }, stack, acc);
        const next = matchedPath();
        if (next) run(next.frame, next.stack, acc);
        run({ chain, index: index + 1 }, otherStack, other);
        return;
      }
      if (m === 'no') {
        index++;
        continue;
      }
      const next = apply(rule, { chain, index }, stack, acc);
      if (!next) return;
      ({ chain, index } = next.frame);
      stack = next.stack;
    }
  };

  /** What a matching rule does; returns where to go on, or undefined when the walk ended. */
  const apply = (rule: Command, at: Frame, stack: Frame[], acc: Omit<Outcome, 'verdict' | 'decidedBy'>): { frame: Frame; stack: Frame[] } | undefined => {
    const t = rule.target;
    const here = at.chain.name;
    if (!t) {
      acc.steps.push({ chain: here, rule, event: 'match', detail: 'matched (no target: counted only)' });
      return { frame: { chain: at.chain, index: at.index + 1 }, stack };
    }
    if (t.token.dynamic) {
      outcomes.push({ ...acc, verdict: `UNKNOWN (target ${t.name} is a shell value)`, decidedBy: rule });
      return undefined;
    }
    if (t.spec?.name === 'RETURN') {
      acc.steps.push({ chain: here, rule, event: 'return', detail: 'RETURN' });
      return { frame: { chain: at.chain, index: at.chain.rules.length }, stack };
    }
    if (t.spec) {
      if (t.spec.terminating) {
        acc.steps.push({ chain: here, rule, event: 'verdict', detail: t.spec.name });
        outcomes.push({ ...acc, verdict: t.spec.name, decidedBy: rule });
        return undefined;
      }
      acc.steps.push({ chain: here, rule, event: 'match', detail: `${t.spec.name} (the packet goes on)` });
      acc.effects.push(rule);
      return { frame: { chain: at.chain, index: at.index + 1 }, stack };
    }
    const target = state.get(family, at.chain.table, state.jumpTarget(rule));
    if (!target) {
      outcomes.push({ ...acc, verdict: `UNKNOWN (no chain ${t.name})`, decidedBy: rule });
      return undefined;
    }
    if (stack.length > 64) {
      outcomes.push({ ...acc, verdict: 'UNDECIDED (jumps nest too deep: a loop?)', decidedBy: rule });
      return undefined;
    }
    acc.steps.push({ chain: here, rule, event: t.goto ? 'goto' : 'jump', detail: `${t.goto ? 'goto' : 'jump to'} ${t.name}` });
    const nextStack = t.goto ? stack : [...stack, { chain: at.chain, index: at.index + 1 }];
    return { frame: { chain: target, index: 0 }, stack: nextStack };
  };

  run({ chain: start, index: 0 }, [], { steps: [], assumptions: [], visited: [], effects: [] });
  return outcomes;
}
