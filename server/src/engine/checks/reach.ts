/**
 * Which built-in chains reach a rule, and by which path, for the checks of what the kernel allows at each hook. A
 * rules file is checked as a whole table (at COMMIT, or as one transaction): the chains as the file leaves them decide
 * (`finalReach`). A script's commands are checked as the chains stand when each runs (see scriptTimeline.ts).
 */
import { Command } from '../model';
import { ChainState } from '../state';
import { Diagnostic } from '../types';
import { CheckContext } from './context';
import { legacyWalks } from './legacyWalk';

export interface Reach {
  /** The built-in chains whose packets reach `cs`. */
  hooks(cs: ChainState): readonly string[];
  /** A shortest path of chain names from the built-in chain `hook` to `cs`. */
  path(cs: ChainState, hook: string): string[];
  /** Whether iptables-legacy's walk of the table from `hook` reaches `rule` of `cs` (and so checks it there). */
  legacyWalks(cs: ChainState, rule: Command, hook: string): boolean;
  /** Whether it reaches chains from hooks the chains as the file leaves them do not (see flushKept.ts). */
  wider?: boolean;
}

/** A hook check's refusal, collected (not reported) while a jump is checked: see checkJumpReach in kernel.ts. */
export interface HookRefusal {
  rule: Command;
  range: Diagnostic['range'];
  text: string;
  legacy: boolean;
  nft: boolean;
  data: Record<string, unknown>;
}

/** The checks' context while the rules a jump makes reachable are checked against the chains as they are then. */
export interface ReachContext extends CheckContext {
  reach?: Reach;
  refusals?: HookRefusal[];
}

/** The chains as the file leaves them. */
export function finalReach(ctx: CheckContext): Reach {
  return {
    hooks: (cs) => ctx.graph.hooks(cs),
    path: (cs, hook) => ctx.graph.path(cs, hook),
    legacyWalks: (cs, rule, hook) => legacyWalks(ctx, cs, rule, hook),
  };
}

