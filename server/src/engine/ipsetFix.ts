/**
 * The quick fix of prefer-ipset in a shell script: a blocklist written rule by rule becomes one ipset, loaded with
 * `ipset restore`, and one rule that looks the address up in it.
 *
 * It means the same only where the rules do: offered when they are appended (-A) one after another in their chain
 * (nothing between them in the chain's order), each with one address or network (not negated, no host name), all of
 * one line, none built from a shell value, and their verdict ends the packet's way through the chain (ACCEPT, DROP,
 * REJECT, RETURN): a packet then meets the first rule of the list that matches it and no other, as it meets the set.
 */
import { canonicalSpec, shellQuote } from './format';
import { parseNet } from './kb/addresses';
import { LintResult } from './lint';
import { commandOnLine } from './locate';
import { Command, OptionUse } from './model';

export interface IpsetRewrite {
  /** The lines of the rules the rewrite replaces, first to last. */
  lines: number[];
  /** What stands in place of the first: the set's load and the rule that uses it. */
  text: string;
  setName: string;
}

const ENDS_THE_WAY = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN']);

/** The rule's address option (its only -s or -d) and the addresses it holds, when a set can take them. */
function addressOf(c: Command): { option: OptionUse; addresses: string[] } | undefined {
  const options = c.options.filter((o) => !o.owner && (o.spec.short === '-s' || o.spec.short === '-d'));
  const option = options.length === 1 ? options[0] : undefined;
  if (!option || option.negated || option.argDynamic || option.argValue === undefined) return undefined;
  const addresses = option.argValue.split(',');
  // hash:net holds networks of /1 and longer: every address, not 0.0.0.0/0.
  return addresses.every((a) => { const r = parseNet(a); return r?.ok && r.net.prefix > 0; }) ? { option, addresses } : undefined;
}

/** A set name no `--match-set` of the document uses yet (ipset names have at most 31 characters). */
function freshName(result: LintResult, base: string): string {
  const used = new Set(result.ruleset.commands.flatMap((c) => c.options.filter((o) => o.spec.names[0] === '--match-set' && o.argValue !== undefined).map((o) => o.argValue!)));
  const stem = base.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 26);
  for (let k = 1; ; k++) {
    const name = k === 1 ? stem : `${stem}_${k}`;
    if (!used.has(name)) return name;
  }
}

/** The rewrite of the blocklist whose rules stand on `lines`, or undefined when it would not mean the same. */
export function ipsetRewrite(result: LintResult, lines: number[]): IpsetRewrite | undefined {
  const { ruleset, state, index } = result;
  if (ruleset.format !== 'script' || lines.length < 2) return undefined;
  const rules = lines.map((l) => commandOnLine(ruleset, l));
  // A rule of a loop is several rules: its line is not one address.
  if (rules.some((c) => !c || c.spec.short !== '-A' || c.startLine !== c.endLine || c.dynamic || c.broken || ruleset.loops?.has(c))) return undefined;
  const list = rules as Command[];
  const first = list[0];
  const target = first.target;
  if (!target?.spec || !ENDS_THE_WAY.has(target.spec.name) || first.chainName === undefined) return undefined;
  const family = first.commandFamily ?? ruleset.family;
  const cs = state.get(family, first.table, first.chainName);
  const at = cs ? cs.rules.indexOf(first) : -1;
  // One after another in the chain: nothing else sees a packet between two of them.
  if (at < 0 || list.some((c, k) => cs!.rules[at + k] !== c)) return undefined;
  const found = list.map(addressOf);
  if (found.some((f) => !f)) return undefined;
  const { option } = found[0]!;
  const dir = option.spec.short === '-s' ? 'src' : 'dst';
  const setName = freshName(result, `${first.chainName}_${dir === 'src' ? 'sources' : 'destinations'}`);
  // The rule's own text, its address swapped for the set: the address is the first word after -A CHAIN.
  const spec = canonicalSpec(first, { shell: true });
  const addressText = `${option.spec.short} ${shellQuote(option.argValue!)}`;
  if (spec === undefined || !spec.startsWith(addressText)) return undefined;
  const rest = spec.slice(addressText.length).trim();
  const prefix = index.lineText(first.startLine).slice(0, first.commandToken.range.start.character);
  const sudo = /(^|\s)sudo\s/.test(prefix) ? 'sudo ' : '';
  const indent = /^\s*/.exec(prefix)![0];
  const members = [...new Set(found.flatMap((f) => f!.addresses))];
  const text = [
    `${indent}${sudo}ipset restore -exist <<'EOF'`,
    `create ${setName} hash:net family ${family === 6 ? 'inet6' : 'inet'}`,
    ...members.map((a) => `add ${setName} ${a}`),
    'EOF',
    `${prefix}-A ${first.chainName} -m set --match-set ${setName} ${dir}${rest ? ` ${rest}` : ''}`,
  ].join('\n');
  return { lines: list.map((c) => c.startLine), text, setName };
}
