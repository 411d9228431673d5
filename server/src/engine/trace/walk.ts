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

/** The path a walk has taken so far: what becomes an Outcome when something decides the packet. */
type Path = Omit<Outcome, 'verdict' | 'decidedBy'>;

export function walkChain(state: RulesetState, family: Family, start: ChainState, packet: Packet, opts: WalkOptions = {}): Outcome[] {
  const walk = new Walk(state, family, start, packet, opts);
  walk.run({ chain: start, index: 0 }, [], { steps: [], assumptions: [], visited: [], effects: [] });
  return walk.outcomes;
}

/** One packet's walk from its first chain: every outcome, one per way the rules it cannot decide turn out. */
class Walk {
  readonly outcomes: Outcome[] = [];
  private readonly maxOutcomes: number;
  private readonly maxSteps: number;
  /** The chain the walk starts in, when it is a built-in one: its policy decides at its end. */
  private readonly builtin: ChainState | undefined;

  constructor(private readonly state: RulesetState, private readonly family: Family, start: ChainState, private readonly packet: Packet, private readonly opts: WalkOptions) {
    this.maxOutcomes = opts.maxOutcomes ?? 64;
    this.maxSteps = opts.maxSteps ?? 20000;
    this.builtin = start.builtin ? start : undefined;
  }

  /** Walks on from `frame` (the calling chains on `stack`) until something decides the packet, forking where a rule may or may not match. */
  run(frame: Frame, stack: Frame[], acc: Path): void {
    let { chain, index } = frame;
    let steps = 0;
    for (;;) {
      if (this.outcomes.length >= this.maxOutcomes) return;
      if (++steps > this.maxSteps) {
        this.outcomes.push({ ...acc, verdict: 'UNDECIDED (too many steps: a loop?)' });
        return;
      }
      if (index >= chain.rules.length) {
        const back = this.chainEnd(chain, stack, acc);
        if (!back) return;
        ({ chain, index } = back);
        continue;
      }
      const rule = chain.rules[index];
      acc.visited.push(rule);
      const m = matchRuleOf(rule, this.packet, this.opts.loops);
      if (m === 'unknown') return this.fork(rule, { chain, index }, stack, acc);
      if (m === 'no') {
        index++;
        continue;
      }
      const next = this.apply(rule, { chain, index }, stack, acc);
      if (!next) return;
      ({ chain, index } = next.frame);
      stack = next.stack;
    }
  }

  /** The end of a chain: back to the caller (where to go on), or the built-in chain's policy decides (undefined). */
  private chainEnd(chain: ChainState, stack: Frame[], acc: Path): Frame | undefined {
    const back = stack.pop();
    if (back) {
      acc.steps.push({ chain: chain.name, event: 'end', detail: `end of ${chain.name}, back to ${back.chain.name}` });
      return back;
    }
    if (this.builtin) {
      const policy = this.builtin.policy ?? 'ACCEPT';
      acc.steps.push({ chain: this.builtin.name, event: 'policy', detail: `policy of ${this.builtin.name}: ${policy}` });
      this.outcomes.push({ ...acc, verdict: policy });
    } else this.outcomes.push({ ...acc, verdict: 'CONTINUE' });
    return undefined;
  }

  /** A rule that may or may not match: the walk as if it matched, then as if it did not, each on its own copy of the path. */
  private fork(rule: Command, at: Frame, stack: Frame[], acc: Path): void {
    const other = { steps: [...acc.steps], assumptions: [...acc.assumptions, { rule, matched: false }], visited: [...acc.visited], effects: [...acc.effects] };
    const otherStack = stack.map((f) => ({ ...f }));
    acc.assumptions.push({ rule, matched: true });
    const next = this.apply(rule, at, stack, acc);
    if (next) this.run(next.frame, next.stack, acc);
    this.run({ chain: at.chain, index: at.index + 1 }, otherStack, other);
  }

  /** What a matching rule does; returns where to go on, or undefined when the walk ended. */
  private apply(rule: Command, at: Frame, stack: Frame[], acc: Path): { frame: Frame; stack: Frame[] } | undefined {
    const t = rule.target;
    const here = at.chain.name;
    if (!t) {
      acc.steps.push({ chain: here, rule, event: 'match', detail: 'matched (no target: counted only)' });
      return { frame: { chain: at.chain, index: at.index + 1 }, stack };
    }
    if (t.token.dynamic) {
      this.outcomes.push({ ...acc, verdict: `UNKNOWN (target ${t.name} is a shell value)`, decidedBy: rule });
      return undefined;
    }
    if (t.spec?.name === 'RETURN') {
      acc.steps.push({ chain: here, rule, event: 'return', detail: 'RETURN' });
      return { frame: { chain: at.chain, index: at.chain.rules.length }, stack };
    }
    if (t.spec) {
      if (t.spec.terminating) {
        acc.steps.push({ chain: here, rule, event: 'verdict', detail: t.spec.name });
        this.outcomes.push({ ...acc, verdict: t.spec.name, decidedBy: rule });
        return undefined;
      }
      acc.steps.push({ chain: here, rule, event: 'match', detail: `${t.spec.name} (the packet goes on)` });
      acc.effects.push(rule);
      return { frame: { chain: at.chain, index: at.index + 1 }, stack };
    }
    return this.jump(rule, at, stack, acc);
  }

  /** A jump (-j) or goto (-g) into a user chain. */
  private jump(rule: Command, at: Frame, stack: Frame[], acc: Path): { frame: Frame; stack: Frame[] } | undefined {
    const t = rule.target!;
    const target = this.state.get(this.family, at.chain.table, this.state.jumpTarget(rule));
    if (!target) {
      this.outcomes.push({ ...acc, verdict: `UNKNOWN (no chain ${t.name})`, decidedBy: rule });
      return undefined;
    }
    if (stack.length > 64) {
      this.outcomes.push({ ...acc, verdict: 'UNDECIDED (jumps nest too deep: a loop?)', decidedBy: rule });
      return undefined;
    }
    acc.steps.push({ chain: at.chain.name, rule, event: t.goto ? 'goto' : 'jump', detail: `${t.goto ? 'goto' : 'jump to'} ${t.name}` });
    const nextStack = t.goto ? stack : [...stack, { chain: at.chain, index: at.index + 1 }];
    return { frame: { chain: target, index: 0 }, stack: nextStack };
  }
}
