/**
 * The analysis model of a ruleset: each rule's match box and what it does with the packets it takes, and for
 * each user chain the packets it surely decides (so that a jump into it can be followed).
 */
import { Family } from '../kb/addresses';
import { Command } from '../model';
import { ChainState, RulesetState, familyOf } from '../state';
import { Ruleset } from '../model';
import { ruleMatch, RuleMatch } from './ruleMatch';
import { BoxIndex } from './boxIndex';
import { Box, Space } from './space';

export type Flow =
  | { kind: 'verdict'; verdict: string }
  | { kind: 'return' }
  | { kind: 'goto'; chain?: ChainState }
  | { kind: 'jump'; chain?: ChainState }
  | { kind: 'continue' };

export interface RuleInfo {
  rule: Command;
  chain: ChainState;
  match: RuleMatch;
  flow: Flow;
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

export class AnalysisModel {
  readonly spaces: Record<Family, Space> = { 4: new Space(4), 6: new Space(6) };
  private readonly info = new Map<Command, RuleInfo>();
  private readonly decided = new Map<ChainState, Decision[] | 'pending'>();

  constructor(readonly rs: Ruleset, readonly state: RulesetState) {}

  space(cs: ChainState): Space {
    return this.spaces[cs.family];
  }

  ruleInfo(rule: Command, cs: ChainState): RuleInfo {
    let ri = this.info.get(rule);
    if (!ri) {
      ri = { rule, chain: cs, match: ruleMatch(rule, this.space(cs)), flow: this.flowOf(rule, cs) };
      this.info.set(rule, ri);
    }
    return ri;
  }

  rules(cs: ChainState): RuleInfo[] {
    return cs.rules.map((r) => this.ruleInfo(r, cs));
  }

  private flowOf(rule: Command, cs: ChainState): Flow {
    const t = rule.target;
    if (!t || t.token.dynamic) return t ? { kind: 'jump' } : { kind: 'continue' };
    if (t.spec) {
      if (t.spec.name === 'RETURN') return { kind: 'return' };
      return t.spec.terminating ? { kind: 'verdict', verdict: t.spec.name } : { kind: 'continue' };
    }
    const chain = this.state.get(familyOf(this.rs, rule), cs.table, t.name);
    return t.goto ? { kind: 'goto', chain } : { kind: 'jump', chain };
  }

  /**
   * The decisions a user chain surely makes for packets that enter it: a terminating rule decides the packets
   * of its (exact) box that no earlier rule could have taken elsewhere.
   */
  decisions(cs: ChainState, budget = 200): Decision[] {
    const cached = this.decided.get(cs);
    if (cached === 'pending') return [];
    if (cached) return cached;
    this.decided.set(cs, 'pending');
    const space = this.space(cs);
    const out: Decision[] = [];
    const rules = this.rules(cs);
    const diverted = BoxIndex.best<Box>(space, (b) => b, rules.map((ri) => ri.match.box));
    const seqOf = rules.map((ri) => (ri.flow.kind !== 'continue' && !space.isEmpty(ri.match.box) ? diverted.add(ri.match.box) : diverted.size));
    rules.forEach((ri, k) => {
      const { match, flow } = ri;
      if (out.length > budget || flow.kind !== 'verdict' || !match.exact || space.isEmpty(match.box)) return;
      let pieces: Box[] = [match.box];
      for (const d of diverted.query(match.box, seqOf[k])) {
        pieces = pieces.flatMap((p) => space.subtract(p, d));
        if (pieces.length > budget || pieces.length === 0) break;
      }
      for (const p of pieces.slice(0, budget)) out.push({ box: p, verdict: flow.verdict, by: ri });
    });
    this.decided.set(cs, out);
    return out;
  }

  /** What a rule surely does with the packets of its box: the pieces that leave the chain here. */
  leaves(ri: RuleInfo): Decision[] {
    const { match, flow } = ri;
    const space = this.space(ri.chain);
    if (!match.exact || space.isEmpty(match.box)) return [];
    switch (flow.kind) {
      case 'verdict':
        return [{ box: match.box, verdict: flow.verdict, by: ri }];
      case 'return':
        return [{ box: match.box, verdict: 'RETURN', by: ri }];
      case 'goto':
        return [{ box: match.box, verdict: `goto ${ri.rule.target!.name}`, by: ri }];
      case 'jump': {
        if (!flow.chain || flow.chain.builtin) return [];
        const out: Decision[] = [];
        for (const d of this.decisions(flow.chain)) {
          const box = space.intersect(match.box, d.box);
          if (!space.isEmpty(box)) out.push({ box, verdict: d.verdict, by: d.by, via: ri });
        }
        return out;
      }
      case 'continue':
        return [];
    }
  }
}
