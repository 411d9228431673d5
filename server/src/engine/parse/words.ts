/**
 * The words of one parsed command, kept compactly for as long as the document is open.
 *
 * The lexer makes a Token for every word, and the parser works with them; once a command is parsed its words are
 * packed into one list, and the parts of the command (its chain, each option's name and values, ...) refer to their
 * word by its place in that list. A Token is made again only when something asks for it (a hover, a diagnostic's
 * range), and then kept, so that the same word is always the same Token. Most words are never asked for: a
 * ruleset of 100,000 rules has over a million words, and the analysis reads their text only.
 */
import { Token } from '../lexer';
import { Range } from '../types';

/** A word of a command: its Token while the command is being parsed, its place among the command's words after. */
export type WordRef = Token | number;

/** Words from this place on are never kept as quoted text (their quoting would not fit the mask). */
const MASK_BITS = 30;

export class Words {
  /**
   * One entry per word. A word on the command's first line, one space after the word before it (the first word:
   * at `first`), is kept as its text when it is plain (raw text equal to its value, no quotes, no shell expansion)
   * or is its value in double quotes (a comment; its bit is set in `quotedMask`): its columns follow from the
   * lengths of the words before it. Any other word, and a word once asked for as a Token, is its Token.
   */
  private readonly slots: Array<string | Token>;

  /** The command's own words come first (`count` of them); words kept beside them (the counters) after. */
  private constructor(readonly line: number, readonly count: number, private readonly first: number, private readonly quotedMask: number, slots: Array<string | Token>) {
    this.slots = slots;
  }

  static pack(tokens: readonly Token[]): Words {
    const line = tokens[0].line;
    const slots: Array<string | Token> = new Array(tokens.length);
    let mask = 0;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      const prev = k > 0 ? tokens[k - 1] : undefined;
      const follows = t.line === line && (prev === undefined || (prev.endLine === line && t.start === prev.end + 1));
      if (follows && t.plain) slots[k] = t.value;
      else if (follows && k < MASK_BITS && quotedValue(t, line)) {
        slots[k] = t.value;
        mask |= 1 << k;
      } else slots[k] = t;
    }
    return new Words(line, tokens.length, tokens[0].start, mask, slots);
  }

  /**
   * The place of `t` among the words of `tokens` (the list the words were packed from, sorted by position);
   * a word that is not one of them (the counters before a rule) is kept beside them.
   */
  refOf(tokens: readonly Token[], t: Token): number {
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = tokens[mid];
      if (m === t) return mid;
      const d = m.line - t.line || m.start - t.start;
      if (d < 0) lo = mid + 1;
      else if (d > 0) hi = mid - 1;
      // Another word at the same place (the name half of `--name=value`): kept beside the others.
      else break;
    }
    this.slots.push(t);
    return this.slots.length - 1;
  }

  private quoted(k: number): boolean {
    return k < MASK_BITS && ((this.quotedMask >> k) & 1) === 1;
  }

  /** The length of the raw text of a word kept as text. */
  private rawLength(k: number): number {
    return (this.slots[k] as string).length + (this.quoted(k) ? 2 : 0);
  }

  token(k: number): Token {
    const v = this.slots[k];
    if (typeof v !== 'string') return v;
    const at = this.start(k);
    const t = this.quoted(k) ? new Token(v, `"${v}"`, this.line, at, this.line, at + v.length + 2, true) : new Token(v, v, this.line, at, this.line, at + v.length);
    this.slots[k] = t;
    return t;
  }

  value(k: number): string {
    const v = this.slots[k];
    return typeof v === 'string' ? v : v.value;
  }

  /** The word's text, undefined when it is a shell expansion (its value is unknown). */
  text(k: number): string | undefined {
    const v = this.slots[k];
    return typeof v === 'string' ? v : v.dynamic ? undefined : v.value;
  }

  /** A word kept as text is never a shell expansion. */
  dynamic(k: number): boolean {
    const v = this.slots[k];
    return typeof v === 'string' ? false : v.dynamic;
  }

  /** A word kept as text starts one column after the end of the word before it. */
  start(k: number): number {
    const v = this.slots[k];
    if (typeof v !== 'string') return v.start;
    let j = k - 1;
    while (j >= 0 && typeof this.slots[j] === 'string') j--;
    let at = j < 0 ? this.first : (this.slots[j] as Token).end + 1;
    for (let i = j + 1; i < k; i++) at += this.rawLength(i) + 1;
    return at;
  }

  end(k: number): number {
    const v = this.slots[k];
    return typeof v === 'string' ? this.start(k) + this.rawLength(k) : v.end;
  }

  lineOf(k: number): number {
    const v = this.slots[k];
    return typeof v === 'string' ? this.line : v.line;
  }

  endLineOf(k: number): number {
    const v = this.slots[k];
    return typeof v === 'string' ? this.line : v.endLine;
  }

  /** Whether some of the command's own words has quotes. */
  anyQuoted(): boolean {
    if (this.quotedMask !== 0) return true;
    for (let k = 0; k < this.count; k++) {
      const v = this.slots[k];
      if (typeof v !== 'string' && v.quoted) return true;
    }
    return false;
  }

  /** The command's own words as Tokens. */
  tokens(): Token[] {
    const out: Token[] = [];
    for (let k = 0; k < this.count; k++) out.push(this.token(k));
    return out;
  }
}

/** The word is its value in double quotes, on one line. */
function quotedValue(t: Token, line: number): boolean {
  const { raw, value } = t;
  return t.quoted && !t.dynamic && t.endLine === line && raw.length === value.length + 2 && raw.startsWith('"') && raw.endsWith('"') && raw.indexOf(value) === 1;
}

/** The line a word starts on, and the line it ends on, without making its Token. */
export function lineOf(words: Words | undefined, r: WordRef): number {
  return typeof r === 'number' ? words!.lineOf(r) : r.line;
}

export function endLineOf(words: Words | undefined, r: WordRef): number {
  return typeof r === 'number' ? words!.endLineOf(r) : r.endLine;
}

/** From the start of one word to the end of another, without making their Tokens. */
export function spanOf(words: Words | undefined, from: WordRef, to: WordRef): Range {
  const start = typeof from === 'number' ? words!.start(from) : from.start;
  const end = typeof to === 'number' ? words!.end(to) : to.end;
  return { start: { line: lineOf(words, from), character: start }, end: { line: endLineOf(words, to), character: end } };
}

/** The range of the word a reference stands for, without making its Token. */
export function rangeOf(words: Words | undefined, r: WordRef): Range {
  return spanOf(words, r, r);
}

/** The Token a reference stands for. */
export function tokenOf(words: Words | undefined, r: WordRef): Token {
  return typeof r === 'number' ? words!.token(r) : r;
}

/** The text of the word a reference stands for, without making its Token. */
export function valueOf(words: Words | undefined, r: WordRef): string {
  return typeof r === 'number' ? words!.value(r) : r.value;
}

/** The text of the word a reference stands for, undefined when it is a shell expansion. */
export function textOf(words: Words | undefined, r: WordRef): string | undefined {
  return typeof r === 'number' ? words!.text(r) : r.dynamic ? undefined : r.value;
}

export function dynamicOf(words: Words | undefined, r: WordRef): boolean {
  return typeof r === 'number' ? words!.dynamic(r) : r.dynamic;
}

/** A word that reads as an option (`-p`, `--dport`), not a value (`-1`, a shell expansion). */
export function looksLikeOption(t: Token): boolean {
  return !t.dynamic && t.value.length > 1 && t.value.startsWith('-') && !/^-\d/.test(t.value);
}
