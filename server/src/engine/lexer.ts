/**
 * Splitting text into words the way iptables-restore and a POSIX shell do.
 * Every token keeps the exact source range of its raw text.
 */
import { Range, range } from './types';

export interface Token {
  /** The word after quote removal and escape processing (shell expansions are kept verbatim). */
  value: string;
  /** The exact source text of the word. */
  raw: string;
  range: Range;
  /** Some part of the word was quoted. */
  quoted: boolean;
  /** The word contains a shell expansion ($VAR, ${..}, $(..), `..`): its value is unknown. */
  dynamic: boolean;
}

export interface LexProblem {
  message: string;
  range: Range;
}

export interface LineLexResult {
  tokens: Token[];
  problems: LexProblem[];
}

function isBlank(ch: string): boolean {
  return ch === ' ' || ch === '\t';
}

/** The common case, a line without quotes: words are the runs between blanks. */
function splitBlanks(text: string, line: number, from: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  const n = text.length;
  while (i < n) {
    let c = text.charCodeAt(i);
    while (i < n && (c === 32 || c === 9)) c = text.charCodeAt(++i);
    if (i >= n) break;
    const start = i;
    while (i < n && c !== 32 && c !== 9) c = text.charCodeAt(++i);
    const word = text.slice(start, i);
    tokens.push({ value: word, raw: word, range: range(line, start, line, i), quoted: false, dynamic: false });
  }
  return tokens;
}

/**
 * iptables-restore's own word splitting for one line: blanks separate words, double quotes group
 * (a backslash inside them escapes the next character); single quotes are ordinary characters.
 */
export function lexRestoreLine(text: string, line: number, from = 0): LineLexResult {
  if (!text.includes('"')) return { tokens: splitBlanks(text, line, from), problems: [] };
  const tokens: Token[] = [];
  const problems: LexProblem[] = [];
  let i = from;
  while (i < text.length) {
    while (i < text.length && isBlank(text[i])) i++;
    if (i >= text.length) break;
    const start = i;
    let value = '';
    let quoted = false;
    let open = -1;
    while (i < text.length) {
      const ch = text[i];
      if (open >= 0) {
        if (ch === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === '"') {
          open = -1;
          i++;
          continue;
        }
        value += ch;
        i++;
        continue;
      }
      if (isBlank(ch)) break;
      if (ch === '"') {
        open = i;
        quoted = true;
        i++;
        continue;
      }
      value += ch;
      i++;
    }
    if (open >= 0) {
      problems.push({ message: 'This double quote is never closed: iptables-restore takes the rest of the line as one word (including any -j that follows).', range: range(line, open, line, text.length) });
    }
    tokens.push({ value, raw: text.slice(start, i), range: range(line, start, line, i), quoted, dynamic: false });
  }
  return { tokens, problems };
}
