/**
 * Splitting text into words the way iptables-restore and a POSIX shell do.
 * Every token keeps the exact source range of its raw text.
 */
import { Range, range } from './types';

/** What a few words have beyond the common case: raw text that differs, a second line, quotes, shell expansions. */
interface TokenExtra {
  raw: string;
  endLine: number;
  end: number;
  quoted: boolean;
  dynamic: boolean;
}

/**
 * A word and where it stands. Positions are kept as numbers and the range is made on demand: a ruleset of
 * 100,000 rules has a million words, and most of them are never asked for their range. Most words are plain (raw
 * text equal to the value, on one line, no quotes): they carry four fields, their end being where the value ends;
 * the others keep the rest aside.
 */
export class Token {
  readonly value: string;
  readonly line: number;
  readonly start: number;
  private readonly extra: TokenExtra | undefined;

  constructor(
    /** The word after quote removal and escape processing (shell expansions are kept verbatim). */
    value: string,
    /** The exact source text of the word. */
    raw: string,
    line: number,
    start: number,
    endLine: number,
    end: number,
    /** Some part of the word was quoted. */
    quoted = false,
    /** The word contains a shell expansion ($VAR, ${..}, $(..), `..`): its value is unknown. */
    dynamic = false,
  ) {
    this.value = value;
    this.line = line;
    this.start = start;
    const plain = raw === value && endLine === line && end === start + value.length && !quoted && !dynamic;
    this.extra = plain ? undefined : { raw, endLine, end, quoted, dynamic };
  }

  /** As one of a script's items (see ShellItem): a word. */
  get kind(): 'word' {
    return 'word';
  }

  /** Raw text equal to the value, on one line, without quotes or shell expansions. */
  get plain(): boolean {
    return this.extra === undefined;
  }

  /** Where the word ends (a plain word ends after its value). */
  get end(): number {
    return this.extra ? this.extra.end : this.start + this.value.length;
  }

  /** The exact source text of the word. */
  get raw(): string {
    return this.extra ? this.extra.raw : this.value;
  }

  get endLine(): number {
    return this.extra ? this.extra.endLine : this.line;
  }

  /** Some part of the word was quoted. */
  get quoted(): boolean {
    return this.extra ? this.extra.quoted : false;
  }

  /** The word contains a shell expansion ($VAR, ${..}, $(..), `..`): its value is unknown. */
  get dynamic(): boolean {
    return this.extra ? this.extra.dynamic : false;
  }

  get range(): Range {
    return range(this.line, this.start, this.endLine, this.end);
  }

  static at(value: string, raw: string, r: Range, quoted = false, dynamic = false): Token {
    return new Token(value, raw, r.start.line, r.start.character, r.end.line, r.end.character, quoted, dynamic);
  }

  /** A part of this word (one-letter options sharing a dash, `--name=value`), on the same line. */
  part(value: string, raw: string, from: number, to: number): Token {
    return new Token(value, raw, this.line, this.start + from, this.line, this.start + to, this.quoted, this.dynamic);
  }
}

export interface LexProblem {
  message: string;
  range: Range;
}

export interface LineLexResult {
  tokens: Token[];
  problems: LexProblem[];
}

/**
 * One string for each short word that recurs (`-A`, `-j`, `ACCEPT`, `tcp`, a chain name, a port): a ruleset of
 * 100,000 rules says `-j` 100,000 times and need keep it once. A direct-mapped table of the words last seen, by a
 * hash taken while the word is scanned: a word found there is not even cut out of the line. A one-off word (an
 * address in a blocklist) only replaces one entry.
 */
const SLOTS = 4096;
const MAX_INTERNED = 24;
const slots: string[] = new Array<string>(SLOTS).fill('');

/** text[start, end) as a string, the same string each time for a short word that recurs; `hash` is the word's. */
function wordAt(text: string, start: number, end: number, hash: number): string {
  const len = end - start;
  if (len > MAX_INTERNED) return text.slice(start, end);
  const k = hash & (SLOTS - 1);
  const known = slots[k];
  // startsWith at a position compares in place, without cutting the word out.
  if (known.length === len && text.startsWith(known, start)) return known;
  return (slots[k] = text.slice(start, end));
}

function intern(word: string): string {
  let h = 0;
  for (let i = 0; i < word.length && i <= MAX_INTERNED; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return wordAt(word, 0, word.length, h);
}

/**
 * iptables-restore's own word splitting for one line: blanks separate words, double quotes group
 * (a backslash inside them escapes the next character); single quotes are ordinary characters.
 * A word without a double quote (nearly every word) is the run of characters up to the next blank.
 * The line is `text` from `from` to `end`, its columns counted from `base` (so that a parser can hand over the whole
 * document, which is read faster than a piece cut out of it). The words are written into `tokens` (a new list
 * unless given: a parser may hand over the same list for every line, whatever it held before).
 */
export function lexRestoreLine(text: string, line: number, from = 0, end = text.length, base = 0, tokens: Token[] = []): LineLexResult {
  let problems: LexProblem[] = NO_PROBLEMS;
  let count = 0;
  let i = from;
  const n = end;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (i < n && (c === 32 || c === 9)) c = text.charCodeAt(++i);
    if (i >= n) break;
    const start = i;
    let h = 0;
    while (i < n && c !== 32 && c !== 9 && c !== 34) {
      h = (Math.imul(h, 31) + c) | 0;
      c = text.charCodeAt(++i);
    }
    if (c !== 34 || i >= n) {
      const word = wordAt(text, start, i, h);
      tokens[count++] = new Token(word, word, line, start - base, line, i - base);
      continue;
    }
    const open = quotedWord(text, line, start, n, base);
    tokens[count++] = open.token;
    i = open.end;
    if (open.problem) {
      if (problems === NO_PROBLEMS) problems = [];
      problems.push(open.problem);
    }
  }
  // A smaller length keeps (most of) the list's room; only emptying it gives all of it up.
  tokens.length = count;
  return { tokens, problems };
}

/** Nearly every line has no problem: they share one empty list (not frozen: see NONE in parse/command.ts). */
const NO_PROBLEMS: LexProblem[] = [];

/** A word holding a double quote, from `start`: the value is built from slices of the line, quotes and escaping backslashes left out. */
function quotedWord(text: string, line: number, start: number, end: number, base: number): { token: Token; end: number; problem?: LexProblem } {
  // The common case, a whole word in double quotes without a backslash (a comment): its value is the text between.
  if (text.charCodeAt(start) === 34) {
    let j = start + 1;
    while (j < end && text.charCodeAt(j) !== 34 && text.charCodeAt(j) !== 92) j++;
    const after = j + 1 < end ? text.charCodeAt(j + 1) : 32;
    if (j < end && text.charCodeAt(j) === 34 && (after === 32 || after === 9)) {
      const token = new Token(text.slice(start + 1, j), text.slice(start, j + 1), line, start - base, line, j + 1 - base, true);
      return { token, end: j + 1 };
    }
  }
  const w = readWord(text, start, end);
  const token = new Token(w.parts.length === 1 ? intern(w.parts[0]) : w.parts.join(''), text.slice(start, w.end), line, start - base, line, w.end - base, true);
  return { token, end: w.end, problem: unclosed(line, w.open, end, base) };
}

/** A double quote left open, from `open` (an offset; -1: none) to the end of the line. */
export function unclosed(line: number, open: number, end: number, base: number): LexProblem | undefined {
  return open >= 0
    ? { message: 'This double quote is never closed: iptables-restore takes the rest of the line as one word (including any -j that follows).', range: range(line, open - base, line, end - base) }
    : undefined;
}

/**
 * One word from `start` as iptables-restore splits it (blanks separate, double quotes group, a backslash inside them
 * escapes the next character): its value in parts, where it ends, and where a double quote was left open (-1 when
 * none was). `span`, given a place outside quotes or in them, says where a span that is part of the word whatever it
 * holds ends there (a template's `{{ ... }}`), and whether it is a word of its own when it starts one.
 */
export function readWord(text: string, start: number, end: number, span?: (i: number) => { end: number; alone: boolean } | undefined): { parts: string[]; end: number; open: number; spans: boolean } {
  const parts: string[] = [];
  let i = start;
  let seg = i;
  let open = -1;
  let spans = false;
  while (i < end) {
    const ch = text.charCodeAt(i);
    const s = span?.(i);
    if (s) {
      spans = true;
      const alone = s.alone && i === start;
      i = s.end;
      if (alone) break;
      continue;
    }
    if (open >= 0) {
      if (ch === 92 /* \\ */ && i + 1 < end) {
        parts.push(text.slice(seg, i));
        seg = i + 1;
        i += 2;
        continue;
      }
      if (ch === 34 /* " */) {
        parts.push(text.slice(seg, i));
        open = -1;
        seg = ++i;
        continue;
      }
      i++;
      continue;
    }
    if (ch === 32 || ch === 9) break;
    if (ch === 34) {
      parts.push(text.slice(seg, i));
      open = i;
      seg = ++i;
      continue;
    }
    i++;
  }
  parts.push(text.slice(seg, i));
  return { parts, end: i, open, spans };
}
