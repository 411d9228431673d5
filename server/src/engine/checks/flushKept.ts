/**
 * What only iptables-nft-restore loads. A restore file's -F without a chain name empties the chains for
 * iptables-legacy-restore alone: iptables-nft-restore (1.8.9) keeps the rules the file added above it (see
 * ChainState.keptByNft), and their jumps still lead where they led. With the rules added after the flush they may
 * make a circle of jumps that a built-in chain reaches, or lead a hook to a rule the kernel does not allow there; it
 * checks the table as iptables-nft-restore holds it at the end of the load, and refuses it. iptables-legacy-restore
 * never holds those jumps.
 */
import { Command, lineName, tableKey } from '../model';
import { ChainState, ruleLines } from '../state';
import { CheckContext, ruleFamily } from './context';
import { nftOnly } from './legacy';
import { HookRefusal, Reach, ReachContext } from './reach';
import { hasHookRestriction, timedScript } from './scriptTimeline';
import { DiagnosticSink } from '../parse/diagnostics';
import { reachedCircle } from '../graph';

/** A jump as iptables-nft-restore holds it, and the user chain it enters. */
interface Jump {
  rule: Command;
  to: ChainState;
}

/** A table in which a flush kept rules for iptables-nft-restore: its chains, their jumps as it holds them, the kept rules. */
interface KeptTable {
  chains: readonly ChainState[];
  next: Map<ChainState, Jump[]>;
  kept: Set<Command>;
}

/** A chain's rules as iptables-nft-restore holds them: the rules the flush kept, then the chain's own. */
function nftRules(cs: ChainState): Command[] {
  return [...(cs.keptByNft ?? []), ...cs.rules];
}

/** The jumps of a chain as iptables-nft-restore holds it. */
function jumpsOf(ctx: CheckContext, cs: ChainState): Jump[] {
  const out: Jump[] = [];
  for (const rule of nftRules(cs)) {
    const t = rule.target;
    if (!t || t.spec || t.dynamic) continue;
    const to = ctx.state.get(ruleFamily(ctx, rule), rule.table, ctx.state.jumpTarget(rule));
    if (to && !to.builtin) out.push({ rule, to });
  }
  return out;
}

/**
 * The refusals of iptables-nft-restore that the kept rules cause, once per table where a flush kept some (none in a
 * script checked command by command): a circle of jumps they take part in, unless `reported` (the tables, by
 * tableKey, whose circles are reported already, as the file leaves them) has the table; and the rules they lead a hook
 * to where it is not allowed (`checkHooks` runs the hook checks of one rule against the reach it is given).
 */
export function checkKept(ctx: CheckContext, reported: ReadonlySet<string>, checkHooks: (ctx: ReachContext, rule: Command, cs: ChainState) => void): void {
  if (timedScript(ctx)) return;
  // Per table (tableKey): one of its chains that holds kept rules.
  const tables = new Map<string, ChainState>();
  for (const cs of ctx.state.all()) if (cs.keptByNft?.length) tables.set(tableKey(cs.family, cs.table), cs);
  for (const [key, one] of tables) {
    const chains = ctx.state.inTable(one.family, one.table);
    const t: KeptTable = { chains, next: new Map(chains.map((c) => [c, jumpsOf(ctx, c)])), kept: new Set(chains.flatMap((c) => c.keptByNft ?? [])) };
    if (!reported.has(key)) checkKeptLoop(ctx, t);
    checkKeptHooks(ctx, t, checkHooks);
  }
}

/** A circle of jumps the kept rules take part in; the finding on the jump of the circle (or of the way to it) the file adds last. */
function checkKeptLoop(ctx: CheckContext, t: KeptTable): void {
  const circle = reachedCircle(t.chains, t.next, (j) => j.to);
  const rules = circle?.jumps.map((j) => j.rule) ?? [];
  const flushed = rules.filter((r) => t.kept.has(r));
  if (!circle || !flushed.length) return;
  const last = rules.reduce((a, b) => (b.startLine > a.startLine ? b : a));
  const names = circle.chains.map((c) => c.name);
  const circleText = `a circle of jumps (${[...names, names[0]].join(' -> ')}) that a built-in chain reaches`;
  const message = `iptables-nft-restore keeps the rules that a flush without a chain name empties for iptables-legacy-restore (${ruleLines(flushed)}), and they still jump where they jumped: ${t.kept.has(last) ? 'they make' : 'with this rule they make'} ${circleText}, and iptables-nft-restore refuses the table. Flush the chains by name (-F CHAIN).`;
  nftOnly(ctx.sink, 'jump-loop', last.target!.token.range, message, { cycle: names, ...flushFix(ctx, t, flushed[0]) });
}

/**
 * The quick fix's data (see flushByNameFix in fixes.ts): the flush without a chain name that kept `rule` (the first
 * after it in its table), written as a flush of each chain that held rules there.
 */
function flushFix(ctx: CheckContext, t: KeptTable, rule: Command): Record<string, unknown> {
  const flush = ctx.rs.commands.find((c) => c.spec?.short === '-F' && c.chainName === undefined && c.table === rule.table && c.startLine > rule.startLine && ruleFamily(ctx, c) === ruleFamily(ctx, rule));
  if (!flush) return {};
  const chains = t.chains.filter((c) => c.keptByNft?.some((r) => r.startLine < flush.startLine)).map((c) => c.name);
  return { fix: 'flush-by-name', chains, flushLine: flush.startLine };
}

/** How iptables-nft-restore's built-in chains reach a chain through the kept rules and no other way: per hook, the path and the kept jump on it. */
type KeptWays = Map<ChainState, Map<string, { path: string[]; jump: Command }>>;

/**
 * The built-in chains that reach each chain only through the rules the flush kept (breadth first from each built-in
 * chain, over the jumps iptables-nft-restore holds), with a shortest path and the first kept jump on it.
 */
function keptWays(ctx: CheckContext, t: KeptTable): KeptWays {
  const ways: KeptWays = new Map();
  for (const root of t.chains) {
    if (!root.builtin) continue;
    const from = new Map<ChainState, { prev: ChainState; jump: Command }>();
    const queue = [root];
    for (let k = 0; k < queue.length; k++) {
      for (const { rule, to } of t.next.get(queue[k]) ?? []) {
        if (to === root || from.has(to)) continue;
        from.set(to, { prev: queue[k], jump: rule });
        queue.push(to);
      }
    }
    for (const [cs] of from) {
      if (ctx.graph.hooks(cs).includes(root.name)) continue;
      const path = [cs.name];
      let jump: Command | undefined;
      for (let at = from.get(cs); at; at = from.get(at.prev)) {
        path.unshift(at.prev.name);
        if (t.kept.has(at.jump)) jump = at.jump;
      }
      (ways.get(cs) ?? ways.set(cs, new Map()).get(cs)!).set(root.name, { path, jump: jump! });
    }
  }
  return ways;
}

/** The rules (kept or added after the flush) that the kept jumps lead a hook to where the kernel does not allow them. */
function checkKeptHooks(ctx: CheckContext, t: KeptTable, checkHooks: (ctx: ReachContext, rule: Command, cs: ChainState) => void): void {
  for (const [cs, hooks] of keptWays(ctx, t)) {
    const reach: Reach = {
      hooks: () => [...hooks.keys()],
      path: (_cs, hook) => hooks.get(hook)!.path,
      legacyWalks: () => false,
      wider: true,
    };
    for (const rule of nftRules(cs)) {
      if (!hasHookRestriction(rule)) continue;
      const refusals: HookRefusal[] = [];
      checkHooks({ ...ctx, sink: new DiagnosticSink(), memo: undefined, reach, refusals }, rule, cs);
      const found = refusals.find((r) => r.nft);
      if (found) reportHook(ctx, t, found, hooks.get((found.data.path as string[])[0])!.jump);
    }
  }
}

function reportHook(ctx: CheckContext, t: KeptTable, refusal: HookRefusal, jump: Command): void {
  const message = `${refusal.text} Only iptables-nft-restore leads it there: it keeps the jump on ${lineName(ctx.rs, jump)}, which a flush without a chain name empties for iptables-legacy-restore. Flush the chains by name (-F CHAIN).`;
  const d = nftOnly(ctx.sink, 'target-not-allowed', refusal.range, message, { ...refusal.data, ...flushFix(ctx, t, jump) });
  d.related = [{ range: jump.target!.token.range, message: 'Kept by iptables-nft-restore past the flush without a chain name; it leads here.' }];
}
