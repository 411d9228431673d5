/**
 * Parses the words of one iptables invocation (a restore-file line or a script command line) into a Command,
 * reading every option from the knowledge base, the way iptables' own option parser resolves them.
 */
import { Family } from '../kb/addresses';
import {
  CommandSpec, GENERIC_OPTIONS, MATCHES, ModuleSpec, OptionSpec, TARGETS, findCommand, findMatch, findTable, findTarget,
  exactOption, isAvailable, lookupOption, protocolMatch, TABLES,
} from '../kb';
import { ICMP_TYPES, ICMPV6_TYPES, ValueKind } from '../kb/values';
import { protocolNumber, strtoulBase0 } from '../kb/services';
import { Token } from '../lexer';
import { dynamicOf, endLineOf, lineOf, looksLikeOption, rangeOf, spanOf, textOf, tokenOf, valueOf, WordRef, Words } from './words';
import { blankInName, blankInValue, caseSlip, oneDash, pastedCommand, SlipHost, splitList, unquotedText } from './slips';
import { Command, MatchUse, OptionUse, TargetUse } from '../model';
import { suggest } from '../suggest';
import { Range } from '../types';
import { DiagnosticSink } from './diagnostics';
import { checkHostBits, takesMaskedAddress } from '../checks/hostBits';
import { checkListRepeats } from '../checks/listRepeats';
import { Scratch } from '../scratch';

export interface CommandContext {
  family: Family;
  format: 'restore' | 'script';
  table: string;
  sink: DiagnosticSink;
  index: number;
}

interface Resolved {
  spec: OptionSpec;
  owner: ModuleSpec | undefined;
  implicit: ModuleSpec | undefined;
  instance: MatchUse | undefined;
}

/** What an option's name resolves to: one object, filled anew for each option (its reader takes its fields at once). */
const RESOLVED: Resolved = { spec: undefined as unknown as OptionSpec, owner: undefined, implicit: undefined, instance: undefined };

function resolved(spec: OptionSpec, owner?: ModuleSpec, implicit?: ModuleSpec, instance?: MatchUse): Resolved {
  RESOLVED.spec = spec;
  RESOLVED.owner = owner;
  RESOLVED.implicit = implicit;
  RESOLVED.instance = instance;
  return RESOLVED;
}

const PORT_OPTIONS = new Set(['--dport', '--sport', '--destination-port', '--source-port']);

function allOptionNames(specs: OptionSpec[]): string[] {
  return specs.flatMap((s) => (s.short ? [s.short, ...s.names] : s.names));
}

/** Every option iptables knows, of every module: one list, so that exactOption keeps one index of their names. */
const ALL_OPTIONS = [...GENERIC_OPTIONS, ...MATCHES.flatMap((m) => m.options), ...TARGETS.flatMap((m) => m.options)];

/**
 * Whether an option's first value is missing, the next word being one of iptables' own options or commands
 * (`-s -m comment`). iptables takes whatever word follows as that value (`-i -eth0` is an interface named -eth0), so
 * any other word is.
 */
function namesAnOption(t: Token): boolean {
  return looksLikeOption(t) && (findCommand(t.value) !== undefined || exactOption(ALL_OPTIONS, t.value) !== undefined);
}

/**
 * One empty list for every option without a value and every module without options (most targets). Not frozen,
 * though nothing may add to it: a frozen list is another kind of array to V8, and a loop (`for ... of`) that meets
 * both kinds is no longer optimised (it then allocates at every step: the checks and the analysis took several
 * times as long over a large ruleset).
 */
const NONE: never[] = [];

/**
 * Arrays grown by push keep spare room; a ruleset keeps its commands for as long as the document is open, so each
 * command's lists are copied to their exact size once it is parsed.
 */
function fit<T>(list: T[]): T[] {
  return list.length ? list.slice() : NONE;
}

/**
 * The lists a command's parts fill while it is parsed (its options, its matches, each module's options), lent out
 * for one command at a time and kept from one command to the next, each copied to its exact size (fit) once the
 * command is packed. A new list filled by push grows in steps that leave garbage behind, and a ruleset has hundreds
 * of thousands of commands. (A list is emptied by popping: setting its length to 0 would give up its room.)
 */
const LISTS: unknown[][] = [];
let listsLent = 0;

function lendList<T>(): T[] {
  if (listsLent === LISTS.length) LISTS.push([]);
  const list = LISTS[listsLent++] as T[];
  while (list.length) list.pop();
  return list;
}

/** -Z with -L or -S (either first): iptables lists the counters, then zeroes them; any other pair is refused. */
function listsAndZeroes(a: CommandSpec, b: CommandSpec): boolean {
  const pair = `${a.short}${b.short}`;
  return pair === '-L-Z' || pair === '-Z-L' || pair === '-S-Z' || pair === '-Z-S';
}

/** The first item of `list` whose spec is `spec` (a loop: the parser's hot path makes no closures). */
function withSpec<T extends { spec?: unknown }>(list: readonly T[], spec: unknown): T | undefined {
  for (let k = 0; k < list.length; k++) if (list[k].spec === spec) return list[k];
  return undefined;
}

/** Word places up to this fit the packed form of an option (two small integers). */
const PACKABLE = 0x7fff;

/**
 * The words of the options of the command being parsed, each option's in turn: its name, its `!` (or undefined),
 * its values. One list serves every command (parsing is one command at a time), so that an option being read
 * allocates nothing for its words.
 */
const PENDING = new Scratch<Token | undefined>();

/**
 * An option as written. A ruleset has several options per rule and keeps them for as long as the document is open,
 * so a parsed option is small: its spec (which knows the module it belongs to) and where its words are among the
 * command's words, packed in two small integers. Its values are consecutive words, so the place of the first and
 * their number say where all are.
 */
class OptionNode implements OptionUse {
  private words: Words | undefined = undefined;
  /**
   * Packed (zero or more): the name's place, and one more than the first value's place (0: none) shifted by 15 bits.
   * Negative while the command is parsed: the complement of where the option's words start in PENDING. A list of
   * places (name, `!`, values) for the rare option whose places do not fit.
   */
  private at: number | Array<number | undefined>;
  /** Packed: one more than the place of `!` (0: none), and the number of values shifted by 15 bits; while parsing, the number of values. */
  private more = 0;

  constructor(readonly spec: OptionSpec, name: Token, neg: Token | undefined) {
    this.at = ~PENDING.length;
    PENDING.push(name);
    PENDING.push(neg);
  }

  get owner(): ModuleSpec | undefined {
    return this.spec.module;
  }

  private get nameRef(): WordRef {
    const at = this.at;
    if (typeof at !== 'number') return at[0]!;
    return at >= 0 ? at & PACKABLE : PENDING.items[~at]!;
  }

  private get negRef(): WordRef | undefined {
    const at = this.at;
    if (typeof at !== 'number') return at[1];
    if (at < 0) return PENDING.items[~at + 1];
    const neg = this.more & PACKABLE;
    return neg === 0 ? undefined : neg - 1;
  }

  /** The k-th value's word (k below valueCount). */
  private valueRef(k: number): WordRef {
    const at = this.at;
    if (typeof at !== 'number') return at[2 + k]!;
    return at >= 0 ? (at >> 15) - 1 + k : PENDING.items[~at + 2 + k]!;
  }

  get valueCount(): number {
    const at = this.at;
    if (typeof at !== 'number') return at.length - 2;
    return at >= 0 ? this.more >> 15 : this.more;
  }

  get nameToken(): Token {
    return tokenOf(this.words, this.nameRef);
  }

  get negToken(): Token | undefined {
    const r = this.negRef;
    return r === undefined ? undefined : tokenOf(this.words, r);
  }

  /** The old form `--opt ! value`, found while the option's values are read. */
  set negToken(t: Token | undefined) {
    PENDING.items[~(this.at as number) + 1] = t;
  }

  get negated(): boolean {
    return this.negRef !== undefined;
  }

  get arg(): Token | undefined {
    return this.valueCount === 0 ? undefined : tokenOf(this.words, this.valueRef(0));
  }

  get argValue(): string | undefined {
    return this.valueCount === 0 ? undefined : valueOf(this.words, this.valueRef(0));
  }

  get argDynamic(): boolean {
    return this.valueCount !== 0 && dynamicOf(this.words, this.valueRef(0));
  }

  get argText(): string | undefined {
    return this.valueCount === 0 ? undefined : textOf(this.words, this.valueRef(0));
  }

  get nameText(): string {
    return valueOf(this.words, this.nameRef);
  }

  get values(): readonly string[] {
    return this.eachValue(valueOf);
  }

  get args(): readonly Token[] {
    return this.eachValue(tokenOf);
  }

  /** Every value read one way (its text, its Token); the one empty list when there is none. */
  private eachValue<T>(read: (words: Words | undefined, r: WordRef) => T): readonly T[] {
    const n = this.valueCount;
    if (n === 0) return NONE;
    const out: T[] = [];
    for (let k = 0; k < n; k++) out.push(read(this.words, this.valueRef(k)));
    return out;
  }

  /** A value, read right after the option's name and earlier values (nothing else is added to PENDING meanwhile). */
  push(t: Token): void {
    PENDING.push(t);
    this.more++;
  }

  pack(words: Words, tokens: readonly Token[]): void {
    this.words = words;
    const base = ~(this.at as number);
    const n = this.more;
    const name = words.refOf(tokens, PENDING.items[base]!);
    const negToken = PENDING.items[base + 1];
    const neg = negToken === undefined ? -1 : words.refOf(tokens, negToken);
    const first = n === 0 ? -1 : words.refOf(tokens, PENDING.items[base + 2]!);
    let consecutive = true;
    for (let k = 1; k < n && consecutive; k++) consecutive = words.refOf(tokens, PENDING.items[base + 2 + k]!) === first + k;
    if (consecutive && name < PACKABLE && neg < PACKABLE - 1 && first + n < PACKABLE && n < PACKABLE) {
      this.at = name | ((first + 1) << 15);
      this.more = neg + 1 + (n << 15);
      return;
    }
    const list: Array<number | undefined> = [name, neg < 0 ? undefined : neg];
    for (let k = 0; k < n; k++) list.push(words.refOf(tokens, PENDING.items[base + 2 + k]!));
    this.at = list;
  }
}

/** A match loaded by -m (or implicitly by -p). */
class MatchNode implements MatchUse {
  private words: Words | undefined = undefined;
  options: OptionUse[] = lendList();

  /** `ref` is the word after -m; none for a protocol match loaded implicitly by -p. */
  constructor(readonly spec: ModuleSpec | undefined, private ref: WordRef | undefined) {}

  /** The module's name as written after -m (an implicit match: the module's own name). */
  get name(): string {
    return this.ref === undefined ? this.spec!.name : valueOf(this.words, this.ref);
  }

  get implicit(): boolean {
    return this.ref === undefined;
  }

  get token(): Token | undefined {
    return this.ref === undefined ? undefined : tokenOf(this.words, this.ref);
  }

  get range(): Range | undefined {
    return this.ref === undefined ? undefined : rangeOf(this.words, this.ref);
  }

  pack(words: Words, tokens: readonly Token[]): void {
    this.words = words;
    if (this.ref !== undefined) this.ref = words.refOf(tokens, this.ref as Token);
    this.options = fit(this.options);
  }
}

/** The target of -j or -g. */
class TargetNode implements TargetUse {
  private words: Words | undefined = undefined;
  options: OptionUse[] = lendList();

  constructor(private ref: WordRef, readonly spec: ModuleSpec | undefined, readonly goto: boolean) {}

  /** The target or chain as written after -j or -g. */
  get name(): string {
    return valueOf(this.words, this.ref);
  }

  get token(): Token {
    return tokenOf(this.words, this.ref);
  }

  get dynamic(): boolean {
    return dynamicOf(this.words, this.ref);
  }

  get range(): Range {
    return rangeOf(this.words, this.ref);
  }

  pack(words: Words, tokens: readonly Token[]): void {
    this.words = words;
    this.ref = words.refOf(tokens, this.ref as Token);
    this.options = fit(this.options);
  }
}

/** -p and its value, read through the option. */
class ProtocolNode {
  constructor(readonly value: string, private readonly use: OptionNode) {}

  get negated(): boolean {
    return this.use.negated;
  }

  get dynamic(): boolean {
    return this.use.argDynamic;
  }

  get token(): Token {
    return this.use.arg!;
  }
}

let nextCommandId = 1;

/** The parts of a command that are single words, by number: where each is among the words is kept packed. */
const TABLE = 0;
const COMMAND = 1;
const CHAIN = 2;
const RULENUM = 3;
const EXTRA = 4;
const COUNTERS = 5;
type Part = typeof TABLE | typeof COMMAND | typeof CHAIN | typeof RULENUM | typeof EXTRA | typeof COUNTERS;
/** Bits of a packed part: one more than its place (0: absent), so places up to 62 fit. */
const PART_BITS = 6;
const PART_MASK = (1 << PART_BITS) - 1;

const DYNAMIC = 1;
const BROKEN = 2;
/** The command has counters before it (`[5:300] -A ...`): the word kept right after the command's own. */
const HAS_COUNTERS = 4;
const FAMILY_SHIFT = 3;
/** Some word is a shell variable read as its known value (two family bits lie between). */
const SUBSTITUTED = 32;
/** The command is inside a template block, or has a template statement among its words. */
const CONDITIONAL = 64;

/**
 * A parsed command. Every field is there from the start, in one order, so that all commands share one shape
 * whatever options they have. Its words are packed once it is parsed (see Words); ranges are worked out when asked
 * for: most commands are never asked, and a ruleset keeps hundreds of thousands of them, so a command is small:
 * where its single-word parts are, and its flags, are small integers.
 */
class CommandNode implements Command {
  readonly id = nextCommandId++;
  index: number;
  table: string;
  spec = undefined as unknown as CommandSpec;
  protocol: ProtocolNode | undefined = undefined;
  options: OptionUse[] = lendList();
  matches: MatchUse[] = lendList();
  target: TargetUse | undefined = undefined;
  /** The words: the lexer's Tokens while parsing, packed after. */
  private words: Words | Token[];
  /**
   * Where the parts are: while parsing, their Tokens by Part; packed, PART_BITS for each of the first five parts
   * (the counters are a flag); a list of places for the rare command whose places do not fit.
   */
  private parts: number | Array<WordRef | undefined>;
  /** DYNAMIC, BROKEN, HAS_COUNTERS, and the family a script command names (0: none, 1: IPv4, 2: IPv6) from FAMILY_SHIFT. */
  private flags: number;

  constructor(ctx: CommandContext, tokens: Token[], counters: Token | undefined) {
    this.index = ctx.index;
    this.table = ctx.table;
    this.parts = [undefined, tokens[0], undefined, undefined, undefined, counters];
    this.words = tokens;
    let dynamic = false;
    for (let k = 0; k < tokens.length && !dynamic; k++) dynamic = tokens[k].dynamic;
    this.flags = dynamic ? DYNAMIC : 0;
  }

  get dynamic(): boolean {
    return (this.flags & DYNAMIC) !== 0;
  }

  get broken(): boolean {
    return (this.flags & BROKEN) !== 0;
  }

  set broken(b: boolean) {
    this.flags = b ? this.flags | BROKEN : this.flags & ~BROKEN;
  }

  get commandFamily(): Family | undefined {
    const f = (this.flags >> FAMILY_SHIFT) & 3;
    return f === 0 ? undefined : f === 1 ? 4 : 6;
  }

  set commandFamily(family: Family | undefined) {
    const f = family === undefined ? 0 : family === 4 ? 1 : 2;
    this.flags = (this.flags & ~(3 << FAMILY_SHIFT)) | (f << FAMILY_SHIFT);
  }

  get substituted(): boolean {
    return (this.flags & SUBSTITUTED) !== 0;
  }

  set substituted(b: boolean) {
    this.flags = b ? this.flags | SUBSTITUTED : this.flags & ~SUBSTITUTED;
  }

  get conditional(): boolean {
    return (this.flags & CONDITIONAL) !== 0;
  }

  set conditional(b: boolean) {
    this.flags = b ? this.flags | CONDITIONAL : this.flags & ~CONDITIONAL;
  }

  /** Sets a part while the command is parsed. */
  setPart(p: Part, t: Token): void {
    (this.parts as Array<WordRef | undefined>)[p] = t;
  }

  private partRef(p: Part): WordRef | undefined {
    const parts = this.parts;
    if (typeof parts !== 'number') return parts[p];
    if (p === COUNTERS) return (this.flags & HAS_COUNTERS) !== 0 ? (this.words as Words).count : undefined;
    const v = (parts >> (PART_BITS * p)) & PART_MASK;
    return v === 0 ? undefined : v - 1;
  }

  /** The packed words, once the command is parsed. */
  private get packed(): Words | undefined {
    return Array.isArray(this.words) ? undefined : this.words;
  }

  private ref(p: Part): Token | undefined {
    const r = this.partRef(p);
    return r === undefined ? undefined : tokenOf(this.packed, r);
  }

  get tableToken(): Token | undefined {
    return this.ref(TABLE);
  }

  get commandToken(): Token {
    return this.ref(COMMAND)!;
  }

  get chain(): Token | undefined {
    return this.ref(CHAIN);
  }

  get rulenum(): Token | undefined {
    return this.ref(RULENUM);
  }

  get extra(): Token | undefined {
    return this.ref(EXTRA);
  }

  get counters(): Token | undefined {
    return this.ref(COUNTERS);
  }

  get tokens(): readonly Token[] {
    return Array.isArray(this.words) ? this.words : this.words.tokens();
  }

  get chainName(): string | undefined {
    const r = this.partRef(CHAIN);
    return r === undefined ? undefined : valueOf(this.packed, r);
  }

  get chainDynamic(): boolean {
    const r = this.partRef(CHAIN);
    return r !== undefined && dynamicOf(this.packed, r);
  }

  partText(part: 'counters' | 'rulenum' | 'extra'): string | undefined {
    const r = this.partRef(part === 'counters' ? COUNTERS : part === 'rulenum' ? RULENUM : EXTRA);
    return r === undefined ? undefined : valueOf(this.packed, r);
  }

  partRange(part: 'table' | 'extra'): Range | undefined {
    const r = this.partRef(part === 'table' ? TABLE : EXTRA);
    return r === undefined ? undefined : rangeOf(this.packed, r);
  }

  // The two below are asked of parsed commands only (the only ones the parser hands out), whose words are packed.
  get hasQuotedWord(): boolean {
    return (this.words as Words).anyQuoted();
  }

  get ruleSpecText(): string {
    const w = this.words as Words;
    const skip = [this.partRef(COMMAND), this.partRef(CHAIN), this.partRef(RULENUM)];
    const parts: string[] = [];
    for (let k = 0; k < w.count; k++) if (!skip.includes(k)) parts.push(w.value(k));
    return parts.join(' ');
  }

  get chainRange(): Range | undefined {
    const r = this.partRef(CHAIN);
    return r === undefined ? undefined : rangeOf(this.packed, r);
  }

  get commandRange(): Range {
    return rangeOf(this.packed, this.partRef(COMMAND)!);
  }

  /** The first word (the counters, when there are some) and the last, whether the words are packed yet or not. */
  private get firstRef(): WordRef {
    return this.partRef(COUNTERS) ?? (Array.isArray(this.words) ? this.words[0] : 0);
  }

  private get lastRef(): WordRef {
    const w = this.words;
    return Array.isArray(w) ? w[w.length - 1] : w.count - 1;
  }

  get range(): Range {
    return spanOf(this.packed, this.firstRef, this.lastRef);
  }

  get startLine(): number {
    const w = this.words;
    // Without counters the first word is the first of the packed words, on the line the packed words keep.
    if (!Array.isArray(w) && (this.flags & HAS_COUNTERS) === 0 && typeof this.parts === 'number') return w.line;
    return lineOf(this.packed, this.firstRef);
  }

  get endLine(): number {
    return endLineOf(this.packed, this.lastRef);
  }

  /** Packs the words once the command is parsed; `tokens` is the final list of its words. */
  pack(tokens: Token[]): void {
    const words = Words.pack(tokens);
    const list = this.parts as Array<WordRef | undefined>;
    for (let p = 0; p < list.length; p++) if (list[p] !== undefined) list[p] = words.refOf(tokens, list[p] as Token);
    // The counters are not among the words: kept right after them, at place `count`.
    const counters = list[COUNTERS];
    let packed = 0;
    for (let p = TABLE; p <= EXTRA && packed >= 0; p++) {
      const r = list[p] as number | undefined;
      if (r === undefined) continue;
      packed = r + 1 > PART_MASK ? -1 : packed | ((r + 1) << (PART_BITS * p));
    }
    if (packed >= 0 && (counters === undefined || counters === words.count)) {
      this.parts = packed;
      if (counters !== undefined) this.flags |= HAS_COUNTERS;
    } else this.parts = list;
    for (const o of this.options) (o as OptionNode).pack(words, tokens);
    for (const m of this.matches) (m as MatchNode).pack(words, tokens);
    (this.target as TargetNode | undefined)?.pack(words, tokens);
    this.options = fit(this.options);
    this.matches = fit(this.matches);
    this.words = words;
  }
}

/** What value checks are told of the command: its family (one object per family, shared by every command). */
const VALUE_CONTEXTS: Record<Family, { family: Family }> = { 4: { family: 4 }, 6: { family: 6 } };

/** iptables' own options that make up a rule, which commands without one refuse (-m and its options they ignore). */
const RULE_OPTIONS = new Set(['--source', '--destination', '--protocol', '--jump', '--goto', '--in-interface', '--out-interface', '--fragment', '--set-counters']);
/** iptables' own options that may be given more than once (each -v more verbose; the last -M, -w or -W counts). */
const REPEATABLE = new Set(['--verbose', '--ipv4', '--ipv6', '--modprobe', '--wait', '--wait-interval']);
/** iptables' own options the command being parsed has given so far. */
const SEEN_GENERIC = new Scratch<OptionSpec>();

class CommandParser implements SlipHost {
  i = 0;
  readonly cmd: CommandNode;
  pendingNeg: Token | undefined = undefined;
  /** A shell expansion stood where an option could be: later words may belong to options it holds. */
  private fuzzy = false;
  readonly valueCtx: { family: Family };
  /**
   * The last value read: its word, its kind, its option, whether it is the option's last value, and the place of
   * the word after it (a stray word there may be the rest of it: see slips).
   */
  private valueTok: Token | undefined = undefined;
  private valueKind: ValueKind | undefined = undefined;
  private valueOption: OptionNode | undefined = undefined;
  private valueLast = false;
  private valueNext = -1;

  constructor(readonly tokens: Token[], readonly ctx: CommandContext, counters?: Token) {
    PENDING.clear();
    this.valueCtx = VALUE_CONTEXTS[ctx.family];
    SEEN_GENERIC.clear();
    listsLent = 0;
    this.cmd = new CommandNode(ctx, tokens, counters);
  }

  private get sink(): DiagnosticSink {
    return this.ctx.sink;
  }

  fail(code: string, range: Range, message: string, data?: Record<string, unknown>): void {
    this.sink.error(code, range, message, data);
    this.cmd.broken = true;
  }

  parse(): Command | undefined {
    while (this.i < this.tokens.length) this.step();
    if (this.pendingNeg) this.fail('syntax', this.pendingNeg.range, "'!' must be followed by the option it negates.");
    if (this.cmd.spec) {
      this.commandOptions(this.cmd.spec);
      this.cmd.pack(this.tokens);
    }
    PENDING.clear();
    if (!this.cmd.spec) {
      const first = this.tokens[0];
      if (!this.cmd.dynamic) {
        this.fail('syntax', this.cmd.range, `No command: a rule line needs -A, -I, -D, -N, -P or another command (found '${first.raw}').`);
      }
      return undefined;
    }
    return this.cmd;
  }

  /**
   * Options iptables takes with some commands only (`-n` with -L), and the options of a rule with a command that takes
   * none (-F, -N, -L, -P, a -D by number, ...): refused ("Illegal option").
   */
  private commandOptions(spec: CommandSpec): void {
    // Before the command is packed: an option's name is still its Token.
    const options = this.cmd.options;
    const ruleless = !spec.ruleSpec || (spec.short === '-D' && this.cmd.rulenum !== undefined);
    for (let k = 0; k < options.length; k++) {
      const o = options[k];
      const only = o.spec.commands;
      if (only && !only.includes(spec.short)) {
        this.fail('syntax', o.nameToken.range, `iptables refuses ${o.nameToken.value} with ${spec.short} ("Illegal option"): it is an option of ${only.join(', ')} only.`);
      } else if (ruleless && !o.owner && RULE_OPTIONS.has(o.spec.names[0]) && !(spec.short === '-P' && o.spec.short === '-c')) {
        const what = spec.short === '-D' ? '-D with a rule number takes no rule besides' : `${spec.short} takes no rule`;
        this.fail('syntax', o.nameToken.range, `iptables refuses ${o.nameToken.value} with ${spec.short} ("Illegal option"): ${what}.`);
      }
    }
  }

  next(): Token | undefined {
    return this.tokens[this.i];
  }

  private step(): void {
    const t = this.tokens[this.i++];
    if (t.dynamic) {
      // A shell expansion may stand for any number of words (options too); nothing can be said about it.
      this.pendingNeg = undefined;
      this.fuzzy = true;
      return;
    }
    const w = t.value;
    if (w === '!') {
      if (this.pendingNeg) this.fail('syntax', t.range, "Two '!' in a row.");
      this.pendingNeg = t;
      return;
    }
    const command = findCommand(w);
    if (!command && w.length > 2 && w.charCodeAt(1) !== 45 /* - */ && /^-[A-Za-z]{2,}$/.test(w) && this.splitBundle(t)) return this.step();
    if (command) return this.readCommand(t, command);
    if (w === '-t' || w === '--table') return this.readTable(t);
    if (w.startsWith('-') && w.length > 1) return this.readOption(t);
    if (this.fuzzy) return;
    if (this.ctx.format === 'restore' && t.raw.startsWith('#')) return this.trailingComment(t);
    if (this.valueNext === this.i - 1) {
      const [value, option] = [this.valueTok!, this.valueOption!.nameToken.value];
      if (this.valueKind!.spaced && this.valueLast && !value.quoted) return unquotedText(this, t, value, option);
      if (blankInValue(this, t, value, this.valueKind!, option)) return;
    }
    if (w === '-' && blankInName(this, t, undefined)) return;
    if (this.i === 1 && /^(sudo|(\S*\/)?ip6?tables(-legacy|-nft)?)$/.test(t.value) && this.ctx.format === 'restore') return pastedCommand(this, t);
    this.fail('syntax', t.range, `Unexpected word '${t.raw}': it is not an option, and no option before it takes a value here.`);
  }

  /** `-A INPUT ... -j ACCEPT # ssh`: iptables-restore reads the comment as words of the rule. One finding for all of it. */
  private trailingComment(t: Token): void {
    const last = this.tokens[this.tokens.length - 1];
    const text = this.tokens.slice(this.i - 1).map((x) => x.raw).join(' ').replace(/^#\s*/, '');
    this.i = this.tokens.length;
    this.fail('syntax', { start: t.range.start, end: last.range.end },
      `iptables-restore has no comments at the end of a line: '#${text ? ` ${text}` : ''}' is read as words of the rule, and the line is refused. Put the comment on a line of its own, or keep it in the rule with -m comment --comment.`,
      { trailingComment: text });
  }

  /** getopt lets one-letter options share a dash (`-nvL`): split them into words of their own. */
  private splitBundle(t: Token): boolean {
    const letters = t.value.slice(1).split('');
    const known = (c: string) => findCommand(`-${c}`) || GENERIC_OPTIONS.some((o) => o.short === `-${c}`);
    const flagOnly = (c: string) => findCommand(`-${c}`)?.chain === 'none' || GENERIC_OPTIONS.some((o) => o.short === `-${c}` && o.args.length === 0 && !['-j', '-g', '-m', '-t'].includes(o.short));
    if (t.raw !== t.value || !letters.every(known) || !letters.slice(0, -1).every((c) => flagOnly(c) || findCommand(`-${c}`))) return false;
    const parts: Token[] = letters.map((c, k) => t.part(`-${c}`, k === 0 ? `-${c}` : c, k === 0 ? 0 : k + 1, k + 2));
    this.tokens.splice(--this.i, 1, ...parts);
    return true;
  }

  readCommand(t: Token, spec: CommandSpec): void {
    if (this.cmd.spec && listsAndZeroes(this.cmd.spec, spec)) {
      // `-L -Z`: the counters are listed, then zeroed; a chain named with either (the first one kept here).
      const n = this.next();
      if (n && !looksLikeOption(n)) {
        if (this.cmd.chainName === undefined) this.cmd.setPart(CHAIN, n);
        this.i++;
      }
      return;
    }
    if (this.cmd.spec) {
      if (t.value.length === 2 && caseSlip(this, t, spec)) return;
      this.fail('syntax', t.range, `Only one command per line: '${this.cmd.commandToken.raw}' already given, then '${t.raw}'.`);
      return;
    }
    if (this.ctx.format === 'restore' && !spec.inRestore) {
      this.sink.add('syntax', 'warning', t.range, `${spec.long} has no place in an iptables-restore file: iptables-restore runs it (it prints) and changes nothing.`);
    }
    this.cmd.spec = spec;
    this.cmd.setPart(COMMAND, t);
    const n = this.next();
    if (spec.chain !== 'none' && n && (!looksLikeOption(n) || spec.chain === 'required')) {
      if (!(spec.chain === 'optional' && /^\d+$/.test(n.value) && !n.dynamic && spec.short !== '-F')) {
        if (n.value !== '!' || spec.chain === 'required') {
          this.cmd.setPart(CHAIN, n);
          this.i++;
        }
      }
    }
    if (spec.chain === 'required' && !this.cmd.chain) {
      this.fail('missing-argument', t.range, `${spec.short} needs a chain name.`);
      return;
    }
    const r = this.next();
    // As iptables reads it: any word after the chain that is not an option is the rule number, a number as C's
    // strtoul reads it (`0x1` and `+1` are 1).
    if (spec.rulenum && r && (r.dynamic || !/^[-!]/.test(r.value))) {
      this.cmd.setPart(RULENUM, r);
      this.i++;
      const n = r.dynamic ? 1 : strtoulBase0(r.value);
      if (n === undefined || n > 0x7fffffff) this.fail('syntax', r.range, `'${r.value}' is not a rule number: iptables refuses it ("Invalid rule number"). Rules are numbered from 1.`);
    } else if (spec.rulenum === 'required' && (!r || !r.dynamic)) {
      this.fail('missing-argument', t.range, `${spec.short} needs a rule number after the chain.`);
    }
    if (spec.extra) {
      const e = this.next();
      if (!e) {
        this.fail('missing-argument', t.range, spec.extra === 'policy' ? `${spec.short} needs a chain and a policy (ACCEPT or DROP).` : `${spec.short} needs the old and the new chain name.`);
        return;
      }
      this.cmd.setPart(EXTRA, e);
      this.i++;
    }
  }

  private readTable(t: Token): void {
    const n = this.next();
    if (!n) return this.fail('missing-argument', t.range, '-t needs a table name (filter, nat, mangle, raw, security).');
    this.i++;
    if (this.ctx.format === 'restore') {
      this.fail('syntax', t.range, 'iptables-restore does not accept -t on a rule line; the table is set by the *table line above.');
      return;
    }
    this.cmd.setPart(TABLE, n);
    if (n.dynamic) return;
    if (!findTable(n.value)) {
      const s = suggest(n.value, TABLES.map((x) => x.name));
      this.fail('unknown-table', n.range, `Unknown table '${n.value}'. Tables: filter, nat, mangle, raw, security.${s.length ? ` Did you mean '${s[0]}'?` : ''}`, { suggestions: s });
      return;
    }
    this.cmd.table = n.value;
  }

  /** Every option spec a word may resolve to, in iptables' order: own options, loaded matches, the target. */
  resolve(word: string): Resolved | undefined {
    // getopt prefers an exact name over an abbreviation among the loaded options; only when it knows neither does
    // iptables load the protocol's match (-p tcp) and try again.
    const exact = exactOption;
    return this.resolveLoaded(word, exact) ?? this.resolveLoaded(word, lookupOption) ?? this.resolveImplicit(word, exact) ?? this.resolveImplicit(word, lookupOption);
  }

  private resolveLoaded(word: string, find: (specs: OptionSpec[], w: string) => OptionSpec | undefined): Resolved | undefined {
    const generic = find(GENERIC_OPTIONS, word);
    if (generic) return resolved(generic);
    // Once a target is given its options come first (`-m helper --helper ftp -j CT --helper ftp`).
    if (this.cmd.target?.spec) {
      const s = find(this.cmd.target.spec.options, word);
      if (s) return resolved(s, this.cmd.target.spec);
    }
    // The latest instance of a module gets the option (a rule may load the same match twice).
    for (let k = this.cmd.matches.length - 1; k >= 0; k--) {
      const m = this.cmd.matches[k];
      if (!m.spec) continue;
      const s = find(m.spec.options, word);
      if (s) return resolved(s, m.spec, undefined, m);
    }
    return undefined;
  }

  private resolveImplicit(word: string, find: (specs: OptionSpec[], w: string) => OptionSpec | undefined): Resolved | undefined {
    const proto = this.cmd.protocol;
    // `! -p tcp --dport 22` loads the tcp match as `-p tcp` does: iptables reads its options and their values, and
    // only iptables-legacy's kernel then refuses the rule (see readOption).
    if (proto && !proto.token.dynamic) {
      const pm = protocolMatch(proto.value, this.ctx.family);
      if (pm && !withSpec(this.cmd.matches, pm)) {
        const s = find(pm.options, word);
        if (s) return resolved(s, pm, pm);
      }
    }
    return undefined;
  }

  readOption(word: Token): void {
    let t = word;
    const eq = t.value.indexOf('=');
    if (t.value.startsWith('--') && eq > 2 && t.raw.indexOf('=') > 2) {
      // getopt's --name=value form: split it into two words with their own ranges.
      const rawEq = t.raw.indexOf('=');
      const nameTok = t.part(t.value.slice(0, eq), t.raw.slice(0, rawEq), 0, rawEq);
      const valueTok = new Token(t.value.slice(eq + 1), t.raw.slice(rawEq + 1), t.line, t.start + rawEq + 1, t.endLine, t.end, t.quoted, t.dynamic);
      this.tokens.splice(this.i, 0, valueTok);
      t = nameTok;
    }
    const w = t.value;
    const found = this.resolve(w);
    const neg = this.pendingNeg;
    this.pendingNeg = undefined;
    if (!found) {
      if (this.fuzzy) return;
      if (blankInName(this, t, neg) || oneDash(this, t, neg)) return;
      if (w.length === 2) {
        this.pendingNeg = neg;
        if (caseSlip(this, t, undefined)) return;
        this.pendingNeg = undefined;
      }
      return this.unknownOption(t);
    }
    const { spec, owner, implicit, instance } = found;
    if (spec.commandLineOnly && this.ctx.format === 'restore') {
      this.fail('syntax', t.range, `${t.value} is an option of the iptables command itself: iptables-restore refuses it on a rule line.`);
    }
    if (spec.removed) {
      this.fail('unknown-option', t.range, `${w}: ${spec.removed}`);
      while (this.next() && !looksLikeOption(this.next()!) && this.next()!.value !== '!') this.i++;
      return;
    }
    if (spec.family && spec.family !== this.ctx.family) {
      this.fail('address-family', t.range, `${w} exists only in ${spec.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}.`);
    }
    if (implicit) this.cmd.matches.push(new MatchNode(implicit, undefined));
    const use = new OptionNode(spec, t, neg);
    if (neg && !spec.invert) {
      this.fail('syntax', neg.range, `${w} cannot be negated with '!'.`);
    }
    this.readArgs(use);
    if (!owner) return this.applyGeneric(use);
    const m = instance ?? withSpec(this.cmd.matches, owner);
    const all = m ? m.options : this.cmd.target?.options ?? [];
    // Options after an element separator (policy's --next) are checked against their own element only.
    let from = all.length;
    while (from > 0 && !all[from - 1].spec.startsElement) from--;
    const siblings = from === 0 ? all : all.slice(from);
    const twice = withSpec(siblings, spec);
    if (twice) {
      this.fail('syntax', t.range, `${spec.names[0]} is given twice for the same ${owner.kind === 'match' ? `-m ${owner.name}` : `-j ${owner.name}`}: iptables allows it once.`, { first: twice.nameToken.range });
    }
    const clash = spec.conflicts && siblings.find((o) => spec.conflicts!.includes(o.spec.names[0]));
    if (clash) {
      this.fail('syntax', t.range, `${t.value} cannot be used together with ${clash.nameToken.value} in one ${owner.kind === 'match' ? `-m ${owner.name}` : `-j ${owner.name}`}.`);
    }
    all.push(use);
    this.cmd.options.push(use);
  }

  private unknownOption(t: Token): void {
    const w = t.value;
    if (this.cmd.protocol?.token.dynamic && MATCHES.some((m) => m.protocols && m.options.some((o) => o.names.includes(w)))) {
      // -p $PROTO: the protocol, and so its options, are unknown until the script runs.
      this.skipArgsOf(w);
      return;
    }
    // A negated protocol loads its match too (see resolveImplicit).
    const implicit = this.cmd.protocol && !this.cmd.protocol.token.dynamic ? protocolMatch(this.cmd.protocol.value, this.ctx.family) : undefined;
    const loaded = [...GENERIC_OPTIONS, ...this.cmd.matches.flatMap((m) => m.spec?.options ?? []), ...(this.cmd.target?.spec?.options ?? []), ...(implicit?.options ?? [])];
    if ((w === '--icmp-type' && this.ctx.family === 6) || (w === '--icmpv6-type' && this.ctx.family === 4)) {
      this.otherFamilyIcmp(t);
      return;
    }
    if (PORT_OPTIONS.has(w) || w === '--tcp-flags' || w === '--syn' || w === '--icmp-type' || w === '--icmpv6-type') {
      const needs = w.startsWith('--icmpv6') ? '-p ipv6-icmp' : w.startsWith('--icmp') ? '-p icmp' : w.startsWith('--tcp') || w === '--syn' ? '-p tcp' : '-p tcp or -p udp';
      const proto = this.cmd.protocol;
      const why = proto ? `the protocol given (${proto.negated ? '! ' : ''}-p ${proto.value}) has no ${w}` : `no protocol is given`;
      this.fail('protocol-required', t.range, `${w} needs ${needs} before it: ${why}, so iptables says unknown option "${w}".`, { option: w, insert: needs.split(' or ')[0] });
      this.skipArgsOf(w);
      return;
    }
    const names = allOptionNames(loaded).filter((n) => n.startsWith('--') === w.startsWith('--'));
    // An option of a loaded module whose name ends in this one (`--name` with -m hashlimit, `--prefix` with -j LOG):
    // that option, even where another module has one of this very name (recent's --name).
    const ending = w.startsWith('--') ? [...new Set(names.filter((n) => n.endsWith(`-${w.slice(2)}`)))] : [];
    const elsewhere = ending.length ? [] : [...MATCHES, ...TARGETS].filter((m) => isAvailable(m, this.ctx.family) && m.options.some((o) => o.names.includes(w) && !o.removed));
    if (elsewhere.length) {
      const owner = elsewhere[0];
      const how = owner.kind === 'match' ? `-m ${owner.name}` : `-j ${owner.name}`;
      const where = owner.kind === 'target' && this.cmd.target ? ` (this rule's target is ${this.cmd.target.name})` : '';
      this.fail('unknown-option', t.range, `${w} belongs to ${owner.kind === 'match' ? 'the match' : 'the target'} ${owner.name}; it needs ${how} before it${where}.`, { module: owner.name, kind: owner.kind });
      this.skipArgsOf(w, owner);
      return;
    }
    // A beginning shared by several options of the loaded modules (`--cts`: --ctstate, --ctstatus): iptables takes
    // a shortened option only where it begins one option alone.
    const begun = w.startsWith('--') ? [...new Set(names.filter((n) => n.startsWith(w)))] : [];
    if (ending.length) {
      this.fail('unknown-option', t.range, `Unknown option '${w}': this rule's modules call it ${ending.join(' or ')}.`, { suggestions: ending });
    } else if (begun.length > 1) {
      this.fail('unknown-option', t.range, `Unknown option '${w}': it begins ${begun.length > 2 ? `${begun.length} options` : 'two options'} of the modules this rule loads (${begun.join(', ')}), and iptables takes a shortened option only where it begins just one. Write the option out.`, { suggestions: begun });
    } else {
      const s = suggest(w, names);
      this.fail('unknown-option', t.range, `Unknown option '${w}'.${s.length ? ` Did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : ''}`, { suggestions: s });
    }
    // Skip the words that look like its value, so that they do not cause follow-up errors.
    while (this.next() && !looksLikeOption(this.next()!) && this.next()!.value !== '!') this.i++;
  }

  /**
   * `--icmp-type` in an ip6tables rule, `--icmpv6-type` in an iptables one: no protocol makes the command know it (it
   * says unknown option). The other family's option is offered where the type is a name both families have.
   */
  private otherFamilyIcmp(t: Token): void {
    const v6 = t.value === '--icmp-type';
    const [option, protocol] = v6 ? ['--icmpv6-type', 'ipv6-icmp'] : ['--icmp-type', 'icmp'];
    const value = this.next();
    const name = value && !value.dynamic && !looksLikeOption(value) ? value.value.toLowerCase() : undefined;
    const shared = name !== undefined && (v6 ? ICMPV6_TYPES : ICMP_TYPES).some((c) => c.label === name);
    const [family, numbers] = v6 ? ['ICMPv6', '128 in ICMPv6 and 8 in ICMP'] : ['ICMP', '8 in ICMP and 128 in ICMPv6'];
    const how = shared ? `-p ${protocol} ${option} ${name}` : `-p ${protocol} ${option} with an ${family} type: the types are numbered apart (a ping is echo-request, ${numbers})`;
    this.fail('address-family', t.range,
      `${t.value} is the ${v6 ? 'IPv4 ICMP' : 'ICMPv6'} match's option: ${v6 ? 'ip6tables' : 'iptables'} has none by that name, whatever the protocol, and says unknown option "${t.value}". For ${family} write ${how}.`,
      shared ? { option, protocol } : {});
    this.skipArgsOf(t.value);
  }

  private skipArgsOf(word: string, owner?: ModuleSpec): void {
    const spec = owner?.options.find((o) => o.names.includes(word)) ?? [...MATCHES].flatMap((m) => m.options).find((o) => o.names.includes(word));
    const count = spec ? spec.args.length : 1;
    for (let k = 0; k < count && this.next() && !looksLikeOption(this.next()!); k++) this.i++;
  }

  private readArgs(use: OptionNode): void {
    const { spec, nameToken } = use;
    let kinds: readonly ValueKind[] = spec.args;
    if (spec.optionalArg && this.next() && !looksLikeOption(this.next()!) && this.next()!.value !== '!') kinds = [...spec.args, spec.optionalArg];
    // -j, -g, -m take a name that the generic handler reads.
    const nameArg = spec.short === '-j' || spec.short === '-g' || spec.short === '-m' || spec.short === '-t';
    const total = nameArg ? 1 : kinds.length;
    for (let k = 0; k < total; k++) {
      const a = this.next();
      if (a && a.value === '!' && spec.invert && k === 0 && !a.dynamic) {
        this.sink.error('obsolete-syntax', a.range, `'${nameToken.value} ! value' is the old negation form that current iptables refuses; write '! ${nameToken.value} value'.`, { option: nameToken.value });
        this.cmd.broken = true;
        use.negToken = a;
        this.i++;
        k--;
        continue;
      }
      const textual = !nameArg && kinds[k].textual;
      if (!a || ((k === 0 ? namesAnOption(a) : looksLikeOption(a)) && !textual)) {
        const what = nameArg ? (spec.short === '-m' ? 'a match module name' : spec.short === '-t' ? 'a table' : 'a target or chain name') : kinds[k].what;
        const which = total > 1 ? `${total} values; value ${k + 1} is ` : '';
        this.fail('missing-argument', nameToken.range, `${nameToken.value} needs ${which}${what}${a ? `, but the next word is the option '${a.value}'` : ''}.`);
        return;
      }
      this.i++;
      use.push(a);
      if (k === total - 1 && !nameArg && !textual && splitList(this, a)) return;
      if (!nameArg && !a.dynamic) {
        this.valueTok = a;
        this.valueKind = kinds[k];
        this.valueOption = use;
        this.valueLast = k === total - 1;
        this.valueNext = this.i;
        const problem = kinds[k].validate(a.value, this.valueCtx);
        if (problem) {
          const severity = problem.severity ?? 'error';
          this.sink.add(problem.code ?? 'invalid-value', severity, a.range, problem.message, problem.replacement !== undefined ? { replacement: problem.replacement } : problem.suggestions ? { suggestions: problem.suggestions } : undefined);
          if (severity === 'error') this.cmd.broken = true;
        }
        if (k === 0 && takesMaskedAddress(spec)) checkHostBits(a, this.sink);
        if (a.value.includes(',')) checkListRepeats(a, kinds[k], this.valueCtx.family, this.sink);
      }
    }
  }

  private applyGeneric(use: OptionNode): void {
    const { spec } = use;
    const arg = use.arg!;
    this.cmd.options.push(use);
    // A missing value was reported by readArgs; there is nothing more to record.
    if (!arg && (spec.args.length || ['-j', '-g', '-m'].includes(spec.short ?? ''))) return;
    switch (spec.short) {
      case '-p':
        if (this.cmd.protocol) this.fail('syntax', use.nameToken.range, 'The protocol is given twice (-p); iptables allows it once per rule.');
        this.cmd.protocol = new ProtocolNode(arg.dynamic ? arg.value : arg.value.toLowerCase(), use);
        // `! -p all` (or 0) excludes every packet: iptables refuses the rule rather than load one that never matches.
        if (use.negated && !arg.dynamic && protocolNumber(arg.value) === 0) this.fail('invalid-value', arg.range, `'! -p ${arg.value}' excludes every packet: iptables refuses the rule ("rule would never match protocol").`);
        return;
      case '-m':
        return this.loadMatch(arg);
      case '-j':
      case '-g':
        return this.setTarget(use, arg, spec.short === '-g');
    }
    // `! -s a,b`: iptables makes one rule per address and cannot negate them all in one.
    if ((spec.short === '-s' || spec.short === '-d') && use.negated && !arg.dynamic && arg.value.includes(',')) {
      this.fail('invalid-value', use.negToken!.range, `'!' cannot negate a list of addresses: iptables refuses it ("! not allowed with multiple source or destination IP addresses"). Use one rule per address, or an ipset (-m set ! --match-set).`);
    }
    if (SEEN_GENERIC.has(spec) && !REPEATABLE.has(spec.names[0])) {
      this.fail('syntax', use.nameToken.range, `${use.nameToken.value} is given twice; iptables allows each of its own options once per command${use.spec.short ? ` ("multiple ${use.spec.short} flags not allowed")` : ''}.`);
    }
    SEEN_GENERIC.push(spec);
  }

  private loadMatch(arg: Token): void {
    if (arg.dynamic) {
      this.cmd.matches.push(new MatchNode(undefined, arg));
      return;
    }
    const spec = findMatch(arg.value);
    const use = new MatchNode(spec, arg);
    if (!spec) {
      const names = MATCHES.filter((m) => !m.removed && isAvailable(m, this.ctx.family)).map((m) => m.name);
      const s = suggest(arg.value, names);
      this.fail('unknown-match', arg.range, `Unknown match module '${arg.value}'.${s.length ? ` Did you mean '${s[0]}'?` : ''}`, { suggestions: s });
    } else if (spec.removed) {
      this.fail('unknown-match', arg.range, `-m ${arg.value}: ${spec.removed}`);
    } else if (spec.family && spec.family !== this.ctx.family) {
      const alt = arg.value === 'icmp' ? ' Use -m icmp6 / -p ipv6-icmp.' : arg.value === 'icmp6' ? ' Use -m icmp / -p icmp.' : '';
      this.fail('address-family', arg.range, `The ${spec.name} match exists only in ${spec.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}.${alt}`);
    }
    this.cmd.matches.push(use);
  }

  private setTarget(use: OptionUse, arg: Token, goto: boolean): void {
    if (this.cmd.target) {
      this.fail('syntax', use.nameToken.range, `A rule has one target; '${this.cmd.target.name}' is already given.`);
      return;
    }
    const spec = goto ? undefined : findTarget(arg.value);
    const t = new TargetNode(arg, spec, goto);
    if (use.negated) this.fail('syntax', use.negToken!.range, `${use.nameToken.value} cannot be negated.`);
    if (spec?.removed) this.fail('unknown-target', arg.range, `-j ${arg.value}: ${spec.removed}`);
    else if (spec?.family && spec.family !== this.ctx.family) {
      this.fail('address-family', arg.range, `The ${spec.name} target exists only in ${spec.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'}.`);
    }
    this.cmd.target = t;
  }
}

/** Whether a word marks a rule for the other family than the one being read (`-6`, `--ipv6` in iptables). */
function isOtherFamilyMark(t: Token, family: Family): boolean {
  const v = t.value;
  // Every word is looked at: the last character and the length rule out nearly all at once.
  if (v.charCodeAt(v.length - 1) !== (family === 4 ? 54 /* 6 */ : 52) /* 4 */ || (v.length !== 2 && v.length !== 6)) return false;
  return !t.dynamic && (v === (family === 4 ? '-6' : '-4') || v === (family === 4 ? '--ipv6' : '--ipv4'));
}

export function parseCommand(tokens: Token[], ctx: CommandContext, counters?: Token): Command | undefined {
  if (tokens.length === 0) return undefined;
  // A rule marked for the other family: iptables reads the words before the mark (and refuses them if they are
  // wrong), then skips the rule; the words after it are never read.
  let at = -1;
  for (let k = 0; k < tokens.length && at < 0; k++) if (isOtherFamilyMark(tokens[k], ctx.family)) at = k;
  const mark = at < 0 ? undefined : tokens[at];
  if (mark) {
    // The words before the mark, read as iptables reads them; addresses it reads only once the rule is whole, and
    // never for a rule it skips: their findings are left out.
    const seen = new DiagnosticSink();
    const before = at > 0 ? new CommandParser(tokens.slice(0, at), { ...ctx, sink: seen }, counters).parse() : undefined;
    const addresses = (before?.options ?? []).filter((o) => !o.owner && (o.spec.short === '-s' || o.spec.short === '-d') && o.arg).map((o) => o.arg!.range);
    const within = (r: Range, a: Range) => r.start.line === a.start.line && r.start.character >= a.start.character && r.end.character <= a.end.character;
    ctx.sink.addAll(seen.items.filter((d) => !addresses.some((a) => within(d.range, a))));
    // `-s -6`: the mark is the value the option before it lacks, which the parse above has already refused.
    const last = before?.options[before.options.length - 1];
    if (last && last.valueCount < last.spec.args.length) return undefined;
    const tool = ctx.family === 4 ? 'iptables' : 'ip6tables';
    // iptables-restore skips such a line; the iptables command refuses it.
    if (ctx.format === 'script') ctx.sink.error('address-family', mark.range, `${mark.value} marks this rule as IPv${ctx.family === 4 ? 6 : 4}-only: the ${tool} command refuses it. Run it with ${ctx.family === 4 ? 'ip6tables' : 'iptables'}, or leave ${mark.value} out.`);
    else ctx.sink.add('address-family', 'warning', mark.range, `${mark.value} marks this rule as IPv${ctx.family === 4 ? 6 : 4}-only: ${tool}-restore silently skips it, so it is never loaded.`);
    return undefined;
  }
  return new CommandParser(tokens, ctx, counters).parse();
}
