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
 * rule does not name: were the new address this machine's own, INPUT would still not see the old port.
 */
import { CheckContext } from '../checks/context';
import { canonicalSpec } from '../format';
import { loadsUnseen, MatchUse } from '../model';
import { ChainState } from '../state';
import { parsePort } from '../kb/values';
import { describeDestination, natDestination, NatDestination } from './dnat';
import { IntervalSet } from './intervals';
import { AnalysisModel, RuleInfo } from './model';
import { ruleMatch } from './ruleMatch';
import { Box, Dim, Space } from './space';

/** A part of what a DNAT surely takes, and the DNAT. */
interface Forwarded {
  box: Box;
  dnat: RuleInfo;
  to: NatDestination;
}

function rewritesDestination(ri: RuleInfo): boolean {
  const name = ri.rule.target?.spec?.name;
  return name === 'DNAT' || name === 'REDIRECT';
}

/** Where a DNAT sends the connections (it must name the port), or a REDIRECT (to its ports of this machine). */
function destination(ri: RuleInfo, family: 4 | 6): NatDestination | undefined {
  const t = ri.rule.target!;
  const redirect = t.spec?.name === 'REDIRECT';
  const spec = t.options.find((o) => o.spec.names[0] === (redirect ? '--to-ports' : '--to-destination'));
  if (!spec || spec.argDynamic || spec.argValue === undefined) return undefined;
  if (!redirect) return natDestination(spec.argValue, family);
  const [lo, hi] = spec.argValue.split('-').map((p) => parsePort(p));
  return lo === undefined || (hi ?? lo) === undefined || lo > (hi ?? lo) ? undefined : { ports: [lo, hi ?? lo], text: spec.argValue };
}

/** `-m addrtype --dst-type LOCAL`, alone: true of every packet whose destination is this machine. */
function toThisMachine(m: MatchUse): boolean {
  return m.spec?.name === 'addrtype' && m.options.length === 1 && m.options[0].spec.names[0] === '--dst-type' && !m.options[0].negated && m.options[0].argValue === 'LOCAL';
}

/** The rule's box for packets bound for this machine, when the model reads it exactly. */
function exactBoxForLocal(model: AnalysisModel, ri: RuleInfo): Box | undefined {
  if (ri.exact) return ri.box;
  const m = ruleMatch(ri.rule, model.space(ri.chain), toThisMachine);
  return m.exact ? m.box : undefined;
}

/** `box` less the boxes of the rules before `end` in `rules` that may take packets elsewhere (anything but go on). */
function lessDiverted(space: Space, pieces: Box[], rules: RuleInfo[], end: number): Box[] {
  for (let k = 0; k < end && pieces.length; k++) {
    const r = rules[k];
    if (r.flow.kind === 'continue' || space.isEmpty(r.box)) continue;
    pieces = space.subtractFromAll(pieces, r.box);
    // Too many pieces to follow: claim nothing rather than something unproven.
    if (pieces.length > 64) return [];
  }
  return pieces;
}

/** What the DNATs of nat PREROUTING, and of the chains it jumps to, surely take, with where they send it. */
function forwarded(model: AnalysisModel, ctx: CheckContext, family: 4 | 6): Forwarded[] {
  const pre = ctx.state.get(family, 'nat', 'PREROUTING');
  if (!pre) return [];
  const space = model.space(pre);
  const out: Forwarded[] = [];
  const take = (rules: RuleInfo[], at: number, pieces: Box[]) => {
    const ri = rules[at];
    const to = destination(ri, family);
    const own = exactBoxForLocal(model, ri);
    if (!to?.ports || !own) return;
    for (const p of lessDiverted(space, pieces, rules, at)) {
      const box = space.intersect(p, own);
      if (box) out.push({ box, dnat: ri, to });
    }
  };
  const top = model.rules(pre);
  top.forEach((ri, k) => {
    if (rewritesDestination(ri)) take(top, k, [space.full]);
    const chain = ri.flow.kind === 'jump' || ri.flow.kind === 'goto' ? ri.flow.chain : undefined;
    const way = chain && !chain.builtin ? exactBoxForLocal(model, ri) : undefined;
    if (!chain || !way) return;
    const into = lessDiverted(space, [way], top, k);
    const rules = model.rules(chain);
    rules.forEach((inner, j) => {
      if (rewritesDestination(inner)) take(rules, j, into);
    });
  });
  return out;
}

function describeRule(ri: RuleInfo): string {
  const spec = canonicalSpec(ri.rule, { restore: true });
  return spec ? spec.replace(/ -j (DNAT|REDIRECT).*$/, '') : `the rule on line ${ri.rule.range.start.line + 1}`;
}

function checkRule(model: AnalysisModel, ctx: CheckContext, ri: RuleInfo, all: Forwarded[]): void {
  const space = model.space(ri.chain);
  const ports = ri.box[Dim.Dport];
  if (space.isFull(ri.box, Dim.Dport) || space.isFull(ri.box, Dim.Proto) || space.isEmpty(ri.box)) return;
  const hit = all.find((f) => {
    const newPorts = IntervalSet.of(BigInt(f.to.ports![0]), BigInt(f.to.ports![1]));
    // The rule is about the forwarded ports: the DNAT names ports, and the rule only ports among them.
    return !space.isFull(f.dnat.box, Dim.Dport) && ports.subsetOf(f.dnat.box[Dim.Dport]) && !ports.overlaps(newPorts) && space.overlaps(ri.box, f.box);
  });
  if (!hit) return;
  const line = hit.dnat.rule.range.start.line + 1;
  const redirect = hit.dnat.rule.target?.spec?.name === 'REDIRECT';
  const where = redirect
    ? `sends them on to ${describeDestination(hit.to, ri.chain.family)} of this machine first, and INPUT sees them with that port. To filter them, match the new port`
    : `sends them on to ${describeDestination(hit.to, ri.chain.family)} first, and the filter table sees them with the new address and port (in FORWARD; in INPUT only if that address is this machine's). To filter them, match the new address and port there (on a Docker host: in DOCKER-USER, which Docker passes them through first)`;
  ctx.sink.add('dnat-bypassed', 'warning', ri.rule.range,
    `The connections the ${redirect ? 'REDIRECT' : 'DNAT'} on line ${line} takes (${describeRule(hit.dnat)}) never reach this rule: nat PREROUTING ${where}.`,
    { dnatLine: line - 1 },
  ).related = [{ range: hit.dnat.rule.range, message: 'sends these connections elsewhere first' }];
}

/** Every rule of filter INPUT (and of chains only INPUT reaches) about ports that a DNAT forwards. */
export function checkDnatBypass(model: AnalysisModel, ctx: CheckContext): void {
  for (const family of [4, 6] as const) {
    // Rules loaded from a file the analysis cannot read may take the connections before the DNAT.
    if (loadsUnseen(ctx.rs, family)) continue;
    let all: Forwarded[] | undefined;
    for (const cs of ctx.state.all()) {
      if (cs.family !== family || cs.table !== 'filter' || !onlyFromInput(ctx, cs)) continue;
      all ??= forwarded(model, ctx, family);
      if (!all.length) break;
      for (const ri of model.rules(cs)) checkRule(model, ctx, ri, all);
    }
  }
}

function onlyFromInput(ctx: CheckContext, cs: ChainState): boolean {
  const hooks = ctx.graph.hooks(cs);
  return hooks.length === 1 && hooks[0] === 'INPUT';
}
