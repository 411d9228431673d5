/**
 * `for PORT in 22 80 443; do iptables -A INPUT -p tcp --dport $PORT -j ACCEPT; done`: a loop over known words whose
 * body is one command adds that rule once for each value, one after the other. Such a command is parsed once per
 * value (each value checked), and the analysis takes the rules together: side by side, with one verdict, they decide
 * the packets of any of them (the union of their matches), which is one rule whose condition on the loop's word
 * holds any of the values. A body of several commands interleaves its rules, which no single rule stands for: it is
 * left as it was (the word unknown), as is a loop over values not known here.
 */
import { Token } from '../lexer';
import { Command } from '../model';
import { KEYWORDS, ShellValues, SimpleWords } from './shellValues';

/** A command the loop adds once per value: the value's parse of it, one per value (the first is the command). */
export interface LoopInfo {
  name: string;
  values: readonly string[];
  /** The line of the loop's `for`. */
  line: number;
  variants: readonly Command[];
}

/** The loop a command stands in, as far as reading it goes: its variable, values and line. */
export interface LoopOf {
  name: string;
  values: string[];
  line: number;
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
/** Commands of a loop's body that add no rule (what a script prints or waits for). */
const HARMLESS = new Set(['echo', 'printf', 'logger', 'true', ':', 'sleep']);
/** More values than this are not followed one by one. */
const MAX_VALUES = 256;
/** A loop's body is looked through for this many commands at most (those that add no rule included). */
const MAX_BODY = 1000;

/** Where a command's own words start, after the keywords that open or continue compound commands. */
function leading(words: readonly Token[]): number {
  let k = 0;
  while (k < words.length && !words[k].quoted && KEYWORDS.has(words[k].value)) k++;
  return k;
}

/** The loop's words as values: literal words, and known variables (split into words where unquoted). */
function loopValues(list: readonly Token[], values: ShellValues): string[] | undefined {
  const out: string[] = [];
  for (const w of list) {
    const text = w.dynamic ? values.text(w) : w.value;
    // Globs, and bash's brace expansion ({8000..8010}, {a,b}), stand for words not known here.
    if (text === undefined || (!w.quoted && /[*?[]|\{.*(\.\.|,).*\}/.test(text))) return undefined;
    if (w.quoted) out.push(text);
    else out.push(...text.split(/\s+/).filter(Boolean));
  }
  return out.length && out.length <= MAX_VALUES ? out : undefined;
}

/** The commands that stand alone in the body of a `for` loop over known values, each with its loop. */
export function loopsOf<C extends SimpleWords>(commands: readonly C[], values: ShellValues): Map<C, LoopOf> {
  const out = new Map<C, LoopOf>();
  for (let i = 0; i + 1 < commands.length; i++) {
    const { words } = commands[i];
    const k = leading(words);
    if (words[k]?.value !== 'for' || words[k].quoted || !NAME.test(words[k + 1]?.value ?? '') || words[k + 2]?.value !== 'in') continue;
    const vals = loopValues(words.slice(k + 3), values);
    const body = vals && bodyOf(commands, i + 1);
    if (body?.length === 1) out.set(body[0], { name: words[k + 1].value, values: vals!, line: words[k].line });
  }
  return out;
}

/** The commands of the body of the loop whose `do` opens commands[from], but those that add no rule; undefined unclosed. */
function bodyOf<C extends SimpleWords>(commands: readonly C[], from: number): C[] | undefined {
  if (commands[from].words[0]?.value !== 'do' || commands[from].words[0].quoted) return undefined;
  const body: C[] = [];
  let depth = 0;
  for (let j = from; j < commands.length; j++) {
    const { words } = commands[j];
    const k = leading(words);
    for (let q = 0; q < k; q++) {
      if (words[q].value === 'do') depth++;
      else if (words[q].value === 'done' && --depth === 0) return body;
    }
    if (k < words.length && !HARMLESS.has(words[k].value)) body.push(commands[j]);
    // A second command already rules the loop out; a body this long is not looked through.
    if (body.length > 1 || j - from > MAX_BODY) return undefined;
  }
  return undefined;
}
