/**
 * repeated-value: a loop whose list names a value twice (`for p in 22 80 22`), or a function called twice in a row
 * with the same word (`allow 53`, `allow 53`), adds the same rule twice. Where the rule decides its packets and the
 * model knows exactly what it matches, the first copy takes every packet of the second, which never fires. (Copies
 * of a rule with a rate limit or a recent list each have their own, and both fire.)
 */
import { CheckContext } from '../checks/context';
import { assignedAt, byParam, Command, linesList, varyingNames, varyingValue } from '../model';
import { familyOf } from '../state';
import { LoopInfo } from '../parse/scriptLoops';
import { AnalysisModel, RuleInfo } from './model';
import { ruleMatch } from './ruleMatch';

const DECIDES = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN']);

export function checkRepeatedValues(model: AnalysisModel, ctx: CheckContext, dead: ReadonlySet<RuleInfo>): void {
  for (const [c, info] of ctx.rs.loops ?? []) {
    const repeats = repeatedValues(info);
    if (!repeats.length || !addsDecidingRule(c, info)) continue;
    const cs = c.chainName === undefined ? undefined : ctx.state.get(familyOf(ctx.rs, c), c.table, c.chainName);
    // A rule iptables refused is in no chain; a rule that never fires at all is reported as such.
    if (!cs || !cs.rules.includes(c) || dead.has(model.ruleInfo(c, cs))) continue;
    const space = model.space(cs);
    for (const [value, at] of repeats) {
      if (!ruleMatch(info.variants[at[0]], space).exact) continue;
      ctx.sink.add('repeated-value', 'info', c.range, messageOf(info, value, at), { value, times: at.length });
    }
  }
}

/**
 * A command alone in its loop (no other command's rules between its copies), that uses the loop's word (each value
 * its own parse; a command that does not is the same rule for every value, repeated or not) and appends a rule
 * deciding its packets.
 */
function addsDecidingRule(c: Command, info: LoopInfo): boolean {
  const t = c.target;
  const usesWord = info.variants.some((v) => v !== c);
  return usesWord && !info.each && info.loop.size === 1 && c.spec.short === '-A' && !c.broken && !!t?.spec && !t.goto && DECIDES.has(t.spec.name);
}

/**
 * Each value the loop takes more than once (for calls that differ in several parameters, each set of words they
 * pass), with the places of its variants (in order).
 */
function repeatedValues(info: LoopInfo): Array<[string, number[]]> {
  const byValue = new Map<string, number[]>();
  info.valueAt.forEach((v, k) => {
    const value = info.loop.others ? assignedAt(info.loop, v) : info.values[v];
    (byValue.get(value) ?? byValue.set(value, []).get(value)!).push(k);
  });
  return [...byValue].filter(([, at]) => at.length > 1);
}

function messageOf(info: LoopInfo, value: string, at: number[]): string {
  const copies = at.length === 2 ? 'twice' : `${at.length} times`;
  const calls = info.loop.calls;
  if (calls) {
    // With the parameters that are the same in every call (allow tcp 22): the whole of what the calls pass.
    const n = info.valueAt[at[0]];
    const order = byParam(info.loop);
    const params = [...(info.loop.fixed ?? []), ...varyingNames(info.loop).map((name) => [name, varyingValue(info.loop, name, n)] as const)].sort(([a], [b]) => order(a, b));
    const passed = params.map(([, v]) => v).join(' ');
    const assigned = params.map(([n, v]) => `$${n} = ${v}`).join(', ');
    return `The calls on ${linesList(at.map((k) => calls[info.valueAt[k]] + 1))} ${at.length === 2 ? 'both' : 'all'} pass ${passed}: this rule is added ${copies} for ${assigned}, and only the first copy ever fires (it takes every packet of the others). Remove the repeated call.`;
  }
  return `The loop on line ${info.line + 1} lists ${value} ${copies}: this rule is added ${copies} for $${info.name} = ${value}, and only the first copy ever fires (it takes every packet of the others). Remove the repeated value.`;
}
