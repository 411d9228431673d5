/**
 * The analysis model of a ruleset: each rule's match box and what it does with the packets it takes, and for
 * each user chain the packets it surely decides (so that a jump into it can be followed).
 */
import { Family } from '../kb/addresses';
import { Command, loadsUnseen } from '../model';
import { ChainState, RulesetState, familyOf } from '../state';
import { Ruleset } from '../model';
import { ruleMatchIn } from './ruleMatch';
import { BoxIndex } from './boxIndex';
import { AnalysisMemo } from '../memo';
import { Box, SeenBoxes, Space } from './space';
import { Fingerprint } from '../fingerprint';
import { AnalysisLimits, DEFAULT_LIMITS } from './limits';

export type Flow =
  | { kind: 'verdict'; verdict: string }
  | { kind: 'return' }
  | { kind: 'goto'; chain?: ChainState }
  | { kind: 'jump'; chain?: ChainState }
  | { kind: 'continue' };

/** A rule of a chain, with what it matches (see RuleMatch) and what it does with the packets. */
export interface RuleInfo {
  rule: Command;
  chain: ChainState;
  box: Box;
  exact: boolean;
  emptyReason: string | undefined;
  flow: Flow;
  /** Where the box is not exact only because a loop's values change several dimensions: their exact boxes (see RuleMatch). */
  parts: Box[] | undefined;
}

/** Packets a rule surely takes out of its chain, and what happens to them. */
export interface Decision {
  box: Box;
  verdict: string;
  /** The rule that decides (for a jump: the rule inside the called chain). */
  by: RuleInfo;
  /** The rule of this chain that sent the packets there, when the decision comes from a called chain. */
  via?: RuleInfo;
}

export const DENY = new Set(['DROP', 'REJECT']);

/** Flows without a chain are the same for every rule: one object each. */
const CONTINUE: Flow = { kind: 'continue' };
const RETURN: Flow = { kind: 'return' };
const UNKNOWN_JUMP: Flow = { kind: 'jump' };
const VERDICTS = new Map<string, Flow>();

function verdictFlow(verdict: string): Flow {
  let f = VERDICTS.get(verdict);
  if (!f) VERDICTS.set(verdict, (f = { kind: 'verdict', verdict }));
  return f;
}

export class AnalysisModel {
  readonly spaces: Record<Family, Space> = { 4: new Space(4), 6: new Space(6) };
  private readonly info = new Map<Command, RuleInfo>();
  private readonly chainRules = new Map<ChainState, RuleInfo[]>();
  private readonly decided = new Map<ChainState, Decision[] | 'pending'>();

  private readonly signatures = new Map<ChainState, string | undefined>();
  private readonly accepting = new Map<ChainState, boolean>();
  /** In a script: the commands iptables refuses (see refuse). */
  private refused: ReadonlyMap<Command, string> | undefined = undefined;

  constructor(readonly rs: Ruleset, readonly state: RulesetState, readonly memo?: AnalysisMemo, readonly limits: Readonly<AnalysisLimits> = DEFAULT_LIMITS) {}

  /**
   * The rules of a script that iptables refuses (an error of the kernel checks): the command fails and the rule is
   * not added, until the mistake is mended. Each may or may not be in its chain, so none is the reason another rule
   * never fires or a chain surely denies. Set before any rule is looked at (the chains' signatures say which rules
   * are refused, so that what is kept of an analysis is not used for a chain whose rules are refused otherwise).
   */
  refuse(refused: ReadonlyMap<Command, string>): void {
    if (!refused.size) return;
    this.refused = refused;
    this.signatures.clear();
  }

  /** Whether iptables refuses the script's command (see refuse). */
  isRefused(c: Command): boolean {
    return this.refused?.has(c) ?? false;
  }

  /**
   * What a chain's analysis depends on: its rules (by identity, so unchanged parsed lines keep it) and the
   * signatures of the chains it jumps to. Undefined for a chain that reaches a cycle of jumps (then nothing is
   * reused). Worked out depth-first without recursion, each chain once, however deep the jumps nest.
   */
  signature(start: ChainState): string | undefined {
    if (this.signatures.has(start)) return this.signatures.get(start);
    const frames: Array<{ cs: ChainState; k: number; parts: Fingerprint }> = [];
    const onPath = new Set<ChainState>();
    const enter = (cs: ChainState) => {
      onPath.add(cs);
      const parts = new Fingerprint();
      parts.text(`${cs.family}:${cs.table}:${cs.name}:${cs.policy ?? ''}`);
      frames.push({ cs, k: 0, parts });
    };
    const leave = (sig: string | undefined) => {
      const f = frames.pop()!;
      onPath.delete(f.cs);
      this.signatures.set(f.cs, sig);
    };
    enter(start);
    while (frames.length) {
      const f = frames[frames.length - 1];
      const r = f.cs.rules[f.k];
      if (!r) {
        leave(f.parts.key());
        continue;
      }
      const t = r.target;
      const next = t && !t.spec && !t.dynamic ? this.state.get(familyOf(this.rs, r), f.cs.table, this.state.jumpTarget(r)) : undefined;
      if (next && !next.builtin && !this.signatures.has(next)) {
        // A jump back into a chain being worked out: a cycle, and no signature for any chain on it.
        if (onPath.has(next)) leave(undefined);
        else enter(next);
        continue;
      }
      f.k++;
      f.parts.number(r.id);
      if (this.refused?.has(r)) f.parts.text('x');
      if (!t || t.spec || t.dynamic) continue;
      if (!next || next.builtin) {
        f.parts.text(next ? 'b' : '?');
        continue;
      }
      const sub = this.signatures.get(next);
      if (sub === undefined) leave(undefined);
      else f.parts.text(`[${sub}]`);
    }
    return this.signatures.get(start);
  }

  /**
   * The packets a rule that is not a jump surely takes out of its chain (all of its box, when the box is exact and
   * not empty), without a list around it: undefined for a jump, a rule that goes on, or an inexact or empty box.
   */
  ownDecision(ri: RuleInfo): Decision | undefined {
    return ri.exact ? this.decisionFor(ri, ri.box) : undefined;
  }

  /**
   * The packets a rule surely takes out of its chain itself, as one decision, or for a loop's rule whose values
   * change several dimensions (RuleInfo.parts) one per value.
   */
  ownDecisions(ri: RuleInfo): Decision[] {
    if (ri.exact || !ri.parts) {
      const own = this.ownDecision(ri);
      return own ? [own] : [];
    }
    return ri.parts.flatMap((part) => this.decisionFor(ri, part) ?? []);
  }

  private decisionFor(ri: RuleInfo, box: Box): Decision | undefined {
    const { flow } = ri;
    if (this.space(ri.chain).isEmpty(box)) return undefined;
    switch (flow.kind) {
      case 'verdict':
        return { box, verdict: flow.verdict, by: ri };
      case 'return':
        return { box, verdict: 'RETURN', by: ri };
      case 'goto':
        return { box, verdict: `goto ${ri.rule.target!.name}`, by: ri };
      default:
        return undefined;
    }
  }

  /** What the memo kept for a chain whose signature is unchanged (nothing without a memo: no signature is made). */
  kept(cs: ChainState): ReturnType<AnalysisMemo['chain']> | undefined {
    if (!this.memo) return undefined;
    const sig = this.signature(cs);
    return sig === undefined ? undefined : this.memo.chain(sig);
  }

  space(cs: ChainState): Space {
    return this.spaces[cs.family];
  }

  /** What the model knows of one command, as a rule of `cs` (a command outside the chains too). */
  ruleInfo(rule: Command, cs: ChainState): RuleInfo {
    let ri = this.info.get(rule);
    if (!ri) this.info.set(rule, (ri = this.makeInfo(rule, cs)));
    return ri;
  }

  /** The chain's rules with what the model knows of each (the same list each time it is asked). */
  rules(cs: ChainState): RuleInfo[] {
    let list = this.chainRules.get(cs);
    if (!list) this.chainRules.set(cs, (list = cs.rules.map((r) => this.makeInfo(r, cs))));
    return list;
  }

  private makeInfo(rule: Command, cs: ChainState): RuleInfo {
    let match = this.memo?.matches.get(rule);
    if (!match) {
      match = ruleMatchIn(this.rs, rule, this.space(cs));
      this.memo?.matches.set(rule, match);
    }
    // A rule whose place in the chain is not known exactly (state.amid), or that iptables refuses in a script, may
    // or may not be there.
    const there = (this.state.amid.size === 0 || !this.state.amid.has(rule)) && !this.refused?.has(rule);
    return { rule, chain: cs, box: match.box, exact: match.exact && there, emptyReason: match.emptyReason, flow: this.flowOf(rule, cs), parts: there ? match.parts : undefined };
  }

  private flowOf(rule: Command, cs: ChainState): Flow {
    const t = rule.target;
    if (!t || t.dynamic) return t ? UNKNOWN_JUMP : CONTINUE;
    if (t.spec) {
      if (t.spec.name === 'RETURN') return RETURN;
      return t.spec.terminating ? verdictFlow(t.spec.name) : CONTINUE;
    }
    const chain = this.state.get(familyOf(this.rs, rule), cs.table, this.state.jumpTarget(rule));
    return t.goto ? { kind: 'goto', chain } : { kind: 'jump', chain };
  }

  /**
   * The decisions a user chain surely makes for packets that enter it: a terminating rule decides the packets
   * of its (exact) box that no earlier rule could have taken elsewhere.
   */
  decisions(cs: ChainState): Decision[] {
    const budget = this.limits.decisions;
    const cached = this.decided.get(cs);
    if (cached === 'pending') return [];
    if (cached) return cached;
    const kept = this.kept(cs);
    if (kept?.decisions) {
      this.decided.set(cs, kept.decisions);
      return kept.decisions;
    }
    this.decided.set(cs, 'pending');
    const space = this.space(cs);
    const out: Decision[] = [];
    const rules = this.rules(cs);
    // The boxes of the rules before the one at hand: packets they divert never reach it. The index is filled in
    // steps, each reaching twice as far as the last: a long chain (a blocklist) is not read past the point where
    // the budget of decisions is spent, and each step sorts the index once.
    const diverted = BoxIndex.best<Box>(space, (b) => b, rules.map((ri) => ri.box));
    // A box equal to an earlier one takes nothing that one did not take first: only the first is indexed.
    const seen = new SeenBoxes();
    const seqOf: number[] = [];
    const indexTo = (end: number) => {
      for (let k = seqOf.length; k < end; k++) {
        const { box, flow } = rules[k];
        seqOf.push(diverted.size);
        if (flow.kind !== 'continue' && !space.isEmpty(box) && seen.add(box)) diverted.add(box);
      }
    };
    for (let k = 0; k < rules.length && out.length <= budget; k++) {
      const { box, exact, flow, parts } = rules[k];
      if (flow.kind !== 'verdict' || (!exact && !parts) || space.isEmpty(box)) continue;
      if (k >= seqOf.length) indexTo(Math.min(rules.length, 2 * k + 64));
      if (exact) this.decide(out, space, box, diverted.query(box, seqOf[k]), budget, flow.verdict, rules[k]);
      else for (const part of parts!) this.decide(out, space, part, diverted.query(part, seqOf[k]), budget, flow.verdict, rules[k]);
    }
    this.decided.set(cs, out);
    if (kept) kept.decisions = out;
    return out;
  }

  /**
   * Adds to `out` the decisions `by` makes of what of `box` the boxes of earlier rules (`diverted`) leave; none where
   * that would be more than `budget` pieces (what they divert has then not all been taken out, so the pieces are
   * more than the rule surely decides).
   */
  private decide(out: Decision[], space: Space, box: Box, diverted: Iterable<Box>, budget: number, verdict: string, by: RuleInfo): void {
    let pieces: Box[] = [box];
    for (const d of diverted) {
      pieces = space.subtractFromAll(pieces, d);
      if (pieces.length === 0) return;
      if (pieces.length > budget) return;
    }
    for (const p of pieces) out.push({ box: p, verdict, by });
  }

  /**
   * Whether a packet that enters the user chain `cs` by a jump may be accepted there: some rule of it, or of a chain
   * it jumps or goes to, has a verdict other than DROP or REJECT (ACCEPT, or a queue whose program decides), or a
   * target not known here. A chain that can only drop, reject or send packets back lets nothing in; a call back into
   * a chain being looked at adds nothing. Unknown (undefined) and built-in chains may accept, and every chain of a
   * script that may add rules unseen (Ruleset.unseenRules, or a rules file it loads).
   */
  mayAccept(cs: ChainState | undefined): boolean {
    if (!cs || cs.builtin || this.rs.unseenRules || loadsUnseen(this.rs, cs.family)) return true;
    const known = this.accepting.get(cs);
    if (known !== undefined) return known;
    // Depth first without recursion (jumps may nest thousands of chains deep): the chains on the way to a rule
    // that may accept may accept; when none is found, no chain met may.
    const frames: Array<{ cs: ChainState; k: number }> = [{ cs, k: 0 }];
    const met = new Set<ChainState>([cs]);
    while (frames.length) {
      const f = frames[frames.length - 1];
      // The rules' targets alone: no match box is worked out (a long blocklist is walked at every keystroke).
      const rules = f.cs.rules;
      if (f.k === rules.length) {
        frames.pop();
        continue;
      }
      const flow = this.flowOf(rules[f.k++], f.cs);
      let next: ChainState | undefined;
      if (flow.kind === 'verdict') {
        if (DENY.has(flow.verdict)) continue;
      } else if (flow.kind === 'jump' || flow.kind === 'goto') {
        next = flow.chain;
        const seen = next && !next.builtin ? this.accepting.get(next) : true;
        if (seen === false || (seen === undefined && met.has(next!))) continue;
        if (seen === undefined) {
          met.add(next!);
          frames.push({ cs: next!, k: 0 });
          continue;
        }
      } else continue;
      for (const on of frames) this.accepting.set(on.cs, true);
      return true;
    }
    for (const c of met) this.accepting.set(c, false);
    return false;
  }

  /**
   * Whether the rule may accept the packets it matches: a verdict other than DROP or REJECT, a goto (at the end of
   * the chain it goes to, the calling chain's caller, or its policy, decides), or a jump into a chain that may.
   */
  ruleMayAccept(ri: RuleInfo): boolean {
    const f = ri.flow;
    return f.kind === 'verdict' ? !DENY.has(f.verdict) : f.kind === 'goto' || (f.kind === 'jump' && this.mayAccept(f.chain));
  }

  /** What a rule surely does with the packets of its box: the pieces that leave the chain here. */
  leaves(ri: RuleInfo): Decision[] {
    const { box, flow } = ri;
    if (flow.kind !== 'jump') return this.ownDecisions(ri);
    const space = this.space(ri.chain);
    if (!ri.exact || space.isEmpty(box) || !flow.chain || flow.chain.builtin) return [];
    const called = flow.chain;
    const compute = (): Decision[] => {
      const out: Decision[] = [];
      for (const d of this.decisions(called)) {
        const both = space.intersect(box, d.box);
        if (both) out.push({ box: both, verdict: d.verdict, by: d.by, via: ri });
      }
      return out;
    };
    const sig = this.memo ? this.signature(called) : undefined;
    return sig !== undefined ? this.memo!.forRule(ri.rule, 'leaves', sig, compute) : compute();
  }
}
