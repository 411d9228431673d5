/**
 * Rules that never fire: earlier rules of the chain (or the chains they jump to) take every packet the rule could
 * match. Each claim rests on exact boxes only; a rule with conditions the model cannot decide is never called dead
 * because of them, and never used as proof that a later rule is dead.
 */
import { Range } from '../types';
import { ArmRef, Command, lineName, Ruleset, runArms, runLine, valueOf } from '../model';
import { valuesMeeting } from './ruleMatch';
import { CheckContext } from '../checks/context';
import { AnalysisModel, Decision, DENY, RuleInfo } from './model';
import { Box, SeenBoxes, Space } from './space';
import { ChainState } from '../state';
import { BoxIndex } from './boxIndex';
import { interleaveKey } from '../parse/scriptLoops';

export interface DeadRule {
  ri: RuleInfo;
  /** The earlier decisions that take its packets first (see takingFirst): their verdicts are what they get. */
  by: Decision[];
}

const NO_DECISIONS: Decision[] = [];
/** How many of the lines responsible a finding carries in its data. */
const MAX_LINES = 100;

/** A rule that jumps into a user chain: what it decides comes from the chain it calls. */
function callsChain(ri: RuleInfo, space: Space): boolean {
  return ri.flow.kind === 'jump' && ri.flow.chain !== undefined && !ri.flow.chain.builtin && ri.exact && !space.isEmpty(ri.box);
}

/** The decisions of one chain's rules, indexed so that each rule finds those of the rules before it. */
class ChainDecisions {
  private readonly space: Space;
  private readonly small: BoxIndex<Decision>;
  /**
   * A jump into a user chain brings the decisions of the chain it calls, all inside the jump's own box. They are
   * worked out, and get an index of their own, only when a later rule may need them: a corner of the rule, or its
   * box, lies in the jump's box. A chain that sends each interface or network to a chain of its own never asks.
   */
  private readonly jumps: BoxIndex<number>;
  private readonly opened = new Map<number, BoxIndex<Decision> | undefined>();
  /** Per rule, how many entries of each index come before it. */
  private readonly firstSeq: Int32Array;
  private readonly firstJump: Int32Array;
  private position?: Map<RuleInfo, number>;

  constructor(private readonly model: AnalysisModel, cs: ChainState, private readonly rules: RuleInfo[]) {
    const space = (this.space = model.space(cs));
    // Indexed by the dimension that best tells the rules' own boxes apart (their decisions lie inside them).
    const dim = BoxIndex.bestDim(rules, (ri) => ri.box);
    this.small = new BoxIndex<Decision>(space, (d) => d.box, dim);
    this.jumps = new BoxIndex<number>(space, (j) => rules[j].box, dim);
    // Every other rule's leaving decisions go into one index, a box equal to an earlier decision's only once (that
    // one decides it first).
    const seen = new SeenBoxes();
    const firstSeq = (this.firstSeq = new Int32Array(rules.length));
    const firstJump = (this.firstJump = new Int32Array(rules.length));
    for (let k = 0; k < rules.length; k++) {
      const ri = rules[k];
      firstSeq[k] = this.small.size;
      firstJump[k] = this.jumps.size;
      if (callsChain(ri, space)) this.jumps.add(k);
      else {
        // Any other rule's leaving decision is its own (a jump that is not followed brings none).
        // (Most rules make one decision: no list is made for it.)
        const d = model.ownDecision(ri);
        if (d) {
          if (seen.add(d.box)) this.small.add(d);
        } else if (ri.parts) for (const p of model.ownDecisions(ri)) if (seen.add(p.box)) this.small.add(p);
      }
    }
  }

  /** How many index entries the searches have looked at. */
  get scanned(): number {
    return this.small.scanned + this.jumps.scanned;
  }

  /** Whether a decision of a rule before the k-th holds the packet p. */
  holds(p: bigint[], k: number): boolean {
    if (this.small.holds(p, this.firstSeq[k])) return true;
    if (this.firstJump[k] === 0) return false;
    for (const j of this.jumps.holding(p, this.firstJump[k])) if (this.open(j)?.holds(p)) return true;
    return false;
  }

  /**
   * The decisions of the rules before the k-th that overlap `box`, in the order of their rules; undefined when
   * there are more than `limit`.
   */
  overlapping(k: number, box: Box, limit: number): Decision[] | undefined {
    const cands = this.small.queryAtMost(box, this.firstSeq[k], limit);
    if (!cands || this.firstJump[k] === 0) return cands;
    const called = this.jumps.queryAtMost(box, this.firstJump[k], limit);
    if (!called) return undefined;
    if (!called.length) return cands;
    // Keep the order of the rules: a decision's rank is its rule's position (for a called chain's: the jump's).
    const rank = new Map<Decision, number>();
    const position = (this.position ??= new Map(this.rules.map((ri, k) => [ri, k])));
    for (const d of cands) rank.set(d, position.get(d.by) ?? -1);
    for (const j of called) {
      for (const d of this.open(j)?.query(box) ?? NO_DECISIONS) {
        rank.set(d, j);
        cands.push(d);
      }
    }
    return cands.sort((x, y) => rank.get(x)! - rank.get(y)!);
  }

  /** The index of the decisions the j-th rule's jump brings (undefined when it brings none). */
  private open(j: number): BoxIndex<Decision> | undefined {
    if (this.opened.has(j)) return this.opened.get(j);
    const { model, space } = this;
    const ri = this.rules[j];
    const ls = model.leaves(ri);
    const build = () => {
      const own = BoxIndex.best<Decision>(space, (d) => d.box, ls);
      for (const d of ls) own.add(d);
      return own;
    };
    const sig = model.memo && ls.length ? model.signature((ri.flow as { chain: ChainState }).chain) : undefined;
    const index = !ls.length ? undefined : sig !== undefined ? model.memo!.forRule(ri.rule, 'leaf-index', sig, build) : build();
    this.opened.set(j, index);
    return index;
  }
}

/** Every rule of every chain that earlier rules make dead, with the decisions responsible. */
export function findDeadRules(model: AnalysisModel, ctx: CheckContext): DeadRule[] {
  const dead: DeadRule[] = [];
  for (const cs of ctx.state.all()) {
    // An unchanged chain (same rules, same called chains) has the same dead rules as last time.
    const kept = model.kept(cs);
    if (kept?.dead) {
      for (const d of kept.dead) dead.push(d);
      continue;
    }
    const first = dead.length;
    findDeadInChain(model, cs, dead);
    if (kept) kept.dead = dead.slice(first);
  }
  return dead;
}

function findDeadInChain(model: AnalysisModel, cs: ChainState, dead: DeadRule[]): void {
  const limits = model.limits;
  const space = model.space(cs);
  const rules = model.rules(cs);
  const decisions = new ChainDecisions(model, cs, rules);
  // The corners of the rule at hand (reused from rule to rule).
  const low: bigint[] = space.point(space.full);
  const high: bigint[] = space.point(space.full, true);
  for (let k = 0; k < rules.length; k++) {
    const ri = rules[k];
    const box = ri.box;
    // A chain in which every rule overlaps every other (thousands of `! -s ADDR` rules) would cost the square of
    // its length: past the chain's work limit its remaining rules are not called dead.
    if (space.isEmpty(box) || decisions.scanned > limits.chainWork) continue;
    // Cheap refutation first: if no earlier decision holds the rule's lowest (or highest) corner, the rule is not
    // dead. A final catch-all rule is settled here, before the decisions that overlap it are gathered.
    if (!decisions.holds(space.point(box, false, low), k) || !decisions.holds(space.point(box, true, high), k)) continue;
    const cands = withoutLoopMates(model.rs, ri, decisions.overlapping(k, box, limits.candidates));
    if (!cands || !cands.length || cands.length > limits.candidates) continue;
    const whole = holdingAll(space, box, cands);
    const covered = whole ? true : space.covered(box, cands.map(boxOfDecision), limits.cover);
    if (covered) dead.push({ ri, by: whole ? [whole] : takingFirst(space, box, cands, limits.cover) });
  }
}

/** The most decisions that takingFirst looks at one by one (each is a covering test of its own). */
const SORT_UP_TO = 24;

/**
 * Of the earlier decisions that overlap `box` (which together take all of it), in the chain's order, those that
 * take some of its packets first: a decision whose share of the box the ones before it already take never sees
 * those packets. The finding names these, and their verdicts are what the rule's packets get. (`-p tcp -j ACCEPT`
 * above `-p tcp --dport 22 -j DROP` above a dead `-p tcp --dport 22` rule: only the ACCEPT takes its packets.) A
 * test whose budget runs out keeps the decision; past SORT_UP_TO decisions, all of them are kept.
 */
function takingFirst(space: Space, box: Box, cands: Decision[], budget: number): Decision[] {
  if (cands.length < 2 || cands.length > SORT_UP_TO) return cands;
  const taking: Decision[] = [];
  const before: Box[] = [];
  for (const d of cands) {
    const share = space.intersect(box, d.box);
    if (!share || (before.length && space.covered(share, before, budget) === true)) continue;
    taking.push(d);
    before.push(d.box);
  }
  return taking;
}

/**
 * The decisions, but those of the other rules of the same loop as `ri` where the loop's rules interleave in its chain
 * (see scriptLoops, takenTogether): one may in truth come after the other, and is no proof that `ri` never fires.
 */
function withoutLoopMates(rs: Ruleset, ri: RuleInfo, cands: Decision[] | undefined): Decision[] | undefined {
  const loop = rs.loops?.get(ri.rule)?.loop;
  if (!cands || !loop?.interleaved?.has(interleaveKey(ri.chain.family, ri.chain.table, ri.chain.name))) return cands;
  return cands.filter((d) => rs.loops!.get(d.by.rule)?.loop !== loop);
}

/**
 * The first decision whose box holds all of `box`. (A function of its own, as are the others that the loops of the
 * search call: a closure in a loop that names a variable of the loop makes V8 allocate that variable's scope at
 * every step, whether the closure runs or not.)
 */
function holdingAll(space: Space, box: Box, cands: Decision[]): Decision | undefined {
  for (const d of cands) if (space.subsetOf(box, d.box)) return d;
  return undefined;
}

const boxOfDecision = (d: Decision): Box => d.box;

function verdictOf(ri: RuleInfo): string | undefined {
  const f = ri.flow;
  if (f.kind === 'verdict') return f.verdict;
  if (f.kind === 'return') return 'RETURN';
  return undefined;
}

function describeRule(name: (rule: Command) => string, d: Decision): string {
  const line = name(d.by.rule);
  return d.via ? `${line} (reached through the jump on ${name(d.via.rule)}) ${d.verdict === 'RETURN' ? 'returns' : `decides ${d.verdict}`}` : `${line} ${d.verdict === 'RETURN' ? 'returns' : d.verdict.startsWith('goto') ? d.verdict.replace('goto', 'goes to') : `decides ${d.verdict}`}`;
}

/** At most `n` different descriptions of the first decisions (a rule covered by thousands is described by three). */
function firstDescriptions(name: (rule: Command) => string, by: Decision[], n: number): string[] {
  const out = new Set<string>();
  for (const d of by) {
    if (out.size >= n) break;
    out.add(describeRule(name, d));
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

/**
 * In a script, a rule is called dead only where the rules that take its packets run whenever it does: outside if and
 * case arms (and functions), or in arms the rule itself stands in (the analysis follows one arm of each statement,
 * and the arms it follows in two statements may never run together); and still stand when it is added.
 */
function provenWhenRun(rs: Ruleset, d: DeadRule): boolean {
  if (!noFlushBetween(rs, d)) return false;
  if (!rs.armsOf) return true;
  const mine = runArms(rs, d.ri.rule) ?? NO_ARMS;
  return d.by.every((dec) => armsWithin(runArms(rs, dec.by.rule), mine) && (!dec.via || armsWithin(runArms(rs, dec.via.rule), mine)));
}

const NO_ARMS: readonly ArmRef[] = [];

/**
 * False when a script loads a rules file (one the analysis cannot read, without --noflush) between a rule that takes
 * the dead rule's packets and the dead rule: the load replaces the tables, and that rule with them.
 */
function noFlushBetween(rs: Ruleset, d: DeadRule): boolean {
  const family = d.ri.chain.family;
  const loads = rs.loads?.filter((l) => l.family === family && !l.noflush);
  if (!loads?.length) return true;
  const at = runLine(rs, d.ri.rule);
  return d.by.every((dec) => !loads.some((l) => runLine(rs, (dec.via ?? dec.by).rule) < l.line && l.line < at));
}

/** Why moving a dead ACCEPT's line above the rules that take its packets would not put it ahead of them. */
function notMovable(rule: Command, deciders: readonly Command[]): string {
  if (rule.spec.short === '-I') return 'its -I puts it behind them';
  if (rule.spec.short === '-R') return 'its -R puts it where the rule it replaces stood';
  if (deciders.some((r) => r.spec.short === '-I')) return '-I puts a rule first';
  if (deciders.some((r) => r.startLine === rule.startLine)) return 'one command of a loop or function makes both: put the value or call that makes this one first';
  return deciders.some((r) => r.startLine > rule.startLine) ? 'a function runs where it is called' : 'a rule replaced in place stays there';
}

function armsWithin(theirs: readonly ArmRef[] | undefined, mine: readonly ArmRef[]): boolean {
  return !theirs || theirs.every((r) => mine.some((m) => m.statement === r.statement && m.arm === r.arm));
}

export function reportDeadRules(model: AnalysisModel, ctx: CheckContext): Set<RuleInfo> {
  const deadRules = findDeadRules(model, ctx).filter((d) => provenWhenRun(ctx.rs, d));
  const reported = new Set<RuleInfo>();
  for (const { ri, by } of deadRules) {
    reported.add(ri);
    const mine = verdictOf(ri);
    const verdicts = new Set(by.map((d) => d.verdict));
    // A rule a loop adds once per value (a function called once per port) is named by the values that take these packets.
    const space = model.space(ri.chain);
    const name = (rule: Command) => lineName(ctx.rs, rule, valuesMeeting(ctx.rs, rule, ri.box, space));
    const lines = firstDescriptions(name, by, 3).join('; ');
    const more = by.length > 3 ? ` (and ${by.length - 3} more)` : '';
    // The lines responsible (the first of them, when the union of many earlier rules is).
    const data = { lines: by.slice(0, MAX_LINES).map((d) => (d.via ?? d.by).rule.range.start.line) };
    // A loop's command of its own for one value: which value's rule this is.
    const which = valueOf(ctx.rs, ri.rule);
    const tag = which ? ` (${which.trim()})` : '';
    if (mine && verdicts.size === 1 && verdicts.has(mine)) {
      ctx.sink.add('redundant-rule', 'info', ri.rule.range, `Redundant${tag}: earlier rules already ${mine === 'RETURN' ? 'return' : `give ${mine} to`} every packet this rule matches (${lines}${more}). Removing it changes nothing.`, data).related = related(by);
    } else if (mine === 'ACCEPT' && [...verdicts].every((v) => DENY.has(v))) {
      const deciders = by.map((d) => (d.via ?? d.by).rule);
      // Moving the line up puts it ahead of them only where each of them is appended (-A) above it.
      const movable = ri.rule.spec.short === '-A' && deciders.every((r) => r.spec.short === '-A' && r.startLine < ri.rule.startLine);
      const how = movable
        ? `on an earlier line takes all its packets first (${lines}${more}). Move it above them.`
        : `ahead of it in the chain takes all its packets first (${lines}${more}; ${notMovable(ri.rule, deciders)}): put this rule ahead of them, or change them.`;
      ctx.sink.add('reject-before-accept', 'warning', ri.rule.range, `This ACCEPT${tag} never fires: ${[...verdicts].join('/')} ${how}`, movable ? { ...data, moveAbove: Math.min(...deciders.map((r) => r.range.start.line)) } : data).related = related(by);
    } else {
      ctx.sink.add('shadowed-rule', 'warning', ri.rule.range, `This rule${tag} never fires: earlier rules take every packet it could match (${lines}${more})${mine ? `, with ${[...verdicts].join('/')} instead of ${mine}` : ''}.`, data).related = related(by);
    }
  }
  return reported;
}

export function fullBox(model: AnalysisModel, ri: RuleInfo): boolean {
  const space = model.space(ri.chain);
  return ri.exact && space.subsetOf(space.full, ri.box);
}
