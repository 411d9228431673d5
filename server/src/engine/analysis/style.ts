/** Rule-level advice: blocklists better kept in an ipset, -m state, unused chains, never-matching rules. */
import { CheckContext } from '../checks/context';
import { Command, counted, OptionUse } from '../model';
import { AnalysisModel, RuleInfo } from './model';
import { DiagnosticSink } from '../parse/diagnostics';
import { ChainState, ruleLines } from '../state';
import { hashText } from '../fingerprint';
import { managedChainNote } from '../kb/managed';

function checkDeprecated(ctx: CheckContext, rule: Command): void {
  for (const m of rule.matches) {
    // The range of -m's word, not its Token: a ruleset may say -m state on every rule, and a command keeps a Token once made.
    const range = m.spec?.name === 'state' ? m.range : undefined;
    if (!range) continue;
    ctx.sink.add('deprecated-match', 'hint', range, '-m state is the older form of -m conntrack --ctstate, which current distributions use (the meaning is the same).', { replacement: 'conntrack' });
  }
}

/** The address option of a rule that could go into a set: its only -s or -d, one address, no shell value. */
function soleAddress(rule: Command): OptionUse | undefined {
  if (rule.dynamic) return undefined;
  let found: OptionUse | undefined;
  for (const o of rule.options) {
    if (o.owner || (o.spec.short !== '-s' && o.spec.short !== '-d')) continue;
    if (found) return undefined;
    found = o;
  }
  return found && found.argValue !== undefined && !found.argValue.includes(',') ? found : undefined;
}

/**
 * Whether two options have the same values, read as text: the first without a list, the others (a second value is
 * rare) as lists of text, never as Tokens (which a command keeps once made).
 */
function sameValues(a: OptionUse, b: OptionUse): boolean {
  if (a.valueCount !== b.valueCount || a.argValue !== b.argValue) return false;
  if (a.valueCount < 2) return true;
  const [x, y] = [a.values, b.values];
  for (let k = 1; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

/**
 * A hash of what a rule says, its address left out: its command, rule number and options in order (names,
 * negations and values). Rules with the same hash are then compared option by option.
 */
function shapeHash(rule: Command, addr: OptionUse): number {
  let h = hashText(0x811c9dc5 ^ (addr.spec.short === '-s' ? 1 : 2), rule.spec.short ?? '');
  const rulenum = rule.partText('rulenum');
  if (rulenum !== undefined) h = hashText(h, rulenum);
  for (const o of rule.options) {
    h = hashText(h, o.spec.names[0]);
    if (o.negated) h = Math.imul(h ^ 33, 0x01000193);
    if (o !== addr && o.argValue !== undefined) h = hashText(h, o.argValue);
  }
  return h;
}

/** The same command, rule number and options, apart from the value of the address option. */
function sameShape(a: Command, b: Command, addrA: OptionUse, addrB: OptionUse): boolean {
  if (a.spec !== b.spec || a.options.length !== b.options.length || a.partText('rulenum') !== b.partText('rulenum')) return false;
  return a.options.every((o, k) => {
    const p = b.options[k];
    if (o.spec !== p.spec || o.negated !== p.negated || (o === addrA) !== (p === addrB)) return false;
    return o === addrA || sameValues(o, p);
  });
}

/** Rules of the same shape: the first (and its address option), the others once there are others. */
class Group {
  more: Command[] | undefined = undefined;
  /** The next group whose shape has the same hash. */
  next: Group | undefined = undefined;

  constructor(readonly first: Command, readonly addr: OptionUse) {}

  get rules(): Command[] {
    return this.more ? [this.first, ...this.more] : [this.first];
  }
}

/** Rules of one chain that differ only by one address: a blocklist written rule by rule. */
class IpsetGroups {
  // Rules are grouped by a hash of their shape, then each group is split by exact comparison.
  private readonly byHash = new Map<number, Group>();

  add(rule: Command): void {
    const addr = soleAddress(rule);
    if (!addr) return;
    const h = shapeHash(rule, addr);
    let g = this.byHash.get(h);
    while (g && !sameShape(g.first, rule, g.addr, addr)) g = g.next;
    if (g) (g.more ??= []).push(rule);
    else {
      const fresh = new Group(rule, addr);
      fresh.next = this.byHash.get(h);
      this.byHash.set(h, fresh);
    }
  }

  report(ctx: CheckContext, cs: ChainState): void {
    // forEach, not a for-of over the map's values: run once per chain, before V8 optimises it, each step of the
    // iterator would allocate.
    this.byHash.forEach((head) => {
      for (let g: Group | undefined = head; g; g = g.next) {
        if (1 + (g.more?.length ?? 0) >= ctx.settings.ipsetThreshold) reportGroup(ctx, cs, g.rules);
      }
    });
  }
}

/** prefer-ipset for one group of rules that differ only by an address. */
function reportGroup(ctx: CheckContext, cs: ChainState, list: Command[]): void {
  const first = list[0];
  const which = first.options.find((o) => o.spec.short === '-s') ? 'source' : 'destination';
  ctx.sink.add('prefer-ipset', 'info', first.range, `${list.length} rules in ${cs.name} differ only by ${which} address: every packet is compared with each in turn. One ipset (-m set --match-set NAME ${which === 'source' ? 'src' : 'dst'}) is a single hash lookup.`, { count: list.length, lines: list.map((r) => r.startLine) });
}

function checkUnused(ctx: CheckContext): void {
  // A jump to a shell value may reach any chain.
  if (ctx.rs.commands.some((c) => c.target?.dynamic)) return;
  const refused = refusedJumps(ctx);
  for (const cs of ctx.state.all()) {
    if (cs.builtin || ctx.graph.callers(cs).length) continue;
    // A chain that ufw, Docker, fail2ban or kube-proxy jumps to itself: a hint, not advice to add a jump.
    const managed = managedChainNote(cs.name);
    if (managed) ctx.sink.add('unused-chain', 'hint', cs.declRange, `Chain ${cs.name} is never jumped to in this file, but ${managed}: on such a host ${cs.rules.length === 1 ? 'its rule does' : `its ${cs.rules.length} rules do`} see packets.`, { chain: cs.name, managed: true });
    else ctx.sink.add('unused-chain', 'info', cs.declRange, `Chain ${cs.name} is never jumped to${refusedNote(refused.get(`${cs.table} ${cs.name}`))}: none of its ${counted(cs.rules.length, 'rule')} ever sees a packet.`, { chain: cs.name });
  }
}

/** In a script, the jumps to user chains that iptables refuses (the commands fail), by table and chain name. */
function refusedJumps(ctx: CheckContext): Map<string, Command[]> {
  const out = new Map<string, Command[]>();
  if (ctx.rs.format !== 'script') return out;
  for (const c of ctx.rs.commands) {
    if (!c.target || c.target.spec || !ctx.model.isRefused(c)) continue;
    const key = `${c.table} ${c.target.name}`;
    (out.get(key) ?? out.set(key, []).get(key)!).push(c);
  }
  return out;
}

/** The refused jumps to a chain, as words for the message. */
function refusedNote(jumps: Command[] | undefined): string {
  return jumps?.length ? ` (iptables refuses ${jumps.length > 1 ? 'the jumps' : 'the jump'} to it: ${ruleLines(jumps)})` : '';
}

function checkNever(ctx: CheckContext, ri: RuleInfo): void {
  const reason = ri.emptyReason;
  if (reason) ctx.sink.add('never-matches', 'warning', ri.rule.range, `This rule can never match: ${reason}.`);
}

/** Deprecated matches, never-matching rules and would-be ipsets of one chain, in one pass over its rules. */
function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const ipsets = new IpsetGroups();
  // Indexed: run once per chain, over thousands of rules, mostly before V8 optimises it (where each step of a
  // for-of would allocate).
  const rules = model.rules(cs);
  for (let k = 0; k < rules.length; k++) {
    const ri = rules[k];
    checkDeprecated(ctx, ri.rule);
    checkNever(ctx, ri);
    ipsets.add(ri.rule);
  }
  ipsets.report(ctx, cs);
}

export function checkStyle(model: AnalysisModel, ctx: CheckContext): void {
  let inChains = 0;
  for (const cs of ctx.state.all()) {
    inChains += cs.rules.length;
    if (!ctx.memo) {
      checkChain(model, ctx, cs);
      continue;
    }
    // An unchanged chain has the same findings as last time.
    ctx.sink.addAll(ctx.memo.forChain(model.signature(cs), `style:${ctx.settings.ipsetThreshold}`, () => {
      const sink = new DiagnosticSink();
      checkChain(model, { ...ctx, sink }, cs);
      return sink.items;
    }));
  }
  // Commands outside the final chains (-D, -N, rules of deleted chains, a rule broken by the word being typed) still
  // get the rule-level advice. A chain holds each command at most once, so when the chains hold as many rules as
  // there are commands there are none.
  const held = inChains === ctx.rs.commands.length ? undefined : ctx.state.held(ctx.rs.commands.length);
  for (const rule of held ? ctx.rs.commands : []) {
    if (held![rule.index] === 1) continue;
    if (!ctx.memo) checkDeprecated(ctx, rule);
    else ctx.sink.addAll(ctx.memo.forRule(rule, 'style', '', () => {
      const sink = new DiagnosticSink();
      checkDeprecated({ ...ctx, sink }, rule);
      return sink.items;
    }));
  }
  checkUnused(ctx);
}
