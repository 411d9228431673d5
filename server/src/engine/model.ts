/** The parsed form of a ruleset: every node keeps the source range it came from. */
import { Family } from './kb/addresses';
import { CommandSpec, ModuleSpec, OptionSpec } from './kb';
import { Token } from './lexer';
import { comparePos, Diagnostic, Range } from './types';
import type { FileMention } from './parse/scriptFiles';
import type { RunOrder } from './parse/scriptFlow';
import type { ScriptIpsets } from './parse/scriptIpsets';
import type { LoopInfo, LoopOf } from './parse/scriptLoops';

export interface OptionUse {
  spec: OptionSpec;
  /** The match or target that owns the option; undefined for iptables' own options. */
  owner?: ModuleSpec;
  readonly nameToken: Token;
  /** Written with `!` (negToken is the `!`). */
  readonly negated: boolean;
  readonly negToken?: Token;
  /** The first value (most options take one). */
  readonly arg: Token | undefined;
  /** The text of the first value, read without making its Token (the analysis reads every rule's values). */
  readonly argValue: string | undefined;
  /** The first value is a shell expansion. */
  readonly argDynamic: boolean;
  /** The text of the first value; undefined when there is none or when it is a shell expansion (its value unknown). */
  readonly argText: string | undefined;
  /** How many values the option has. */
  readonly valueCount: number;
  /** The option's name and its values as written, read without making Tokens. */
  readonly nameText: string;
  readonly values: readonly string[];
  /** Every value, in order (a new list each time it is asked for). */
  readonly args: readonly Token[];
}

export interface MatchUse {
  readonly name: string;
  spec?: ModuleSpec;
  /** The word after -m, absent for a protocol match loaded implicitly by -p. */
  readonly token?: Token;
  /** The range of that word, worked out without making its Token. */
  readonly range?: Range;
  readonly implicit: boolean;
  options: OptionUse[];
}

export interface TargetUse {
  readonly name: string;
  readonly token: Token;
  /** The target's word is a shell expansion. */
  readonly dynamic: boolean;
  /** The range of the target's word, worked out without making its Token. */
  readonly range: Range;
  /** The extension target or built-in verdict; undefined for a user chain (or an unknown name). */
  spec?: ModuleSpec;
  goto: boolean;
  options: OptionUse[];
}

export interface Command {
  /** A number of its own for as long as it lives (an unchanged line keeps its command, and so its id). */
  id: number;
  index: number;
  table: string;
  readonly tableToken?: Token;
  spec: CommandSpec;
  readonly commandToken: Token;
  readonly chain?: Token;
  /** The chain word's text and whether it is a shell expansion, read without making its Token. */
  readonly chainName: string | undefined;
  readonly chainDynamic: boolean;
  /** The text of the counters, rule number or extra word (policy, new name), read without making its Token. */
  partText(part: 'counters' | 'rulenum' | 'extra'): string | undefined;
  /** The range of the table word (after -t) or the extra word, worked out without making its Token. */
  partRange(part: 'table' | 'extra'): Range | undefined;
  /** Some word has quotes. */
  readonly hasQuotedWord: boolean;
  /** The words after the command, chain and rule number, as text: what `-D` compares with each rule. */
  readonly ruleSpecText: string;
  /** The ranges of the chain word and of the command word, worked out without making their Tokens. */
  readonly chainRange: Range | undefined;
  readonly commandRange: Range;
  readonly rulenum?: Token;
  /** The policy of -P, or the new name of -E. */
  readonly extra?: Token;
  readonly counters?: Token;
  protocol?: { readonly value: string; readonly negated: boolean; readonly dynamic: boolean; readonly token: Token };
  /** Every option in order (iptables' own, match and target options). */
  options: OptionUse[];
  matches: MatchUse[];
  target?: TargetUse;
  /** Every word, in order (made when asked for: most commands are never asked). */
  readonly tokens: readonly Token[];
  /** From the first word (or the counters) to the last. */
  readonly range: Range;
  /** The lines of the range, without building it. */
  readonly startLine: number;
  readonly endLine: number;
  /** Some word is a shell expansion whose value is unknown. */
  dynamic: boolean;
  /**
   * In a script: some word is a shell variable read as its known value (see ShellValues): what writes the command
   * back as text must keep the variable, so it leaves such a command alone.
   */
  substituted: boolean;
  /**
   * In a template (Jinja): the command stands inside a block (`{% for %}`, `{% if %}`) or holds a statement of its
   * own, so that once rendered it may appear several times, differently, or not at all.
   */
  conditional: boolean;
  /** The command could not be fully parsed (a syntax error). */
  broken: boolean;
  /** In scripts: ip6tables (6) or iptables (4). */
  commandFamily?: Family;
}

export interface ChainDecl {
  table: string;
  name: string;
  nameRange: Range;
  policy?: string;
  policyRange?: Range;
  builtin: boolean;
  range: Range;
  /** Declared by `:NAME` (restore), `-N` (script) or implicitly (built-in chain). */
  via: 'declaration' | 'command' | 'builtin';
  family?: Family;
  /** In a template: the line is inside a block (`{% if %}`), one of several a template may render or leave out. */
  conditional?: boolean;
}

export interface TableBlock {
  name: string;
  range: Range;
  nameRange: Range;
  /** The line of COMMIT, when present. */
  commitRange?: Range;
  /** The last line of the block (COMMIT or the line before the next table). */
  endLine: number;
  family?: Family;
  /**
   * In a script, a table of a restore file the script loads (`iptables-restore <<EOF`): it replaces the table
   * there (`flush`), or adds to it (`noflush`, iptables-restore --noflush).
   */
  restore?: 'flush' | 'noflush';
}

export interface CommentLine {
  text: string;
  range: Range;
  /** A comment on the same line after code (shell scripts). */
  trailing: boolean;
}

export interface Ruleset {
  format: 'restore' | 'script';
  family: Family;
  tables: TableBlock[];
  chains: ChainDecl[];
  commands: Command[];
  comments: CommentLine[];
  diagnostics: Diagnostic[];
  lineCount: number;
  /**
   * In a script: some word names IPv6 other than as an ip6tables command the analysis reads (a `disable_ipv6`
   * sysctl, `ip6tables-restore < rules.v6`, `firewall6.sh`), so the script does something about it that the
   * analysis may not see.
   */
  mentionsIpv6?: boolean;
  /** In a script: the here-documents read as restore files (their lines, `toLine` not included). */
  embedded?: Array<{ fromLine: number; toLine: number; family: Family }>;
  /**
   * In a script: the commands in arms of if and case statements that the analysis does not follow (another arm of
   * the statement sets up more), and those that never run (neverRun); they leave the chains as they are.
   */
  otherArms?: ReadonlySet<Command>;
  /**
   * Of those, the commands of a script that never run: in a loop the shell finds nothing to go over (see empty-loop).
   */
  neverRun?: ReadonlySet<Command>;
  /** In a script: the line of the `exit` at its top after which nothing runs (those commands are in neverRun). */
  exitAt?: number;
  /** Of those, the commands of functions the script never calls (and of functions only those call). */
  neverCalled?: ReadonlySet<Command>;
  /** Of those, the commands of functions that only a `trap` names, with the line of that trap. */
  trapped?: ReadonlyMap<Command, number>;
  /** In a script: the words of its iptables commands that the shell leaves out (a known variable, unquoted, left empty). */
  vanished?: readonly Token[];
  /**
   * In a script: the words of the lists of its `for` loops over known values that are not the value itself (a
   * variable, an array's items, braces), each with the values it gives the loop.
   */
  loopLists?: ReadonlyArray<{ word: Token; values: readonly string[] }>;
  /** In a script with if or case statements: the arms each command in one stands in, outermost first. */
  armsOf?: ReadonlyMap<Command, readonly ArmRef[]>;
  /**
   * In a script: the rules files it loads that cannot be read here (`iptables-restore < /etc/iptables/rules.v4`),
   * and in a script template the commands the template puts in (`{{ rule }}`, `template`): the chains of that family
   * may hold rules and policies the analysis does not see.
   */
  loads?: Array<{ family: Family; line: number; noflush: boolean; template?: boolean }>;
  /**
   * In a script whose functions run where they are called: its commands in the order it runs them, and the line
   * each moved command runs at (its call's). Absent when that is the order of the text.
   */
  run?: RunOrder;
  /**
   * In a script: it may add rules the analysis cannot see, to any chain: it runs eval, sources a file that holds
   * more than assignments (or cannot be read), or adds rules to a chain named by a value not known here.
   */
  unseenRules?: boolean;
  /**
   * In a script: the commands that may run other than once where the analysis applies them (see unsureCommands):
   * how many rules a chain they edit holds is then not known.
   */
  unsure?: ReadonlySet<Command>;
  /**
   * In a script: of those, the commands that may not run, or run more than once, for a reason of their own (after
   * && or ||, in a pipeline, a loop not followed value by value, a template's block), not for the if or case arm
   * or function they stand in.
   */
  unsureHere?: ReadonlySet<Command>;
  /** In a script: the word that runs each iptables command (`iptables`, `/sbin/ip6tables`, `$IPT`). */
  programs?: ReadonlyMap<Command, ProgramWord>;
  /** In a script: the commands a `for` loop over known values adds once per value, with each value's parse of them. */
  loops?: ReadonlyMap<Command, LoopInfo>;
  /** In a script: the ipsets it makes itself, and whether it may make others the linter cannot see. */
  ipsets?: ScriptIpsets;
  /** In a script: the files it names for its firewall (the configuration it sources, rules files it loads or saves). */
  files?: FileMention[];
  /**
   * A file written as a Jinja template: where its template syntax first shows, and its outermost blocks (`{% for %}`
   * ... `{% endfor %}`) by the lines of their opening and closing statements. What a fix adds goes outside them, so
   * that the template does not repeat or leave it out.
   */
  template?: { first: Range; blocks: Array<{ start: number; end: number }>; folds?: Array<{ start: number; end: number }> };
}

/** The commands in the order they run (a script's functions where they are called). */
export function commandsInRunOrder(rs: Ruleset): readonly Command[] {
  return rs.run?.order ?? rs.commands;
}

/** Whether a finding starts among the command's words (a script's line may hold several commands). */
export function holdsFinding(c: Command, d: Diagnostic): boolean {
  const p = d.range.start;
  return comparePos(p, c.range.start) >= 0 && comparePos(p, c.range.end) <= 0;
}

/** In a script: whether the command is a line of a here-document read as a restore file (see Ruleset.embedded). */
export function inHereDoc(rs: Ruleset, c: Command): boolean {
  return rs.embedded?.some((e) => c.startLine >= e.fromLine && c.startLine < e.toLine) ?? false;
}

/** The line a command runs at: its own, or in a script the line of the call its function runs from. */
export function runLine(rs: Ruleset, c: Command): number {
  return rs.run?.line.get(c) ?? c.startLine;
}

/** The if/case arms a command runs in: for a function's command in a script, those of the call it runs from. */
export function runArms(rs: Ruleset, c: Command): readonly ArmRef[] | undefined {
  return rs.run?.arms.get(c) ?? rs.armsOf?.get(c);
}

/**
 * `line 3`, or for a function's command in a script `line 3 of the function called on line 12`: a finding's words
 * for it. `values` (places among its loop's values) narrows a loop's command to the values a finding is about: the
 * calls that pass them (`called on lines 12 and 14`), or for a `for` loop ` with $p = 80`; without them a function
 * called once per value names all its calls.
 */
export function lineName(rs: Ruleset, c: Command, values?: readonly number[]): string {
  const loop = rs.loops?.get(c);
  const calls = loop?.loop.calls;
  const line = `line ${c.startLine + 1}`;
  if (loop && calls) {
    const named = values ?? (loop.each ? loop.valueAt.slice(0, 1) : calls.map((_, k) => k));
    return `${line} of the function called on ${linesList(named.map((k) => calls[k] + 1), 4)}`;
  }
  const at = rs.run?.line.get(c);
  const which = values?.length && loop && !loop.each ? ` with $${loop.name} = ${[...new Set(values.map((k) => loop.values[k]))].join(' or ')}` : valueOf(rs, c);
  return `${line}${which}${at === undefined ? '' : ` of the function called on line ${at + 1}`}`;
}

/**
 * `line 4`, `lines 4 and 9`, `lines 4, 9 and 12` (the lines 1-based, in order, once each); beyond `most` lines, the
 * first few and how many more: `lines 4, 9, 12 and 3 more`.
 */
export function linesList(lines: readonly number[], most = Infinity): string {
  const xs = [...new Set(lines)].sort((a, b) => a - b);
  if (xs.length === 1) return `line ${xs[0]}`;
  if (xs.length > most) return `lines ${xs.slice(0, most - 1).join(', ')} and ${xs.length - most + 1} more`;
  return `lines ${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** `1 rule`, `3 rules`: a count with its noun. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** The variables whose word changes from value to value: the loop's, and a function's other parameters that differ. */
export function varyingNames(loop: LoopOf): string[] {
  return [loop.name, ...(loop.others?.[0]?.keys() ?? [])];
}

/** The word `name` (one of varyingNames) stands for at value `n`. */
export function varyingValue(loop: LoopOf, name: string, n: number): string {
  return name === loop.name ? loop.values[n] : loop.others![n].get(name)!;
}

/**
 * What the loop's variables are at value `n`, as a finding or a hover says it: `$p = 80`; for a call of a function
 * whose calls differ in several parameters, each of them: `$1 = udp, $2 = 53`. `code`: as Markdown code.
 */
export function assignedAt(loop: LoopOf, n: number, code = false): string {
  const one = (name: string) => (code ? `\`$${name}\` = \`${varyingValue(loop, name, n)}\`` : `$${name} = ${varyingValue(loop, name, n)}`);
  return varyingNames(loop).sort(byParam(loop)).map(one).join(', ');
}

/** Names of a loop's variables in order: a function's parameters by their numbers, others by name. */
export function byParam(loop: LoopOf): (a: string, b: string) => number {
  const order = loop.params;
  return order ? (a, b) => order.indexOf(a) - order.indexOf(b) : (a, b) => a.localeCompare(b);
}

/**
 * Which value a loop's command of its own stands for (`-j $t` over ACCEPT and DROP: ` with $t = DROP`), as a
 * finding names it; '' for any other command.
 */
export function valueOf(rs: Ruleset, c: Command): string {
  const loop = rs.loops?.get(c);
  if (!loop?.each) return '';
  // A function's call: which one (two calls may pass the same words).
  const call = loop.loop.calls?.[loop.valueAt[0]];
  return ` with ${assignedAt(loop.loop, loop.valueAt[0])}${call === undefined ? '' : `: the call on line ${call + 1}`}`;
}

/** Whether the chains of a family may hold rules a script loads from a file the analysis cannot read. */
export function loadsUnseen(rs: Ruleset, family: Family): boolean {
  return !!rs.loads?.some((l) => l.family === family);
}

/**
 * Whether the chains of a family may hold rules the analysis cannot see, anywhere in them: loaded from a file it
 * cannot read, or added by commands it cannot follow (see Ruleset.unseenRules: `iptables -A "$@"`, eval).
 */
export function holdsUnseen(rs: Ruleset, family: Family): boolean {
  return !!rs.unseenRules || loadsUnseen(rs, family);
}

/**
 * Where a script loads rules the linter cannot read (a rules file, a pipe, a here-document the shell fills in with
 * values not known here), for one family or both, as a sentence for a message; '' when it loads none.
 */
export function unseenLoadsNote(rs: Ruleset, family?: Family): string {
  const lines = [...new Set((rs.loads ?? []).filter((l) => !l.template && (family === undefined || l.family === family)).map((l) => l.line + 1))];
  if (!lines.length) return '';
  return ` It loads rules that cannot be read here (iptables-restore from a file, a pipe, or a here-document with values only the running script knows) on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}.`;
}

/**
 * The word that runs a script's iptables command, and whether its program is known: a plain word, or a variable set
 * to one before (`IPT=/sbin/iptables`); a variable only named like one (`$IPT6` set elsewhere) is taken by its name.
 */
export interface ProgramWord {
  word: Token;
  known: boolean;
}

/** An arm of a script's if or case statement: the statement, and the arm's place in it (then 0, each elif or else 1, 2, ...). */
export interface ArmRef {
  statement: number;
  arm: number;
}

/** The IPv6 tables' keys, made once each (chains are looked up by table for every rule). */
const IPV6_KEYS = new Map<string, string>();

/** A table of one family as one key (no string is built for IPv4, by far the common case). */
export function tableKey(family: Family, table: string): string {
  if (family === 4) return table;
  let key = IPV6_KEYS.get(table);
  if (key === undefined) IPV6_KEYS.set(table, (key = `${table}6`));
  return key;
}

/** Whether the rule takes the packets it matches out of connection tracking (`-j NOTRACK`, `-j CT --notrack`). */
export function untracksPackets(c: Command): boolean {
  const t = c.target;
  const name = t?.spec?.name;
  return name === 'NOTRACK' || (name === 'CT' && t!.options.some((o) => o.spec.names[0] === '--notrack'));
}

export function isRuleCommand(c: Command): boolean {
  return c.spec.ruleSpec && (c.spec.short === '-A' || c.spec.short === '-I' || c.spec.short === '-R');
}

/**
 * Whether a rule decides the packets it matches (a verdict, RETURN, a jump or goto, a target that is a shell value),
 * rather than letting them go on to the next rule (LOG, MARK, no target).
 */
export function decidesPackets(c: Command): boolean {
  const t = c.target;
  if (!t) return false;
  if (t.dynamic || !t.spec) return true;
  return t.spec.terminating === true || t.spec.name === 'RETURN';
}
