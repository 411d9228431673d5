/**
 * A POSIX-shell word splitter, sufficient to find iptables command lines in scripts: quotes, escapes,
 * `\` line continuations, expansions, comments, control operators, redirections and here-documents.
 */
import { LineIndex } from './lineIndex';
import { Token } from './lexer';
import { Range } from './types';
import { hasSpan, opensSpan, spanEnd, statementEffects, TemplateEffect } from './parse/template';

/** A here-document's body: its lines (from the line after the command to the line before the delimiter). */
export interface HereDoc {
  kind: 'heredoc';
  /** The delimiter was quoted (`<<'EOF'`): the shell expands nothing in the body. */
  quoted: boolean;
  /** `<<-`: the shell strips leading tabs from the body's lines. */
  stripTabs: boolean;
  fromLine: number;
  /** The delimiter's line (the body ends before it), or the line count when the delimiter never comes. */
  toLine: number;
}

/** A control operator, or a redirection with the word it names (`< /etc/iptables/rules.v4`, a here-document's delimiter). */
export interface ShellOp {
  kind: 'op';
  value: string;
  target?: Token;
  /** A `(` right after a word, with no blank between (`PORTS=(22 80)`: bash's array assignment). */
  joined?: boolean;
}

/** A script's words (each its Token), operators, comments, template spans and here-documents, in order. */
export type ShellItem =
  | Token
  | ShellOp
  | { kind: 'comment'; text: string; range: Range }
  /** In a Jinja template: a span (`{{ x }}`, `{% for %}`) in the word just read, and what it does to the lines after it. */
  | { kind: 'template'; effect: TemplateEffect; range: Range }
  | HereDoc;

interface PendingHereDoc {
  delimiter: string;
  quoted: boolean;
  stripTabs: boolean;
}

/** The one item every line end is (a script of 10,000 lines has as many, and nothing tells them apart). */
const NEWLINE: ShellOp = Object.freeze({ kind: 'op', value: '\n' });

const OPERATORS = ['&&', '||', ';;', ';', '&', '|', '(', ')', '\n'];
const OPERATOR_START = new Set([';', '&', '|', '(', ')', '\n']);

/** The control operator at `i`, longest first (undefined when none is there). */
function operatorAt(text: string, i: number): string | undefined {
  for (const o of OPERATORS) if (text.startsWith(o, i)) return o;
  return undefined;
}

/** Reads the extent of `$(...)`, `${...}` or `$((...))` starting at `i` (the `$`); returns the end offset. */
function skipDollar(text: string, i: number): number {
  const next = text[i + 1];
  if (next === '{' || next === '(') return skipNested(text, i + 2, next === '{' ? '}' : ')', next);
  let j = i + 1;
  if (j < text.length && /[@*#?$!0-9-]/.test(text[j])) return j + 1;
  while (j < text.length && /[A-Za-z0-9_]/.test(text[j])) j++;
  return j;
}

/** Set by the readers of an expansion when the text ends inside it (its `)`, `}`, quote or backquote never comes). */
let ranOut = false;

/**
 * From `j`, inside `$(` or `${`, past the `close` that ends it (the end of the text when none does): escapes, quotes
 * and the expansions nested in it are skipped as the shell reads them, so that their `)` or `}` ends nothing here.
 */
function skipNested(text: string, j: number, close: string, open: string): number {
  let depth = 1;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === "'" && open === '(') j = pastQuote(text, j, "'");
    else if (c === '"') j = skipDoubleQuoted(text, j + 1);
    else if (c === '`') j = pastQuote(text, j, '`');
    else if (c === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) j = skipDollar(text, j);
    else {
      if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
      j++;
    }
  }
  ranOut = true;
  return text.length;
}

/**
 * Past the `quote` that closes the one at `j` (a single quote; a backquote, inside which a backslash escapes the next
 * character); the end of the text when none does.
 */
function pastQuote(text: string, j: number, quote: string): number {
  for (let k = j + 1; k < text.length; k++) {
    if (text[k] === quote) return k + 1;
    if (quote === '`' && text[k] === '\\') k++;
  }
  ranOut = true;
  return text.length;
}

/** From `j`, inside a double quote, past its closing quote (the end of the text when none): escapes and expansions skipped. */
function skipDoubleQuoted(text: string, j: number): number {
  while (j < text.length && text[j] !== '"') {
    if (text[j] === '\\') j += 2;
    else if (text[j] === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) j = skipDollar(text, j);
    else if (text[j] === '`') j = pastQuote(text, j, '`');
    else j++;
  }
  if (j >= text.length) ranOut = true;
  return Math.min(j + 1, text.length);
}

/** A quote the shell never finds the end of: where it opens, and which it is. */
export interface UnclosedQuote {
  offset: number;
  /** `"`, `'`, or the opening of an expansion: `$(`, `${`, a backquote. */
  quote: string;
}

/** What opens at `offset`, as withoutUnclosed names it: a quote, or the opening of an expansion. */
function openerAt(text: string, offset: number): string {
  return text[offset] === '$' ? text.slice(offset, offset + 2) : text[offset];
}

/** The script's words, operators, comments and here-documents; a quote left open is added to `unclosed` when given. */
export function lexShell(text: string, index = new LineIndex(text), unclosed?: UnclosedQuote[]): ShellItem[] {
  const items: ShellItem[] = [];
  const heredocs: PendingHereDoc[] = [];
  // A Jinja template of a script (firewall.sh.j2): `{{ ... }}` and `{% ... %}` are parts of words, whose value is
  // unknown; `{# ... #}` is a comment, over several lines if need be.
  const template = hasSpan(text);
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    // A line continuation, or a backslash that ends the file (which the shell drops when it reads a script file).
    if (ch === '\\' && (text[i + 1] === '\n' || i + 1 === n)) {
      i += 2;
      continue;
    }
    const close = template && ch === '{' && text[i + 1] === '#' ? templateCommentEnd(text, i) : -1;
    if (close >= 0) {
      items.push({ kind: 'comment', text: text.slice(i, close + 2), range: index.range(i, close + 2) });
      i = close + 2;
      continue;
    }
    if (ch === '#') {
      let e = text.indexOf('\n', i);
      if (e < 0) e = n;
      items.push({ kind: 'comment', text: text.slice(i, e), range: index.range(i, e) });
      i = e;
      continue;
    }
    if (ch === '\n') {
      items.push(NEWLINE);
      i++;
      if (heredocs.length) i = readHeredocBodies(text, i, heredocs.splice(0), index, items);
      continue;
    }
    // Only `;&|()` begin a control operator, and only a digit, `<` or `>` a redirection: a word's first character
    // (nearly every one) is told at once, without a search or a slice.
    const op = OPERATOR_START.has(ch) ? operatorAt(text, i) : undefined;
    if (op) {
      items.push(op === '\n' ? NEWLINE : op === '(' && i > 0 && !/[\s;&|()]/.test(text[i - 1]) ? { kind: 'op', value: op, joined: true } : { kind: 'op', value: op });
      i += op.length;
      continue;
    }
    const redir = ch === '<' || ch === '>' || (ch >= '0' && ch <= '9') ? /^[0-9]*(<<-?|<>|>>|>&|<&|>\||[<>])/.exec(text.slice(i, i + 8)) : null;
    if (redir) {
      const opEnd = i + redir[0].length;
      const item: ShellOp = { kind: 'op', value: redir[1] };
      items.push(item);
      i = opEnd;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      const w = readWord(text, i, index, template);
      if (w) {
        if (w.open >= 0) unclosed?.push({ offset: w.open, quote: openerAt(text, w.open) });
        if (redir[1].startsWith('<<')) heredocs.push({ delimiter: w.token.value, quoted: w.token.quoted, stripTabs: redir[1] === '<<-' });
        item.target = w.token;
        i = w.end;
      }
      continue;
    }
    const w = readWord(text, i, index, template);
    if (!w) {
      i++;
      continue;
    }
    items.push(w.token);
    if (w.open >= 0) unclosed?.push({ offset: w.open, quote: openerAt(text, w.open) });
    // Each template span of the word: a statement's effect on the lines after it, or none (a value, a comment).
    for (const [from, to] of w.spans ?? []) items.push({ kind: 'template', effect: statementEffects(text.slice(from, to))[0] ?? 'none', range: index.range(from, to) });
    i = w.end;
  }
  return items;
}

/** Reads the bodies of the here-documents the line just ended opened, in order; each becomes an item. */
function readHeredocBodies(text: string, i: number, pending: PendingHereDoc[], index: LineIndex, items: ShellItem[]): number {
  for (const doc of pending) {
    const fromLine = index.position(Math.min(i, text.length)).line;
    let toLine = index.lineCount;
    while (i < text.length) {
      let e = text.indexOf('\n', i);
      if (e < 0) e = text.length;
      const line = text.slice(i, e).replace(/\r$/, '');
      const here = index.position(i).line;
      i = e + 1;
      if ((doc.stripTabs ? line.replace(/^\t+/, '') : line) === doc.delimiter) {
        toLine = here;
        break;
      }
    }
    items.push({ kind: 'heredoc', quoted: doc.quoted, stripTabs: doc.stripTabs, fromLine, toLine });
  }
  return Math.min(i, text.length);
}

/**
 * Where the `#}` that closes a template comment opening at `i` (`{#`) stands, or -1: a template's comment is closed
 * somewhere, and a `{#` that nothing closes is the shell's text (`echo {#`, `n={#`).
 */
function templateCommentEnd(text: string, i: number): number {
  return text.indexOf('#}', i + 2);
}

/**
 * Where a shell expansion starting at `i` ($VAR, ${...}, $(...), `...`) ends, or in a template a template span
 * (`{{ ... }}`, `{% ... %}`, up to the end of its line); undefined when none starts there.
 */
function expansionEnd(text: string, i: number, template: boolean): number | undefined {
  ranOut = false;
  // A span ends with its line at the latest; a comment's `{#` that nothing closes is no span (`n={#`).
  if (template && opensSpan(text, i, text.length) && (text[i + 1] !== '#' || templateCommentEnd(text, i) >= 0)) return spanEnd(text, i, text.length);
  if (text[i] === '$' && i + 1 < text.length && /[A-Za-z_{(@*#?$!0-9-]/.test(text[i + 1])) return skipDollar(text, i);
  if (text[i] === '`') return pastQuote(text, i, '`');
  return undefined;
}

/**
 * Whether a character stands for itself in a word: not a blank, an operator, a quote, an escape or the start of an
 * expansion (nor, in a template, a brace that may open a span).
 */
function isPlain(c: number, template: boolean): boolean {
  // Letters, digits and `-./:,=_+@%^~!?*[]` and the like; `{` and `}` only outside templates.
  if (c >= 0x61 && c <= 0x7a) return true;
  if (c >= 0x41 && c <= 0x5a) return true;
  if (c >= 0x2b && c <= 0x3a) return true; // + , - . / 0-9 :
  switch (c) {
    case 0x3d: case 0x5f: case 0x40: case 0x25: case 0x5e: case 0x7e: case 0x21: case 0x3f: case 0x2a: case 0x5b: case 0x5d: case 0x7d:
      return true;
    case 0x7b:
      return !template;
    default:
      return false;
  }
}

/** Whether a character ends a word: a blank, a line's end, or a character that begins an operator or a redirection. */
function isWordEnd(c: number): boolean {
  switch (c) {
    case 0x20: case 0x09: case 0x0a: case 0x0d: case 0x3b: case 0x26: case 0x7c: case 0x28: case 0x29: case 0x3c: case 0x3e:
      return true;
    default:
      return false;
  }
}

/** A word from `i`: its Token, where it ends, its template spans, and where a quote it leaves open starts (-1: none). */
function readWord(text: string, i: number, index: LineIndex, template = false): { token: Token; end: number; spans?: Array<[number, number]>; open: number } | undefined {
  const start = i;
  let open = -1;
  /** The template spans read, by offsets. */
  let spans: Array<[number, number]> | undefined;
  const expansion = (at: number): number | undefined => {
    const x = expansionEnd(text, at, template);
    if (x !== undefined && template && text[at] === '{') (spans ??= []).push([at, x]);
    if (x !== undefined && open < 0 && ranOut) open = at;
    return x;
  };
  const n = text.length;
  // A run of plain characters is taken as it stands; a word made of nothing else (nearly every word) is its text.
  while (i < n && isPlain(text.charCodeAt(i), template)) i++;
  if (i > start && (i === n || isWordEnd(text.charCodeAt(i)))) {
    // On one line: its start's position is all its token needs.
    const raw = text.slice(start, i);
    const at = index.position(start);
    return { token: new Token(raw, raw, at.line, at.character, at.line, at.character + raw.length), end: i, spans, open };
  }
  let value = text.slice(start, i);
  let quoted = false;
  let dynamic = false;
  while (i < n) {
    const ch = text[i];
    if (isWordEnd(text.charCodeAt(i))) break;
    if (ch === '\\') {
      if (text[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (i + 1 < n) value += text[i + 1];
      i += 2;
      continue;
    }
    if (ch === "'") {
      quoted = true;
      let e = text.indexOf("'", i + 1);
      if (e < 0) {
        open = i;
        e = n;
      }
      value += text.slice(i + 1, e);
      i = e + 1;
      continue;
    }
    if (ch === '"') {
      quoted = true;
      const quote = i;
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') value += text[i + 1];
          i += 2;
          continue;
        }
        const x = expansion(i);
        if (x !== undefined) {
          value += text.slice(i, x);
          dynamic = true;
          i = x;
          continue;
        }
        value += text[i];
        i++;
      }
      if (i >= n) open = quote;
      i++;
      continue;
    }
    const x = expansion(i);
    if (x !== undefined) {
      value += text.slice(i, x);
      dynamic = true;
      i = x;
      continue;
    }
    value += ch;
    i++;
  }
  if (i === start) return undefined;
  i = Math.min(i, n);
  return { token: Token.at(value, text.slice(start, i), index.range(start, i), quoted, dynamic), end: i, spans, open };
}
