/**
 * Finds iptables/ip6tables invocations in shell scripts: direct, through sudo, or through a variable that
 * holds an iptables path (IPT=/sbin/iptables; $IPT -A ...). Everything else in the script is left alone.
 */
import { Family } from '../kb/addresses';
import { findTable } from '../kb';
import { Token } from '../lexer';
import { LineIndex } from '../lineIndex';
import { ArmRef, ChainDecl, Command, CommentLine, decidesPackets, ProgramWord, Ruleset, TableBlock } from '../model';
import { HereDoc, lexShell, ShellItem, ShellOp, UnclosedQuote } from '../shellLexer';
import { TemplateBlocks } from './template';
import { parseCommand } from './command';
import { parseRestoreLines } from './restore';
import { DiagnosticSink, withRelated } from './diagnostics';
import { causedByGone } from './gone';
import { followedArms, FunctionCall, notFollowed, runOrder, ScriptStatements, unsureCommands } from './scriptFlow';
import { ArrayItems, ASSIGN, EXPANSION, ShellValues, Sourced } from './shellValues';
import { besideScript, FileMention, fileMentions, Redirect, RESTORE_RE } from './scriptFiles';
import { readIpsetCommand, ScriptIpsets } from './scriptIpsets';
import { checkFunctionArguments, checkLoopVariables } from './loopVariable';
import { checkUnsetVariables } from './unsetVariable';
import { checkEmptyLoops, EmptyLoop, emptyLoops } from './emptyLoop';
import { BodyRule, bodyOfLoop, callLoops, leading, loopListWords, eachValue, ForLoop, forLoops, FunctionUses, functionUses, HARMLESS, interleaveKey, isLoopWord, Looped, LoopInfo, LoopOf, loopDepths, loopsOf, mentionsLoopVar, Shell, shBraceWords, shellOf, takenTogether, varyingNames, varyingValue, withFixed, withValue } from './scriptLoops';
import { comparePos, Diagnostic, Range } from '../types';

/**
 * A word that has to do with IPv6: ip6tables (and $IP6T), a disable_ipv6 sysctl, an inet6 address, rules.v6, another
 * script for it (firewall6.sh, fw-v6).
 */
const IPV6_WORD = /ip6|ipv6|inet6|v6\b|6\.sh$/i;
const IPTABLES_RE = /^(?:.*\/)?(ip6?tables)(?:-legacy|-nft)?$/;
const PREFIX_WORDS = new Set(['sudo', 'command', 'exec', 'nice', 'nohup', 'time', 'env', 'doas', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{']);
const IPT_VAR_RE = /^\$\{?(IP6?T(?:ABLES)?[A-Z0-9_]*|ip6?t(?:ables)?[a-z0-9_]*)\}?$/;

/** Which family a command word runs, if it is an iptables invocation. */
function invocationFamily(word: Token, aliases: Map<string, Family>): Family | undefined {
  if (word.dynamic) {
    const name = variableName(word.value);
    if (!name) return undefined;
    const known = aliases.get(name);
    if (known) return known;
    if (IPT_VAR_RE.test(word.value)) return /6/.test(name) ? 6 : 4;
    return undefined;
  }
  const m = IPTABLES_RE.exec(word.value);
  if (!m) return undefined;
  return m[1] === 'ip6tables' ? 6 : 4;
}

/** A command word that is the function's arguments or one of them (`"$@"`, `$1`): the function runs what it is given. */
function runsArguments(word: Token): boolean {
  return /^"?\$(?:[@*1-9]|\{[@*1-9]\})"?$/.test(word.raw);
}

/** `IPT` of `$IPT` or `${IPT}`; '' for any other word. */
function variableName(word: string): string {
  return /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word)?.[1] ?? '';
}

/** A simple command: its words, the here-document fed to it, if any, and the arms (of if, case, function) it stands in. */
interface SimpleCommand {
  words: Token[];
  heredoc?: HereDoc;
  arms: ArmRef[];
  /** The words of a case pattern (`start|restart)`), not a command. */
  pattern?: boolean;
  /** It runs only as another command turns out (after `&&` or `||`), or in a pipeline (`|`); or a template may leave it out. */
  conditional?: boolean;
  /** In a Jinja template: inside a block, or with a statement of its own, so that it may be rendered several times or not at all. */
  templated?: boolean;
  /** Its redirections to and from files (`< /etc/iptables/rules.v4`, `> rules.v6`), each with the word that names the file. */
  redirects?: Redirect[];
  /** It stands in parentheses (a subshell: an `exit` there ends the subshell, not the script). */
  subshell?: boolean;
  /** An array assignment (`PORTS=(22 80)`, its last word): the array's items. */
  array?: ArrayItems;
}

/** The redirections of files (here-documents are read apart). */
const FILE_REDIRECTS = new Set(['<', '>', '>>', '>&', '<&', '<>', '>|']);

/**
 * `PORTS=(22 80 443)`: bash's array assignment, whose `(` the lexer hands on as an operator after the word `PORTS=`.
 * That word is not an empty value: it is made one whose value is not known as a plain word (`PORTS=(`), and the
 * words up to the `)` (over several lines if need be) are the array's items, not a command: simpleCommands reads
 * them into the command's `array`. Whether the operator opens such an assignment.
 */
function arrayAssignment(words: Token[], op: ShellOp): boolean {
  const w = words[words.length - 1];
  if (!op.joined || !w || !w.raw.endsWith('=') || !ASSIGN.test(w.raw)) return false;
  words[words.length - 1] = new Token(`${w.value}(`, `${w.raw}(`, w.line, w.start, w.endLine, w.end, w.quoted, true);
  return true;
}

/** Splits the item stream into simple commands (words between control operators), each with its here-document. */
function simpleCommands(items: ShellItem[], statements: ScriptStatements, blocks: TemplateBlocks): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  /** The command being read holds a template statement of its own. */
  let inline = false;
  let cur: SimpleCommand = { words: [], arms: [] };
  /** The commands that opened here-documents on the current line, in order: the bodies follow the line. */
  const opened: SimpleCommand[] = [];
  /** Whether the simple command last finished is the last of `out` (a function's name is taken back out). */
  let pushed = false;
  /** The operator before the simple command being read. */
  let before = '';
  /** How many parentheses are open around it (a function's `()` and a case pattern's `)` aside). */
  let parens = 0;
  /** The array assignment whose items are being read (`PORTS=(22 80`), until its `)`. */
  let array: SimpleCommand | undefined;
  const finish = () => {
    pushed = false;
    if (cur.words.length) {
      const begun = statements.begin(cur.words);
      cur.pattern = begun.pattern;
      if (begun.skip) cur.words = cur.words.slice(begun.skip);
      cur.arms = statements.arms();
      cur.templated = inline || blocks.conditional;
      cur.conditional = before === '&&' || before === '||' || before === '|' || cur.templated;
      if (parens > 0) cur.subshell = true;
      if (cur.words.length) {
        out.push(cur);
        pushed = true;
      }
    }
    cur = { words: [], arms: [] };
    inline = false;
  };
  for (const it of items) {
    if (array) {
      if (it.kind === 'word') array.array!.words.push(it);
      else if (it.kind === 'op' && it.value === ')') array = undefined;
      // Anything else but a line break or a comment (bash refuses it, or a template shapes it) leaves the items not known.
      else if (it.kind !== 'comment' && !(it.kind === 'op' && it.value === '\n')) array.array!.plain = false;
      if (it.kind !== 'template') continue;
    }
    if (it.kind === 'word') cur.words.push(it);
    else if (it.kind === 'template') {
      // A statement among a command's words makes it the template's to shape; one alone is no command.
      if (cur.words.length > 1 || it.range.start.line !== cur.words[0]?.range.start.line) inline = true;
      blocks.apply(it.effect, it.range.start.line);
    } else if (it.kind === 'heredoc') {
      const owner = opened.shift();
      if (owner && !owner.heredoc) owner.heredoc = it;
    } else if (it.kind === 'op' && (it.value === '<<' || it.value === '<<-')) opened.push(cur);
    else if (it.kind === 'op' && FILE_REDIRECTS.has(it.value)) {
      if (it.target) (cur.redirects ??= []).push({ op: it.value, target: it.target });
    } else if (it.kind === 'op') {
      const assigns = arrayAssignment(cur.words, it);
      finish();
      if (assigns && pushed) (array = out[out.length - 1]).array = { words: [], plain: true };
      if (statements.operator(it.value) && pushed) out.pop();
      if (it.value === '(' && !it.joined) parens++;
      else if (it.value === ')' && parens > 0) parens--;
      before = it.value;
    }
  }
  finish();
  return out;
}


/**
 * `iptables-restore <<'EOF'` with the rules in the script itself: the body is a restore file that the script loads
 * there. Read as one when the shell changes nothing in it (a quoted delimiter, or no expansion in it) and it is
 * loaded for real (not --test). Without --noflush it replaces the tables it names.
 */
interface Embedded {
  ruleset: Ruleset;
  family: Family;
  flush: boolean;
  heredoc: HereDoc;
}

function embeddedRestore(words: Token[], k: number, heredoc: HereDoc | undefined, index: LineIndex, opts: ScriptOptions, values: ShellValues, vanished: Set<Token>): Embedded | undefined {
  const m = RESTORE_RE.exec(words[k].value);
  if (!m || !heredoc || heredoc.stripTabs || heredoc.fromLine >= heredoc.toLine) return undefined;
  const args = words.slice(k + 1).map((w) => w.value);
  if (args.some((a) => a === '-t' || a === '--test')) return undefined;
  // An unquoted delimiter: the shell expands the body first. Only rule lines are read with their expansions (a
  // table or chain line whose name is a value would be another table or chain).
  let expanded = false;
  if (!heredoc.quoted) {
    for (let line = heredoc.fromLine; line < heredoc.toLine; line++) {
      const text = index.lineText(line);
      if (!/[$`]/.test(text) || text.startsWith('#')) continue;
      // A command's output or another expansion may hold blanks: the words of the line are not known.
      if (!/^\s*[-[]/.test(text) || /[$`]/.test(text.replace(EXPANSION, ''))) return undefined;
      expanded = true;
    }
  }
  const family: Family = opts.family ?? (m[1] === 'ip6tables' ? 6 : 4);
  const flush = !args.some((a) => a === '-n' || a === '--noflush');
  return { ruleset: parseRestoreLines(index, family, heredoc.fromLine, heredoc.toLine, expanded ? { word: (w) => hereDocWord(w, values, vanished), explain: (d, w, sink) => ofVariable(sink, d, w, values) } : undefined), family, flush, heredoc };
}

/**
 * A word of a here-document's rule line as iptables-restore gets it once the shell has expanded the body: its
 * variables put in where their values are known (and leave it one word), null where they leave nothing (a blank
 * setting, outside double quotes: iptables-restore then sees no word there), otherwise a word whose value is unknown.
 * Undefined for a word without an expansion.
 */
function hereDocWord(w: Token, values: ShellValues, vanished: Set<Token>): Token | null | undefined {
  const raw = w.raw;
  if (!/[$\\]/.test(raw)) return undefined;
  const unknown = new Token(w.value, raw, w.line, w.start, w.endLine, w.end, w.quoted, true);
  if (raw.includes('\\')) return unknown;
  if (!w.quoted && values.text(unknown) === '') {
    vanished.add(w);
    return null;
  }
  // As in a command's words, a value with blanks outside quotes is several words; a double quote in it would change
  // how iptables-restore groups the words.
  const known = values.resolve(unknown);
  return known && !known.value.includes('"') ? known : unknown;
}

/**
 * The first `exit` that ends the script wherever it runs from: a command of its own at the top of the script (not in a
 * function, an if or case, a loop, a subshell, a pipeline or after `&&` or `||`), with at most its status.
 */
function exitOf(commands: readonly SimpleCommand[], depths: ReadonlyMap<SimpleCommand, number>): SimpleCommand | undefined {
  return commands.find((sc) => {
    const w = sc.words[0];
    return w.value === 'exit' && !w.quoted && !w.dynamic && sc.words.length <= 2 && !sc.arms.length && !sc.conditional && !sc.subshell && !sc.pattern && !depths.has(sc);
  });
}

/**
 * The commands that never run: those of loops that make no pass, those after the script's `exit`, and those of
 * functions called only there (and of functions called only from those, and so on).
 */
function neverRunning(commands: readonly SimpleCommand[], empty: readonly EmptyLoop[], uses: FunctionUses<SimpleCommand>, exit: SimpleCommand | undefined): Set<SimpleCommand> {
  const out = new Set(empty.flatMap((e) => bodyOfLoop(commands, e.loop)));
  if (exit) for (let i = commands.indexOf(exit) + 1; i < commands.length; i++) out.add(commands[i]);
  if (!out.size) return out;
  // Each call's function, and how many of each function's calls may still run; a function none of whose calls
  // runs never runs its body, whose calls then never run either (each command is looked at once).
  const callee = new Map<SimpleCommand, number>();
  const left = new Map<number, number>();
  for (const [fn, calls] of uses.calls) {
    for (const i of calls) callee.set(commands[i], fn);
    left.set(fn, calls.length);
  }
  const queue = [...out];
  while (queue.length) {
    const fn = callee.get(queue.pop()!);
    if (fn === undefined) continue;
    const n = left.get(fn)! - 1;
    left.set(fn, n);
    if (n > 0) continue;
    for (const c of uses.bodies.get(fn) ?? []) {
      if (out.has(c)) continue;
      out.add(c);
      queue.push(c);
    }
  }
  return out;
}

/** The commands the analysis leaves out: those of arms it does not follow, and those that never run. */
function withNeverRun(notFollowed: Set<Command> | undefined, never: ReadonlySet<Command>): Set<Command> | undefined {
  if (!never.size) return notFollowed;
  const out = new Set(notFollowed);
  for (const c of never) out.add(c);
  return out;
}

/**
 * The unseen loads that count: those on the way the analysis follows, and those that add to the chains (--noflush)
 * wherever they stand; a load that replaces the tables in an arm not followed is another firewall altogether
 * (`if [ -e "$SAVED" ]; then iptables-restore < "$SAVED"; exit 0; fi`, then the script's own rules).
 */
function seenLoads(loads: Array<NonNullable<Ruleset['loads']>[number] & { arms: ArmRef[] }>, follows: (path: readonly ArmRef[]) => boolean): Ruleset['loads'] {
  const out = loads.filter((l) => l.noflush || follows(l.arms)).map(({ arms: _arms, ...load }) => load);
  return out.length ? out : undefined;
}

/**
 * `iptables-restore < /etc/iptables/rules.v4` (or from a pipe, or a variable's file): a rules file loaded for real
 * whose text is not in the script. Not `--test`, and not a here-document read as a restore file.
 */
function unseenLoad(words: Token[], k: number, opts: ScriptOptions): { family: Family; noflush: boolean } | undefined {
  const m = RESTORE_RE.exec(words[k].value);
  if (!m || words[k].quoted) return undefined;
  const args = words.slice(k + 1).map((w) => w.value);
  if (args.some((a) => a === '-t' || a === '--test' || a === '-h' || a === '--help')) return undefined;
  return { family: opts.family ?? (m[1] === 'ip6tables' ? 6 : 4), noflush: args.some((a) => a === '-n' || a === '--noflush') };
}

export interface ScriptOptions {
  /** The family of a plain `iptables` is 4, of `ip6tables` 6; a setting may force one. */
  family?: Family;
  /** Where the script is: a file it sources by a relative name is looked for beside it. */
  fileName?: string;
  /** Reads a file the script sources (`. /etc/firewall.conf`); undefined when it cannot. */
  readFile?: (path: string) => string | undefined;
}

/** Sourced files larger than this are not read: a configuration of assignments is small. */
const MAX_SOURCED = 256 * 1024;

/**
 * How a script's `.`/`source` command is read: the file it names, when that is plain text (no expansion) and can be
 * read, and holds nothing but assignments (a configuration such as `/etc/default/firewall`). A relative name is
 * taken beside the script (where it usually runs from).
 */
function sourcedBy(opts: ScriptOptions): ((word: Token) => Sourced | undefined) | undefined {
  const read = opts.readFile;
  if (!read) return undefined;
  return (word) => {
    if (word.dynamic || word.value === '') return undefined;
    const file = word.value.startsWith('/') ? word.value : opts.fileName ? besideScript(opts.fileName, word.value) : undefined;
    const text = file === undefined ? undefined : read(file);
    if (text === undefined || text.length > MAX_SOURCED) return undefined;
    const commands = simpleCommands(lexShell(text), new ScriptStatements(), new TemplateBlocks());
    if (!commands.every((c) => !c.pattern && c.words.every((w) => ASSIGN.test(w.raw)))) return undefined;
    const assigned = new Set(commands.flatMap((c) => c.words.map((w) => ASSIGN.exec(w.raw)![1])));
    return { values: ShellValues.of(commands), assigned };
  };
}

/** The script's comments (each knowing whether it follows a word on its line), and the words that name IPv6. */
function commentsOf(items: readonly ShellItem[]): { comments: CommentLine[]; ipv6Words: Set<Token> } {
  const comments: CommentLine[] = [];
  let lastWordLine = -1;
  const ipv6Words = new Set<Token>();
  for (const it of items) {
    if (it.kind === 'word') {
      // (Read without making the word's range: this runs for every word of the script.)
      lastWordLine = it.endLine;
      // Every name IPV6_WORD knows holds a 6.
      if (it.raw.includes('6') && IPV6_WORD.test(it.raw)) ipv6Words.add(it);
    }
    if (it.kind === 'comment') comments.push({ text: it.text, range: it.range, trailing: it.range.start.line === lastWordLine });
  }
  return { comments, ipv6Words };
}

/** What parseScript gathers as it reads the script's commands. */
interface Gathered {
  sink: DiagnosticSink;
  commands: Command[];
  families: Set<Family>;
  armsOf: Map<Command, ArmRef[]>;
  loads: Array<NonNullable<Ruleset['loads']>[number] & { arms: ArmRef[] }>;
  loopInfo: Map<Command, LoopInfo>;
  programs: Map<Command, ProgramWord>;
  /** The words of iptables commands that the shell leaves out (a known variable, unquoted, left empty). */
  vanished: Set<Token>;
}

export function parseScript(text: string, defaultFamily: Family, index = new LineIndex(text), opts: ScriptOptions = {}): Ruleset {
  const sink = new DiagnosticSink();
  const unclosed: UnclosedQuote[] = [];
  const items = withoutUnclosed(lexShell(text, index, unclosed), unclosed, index, sink);
  const reader = new ScriptReader(items, shellOf(text, opts.fileName), index, opts, sink);
  reader.readAll();
  reader.checkVariables();
  return reader.ruleset(defaultFamily, items);
}

/**
 * What parseScript knows of a script as it reads its commands one by one: its shell context (variables, functions,
 * loops), and what the commands gather (see Gathered).
 */
class ScriptReader implements Gathered {
  readonly commands: Command[] = [];
  readonly families = new Set<Family>();
  readonly vanished = new Set<Token>();
  readonly armsOf = new Map<Command, ArmRef[]>();
  readonly loads: Gathered['loads'] = [];
  readonly loopInfo = new Map<Command, LoopInfo>();
  readonly programs = new Map<Command, ProgramWord>();
  private readonly comments: CommentLine[];
  /**
   * The words that have to do with IPv6 other than as ip6tables commands read here (or variables naming ip6tables):
   * a sysctl that turns it off, ip6tables-restore of a file, another script for it (see Ruleset.mentionsIpv6).
   */
  private readonly ipv6Words: Set<Token>;
  /** Assignments of a variable naming ip6tables (`IP6T=/sbin/ip6tables`): no more than that where some ip6tables command is read. */
  private readonly ip6Aliases = new Set<Token>();
  /** A command of a template's making, which may be anything (ip6tables included). */
  private templated = false;
  /** Variables that name iptables or ip6tables (`IPT=/sbin/iptables`), as the commands set them. */
  private readonly aliases = new Map<string, Family>();
  private readonly embedded: Embedded[] = [];
  /** The rule lines of here-documents the shell expands before iptables-restore reads them, with their command. */
  private readonly expandedLines: Array<{ c: SimpleCommand; words: readonly Token[] }> = [];
  private readonly statements = new ScriptStatements();
  private readonly blocks = new TemplateBlocks();
  private readonly simple: SimpleCommand[];
  private readonly values: ShellValues;
  private readonly calls: FunctionCall[] = [];
  /** A command word of a value not known, or naming a function (`"$@"`, `$ACTION`): any function may be called. */
  private dispatches = false;
  /** A function runs its arguments as a command (`run() { "$@"; }`) and some call passes it an iptables command. */
  private runsIptables = false;
  /** The functions a `trap` names (`trap cleanup INT`), with the line of the first such trap. */
  private readonly trapped = new Map<number, number>();
  /** Whether the script sources a file or runs eval (see definedLater). */
  private sources: boolean | undefined;
  /** How often each function's name is written in a trap or in a call above its definition (neither calls it here). */
  private readonly notCalls = new Map<number, number>();
  private readonly files: FileMention[] = [];
  private readonly ipsets: ScriptIpsets = { made: [], unseen: false };
  private readonly forLoops: ForLoop[];
  private readonly loops: Map<SimpleCommand, LoopOf>;
  /** The words of loops' lists that stand for values (see Ruleset.loopLists). */
  private readonly loopLists: Array<{ word: Token; values: string[] }>;
  private readonly uses: FunctionUses<SimpleCommand>;
  private readonly together = new Map<LoopOf, boolean>();
  private readonly depths: Map<SimpleCommand, number>;
  /** Commands that may run other than once where they stand (see unsureCommands). */
  private readonly local = new Set<Command>();
  /** The loops the shell finds nothing to go over, the commands of their bodies, and the iptables commands those make. */
  private readonly empty: EmptyLoop[];
  private readonly neverRuns: Set<SimpleCommand>;
  private readonly neverRun = new Set<Command>();
  /** The `exit` at the top of the script after which nothing runs, if there is one. */
  private readonly exit: SimpleCommand | undefined;

  constructor(private readonly items: ShellItem[], shell: Shell, private readonly index: LineIndex, private readonly opts: ScriptOptions, readonly sink: DiagnosticSink) {
    ({ comments: this.comments, ipv6Words: this.ipv6Words } = commentsOf(items));
    this.simple = simpleCommands(items, this.statements, this.blocks);
    this.values = ShellValues.of(this.simple.filter((c) => !c.pattern), sourcedBy(opts));
    this.forLoops = forLoops(this.simple);
    this.loops = loopsOf(this.simple, this.forLoops, this.values, shell);
    this.uses = functionUses(this.simple, this.statements.functions);
    for (const [c, loop] of callLoops(this.simple, this.uses, this.values, this.loops)) this.loops.set(c, loop);
    this.loopLists = loopListWords(this.simple, this.loops, this.forLoops, this.values, shell);
    reportShBraces(this.simple, shell, sink);
    if (shell === 'sh') reportShArrays(this.simple, sink);
    this.depths = loopDepths(this.simple);
    this.empty = emptyLoops(this.simple, this.forLoops, this.values);
    this.exit = exitOf(this.simple, this.depths);
    this.neverRuns = neverRunning(this.simple, this.empty, this.uses, this.exit);
  }

  /** Reads every command in turn, noting those that may run other than once where they stand. */
  readAll(): void {
    for (const sc of this.simple) {
      const from = this.commands.length;
      this.read(sc);
      const depth = this.depths.get(sc) ?? 0;
      const never = this.neverRuns.has(sc);
      for (let n = from; n < this.commands.length; n++) {
        const c = this.commands[n];
        if (sc.conditional || depth > 1 || (depth === 1 && !this.loopInfo.has(c))) this.local.add(c);
        if (never) this.neverRun.add(c);
      }
    }
  }

  private read(sc: SimpleCommand): void {
    const { words, heredoc, arms, pattern, redirects } = sc;
    if (pattern) return;
    const values = this.valuesFor(sc);
    const k = commandWord(words, this.aliases);
    for (let q = 0; q < k && this.ipv6Words.size; q++) if (this.aliases.get(words[q].value.slice(0, words[q].value.indexOf('='))) === 6) this.ip6Aliases.add(words[q]);
    if (k >= words.length) return;
    this.files.push(...fileMentions(words, k, redirects, values, this.opts.fileName));
    readIpsetCommand(words, k, values, arms, heredoc, this.index, this.ipsets);
    const named = words[k].quoted || words[k].dynamic ? undefined : this.statements.functions.get(words[k].value);
    const called = named !== undefined && this.definedLater(words[k], arms) ? undefined : named;
    if (named !== undefined && called === undefined) this.notCalls.set(named, (this.notCalls.get(named) ?? 0) + 1);
    if (words[k].dynamic && !invocationFamily(words[k], this.aliases)) {
      this.dispatches ||= mayNameFunction(values.text(words[k]), this.statements.functions);
      this.runsIptables ||= runsArguments(words[k]) && this.passesIptables(arms);
    }
    if (words[k].value === 'trap' && !words[k].quoted && !words[k].dynamic) this.noteTrap(words.slice(k + 1));
    // (A call in a loop that makes no pass never happens.)
    if (called !== undefined && !this.neverRuns.has(sc)) this.calls.push({ statement: called, arms, line: words[k].line, at: this.commands.length, unsure: sc.conditional || this.depths.has(sc) });
    // `{{ rule }}` as a command of its own: the template puts any command there, iptables or ip6tables, which may
    // add, delete or flush rules the analysis cannot see, as a rules file loaded from elsewhere may.
    if (isTemplateExpression(words[k])) {
      for (const family of [4, 6] as const) this.loads.push({ family, noflush: false, line: words[k].range.start.line, arms, template: true });
      this.templated = true;
      return;
    }
    const restore = embeddedRestore(words, k, heredoc, this.index, this.opts, values, this.vanished);
    const unseen = restore ? undefined : unseenLoad(words, k, this.opts);
    if (unseen) this.loads.push({ ...unseen, line: words[k].range.start.line, arms });
    else if (restore) this.readEmbedded(restore, sc);
    else {
      const families = addIptables(this, sc, k, loopTaken(sc, this.loops, this.together, values, this.aliases, this.opts.family), values, this.aliases, this.opts.family);
      // An ip6tables command is read as one: what it does to IPv6 is the analysis's to say.
      if (families?.includes(6)) for (const w of words) this.ipv6Words.delete(w);
    }
  }

  /** Whether a call of a function the arms are in passes it a word that runs iptables (`run iptables -A ...`). */
  private passesIptables(arms: readonly ArmRef[]): boolean {
    return arms.some((r) => this.statements.kinds.get(r.statement) === 'function' && (this.uses.calls.get(r.statement) ?? []).some((i) =>
      this.simple[i].words.slice(leading(this.simple[i].words) + 1).some((w) => invocationFamily(w, this.aliases) !== undefined)));
  }

  /**
   * The variables as a command reads them: where it stands, or for a command of a function's body (not in an if,
   * case or loop of it) whose every call stands at the top of the script, where the first call is.
   */
  private valuesFor(sc: SimpleCommand): ShellValues {
    const fn = this.values.size ? this.functionOf(sc) : undefined;
    if (fn === undefined) return this.values;
    let values = this.bodyValues.get(fn);
    if (!values) this.bodyValues.set(fn, (values = this.firstCallValues(this.uses.calls.get(fn)!)));
    return values;
  }

  /** The called function whose body holds the command directly (not in an if, case or loop of it). */
  private functionOf(sc: SimpleCommand): number | undefined {
    const fn = sc.arms.length === 1 && !this.depths.has(sc) ? sc.arms[0].statement : undefined;
    return fn !== undefined && this.uses.calls.has(fn) ? fn : undefined;
  }

  /** The variables as the commands of a function read them, by its calls (see valuesFor); worked out once a function. */
  private readonly bodyValues = new Map<number, ShellValues>();

  private firstCallValues(calls: readonly number[]): ShellValues {
    const first = this.firstRun(calls, 0);
    return first === undefined ? this.values : this.values.runningAt(first);
  }

  /**
   * The line from which on the commands of a function's body run, by its calls (undefined when one of them may run
   * sooner or not at all): a call at the top of the script runs at its line, a call in the body of another function
   * (`main() { ...; allow_ssh; }` ... `main "$@"`) when that function first runs; so many functions deep at most.
   */
  private firstRun(calls: readonly number[], depth: number): number | undefined {
    let first = Infinity;
    for (const i of calls) {
      const c = this.simple[i];
      if (this.depths.has(c) || c.conditional) return undefined;
      const outer = c.arms.length ? this.functionOf(c) : undefined;
      const line = !c.arms.length ? c.words[0].line : outer === undefined || depth >= MAX_CALL_DEPTH ? undefined : this.outerRun(outer, depth + 1);
      if (line === undefined) return undefined;
      first = Math.min(first, line);
    }
    return first;
  }

  /** firstRun of a function whose body holds calls, worked out once (a function calling itself, again: undefined). */
  private outerRun(fn: number, depth: number): number | undefined {
    if (this.runs.has(fn)) return this.runs.get(fn);
    this.runs.set(fn, undefined);
    const line = this.firstRun(this.uses.calls.get(fn)!, depth);
    this.runs.set(fn, line);
    return line;
  }

  private readonly runs = new Map<number, number | undefined>();

  /** The rules of a restore file fed to iptables-restore from a here-document, as the script's commands. */
  private readEmbedded(restore: Embedded, sc: SimpleCommand): void {
    const { arms, templated } = sc;
    this.embedded.push(restore);
    if (!restore.heredoc.quoted) for (const c of restore.ruleset.commands) if (c.dynamic) this.expandedLines.push({ c: sc, words: c.tokens });
    this.families.add(restore.family);
    for (const c of restore.ruleset.commands) {
      c.commandFamily = restore.family;
      c.index = this.commands.length;
      this.commands.push(c);
      if (arms.length) this.armsOf.set(c, arms);
      // Loaded from inside a template block: the template may load it several times, or not at all.
      if (templated) c.conditional = true;
    }
  }

  /**
   * loop-variable-unused, for loops and for functions called with different arguments; unset-variable, for the
   * variables iptables commands read.
   */
  checkVariables(): void {
    // A command here-document's lines are words of no command: what they read is not looked through.
    const kind = (sc: SimpleCommand) => {
      const k = commandWord(sc.words, undefined);
      if (k >= sc.words.length || sc.heredoc) return undefined;
      return invocationFamily(sc.words[k], this.aliases) !== undefined ? { k, runs: 'iptables' as const } : HARMLESS.has(sc.words[k].value) ? { k, runs: 'prints' as const } : undefined;
    };
    const runs = (sc: SimpleCommand) => kind(sc)?.runs;
    const iptablesAt = (sc: SimpleCommand) => {
      const found = kind(sc);
      return found?.runs === 'iptables' ? found.k : undefined;
    };
    checkLoopVariables(this.simple, this.forLoops, this.index, runs, this.sink);
    // (A loop's body runs iptables itself, or calls a function that does.)
    const callsIptables = (sc: SimpleCommand) => {
      const w = sc.words[commandWord(sc.words, undefined)];
      const fn = w && !w.quoted && !w.dynamic ? this.statements.functions.get(w.value) : undefined;
      return fn !== undefined && (this.uses.bodies.get(fn) ?? []).some((b) => runs(b) === 'iptables');
    };
    checkEmptyLoops(this.simple, this.empty, this.values, (sc) => runs(sc) === 'iptables' || callsIptables(sc), this.sink);
    checkFunctionArguments(this.simple, this.statements.functions, this.uses, runs, this.sink);
    // A loop's variable written another way is loop-variable-unused's to say (with its fix).
    const covered = this.sink.items.flatMap((d) => (d.code === 'loop-variable-unused' ? ((d.data?.rename as { ranges: Range[] } | undefined)?.ranges ?? []) : []));
    // A command that runs where it stands, once: not in a function, an if or case, or a loop.
    const topLevel = (sc: SimpleCommand) => !sc.arms.length && !this.depths.has(sc);
    // A command of a function's body (not in an if, case or loop of it) runs where the function is first called,
    // and where that call is itself in a function's body, where that function is first called, and so on.
    const calledAt = (sc: SimpleCommand) => {
      let c = sc;
      for (let depth = 0; depth < MAX_CALL_DEPTH; depth++) {
        const fn = this.functionOf(c);
        const call = fn === undefined ? undefined : this.simple[this.uses.calls.get(fn)![0]];
        if (!call || call === c) return undefined;
        if (topLevel(call)) return call.words[commandWord(call.words, undefined)];
        c = call;
      }
      return undefined;
    };
    checkUnsetVariables({ commands: this.simple, loops: this.forLoops, restoreLines: this.expandedLines }, wordsOf(this.items), this.values, { iptables: iptablesAt, topLevel, calledAt }, covered, this.sink);
  }

  /**
   * Whether the call is one the shell makes before the function is defined (`allow_ssh` on line 3, `allow_ssh() {` on
   * line 5): it finds no such command then, and goes on without it. Said so; a call in a function's body runs later.
   */
  private definedLater(word: Token, arms: readonly ArmRef[]): boolean {
    const def = this.statements.firstDefined.get(word.value);
    if (!def || def.line <= word.line || this.statements.inFunction(arms)) return false;
    // A file the script sources, or an eval, may define it sooner.
    this.sources ??= this.simple.some((sc) => SOURCING.has(sc.words[0].value) && !sc.words[0].quoted);
    if (this.sources) return false;
    this.sink.add('function-defined-later', 'warning', word.range,
      `${word.value} is defined only further down (line ${def.line + 1}): when this line runs the shell finds no such command ("${word.value}: not found") and goes on without it, so what it would set up is missing here. Define the function above its first call.`,
    ).related = [{ range: def.range, message: `${word.value} is defined here` }];
    return true;
  }

  /** The functions a trap's words name, as handlers (`trap cleanup INT`, `trap 'cleanup; exit 1' TERM`). */
  private noteTrap(args: readonly Token[]): void {
    for (const w of args) {
      for (const m of w.value.matchAll(NAME_WORDS)) {
        const fn = this.statements.functions.get(m[0]);
        if (fn === undefined) continue;
        if (!this.trapped.has(fn)) this.trapped.set(fn, w.line);
        this.notCalls.set(fn, (this.notCalls.get(fn) ?? 0) + 1);
      }
    }
  }

  /**
   * Whether a function that nothing in the script calls may run all the same: where the script is a set of functions
   * (no iptables command or call of its own outside them) that another script calls; where it may call a function by
   * a name it does not spell (`"$@"`, `$ACTION`, eval); where the function's name is written elsewhere than in its
   * definition, traps and calls above the definition (a comment, a string). Otherwise its commands never run when the
   * script runs, or only when a trap fires (a signal, an error, its exit), which the analysis does not follow.
   */
  private uncalledRuns(): (fn: number) => boolean {
    const { armsOf, statements } = this;
    // The script runs something itself: an iptables command, or a call, outside the bodies of its functions.
    const runs = this.commands.some((c) => !statements.inFunction(armsOf.get(c)) && !this.neverRun.has(c)) || this.calls.some((c) => !statements.inFunction(c.arms));
    if (this.dispatches || this.values.opaque || !runs) return () => true;
    let mentions: Map<number, number> | undefined;
    return (fn) => {
      mentions ??= nameCounts(this.index.text, statements.functions);
      return (mentions.get(fn) ?? 0) - (this.notCalls.get(fn) ?? 0) !== 1;
    };
  }

  /** Whether the script does something about IPv6 that the analysis may not see (see Ruleset.mentionsIpv6). */
  private mentionsIpv6(): boolean {
    // `IP6T=/sbin/ip6tables`: what it names is read where it is used; unused, it says the script means to.
    const used = this.commands.some((c) => c.commandFamily === 6);
    return this.templated || [...this.ipv6Words].some((w) => !(used && this.ip6Aliases.has(w)));
  }

  /** The script as a ruleset: its commands, the order they run in, and what may run other than once. */
  ruleset(defaultFamily: Family, items: ShellItem[]): Ruleset {
    const { commands, armsOf, calls, statements, loopInfo, local, files, ipsets, index } = this;
    const uncalled = this.uncalledRuns();
    const follows = followedArms(armsOf, calls, statements.kinds, uncalled);
    const counted = seenLoads(this.loads, follows);
    for (const l of counted ?? []) this.families.add(l.family);
    const family = this.opts.family ?? (this.families.size === 1 ? [...this.families][0] : defaultFamily);
    const ruleset: Ruleset = { format: 'script', family, tables: [], chains: [], commands, comments: this.comments, diagnostics: this.sink.items, lineCount: index.lineCount, mentionsIpv6: this.mentionsIpv6(), otherArms: withNeverRun(notFollowed(armsOf, follows), this.neverRun), armsOf: armsOf.size ? armsOf : undefined, loads: counted, files: files.length ? files : undefined, ipsets: ipsets.made.length || ipsets.unseen ? ipsets : undefined };
    if (loopInfo.size) ruleset.loops = loopInfo;
    if (this.programs.size) ruleset.programs = this.programs;
    if (this.neverRun.size) ruleset.neverRun = this.neverRun;
    if (this.exit) ruleset.exitAt = this.exit.words[0].line;
    const idle = neverCalled(calls, statements, uncalled);
    if (idle.size) ruleset.neverCalled = new Set(commands.filter((c) => armsOf.get(c)?.some((r) => idle.has(r.statement))));
    const traps = new Map(commands.flatMap((c) => {
      const fn = armsOf.get(c)?.find((r) => idle.has(r.statement) && this.trapped.has(r.statement))?.statement;
      return fn === undefined ? [] : [[c, this.trapped.get(fn)!] as const];
    }));
    if (traps.size) ruleset.trapped = traps;
    if (this.vanished.size) ruleset.vanished = [...this.vanished];
    if (this.loopLists.length) ruleset.loopLists = this.loopLists;
    ruleset.unsure = unsureCommands(local, armsOf, calls, statements.kinds, (c) => !!loopInfo.get(c)?.loop.calls);
    if (local.size) ruleset.unsureHere = local;
    if (this.values.opaque || this.runsIptables || addsToUnknownChain(commands)) ruleset.unseenRules = true;
    ruleset.run = runOrder(commands, armsOf, calls, statements.kinds, follows, new Set(this.embedded.flatMap((e) => e.ruleset.commands)));
    const first = templateStart(items);
    if (first) ruleset.template = { first, blocks: this.blocks.blocks(index.lineCount - 1), folds: this.blocks.all };
    return withEmbedded(ruleset, this.embedded, this.sink);
  }
}

/** The words among a script's items. */
function* wordsOf(items: readonly ShellItem[]): Generator<Token> {
  for (const it of items) if (it.kind === 'word') yield it;
}

/** sh-brace-expansion: a `for` loop's word that bash would brace-expand, in a script for sh. */
function reportShBraces(simple: readonly SimpleCommand[], shell: Shell, sink: DiagnosticSink): void {
  for (const { name, word, words } of shBraceWords(simple, shell)) {
    const list = words?.filter((w) => w !== '').join(' ');
    const advice = list !== undefined ? `List the values (${list}), or run the script with bash (#!/bin/bash).` : 'Run the script with bash (#!/bin/bash).';
    sink.add('sh-brace-expansion', 'warning', word.range, `This script is for sh, which takes ${word.value} as it is: dash (the sh of Debian and Ubuntu) does not expand braces, bash does. The loop runs with $${name} = ${word.value}, not with each value. ${advice}`, { replacement: list });
  }
}

/**
 * sh-array: an array assignment in a script for sh. dash reads it as a syntax error and ends the script there; the
 * rules after it are analysed as bash, which has arrays, runs them.
 */
function reportShArrays(simple: readonly SimpleCommand[], sink: DiagnosticSink): void {
  for (const c of simple) {
    if (!c.array) continue;
    const word = c.words[c.words.length - 1];
    const name = ASSIGN.exec(word.raw)![1];
    const range = { start: word.range.start, end: { line: word.endLine, character: word.end + 1 } };
    sink.add('sh-array', 'warning', range, `This script is for sh, and ${name}=(...) is a bash array: dash (the sh of Debian and Ubuntu) refuses the line ("Syntax error: \"(\" unexpected") and ends the script there, so no command after it runs and none of the rules below are added. Run the script with bash (#!/bin/bash), or keep the items in a plain variable (${name}="a b c") and loop over $${name} unquoted.`);
  }
}

/** The operators that end a command (a redirection is part of it). */
const COMMAND_ENDS = new Set(['\n', ';', ';;', '&&', '||', '|', '&', '(', ')']);

/** What withoutUnclosed calls each opening the shell never finds the end of, and the character that would end it. */
const UNCLOSED: Record<string, [string, string]> = {
  '"': ['double quote', '"'],
  "'": ['single quote', "'"],
  '`': ['backquote (command substitution)', '`'],
  '$(': ['command substitution $(', ')'],
  '${': ['parameter expansion ${', '}'],
};

/**
 * A quote left open swallows the rest of the script into one word: the shell reads to the end of the file looking
 * for its end, then stops with a syntax error, so the command it stands in does not run, nor anything after it.
 * Reported at the quote; that command (and the rest, which is inside it) is left out of the script's items.
 */
function withoutUnclosed(items: ShellItem[], unclosed: UnclosedQuote[], index: LineIndex, sink: DiagnosticSink): ShellItem[] {
  const first = unclosed[0];
  if (!first) return items;
  const at = index.position(first.offset);
  const [what, closer] = UNCLOSED[first.quote] ?? ['single quote', "'"];
  sink.error('syntax', { start: at, end: { line: at.line, character: at.character + first.quote.length } },
    `This ${what} is never closed: the shell reads to the end of the file looking for its end, then stops with a syntax error (unexpected EOF while looking for the matching ${closer}). The command it stands in does not run, nor does anything after it.`);
  // The word the quote opens in (a command's, or one a redirection names), then back to the start of its command.
  const holds = (t: Token | undefined) => !!t && comparePos(t.range.start, at) <= 0 && comparePos(at, t.range.end) < 0;
  const word = items.findIndex((it) => holds(it.kind === 'word' ? it : it.kind === 'op' ? it.target : undefined));
  if (word < 0) return items;
  let from = word;
  while (from > 0 && !endsCommand(items[from - 1])) from--;
  return items.slice(0, from);
}

function endsCommand(it: ShellItem): boolean {
  return it.kind === 'op' && COMMAND_ENDS.has(it.value);
}

/**
 * Whether a command adds rules to a chain named by a value not known here, other than a user chain the script makes
 * with the same word (`iptables -N $SPOOF` and `-A $SPOOF`: no built-in chain can be made).
 */
function addsToUnknownChain(commands: readonly Command[]): boolean {
  const key = (c: Command) => `${c.commandFamily} ${c.table} ${c.chainName}`;
  const made = new Set(commands.filter((c) => c.spec?.short === '-N' && c.chainDynamic).map(key));
  return commands.some((c) => {
    const op = c.spec?.short;
    return (op === '-A' || op === '-I' || op === '-R') && c.chainDynamic && !made.has(key(c));
  });
}

/** A word that is a template's value (`{{ rule }}`) and nothing else. */
function isTemplateExpression(w: Token): boolean {
  return w.dynamic && w.raw.startsWith('{{') && w.raw.endsWith('}}') && w.raw.indexOf('}}') === w.raw.length - 2;
}

/** The line where a script's template syntax first shows (a Jinja template of a script), if it has any. */
function templateStart(items: ShellItem[]): Range | undefined {
  for (const it of items) {
    const at = it.kind === 'comment' && it.text.startsWith('{#') ? it.range : it.kind === 'template' ? it.range : undefined;
    if (at) return at;
  }
  return undefined;
}

const isDynamic = (w: Token) => w.dynamic;

/**
 * Parses an iptables command with the shell variables whose value is known put in (see ShellValues). A finding
 * about such a word's value (iptables refuses `--dport $PORT` with PORT=80a) stays on the word, saying what the
 * word is there and where it is set; it offers no edit of its own (the word is a variable, whose assignment is
 * where to mend it, perhaps for other commands too).
 */
function parseResolved(words: Token[], values: ShellValues, ctx: Parameters<typeof parseCommand>[1], vanished?: Set<Token>): { cmd: Command | undefined; resolved: boolean } {
  // (Only a word with an expansion can have a known value.)
  if (!values.size || !words.some(isDynamic)) return { cmd: parseCommand(words, ctx), resolved: false };
  const put: Token[] = [];
  const gone: Token[] = [];
  const resolvedWords: Token[] = [];
  for (const w of words) {
    const r = values.resolve(w) ?? values.split(w);
    if (r) put.push(w);
    if (Array.isArray(r)) {
      if (r.length === 0) gone.push(w);
      resolvedWords.push(...r);
    } else resolvedWords.push(r ?? w);
  }
  if (!put.length) return { cmd: parseCommand(words, ctx), resolved: false };
  const own = new DiagnosticSink();
  const cmd = parseCommand(resolvedWords, { ...ctx, sink: own });
  const byGone = gone.length ? causedByGone(own.items, gone, (sink) => parseCommand(words, { ...ctx, sink })) : undefined;
  for (const w of gone) vanished?.add(w);
  for (const d of own.items) {
    // (A finding about one item of the value's list is said of the whole word.)
    const { line, character } = d.range.start;
    const word = put.find((w) => w.line === line && w.start <= character && character < w.end) ?? byGone?.get(d);
    if (word) ofVariable(ctx.sink, d, word, values);
    else ctx.sink.items.push(d);
  }
  return { cmd, resolved: true };
}

/**
 * A finding about a variable's value, said on the word that uses it: `($PORT is 80a here, as set on line 3)`, with
 * the assignment as related information (where to mend it).
 */
function ofVariable(sink: DiagnosticSink, d: Diagnostic, word: Token, values: ShellValues): void {
  const setters = values.settersOf(word);
  const lines = [...new Set(setters.map((s) => s.word.line + 1))];
  const set = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.join(', ')}`;
  const parts = values.split(word);
  const split = !parts ? '' : parts.length ? `; not quoted, it is split into ${parts.length} words` : '; not quoted, the shell leaves it out';
  const value = values.text(word);
  const said = sink.add(d.code, d.severity, word.range, `${d.message} (${word.raw} is ${value ? value : 'empty'} here, as set on ${set}${split})`, { ofVariable: true });
  said.related = setters.map((s) => ({ range: s.word.range, message: ASSIGN.test(s.word.raw) ? `$${s.name} is set here` : `$${s.name} is set by the file sourced here` }));
}

/**
 * An iptables or ip6tables command (its command word at `k`), once for each family a loop runs it as; the families,
 * or undefined for another command.
 */
function addIptables(g: Gathered, sc: SimpleCommand, k: number, loop: LoopOf | undefined, values: ShellValues, aliases: Map<string, Family>, forced: Family | undefined): readonly Family[] | undefined {
  const { words, arms, templated } = sc;
  // `for ipt in iptables ip6tables; do $ipt -A ...; done`: the command once for each family.
  const both = forced === undefined && loop ? familyLoop(words[k], loop) : undefined;
  const fam = both?.[0] ?? invocationFamily(words[k], aliases);
  if (!fam) return;
  // The word that runs it, for every command it makes (one per family, one per value).
  const program: ProgramWord = { word: words[k], known: !words[k].dynamic || aliases.has(variableName(words[k].value)) };
  for (const [n, one] of (both ?? [fam]).entries()) {
    const family = forced ?? one;
    g.families.add(family);
    // The second family's findings are the first's but for what differs by family.
    const own = n === 0 ? g.sink : new DiagnosticSink();
    const ctx = { family, format: 'script' as const, table: 'filter', sink: own, index: g.commands.length };
    const plain = words.slice(k + 1);
    const rest = withFixed(plain, loop);
    const looped = loop && parseLooped(rest, loop, values, ctx, g.vanished);
    const { cmd, resolved } = looped ?? parseResolved(rest, values, ctx, g.vanished);
    if (own !== g.sink) for (const d of own.items) if (!g.sink.items.some((x) => sameFinding(x, d))) g.sink.items.push(d);
    // `iptables {{ rule }}`: a command of the template's making (its iptables command itself unknown).
    if (!cmd && rest.some(isTemplateExpression)) g.loads.push({ family, noflush: false, line: words[k].range.start.line, arms, template: true });
    // Each value's command of its own (`-P $c DROP`), or one command, with what a loop says of it.
    for (const { cmd: c, info } of looped?.each ?? (cmd ? [{ cmd, info: looped?.info ?? repeated(cmd, rest, loop, both) }] : [])) {
      if (info) g.loopInfo.set(c, info);
      g.programs.set(c, program);
      c.index = g.commands.length;
      c.commandFamily = family;
      g.commands.push(c);
      if (arms.length) g.armsOf.set(c, arms);
      // Written once for two families or several values, or with a function's argument: what rewrites commands as
      // text leaves it as it is.
      c.substituted = resolved || both !== undefined || rest !== plain;
      if (templated) c.conditional = true;
    }
  }
  return forced !== undefined ? [forced] : (both ?? [fam]);
}

/** A command of a loop's body that does not use the loop's word: the same rule once per value. */
function repeated(cmd: Command, words: Token[], loop: LoopOf | undefined, both: Family[] | undefined): LoopInfo | undefined {
  if (!loop || both || words.some((w) => varyingNames(loop).some((name) => mentionsLoopVar(w.raw, name)))) return undefined;
  return { name: loop.name, values: loop.values, line: loop.line, variants: loop.values.map(() => cmd), valueAt: loop.values.map((_, n) => n), loop };
}

/**
 * The loop a command of a loop's body is read in: undefined when the body's commands cannot each stand as one rule
 * (see takenTogether; decided once per loop, when its first command is met).
 */
function loopTaken(sc: SimpleCommand, loops: Map<SimpleCommand, LoopOf>, together: Map<LoopOf, boolean>, values: ShellValues, aliases: Map<string, Family>, forced: Family | undefined): LoopOf | undefined {
  const loop = loops.get(sc);
  if (!loop || loop.size === 1) return loop;
  let taken = together.get(loop);
  if (taken === undefined) {
    const body = [...loops].filter(([, l]) => l === loop).map(([c]) => c);
    const interleaved = takenTogether(body.flatMap((c) => bodyRules(c, loop, values, aliases, forced)));
    if (interleaved?.size) loop.interleaved = interleaved;
    together.set(loop, (taken = interleaved !== undefined));
  }
  return taken ? loop : undefined;
}

/** One command of a loop's body as takenTogether sees it: once per family it runs as. */
function bodyRules(sc: SimpleCommand, loop: LoopOf, values: ShellValues, aliases: Map<string, Family>, forced: Family | undefined): BodyRule[] {
  const { words } = sc;
  const k = commandWord(words, new Map(aliases));
  const both = forced === undefined && k < words.length ? familyLoop(words[k], loop) : undefined;
  const fam = k < words.length ? both?.[0] ?? invocationFamily(words[k], aliases) : undefined;
  // Not an iptables command: what it does to the rules is not known here.
  if (!fam) return [{ key: undefined, times: loop.values.length, append: false, decides: true }];
  return (both ?? [forced ?? fam]).flatMap((family) => {
    const ctx = { family, format: 'script' as const, table: 'filter', sink: new DiagnosticSink(), index: 0 };
    const rest = withFixed(words.slice(k + 1), loop);
    const looped = parseLooped(rest, loop, values, ctx);
    const one = (cmd: Command | undefined, times: number): BodyRule => {
      const adds = cmd && !cmd.broken && (cmd.spec.short === '-A' || cmd.spec.short === '-I') && !cmd.chainDynamic && cmd.chainName !== undefined;
      return { key: adds ? interleaveKey(family, cmd.table, cmd.chainName!) : undefined, times, append: cmd?.spec.short === '-A', decides: !cmd || decidesPackets(cmd), verdict: cmd && verdictOf(cmd) };
    };
    if (!looped?.each) return [one((looped ?? parseResolved(rest, values, ctx)).cmd, both ? 1 : loop.values.length)];
    // A command of its own for each value: run once each, but as often as its values name one chain.
    const byKey = new Map<string | undefined, BodyRule>();
    for (const { cmd } of looped.each) {
      const r = one(cmd, 1);
      const seen = r.key === undefined ? undefined : byKey.get(r.key);
      if (seen) seen.times++;
      else byKey.set(r.key ?? `#${byKey.size}`, r);
    }
    return [...byKey.values()];
  });
}

/** The verdict a rule gives the packets it takes, when it is one (not a jump, a goto or a shell value). */
function verdictOf(cmd: Command): string | undefined {
  const t = cmd.target;
  return t?.spec && !t.goto && decidesPackets(cmd) ? t.spec.name : undefined;
}

/** The families a loop's variable runs as the command word (`$ipt` over `iptables ip6tables`); undefined otherwise. */
function familyLoop(word: Token, loop: LoopOf): Family[] | undefined {
  if (!isLoopWord(word.raw, loop.name)) return undefined;
  const found = loop.values.map((v) => IPTABLES_RE.exec(v)?.[1]);
  if (found.some((f) => f === undefined)) return undefined;
  return [...new Set(found.map((f): Family => (f === 'ip6tables' ? 6 : 4)))];
}

function sameFinding(a: Diagnostic, b: Diagnostic): boolean {
  return a.code === b.code && a.message === b.message && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

/** How many functions deep a call's function is followed to find when it runs (see firstRun). */
const MAX_CALL_DEPTH = 32;

/** Whether a command word of this value (undefined: not known) may call one of the script's functions. */
function mayNameFunction(value: string | undefined, functions: ReadonlyMap<string, number>): boolean {
  return value === undefined || functions.has(value);
}

/** Commands that run another file's or a string's commands in the script's own shell. */
const SOURCING = new Set(['.', 'source', 'eval']);

/** Words that may name a function. */
const NAME_WORDS = /[A-Za-z_][\w-]*/g;

/** How many times each function's name is written in the script as a word of its own (its definition is one). */
function nameCounts(text: string, functions: ReadonlyMap<string, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of text.matchAll(NAME_WORDS)) {
    const fn = functions.get(m[0]);
    if (fn !== undefined) out.set(fn, (out.get(fn) ?? 0) + 1);
  }
  return out;
}

/**
 * The functions that never run when the script runs: those nothing calls (unless `uncalledRuns` says they may run
 * all the same), and those called only from the bodies of such functions (and so on).
 */
function neverCalled(calls: readonly FunctionCall[], statements: ScriptStatements, uncalledRuns: (fn: number) => boolean): Set<number> {
  const callers = new Map<number, number>();
  const inside = new Map<number, FunctionCall[]>();
  for (const c of calls) {
    callers.set(c.statement, (callers.get(c.statement) ?? 0) + 1);
    for (const r of c.arms) if (statements.kinds.get(r.statement) === 'function') (inside.get(r.statement) ?? inside.set(r.statement, []).get(r.statement)!).push(c);
  }
  const out = new Set<number>();
  for (const fn of statements.functions.values()) if (!callers.has(fn) && !uncalledRuns(fn)) out.add(fn);
  // A call stands in the bodies of the functions on its path: once one of them never runs, neither does the call.
  const dead = new Set<FunctionCall>();
  const queue = [...out];
  while (queue.length) {
    for (const c of inside.get(queue.pop()!) ?? []) {
      if (dead.has(c)) continue;
      dead.add(c);
      const left = callers.get(c.statement)! - 1;
      callers.set(c.statement, left);
      if (left === 0 && !out.has(c.statement)) {
        out.add(c.statement);
        queue.push(c.statement);
      }
    }
  }
  return out;
}

/** Options whose value changes which rule a command makes, not what it matches (see parseLooped). */
const WHOLE_RULE = new Set(['-j', '-g', '-t', '-m']);

/**
 * A command in the body of a loop over known values (see scriptLoops): parsed once per value, the loop's word
 * standing for it (and for a function's calls that differ in several parameters, each of those words for its own);
 * each value's findings on such a word say which value they are about. Where a word is the chain, the target, the
 * table, the policy or a module's name, each value's command is one of its own (eachValue). Undefined when the
 * command names a variable that changes other than as one whole word of its own, or names one twice.
 */
function parseLooped(words: Token[], loop: LoopOf, values: ShellValues, ctx: Parameters<typeof parseCommand>[1], vanished?: Set<Token>): Looped | undefined {
  const slots = loopSlots(words, loop);
  if (!slots) return undefined;
  const parsed = loop.values.map((_, n) => {
    const sink = new DiagnosticSink();
    // The word in the body stands for the value; `"$@"` for each of a call's words.
    const put = new Map(slots.map(({ word, name }) => [word, (name === '@' && loop.argv ? loop.argv[n] : [varyingValue(loop, name, n)]).map((v) => new Token(v, word.raw, word.line, word.start, word.endLine, word.end, word.quoted, false))]));
    return { put, sink, cmd: parseResolved(words.flatMap((w) => put.get(w) ?? [w]), values, { ...ctx, sink }, vanished).cmd };
  });
  // As the chain, the target, the table, the policy or a module's name, the values make rules of other chains or
  // other kinds, which one rule cannot stand for: a command of its own for each value.
  const first = parsed[0];
  const asCondition = (t: Token) => first.cmd!.options.some((o) => !WHOLE_RULE.has(o.spec.short ?? '') && o.args.includes(t));
  if (first.cmd && (loop.argv || ![...first.put.values()].flat().every(asCondition))) return eachValue(parsed, loop, ctx.sink);
  // The findings of the first value's parse, and of every value's on the words that change (said once each).
  const said = new Set<string>();
  for (const [n, { sink }] of parsed.entries()) {
    for (const d of sink.items) {
      const onWord = slots.some(({ word }) => d.range.start.line === word.line && d.range.start.character === word.start);
      if (!onWord && n > 0) continue;
      const message = onWord ? `${d.message} ${withValue(loop, [n])}` : d.message;
      if (!said.has(message)) withRelated(ctx.sink.add(d.code, d.severity, d.range, message, d.data), d);
      said.add(message);
    }
  }
  // A value iptables refuses adds no rule.
  const kept = parsed.flatMap((p, n) => (p.cmd && !p.cmd.broken ? [{ cmd: p.cmd, n }] : []));
  const cmd = kept[0]?.cmd ?? parsed.find((p) => p.cmd)?.cmd;
  if (!cmd) return { cmd: undefined, resolved: true };
  const variants = kept.length ? kept.map((v) => v.cmd) : [cmd];
  const valueAt = kept.length ? kept.map((v) => v.n) : [parsed.findIndex((p) => p.cmd === cmd)];
  return { cmd, resolved: true, info: { name: loop.name, values: loop.values, line: loop.line, variants, valueAt, loop } };
}

/**
 * The words of a command that change from value to value, each with its variable: the loop's word, and for a
 * function's calls that differ in several parameters, each of those that the command names. Undefined where one of
 * them is named other than as a whole word of its own, or twice, or is not one word when unquoted (a value the
 * shell would split, drop or glob), and where the command names none of them.
 */
function loopSlots(words: Token[], loop: LoopOf): Array<{ word: Token; name: string }> | undefined {
  const out: Array<{ word: Token; name: string }> = [];
  for (const name of varyingNames(loop)) {
    const mentions = words.filter((w) => mentionsLoopVar(w.raw, name));
    if (!mentions.length) continue;
    const word = mentions.length === 1 && isLoopWord(mentions[0].raw, name) ? mentions[0] : undefined;
    if (!word || (!word.quoted && loop.values.some((_, n) => splitsUnquoted(varyingValue(loop, name, n))))) return undefined;
    out.push({ word, name });
  }
  return out.length ? out : undefined;
}

/**
 * A value that an unquoted use (`$v`) does not pass as one word: the shell splits it at blanks, drops it when
 * empty, and expands a glob in it to file names.
 */
function splitsUnquoted(value: string): boolean {
  return value === '' || /[\s*?[]/.test(value);
}

/**
 * Where the command word stands among the words: after leading assignments (remembering in `aliases`, where
 * given, the variables that name iptables), a pasted shell prompt, and prefixes such as sudo (with its options).
 */
function commandWord(words: Token[], aliases: Map<string, Family> | undefined): number {
  let k = 0;
  while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k].raw)) {
    const eq = words[k].value.indexOf('=');
    const name = words[k].value.slice(0, eq);
    const value = words[k].value.slice(eq + 1).trim();
    const fam = value.split(/\s+/).map((w) => IPTABLES_RE.exec(w)).find((m) => m);
    if (fam) aliases?.set(name, fam[1] === 'ip6tables' ? 6 : 4);
    else if (/^\$\(\s*(command -v|which)\s+ip6?tables\s*\)$/.test(value) || /^`\s*which\s+ip6?tables\s*`$/.test(value)) {
      aliases?.set(name, /ip6tables/.test(value) ? 6 : 4);
    }
    k++;
  }
  // A shell prompt pasted with the command (root@host:~# iptables ...).
  if (k < words.length && /^\S*[@:]\S*[#$]$/.test(words[k].raw)) k++;
  while (k < words.length && PREFIX_WORDS.has(words[k].value)) {
    k++;
    while (k < words.length && words[k - 1].value === 'sudo' && words[k].value.startsWith('-')) k++;
  }
  return k;
}

/**
 * The script's tables and chains: those its commands use, and those of the restore files it loads from
 * here-documents (with their findings and comments), each list in the order of the lines, as the state is built.
 */
function withEmbedded(rs: Ruleset, embedded: Embedded[], sink: DiagnosticSink): Ruleset {
  const fromBodies = new Set(embedded.flatMap((e) => e.ruleset.commands));
  const { tables, chains } = scriptTablesAndChains(rs.commands.filter((c) => !fromBodies.has(c)));
  for (const e of embedded) {
    sink.addAll(e.ruleset.diagnostics);
    rs.comments.push(...e.ruleset.comments);
    for (const t of e.ruleset.tables) tables.push({ ...t, family: e.family, restore: e.flush ? 'flush' : 'noflush' });
    for (const d of e.ruleset.chains) chains.push({ ...d, family: e.family });
  }
  const byLine = (a: { range: { start: { line: number } } }, b: { range: { start: { line: number } } }) => a.range.start.line - b.range.start.line;
  tables.sort(byLine);
  chains.sort(byLine);
  rs.comments.sort(byLine);
  const hereDocs = embedded.map((e) => ({ fromLine: e.heredoc.fromLine, toLine: e.heredoc.toLine, family: e.family }));
  return { ...rs, tables, chains, diagnostics: sink.items, embedded: hereDocs.length ? hereDocs : undefined };
}

/** Tables used by the script (with their built-in chains) and the chains it creates with -N. */
function scriptTablesAndChains(commands: Command[]): { tables: TableBlock[]; chains: ChainDecl[] } {
  const tables: TableBlock[] = [];
  const chains: ChainDecl[] = [];
  const seen = new Set<string>();
  for (const c of commands) {
    const key = `${c.commandFamily ?? 4}:${c.table}`;
    if (!seen.has(key)) {
      seen.add(key);
      const spec = findTable(c.table);
      const r = c.tableToken?.range ?? c.range;
      tables.push({ name: c.table, range: r, nameRange: r, endLine: r.end.line, family: c.commandFamily });
      for (const name of spec?.chains ?? []) chains.push({ table: c.table, name, nameRange: r, builtin: true, range: r, via: 'builtin', family: c.commandFamily });
    }
  }
  return { tables, chains };
}
