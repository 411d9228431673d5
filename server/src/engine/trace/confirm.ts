/**
 * Brute-force confirmation of a "this rule never fires" claim: packets drawn from the rule's own box are walked
 * through its chain with the concrete evaluator; none may reach the rule, on any fork.
 */
import { AnalysisModel } from '../analysis/model';
import { LintResult } from '../lint';
import { Command } from '../model';
import { ChainState } from '../state';
import { describePacket } from './packet';
import { samplePackets } from './sample';
import { walkChain } from './walk';

export function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Undefined when no sampled packet reaches the rule; otherwise a description of one that does. */
export function refuteDead(result: LintResult, rule: Command, samples = 200, seed = 1): string | undefined {
  const cs = result.state.all().find((c) => c.rules.includes(rule)) as ChainState;
  const model = new AnalysisModel(result.ruleset, result.state);
  const ri = model.ruleInfo(rule, cs);
  const rnd = mulberry(seed);
  for (const p of samplePackets(ri.box, cs.family, samples, rnd)) {
    for (const o of walkChain(result.state, cs.family, cs, p, { maxOutcomes: 32, loops: result.ruleset.loops })) {
      if (o.visited.includes(rule)) return `${describePacket(p)} reaches line ${rule.range.start.line + 1}`;
    }
  }
  return undefined;
}
