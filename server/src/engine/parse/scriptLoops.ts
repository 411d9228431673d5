/**
 * `for PORT in 22 80 443; do iptables -A INPUT -p tcp --dport $PORT -j ACCEPT; done`: a loop over known words whose
 * body is one command adds that rule once for each value, one after the other. Such a command is parsed once per
 * value (each value checked), and the analysis takes the rules together: side by side, with one verdict, they decide
 * the packets of any of them (the union of their matches), which is one rule whose condition on the loop's word
 * holds any of the values. A loop over values not known here is left as it was (the word unknown).
 *
 * A body of several commands (no compound command inside it) interleaves their rules: LOG, DROP, LOG, DROP. Each
 * command is still one rule for the analysis where that changes nothing it can claim: the commands go to different
 * chains, or they append to one chain and those that decide packets give one verdict (the others log, mark or
 * count; see takenTogether). Otherwise the body is left as it was. `for ipt in iptables ip6tables` runs each command
 * once per family, which interleaves nothing.
 */
import { Token } from '../lexer';
import { ArmRef, assignedAt, Command, linesList, varyingNames, varyingValue } from '../model';
import { Diagnostic } from '../types';
import { DiagnosticSink, withRelated } from './diagnostics';
import { KEYWORDS, ShellValues, SimpleWords } from './shellValues';
import { braceExpansion } from './braces';
import { quote } from '../format';

/** A command the loop adds once per value: the value's parse of it, one per value (the first is the command). */
export interface LoopInfo {
  name: string;
  values: readonly string[];
  /** The line of the loop's `for`. */
  line: number;
  variants: readonly Command[];
  /** The value each variant is for (its index in values): a value iptables refuses has no variant. */
  valueAt: readonly number[];
  /** The loop, the same object for every command of its body. */
  loop: LoopOf;
  /**
   * When the loop's word is the chain, the table, the target, the policy or a module's name: every value's command,
   * each a command of its own (this one is variants[0]); see eachValue.
   */
  each?: readonly Command[];
}

/** An iptables command of a loop's body as read for its values (see script.ts, parseLooped). */
export interface Looped {
  cmd: Command | undefined;
  resolved: boolean;
  info?: LoopInfo;
  /** Each value's own command with what the loop says of it, when the values make commands of their own. */
  each?: Array<{ cmd: Command; info: LoopInfo }>;
}

/** The loop a command stands in, as far as reading it goes: its variable, values and line, and its body's size. */
export interface LoopOf {
  name: string;
  values: string[];
  line: number;
  /** How many commands its body has (those that add no rule left out). */
  size: number;
  /**
   * The chains (by interleaveKey) in which the rules of several of its commands interleave, value by value (see
   * takenTogether): there one of them is never proof that another never fires.
   */
  interleaved?: ReadonlySet<string>;
  /**
   * Not a `for` loop: the calls of a function, one after another, each with its own argument (see callLoops), by
   * their lines. The name is the argument's number, the values are the calls' arguments, the line is the first call's.
   */
  calls?: readonly number[];
  /**
   * The function's other positional parameters, each the same word in every call (`allow tcp 22`, `allow tcp 80`:
   * $1 is `tcp`), by number: read as that word wherever the body names one as a whole word.
   */
  fixed?: ReadonlyMap<string, string>;
  /**
   * Where the calls differ in more than one parameter (`allow tcp 22`, `allow udp 53`): for each call (by its place
   * among the values), the words of the other parameters that differ, by number; the loop's own parameter is `name`.
   */
  others?: ReadonlyArray<ReadonlyMap<string, string>>;
  /** The names of a function's parameters the body reads, in the order of their numbers (`proto`, `port` for $1, $2). */
  params?: readonly string[];
  /**
   * A body that passes its arguments on whole (`iptables -A "$@"`): each call's arguments, word by word. The name is
   * then `@`, and each value the call's words joined by a space.
   */
  argv?: ReadonlyArray<readonly string[]>;
}

export { assignedAt, varyingNames, varyingValue };

/** A chain as LoopOf.interleaved names it. */
export function interleaveKey(family: number, table: string, chain: string): string {
  return `${family} ${table} ${chain}`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The word is the loop's variable and nothing else: `$p`, `${p}`, `"$p"`. */
export function isLoopWord(raw: string, name: string): boolean {
  return new RegExp(`^("?)\\$(\\{${name}\\}|${name})\\1$`).test(raw);
}

/** The word uses the loop's variable somewhere (`$p`, `${p}0`, `"port $p"`; not `$port`). */
export function mentionsLoopVar(raw: string, name: string): boolean {
  return new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`).test(raw);
}
/**
 * A command whose loop word is the chain, the table, the target, the policy or a module's name (`for c in INPUT
 * FORWARD; do iptables -P $c DROP; done`): each value's command is a command of its own, run in turn. Each finding
 * is said once, with the values it is about unless it is about them all.
 */
export function eachValue(parsed: ReadonlyArray<{ sink: DiagnosticSink; cmd: Command | undefined }>, loop: LoopOf, sink: DiagnosticSink): Looped {
  const found = new Map<string, { d: Diagnostic; values: number[] }>();
  for (const [n, { sink: own }] of parsed.entries()) {
    for (const d of own.items) {
      const key = `${d.code}|${d.range.start.line}:${d.range.start.character}|${d.message}`;
      const seen = found.get(key);
      if (seen) seen.values.push(n);
      else found.set(key, { d, values: [n] });
    }
  }
  for (const { d, values } of found.values()) {
    const message = values.length === parsed.length ? d.message : `${d.message} ${withValue(loop, values)}`;
    withRelated(sink.add(d.code, d.severity, d.range, message, d.data), d);
  }
  const made = parsed.flatMap((p, n) => (p.cmd ? [{ cmd: p.cmd, n }] : []));
  const all = made.map((m) => m.cmd);
  const each = made.map(({ cmd, n }) => ({ cmd, info: { name: loop.name, values: loop.values, line: loop.line, variants: [cmd], valueAt: [n], loop, each: all } }));
  return { cmd: all[0], resolved: true, each };
}

/**
 * The words of `for` loops that bash would brace-expand, in a script for sh (`#!/bin/sh`): dash, the sh of Debian
 * and Ubuntu, leaves them as they are, so the loop runs once with the word itself. Each with bash's words.
 */
export function shBraceWords(commands: readonly SimpleWords[], shell: Shell): Array<{ name: string; word: Token; words: string[] | undefined }> {
  if (shell !== 'sh') return [];
  const out: Array<{ name: string; word: Token; words: string[] | undefined }> = [];
  for (const { words } of commands) {
    const head = loopHead(words);
    for (const w of head?.list ?? []) {
      const expansion = !w.quoted && !w.dynamic ? braceExpansion(w.value, MAX_VALUES) : undefined;
      if (expansion) out.push({ name: head!.name, word: w, words: expansion.words });
    }
  }
  return out;
}

/** A `for NAME in WORDS` command: the variable's name, the words, and the `for` word's line; undefined for another. */
export function loopHead(words: readonly Token[]): { name: string; list: readonly Token[]; line: number } | undefined {
  const k = leading(words);
  if (words[k]?.value !== 'for' || words[k].quoted || !NAME.test(words[k + 1]?.value ?? '') || words[k + 2]?.value !== 'in') return undefined;
  return { name: words[k + 1].value, list: words.slice(k + 3), line: words[k].line };
}

/**
 * The words of a command of a function's body with each parameter that is the same in every call (LoopOf.fixed)
 * read as that word, where a word is the parameter alone (`$2`, `"$2"`); the words themselves when there is none.
 */
export function withFixed(words: Token[], loop: LoopOf | undefined): Token[] {
  const fixed = loop?.fixed;
  if (!fixed) return words;
  let out = words;
  for (const [n, w] of words.entries()) {
    const value = fixedValue(w.raw, fixed);
    if (value === undefined) continue;
    if (out === words) out = [...words];
    out[n] = new Token(value, w.raw, w.line, w.start, w.endLine, w.end, w.quoted, false);
  }
  return out;
}

/** The word a parameter that is the same in every call stands for, where `raw` is that parameter alone. */
export function fixedValue(raw: string, fixed: ReadonlyMap<string, string> | undefined): string | undefined {
  if (!fixed || !raw.includes('$')) return undefined;
  for (const [name, value] of fixed) if (isLoopWord(raw, name)) return value;
  return undefined;
}

/** Where a loop's values come from, in words: `the loop on line 4`, `the calls on lines 7, 8 and 9`. */
export function loopPlace(loop: LoopOf): string {
  if (!loop.calls) return `the loop on line ${loop.line + 1}`;
  return `the call${loop.calls.length === 1 ? '' : 's'} on ${linesList(loop.calls.map((l) => l + 1))}`;
}

/**
 * How a finding names the values it is about (by their places among the loop's values): `(with $p = 80)`; for a
 * function's calls, which calls: `(with $1 = 80: the call on line 9)`, `(with $1 = udp, $2 = 53: the call on line 9)`.
 */
export function withValue(loop: LoopOf, at: readonly number[]): string {
  const values = at.map((n) => loop.values[n]);
  if (loop.others) {
    const lines = [...new Set(at.map((n) => loop.calls![n] + 1))];
    return `(with ${at.map((n) => assignedAt(loop, n)).join('; ')}: the call${lines.length === 1 ? '' : 's'} on line${lines.length === 1 ? '' : 's'} ${lines.join(', ')})`;
  }
  const lines = loop.calls && [...new Set(values.flatMap((v) => loop.calls!.filter((_, n) => loop.values[n] === v).map((l) => l + 1)))];
  const where = !lines ? '' : lines.length === 1 ? `: the call on line ${lines[0]}` : `: the calls on lines ${lines.join(', ')}`;
  return `(with $${loop.name} = ${values.join(', ')}${where})`;
}

/** Commands of a loop's body that add no rule (what a script prints or waits for). */
export const HARMLESS = new Set(['echo', 'printf', 'logger', 'true', ':', 'sleep']);
/** More values than this are not followed one by one. */
const MAX_VALUES = 256;
/** A loop's body is looked through for this many commands at most (those that add no rule included). */
const MAX_BODY = 1000;
/** A body of more commands than this is left as it is. */
const MAX_COMMANDS = 32;

/** Where a command's own words start, after the keywords that open or continue compound commands. */
export function leading(words: readonly Token[]): number {
  let k = 0;
  while (k < words.length && !words[k].quoted && KEYWORDS.has(words[k].value)) k++;
  return k;
}

/** A command's own first word (its name), after the keywords; undefined for keywords alone (`done`, `fi`). */
export function commandWord(words: readonly Token[]): Token | undefined {
  return words[leading(words)];
}

/** Whether a command may add rules: it has a name, and not one of the harmless commands. */
function mayAddRules(words: readonly Token[]): boolean {
  const w = commandWord(words);
  return w !== undefined && !HARMLESS.has(w.value);
}

/** The shell a script is written for, where its first line says: bash (and ksh, zsh) expands braces, sh does not. */
export type Shell = 'bash' | 'sh' | undefined;

export function shellOf(text: string, fileName?: string): Shell {
  const first = /^#![^\n]*/.exec(text)?.[0] ?? '';
  if (/\b(bash|ksh|zsh|mksh)\b/.test(first) || (!first && fileName?.endsWith('.bash'))) return 'bash';
  return /(\/|\s)(sh|dash|ash)(\s+-\S+)*\s*$/.test(first) ? 'sh' : undefined;
}

/**
 * The loop's words as values: literal words, and known variables (split into words where unquoted). A literal
 * word's braces are expanded as bash does (`{80,443}`, `{8000..8010}`) in a script for bash; where the shell is sh
 * (see shBraceWords) or not known, such a word is not known.
 */
function loopValues(list: readonly Token[], values: ShellValues, shell: Shell): string[] | undefined {
  const out: string[] = [];
  for (const w of list) {
    const words = wordValues(w, values, shell);
    if (!words) return undefined;
    out.push(...words);
  }
  return out.length && out.length <= MAX_VALUES ? out : undefined;
}

/** The values one word of a loop's list gives (see loopValues); undefined where they are not known. */
function wordValues(w: Token, values: ShellValues, shell: Shell): string[] | undefined {
  const items = values.arrayWords(w);
  if (items) return items;
  const text = values.wordText(w);
  // Globs stand for words not known here; so do braces in a variable's value, or where the shell is not known.
  if (text === undefined || (!w.quoted && /[*?[]/.test(text))) return undefined;
  const expansion = w.quoted ? undefined : braceExpansion(text, MAX_VALUES);
  if (w.quoted) return [text];
  if (!expansion) return text.split(/\s+/).filter(Boolean);
  return shell === 'bash' && !w.dynamic && expansion.words ? expansion.words.filter((x) => x !== '') : undefined;
}

/**
 * The words of the lists of the loops over known values that are not their value as written (a variable, an
 * array's items, braces), each with the values it gives.
 */
export function loopListWords<C extends SimpleWords>(commands: readonly C[], loops: ReadonlyMap<C, LoopOf>, forLoops: readonly ForLoop[], values: ShellValues, shell: Shell): Array<{ word: Token; values: string[] }> {
  const out: Array<{ word: Token; values: string[] }> = [];
  const known = new Set([...loops.values()].filter((l) => !l.calls).map((l) => l.line));
  for (const l of forLoops) {
    const head = loopHead(commands[l.head].words);
    if (!head || !known.has(head.line)) continue;
    for (const w of head.list) {
      const vals = wordValues(w, values, shell);
      if (vals && (w.dynamic || vals.length !== 1 || vals[0] !== w.value)) out.push({ word: w, values: vals });
    }
  }
  return out;
}

/**
 * A `for` loop of a script: its variable's word, and where it stands in the list of commands: its `for NAME ...`
 * command, the command its `do` opens and the one holding its `done` (with those two words).
 */
export interface ForLoop {
  name: Token;
  head: number;
  first: number;
  last: number;
  doWord: Token;
  doneWord: Token;
}

/** The commands of a loop's body (from the one its `do` opens to the one holding its `done`). */
export function bodyOfLoop<C>(commands: readonly C[], loop: ForLoop): readonly C[] {
  return commands.slice(loop.first, loop.last + 1);
}

/**
 * The `for` loops of a script, found in one pass, in the order their heads come: `do` and `done` are matched as a
 * stack (those of while and until loops as well), so a loop's body is known without reading it again.
 */
export function forLoops(commands: readonly SimpleWords[]): ForLoop[] {
  const out: ForLoop[] = [];
  const open: Array<{ name?: Token; first: number; doWord: Token }> = [];
  let head: Token | undefined;
  for (const [n, c] of commands.entries()) {
    const k = leading(c.words);
    for (let q = 0; q < k; q++) {
      const w = c.words[q];
      if (w.value === 'do') open.push({ name: q === 0 ? head : undefined, first: n, doWord: w });
      else if (w.value === 'done' && open.length) {
        const o = open.pop()!;
        if (o.name) out.push({ name: o.name, head: o.first - 1, first: o.first, last: n, doWord: o.doWord, doneWord: w });
      }
    }
    // `for NAME in ...` (or `for NAME` alone): its `do` opens the next command.
    const w = c.words[k];
    head = w?.value === 'for' && !w.quoted && NAME.test(c.words[k + 1]?.value ?? '') && !c.words[k + 1].quoted ? c.words[k + 1] : undefined;
  }
  return out.sort((a, b) => a.head - b.head);
}

/**
 * The commands in the body of a `for` loop over known values, each with its loop: a body of one command, or of
 * several with no compound command among them (whether they can be taken together is the parser's to say).
 */
export function loopsOf<C extends SimpleWords>(commands: readonly C[], loops: readonly ForLoop[], values: ShellValues, shell: Shell): Map<C, LoopOf> {
  const out = new Map<C, LoopOf>();
  for (const l of loops) {
    const head = loopHead(commands[l.head].words);
    const vals = head && loopValues(head.list, values, shell);
    const body = vals && bodyOf(commands, l);
    if (!body || !body.commands.length || (body.commands.length > 1 && body.nested)) continue;
    const loop: LoopOf = { name: head!.name, values: vals!, line: head!.line, size: body.commands.length };
    for (const c of body.commands) out.set(c, loop);
  }
  return out;
}

/** How many loops (`for`, `while`, `until`) each command stands in, for those in one at least. */
export function loopDepths<C extends SimpleWords>(commands: readonly C[]): Map<C, number> {
  const out = new Map<C, number>();
  let depth = 0;
  for (const c of commands) {
    const k = leading(c.words);
    for (let q = 0; q < k; q++) {
      const w = c.words[q].value;
      if (w === 'do') depth++;
      else if (w === 'done') depth = Math.max(0, depth - 1);
    }
    if (depth > 0) out.set(c, depth);
  }
  return out;
}

/** A simple command with the arms (of if, case, function) it stands in. */
export interface InArms extends SimpleWords {
  arms: readonly ArmRef[];
}

/** The arguments of a function a word reads all at once or counts (`$@`, `"$*"`, `$#`): its body is not read per call. */
const ALL_ARGS = /\$\{?[@*#]/;
/** The positional parameters a word names (`$1`, `${2}`). */
const POSITIONAL = /\$(?:\{([1-9])\}|([1-9])(?![0-9]))/g;

/**
 * `allow() { iptables -A INPUT -p tcp --dport "$1" -j ACCEPT; }` then `allow 22`, `allow 80`, `allow 443`, one after
 * another: the function's body runs once per call, with $1 each call's argument, as a loop over them would. The
 * commands of such a body, each with that loop: where the body does not name all of the parameters at once, every
 * call of the function stands in one run of calls (nothing but harmless commands between, the same arms, none after
 * `&&` or `||`), outside its own body, and gives each parameter the body names a known word; the parameters that
 * differ from call to call (`allow tcp 22`, `allow udp 53`) are read call by call, those the same in every call as
 * that word. A body as a loop's: one command, or several with no compound command among them.
 */
export function callLoops<C extends InArms>(commands: readonly C[], uses: FunctionUses<C>, values: ShellValues, loops: ReadonlyMap<C, LoopOf>): Map<C, LoopOf> {
  const out = new Map<C, LoopOf>();
  for (const [fn, at] of uses.calls) {
    const commandsOf = (uses.bodies.get(fn) ?? []).filter((c) => mayAddRules(c.words));
    const named = paramAliases(commandsOf);
    // The commands that only name parameters add no rule.
    const body = commandsOf.filter((c) => !c.words.slice(leading(c.words) + (DECLARING.has(commandWord(c.words)!.value) ? 1 : 0)).every((w) => named.setters.has(w)));
    const loop = body.length && !body.some((c) => loops.has(c)) ? callLoop(commands, fn, at, body, values, named) : undefined;
    if (loop) for (const c of body) out.set(c, loop);
  }
  return out;
}

/** The script's called functions, by statement id: each one's calls (places among the commands) and its body's commands. */
export interface FunctionUses<C> {
  calls: Map<number, number[]>;
  bodies: Map<number, C[]>;
}

/** Found in one pass over the script each (a pass per function took a sixth of the parse of the largest corpus script). */
export function functionUses<C extends InArms>(commands: readonly C[], functions: ReadonlyMap<string, number>): FunctionUses<C> {
  const calls = new Map<number, number[]>();
  const bodies = new Map<number, C[]>();
  if (!functions.size) return { calls, bodies };
  for (const [i, { words }] of commands.entries()) {
    const w = commandWord(words);
    const fn = w && !w.quoted && !w.dynamic ? functions.get(w.value) : undefined;
    if (fn !== undefined) (calls.get(fn) ?? calls.set(fn, []).get(fn)!).push(i);
  }
  for (const c of commands) {
    for (const r of c.arms) {
      if (!calls.has(r.statement)) continue;
      const body = bodies.get(r.statement) ?? bodies.set(r.statement, []).get(r.statement)!;
      if (body[body.length - 1] !== c) body.push(c);
    }
  }
  return { calls, bodies };
}

/** The loop a function's calls make of its body (see callLoops); undefined where they make none. */
function callLoop<C extends InArms>(commands: readonly C[], fn: number, at: readonly number[], body: readonly C[], values: ShellValues, { aliases, setters }: ParamAliases): LoopOf | undefined {
  // The brace that opens the function's body is its own; any other keyword before a command opens a compound one.
  const nested = body.some((c) => c.arms[c.arms.length - 1]?.statement !== fn || c.words.slice(0, leading(c.words)).some((w) => w.value !== '{'));
  if ((body.length > 1 && nested) || body.length > MAX_COMMANDS || at.length > MAX_VALUES) return undefined;
  /** The parameters the body reads, by number: as themselves (`$1`), or by the names given them (`$port`). */
  const named = new Set<string>();
  const direct = new Set<string>();
  let forwards = false;
  for (const c of body) {
    for (const w of c.words) {
      if (w.raw === '"$@"') forwards = true;
      else if (ALL_ARGS.test(w.raw)) return undefined;
      if (setters.has(w)) continue;
      for (const m of w.raw.matchAll(POSITIONAL)) {
        named.add(m[1] ?? m[2]);
        direct.add(m[1] ?? m[2]);
      }
      for (const [p, alias] of aliases) if (mentionsLoopVar(w.raw, alias)) named.add(p);
    }
    const k = leading(c.words);
    if (c.words[k]?.value === 'shift' || c.words[k]?.value === 'set') return undefined;
  }
  if (forwards) return named.size || aliases.size ? undefined : forwardLoop(commands, fn, at, body.length, values);
  // A parameter read both ways is not followed.
  if (!named.size || [...direct].some((p) => aliases.has(p))) return undefined;
  /** How the body names a parameter: `port` for `local port=$1`, else its number. */
  const nameOf = (p: string) => aliases.get(p) ?? p;
  if (!callsTogether(commands, fn, at)) return undefined;
  const params = [...named].sort();
  // Each named parameter's word in each call.
  const texts = params.map((): string[] => []);
  for (const i of at) {
    const call = commands[i];
    for (const [q, p] of params.entries()) {
      const arg = call.words[leading(call.words) + Number(p)];
      const text = arg && values.wordText(arg);
      // A word with blanks is split where the body uses it unquoted: not one value.
      if (text === undefined || /\s/.test(text) || !oneWord(arg, text)) return undefined;
      texts[q].push(text);
    }
  }
  // The parameters that differ from call to call: the first is the loop's word, the others go with it call by call
  // (`allow tcp 22`, `allow udp 53`); those that are the same word in every call are read as that word.
  const varying = params.filter((_, q) => texts[q].some((t) => t !== texts[q][0]));
  const name = varying[0] ?? params[0];
  const fixed = new Map(params.flatMap((p, q) => (varying.includes(p) || p === name ? [] : [[nameOf(p), texts[q][0]] as const])));
  const vals = texts[params.indexOf(name)];
  const others = varying.length > 1 ? at.map((_, n) => new Map(varying.slice(1).map((p) => [nameOf(p), texts[params.indexOf(p)][n]]))) : undefined;
  const lines = at.map((i) => commandWord(commands[i].words)!.line);
  return { name: nameOf(name), values: vals, line: lines[0], size: body.length, calls: lines, fixed: fixed.size ? fixed : undefined, others, params: params.map(nameOf) };
}

/**
 * Whether the calls stand in one run: none after `&&` or `||`, all in the same arms, none in the function's own
 * body, and nothing but harmless commands between one and the next.
 */
function callsTogether<C extends InArms>(commands: readonly C[], fn: number, at: readonly number[]): boolean {
  const first = commands[at[0]];
  const sameArms = (c: C) => c.arms.length === first.arms.length && c.arms.every((r, q) => r.statement === first.arms[q].statement && r.arm === first.arms[q].arm);
  for (const [n, i] of at.entries()) {
    const call = commands[i];
    if (call.conditional || !sameArms(call) || call.arms.some((r) => r.statement === fn)) return false;
    if (n > 0) for (let j = at[n - 1] + 1; j < i; j++) if (!HARMLESS.has(commandWord(commands[j].words)?.value ?? '')) return false;
  }
  return true;
}

/**
 * The calls of a function whose body passes them on whole (`add() { iptables -C "$@" || iptables -A "$@"; }`,
 * then `add INPUT -i lo -j ACCEPT`, `add INPUT -p tcp --dport 22 -j ACCEPT`): each call's words, when every call
 * stands in one run of calls (see callLoops) and each of its words is known and one word to the shell.
 */
function forwardLoop<C extends InArms>(commands: readonly C[], fn: number, at: readonly number[], size: number, values: ShellValues): LoopOf | undefined {
  const argv: string[][] = [];
  if (!callsTogether(commands, fn, at)) return undefined;
  for (const i of at) {
    const call = commands[i];
    const words: string[] = [];
    for (const arg of call.words.slice(leading(call.words) + 1)) {
      const text = values.wordText(arg);
      if (text === undefined || !oneWord(arg, text)) return undefined;
      words.push(text);
    }
    argv.push(words);
  }
  const lines = at.map((i) => commandWord(commands[i].words)!.line);
  // Each call's words as iptables-save would write them, for the findings to name.
  return { name: '@', values: argv.map((w) => w.map(quote).join(' ')), line: lines[0], size, calls: lines, argv };
}

/** Whether a call's argument (its text `text`) is one word to the shell: quoted, or none it would split, drop, glob or brace-expand. */
function oneWord(arg: Token, text: string): boolean {
  return arg.quoted || (text !== '' && !/[\s*?[{]/.test(text));
}

/** `local port=$1`, `proto="$2"`: a parameter given a name of its own. */
const PARAM_ALIAS = /^([A-Za-z_][A-Za-z0-9_]*)=("?)\$(?:\{([1-9])\}|([1-9]))\2$/;
/** The commands that may name a parameter (`local port=$1`), besides a plain assignment. */
const DECLARING = new Set(['local', 'declare', 'typeset', 'readonly']);

/** The names a function's body gives its parameters (see paramAliases). */
interface ParamAliases {
  /** The name each parameter is given, by its number. */
  aliases: Map<string, string>;
  /** The words that give them (`port=$1`). */
  setters: Set<Token>;
}

/**
 * The names a function's body gives its parameters (`local port=$1`, or `port=$1`) in the commands that open it,
 * before any other: by parameter number, with the words that set them. A name set anywhere else in the body (again,
 * or by `read`, a loop, ...) is not the parameter there, and is left out; so is a second name for one parameter.
 */
function paramAliases<C extends InArms>(body: readonly C[]): ParamAliases {
  const aliases = new Map<string, string>();
  /** Each word that names a parameter: the parameter and the name. */
  const setting = new Map<Token, [string, string]>();
  for (const c of body) {
    let k = leading(c.words);
    if (c.conditional) break;
    if (DECLARING.has(c.words[k]?.value ?? '')) k++;
    const found = c.words.slice(k).map((w) => ({ w, m: PARAM_ALIAS.exec(w.raw) }));
    if (!found.length || found.some(({ m }) => !m)) break;
    for (const { w, m } of found) {
      const p = m![3] ?? m![4];
      if (!aliases.has(p) && ![...aliases.values()].includes(m![1])) aliases.set(p, m![1]);
      setting.set(w, [p, m![1]]);
    }
  }
  const all = new Set(setting.keys());
  for (const [p, name] of aliases) if (body.some((c) => setsName(c.words, name, all))) aliases.delete(p);
  return { aliases, setters: new Set([...setting].flatMap(([w, [p, name]]) => (aliases.get(p) === name ? [w] : []))) };
}

/**
 * Whether a command may set `name`, other than by the words `setters`: any word that names it other than to read it
 * (`port=443`, `read port`, `((port++))`, `let port+=1`, `for port in`), not `$port` or `${port}`.
 */
function setsName(words: readonly Token[], name: string, setters: ReadonlySet<Token>): boolean {
  const bare = new RegExp(`(^|[^$\\w{])${name}(?![\\w])`);
  return words.some((w) => !setters.has(w) && bare.test(w.raw));
}

/**
 * The commands of a loop's body but those that add no rule, and whether a compound command (if, while, another
 * loop, a function) stands among them; undefined for a body too long to look through.
 */
function bodyOf<C extends SimpleWords>(commands: readonly C[], loop: ForLoop): { commands: C[]; nested: boolean } | undefined {
  if (loop.last - loop.first - 1 > MAX_BODY) return undefined;
  const body: C[] = [];
  let nested = false;
  for (let j = loop.first; j <= loop.last; j++) {
    const { words } = commands[j];
    const k = leading(words);
    // Any keyword but the body's own `do` and `done` opens or closes a compound command.
    let q = 0;
    for (; q < k && words[q] !== loop.doneWord; q++) if (words[q] !== loop.doWord) nested = true;
    if (q < k) break;
    if (k < words.length && !HARMLESS.has(words[k].value)) {
      body.push(commands[j]);
      if (words[k].value === 'for' || words[k].value === 'case') nested = true;
    }
  }
  return body.length > MAX_COMMANDS ? undefined : { commands: body, nested };
}

/**
 * One command of a loop's body as takenTogether sees it: the chain it adds rules to (by interleaveKey; undefined
 * for a command that adds none, or to a chain not known here), how many times it runs there, whether it appends
 * and whether its rule decides packets (anything but logging, marking or counting).
 */
export interface BodyRule {
  key: string | undefined;
  times: number;
  append: boolean;
  decides: boolean;
  /** The verdict of a rule that decides by one (ACCEPT, DROP, REJECT, RETURN); undefined for a jump or a shell value. */
  verdict?: string;
}

/**
 * Whether the commands of a loop's body can each stand as one rule for the analysis (see the top of this file): the
 * chains where their rules interleave, or undefined when they cannot. In a chain that one of them adds to several
 * times, next to another of them, their rules interleave (LOG, DROP, LOG, DROP): then each must append, and those
 * that decide packets must all give one verdict. A packet any of them takes then gets that verdict whichever of them
 * takes it first, and the analysis never counts one of them as taking another's packets (see shadow.ts), since in
 * truth it may come later. A command run once (per family) interleaves with nothing.
 */
export function takenTogether(rules: readonly BodyRule[]): Set<string> | undefined {
  const byChain = new Map<string, BodyRule[]>();
  for (const r of rules) {
    if (r.key === undefined) {
      if (r.times > 1) return undefined;
      continue;
    }
    const list = byChain.get(r.key);
    if (list) list.push(r);
    else byChain.set(r.key, [r]);
  }
  const interleaved = new Set<string>();
  for (const [key, list] of byChain) {
    if (list.length < 2 || list.every((r) => r.times === 1)) continue;
    const verdicts = new Set(list.filter((r) => r.decides).map((r) => r.verdict));
    if (list.some((r) => !r.append) || verdicts.has(undefined) || verdicts.size > 1) return undefined;
    interleaved.add(key);
  }
  return interleaved;
}

/**
 * A chain's rules as the kernel holds them once a script's loops have run (see Ruleset.loops): a rule a loop adds
 * once per value stands there once per value; the rules of one loop's body side by side, value by value (LOG, DROP,
 * LOG, DROP); a rule inserted (-I) once per value at one place, the last value's first. Each with the rule of the
 * chain that stands for it.
 */
export function unrolled(rules: readonly Command[], loops: ReadonlyMap<Command, LoopInfo> | undefined): Array<{ rule: Command; variant: Command }> {
  const out: Array<{ rule: Command; variant: Command }> = [];
  for (let k = 0; k < rules.length; ) {
    const info = loops?.get(rules[k]);
    if (!info) {
      out.push({ rule: rules[k], variant: rules[k++] });
      continue;
    }
    const run: Command[] = [];
    for (; k < rules.length && loops!.get(rules[k])?.loop === info.loop; k++) run.push(rules[k]);
    const order = info.values.map((_, n) => n);
    if (run.length === 1 && run[0].spec.short === '-I') order.reverse();
    for (const n of order) {
      for (const rule of run) {
        const l = loops!.get(rule)!;
        const at = l.valueAt.indexOf(n);
        if (at >= 0) out.push({ rule, variant: l.variants[at] });
      }
    }
  }
  return out;
}

/**
 * Rule number `n` of a chain (as -I, -R and -D take it) among its rules as the loops leave them: how many rules the
 * chain holds, the index in `rules` of the rule at that place (rules.length just past the end), whether the place
 * is between two of the rules a loop adds (where no rule of the chain begins), and whether it is one of them.
 */
export function ruleNumberAt(rules: readonly Command[], n: number, loops: ReadonlyMap<Command, LoopInfo> | undefined): { count: number; index: number; between: boolean; onLoop: boolean } {
  if (!loops || !rules.some((r) => loops.has(r))) return { count: rules.length, index: n - 1, between: false, onLoop: false };
  const all = unrolled(rules, loops);
  const index = new Map(rules.map((r, k) => [r, k]));
  const j = n - 1;
  if (j < 0 || j >= all.length) return { count: all.length, index: j < 0 ? j : rules.length, between: false, onLoop: false };
  const here = index.get(all[j].rule)!;
  // A place between two rules of the chain has every rule before it before the rule at it, and every rule after it
  // at or after that rule; otherwise it is among the rules of a loop (LOG, here, DROP, LOG, DROP).
  let between = false;
  for (let q = 0; q < all.length && !between; q++) between = q < j ? index.get(all[q].rule)! >= here : index.get(all[q].rule)! < here;
  // A value's command of its own (see eachValue) is one rule like any other.
  return { count: all.length, index: here, between, onLoop: (loops.get(all[j].rule)?.variants.length ?? 1) > 1 };
}
