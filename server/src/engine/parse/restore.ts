/** Parser for iptables-save / iptables-restore files (and their ip6tables twins). */
import { Family } from '../kb/addresses';
import { TABLES, findTable, isBuiltinChainOf } from '../kb';
import { lexRestoreLine, Token } from '../lexer';
import { LineIndex } from '../lineIndex';
import { ChainDecl, Command, CommentLine, Ruleset, TableBlock, tableKey } from '../model';
import { suggest } from '../suggest';
import { Diagnostic, lineRange, Range, trimmedLineRange } from '../types';
import { CommandContext, parseCommand } from './command';
import { DiagnosticSink } from './diagnostics';
import { causedByGone } from './gone';
import { legacyOnly } from '../checks/legacy';
import { AnalysisMemo, ParsedLine } from '../memo';
import { checkLookalikeLine, reportByteOrderMark } from '../checks/lookalike';
import { hasInlineStatement, hasSpan, holdsTemplate, lexTemplateLine, statementEffects, TemplateBlocks } from './template';

const COUNTERS_RE = /^\[\d+:\d+\]$/;

export function parseRestore(text: string, family: Family, index = new LineIndex(text), memo?: AnalysisMemo): Ruleset {
  return new RestoreParser(family, index, memo).parse();
}

/** How a script's shell expands the rule lines of a here-document before iptables-restore reads them. */
export interface ExpandWord {
  /**
   * A word as the shell passes it: with its expansions put in, or with its value unknown (a dynamic Token); null
   * when nothing is left of it (a variable left blank); undefined when it has no expansion.
   */
  word(word: Token): Token | null | undefined;
  /** Says `d`, a finding about a word's value, or that a word left out brings about, on that word (as written). */
  explain(d: Diagnostic, word: Token, sink: DiagnosticSink): void;
}

/**
 * The lines `from` to `to` (not included) of a document read as a restore file: the body of a here-document fed to
 * iptables-restore in a script, whose rule words `expand` reads as the shell passes them when the shell expands the
 * body. Positions are those of the whole document.
 */
export function parseRestoreLines(index: LineIndex, family: Family, from: number, to: number, expand?: ExpandWord): Ruleset {
  return new RestoreParser(family, index, undefined, { from, to }, expand).parse();
}

/** One pass over the lines of a restore file; each kind of line has a method of its own. */
class RestoreParser {
  private readonly sink = new DiagnosticSink();
  private readonly tables: TableBlock[] = [];
  private readonly chains: ChainDecl[] = [];
  /** The current table section's implicit entry of each built-in chain not yet replaced by a declaration, per table and chain. */
  private readonly implicit = new Map<string, ChainDecl>();
  /** How many commands came before the current table's line. */
  private tableCommands = 0;
  /** Implicit entries replaced by a declaration, taken out of `chains` at the end (once, not one search each). */
  private readonly replaced = new Set<ChainDecl>();
  private readonly commands: Command[] = [];
  private readonly comments: CommentLine[] = [];
  private current?: TableBlock;
  private reportedCr = false;
  private reportedOutside = false;
  private ctx?: CommandContext;
  /** The template blocks the lines are in, for a document written as a Jinja template (undefined for any other). */
  private readonly template: TemplateBlocks | undefined;
  /** The first line with template syntax. */
  private templateFirst: Range | undefined;

  constructor(private readonly family: Family, private readonly index: LineIndex, private readonly memo?: AnalysisMemo,
    private readonly lines = { from: 0, to: index.lineCount }, private readonly expand?: ExpandWord) {
    this.template = holdsTemplate(index.text) ? new TemplateBlocks() : undefined;
  }

  parse(): Ruleset {
    const { index, lines } = this;
    this.memo?.compare(index.text, index.starts);
    for (let line = lines.from; line < lines.to; line++) {
      if (this.memo && this.reuseLine(line)) continue;
      const full = index.starts[line + 1] !== undefined ? index.text.slice(index.starts[line], index.starts[line + 1] - 1) : index.text.slice(index.starts[line]);
      this.line(full, line);
    }
    this.closeMissing(lines.to);
    const { family, tables, commands, comments, sink } = this;
    const chains = this.replaced.size ? this.chains.filter((c) => !this.replaced.has(c)) : this.chains;
    const rs: Ruleset = { format: 'restore', family, tables, chains, commands, comments, diagnostics: sink.items, lineCount: index.lineCount };
    if (this.template && this.templateFirst) rs.template = { first: this.templateFirst, blocks: this.template.blocks(lines.to - 1), folds: this.template.all };
    return rs;
  }

  private line(full: string, line: number): void {
    const { sink, current } = this;
    const hasCr = full.endsWith('\r');
    const text = hasCr ? full.slice(0, -1) : full;
    if (text === '' && !hasCr) return;
    // A line of the template's own syntax ({% for %}, {# note #}) is not one of the ruleset's.
    if (this.template && this.templateLine(text, line)) return;
    // Nearly every line is a rule of the open table: it starts with its command (or its counters).
    const c0 = text.charCodeAt(0);
    if ((c0 === 45 /* - */ || c0 === 91 /* [ */) && current && !current.commitRange) {
      this.reportCr(hasCr, text, full, line);
      current.endLine = line;
      this.ruleLine(text, line, current.name);
      return;
    }
    if (text.startsWith('#')) {
      this.comments.push({ text, range: lineRange(line, 0, text.length), trailing: false });
      return;
    }
    if (line === 0 && c0 === 0xfeff && this.markedFirstLine(text)) return;
    const blank = /^[ \t]+$/.test(text);
    const ruleLine = !!current && !current.commitRange && !text.startsWith('*') && !text.startsWith(':') && text.trim() !== 'COMMIT' && !blank;
    if (!ruleLine) checkLookalikeLine(text, line, sink);
    this.reportCr(hasCr, text, full, line);
    if (blank) sink.error('commit-format', lineRange(line, 0, text.length), 'A line of only spaces or tabs: iptables-restore refuses it (only a truly empty line is skipped).', { fix: 'blank' });
    else if (text.startsWith('*')) this.tableLine(text, line);
    else if (text.trim().startsWith('COMMIT')) this.commitLine(text, line);
    else if (!current || current.commitRange) this.outsideLine(text, line);
    else {
      current.endLine = line;
      if (text.startsWith(':')) {
        const before = this.chains.length;
        parseChainLine(text, line, current.name, this.chains, sink, (name) => this.replaceImplicit(current.name, name));
        if (this.template?.conditional && this.chains.length > before) this.chains[before].conditional = true;
      }
      else this.ruleLine(text, line, current.name);
    }
  }

  /** Whether a line is the template's own (taken into account, not parsed); notes the first line with template syntax. */
  private templateLine(text: string, line: number): boolean {
    const own = this.template!.take(text, line);
    // A comment's template syntax (`# {{ ansible_managed }}`) is nothing to iptables-restore, which skips the line.
    if (!this.templateFirst && (own || (hasSpan(text) && !/^\s*#/.test(text)))) this.templateFirst = trimmedLineRange(line, text);
    return own;
  }

  /** Windows line endings, reported once per file. */
  private reportCr(hasCr: boolean, text: string, full: string, line: number): void {
    if (!hasCr || this.reportedCr) return;
    this.reportedCr = true;
    this.sink.error('commit-format', lineRange(line, text.length, full.length),
      'This file has Windows (CRLF) line endings: iptables-restore reads the carriage return as part of each word and refuses the file. Save it with LF line endings.', { fix: 'crlf' });
  }

  /**
   * An unchanged rule line inside the same open table parses as it did: its command and diagnostics are taken
   * from the memo without even reading the line. (A line with a carriage return takes the full path, which
   * reports the line endings once per file.)
   */
  private reuseLine(line: number): boolean {
    const { current, index } = this;
    if (!current || current.commitRange) return false;
    const next = index.starts[line + 1];
    if (next !== undefined && next >= 2 && index.text.charCodeAt(next - 2) === 13) return false;
    // In a template, a line with template syntax (or inside a comment of the template's) takes the full path, which
    // keeps track of the template's blocks.
    if (this.template && (this.template.inComment || hasSpan(index.lineText(line)))) return false;
    const parsed = this.memo!.reuse(line, this.context(current.name));
    if (!parsed) return false;
    current.endLine = line;
    this.recordParsed(parsed);
    return true;
  }

  /** What a line's parse depends on besides its text: the table, and whether a template may repeat or leave it out. */
  private context(table: string): string {
    return this.template?.conditional ? `${tableKey(this.family, table)}?` : tableKey(this.family, table);
  }

  private recordParsed(parsed: ParsedLine): void {
    this.sink.addAll(parsed.diagnostics);
    if (parsed.command) this.record(parsed.command);
  }

  private record(command: Command): void {
    command.index = this.commands.length;
    this.commands.push(command);
  }

  /**
   * A built-in chain's declaration replaces the implicit entry of that chain in its table section, unless a rule
   * of the table came before it (`-A INPUT ...` above `:INPUT DROP`): the chain is there from the table's line on,
   * and the declaration only sets its policy.
   */
  private replaceImplicit(table: string, name: string): void {
    const key = `${table}:${name}`;
    const gone = this.implicit.get(key);
    this.implicit.delete(key);
    if (gone && !this.usedSinceTable(name)) this.replaced.add(gone);
  }

  /** Whether a rule line of the current table so far names the chain (rare: chain lines come first). */
  private usedSinceTable(name: string): boolean {
    for (let k = this.tableCommands; k < this.commands.length; k++) if (this.commands[k].chainName === name) return true;
    return false;
  }

  private closeMissing(line: number): void {
    const { current, index } = this;
    if (!current || current.commitRange) return;
    const last = current.endLine;
    this.sink.error('missing-commit', lineRange(last, 0, index.lineText(last).length),
      `Table *${current.name} is not closed by COMMIT before ${line < index.lineCount ? `line ${line + 1}` : 'the end of the file'}: iptables-restore loads nothing ("COMMIT expected").`,
      { line: current.endLine });
  }

  /**
   * A first line that begins with a byte-order mark (a file saved by an editor that writes one): the mark is a
   * finding of its own (iptables-restore refuses it), and the line is read as what follows it, so that a `*filter`
   * behind it opens its table and the rest of the file is checked as it would be once the mark is gone.
   */
  private markedFirstLine(text: string): boolean {
    const c1 = text.charCodeAt(1);
    if (c1 !== 42 /* * */ && c1 !== 35 /* # */) return false;
    reportByteOrderMark(this.sink);
    if (c1 === 42) this.tableLine(text, 0, 1);
    else this.comments.push({ text: text.slice(1), range: lineRange(0, 1, text.length), trailing: false });
    return true;
  }

  /**
   * `*filter` (from `at`, past a byte-order mark). iptables-restore takes the first word after the star as the
   * table's name (`* nat` is nat) and ignores the rest of the line, which is said so.
   */
  private tableLine(text: string, line: number, at = 0): void {
    this.closeMissing(line);
    const word = /[^ \t]+/.exec(text.slice(at + 1));
    const start = word ? at + 1 + word.index : text.length;
    const name = word ? word[0] : '';
    const nameRange = lineRange(line, start, start + name.length);
    const rest = text.slice(start + name.length);
    const extra = /[^ \t]/.exec(rest);
    if (extra) {
      const from = start + name.length + extra.index;
      this.sink.add('syntax', 'warning', lineRange(line, from, text.trimEnd().length), `iptables-restore reads only the first word after '*' as the table's name and ignores '${text.slice(from).trimEnd()}'. Remove it, or make it a comment on a line of its own.`);
    }
    this.current = { name, range: lineRange(line, at, text.length), nameRange, endLine: line };
    this.tableCommands = this.commands.length;
    this.tables.push(this.current);
    const spec = findTable(name);
    if (!spec && !name) {
      this.sink.error('unknown-table', lineRange(line, at, text.length), `'*' without a table's name: iptables-restore refuses the line. Write the table: *filter, *nat, *mangle, *raw or *security.`);
      return;
    }
    if (!spec) {
      const s = suggest(name, TABLES.map((t) => t.name));
      this.sink.error('unknown-table', nameRange, `Unknown table '${name}'. Tables: filter, nat, mangle, raw, security.${s.length ? ` Did you mean '${s[0]}'?` : ''}`, { suggestions: s });
      return;
    }
    for (const c of spec.chains) {
      const decl: ChainDecl = { table: name, name: c, nameRange, builtin: true, range: nameRange, via: 'builtin' };
      this.chains.push(decl);
      // A declaration replaces this section's entry only: an earlier section's stands for the rules there.
      this.implicit.set(`${name}:${c}`, decl);
    }
  }

  private commitLine(text: string, line: number): void {
    const { sink, current } = this;
    const range = lineRange(line, 0, text.length);
    if (text !== 'COMMIT') {
      sink.error('commit-format', range, `'${text}' is not exactly COMMIT: iptables-restore refuses spaces or anything else on the COMMIT line.`, { fix: 'commit' });
    } else if (line === this.index.lineCount - 1) {
      legacyOnly(sink, 'commit-format', range, 'The final COMMIT has no line break after it: end the file with a newline.', { fix: 'eol' });
    }
    if (!current || current.commitRange) {
      sink.error('syntax', range, 'COMMIT without a *table line before it.');
      return;
    }
    current.commitRange = range;
    current.endLine = line;
  }

  /** A line outside any table: reported once, as iptables-restore stops there. */
  private outsideLine(text: string, line: number): void {
    if (this.reportedOutside) return;
    this.reportedOutside = true;
    const { current } = this;
    const looksLikeRule = /^\s*(\[\d+:\d+\]\s+)?-[A-Z]\s/.test(text);
    this.sink.error('syntax', lineRange(line, 0, text.length),
      current ? 'This line comes after COMMIT and before the next *table line: iptables-restore refuses it.'
        : looksLikeRule ? 'This rule comes before any *table line: iptables-restore needs the table first (*filter) and COMMIT at the end.'
          : 'This line comes before any *table line: iptables-restore refuses it. (Text pasted together with the dump, such as a shell prompt?)',
      !current && looksLikeRule && !this.tables.length ? { fix: 'add-table' } : undefined);
  }

  private ruleLine(text: string, line: number, table: string): void {
    this.parseRule(text, line, table);
    // Statements on a rule's line (`{% for p in ports %}-A INPUT ...`) open and close blocks after it.
    if (this.template && hasInlineStatement(text)) for (const e of statementEffects(text)) this.template.apply(e, line);
  }

  private parseRule(text: string, line: number, table: string): void {
    const { memo, family } = this;
    const { text: doc, starts } = this.index;
    const template = this.template;
    if (!memo) {
      const command = parseRuleLine(text, line, this.commandContext(table), doc, starts[line], template, this.expand);
      if (command) this.record(command);
      return;
    }
    // A line parses the same at the same place in the same table: an unchanged line is not parsed again.
    this.recordParsed(memo.line(line, text, this.context(table), () => {
      const own = new DiagnosticSink();
      const command = parseRuleLine(text, line, { family, format: 'restore', table, sink: own, index: 0 }, doc, starts[line], template);
      return { command, diagnostics: own.items };
    }));
  }

  /** The context of the rule lines of a table, when their findings go straight to the ruleset's. */
  private commandContext(table: string): CommandContext {
    if (this.ctx?.table !== table) this.ctx = { family: this.family, format: 'restore', table, sink: this.sink, index: 0 };
    return this.ctx;
  }
}

/**
 * The list every rule line's words are read into: the command parsed from them keeps its words in a form of its own
 * (Words), and nothing keeps the list, so one serves every line (the lexer overwrites it and sets its length: a new
 * list per line would grow, leaving garbage, a hundred thousand times in a large file).
 */
const LINE_WORDS: Token[] = [];

/**
 * A rule line: the look-alike check, its words (after the counters, if any), and the command they make. The words
 * are read from the document (`doc`, where the line starts at `at`), the same text as `text`.
 */
function parseRuleLine(text: string, line: number, ctx: CommandContext, doc: string, at: number, template?: TemplateBlocks, expand?: ExpandWord): Command | undefined {
  checkLookalikeLine(text, line, ctx.sink);
  const templated = template !== undefined && text.includes('{');
  const lexed = templated ? lexTemplateLine(doc, line, at, at + text.length, at, LINE_WORDS) : lexRestoreLine(doc, line, at, at + text.length, at, LINE_WORDS);
  for (const p of lexed.problems) ctx.sink.add('syntax', 'warning', p.range, p.message);
  let tokens = lexed.tokens;
  let counters: Token | undefined;
  // Counters written against the command (`[1:2]-A`): iptables-restore reads them as two words.
  const joined = tokens.length && tokens[0].value.charCodeAt(0) === 91 /* [ */ && tokens[0].plain ? /^(\[\d+:\d+\])(-.+)$/.exec(tokens[0].value) : null;
  if (joined) {
    const t = tokens[0];
    tokens = [t.part(joined[1], joined[1], 0, joined[1].length), t.part(joined[2], joined[2], joined[1].length, t.value.length), ...tokens.slice(1)];
  }
  if (tokens.length && tokens[0].value.charCodeAt(0) === 91 /* [ */ && (COUNTERS_RE.test(tokens[0].value) || tokens[0].value.endsWith(']'))) {
    counters = tokens[0];
    tokens = tokens.slice(1);
    if (!tokens.length) {
      ctx.sink.error('syntax', counters.range, `${counters.value} with no command after it: iptables-restore refuses the line ("no command specified"). Write the rule after the counters, or remove them.`);
      return undefined;
    }
    if (!COUNTERS_RE.test(counters.value)) badCounters(counters, ctx.sink);
  }
  if (tokens.length > MAX_LINE_WORDS) tooManyWords(tokens, ctx.sink);
  let command: Command | undefined;
  let substituted = false;
  if (expand) {
    const passed: Token[] = [];
    let gone: Token[] | undefined;
    let put: Token[] | undefined;
    for (const t of tokens) {
      const e = expand.word(t);
      if (e === null) (gone ??= []).push(t);
      else passed.push(e ?? t);
      if (e && !e.dynamic) (put ??= []).push(t);
    }
    substituted = put !== undefined;
    command = gone || put ? parseExpanded(passed, tokens, gone ?? [], put ?? [], ctx, counters, expand) : parseCommand(passed, ctx, counters);
  } else command = parseCommand(tokens, ctx, counters);
  if (command && substituted) command.substituted = true;
  if (command && template && (template.conditional || (templated && hasInlineStatement(text)))) command.conditional = true;
  return command;
}

/**
 * A rule line with words the shell puts values in (`put`) or leaves out (`left`): parsed as iptables-restore gets
 * it, and what it finds in a value, or what a word left out brings about (compared with the line read with those
 * words unknown), said on the word in the script.
 */
function parseExpanded(passed: Token[], written: readonly Token[], left: Token[], put: Token[], ctx: CommandContext, counters: Token | undefined, expand: ExpandWord): Command | undefined {
  const own = new DiagnosticSink();
  const command = parseCommand(passed, { ...ctx, sink: own }, counters);
  // The words as written, their values unknown (the shell's variables in them).
  const asWritten = (t: Token) => new Token(t.value, t.raw, t.line, t.start, t.endLine, t.end, t.quoted, true);
  const gone = left.map(asWritten);
  const byGone = gone.length ? causedByGone(own.items, gone, (sink) => parseCommand(written.map((t) => (left.includes(t) ? gone[left.indexOf(t)] : expand.word(t) ?? t)), { ...ctx, sink }, counters)) : undefined;
  for (const d of own.items) {
    const { line, character } = d.range.start;
    const at = put.find((w) => w.line === line && w.start <= character && character < w.end);
    const word = at ? asWritten(at) : byGone?.get(d);
    if (word) expand.explain(d, word, ctx.sink);
    else ctx.sink.items.push(d);
  }
  return command;
}

/** The most words iptables-restore reads on a rule line (after its counters); the next is refused. */
const MAX_LINE_WORDS = 251;

function tooManyWords(tokens: readonly Token[], sink: DiagnosticSink): void {
  const range = { start: tokens[MAX_LINE_WORDS].range.start, end: tokens[tokens.length - 1].range.end };
  sink.error('syntax', range, `This line has ${tokens.length} words; iptables-restore reads at most ${MAX_LINE_WORDS} on a rule line ("Parser cannot handle more arguments") and loads nothing: split the rule in two.`);
}

/** Counters that are not [packets:bytes]: iptables-restore reads counters only when run with -c, which refuses these. */
function badCounters(counters: Token, sink: DiagnosticSink): void {
  sink.add('syntax', 'warning', counters.range, `'${counters.value}' is not a counter pair [packets:bytes]: iptables-restore ignores it, unless run with -c (--counters), which refuses the file.`);
}

function parseChainLine(text: string, line: number, table: string, chains: ChainDecl[], sink: DiagnosticSink, replaceImplicit: (name: string) => void): void {
  const tokens = lexRestoreLine(text, line, 1).tokens;
  const range = lineRange(line, 0, text.length);
  if (tokens.length === 0 || text[1] === ' ') {
    sink.error('syntax', range, "A chain line needs a name right after ':' (':NAME POLICY [packets:bytes]').");
    return;
  }
  const [name, policy, counters, ...rest] = tokens;
  const builtin = isBuiltinChainOf(table, name.value);
  const decl: ChainDecl = { table, name: name.value, nameRange: name.range, builtin, range, via: 'declaration' };
  if (!policy) {
    sink.error('syntax', range, `Chain line for ${name.value} has no policy: write ':${name.value} ${builtin ? 'ACCEPT' : '-'} [0:0]'.`);
  } else {
    decl.policy = policy.value;
    decl.policyRange = policy.range;
  }
  if (counters && !COUNTERS_RE.test(counters.value)) badCounters(counters, sink);
  if (rest.length) sink.add('syntax', 'warning', rest[0].range, 'Text after the counters of a chain line: iptables-restore ignores it.');
  if (builtin) replaceImplicit(name.value);
  chains.push(decl);
}
