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

export class Words {
  /**
   * Two entries per word. A plain word (raw text equal to its value, on the command's first line, no quotes, no
   * shell expansion) is its text and its start column; a word that is its value in double quotes (a comment) is its
   * text and the bitwise complement of its start column (a negative number); any other word, and a word once asked
   * for as a Token, is its Token and -1.
   */
  private readonly slots: Array<string | number | Token>;

  /** The command's own words come first (`count` of them); words kept beside them (the counters) after. */
  private constructor(readonly line: number, readonly count: number, slots: Array<string | number | Token>) {
    this.slots = slots;
  }

  static pack(tokens: readonly Token[]): Words {
    const line = tokens[0].line;
    const slots: Array<string | number | Token> = [];
    for (const t of tokens) pushSlot(slots, t, line);
    // Copied to its exact size: a list grown by push keeps spare room, and this one lives as long as the document.
    return new Words(line, tokens.length, slots.slice());
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
    const k = this.slots.length >> 1;
    pushSlot(this.slots, t, this.line);
    return k;
  }

  token(k: number): Token {
    const v = this.slots[2 * k];
    if (typeof v !== 'string') return v as Token;
    const at = this.slots[2 * k + 1] as number;
    const t = at >= 0 ? new Token(v, v, this.line, at, this.line, at + v.length) : new Token(v, `"${v}"`, this.line, ~at, this.line, ~at + v.length + 2, true);
    this.slots[2 * k] = t;
    this.slots[2 * k + 1] = -1;
    return t;
  }

  value(k: number): string {
    const v = this.slots[2 * k];
    return typeof v === 'string' ? v : (v as Token).value;
  }

  /** A plain word is never a shell expansion. */
  dynamic(k: number): boolean {
    const v = this.slots[2 * k];
    return typeof v === 'string' ? false : (v as Token).dynamic;
  }

  start(k: number): number {
    const v = this.slots[2 * k];
    if (typeof v !== 'string') return (v as Token).start;
    const at = this.slots[2 * k + 1] as number;
    return at >= 0 ? at : ~at;
  }

  end(k: number): number {
    const v = this.slots[2 * k];
    if (typeof v !== 'string') return (v as Token).end;
    const at = this.slots[2 * k + 1] as number;
    return at >= 0 ? at + v.length : ~at + v.length + 2;
  }

  lineOf(k: number): number {
    const v = this.slots[2 * k];
    return typeof v === 'string' ? this.line : (v as Token).line;
  }

  endLineOf(k: number): number {
    const v = this.slots[2 * k];
    return typeof v === 'string' ? this.line : (v as Token).endLine;
  }

  /** Whether some of the command's own words has quotes. */
  anyQuoted(): boolean {
    for (let k = 0; k < this.count; k++) {
      const v = this.slots[2 * k];
      if (typeof v === 'string' ? (this.slots[2 * k + 1] as number) < 0 : (v as Token).quoted) return true;
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

/** Appends the two entries of a word (see Words.slots). */
function pushSlot(slots: Array<string | number | Token>, t: Token, line: number): void {
  if (t.line !== line) slots.push(t, -1);
  else if (t.plain) slots.push(t.value, t.start);
  else if (quotedValue(t, line)) slots.push(t.value, ~t.start);
  else slots.push(t, -1);
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

export function dynamicOf(words: Words | undefined, r: WordRef): boolean {
  return typeof r === 'number' ? words!.dynamic(r) : r.dynamic;
}
