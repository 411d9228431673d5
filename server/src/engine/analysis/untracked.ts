/**
 * Rules that wait for a connection state the raw table took away (untracked-state). `-j NOTRACK` (or `-j CT
 * --notrack`) in raw PREROUTING or OUTPUT leaves the packets it takes outside connection tracking: their state is
 * UNTRACKED from then on. A later rule that asks for NEW, ESTABLISHED, RELATED or INVALID never matches any of them,
 * so where every packet such a rule could match is untracked, the rule never matches at all: the usual DNS or NTP
 * server made "faster" with NOTRACK whose `--ctstate NEW` accept then lets nothing in.
 *
 * Sound, not complete: a NOTRACK rule counts only where it is exact and every packet of its box reaches it (no
 * earlier rule of its chain may accept or divert them; one that drops them is fine, the packets never get further).
 * A ruleset that rewrites addresses, ports or header fields the boxes look at (NAT, ECN, TTL, HL) is not looked at:
 * a tracked packet could be rewritten into the untracked ones' box after raw.
 */
import { CheckContext } from '../checks/context';
import { loadsUnseen, OptionUse, untracksPackets } from '../model';
import { ChainState } from '../state';
import { AnalysisModel, DENY, RuleInfo } from './model';
import { someOverlaps } from './policy';
import { Box, Dim, stateSet } from './space';

const UNTRACKED = stateSet('UNTRACKED');

/** Tables whose chains come after raw on a packet's way and may match by connection state. */
const LATER_TABLES = new Set(['filter', 'mangle', 'security']);

/** The raw chains a packet passed before it reaches a hook: forwarded and incoming packets PREROUTING, local ones OUTPUT. */
const RAW_BEFORE: Record<string, readonly string[]> = {
  PREROUTING: ['PREROUTING'],
  INPUT: ['PREROUTING'],
  FORWARD: ['PREROUTING'],
  OUTPUT: ['OUTPUT'],
  POSTROUTING: ['PREROUTING', 'OUTPUT'],
};

/** Targets that rewrite what a box looks at, after raw: with any of them, nothing is claimed. */
const REWRITERS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'ECN', 'TTL', 'HL']);

/** The packets one raw chain surely untracks: the boxes of its NOTRACK rules, and those rules. */
interface Untracked {
  boxes: Box[];
  rules: RuleInfo[];
}

function untrackedBy(model: AnalysisModel, cs: ChainState | undefined): Untracked | undefined {
  if (!cs) return undefined;
  const space = model.space(cs);
  const out: Untracked = { boxes: [], rules: [] };
  // Boxes of earlier rules that may take packets on elsewhere (an ACCEPT ends the raw chain, a jump may): a NOTRACK
  // rule overlapping one of them may not see all of its packets.
  const elsewhere: Box[] = [];
  for (const ri of model.rules(cs)) {
    if (space.isEmpty(ri.box)) continue;
    if (untracksPackets(ri.rule) && ri.exact && space.isFull(ri.box, Dim.State) && !someOverlaps(space, elsewhere, ri.box)) {
      out.boxes.push(ri.box);
      out.rules.push(ri);
    } else if (ri.flow.kind !== 'continue' && !(ri.flow.kind === 'verdict' && DENY.has(ri.flow.verdict))) {
      elsewhere.push(ri.box);
    }
  }
  return out.boxes.length ? out : undefined;
}

/** Whether some rule of the family may rewrite a packet after raw (see REWRITERS). */
function rewrites(ctx: CheckContext, family: 4 | 6): boolean {
  for (const cs of ctx.state.all()) {
    if (cs.family !== family || (cs.table !== 'nat' && cs.table !== 'mangle')) continue;
    for (const r of cs.rules) if (r.target && (r.target.dynamic || REWRITERS.has(r.target.spec?.name ?? ''))) return true;
  }
  return false;
}

/** The rule's plain (not negated) connection-state option: where the finding points, and what its fix extends. */
function stateOption(ri: RuleInfo): OptionUse | undefined {
  for (const m of ri.rule.matches) {
    const name = m.spec?.name;
    if (name !== 'state' && name !== 'conntrack') continue;
    const o = m.options.find((x) => (x.spec.names[0] === '--state' || x.spec.names[0] === '--ctstate') && !x.negated && !x.argDynamic);
    if (o) return o;
  }
  return undefined;
}

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState, raw: (name: string) => Untracked | undefined): void {
  const hooks = ctx.graph.hooks(cs);
  if (!hooks.length) return;
  const sources: Untracked[] = [];
  for (const hook of hooks) {
    for (const name of RAW_BEFORE[hook] ?? []) {
      const u = raw(name);
      if (!u) return;
      sources.push(u);
    }
  }
  const space = model.space(cs);
  for (const ri of model.rules(cs)) {
    const states = ri.box[Dim.State];
    if (space.isFull(ri.box, Dim.State) || states.overlaps(UNTRACKED) || space.isEmpty(ri.box)) continue;
    // Every packet the rule could match, whatever its state, must be untracked on every way it can come.
    const any = ri.box.slice();
    any[Dim.State] = space.full[Dim.State];
    if (!sources.every((u) => space.covered(any, u.boxes, model.limits.cover) === true)) continue;
    const o = stateOption(ri);
    if (!o?.arg) continue;
    const by = [...new Set(sources.flatMap((u) => u.rules.filter((n) => space.overlaps(n.box, any))))];
    const lines = by.slice(0, 3).map((n) => `line ${n.rule.range.start.line + 1}`).join(', ');
    ctx.sink.add('untracked-state', 'warning', o.arg.range,
      `This rule never matches: it asks for connection state ${o.argValue}, but the raw table stops tracking every packet it could match (${lines}${by.length > 3 ? ` and ${by.length - 3} more` : ''}), and the state of such a packet is UNTRACKED. Add UNTRACKED to the states, or stop untracking these packets.`,
      { replacement: `${o.argValue},UNTRACKED` },
    ).related = by.slice(0, 10).map((n) => ({ range: n.rule.range, message: 'stops tracking these packets' }));
  }
}

/** Every rule after raw whose connection states the packets it could match never have. */
export function checkUntracked(model: AnalysisModel, ctx: CheckContext): void {
  for (const family of [4, 6] as const) {
    const known = new Map<string, Untracked | undefined>();
    const raw = (name: string) => {
      if (!known.has(name)) known.set(name, untrackedBy(model, ctx.state.get(family, 'raw', name)));
      return known.get(name);
    };
    if (!raw('PREROUTING') && !raw('OUTPUT')) continue;
    if (rewrites(ctx, family) || loadsUnseen(ctx.rs, family)) continue;
    for (const cs of ctx.state.all()) if (cs.family === family && LATER_TABLES.has(cs.table)) checkChain(model, ctx, cs, raw);
  }
}
