/**
 * A rate limit that limits nothing (limit-ineffective): `-m limit --limit 5/min -j ACCEPT` accepts the packets
 * within the rate, and those above it go on down the chain. Where every one of them is accepted there too (nothing
 * after the rule may deny them, and the chain's policy is ACCEPT), the limit changes nothing: the rule meant to
 * slow a flood lets all of it in. The cure is a rule after it that drops what it leaves.
 */
import { CheckContext } from '../checks/context';
import { canonicalSpec } from '../format';
import { Command, loadsUnseen, MatchUse } from '../model';
import { ChainState } from '../state';
import { AnalysisModel, RuleInfo } from './model';

/** The value of a match's option `opt`, written plainly (not negated, not a shell value). */
function valueOf(m: MatchUse, opt: string): string | undefined {
  return m.options.find((o) => o.spec.names[0] === opt && !o.negated && !o.argDynamic)?.argValue;
}

/** The match a rate limit comes from, when the rule accepts what is within it. */
function rateLimit(c: Command): { name: string; rate: string } | undefined {
  for (const m of c.matches) {
    const name = m.spec?.name;
    if (name === 'limit') return { name, rate: valueOf(m, '--limit') ?? '3/hour' };
    // --hashlimit-above matches what is over the rate: an ACCEPT of it is no rate limit.
    if (name === 'hashlimit' && !m.options.some((o) => o.spec.names[0] === '--hashlimit-above')) {
      const rate = valueOf(m, '--hashlimit-upto') ?? valueOf(m, '--hashlimit');
      if (rate) return { name, rate };
    }
  }
  return undefined;
}

/** Whether every packet of the box of rule `at` that goes past it is accepted further down (or by the ACCEPT policy). */
function restAccepted(model: AnalysisModel, cs: ChainState, rules: RuleInfo[], at: number): boolean {
  const ri = rules[at];
  if (!cs.builtin || cs.policy !== 'ACCEPT') return false;
  const space = model.space(cs);
  for (let k = at + 1; k < rules.length; k++) {
    const later = rules[k];
    if (!space.overlaps(later.box, ri.box)) continue;
    const f = later.flow;
    if (f.kind === 'continue' || (f.kind === 'verdict' && f.verdict === 'ACCEPT')) continue;
    return false;
  }
  return true;
}

/** The rule's conditions without its rate limit, as a rule that drops what it leaves. */
function dropRest(c: Command, name: string, chain: string, shell: boolean): string | undefined {
  const spec = canonicalSpec(c, { restore: true, shell });
  if (spec === undefined) return undefined;
  const withoutLimit = spec.replace(new RegExp(`-m ${name}(?: (?!-m |-j |-g )\\S+)*`), '').replace(/-j ACCEPT$/, '-j DROP').replace(/ +/g, ' ').trim();
  return `-A ${chain} ${withoutLimit}`;
}

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState, dead: ReadonlySet<RuleInfo>): void {
  const rules = model.rules(cs);
  for (let at = 0; at < rules.length; at++) {
    const ri = rules[at];
    // A rule that never fires (reported as such) limits nothing either way: no second warning on it.
    if (ri.flow.kind !== 'verdict' || ri.flow.verdict !== 'ACCEPT' || dead.has(ri)) continue;
    const limit = rateLimit(ri.rule);
    if (!limit || !restAccepted(model, cs, rules, at)) continue;
    const rule = dropRest(ri.rule, limit.name, cs.name, ctx.rs.format === 'script');
    ctx.sink.add('limit-ineffective', 'warning', ri.rule.range,
      `This rate limit limits nothing: the packets above ${limit.rate} go on down ${cs.name}, where nothing denies them and the ACCEPT policy takes them. Drop them right after this rule${rule ? `: '${rule}'` : ''}.`,
      { chain: cs.name, table: cs.table, rule });
  }
}

/** Every built-in filter chain whose policy is ACCEPT; `dead` holds the rules found never to fire. */
export function checkRateLimits(model: AnalysisModel, ctx: CheckContext, dead: ReadonlySet<RuleInfo>): void {
  for (const cs of ctx.state.all()) if (cs.table === 'filter' && cs.builtin && cs.policy === 'ACCEPT' && !loadsUnseen(ctx.rs, cs.family)) checkChain(model, ctx, cs, dead);
}
