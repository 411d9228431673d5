/**
 * Rules that never fire: earlier rules of the chain (or the chains they jump to) take every packet the rule could
 * match. Each claim rests on exact boxes only; a rule with conditions the model cannot decide is never called dead
 * because of them, and never used as proof that a later rule is dead.
 */
import { Range } from '../types';
import { CheckContext } from '../checks/context';
import { AnalysisModel, Decision, DENY, RuleInfo } from './model';
import { SeenBoxes } from './space';
import { BoxIndex } from './boxIndex';

export interface DeadRule {
  ri: RuleInfo;
  by: Decision[];
}

const NO_BIG: never[] = [];
/** How many of the lines responsible a finding carries in its data. */
const MAX_LINES = 100;

/** Every rule of every chain that earlier rules make dead, with the decisions responsible. */
export function findDeadRules(model: AnalysisModel, ctx: CheckContext): DeadRule[] {
  const dead: DeadRule[] = [];
  const limits = model.limits;
  for (const cs of ctx.state.all()) {
    // An unchanged chain (same rules, same called chains) has the same dead rules as last time.
    const kept = model.kept(cs);
    if (kept?.dead) {
      for (const d of kept.dead) dead.push(d);
      continue;
    }
    const first = dead.length;
    const space = model.space(cs);
    // Every rule's leaving decisions are known up front. Most rules leave one box and share an index; a jump into
    // a long chain (a blocklist) brings hundreds, which get an index of their own, kept with the jump rule.
    const rules = model.rules(cs);
    const leaves = rules.map((ri) => model.leaves(ri));
    // Indexed by the dimension that best tells the rules' own boxes apart (their decisions lie inside them).
    const small = new BoxIndex<Decision>(space, (d) => d.box, BoxIndex.bestDim(rules, (ri) => ri.box));
    const big: Array<{ at: number; index: BoxIndex<Decision> }> = [];
    const seen = new SeenBoxes();
    let position: Map<RuleInfo, number> | undefined;
    const firstSeq = leaves.map((ls, k) => {
      const seq = small.size;
      if (ls.length > limits.ownIndex) {
        const build = () => {
          const own = BoxIndex.best<Decision>(space, (d) => d.box, ls);
          for (const d of ls) own.add(d);
          return own;
        };
        const sig = model.memo ? model.signature(rules[k].flow.kind === 'jump' && rules[k].flow.chain ? rules[k].flow.chain! : cs) : undefined;
        big.push({ at: k, index: sig !== undefined ? model.memo!.forRule(rules[k].rule, 'leaf-index', sig, build) : build() });
      } else {
        // A box equal to an earlier decision's is decided by that one first.
        for (const d of ls) if (seen.add(d.box)) small.add(d);
      }
      return seq;
    });
    // The corners of the rule at hand (reused from rule to rule).
    const low: bigint[] = space.point(space.full);
    const high: bigint[] = space.point(space.full, true);
    rules.forEach((ri, k) => {
      const box = ri.box;
      // A chain in which every rule overlaps every other (thousands of `! -s ADDR` rules) would cost the square of
      // its length: past the chain's work limit its remaining rules are not called dead.
      if (space.isEmpty(box) || small.scanned > limits.chainWork) return;
      const earlierBig = big.length && big[0].at < k ? big.filter((b) => b.at < k) : NO_BIG;
      // Cheap refutation first: if no earlier decision holds the rule's lowest (or highest) corner, the rule is not
      // dead. A final catch-all rule is settled here, before the decisions that overlap it are gathered.
      const holds = (p: bigint[]) => small.holds(p, firstSeq[k]) || (earlierBig.length > 0 && earlierBig.some((b) => b.index.holds(p)));
      if (!holds(space.point(box, false, low)) || !holds(space.point(box, true, high))) return;
      const cands = small.queryAtMost(box, firstSeq[k], limits.candidates);
      if (!cands) return;
      if (earlierBig.length) {
        // Keep the order of the rules: a decision's rank is its rule's position.
        const rank = new Map<Decision, number>();
        position ??= new Map(rules.map((ri, k) => [ri, k]));
        for (const d of cands) rank.set(d, position.get(d.via ?? d.by) ?? -1);
        for (const b of earlierBig) for (const d of b.index.query(box)) {
          rank.set(d, b.at);
          cands.push(d);
        }
        cands.sort((x, y) => rank.get(x)! - rank.get(y)!);
      }
      if (!cands.length || cands.length > limits.candidates) return;
      const whole = cands.find((d) => space.subsetOf(box, d.box));
      const covered = whole ? true : space.covered(box, cands.map((d) => d.box), limits.cover);
      if (covered) dead.push({ ri, by: whole ? [whole] : cands });
    });
    if (kept) kept.dead = dead.slice(first);
  }
  return dead;
}

function verdictOf(ri: RuleInfo): string | undefined {
  const f = ri.flow;
  if (f.kind === 'verdict') return f.verdict;
  if (f.kind === 'return') return 'RETURN';
  return undefined;
}

function describeRule(d: Decision): string {
  const line = d.by.rule.range.start.line + 1;
  return d.via ? `line ${line} (reached through the jump on line ${d.via.rule.range.start.line + 1}) ${d.verdict === 'RETURN' ? 'returns' : `decides ${d.verdict}`}` : `line ${line} ${d.verdict === 'RETURN' ? 'returns' : d.verdict.startsWith('goto') ? d.verdict.replace('goto', 'goes to') : `decides ${d.verdict}`}`;
}

/** At most `n` different descriptions of the first decisions (a rule covered by thousands is described by three). */
function firstDescriptions(by: Decision[], n: number): string[] {
  const out = new Set<string>();
  for (const d of by) {
    if (out.size >= n) break;
    out.add(describeRule(d));
  }
  return [...out];
}

function related(by: Decision[]): { range: Range; message: string }[] {
  const out: { range: Range; message: string }[] = [];
  const seen = new Set<string>();
  for (const d of by) {
    if (out.length >= 8) break;
    for (const ri of d.via ? [d.via, d.by] : [d.by]) {
      const key = `${ri.rule.startLine}`;
      if (seen.has(key) || out.length >= 8) continue;
      seen.add(key);
      out.push({ range: ri.rule.range, message: ri === d.via ? `jumps to ${ri.rule.target?.name}, which decides these packets` : `takes these packets first (${d.verdict})` });
    }
  }
  return out;
}

export function reportDeadRules(model: AnalysisModel, ctx: CheckContext): Set<RuleInfo> {
  const deadRules = findDeadRules(model, ctx);
  const reported = new Set<RuleInfo>();
  for (const { ri, by } of deadRules) {
    reported.add(ri);
    const mine = verdictOf(ri);
    const verdicts = new Set(by.map((d) => d.verdict));
    const lines = firstDescriptions(by, 3).join('; ');
    const more = by.length > 3 ? ` (and ${by.length - 3} more)` : '';
    // The lines responsible (the first of them, when the union of many earlier rules is).
    const data = { lines: by.slice(0, MAX_LINES).map((d) => (d.via ?? d.by).rule.range.start.line) };
    if (mine && verdicts.size === 1 && verdicts.has(mine)) {
      ctx.sink.add('redundant-rule', 'info', ri.rule.range, `Redundant: earlier rules already ${mine === 'RETURN' ? 'return' : `give ${mine} to`} every packet this rule matches (${lines}${more}). Removing it changes nothing.`, data).related = related(by);
    } else if (mine === 'ACCEPT' && [...verdicts].every((v) => DENY.has(v))) {
      ctx.sink.add('reject-before-accept', 'warning', ri.rule.range, `This ACCEPT never fires: ${[...verdicts].join('/')} on an earlier line takes all its packets first (${lines}${more}). Move it above them.`, { ...data, moveAbove: Math.min(...by.map((d) => (d.via ?? d.by).rule.range.start.line)) }).related = related(by);
    } else {
      ctx.sink.add('shadowed-rule', 'warning', ri.rule.range, `This rule never fires: earlier rules take every packet it could match (${lines}${more})${mine ? `, with ${[...verdicts].join('/')} instead of ${mine}` : ''}.`, data).related = related(by);
    }
  }
  return reported;
}

export function fullBox(model: AnalysisModel, ri: RuleInfo): boolean {
  const space = model.space(ri.chain);
  return ri.exact && space.subsetOf(space.full, ri.box);
}
