/**
 * A script's commands run one at a time, and the kernel checks each rule when the command that adds it runs, with the
 * jumps the chains hold at that moment: a MASQUERADE added to a user chain before PREROUTING jumps to it is taken, and
 * the jump that later makes it reachable from PREROUTING is the command refused. The timeline replays the script's
 * commands in the order they run to say which jumps and rules the kernel holds when a command runs (see reach.ts for
 * how the checks read it). It claims a jump or rule is there only when it surely is (its command surely ran, and
 * nothing refused it), so that a refusal it finds is one the kernel makes; a rule that stops iptables-legacy's walk
 * counts when it may be there, for the same reason.
 */
import { Family } from '../kb/addresses';
import { Command, commandsInRunOrder, holdsFinding, runArms } from '../model';
import { DiagnosticSink } from '../parse/diagnostics';
import { ChainState } from '../state';
import { Diagnostic } from '../types';
import { CODE_INFO } from './codes';
import { CheckContext, ruleFamily } from './context';
import { refusedBy } from './legacy';
import { endsWalk } from './legacyWalk';
import { Reach } from './reach';

/**
 * Whether the kernel checks the file's rules command by command: a script that loads no restore file of its own
 * (a here-document's rules are checked together, as a rules file's are).
 */
export function timedScript(ctx: CheckContext): boolean {
  return ctx.rs.format === 'script' && !ctx.rs.tables.some((t) => t.restore);
}

/** Whether a rule's checks depend on what reaches its chain: a target, match or option the kernel allows only at some hooks. */
export function hasHookRestriction(rule: Command): boolean {
  if (rule.target?.spec?.chains) return true;
  for (const m of rule.matches) if (m.spec?.chains || m.spec?.name === 'policy' || m.spec?.name === 'physdev') return true;
  for (const o of rule.options) if (o.spec.chains) return true;
  return false;
}

/** How many rules all the walks of one analysis may read (a few hundred milliseconds at most). */
const WALK_BUDGET = 2_000_000;

/** The commands that add a rule. */
const ADDS = new Set<string | undefined>(['-A', '-I', '-R']);

/**
 * Whether a finding says iptables, or one of its backends, refuses (or may refuse) the command: an error, or a
 * warning of a check whose findings are errors (a script's refusals that depend on what it cannot see are warnings).
 */
function refuses(d: Diagnostic): boolean {
  const by = refusedBy(d);
  if (by === 'none') return false;
  return d.severity === 'error' || (d.severity === 'warning' && (by !== undefined || CODE_INFO.get(d.code)?.severity === 'error'));
}

/** The chains a script's commands find as they run. */
export class ScriptTimeline {
  private readonly time = new Map<Command, number>();
  private readonly chainOf = new Map<Command, ChainState>();
  private readonly taken = new Map<Command, boolean>();
  private restricted?: Set<ChainState>;
  private circled?: Set<ChainState>;
  private readonly order: readonly Command[];
  /** The commands of `order` before this one have been replayed. */
  private done = 0;
  private parseRefused?: Set<Command>;

  /** Per family and table: when the first rule the script adds and later removes is added (see reliableAt). */
  private readonly firstGone = new Map<string, number>();
  /** Per family and table: when a command is first refused by one backend only (see reliableAt). */
  private readonly split = new Map<string, number>();
  /** The rules the script adds and later removes that stop iptables-legacy's walk of their chain. */
  private readonly goneStops: Command[] = [];

  /** `check` runs every check of a rule (against the chains as they are when it is added) into the sink it is given. */
  constructor(readonly ctx: CheckContext, private readonly check: (ctx: CheckContext, rule: Command, cs: ChainState) => void) {
    this.order = commandsInRunOrder(ctx.rs);
    this.order.forEach((c, k) => this.time.set(c, k));
    for (const cs of ctx.state.all()) for (const r of cs.rules) this.chainOf.set(r, cs);
    this.order.forEach((c, k) => {
      // (A command of an arm of an if or case the analysis does not follow runs in another run of the script.)
      if (!ADDS.has(c.spec?.short) || c.broken || this.chainOf.has(c) || ctx.rs.otherArms?.has(c)) return;
      const key = `${ruleFamily(ctx, c)}:${c.table}`;
      if (!this.firstGone.has(key)) this.firstGone.set(key, k);
      if (endsWalk(c)) this.goneStops.push(c);
    });
  }

  /** Whether a rule that stops iptables-legacy's walk of `cs` may stand in it at `time` among those the script removes later. */
  mayStopGone(cs: ChainState, time: number): boolean {
    return this.goneStops.some((g) => this.when(g) < time && g.table === cs.table && g.chainName === cs.name && ruleFamily(this.ctx, g) === cs.family);
  }

  /**
   * Whether what the chains hold at `time` is known: the timeline knows only the rules the script leaves, so once a
   * rule that a later command removes has been added (a jump that leads somewhere for a while, a rule that stops
   * iptables-legacy's walk, a rule the kernel refused then), what the kernel took after it is not known; nor once
   * one backend has refused a command the other took (the two then hold different chains).
   */
  reliableAt(time: number, family: Family, table: string): boolean {
    this.replayBefore(time);
    const key = `${family}:${table}`;
    return time <= Math.min(this.firstGone.get(key) ?? Infinity, this.split.get(key) ?? Infinity);
  }

  /** How many rules the walks of the chains as commands find them may still read in all (see afford). */
  private budget = WALK_BUDGET;

  /**
   * Whether `rules` more rules may be read: each command judged this way reads the chains it leads to, and the way
   * to it from the built-in chains, so a script of many jumps into long chains would cost the square of its length.
   * Past the budget, commands are judged no longer (as where what the chains hold is not known).
   */
  afford(rules: number): boolean {
    if (this.budget < rules) return false;
    this.budget -= rules;
    return true;
  }

  /** When a command runs (its place in the order the script runs its commands). */
  when(c: Command): number {
    return this.time.get(c) ?? -1;
  }

  /** Whether the rule is among the chains the script leaves (the timeline knows no other rules). */
  holds(rule: Command): boolean {
    return this.chainOf.has(rule);
  }

  /** The chains as `rule`'s command finds them (with `rule` itself when it is a jump being checked: `withSelf`). */
  reachAt(rule: Command, withSelf = false): ReachAt {
    return new ReachAt(this, rule, withSelf);
  }

  /** Whether nothing refused the rule when its command ran. */
  accepted(rule: Command): boolean {
    const known = this.taken.get(rule);
    if (known !== undefined) return known;
    if (!this.dependsOnTime(rule)) {
      const ok = this.acceptedNow(rule);
      this.taken.set(rule, ok);
      return ok;
    }
    this.replayBefore(this.when(rule) + 1);
    return this.taken.get(rule) ?? false;
  }

  /**
   * Rules whose checks read the chains are replayed in the order they run, so that each is checked against the
   * chains as the earlier ones left them (and no check waits on a later one).
   */
  private replayBefore(time: number): void {
    while (this.done < time && this.done < this.order.length) {
      const c = this.order[this.done++];
      if (this.dependsOnTime(c) && !this.taken.has(c)) this.taken.set(c, this.acceptedNow(c));
    }
  }

  /**
   * Whether the rule is surely in its chain when `judged`'s command runs: its command ran before, nothing refused it,
   * and it runs whenever `judged` runs (not after && or in a loop of its own; in an if or case arm only if `judged`
   * stands in that arm too).
   */
  present(rule: Command, judged: Command): boolean {
    return this.when(rule) < this.when(judged) && this.runsWith(rule, judged) && this.accepted(rule);
  }

  private runsWith(rule: Command, judged: Command): boolean {
    const rs = this.ctx.rs;
    if (rs.unsureHere?.has(rule)) return false;
    if (!rs.unsure?.has(rule)) return true;
    const a = runArms(rs, rule) ?? [];
    const b = runArms(rs, judged) ?? [];
    return a.length <= b.length && a.every((x, k) => x.statement === b[k].statement && x.arm === b[k].arm);
  }

  /** Whether a rule may be in its chain at `time` (for what stops iptables-legacy's walk). */
  maybe(rule: Command, time: number): boolean {
    return this.when(rule) < time && !rule.broken;
  }

  /** The user chain a rule surely in place when `judged` runs (or `judged` itself, `withSelf`) jumps or goes to. */
  jumpAt(rule: Command, judged: Command, withSelf: boolean): ChainState | undefined {
    const to = this.ctx.graph.entered(rule);
    if (!to || to.builtin) return undefined;
    return (withSelf && rule === judged) || this.present(rule, judged) ? to : undefined;
  }

  /** Whether a chain, or one it leads to (as the file leaves them), holds a rule the kernel allows only at some hooks. */
  reachesRestricted(cs: ChainState): boolean {
    return (this.restricted ??= this.upstream((c) => c.rules.some(hasHookRestriction))).has(cs);
  }

  /** Whether a chain, or one it leads to (as the file leaves them), lies on a circle of jumps. */
  reachesCircle(cs: ChainState): boolean {
    return (this.circled ??= this.upstream((c) => this.ctx.graph.shareCycle(c, c))).has(cs);
  }

  /** The chains that pass `test`, and every chain that leads to one of them (once per analysis, along the callers). */
  private upstream(test: (c: ChainState) => boolean): Set<ChainState> {
    const out = new Set<ChainState>();
    const todo: ChainState[] = [];
    for (const c of this.ctx.state.all()) if (test(c)) {
      out.add(c);
      todo.push(c);
    }
    while (todo.length) {
      for (const from of this.ctx.graph.callers(todo.pop()!)) {
        if (out.has(from)) continue;
        out.add(from);
        todo.push(from);
      }
    }
    return out;
  }

  /** The rules surely in the chains `from` reaches when `jump` runs (through the jumps then in place, and it), with their chains. */
  rulesReached(from: ChainState, jump: Command): Array<[Command, ChainState]> {
    const out: Array<[Command, ChainState]> = [];
    const seen = new Set<ChainState>([from]);
    const todo = [from];
    while (todo.length) {
      const cs = todo.pop()!;
      for (const r of cs.rules) {
        // Past the budget, the rules found so far (each surely reached).
        if (!this.afford(1)) return out;
        if (r === jump || !this.present(r, jump)) continue;
        out.push([r, cs]);
        const to = this.jumpAt(r, jump, true);
        if (to && !seen.has(to)) {
          seen.add(to);
          todo.push(to);
        }
      }
    }
    return out;
  }

  /** A rule's checks do not depend on what reaches its chain when it is neither a jump into a user chain nor restricted to some hooks. */
  private dependsOnTime(rule: Command): boolean {
    return this.chainOf.has(rule) && (this.ctx.graph.entered(rule) !== undefined || hasHookRestriction(rule));
  }

  private acceptedNow(rule: Command): boolean {
    const cs = this.chainOf.get(rule);
    if (!cs || rule.broken || this.refusedByParse().has(rule)) return false;
    const sink = new DiagnosticSink();
    this.check({ ...this.ctx, sink, memo: undefined }, rule, cs);
    const refusals = sink.items.filter((d) => refuses(d) && holdsFinding(rule, d));
    // Refused by one backend only: from here on the two hold different chains, and neither is known.
    const key = `${cs.family}:${cs.table}`;
    if (refusals.length && refusals.every((d) => refusedBy(d)) && !this.split.has(key)) this.split.set(key, this.when(rule));
    return refusals.length === 0;
  }

  /** The commands that iptables refuses for how their words read. */
  private refusedByParse(): Set<Command> {
    if (this.parseRefused) return this.parseRefused;
    const lines = new Map<number, Diagnostic[]>();
    for (const d of this.ctx.rs.diagnostics) if (refuses(d)) (lines.get(d.range.start.line) ?? lines.set(d.range.start.line, []).get(d.range.start.line)!).push(d);
    const out = new Set<Command>();
    for (const c of this.chainOf.keys()) {
      for (let l = c.startLine; l <= c.endLine; l++) if (lines.get(l)?.some((d) => holdsFinding(c, d))) out.add(c);
    }
    return (this.parseRefused = out);
  }
}

/** The chains of a rule's table as the rule's command finds them. */
export class ReachAt implements Reach {
  private readonly time: number;
  /** Per chain: per hook, the chain before it on a shortest path. */
  private readonly from = new Map<ChainState, Map<string, ChainState | undefined>>();
  /** Per chain: the hooks whose iptables-legacy walk enters it. */
  private readonly walked = new Map<ChainState, Set<string>>();

  /** Whether the jumps in place when the command runs are known (see ScriptTimeline.reliableAt). */
  readonly known: boolean;
  private built = false;

  constructor(private readonly tl: ScriptTimeline, private readonly rule: Command, private readonly withSelf: boolean) {
    this.time = tl.when(rule);
    this.known = tl.reliableAt(this.time, ruleFamily(tl.ctx, rule), rule.table);
  }

  /**
   * Which chains the built-in chains reach, worked out when first asked (a jump's circle is looked for from the
   * chain it enters, without it). Where the jumps in place are not known, or the walks have read their budget, each
   * built-in chain reaches only itself: no finding is made about a user chain or a jump.
   */
  private build(): void {
    if (this.built) return;
    this.built = true;
    const chains = this.tl.ctx.state.inTable(ruleFamily(this.tl.ctx, this.rule), this.rule.table);
    const full = this.known && this.tl.afford(chains.reduce((n, cs) => n + cs.rules.length, 0));
    for (const root of chains) {
      if (!root.builtin) continue;
      if (!full) {
        this.hop(root, root.name, undefined);
        this.mark(root, root.name);
        continue;
      }
      this.spread(root);
      this.walk(root);
    }
  }

  /** Breadth first from a built-in chain along the jumps in place (each path a shortest one). */
  private spread(root: ChainState): void {
    this.hop(root, root.name, undefined);
    const queue = [root];
    for (let k = 0; k < queue.length; k++) {
      for (const r of queue[k].rules) {
        const to = this.tl.jumpAt(r, this.rule, this.withSelf);
        if (to && this.hop(to, root.name, queue[k])) queue.push(to);
      }
    }
  }

  private hop(cs: ChainState, hook: string, prev: ChainState | undefined): boolean {
    let m = this.from.get(cs);
    if (!m) this.from.set(cs, (m = new Map()));
    if (m.has(hook)) return false;
    m.set(hook, prev);
    return true;
  }

  /** iptables-legacy's walk from a built-in chain: into the jumps in place, no further in a chain than a rule that may decide every packet. */
  private walk(root: ChainState): void {
    const todo = [root];
    this.mark(root, root.name);
    while (todo.length) {
      for (const r of todo.pop()!.rules) {
        const to = this.tl.jumpAt(r, this.rule, this.withSelf);
        if (to && this.mark(to, root.name)) todo.push(to);
        if (this.stops(r)) break;
      }
    }
  }

  private mark(cs: ChainState, hook: string): boolean {
    let s = this.walked.get(cs);
    if (!s) this.walked.set(cs, (s = new Set()));
    if (s.has(hook)) return false;
    s.add(hook);
    return true;
  }

  hooks(cs: ChainState): readonly string[] {
    this.build();
    return [...(this.from.get(cs)?.keys() ?? [])];
  }

  path(cs: ChainState, hook: string): string[] {
    this.build();
    const names: string[] = [];
    for (let c: ChainState | undefined = cs; c; c = this.from.get(c)?.get(hook)) names.push(c.name);
    return names.reverse();
  }

  /**
   * A circle of jumps in place that chain `from` leads into (iptables-legacy's walk: along the jumps it follows), as
   * the chains that make it, from the one it is entered at; undefined when there is none. Depth first, without
   * recursion: a jump to a chain still on the path closes a circle.
   */
  circleFrom(from: ChainState, walkedOnly: boolean): ChainState[] | undefined {
    const path: Array<{ cs: ChainState; k: number }> = [{ cs: from, k: 0 }];
    const onPath = new Set<ChainState>([from]);
    const done = new Set<ChainState>();
    while (path.length) {
      // Past the budget, no circle is claimed.
      if (!this.tl.afford(1)) return undefined;
      const top = path[path.length - 1];
      const r = top.cs.rules[top.k++];
      if (!r || (walkedOnly && top.k > 1 && this.stops(top.cs.rules[top.k - 2]))) {
        onPath.delete(top.cs);
        done.add(top.cs);
        path.pop();
        continue;
      }
      const next = this.tl.jumpAt(r, this.rule, this.withSelf);
      if (!next || done.has(next)) continue;
      if (onPath.has(next)) return path.slice(path.findIndex((f) => f.cs === next)).map((f) => f.cs);
      onPath.add(next);
      path.push({ cs: next, k: 0 });
    }
    return undefined;
  }

  /** A rule that may be in place and decides every packet: iptables-legacy's walk goes no further in its chain. */
  private stops(rule: Command): boolean {
    return this.tl.maybe(rule, this.time) && endsWalk(rule);
  }

  legacyWalks(cs: ChainState, rule: Command, hook: string): boolean {
    this.build();
    if (!this.walked.get(cs)?.has(hook) || this.tl.mayStopGone(cs, this.time)) return false;
    for (const r of cs.rules) {
      if (r === rule) return true;
      if (this.stops(r)) return false;
    }
    return true;
  }
}
