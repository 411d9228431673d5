/**
 * Rewrites offered where the cursor is, for no finding: rules that differ only by their destination (or source)
 * port, one after another in their chain, merged into one rule with a multiport match (at most 15 ports, a range
 * counting as two). Offered only where the merged rule matches what the rules did together, as the analysis reads
 * both (the same conditions, the ports of all of them), and, for a target that lets the packet go on (LOG), where
 * no packet matched two of them.
 */
import { Family } from './kb/addresses';
import { readPortRange } from './kb/values';
import { LintResult } from './lint';
import { commandOnLine } from './locate';
import { Command, decidesPackets, OptionUse, runArms } from './model';
import { canonicalSpec, TextEdit } from './format';
import { deleteLine, FixDocument } from './fixes';
import { ruleMatch } from './analysis/ruleMatch';
import { Dim, Space } from './analysis/space';
import { parseRestore } from './parse/restore';
import { familyOf } from './state';
import { Position, Range } from './types';

export interface Refactor {
  title: string;
  edits: TextEdit[];
}

/** The protocols whose ports a multiport match reads. */
const MULTIPORT = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp']);
/** How many ports one multiport match takes (a range counting as two). */
const MAX_PORTS = 15;

/** A rule that could be merged: its one port option, and the text of the rule without it (the same for its mates). */
interface Mergeable {
  rule: Command;
  option: OptionUse;
  dir: 'd' | 's';
  shape: string;
}

/** The rule's one port option (a single --dport or --sport, plain), when it has nothing else to do with ports. */
function portOption(c: Command): OptionUse | undefined {
  const proto = c.protocol;
  if (!proto || proto.negated || proto.dynamic || !MULTIPORT.has(proto.value.toLowerCase())) return undefined;
  const ports = c.options.filter((o) => /^--(d|s)?ports?$/.test(o.spec.names[0]) || o.spec.names[0] === '--destination-port' || o.spec.names[0] === '--source-port');
  const o = ports.length === 1 ? ports[0] : undefined;
  if (!o || o.negated || o.argDynamic || o.argValue === undefined || (o.spec.names[0] !== '--dport' && o.spec.names[0] !== '--sport')) return undefined;
  return c.matches.some((m) => m.spec?.name === 'multiport') ? undefined : o;
}

/** Whether a script's rule stands alone on its line, on the script's straight way, as written (no shell value). */
function alone(result: LintResult, c: Command): boolean {
  const rs = result.ruleset;
  if (c.startLine !== c.endLine || c.dynamic || c.substituted || c.conditional || c.broken || rs.loops?.has(c)) return false;
  if (rs.format !== 'script') return true;
  const line = result.index.lineText(c.startLine);
  // Only the words that run iptables before it, and nothing but a comment after it.
  return !runArms(rs, c)?.length && /^\s*(sudo\s+)?\S+\s+$/.test(line.slice(0, c.range.start.character)) && /^\s*(#.*)?$/.test(line.slice(c.range.end.character));
}

function mergeable(result: LintResult, c: Command): Mergeable | undefined {
  if (c.spec.short !== '-A' || !alone(result, c)) return undefined;
  const option = portOption(c);
  const shape = option && canonicalSpec(c, { restore: true, multiport: { option, text: '#' } });
  return option && shape !== undefined ? { rule: c, option, dir: option.spec.names[0] === '--dport' ? 'd' : 's', shape } : undefined;
}

/** How many ports a value takes in a multiport match, and its range (undefined for a service name iptables may not know). */
function portRange(text: string): [number, number] | undefined {
  const r = readPortRange(text);
  return r && r[0] <= r[1] ? r : undefined;
}

/** The rules of the run around `at` in the chain's rules that merge with it, the ports fitting one multiport match. */
function runAround(result: LintResult, rules: readonly Command[], at: number, first: Mergeable): Mergeable[] {
  const mate = (k: number) => {
    const m = k >= 0 && k < rules.length ? mergeable(result, rules[k]) : undefined;
    return m && m.shape === first.shape && m.dir === first.dir ? m : undefined;
  };
  const run = [first];
  let count = weight(first);
  // Up the chain first, then down, while the ports fit.
  for (const step of [-1, 1]) {
    for (let k = at + step; ; k += step) {
      const m = mate(k);
      if (!m || count + weight(m) > MAX_PORTS) break;
      if (step < 0) run.unshift(m);
      else run.push(m);
      count += weight(m);
    }
  }
  return run;
}

const weight = (m: Mergeable) => (m.option.argValue!.includes(':') ? 2 : 1);

/**
 * Whether one rule with `spec` matches what the run's rules matched together: every condition the same, the port
 * the union of theirs (read by the analysis, for both).
 */
function sameMatch(run: readonly Mergeable[], spec: string, family: Family, table: string): boolean {
  const parsed = parseRestore(`*${table}\n-A ${run[0].rule.chainName} ${spec}\nCOMMIT\n`, family).commands[0];
  if (!parsed || parsed.broken) return false;
  const space = new Space(family);
  const merged = ruleMatch(parsed, space);
  const each = run.map((m) => ruleMatch(m.rule, space));
  if (!merged.exact || each.some((e) => !e.exact)) return false;
  const dim = run[0].dir === 'd' ? Dim.Dport : Dim.Sport;
  let ports = each[0].box[dim];
  for (const e of each.slice(1)) ports = ports.union(e.box[dim]);
  return merged.box.every((set, d) => (d === dim ? set.equals(ports) : each.every((e) => e.box[d].equals(set))));
}

function disjoint(ranges: Array<[number, number]>): boolean {
  const sorted = ranges.slice().sort((x, y) => x[0] - y[0]);
  return sorted.every((r, k) => k === 0 || r[0] > sorted[k - 1][1]);
}

/** Merging the rule on the cursor's line with the rules next to it in its chain that differ only by port. */
function mergePorts(result: LintResult, pos: Position): Refactor | undefined {
  const c = commandOnLine(result.ruleset, pos.line);
  const first = c && mergeable(result, c);
  if (!c || !first) return undefined;
  const family = familyOf(result.ruleset, c);
  const cs = result.state.get(family, c.table, c.chainName!);
  const at = cs ? cs.rules.indexOf(c) : -1;
  if (!cs || at < 0 || result.state.amid.has(c)) return undefined;
  const run = runAround(result, cs.rules, at, first);
  if (run.length < 2) return undefined;
  // A range open at one end, as --dport takes it, gets both ends: multiport needs them.
  const values = [...new Set(run.map((m) => m.option.argValue!.replace(/^:/, '0:').replace(/:$/, ':65535')))];
  const ranges = values.map(portRange);
  // A rule that lets the packet go on (LOG, MARK): two of them that match one packet act twice, one merged rule once.
  if (!decidesPackets(c) && (values.length < run.length || ranges.some((r) => !r) || !disjoint(ranges as Array<[number, number]>))) return undefined;
  const text = `-m multiport --${first.dir}ports ${values.join(',')}`;
  const spec = canonicalSpec(c, { restore: true, multiport: { option: first.option, text } });
  if (spec === undefined || !sameMatch(run, spec, family, c.table)) return undefined;
  // In place of the first rule (in a script, after the words that run iptables); the others' lines go.
  const table = result.ruleset.format === 'script' && c.table !== 'filter' ? `-t ${c.table} ` : '';
  const lines = run.map((m) => m.rule.startLine);
  const head = run[0].rule;
  // A comment at the end of a line that goes would go with it.
  if (run.slice(1).some((m) => result.index.lineText(m.rule.startLine).slice(m.rule.range.end.character).trim() !== '')) return undefined;
  const doc = new FixDocument(result);
  const edits: TextEdit[] = [{ range: head.range, newText: `${table}-A ${head.chainName} ${spec}` }, ...lines.slice(1).map((l) => deleteLine(doc, l))];
  return { title: `Merge ${run.length} rules into one multiport rule (${first.dir === 'd' ? 'destination' : 'source'} ports ${values.join(', ')})`, edits };
}

/** The rewrites offered at a position (the start of the editor's selection). */
export function refactorsAt(result: LintResult, range: Range): Refactor[] {
  const merge = mergePorts(result, range.start);
  return merge ? [merge] : [];
}
