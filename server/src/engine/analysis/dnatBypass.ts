/**
 * An INPUT rule for a port that nat PREROUTING forwards (dnat-bypassed): the DNAT rewrites the connections to another
 * address and port before the filter table sees them, so they pass FORWARD, and the INPUT rule written for the
 * port never meets them. The classic case is a Docker host: `-A INPUT -p tcp --dport 8080 -j DROP` does not close
 * a container's published port 8080, which Docker's DNAT sends to the container. A REDIRECT (a transparent proxy's
 * `--dport 80 -j REDIRECT --to-ports 3128`) likewise leaves INPUT a rule for port 80 that never meets them.
 *
 * Only packets the DNAT surely takes are counted: its own box and that of the jump that leads to it from
 * PREROUTING (one level, as Docker and most port-forward setups have it), less every box of an earlier rule that
 * may take packets elsewhere. `-m addrtype --dst-type LOCAL` on the way (Docker's jump) holds for every packet that
 * would otherwise reach INPUT, whose destination is an address of this machine. The rule is only spoken of when it
 * is about the forwarded ports (all its ports are ports the DNAT takes) and the DNAT changes the port to one the
 * rule does not name (were the new address this machine's own, INPUT would still not see the old port), or sends
 * the connections to a container (Docker's DOCKER chain publishes container ports, same port or not).
 */
import { CheckContext } from '../checks/context';
import { DiagnosticSink } from '../parse/diagnostics';
import { canonicalSpec, quote } from '../format';
import { loadsUnseen, MatchUse } from '../model';
import { ChainState } from '../state';
import { plainPortCount } from '../kb/values';
import { describeDestination, natTarget, NatDestination } from './dnat';
import { IntervalSet } from './intervals';
import { AnalysisModel, RuleInfo } from './model';
import { ruleMatchIn } from './ruleMatch';
import { BoxIndex } from './boxIndex';
import { Box, Dim, Space } from './space';

/** A part of what a DNAT surely takes, the DNAT, where it sends it, and the ports it sends it to. */
interface Forwarded {
  box: Box;
  dnat: RuleInfo;
  to: NatDestination;
  newPorts: IntervalSet;
  /** Sent to another host for certain: a container, by Docker's own chain (DOCKER publishes container ports). */
  elsewhere: boolean;
}

function rewritesDestination(ri: RuleInfo): boolean {
  const name = ri.rule.target?.spec?.name;
  return name === 'DNAT' || name === 'REDIRECT';
}

/** `-m addrtype --dst-type LOCAL`, alone: true of every packet whose destination is this machine. */
function toThisMachine(m: MatchUse): boolean {
  return m.spec?.name === 'addrtype' && m.options.length === 1 && m.options[0].spec.names[0] === '--dst-type' && !m.options[0].negated && m.options[0].argValue === 'LOCAL';
}

/** The rule's box for packets bound for this machine, when the model reads it exactly. */
function exactBoxForLocal(model: AnalysisModel, ri: RuleInfo): Box | undefined {
  if (ri.exact) return ri.box;
  const m = ruleMatchIn(model.rs, ri.rule, model.space(ri.chain), toThisMachine);
  return m.exact ? m.box : undefined;
}

/**
 * The rules of a chain that may take packets elsewhere (anything but go on), indexed; `before[k]`: how many of them
 * come before the k-th rule.
 */
class Diverters {
  readonly index: BoxIndex<Box>;
  readonly before: Int32Array;

  constructor(space: Space, rules: RuleInfo[]) {
    this.index = BoxIndex.best<Box>(space, (b) => b, rules.map((r) => r.box));
    this.before = new Int32Array(rules.length);
    for (let k = 0; k < rules.length; k++) {
      this.before[k] = this.index.size;
      const r = rules[k];
      if (r.flow.kind !== 'continue' && !space.isEmpty(r.box)) this.index.add(r.box);
    }
  }

  /** `pieces` (all inside `box`) less what the rules before the k-th that overlap `box` may take elsewhere. */
  less(space: Space, pieces: Box[], box: Box, k: number): Box[] {
    for (const b of this.index.query(box, this.before[k])) {
      pieces = space.subtractFromAll(pieces, b);
      // Too many pieces to follow, or none left: claim nothing rather than something unproven.
      if (pieces.length > 64) return [];
      if (!pieces.length) break;
    }
    return pieces;
  }
}

/** What the DNATs of nat PREROUTING (`pre`), and of the chains it jumps to, surely take, with where they send it. */
function forwarded(model: AnalysisModel, pre: ChainState): Forwarded[] {
  const family = pre.family;
  const space = model.space(pre);
  const out: Forwarded[] = [];
  const take = (rules: RuleInfo[], diverters: Diverters, at: number, way: Box) => {
    const ri = rules[at];
    // Only a destination that names its port counts: a DNAT or REDIRECT that keeps the port is not looked at.
    const to = natTarget(ri, family);
    const own = exactBoxForLocal(model, ri);
    const box = to?.ports && own && space.intersect(way, own);
    if (!box) return;
    const newPorts = IntervalSet.of(BigInt(to!.ports![0]), BigInt(to!.ports![1]));
    const elsewhere = ri.chain.name === 'DOCKER' && !ri.chain.builtin && to!.addr !== undefined;
    for (const p of diverters.less(space, [box], box, at)) out.push({ box: p, dnat: ri, to: to!, newPorts, elsewhere });
  };
  const top = model.rules(pre);
  let topDiverters: Diverters | undefined;
  const chains = new Map<ChainState, Diverters>();
  top.forEach((ri, k) => {
    if (rewritesDestination(ri)) return take(top, (topDiverters ??= new Diverters(space, top)), k, space.full);
    const chain = ri.flow.kind === 'jump' || ri.flow.kind === 'goto' ? ri.flow.chain : undefined;
    const rules = chain && !chain.builtin ? model.rules(chain) : undefined;
    const jump = rules?.some(rewritesDestination) ? exactBoxForLocal(model, ri) : undefined;
    if (!chain || !rules || !jump) return;
    let diverters = chains.get(chain);
    if (!diverters) chains.set(chain, (diverters = new Diverters(space, rules)));
    topDiverters ??= new Diverters(space, top);
    for (const way of topDiverters.less(space, [jump], jump, k)) {
      for (let j = 0; j < rules.length; j++) if (rewritesDestination(rules[j])) take(rules, diverters, j, way);
    }
  });
  return out;
}

/** The forwarded connections, found by port: a rule is only about those whose DNAT names the rule's lowest port. */
class ByPort {
  private readonly byPort = new Map<number, Forwarded[]>();
  /** DNATs that name many ports: looked at one by one. */
  private readonly wide: Forwarded[] = [];
  /** No DNAT forwards anything a rule could be about. */
  readonly empty: boolean;

  constructor(space: Space, all: Forwarded[]) {
    this.empty = all.length === 0;
    for (const f of all) {
      const ports = f.dnat.box[Dim.Dport];
      if (space.isFull(f.dnat.box, Dim.Dport)) continue;
      if (ports.size() > 64n) {
        this.wide.push(f);
        continue;
      }
      for (const [lo, hi] of ports.items) {
        for (let p = Number(lo); p <= Number(hi); p++) {
          const list = this.byPort.get(p);
          if (list) list.push(f);
          else this.byPort.set(p, [f]);
        }
      }
    }
  }

  /** Those whose DNAT's ports include `port`. */
  near(port: number): readonly Forwarded[] {
    const list = this.byPort.get(port);
    return !this.wide.length ? list ?? NONE : [...(list ?? NONE), ...this.wide];
  }
}

const NONE: Forwarded[] = [];

const VERDICTS = new Set(['ACCEPT', 'DROP', 'REJECT']);

/**
 * The rule written for Docker's DOCKER-USER chain (which FORWARD passes every forwarded connection through first),
 * matching the connections by the port they were sent to (`--ctorigdstport`), as Docker's documentation advises;
 * undefined for a rule with conditions that do not carry over plainly (only -s, -i, -p, one --dport, a state and a
 * comment do).
 */
function dockerUserRule(ri: RuleInfo): string | undefined {
  const r = ri.rule;
  const verdict = r.target?.spec?.name;
  if (!verdict || !VERDICTS.has(verdict) || r.target!.goto || r.dynamic) return undefined;
  const parts: string[] = [];
  let port: string | undefined;
  let state: string | undefined;
  let comment: string | undefined;
  for (const o of r.options) {
    if (o.owner) continue;
    const short = o.spec.short;
    if (short === '-m' || short === '-j') continue;
    if (short !== '-s' && short !== '-i' && short !== '-p') return undefined;
    parts.push(`${o.negated ? '! ' : ''}${short} ${o.argValue}`);
  }
  for (const m of r.matches) {
    const name = m.spec?.name;
    for (const o of m.options) {
      const opt = o.spec.names[0];
      if ((name === 'tcp' || name === 'udp') && opt === '--dport' && !o.negated && port === undefined && plainPortCount(o.argValue ?? '') === 1) port = o.argValue;
      else if ((name === 'conntrack' && opt === '--ctstate') || (name === 'state' && opt === '--state')) state = o.negated ? undefined : o.argValue;
      else if (name === 'comment' && opt === '--comment') comment = o.argValue;
      else return undefined;
      if ((opt === '--ctstate' || opt === '--state') && o.negated) return undefined;
    }
  }
  if (port === undefined) return undefined;
  const ct = `-m conntrack${state ? ` --ctstate ${state}` : ''} --ctorigdstport ${port} --ctdir ORIGINAL`;
  const targetOpts = r.target!.options.map((o) => `${o.nameText} ${o.values.map(quote).join(' ')}`.trim()).join(' ');
  return ['-A DOCKER-USER', ...parts, ct, ...(comment !== undefined ? [`-m comment --comment ${quote(comment)}`] : []), `-j ${verdict}`, ...(targetOpts ? [targetOpts] : [])].join(' ');
}

function describeRule(ri: RuleInfo): string {
  const spec = canonicalSpec(ri.rule, { restore: true });
  return spec ? spec.replace(/ -j (DNAT|REDIRECT).*$/, '') : `the rule on line ${ri.rule.range.start.line + 1}`;
}

function checkRule(model: AnalysisModel, ctx: CheckContext, ri: RuleInfo, byPort: ByPort): void {
  // Most rules name no forwarded port: found out first, by one lookup.
  const ports = ri.box[Dim.Dport];
  const lowest = ports.min;
  const near = lowest === undefined ? NONE : byPort.near(Number(lowest));
  if (!near.length) return;
  const space = model.space(ri.chain);
  if (space.isFull(ri.box, Dim.Dport) || space.isFull(ri.box, Dim.Proto) || space.isEmpty(ri.box)) return;
  // The rule is about the forwarded ports: the DNAT names ports, and the rule only ports among them.
  // The port changes, or the connections surely go to another host: INPUT never sees them on the rule's ports.
  const hit = near.find((f) => ports.subsetOf(f.dnat.box[Dim.Dport]) && (f.elsewhere || !ports.overlaps(f.newPorts)) && space.overlaps(ri.box, f.box));
  if (!hit) return;
  const line = hit.dnat.rule.range.start.line + 1;
  const redirect = hit.dnat.rule.target?.spec?.name === 'REDIRECT';
  const where = redirect
    ? `sends them on to ${describeDestination(hit.to, ri.chain.family)} of this machine first, and INPUT sees them with that port. To filter them, match the new port`
    : `sends them on to ${describeDestination(hit.to, ri.chain.family)} first, and the filter table sees them with the new address and port (in FORWARD; in INPUT only if that address is this machine's). To filter them, match the new address and port there (on a Docker host: in DOCKER-USER, which Docker passes them through first)`;
  // On a Docker host (a DOCKER-USER chain with Docker's rules in it), the rule can be written there.
  const dockerUser = redirect ? undefined : ctx.state.get(ri.chain.family, 'filter', 'DOCKER-USER');
  const rule = dockerUser?.rules.length ? dockerUserRule(ri) : undefined;
  const data = rule ? { dnatLine: line - 1, rule, chain: 'DOCKER-USER', insertBefore: dockerUser!.rules[0].startLine } : { dnatLine: line - 1 };
  ctx.sink.add('dnat-bypassed', 'warning', ri.rule.range,
    `The connections the ${redirect ? 'REDIRECT' : 'DNAT'} on line ${line} takes (${describeRule(hit.dnat)}) never reach this rule: nat PREROUTING ${where}.`,
    data,
  ).related = [{ range: hit.dnat.rule.range, message: 'sends these connections elsewhere first' }];
}

/**
 * Every rule of filter INPUT (and of chains only INPUT reaches) about ports that a DNAT forwards. While editing, a
 * chain's findings are kept while it, nat PREROUTING (with the chains it jumps to) and DOCKER-USER are unchanged.
 */
export function checkDnatBypass(model: AnalysisModel, ctx: CheckContext): void {
  for (const family of [4, 6] as const) {
    // Rules loaded from a file the analysis cannot read may take the connections before the DNAT.
    const pre = ctx.state.get(family, 'nat', 'PREROUTING');
    if (!pre || loadsUnseen(ctx.rs, family)) continue;
    let byPort: ByPort | undefined;
    const forwardedByPort = (space: Space) => (byPort ??= new ByPort(space, forwarded(model, pre)));
    const user = ctx.state.get(family, 'filter', 'DOCKER-USER');
    const key = ctx.memo ? `dnat-bypassed|${model.signature(pre)}|${user ? model.signature(user) : ''}` : '';
    for (const cs of ctx.state.all()) {
      if (cs.family !== family || cs.table !== 'filter' || !onlyFromInput(ctx, cs)) continue;
      const check = (sink: DiagnosticSink) => {
        const found = forwardedByPort(model.space(cs));
        if (!found.empty) for (const ri of model.rules(cs)) checkRule(model, { ...ctx, sink }, ri, found);
        return sink.items;
      };
      if (!ctx.memo) check(ctx.sink);
      else ctx.sink.addAll(ctx.memo.forChain(model.signature(cs), key, () => check(new DiagnosticSink())));
    }
  }
}

function onlyFromInput(ctx: CheckContext, cs: ChainState): boolean {
  const hooks = ctx.graph.hooks(cs);
  return hooks.length === 1 && hooks[0] === 'INPUT';
}
