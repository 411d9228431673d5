/**
 * What the kernel refuses although iptables parses it: targets and matches outside their tables and hooks
 * (followed through user chains, as the kernel does), protocol requirements, interface directions, unknown targets.
 */
import { checkServiceNames } from './services';
import { Family } from '../kb/addresses';
import { protocolNumber } from '../kb/services';
import { TextCache } from '../textCache';
import { isBuiltinChain, MATCHES, ModuleSpec, TARGETS } from '../kb';
import { Command, commandsInRunOrder, lineName, loadsUnseen, MatchUse, OptionUse, Ruleset, tableKey, TargetUse } from '../model';
import { checkKept } from './flushKept';
import { reachedCircle } from '../graph';
import { suggest } from '../suggest';
import { ChainState, RulesetState } from '../state';
import { CheckContext, ruleFamily } from './context';
import { legacyOnly, nftOnly, nftTakesNegatedProtocol, refusedBy } from './legacy';
import { legacyHooks, walkedJumps } from './legacyWalk';
import { finalReach, HookRefusal, ReachContext } from './reach';
import { hasHookRestriction, ReachAt, ScriptTimeline, timedScript } from './scriptTimeline';
import { hashlimitAverage, hashlimitRefusedAt, limitAverage, limitRefusedAt, refusedByCommonKernels } from '../kb/limit';
import { strtoulBase0 } from '../kb/services';
import { rateestMicros } from '../kb/values';
import { DiagnosticSink } from '../parse/diagnostics';
import { Range } from '../types';
import { fingerprint } from '../fingerprint';
import { wordTable } from '../wordTable';
import { managedChainOwner } from '../kb/managed';

const protoNumbers = new TextCache<number | undefined>(1024);

/** A protocol's number, by name or number (looked up once per word: rules name the same few protocols). */
function protoNumber(p: string): number | undefined {
  return protoNumbers.get(p, protocolNumber);
}

/** The protocols (by number) whose rules may NAT to a port: TCP, UDP, SCTP, DCCP, and ICMP (its id), in both families. */
const NAT_PORT_PROTOCOLS = new Set([6, 17, 132, 33, 1]);

/** The rule's protocol as the kernel sees it: a number, undefined for none/all, or 'dynamic'. */
function ruleProto(c: Command): number | 'dynamic' | undefined {
  if (!c.protocol || c.protocol.negated) return undefined;
  if (c.protocol.dynamic) return 'dynamic';
  const n = protoNumber(c.protocol.value);
  return n === 0 ? undefined : n;
}

function protoOk(c: Command, allowed: string[]): boolean {
  const p = ruleProto(c);
  if (p === 'dynamic' || c.dynamic) return true;
  if (p === undefined) return false;
  for (const a of allowed) if (protoNumber(a) === p) return true;
  return false;
}

/** The rule's match of the module `name` (a loop: these checks run on every rule, and make no closures). */
function matchNamed(rule: Command, name: string): MatchUse | undefined {
  for (const m of rule.matches) if (m.spec?.name === name) return m;
  return undefined;
}

/** The option `name` (by its first name) among `uses`. */
function hasOption(uses: readonly OptionUse[], name: string): OptionUse | undefined {
  for (const o of uses) if (o.spec.names[0] === name) return o;
  return undefined;
}

/** The value of an option read by `read`, where it is written (not a shell value); undefined otherwise. */
function readArg<T>(o: OptionUse | undefined, read: (v: string) => T | undefined): T | undefined {
  return o?.argValue !== undefined && !o.argDynamic ? read(o.argValue) : undefined;
}

/** A NAT address with a port: `addr:port` in IPv4, `[addr]:port` or `:port` in IPv6. */
function natHasPort(o: OptionUse | undefined, family: 4 | 6): boolean {
  const v = o?.argValue;
  if (v === undefined || o!.argDynamic) return false;
  // In IPv6 a port follows a bracketed address, or stands alone (`:80`); `::1` is an address.
  return family === 6 ? /\]:/.test(v) || /^:[^:]*$/.test(v) : v.includes(':');
}

/** Memo keys made from many chain names, once per analysis and table (the names themselves would make every key long). */
const nameKeys = new WeakMap<RulesetState, Map<string, string>>();

function namesFingerprint(ctx: CheckContext, key: string, names: () => string[]): string {
  let keys = nameKeys.get(ctx.state);
  if (!keys) nameKeys.set(ctx.state, (keys = new Map()));
  let k = keys.get(key);
  if (k === undefined) keys.set(key, (k = fingerprint(names())));
  return k;
}

/** The chains of a table now. */
function namesKey(ctx: CheckContext, family: 4 | 6, table: string): string {
  return namesFingerprint(ctx, `now:${family}:${table}`, () => ctx.state.inTable(family, table).map((c) => c.name));
}

/** Every chain a table ever had. */
function historyKey(ctx: CheckContext, table: string): string {
  return namesFingerprint(ctx, `ever:${table}`, () => ctx.state.history.filter((h) => h.table === table).map((h) => h.name));
}

/**
 * The built-in chains that reach a chain and the paths they take, as a short text for memo keys. (A script's
 * findings also depend on the order its commands run in, see scriptTimeline.ts; a script is parsed afresh at every
 * edit, its commands new objects, so no memo keeps a script's rule findings across an edit.)
 */
function hookKey(ctx: CheckContext, cs: ChainState): string {
  const walked = legacyHooks(ctx, cs);
  return ctx.graph.hooks(cs).map((h) => `${h}${walked.has(h) ? '=' : '~'}${ctx.graph.pathKey(cs, h)}`).join(';');
}

const LOOP_HIDDEN = ', though only past a rule that decides every packet, where iptables-legacy stops looking';

/**
 * A cycle of jumps that a built-in chain reaches: the kernel refuses the whole table ("loop"). (A script checked
 * command by command has its jumps checked one by one: see checkJumpReach.)
 */
function checkLoops(ctx: CheckContext): Set<string> {
  const tables = new Set<string>();
  if (timedScript(ctx)) return tables;
  const reported = new Set<ChainState>();
  for (const cs of ctx.state.all()) {
    if (cs.builtin || reported.has(cs) || ctx.graph.hooks(cs).length === 0) continue;
    const cycle = ctx.graph.cycleThrough(cs);
    if (!cycle) continue;
    for (const c of cycle.chains) reported.add(c);
    tables.add(tableKey(cs.family, cs.table));
    const circle = `(${cycle.chains.map((c) => c.name).join(' -> ')} -> ${cycle.chains[0].name})`;
    const data = { cycle: cycle.chains.map((c) => c.name) };
    const legacy = legacySeesLoop(ctx, cs);
    const hidden = LOOP_HIDDEN;
    if (ctx.rs.format === 'script') {
      // Each command is checked as it runs: the one refused is the last of those that make the circle reachable.
      const rule = closingRule(ctx, cycle.chains);
      const message = `This rule closes a circle of jumps ${circle} that a built-in chain reaches${legacy ? '' : hidden}: iptables refuses it ("Too many levels of symbolic links").`;
      if (legacy) ctx.sink.add('jump-loop', 'warning', rule.target!.token.range, message, data);
      else nftOnly(ctx.sink, 'jump-loop', rule.target!.token.range, message, data);
      continue;
    }
    const message = `Jumps go round in a circle ${circle} and a built-in chain reaches them`;
    if (legacy) ctx.sink.error('jump-loop', cycle.rule.target!.token.range, `${message}: the kernel refuses the table.`, data);
    else nftOnly(ctx.sink, 'jump-loop', cycle.rule.target!.token.range, `${message}${hidden}.`, data);
  }
  return tables;
}

/**
 * The command a script's iptables refuses for a circle of chains: the jump that makes it complete and reachable from
 * a built-in chain, run the earliest (each step of the circle by its first jump, the way in by the path whose last
 * jump ran first). Linear in the jumps but for their sort.
 */
function closingRule(ctx: CheckContext, circle: readonly ChainState[]): Command {
  const order = commandsInRunOrder(ctx.rs);
  const at = new Map(order.map((c, k) => [c, k]));
  const when = (r: Command) => at.get(r) ?? -1;
  const chains = ctx.state.inTable(circle[0].family, circle[0].table);
  let last: Command | undefined;
  const later = (r: Command | undefined) => {
    if (r && (!last || when(r) > when(last))) last = r;
  };
  // Each step of the circle, by its earliest jump.
  circle.forEach((from, k) => {
    const to = circle[(k + 1) % circle.length];
    let first: Command | undefined;
    for (const r of from.rules) if (ctx.graph.entered(r) === to && (!first || when(r) < when(first))) first = r;
    later(first);
  });
  // The way in: each chain reached by the jump that makes it reachable earliest. The jumps are added in the order
  // they run; a chain reached makes the jumps out of it already added count (each chain is reached once).
  const reach = new Map<ChainState, { time: number; rule?: Command; from?: ChainState }>();
  for (const c of chains) if (c.builtin) reach.set(c, { time: -1 });
  const edges: Array<{ from: ChainState; to: ChainState; rule: Command }> = [];
  for (const c of chains) for (const r of c.rules) {
    const to = ctx.graph.entered(r);
    if (to) edges.push({ from: c, to, rule: r });
  }
  edges.sort((x, y) => when(x.rule) - when(y.rule));
  const waiting = new Map<ChainState, typeof edges>();
  for (const e of edges) {
    if (!reach.has(e.from)) {
      (waiting.get(e.from) ?? waiting.set(e.from, []).get(e.from)!).push(e);
      continue;
    }
    const time = when(e.rule);
    for (const todo = [e]; todo.length; ) {
      const x = todo.pop()!;
      if (reach.has(x.to)) continue;
      reach.set(x.to, { time, rule: x.rule, from: x.from });
      todo.push(...(waiting.get(x.to) ?? []));
    }
  }
  let entry = circle[0];
  for (const c of circle) if ((reach.get(c)?.time ?? Infinity) < (reach.get(entry)?.time ?? Infinity)) entry = c;
  let steps = chains.length;
  for (let step = reach.get(entry); step?.rule && steps-- > 0; step = step.from && reach.get(step.from)) later(step.rule);
  return last ?? circle[0].rules[0];
}

/**
 * Whether iptables-legacy finds a circle of jumps among the chains of `cs`'s table: the kernel walks from the
 * built-in chains and stops walking a chain at a rule that decides every packet, so a jump after such a rule is
 * never followed. iptables-nft checks every jump.
 */
function legacySeesLoop(ctx: CheckContext, cs: ChainState): boolean {
  const chains = ctx.state.inTable(cs.family, cs.table);
  return reachedCircle(chains, new Map(chains.map((c) => [c, walkedJumps(ctx, c)])), (to) => to) !== undefined;
}

/**
 * -m hashlimit with a packet rate so slow that, with its burst, the kernel's 64-bit count of credits wraps round:
 * both backends refuse it. A byte rate (`kb/s`) is counted otherwise.
 */
function checkHashlimitCredits(ctx: CheckContext, rule: Command): void {
  for (const m of rule.matches) {
    if (m.spec?.name !== 'hashlimit') continue;
    const rate = m.options.find((o) => o.spec.names[0] === '--hashlimit-upto' || o.spec.names[0] === '--hashlimit-above' || o.spec.names[0] === '--hashlimit');
    const burstOpt = m.options.find((o) => o.spec.names[0] === '--hashlimit-burst');
    if (!rate?.argValue || rate.argDynamic || burstOpt?.argDynamic) continue;
    if (/b\//i.test(rate.argValue)) {
      checkHashlimitByteBurst(ctx, rate.argValue, burstOpt);
      continue;
    }
    const avg = hashlimitAverage(rate.argValue);
    const burst = burstOpt ? strtoulBase0(burstOpt.argValue ?? '') : 5;
    if (avg === undefined || avg === 0n || burst === undefined) continue;
    const refused = (b: number) => refusedByCommonKernels(hashlimitRefusedAt(avg, b));
    if (!refused(burst)) continue;
    let fits = Math.min(burst, 10000);
    while (fits > 1 && refused(fits)) fits--;
    ctx.sink.error('invalid-value', rate.arg!.range, `A rate as slow as ${rate.argValue} with a burst of ${burst} overflows the kernel's count of credits for -m hashlimit ("Numerical result out of range"): lower the burst${fits < burst ? ` to ${fits} (--hashlimit-burst ${fits})` : ''} or raise the rate.`);
  }
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1048576 };

/** With a byte rate (`4kb/s`), hashlimit's burst is bytes too, at least the rate's; iptables takes no burst in gb. */
function checkHashlimitByteBurst(ctx: CheckContext, rate: string, burstOpt: OptionUse | undefined): void {
  const r = /^(\d+)(b|kb|mb)\//.exec(rate);
  // The burst's number as strtoul reads it (0x and 0 prefixes), then its unit; anything else after it is passed over.
  const b = burstOpt?.argValue !== undefined ? /^\s*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)(.*)$/.exec(burstOpt.argValue) : null;
  if (!r || !b) return;
  const rateBytes = Number(r[1]) * BYTE_UNITS[r[2]];
  const burstBytes = b[2] === 'gb' ? 0 : strtoulBase0(b[1])! * (BYTE_UNITS[b[2]] ?? 1);
  if (burstBytes >= rateBytes) return;
  ctx.sink.error('invalid-value', burstOpt!.arg!.range, `With a byte rate the burst is bytes, at least the rate's ${rateBytes} (write it with b, kb or mb; gb is not taken): iptables refuses ${burstOpt!.argValue} ("burst cannot be smaller than ${rateBytes}b").`);
}

/**
 * -m limit as the kernel takes it: a rate faster than 10,000 per second is refused by iptables ("Rate too fast"),
 * and a burst of 0, or a slow rate with a burst of several, overflows the kernel's credits (see kb/limit.ts); the
 * last two only where the kernel's own match counts (iptables-legacy).
 */
function checkLimitCredits(ctx: CheckContext, rule: Command): void {
  for (const m of rule.matches) {
    if (m.spec?.name !== 'limit') continue;
    const rate = m.options.find((o) => o.spec.names[0] === '--limit');
    const burstOpt = m.options.find((o) => o.spec.names[0] === '--limit-burst');
    if (rate?.argDynamic || burstOpt?.argDynamic) continue;
    const text = rate?.argValue ?? '3/hour';
    const avg = limitAverage(text);
    const range = rate?.arg?.range ?? m.token?.range ?? rule.range;
    if (avg === 0) {
      ctx.sink.error('invalid-value', range, `A rate of ${text} is faster than -m limit counts (at most 10000/second): iptables refuses it ("Rate too fast").`);
      continue;
    }
    const burst = burstOpt ? strtoulBase0(burstOpt.argValue ?? '') : 5;
    if (burst === 0) {
      legacyOnly(ctx.sink, 'invalid-value', burstOpt!.arg!.range, `The kernel's -m limit refuses a burst of 0 ("Numerical result out of range"): write a burst of 1 or more (the default is 5).`);
      continue;
    }
    // A burst past 10000 is refused as a value already (and would make the search below long).
    if (avg === undefined || burst === undefined || burst > 10000) continue;
    // iptables-nft counts in its own way and takes it.
    const refused = (b: number) => refusedByCommonKernels(limitRefusedAt(avg, b));
    if (!refused(burst)) continue;
    let fits = burst;
    while (fits > 1 && limitRefusedAt(avg, fits).length) fits--;
    legacyOnly(ctx.sink, 'invalid-value', range, `A rate as slow as ${text} with a burst of ${burst} overflows the kernel's count of credits for -m limit ("Numerical result out of range"): lower the burst to ${fits} (--limit-burst ${fits}) or raise the rate.`);
  }
}

/**
 * `gone`: the rule is not among the chains the file ends with (flushed, deleted, or its table replaced).
 * `kernel`: where the findings of the checks the kernel makes once the rule reaches it go (its modules' own checks,
 * their tables and hooks); those of how iptables reads the rule's words go to `ctx`. `legacyKernel`: the same for
 * the checks iptables-nft makes while it reads the words and iptables-legacy's kernel makes (a tcp match without
 * -p tcp).
 */
function checkRule(ctx: CheckContext, rule: Command, cs: ChainState, gone = false, kernel = ctx, legacyKernel = kernel): void {
  checkTarget(ctx, rule, cs, gone, kernel);
  checkLimitCredits(kernel, rule);
  checkHashlimitCredits(kernel, rule);
  for (const m of rule.matches) if (m.spec) checkPlacement(ctx, rule, cs, m.spec, m, kernel);
  checkMatchProtocols(legacyKernel, rule);
  checkOptionNeeds(ctx, rule);
  checkPolicyDirection(kernel, rule, cs);
  checkPhysdevOut(kernel, rule, cs);
  checkOptionHooks(kernel, rule, cs);
  checkInterfaces(ctx, rule, cs);
  checkRequired(ctx, rule);
  checkServiceNames(ctx, rule, ruleProto(rule));
}

export function checkKernel(ctx: CheckContext): void {
  checkKept(ctx, checkLoops(ctx), checkHooks);
  checkRulesNotKept(ctx);
  if (!ctx.memo) {
    for (const cs of ctx.state.all()) for (const rule of cs.rules) checkRule(ctx, rule, cs);
    return;
  }
  // With a memo: a chain whose rules, called chains and callers are unchanged has the same findings as last time.
  for (const cs of ctx.state.all()) {
    const sig = ctx.model.signature(cs);
    const hooks = hookKey(ctx, cs);
    const names = sig?.includes('?') || ctx.rs.format === 'script' ? historyKey(ctx, cs.table) : '';
    ctx.sink.addAll(ctx.memo.forChain(sig === undefined ? undefined : `${sig}|${hooks}|${names}`, 'kernel', () => {
      const sink = new DiagnosticSink();
      checkChainRules({ ...ctx, sink }, cs);
      return sink.items;
    }));
  }
}

function checkChainRules(ctx: CheckContext, cs: ChainState): void {
  const memo = ctx.memo!;
  const hooksOf = new Map<ChainState, string>();
  for (const rule of cs.rules) {
    // What a rule's checks find depends on the rule, its chain, the built-in chains that reach it, and whether
    // the target names a chain that exists.
    let chainKey = hooksOf.get(cs);
    if (chainKey === undefined) hooksOf.set(cs, (chainKey = `${cs.name}|${cs.builtin}|${hookKey(ctx, cs)}`));
    const found = memo.forRule(rule, 'kernel', ruleKey(ctx, rule, chainKey), () => {
      const sink = new DiagnosticSink();
      checkRule({ ...ctx, sink }, rule, cs);
      return sink.items;
    });
    ctx.sink.addAll(found);
  }
}

/** What a rule's kernel findings depend on besides the rule and its chain (`chainKey`): whether its target chain exists. */
function ruleKey(ctx: CheckContext, rule: Command, chainKey: string): string {
  const t = rule.target;
  if (!t || t.spec || t.dynamic) return chainKey;
  const name = ctx.state.jumpTarget(rule);
  const known = ctx.state.get(ruleFamily(ctx, rule), rule.table, name) ? 'y' : ctx.state.everDeclared(undefined, rule.table, name) ? 'h' : 'n';
  return `${chainKey}|${known}|${known === 'n' ? namesKey(ctx, ruleFamily(ctx, rule), rule.table) : ''}`;
}

const ADDS_RULE = new Set(['-A', '-I', '-R']);

const CREATED = new WeakMap<Ruleset, Set<string>>();

/** The chains (table:name) a script makes with -N anywhere, in an arm the analysis follows or not. */
function createdInScript(rs: Ruleset): Set<string> {
  let set = CREATED.get(rs);
  if (!set) CREATED.set(rs, (set = new Set(rs.commands.filter((c) => c.spec?.short === '-N' && c.chainName !== undefined).map((c) => `${c.table}:${c.chainName}`))));
  return set;
}

/**
 * Each command runs where it stands: a rule refused then is refused even when a later flush or delete (or another
 * arm of an if or case, or a later section of a restore file that replaces the table) leaves it out of the chains
 * the file ends with. Such rules get the rule checks too, against their chain as the file leaves it, or the last
 * chain of that name when the file no longer has one (a script's -X of a chain whose only rules iptables refused).
 */
function checkRulesNotKept(ctx: CheckContext): void {
  const restore = ctx.rs.format === 'restore';
  const kept = ctx.state.held(ctx.rs.commands.length);
  for (const rule of ctx.rs.commands) {
    // A restore file's line that cannot be read already stops the load there (one finding is enough).
    if (kept[rule.index] === 1 || !ADDS_RULE.has(rule.spec?.short ?? '') || rule.chainName === undefined || (restore && rule.broken)) continue;
    const family = ruleFamily(ctx, rule);
    const cs = ctx.state.get(family, rule.table, rule.chainName) ?? lastOfName(ctx, family, rule.table, rule.chainName);
    if (!cs) continue;
    const sent = !ctx.state.unsent.has(rule);
    const replaced = ctx.state.replaced.has(rule);
    if (!ctx.memo) {
      checkRuleNotKept(ctx, rule, cs, restore, sent);
      continue;
    }
    ctx.sink.addAll(ctx.memo.forRule(rule, 'kernel', ruleKey(ctx, rule, `${cs.name}|${cs.builtin}|${hookKey(ctx, cs)}|gone|${sent}|${replaced}`), () => {
      const sink = new DiagnosticSink();
      checkRuleNotKept({ ...ctx, sink }, rule, cs, restore, sent);
      return sink.items;
    }));
  }
}

/**
 * A script's command ran, and the kernel checked its rule then; a restore file's rule that a COMMIT loaded before a
 * later section replaced it, likewise. A restore file's rule that the file removes before COMMIT: iptables-legacy
 * checks rules in the kernel at COMMIT, so it never checks this one there; iptables-nft sends each rule to the kernel
 * as it reads it (`sent`), unless a flush that names the rule's chain has taken it back first. What iptables refuses
 * while reading the words is refused by both, whatever comes after.
 */
function checkRuleNotKept(ctx: CheckContext, rule: Command, cs: ChainState, restore: boolean, sent: boolean): void {
  if (!restore || ctx.state.replaced.has(rule)) {
    checkRule(ctx, rule, cs, true);
    return;
  }
  const kernel = new DiagnosticSink();
  const legacyKernel = new DiagnosticSink();
  const read = new DiagnosticSink();
  checkRule({ ...ctx, sink: read }, rule, cs, true, { ...ctx, sink: kernel }, { ...ctx, sink: legacyKernel });
  ctx.sink.addAll(read.items.filter((d) => d.severity === 'error' || refusedBy(d) !== undefined));
  // What iptables-legacy would refuse at COMMIT, iptables-nft refuses where it sees the rule.
  const nftRefuses = [...(sent ? kernel.items : []), ...legacyKernel.items].filter((d) => d.severity === 'error' || refusedBy(d) === 'iptables-nft');
  for (const d of nftRefuses) {
    const message = `The file removes the rule before COMMIT: ${d.message}`;
    if (refusedBy(d) === 'iptables-nft') ctx.sink.add(d.code, 'warning', d.range, message, d.data);
    else nftOnly(ctx.sink, d.code, d.range, message, d.data);
  }
}

/** The last chain of that name the file had (one since deleted, or of a table a later section replaced). */
function lastOfName(ctx: CheckContext, family: Family, table: string, name: string): ChainState | undefined {
  const h = ctx.state.history;
  for (let k = h.length - 1; k >= 0; k--) if (h[k].family === family && h[k].table === table && h[k].name === name) return h[k];
  return undefined;
}

function checkTarget(ctx: CheckContext, rule: Command, cs: ChainState, gone: boolean, kernel: CheckContext): void {
  const t = rule.target;
  if (!t || t.dynamic) return;
  const family = ruleFamily(ctx, rule);
  if (t.spec) {
    if (t.spec.removed) return;
    checkPlacement(ctx, rule, cs, t.spec, t, kernel);
    checkTargetNeeds(ctx, rule, kernel);
    return;
  }
  const chain = ctx.state.get(family, rule.table, ctx.state.jumpTarget(rule));
  if (chain) {
    if (chain.builtin) ctx.sink.error('unknown-target', t.token.range, `${t.name} is a built-in chain: rules cannot jump to it.`);
    else checkJumpReach(ctx, rule, cs, chain);
    return;
  }
  if (t.goto && TARGETS.some((x) => x.name === t.name)) {
    ctx.sink.error('unknown-target', t.token.range, `-g needs a user chain; ${t.name} is a target, use -j ${t.name}.`);
    return;
  }
  if (ctx.rs.format === 'script' && (ctx.state.everDeclared(family, rule.table, t.name) || createdInScript(ctx.rs).has(`${rule.table}:${t.name}`) || loadsUnseen(ctx.rs, family))) return;
  // A chain the file had when the rule was added (whether it had it then is the state's to say, see jumpTargetExists).
  if (gone && ctx.state.everDeclared(family, rule.table, t.name)) return;
  if (ctx.loader === 'ufw' && /^ufw6?-/.test(t.name)) {
    ctx.sink.add('unknown-target', 'info', t.token.range,
      `'${t.name}' is not declared in this file: ufw creates its chains itself before it loads its rules files (with iptables-restore -n), so the jump works there. Loaded on its own, the file would be refused.`,
      // No chain to declare: in a file ufw loads with -n, a declaration would empty ufw's own chain.
      { managedBy: 'ufw', table: rule.table });
    return;
  }
  const owner = ctx.rs.format === 'script' ? managedChainOwner(t.name) : undefined;
  if (owner) {
    ctx.sink.add('unknown-target', 'info', t.token.range,
      `'${t.name}' is not made by this script: ${owner} makes it when it starts. Run before that (or on a host without ${owner}), iptables refuses this jump (there is no such chain yet).`,
      { suggestions: [], chain: t.name, table: rule.table, managedBy: owner });
    return;
  }
  const targets = TARGETS.filter((x) => !x.removed && (!x.family || x.family === family)).map((x) => x.name);
  const budget = ctx.state.suggestions;
  const s = budget.left > 0 ? suggest(t.name, [...targets, ...ctx.state.inTable(family, rule.table).filter((x) => !x.builtin).map((x) => x.name)], 3, budget) : [];
  const where = isBuiltinChain(t.name) ? ` ${t.name} is a built-in chain of other tables, not of ${rule.table}.` : '';
  // In a script the chain may come from another script or service; a near-miss of a target name is still an error.
  const severity = ctx.rs.format === 'script' && !s.some((x) => targets.includes(x)) ? 'warning' : 'error';
  ctx.sink.add('unknown-target', severity, t.token.range,
    `'${t.name}' is neither a target nor a chain of the ${rule.table} table.${where}${s.length ? ` Did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : ''}`,
    { suggestions: s, chain: t.name, table: rule.table });
}

/**
 * A module or option the kernel allows only at some hooks (`allowed`), in a rule that built-in chains outside them
 * reach. Most targets and matches declare their hooks, which both backends check through jumps; a few check the hook
 * themselves when the rule is added, which iptables-nft does only in the rule's own chain (devgroup, policy, TCPMSS:
 * `ownChainOnly`). iptables-legacy checks only what its walk of the table reaches (see legacyWalk.ts). Refused by
 * both: an error; by one of them: a warning naming it.
 */
function refuseAtHooks(ctx: ReachContext, rule: Command, cs: ChainState, allowed: readonly string[], range: Range, message: (hook: string, path: string[]) => string, ownChainOnly = false): void {
  // The chains as the file leaves them hold every jump the chains ever hold at once: no hook outside `allowed`
  // there, none at any time (but for the jumps only iptables-nft-restore keeps).
  if (!ctx.reach?.wider && !anyOutside(ctx.graph.hooks(cs), allowed)) return;
  const reach = ctx.reach ?? (timedScript(ctx) ? timelineOf(ctx).reachAt(rule) : finalReach(ctx));
  let first: { hook: string; path: string[] } | undefined;
  let legacy = false;
  let nft = false;
  for (const hook of reach.hooks(cs)) {
    if (allowed.includes(hook)) continue;
    const path = reach.path(cs, hook);
    const byLegacy = reach.legacyWalks(cs, rule, hook);
    const byNft = !ownChainOnly || path.length === 1;
    if (!first || (byLegacy && byNft && !(legacy && nft))) first = { hook, path };
    legacy ||= byLegacy;
    nft ||= byNft;
    if (legacy && nft) break;
  }
  if (!first || !(legacy || nft)) return;
  const text = message(first.hook, first.path);
  const all = { allowedChains: allowed, path: first.path };
  if (ctx.refusals) ctx.refusals.push({ rule, range, text, legacy, nft, data: all });
  else if (legacy && nft) ctx.sink.error('target-not-allowed', range, `${text} The kernel refuses the rule.`, all);
  else if (legacy) legacyOnly(ctx.sink, 'target-not-allowed', range, text, all);
  else nftOnly(ctx.sink, 'target-not-allowed', range, `${text} iptables-legacy never checks it there: a rule on the way decides every packet first.`, all);
}

function anyOutside(hooks: readonly string[], allowed: readonly string[]): boolean {
  for (let k = 0; k < hooks.length; k++) if (!allowed.includes(hooks[k])) return true;
  return false;
}

/** Per state: the timeline of a script's commands (see scriptTimeline.ts). */
const timelines = new WeakMap<RulesetState, ScriptTimeline>();

function timelineOf(ctx: CheckContext): ScriptTimeline {
  let tl = timelines.get(ctx.state);
  if (!tl) timelines.set(ctx.state, (tl = new ScriptTimeline(ctx, (c, rule, cs) => checkRule(c, rule, cs))));
  return tl;
}

/**
 * A script's jump into a user chain, checked against the chains as they are when it runs: it may close a circle of
 * jumps that a built-in chain reaches, or make a rule of that chain reachable from a built-in chain where the kernel
 * does not allow it (the rule was taken when it was added, as nothing led there then; the jump is the command
 * refused). Only rules and jumps surely in place when the jump runs count.
 */
function checkJumpReach(ctx: ReachContext, jump: Command, cs: ChainState, to: ChainState): void {
  if (ctx.reach || !timedScript(ctx)) return;
  const tl = timelineOf(ctx);
  // Cheap refutations on the chains as the file leaves them, which hold every jump the chains ever hold at once.
  const circle = tl.reachesCircle(to);
  // A jump that a later command removes is not judged (the timeline knows the rules the script leaves).
  if (!tl.holds(jump) || !ctx.graph.hooks(cs).length || (!circle && !tl.reachesRestricted(to))) return;
  const reach = tl.reachAt(jump, true);
  if (!reach.known) return;
  if (!(circle && checkJumpLoop(ctx, jump, cs, to, reach))) checkJumpHooks(ctx, jump, cs, to, tl, reach);
}

/**
 * A jump that leads into a circle of jumps (one it closes, or one already there) and so makes a built-in chain reach
 * it. iptables-legacy sees only a circle its walk of the table follows, from a hook whose walk reaches the jump.
 */
function checkJumpLoop(ctx: CheckContext, jump: Command, cs: ChainState, to: ChainState, reach: ReachAt): boolean {
  // The circle first (from the chain entered, along the jumps in place): the way in from a built-in chain is
  // worked out only for a jump that leads into one.
  const circle = reach.circleFrom(to, false);
  if (!circle || !reach.hooks(cs).length) return false;
  const walked = reach.hooks(cs).some((h) => reach.legacyWalks(cs, jump, h)) ? reach.circleFrom(to, true) : undefined;
  const chains = walked ?? circle;
  // A circle the jump closes is told from the jump's own chain.
  const at = chains.indexOf(cs);
  const closes = at >= 0;
  const names = [...chains.slice(Math.max(at, 0)), ...chains.slice(0, Math.max(at, 0))].map((c) => c.name);
  const message = `This rule ${closes ? 'closes' : 'leads into'} a circle of jumps (${names.join(' -> ')} -> ${names[0]})${closes ? ' that a built-in chain reaches' : ', which a built-in chain then reaches'}${walked ? '' : LOOP_HIDDEN}: iptables refuses it ("Too many levels of symbolic links").`;
  if (walked) ctx.sink.add('jump-loop', 'warning', jump.target!.token.range, message, { cycle: names });
  else nftOnly(ctx.sink, 'jump-loop', jump.target!.token.range, message, { cycle: names });
  return true;
}

/** A jump that makes a rule reachable from a built-in chain where the kernel does not allow it. */
function checkJumpHooks(ctx: CheckContext, jump: Command, from: ChainState, to: ChainState, tl: ScriptTimeline, reach: ReachAt): void {
  const refusals: HookRefusal[] = [];
  const sub: ReachContext = { ...ctx, sink: new DiagnosticSink(), memo: undefined, reach, refusals };
  // The rules the jump leads to first; the way in from a built-in chain only for one the kernel may refuse somewhere.
  for (const [rule, cs] of tl.rulesReached(to, jump)) {
    if (!hasHookRestriction(rule)) continue;
    if (!reach.hooks(from).length) return;
    checkHooks(sub, rule, cs);
    if (refusals.some((r) => r.legacy && r.nft)) break;
  }
  if (!refusals.length) return;
  const legacy = refusals.some((r) => r.legacy);
  const nft = refusals.some((r) => r.nft);
  const worst = refusals.find((r) => r.legacy && r.nft) ?? refusals[0];
  const range = jump.target!.token.range;
  const text = `Jumping to ${to.name} here makes its rule on ${lineName(ctx.rs, worst.rule)} reachable where the kernel does not allow it: ${worst.text} That rule was taken when it ran, as nothing led to it from there yet.`;
  const data = { ...worst.data, ruleLine: worst.rule.startLine };
  const d = legacy && nft ? ctx.sink.error('target-not-allowed', range, `${text} The kernel refuses this jump.`, data)
    : legacy ? legacyOnly(ctx.sink, 'target-not-allowed', range, text, data)
    : nftOnly(ctx.sink, 'target-not-allowed', range, `${text} iptables-legacy never checks it there: a rule on the way decides every packet first.`, data);
  d.related = [{ range: worst.range, message: `Not allowed once the jump on ${lineName(ctx.rs, jump)} leads here.` }];
}

/** The checks of what the kernel allows at each hook (see refuseAtHooks). */
function checkHooks(ctx: ReachContext, rule: Command, cs: ChainState): void {
  if (rule.target?.spec && !rule.target.dynamic) checkPlacement(ctx, rule, cs, rule.target.spec, rule.target, ctx);
  for (const m of rule.matches) if (m.spec) checkPlacement(ctx, rule, cs, m.spec, m, ctx);
  checkPolicyDirection(ctx, rule, cs);
  checkPhysdevOut(ctx, rule, cs);
  checkOptionHooks(ctx, rule, cs);
}

/** The modules whose options check their hook themselves (iptables-nft: in the rule's own chain only). */
const OWN_CHAIN_HOOK_CHECKS = new Set(['TCPMSS', 'devgroup', 'addrtype']);

/**
 * Where a finding about a match or target goes: its name after -m or -j (a protocol match loaded by -p: the
 * protocol; worked out only when there is something to report).
 */
function moduleRange(rule: Command, use: MatchUse | TargetUse): Range {
  return use.token?.range ?? rule.protocol?.token.range ?? rule.range;
}

/** How a message names a module. */
function moduleWhat(spec: ModuleSpec): string {
  return spec.kind === 'target' ? `The ${spec.name} target` : `The ${spec.name} match`;
}

/** Table and hook restrictions of a target or match (`use`), checked against every built-in chain that reaches the rule. */
function checkPlacement(ctx: CheckContext, rule: Command, cs: ChainState, spec: ModuleSpec, use: MatchUse | TargetUse, kernel = ctx): void {
  if (spec.forbiddenTables?.includes(rule.table)) {
    ctx.sink.error('target-not-allowed', moduleRange(rule, use), `${moduleWhat(spec)} is refused in the ${rule.table} table: it is not meant for filtering (only the first packet of a connection passes it). Filter in the filter table.`, { forbiddenTable: rule.table });
    return;
  }
  // The rest is the kernel's to check (`kernel`: its findings, for a rule the file removes before COMMIT).
  if (spec.tables && !spec.tables.includes(rule.table)) {
    const message = `${moduleWhat(spec)} is only allowed in the ${spec.tables.join(' or ')} table${spec.tables.length > 1 ? 's' : ''}, not in ${rule.table}.`;
    // iptables-nft sets nftrace itself, in any table.
    if (spec.name === 'TRACE') legacyOnly(kernel.sink, 'target-not-allowed', moduleRange(rule, use), message, { allowedTables: spec.tables });
    else kernel.sink.error('target-not-allowed', moduleRange(rule, use), message, { allowedTables: spec.tables });
    return;
  }
  if (!spec.chains) return;
  refuseAtHooks(kernel, rule, cs, spec.chains, moduleRange(rule, use), (hook, path) => `${moduleWhat(spec)} is only allowed in ${spec.chains!.join(', ')}, not in ${hook}${path.length > 1 ? ` (reached as ${path.join(' -> ')})` : ''}.`);
}

function checkTargetNeeds(ctx: CheckContext, rule: Command, kernel: CheckContext): void {
  const t = rule.target!;
  const spec = t.spec!;
  if (spec.protocols && !protoOk(rule, spec.protocols)) {
    kernel.sink.error('protocol-required', t.token.range, `${spec.name} needs ${spec.protocols.map((p) => `-p ${p}`).join(' or ')} on the rule: the kernel refuses it otherwise.`, { insert: `-p ${spec.protocols[0]}` });
  }
  const rejectWith = hasOption(t.options, '--reject-with');
  // REJECT reads its type in any case, and a beginning as the type it begins (`tcp-res`; only tcp-reset, and in
  // iptables its other name tcp-rst, begin with t).
  const type = rejectWith?.argValue?.toLowerCase();
  if (rejectWith && type && ('tcp-reset'.startsWith(type) || (ruleFamily(ctx, rule) === 4 && 'tcp-rst'.startsWith(type))) && !protoOk(rule, ['tcp'])) {
    kernel.sink.error('protocol-required', rejectWith.arg!.range, '--reject-with tcp-reset needs -p tcp: a TCP reset can only answer a TCP packet.', { insert: '-p tcp' });
  }
  const toSource = hasOption(t.options, '--to-source');
  const toDestination = hasOption(t.options, '--to-destination');
  const needsPortProto =
    hasOption(t.options, '--to-ports') ||
    (natHasPort(toSource, ruleFamily(ctx, rule)) ? toSource : undefined) ||
    (natHasPort(toDestination, ruleFamily(ctx, rule)) ? toDestination : undefined);
  // iptables looks only at the protocol number the rule names, negated or not (even `! -p tcp` passes): one with
  // ports, or ICMP (its id); none, `all`, or another protocol is refused.
  const proto = rule.protocol;
  const portsOk = rule.dynamic || (proto !== undefined && (proto.dynamic || NAT_PORT_PROTOCOLS.has(protoNumber(proto.value) ?? -1)));
  if (needsPortProto && !portsOk) {
    const why = proto && protoNumber(proto.value) !== 0 ? `-p ${proto.value} has no ports` : 'iptables refuses ports without a protocol';
    ctx.sink.error('protocol-required', needsPortProto.nameToken.range, `${needsPortProto.nameToken.value} with a port needs -p tcp, udp, sctp or dccp: ${why} ("Need TCP, UDP, SCTP or DCCP with port specification").`, proto ? {} : { insert: '-p tcp' });
  }
  if (spec.name === 'CT') checkCtHelper(kernel, rule);
  if (spec.name === 'QUEUE') nftOnly(kernel.sink, 'target-not-allowed', t.token.range, 'QUEUE is the old name of NFQUEUE --queue-num 0: write that.');
  if (spec.name === 'TCPMSS') {
    if (protoOk(rule, ['tcp']) && !hasSynMatch(rule)) {
      legacyOnly(kernel.sink, 'target-not-allowed', t.token.range, 'TCPMSS only changes SYN packets: add --syn (or --tcp-flags SYN,RST SYN) to the rule.');
    }
  }
}

/** Conntrack helpers and the layer-4 protocols they serve. */
const CT_HELPERS = wordTable<string[]>({
  ftp: ['tcp'], tftp: ['udp'], sip: ['udp', 'tcp'], irc: ['tcp'], pptp: ['tcp'], amanda: ['udp'], 'netbios-ns': ['udp'],
  sane: ['tcp'], snmp: ['udp'], 'RAS': ['udp'], 'Q.931': ['tcp'], h323: ['tcp'],
});

function checkCtHelper(ctx: CheckContext, rule: Command): void {
  const helper = hasOption(rule.target!.options, '--helper')?.arg;
  if (!helper || helper.dynamic || rule.dynamic) return;
  const protos = CT_HELPERS[helper.value];
  if (!protos) {
    ctx.sink.add('invalid-value', 'warning', helper.range, `'${helper.value}' is not a conntrack helper this linter knows (ftp, tftp, sip, irc, pptp, ...): the kernel refuses the rule unless it has one by that name.`);
    return;
  }
  if (!protoOk(rule, protos)) {
    ctx.sink.error('protocol-required', helper.range, `The ${helper.value} helper serves ${protos.join('/')}: the rule needs -p ${protos[0]}, or the kernel refuses it.`, { insert: `-p ${protos[0]}` });
  }
}

/** Options the kernel allows only at some hooks, checked against every built-in chain that reaches the rule. */
function checkOptionHooks(ctx: CheckContext, rule: Command, cs: ChainState): void {
  for (const o of rule.options) {
    if (!o.spec.chains) continue;
    // TCPMSS takes the last of --clamp-mss-to-pmtu and --set-mss: a clamp followed by a size is no clamp.
    if (o.spec.names[0] === '--clamp-mss-to-pmtu' && rule.options.indexOf(o) < rule.options.findIndex((x) => x.spec.names[0] === '--set-mss')) continue;
    const allowed = o.spec.chains;
    refuseAtHooks(ctx, rule, cs, allowed, o.nameToken.range, (_hook, path) => `${o.nameToken.value} works only in ${allowed.join(', ')}, not in ${path.join(' -> ')}.`, OWN_CHAIN_HOOK_CHECKS.has(o.owner?.name ?? ''));
  }
}

function hasSynMatch(rule: Command): boolean {
  if (rule.dynamic) return true;
  const tcp = matchNamed(rule, 'tcp');
  if (!tcp) return false;
  const syn = hasOption(tcp.options, '--syn');
  if (syn) return !syn.negated;
  const flags = hasOption(tcp.options, '--tcp-flags');
  if (!flags || flags.negated || flags.args.length < 2) return false;
  const list = (s: string) => s.toUpperCase().split(',').flatMap((f) => (f === 'ALL' ? ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH'] : [f]));
  return list(flags.arg!.value).includes('SYN') && list(flags.args[1].value).includes('SYN');
}

function checkOptionNeeds(ctx: CheckContext, rule: Command): void {
  for (const o of rule.options) {
    if (o.spec.protocols && !protoOk(rule, o.spec.protocols)) {
      ctx.sink.error('protocol-required', o.nameToken.range, `${o.nameToken.value} needs -p ${o.spec.protocols[0]} on the rule: the kernel refuses it otherwise.`, { insert: `-p ${o.spec.protocols[0]}` });
    }
    if (o.spec.requires && !rule.dynamic) checkRequires(ctx, rule, o, o.spec.requires);
  }
}

/** The options an option cannot do without, among those of its own module (iptables' own, for one of its own). */
function checkRequires(ctx: CheckContext, rule: Command, o: OptionUse, requires: readonly string[]): void {
  const siblings = !o.owner ? rule.options : rule.matches.find((m) => m.options.includes(o))?.options ?? rule.target?.options ?? [];
  for (const need of requires) {
    if (hasOption(siblings, need)) continue;
    ctx.sink.error('missing-argument', o.nameToken.range, `${o.nameToken.value} also needs ${need}: iptables refuses it alone.`, { missing: need });
  }
}

/**
 * physdev: the bridge port a packet leaves on is not known yet in OUTPUT (the bridge chooses it later), so the
 * kernel refuses --physdev-out and --physdev-is-out there unless the rule also asks --physdev-is-bridged.
 */
function checkPhysdevOut(ctx: CheckContext, rule: Command, cs: ChainState): void {
  const m = matchNamed(rule, 'physdev');
  const out = m?.options.find((o) => o.spec.names[0] === '--physdev-out' || o.spec.names[0] === '--physdev-is-out');
  if (!out || m!.options.some((o) => o.spec.names[0] === '--physdev-is-bridged' && !o.negated)) return;
  const allowed = ['PREROUTING', 'INPUT', 'FORWARD', 'POSTROUTING'];
  refuseAtHooks(ctx, rule, cs, allowed, out.nameToken.range, (_hook, path) => `${out.nameToken.value} in ${path.join(' -> ')}: the bridge port a locally sent packet leaves on is chosen later, so it is known only with --physdev-is-bridged (then only bridged packets match).`, true);
}

/** IPsec policy: the decapsulation policy exists only on the way in, the encapsulation policy on the way out. */
function checkPolicyDirection(ctx: CheckContext, rule: Command, cs: ChainState): void {
  const pol = matchNamed(rule, 'policy');
  const dir = pol && hasOption(pol.options, '--dir')?.arg;
  if (!dir || dir.dynamic) return;
  const allowed = dir.value === 'in' ? ['PREROUTING', 'INPUT', 'FORWARD'] : ['FORWARD', 'OUTPUT', 'POSTROUTING'];
  refuseAtHooks(ctx, rule, cs, allowed, dir.range, (_hook, path) => `-m policy --dir ${dir.value} works only in ${allowed.join(', ')}, not in ${path.join(' -> ')}.`, true);
}

function checkMatchProtocols(ctx: CheckContext, rule: Command): void {
  for (const m of rule.matches) {
    if (!m.spec?.protocols) continue;
    if (m.spec.protocolsFamily && m.spec.protocolsFamily !== ruleFamily(ctx, rule)) continue;
    const proto = rule.protocol;
    // `! -p udp -m udp`, `! -p tcp --dport 22`: iptables-legacy's kernel check refuses it; iptables-nft takes most
    // such tcp and udp matches (held to both backends).
    if (proto?.negated && !proto.dynamic && (m.spec.name === 'tcp' || m.spec.name === 'udp') && proto.value.toLowerCase() === m.spec.name) {
      checkNegatedOwnProtocol(ctx, rule, m);
      continue;
    }
    if (m.implicit) continue;
    if (protoOk(rule, m.spec.protocols)) {
      if (m.spec.name === 'multiport') checkProtocolFirst(ctx, rule, m);
      continue;
    }
    const need = m.spec.name === 'multiport' ? '-p tcp, udp, udplite, sctp or dccp' : `-p ${m.spec.protocols[0]}`;
    ctx.sink.error('protocol-required', m.token?.range ?? rule.range,
      `-m ${m.name} needs ${need} on the rule${rule.protocol ? ` (it has -p ${rule.protocol.negated ? '! ' : ''}${rule.protocol.value})` : ''}: the kernel refuses it otherwise.`,
      { insert: `-p ${m.spec.protocols[0] === 'udplite' ? 'tcp' : m.spec.protocols[0]}` });
  }
}

/** A tcp or udp match on a rule of its own protocol negated: refused by iptables-legacy, and by iptables-nft for some. */
function checkNegatedOwnProtocol(ctx: CheckContext, rule: Command, m: MatchUse): void {
  const first = m.implicit ? m.options[0] : undefined;
  const what = first ? first.nameText : `-m ${m.name}`;
  const range = first ? first.nameToken.range : m.token?.range ?? rule.range;
  const data = first ? { option: first.nameText } : {};
  const message = `${what} looks at ${m.spec!.name.toUpperCase()} headers, which the packets of '! -p ${rule.protocol!.value}' do not have.`;
  if (nftTakesNegatedProtocol(m.options)) legacyOnly(ctx.sink, 'protocol-required', range, message, data);
  else {
    const why = m.options.some((o) => o.spec.names[0] === '--tcp-option') ? 'leaves --tcp-option' : 'leaves a match that tests no port or flag';
    ctx.sink.error('protocol-required', range, `${message} Both iptables-legacy and iptables-nft refuse it: iptables-nft ${why} to the kernel's ${m.spec!.name} module, which checks the protocol.`, data);
  }
}

/** multiport checks the protocol as it reads its ports: a -p written after them is not there yet. */
function checkProtocolFirst(ctx: CheckContext, rule: Command, m: MatchUse): void {
  const first = m.options[0];
  if (!first) return;
  const ports = rule.options.indexOf(first);
  for (let k = ports + 1; k < rule.options.length; k++) {
    const o = rule.options[k];
    if (o.owner || o.spec.short !== '-p') continue;
    ctx.sink.error('protocol-required', first.nameToken.range, `${first.nameToken.value} comes before ${o.nameToken.value}: multiport checks the protocol when it reads its ports, and iptables refuses the rule ("multiport needs -p tcp, ..."). Write ${o.nameToken.value} before -m multiport.`);
    return;
  }
}

/** Where a packet has no input interface (-i), or no output interface yet (-o), and why. */
const NO_INTERFACE = {
  in: { hooks: ['OUTPUT', 'POSTROUTING'], explain: 'locally sent packets have no input interface' },
  out: { hooks: ['PREROUTING', 'INPUT'], explain: 'the output interface is not known before routing' },
};

function checkInterfaces(ctx: CheckContext, rule: Command, cs: ChainState): void {
  for (const o of rule.options) {
    if (o.owner) continue;
    const dir = o.spec.short === '-i' ? NO_INTERFACE.in : o.spec.short === '-o' ? NO_INTERFACE.out : undefined;
    if (!dir) continue;
    if (cs.builtin) {
      if (dir.hooks.includes(cs.name)) {
        ctx.sink.error('interface-direction', o.nameToken.range, `${o.nameToken.value} cannot be used in ${cs.name}: ${dir.explain}. iptables refuses the rule.`);
      }
      continue;
    }
    checkInterfaceReach(ctx, o, cs, dir);
  }
}

/** An interface option in a user chain that only hooks where that interface is never known reach: it never matches. */
function checkInterfaceReach(ctx: CheckContext, o: OptionUse, cs: ChainState, dir: { hooks: readonly string[]; explain: string }): void {
  const hooks = ctx.graph.hooks(cs);
  if (!hooks.length || !hooks.every((h) => dir.hooks.includes(h))) return;
  const paths = hooks.map((h) => ctx.graph.path(cs, h).join(' -> ')).join(', ');
  ctx.sink.add('interface-direction', 'warning', o.nameToken.range, `${o.nameToken.value} in a chain reached only from ${paths}: ${dir.explain}, so this rule never matches (the kernel loads it anyway).`);
}

/** Options a module cannot do without; iptables refuses the rule when none of a group is given. */
const REQUIRED: Record<string, string[][]> = {
  'match:multiport': [['--sports', '--dports', '--ports']],
  // -m conntrack takes any one of its options, and refuses to be loaded with none.
  'match:conntrack': [MATCHES.find((m) => m.name === 'conntrack')!.options.map((o) => o.names[0])],
  // Loaded by -m (not by -p alone), the ICMP matches want their type.
  'match:icmp': [['--icmp-type']],
  'match:icmp6': [['--icmpv6-type']],
  'match:hashlimit': [['--hashlimit-name'], ['--hashlimit-upto', '--hashlimit-above', '--hashlimit']],
  'match:string': [['--algo'], ['--string', '--hex-string']],
  'match:set': [['--match-set']],
  'match:mac': [['--mac-source']],
  'match:iprange': [['--src-range', '--dst-range']],
  'match:policy': [['--dir']],
  'match:statistic': [['--mode']],
  'match:recent': [['--set', '--rcheck', '--update', '--remove']],
  'match:cluster': [['--cluster-total-nodes'], ['--cluster-local-node', '--cluster-local-nodemask'], ['--cluster-hash-seed']],
  'match:connlimit': [['--connlimit-upto', '--connlimit-above']],
  'match:length': [['--length']],
  'match:tos': [['--tos']],
  'match:dscp': [['--dscp', '--dscp-class']],
  'match:ttl': [['--ttl-eq', '--ttl-gt', '--ttl-lt']],
  'match:hl': [['--hl-eq', '--hl-gt', '--hl-lt']],
  'match:helper': [['--helper']],
  'match:pkttype': [['--pkt-type']],
  'match:connbytes': [['--connbytes'], ['--connbytes-dir'], ['--connbytes-mode']],
  'match:quota': [['--quota']],
  'match:u32': [['--u32']],
  'match:mark': [['--mark']],
  'match:connmark': [['--mark']],
  'match:comment': [['--comment']],
  'match:state': [['--state']],
  'match:addrtype': [['--src-type', '--dst-type']],
  'match:owner': [['--uid-owner', '--gid-owner', '--socket-exists']],
  'match:physdev': [['--physdev-in', '--physdev-out', '--physdev-is-in', '--physdev-is-out', '--physdev-is-bridged']],
  'match:ecn': [['--ecn-tcp-cwr', '--ecn-tcp-ece', '--ecn-ip-ect']],
  'match:tcpmss': [['--mss']],
  'match:cgroup': [['--path', '--cgroup']],
  'match:cpu': [['--cpu']],
  'match:devgroup': [['--src-group', '--dst-group']],
  'match:realm': [['--realm']],
  'match:nfacct': [['--nfacct-name']],
  'match:bpf': [['--bytecode', '--object-pinned']],
  'match:osf': [['--genre']],
  'match:connlabel': [['--label']],
  'match:ipv6header': [['--header']],
  'target:SNAT': [['--to-source']],
  'target:DNAT': [['--to-destination']],
  'target:NETMAP': [['--to']],
  'target:MARK': [['--set-mark', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark']],
  'target:CONNMARK': [['--set-mark', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark', '--save-mark', '--restore-mark']],
  'target:TPROXY': [['--on-port']],
  'target:SET': [['--add-set', '--del-set', '--map-set']],
  'target:TCPMSS': [['--set-mss', '--clamp-mss-to-pmtu']],
  'target:CLASSIFY': [['--set-class']],
  'target:TTL': [['--ttl-set', '--ttl-dec', '--ttl-inc']],
  'target:HL': [['--hl-set', '--hl-dec', '--hl-inc']],
  'target:DSCP': [['--set-dscp', '--set-dscp-class']],
  'target:TOS': [['--set-tos', '--and-tos', '--or-tos', '--xor-tos']],
  'target:CHECKSUM': [['--checksum-fill']],
  'target:AUDIT': [['--type']],
  'target:IDLETIMER': [['--label'], ['--timeout']],
  'target:ECN': [['--ecn-tcp-remove', '--ecn-tcp-cwr', '--ecn-tcp-ece', '--ecn-ip-ect']],
  'target:SECMARK': [['--selctx']],
  'target:CONNSECMARK': [['--save', '--restore']],
  'target:TEE': [['--gateway']],
  // The estimator's name, and how it measures: the kernel has no defaults for them.
  'target:RATEEST': [['--rateest-name'], ['--rateest-interval'], ['--rateest-ewmalog']],
  'target:SNPT': [['--src-pfx'], ['--dst-pfx']],
  'target:DNPT': [['--src-pfx'], ['--dst-pfx']],
  'target:HMARK': [['--hmark-mod'], ['--hmark-rnd'], ['--hmark-tuple', '--hmark-src-prefix', '--hmark-dst-prefix', '--hmark-sport-mask', '--hmark-dport-mask', '--hmark-spi-mask', '--hmark-proto-mask', '--hmark-sport', '--hmark-dport', '--hmark-spi']],
  // Which estimator, its bytes or packets, and how to compare: the kernel refuses a rule without any of them.
  'match:rateest': [['--rateest1'], ['--rateest-bps1', '--rateest-pps1', '--rateest-bps2', '--rateest-pps2'], ['--rateest-lt', '--rateest-gt', '--rateest-eq']],
};

/** REQUIRED by module, looked up once per module rather than by building its name for every rule. */
const requiredBySpec = new Map<ModuleSpec, string[][]>();

/** The groups of options a module cannot do without (one of each group). */
export function requiredOf(spec: ModuleSpec): string[][] {
  let groups = requiredBySpec.get(spec);
  if (!groups) requiredBySpec.set(spec, (groups = REQUIRED[`${spec.kind}:${spec.name}`] ?? []));
  return groups;
}

/** -m statistic: the random mode needs its probability, the nth mode its count. */
function checkStatisticMode(ctx: CheckContext, options: OptionUse[]): void {
  const mode = hasOption(options, '--mode');
  const need = mode?.argValue === 'random' ? '--probability' : mode?.argValue === 'nth' ? '--every' : undefined;
  if (!mode || !need) return;
  if (!hasOption(options, need)) {
    ctx.sink.error('missing-argument', mode.arg!.range, `--mode ${mode.argValue} needs ${need}: iptables refuses it without.`, { module: 'statistic', missing: need });
    return;
  }
  // The counter starts at --packet and matches when it comes round to 0, so it must be one of 0 to every-1.
  const at = hasOption(options, '--packet');
  const [every, packet] = [hasOption(options, '--every'), at].map((o) => readArg(o, strtoulBase0));
  if (every !== undefined && packet !== undefined && every >= 1 && packet > every - 1) {
    ctx.sink.error('invalid-value', at!.arg!.range, `--packet ${packet} is not below --every ${every}: the counter runs from 0 to ${every - 1}, and iptables refuses it ("the --packet p must be 0 <= p <= n-1").`);
  }
}

/**
 * -m rt: ip6tables reads its options in order, and takes type 0's addresses and reserved field only after `--rt-type 0`, and
 * `--rt-0-not-strict` only after the addresses.
 */
function checkRoutingHeaderOrder(ctx: CheckContext, options: OptionUse[]): void {
  let typeZero = false;
  let addresses = false;
  for (const o of options) {
    const name = o.spec.names[0];
    if (name === '--rt-type') typeZero = !o.negated && readArg(o, strtoulBase0) === 0;
    else if (name === '--rt-0-addrs') {
      addresses = true;
      if (!typeZero) ctx.sink.error('missing-argument', o.nameToken.range, '--rt-0-addrs needs --rt-type 0 before it: ip6tables refuses it otherwise ("`--rt-type 0\' required before `--rt-0-addrs\'").', { module: 'rt', missing: '--rt-type' });
    } else if (name === '--rt-0-res' && !typeZero) {
      ctx.sink.error('missing-argument', o.nameToken.range, '--rt-0-res needs --rt-type 0 before it: ip6tables refuses it otherwise ("`--rt-type 0\' required before `--rt-0-res\'").', { module: 'rt', missing: '--rt-type' });
    } else if (name === '--rt-0-not-strict' && !addresses) {
      ctx.sink.error('missing-argument', o.nameToken.range, '--rt-0-not-strict needs --rt-0-addrs before it: ip6tables refuses it otherwise.', { module: 'rt', missing: '--rt-0-addrs' });
    }
  }
}

/** -m time --contiguous: a span over midnight, so the stop time comes before the start time. */
function checkTimeSpan(ctx: CheckContext, options: OptionUse[]): void {
  const [contiguous, start, stop] = ['--contiguous', '--timestart', '--timestop'].map((n) => hasOption(options, n));
  if (!contiguous || !start?.argValue || !stop?.argValue || start.argDynamic || stop.argDynamic) return;
  const seconds = (t: string) => t.split(':').reduce((acc, p, k) => acc + Number(p || 0) * [3600, 60, 1][k], 0);
  if (seconds(stop.argValue) > seconds(start.argValue)) {
    ctx.sink.error('invalid-value', contiguous.nameToken.range, `--contiguous is for a span over midnight: iptables refuses it when the stop time (${stop.argValue}) comes after the start time (${start.argValue}) ("--contiguous only makes sense when stoptime is smaller than starttime").`);
  }
}

/** -m policy: each element of a strict policy needs a condition, and tunnel addresses need --mode tunnel (for --pol ipsec). */
function checkPolicyElements(ctx: CheckContext, options: OptionUse[]): void {
  const ELEMENT = ['--reqid', '--spi', '--proto', '--mode', '--tunnel-src', '--tunnel-dst'];
  const elements: OptionUse[][] = [[]];
  for (const o of options) {
    if (o.spec.startsElement) elements.push([]);
    else if (ELEMENT.includes(o.spec.names[0])) elements[elements.length - 1].push(o);
  }
  const strict = hasOption(options, '--strict');
  if (strict && elements.some((e) => e.length === 0)) {
    ctx.sink.error('missing-argument', strict.nameToken.range, '--strict needs each element of the policy to say something (--proto, --mode, --spi, --reqid, --tunnel-src or --tunnel-dst): iptables refuses an empty one.', { module: 'policy', missing: '--proto' });
  }
  // With --pol none the elements describe no policy, and iptables does not check them.
  if (hasOption(options, '--pol')?.argValue === 'none') return;
  for (const e of elements) {
    const tunnel = e.find((o) => o.spec.names[0] === '--tunnel-src' || o.spec.names[0] === '--tunnel-dst');
    if (tunnel && !e.some((o) => o.spec.names[0] === '--mode' && o.argValue === 'tunnel' && !o.negated)) {
      ctx.sink.error('missing-argument', tunnel.nameToken.range, `${tunnel.nameToken.value} needs --mode tunnel in the same element: iptables refuses it without.`, { module: 'policy', missing: '--mode' });
    }
  }
}

/** -m owner: iptables takes --suppl-groups only after --gid-owner, whose groups it widens. */
function checkOwnerOrder(ctx: CheckContext, options: OptionUse[]): void {
  for (const o of options) {
    const name = o.spec.names[0];
    if (name === '--gid-owner') return;
    if (name === '--suppl-groups') {
      ctx.sink.error('missing-argument', o.nameToken.range, '--suppl-groups needs --gid-owner before it: iptables refuses it otherwise ("you need to use --gid-owner first").', { module: 'owner', missing: '--gid-owner' });
      return;
    }
  }
}

/** -m cluster: the local nodes' mask has no bit past the number of nodes. */
function checkClusterMask(ctx: CheckContext, options: OptionUse[]): void {
  const [total, mask] = ['--cluster-total-nodes', '--cluster-local-nodemask'].map((n) => hasOption(options, n));
  const [nodes, bits] = [total, mask].map((o) => readArg(o, strtoulBase0));
  if (nodes === undefined || bits === undefined || bits < 2 ** nodes) return;
  ctx.sink.error('invalid-value', mask!.arg!.range, `--cluster-local-nodemask ${bits} names a node past the ${nodes} of --cluster-total-nodes (at most ${2 ** nodes - 1}): iptables refuses it ("too big for the total nodes").`);
}

/**
 * RATEEST: the interval is rounded up to 250 ms times a power of two, at most 8 s; the averaging time gives the
 * weight of each new measurement as a power of two, which iptables refuses outside 1 to 30 (an averaging time not
 * longer than the interval, or too long for it).
 */
function checkRateestTimes(ctx: CheckContext, options: OptionUse[]): void {
  const [interval, ewma] = ['--rateest-interval', '--rateest-ewmalog'].map((n) => hasOption(options, n));
  const [i, e] = [interval, ewma].map((o) => readArg(o, rateestMicros));
  if (i === undefined) return;
  if (!(i <= 8e6)) {
    ctx.sink.error('invalid-value', interval!.arg!.range, `An interval of ${interval!.argValue}: RATEEST measures at most every 8 seconds, and iptables refuses it ("interval value is too large").`);
    return;
  }
  if (e === undefined) return;
  let log = 1;
  while (log < 32 && !(i / -Math.log(1 - 1 / 2 ** log) > e)) log++;
  if (log - 1 === 0 || log - 1 >= 31) ctx.sink.error('invalid-value', ewma!.arg!.range, `An averaging time of ${ewma!.argValue} with an interval of ${interval!.argValue}: iptables refuses it ("ewmalog value is out of range"). Make it a few times the interval (with 250ms, 1s).`);
}

/** Rules of a module beyond the options it needs: what its values require of one another. */
const MODULE_RULES: Record<string, (ctx: CheckContext, options: OptionUse[]) => void> = {
  statistic: checkStatisticMode,
  rt: checkRoutingHeaderOrder,
  time: checkTimeSpan,
  policy: checkPolicyElements,
  owner: checkOwnerOrder,
  cluster: checkClusterMask,
  RATEEST: checkRateestTimes,
};

/** The first group of options a module cannot do without of which `uses` has none (reported at the module's name). */
function checkRequiredOf(ctx: CheckContext, rule: Command, spec: ModuleSpec, use: MatchUse | TargetUse): void {
  for (const group of requiredOf(spec)) {
    if (hasOptionAmong(use.options, group)) continue;
    ctx.sink.error('missing-argument', moduleRange(rule, use), `${spec.kind === 'match' ? '-m' : '-j'} ${spec.name} needs ${group.length > 1 ? 'one of ' : ''}${group.join(', ')}: iptables refuses it without.`, { module: spec.name, missing: group[0] });
    return;
  }
}

/** Whether one of `options` is one of the options `names` (by its first name). */
function hasOptionAmong(options: readonly OptionUse[], names: readonly string[]): boolean {
  for (const x of options) if (names.includes(x.spec.names[0])) return true;
  return false;
}

function checkRequired(ctx: CheckContext, rule: Command): void {
  if (rule.dynamic || rule.broken) return;
  for (const m of rule.matches) {
    if (m.spec && !m.implicit) checkRequiredOf(ctx, rule, m.spec, m);
    const own = m.spec && MODULE_RULES[m.spec.name];
    if (own) own(ctx, m.options);
  }
  const t = rule.target;
  if (!t?.spec) return;
  checkRequiredOf(ctx, rule, t.spec, t);
  // (Targets are named in capitals, matches in small letters: one table holds both.)
  MODULE_RULES[t.spec.name]?.(ctx, t.options);
}
