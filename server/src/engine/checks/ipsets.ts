/**
 * The ipsets a script's rules name (`-m set --match-set NAME`, `-j SET --add-set NAME`), held to the sets the script
 * makes itself: iptables refuses a rule whose set does not exist when the rule is added, and one whose set is of the
 * other address family. Only a script that makes its own sets, and none the linter cannot see (a file restored),
 * is held to them: sets made elsewhere (ipset-persistent at boot, fail2ban) are no business of a rules file.
 */
import { CheckContext } from './context';
import { Command, OptionUse, runArms, runLine } from '../model';
import { setNameKind } from '../kb/values';
import { IpsetMade } from '../parse/scriptIpsets';
import { familyOf } from '../state';
import { suggest } from '../suggest';


export function checkIpsets(ctx: CheckContext): void {
  const sets = ctx.rs.ipsets;
  if (!sets || sets.unseen || !sets.made.length) return;
  const byName = new Map<string, IpsetMade[]>();
  for (const m of sets.made) (byName.get(m.name) ?? byName.set(m.name, []).get(m.name)!).push(m);
  for (const c of ctx.rs.commands) {
    for (const o of c.options) {
      // The options whose first value is the name of a set, as the knowledge base says.
      if (o.spec.args[0] === setNameKind && !o.argDynamic && o.argValue !== undefined) checkSet(ctx, c, o, byName);
    }
  }
}

function checkSet(ctx: CheckContext, c: Command, o: OptionUse, byName: ReadonlyMap<string, IpsetMade[]>): void {
  const name = o.argValue!;
  const made = byName.get(name);
  const range = o.arg!.range;
  if (!made) {
    const s = suggest(name, byName.keys(), 3);
    const mine = [...byName.keys()].slice(0, 5).join(', ');
    ctx.sink.add('unknown-ipset', 'warning', range, `No ipset named '${name}' is made by this script (it makes ${mine}${byName.size > 5 ? ', ...' : ''}): iptables refuses the rule unless the set exists when it runs.${s.length ? ` Did you mean '${s[0]}'?` : ''}`, { suggestions: s });
    return;
  }
  const family = familyOf(ctx.rs, c);
  if (made.every((m) => m.family !== undefined && m.family !== family)) {
    ctx.sink.error('address-family', range, `The ipset '${name}' holds IPv${made[0].family} addresses (line ${made[0].line + 1}), and ${family === 6 ? 'ip6tables' : 'iptables'} refuses a set of the other family. ${family === 6 ? "Make an IPv6 set for it ('family inet6')" : 'Make an IPv4 set for it (without family inet6)'} or use this rule in ${family === 6 ? 'iptables' : 'ip6tables'}.`);
    return;
  }
  // Made only further down, both on the script's straight way (outside if, case and functions that do not move):
  // on a first run the rule fails.
  const at = runLine(ctx.rs, c);
  if (runArms(ctx.rs, c)?.length) return;
  if (made.every((m) => !m.arms.length && m.line > at)) {
    const line = made[0].line;
    ctx.sink.add('unknown-ipset', 'warning', range, `The ipset '${name}' is made only on line ${line + 1}, after this rule: on a first run (a fresh boot) iptables refuses the rule, the set not existing yet. Make the set before the rules that use it.`, { makeLine: line, above: c.startLine });
    return;
  }
  const gone = destroyedBefore(ctx, name, made, at);
  if (gone !== undefined) ctx.sink.add('unknown-ipset', 'warning', range, `The ipset '${name}' is destroyed on line ${gone + 1}, before this rule, and not made again in between: iptables refuses the rule, the set not existing then. Make the set again after destroying it (or do not destroy it).`);
}

/**
 * The line of an `ipset destroy` of the set (or of every set) on the script's straight way, after the set was last
 * made there and before `at`: the set does not exist when a rule at `at` runs. Undefined otherwise.
 */
function destroyedBefore(ctx: CheckContext, name: string, made: readonly IpsetMade[], at: number): number | undefined {
  let gone: number | undefined;
  for (const d of ctx.rs.ipsets?.destroyed ?? []) if (!d.arms.length && (d.name === undefined || d.name === name) && d.line < at && (gone === undefined || d.line > gone)) gone = d.line;
  if (gone === undefined) return undefined;
  // Made again after it (anywhere: a set made in an arm may be made): the rule may find it.
  return made.some((m) => m.line > gone! && m.line < at) || made.some((m) => m.arms.length) ? undefined : gone;
}
