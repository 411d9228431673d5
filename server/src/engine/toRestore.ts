/**
 * A shell script's rules as iptables-restore files: what the kernel holds once the script has run (from empty
 * tables), one file per address family, in the form iptables-save prints. Loading such a file is atomic (all of
 * it or nothing), where a script leaves a half-built firewall when one command fails.
 */
import { TABLES } from './kb';
import { Family } from './kb/addresses';
import { canonicalSpec } from './format';
import { LintResult, refusedRulesOf } from './lint';
import { ChainState } from './state';
import { holdsTemplateValue } from './parse/template';
import { Command } from './model';
import { unrolled } from './parse/scriptLoops';

export interface RestoreFile {
  family: Family;
  text: string;
  /** Rules that could not be written out (a shell value, a syntax error): each is left in the file as a comment. */
  skipped: Array<{ line: number; why: string }>;
}

function chainLines(chains: ChainState[]): string[] {
  return chains.map((cs) => `:${cs.name} ${cs.builtin ? cs.policy ?? 'ACCEPT' : '-'} [0:0]`);
}

/**
 * Why a rule is left out in every variant a loop makes of it: a command among a loop's rules moves them in ways not
 * placed one by one here, or the script's command fails and the kernel never holds the rule.
 */
function wholeRuleLeftOut(result: LintResult, rule: Command): string | undefined {
  const amid = result.state.amid.get(rule);
  if (amid !== undefined) return `the command on line ${amid + 1} inserts, replaces or deletes a rule among the rules a loop adds, which are not placed one by one here`;
  const refused = result.refused?.get(rule);
  return refused === undefined ? undefined : `iptables refuses it: ${refused.replace(/\.$/, '')}`;
}

function tableText(table: string, chains: ChainState[], result: LintResult, skipped: RestoreFile['skipped']): string[] {
  const spec = TABLES.find((t) => t.name === table);
  // Built-in chains first, in the kernel's order, then user chains in the order the script made them.
  const builtin = (spec?.chains ?? []).map((name) => chains.find((cs) => cs.builtin && cs.name === name)).filter((cs): cs is ChainState => !!cs);
  const ordered = [...builtin, ...chains.filter((cs) => !builtin.includes(cs))];
  const out = [`*${table}`, ...chainLines(ordered)];
  /** A rule left out, said in the file and to the caller. */
  const leaveOut = (c: Command, why: string) => {
    skipped.push({ line: c.startLine, why });
    out.push(`# Line ${c.startLine + 1} of the script is not written out (${why}):`, `#   ${result.index.lineText(c.startLine).trim()}`);
  };
  const noted = new Set<Command>();
  for (const cs of ordered) {
    for (const { rule, variant: c } of unrolled(cs.rules, result.ruleset.loops)) {
      const whole = wholeRuleLeftOut(result, rule);
      if (whole !== undefined) {
        // Said once for a rule that a loop adds once per value.
        if (!noted.has(rule)) leaveOut(rule, whole);
        noted.add(rule);
        continue;
      }
      const t = c.target;
      const text = canonicalSpec(c, { restore: true, resolved: true, jumpTo: t && !t.spec && !t.dynamic ? result.state.jumpTarget(c) : undefined });
      if (text !== undefined) {
        out.push(`-A ${cs.name}${text ? ` ${text}` : ''}`);
        continue;
      }
      leaveOut(c, !c.dynamic ? 'it has an error' : holdsTemplateValue(result.index.lineText(c.startLine)) ? 'it holds a template value, known only once the template is rendered' : 'it holds a shell value, known only when the script runs');
    }
    // The commands iptables refuses add nothing to the chain: said after its rules.
    for (const rule of refusedRulesOf(result, cs)) {
      if (!noted.has(rule)) leaveOut(rule, wholeRuleLeftOut(result, rule)!);
      noted.add(rule);
    }
  }
  out.push('COMMIT');
  return out;
}

/** Where the script branches (if/case), which arm was written out: the lines of this family's commands left out. */
function branchNote(result: LintResult, family: Family): string[] {
  const { otherArms, neverRun, neverCalled, exitAt } = result.ruleset;
  const afterExit = (c: Command) => exitAt !== undefined && c.startLine > exitAt;
  const lines = (cs: Iterable<Command>, left: (c: Command) => boolean) => {
    const at = [...cs].filter((c) => left(c) && (c.commandFamily ?? result.ruleset.family) === family).map((c) => c.startLine + 1);
    return at.slice(0, 8).join(', ') + (at.length > 8 ? ', ...' : '');
  };
  const other = lines(otherArms ?? [], (c) => !neverRun?.has(c) && !neverCalled?.has(c));
  const never = lines(neverRun ?? [], (c) => !afterExit(c));
  const after = lines(neverRun ?? [], afterExit);
  const uncalled = lines(neverCalled ?? [], (c) => !neverRun?.has(c));
  return [
    ...(other ? [`# Where the script branches (if, case), the arm that sets up the most rules is the one written here; the commands of the other arms, and of functions only they call (lines ${other}), are not.`] : []),
    ...(never ? [`# The commands of loops over an empty list (lines ${never}) never run, and are not written here.`] : []),
    ...(after ? [`# The commands after the script's exit on line ${exitAt! + 1} (lines ${after}) never run, and are not written here.`] : []),
    ...(uncalled ? [`# The commands of functions the script never calls, or runs only from a trap (lines ${uncalled}), are not written here.`] : []),
  ];
}

/** The rules files the script loads that cannot be read here, and a template's commands: what they hold is not in this file. */
function loadNote(result: LintResult, family: Family): string[] {
  const loads = (result.ruleset.loads ?? []).filter((l) => l.family === family);
  const lines = (template: boolean) => {
    const ls = loads.filter((l) => !!l.template === template).map((l) => l.line + 1);
    return ls.length ? `line${ls.length > 1 ? 's' : ''} ${ls.join(', ')}` : undefined;
  };
  const [files, made] = [lines(false), lines(true)];
  return [
    ...(files ? [`# The script also loads rules from a file that is not part of it (${files}): they are not written here.`] : []),
    ...(made ? [`# The template puts commands of its own in the script (${made}): what they do is not written here.`] : []),
  ];
}

/** A template of a script: the rules of its blocks are written once each, as if the template were rendered once. */
function templateNote(result: LintResult, family: Family): string[] {
  if (!result.ruleset.template) return [];
  const lines = result.ruleset.commands.filter((c) => c.conditional && (c.commandFamily ?? result.ruleset.family) === family).map((c) => c.startLine + 1);
  return [`# The script is a Jinja template: ${lines.length ? `the rules in its blocks (line${lines.length > 1 ? 's' : ''} ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', ...' : ''}) are written once each, as if rendered once, and ` : ''}rules with template values are left out. Converting the rendered script gives the real rules.`];
}

/** One restore file per family the script's commands touch (iptables: IPv4, ip6tables: IPv6). */
export function scriptToRestore(result: LintResult, source = 'the script'): RestoreFile[] {
  const files: RestoreFile[] = [];
  for (const family of [4, 6] as Family[]) {
    const chains = result.state.all().filter((cs) => cs.family === family);
    if (!chains.length) continue;
    const skipped: RestoreFile['skipped'] = [];
    const lines = [
      `# ${family === 4 ? 'iptables' : 'ip6tables'} rules of ${source} as they stand once it has run, for ${family === 4 ? 'iptables' : 'ip6tables'}-restore.`,
      '# Loading this file replaces every table it names, rules the script did not make included, all at once.',
      ...branchNote(result, family),
      ...loadNote(result, family),
      ...templateNote(result, family),
    ];
    for (const t of TABLES) {
      const inTable = chains.filter((cs) => cs.table === t.name);
      if (inTable.length) lines.push(...tableText(t.name, inTable, result, skipped));
    }
    files.push({ family, text: `${lines.join('\n')}\n`, skipped });
  }
  return files;
}
