/**
 * A script that appends its rules without first taking away those of an earlier run: run a second time (at boot,
 * and again by hand after an edit), every rule is there twice, and the `-N` of its chains fails ("Chain already
 * exists"; with `set -e` the script stops there). Said once, at the first rule added to a chain that nothing before
 * it flushed: the whole table (`iptables -F`), the chain (`-F CHAIN`), or a restore file that replaces the table.
 * A rule added only when a check finds it missing (`-C ... || -A ...`, `if ! iptables -C ...; then ... -A`, or any
 * command after `&&` or `||`), or deleted just before (`-D` of the same rule), is run again safely; a script that
 * loads rules from elsewhere, or may run commands the analysis cannot see, is left alone.
 */
import { CheckContext, ruleFamily } from './context';
import { commandsInRunOrder, inHereDoc, loadsUnseen, tableKey } from '../model';
import { shellList } from '../locate';
import { LineIndex } from '../lineIndex';
import { ruleIdentity } from '../ruleIdentity';

export function checkRerun(ctx: CheckContext, index: LineIndex): void {
  const rs = ctx.rs;
  if (rs.format !== 'script' || rs.unseenRules || rs.template) return;
  /** Tables flushed whole (family and table), chains flushed or deleted (family, table and chain), rules deleted. */
  const flushed = new Set<string>();
  const deleted = new Set<string>();
  for (const c of commandsInRunOrder(rs)) {
    const family = ruleFamily(ctx, c);
    const table = tableKey(family, c.table);
    if (loadsUnseen(rs, family) || rs.otherArms?.has(c) || c.dynamic || c.chainDynamic) continue;
    // A restore file the script feeds itself replaces the tables it names (without --noflush).
    if (inHereDoc(rs, c)) {
      if (rs.tables.some((t) => t.name === c.table && t.restore === 'flush' && c.startLine > t.range.start.line && c.startLine <= t.endLine)) flushed.add(table);
      continue;
    }
    const op = c.spec.short;
    const chain = `${table} ${c.chainName ?? ''}`;
    if (op === '-F' || op === '-X') flushed.add(c.chainName === undefined ? table : chain);
    // A rule deleted just before, or checked for (`-C`, as the condition of an if or before `||`), is added once.
    // (The rule as iptables builds it: `-C INPUT -p tcp --dport ssh` finds `-A INPUT -p tcp -m tcp --dport 22`.)
    else if ((op === '-D' && !c.rulenum) || op === '-C') deleted.add(`${chain} ${ruleIdentity(c)}`);
    else if ((op === '-A' || op === '-I') && c.chainName !== undefined && !c.broken && !c.conditional && !shellList(index, c).after) {
      if (flushed.has(table) || flushed.has(chain) || (deleted.size && deleted.has(`${chain} ${ruleIdentity(c)}`))) continue;
      const prefix = family === 6 ? 'ip6tables' : 'iptables';
      const t = c.table === 'filter' ? '' : `-t ${c.table} `;
      const makes = commandsInRunOrder(rs).some((x) => x.spec.short === '-N' && !rs.otherArms?.has(x));
      ctx.sink.add('not-rerunnable', 'info', c.range,
        `Run a second time, this script adds its rules again: nothing before this line flushes ${c.chainName}${c.table === 'filter' ? '' : ` (${c.table})`}, so every rule is there twice${makes ? ', and its `-N` fails (the chain exists already)' : ''}. Flush first ('${prefix} ${t}-F ${c.chainName}', or the whole table), or add a rule only when '${prefix} ${t}-C' does not find it.`,
        { chain: c.chainName, table: c.table, family });
      return;
    }
  }
}
