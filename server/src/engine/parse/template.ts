/**
 * Rulesets written as Jinja templates (Ansible's `rules.v4.j2`, SaltStack's states): `{{ expr }}` stands for a value
 * known only once the template is rendered, `{% ... %}` lines repeat or leave out the lines between them, and
 * `{# ... #}` is a comment. The template's own syntax is not the ruleset's: it is read here so that the rules
 * around it can still be checked, each template value as one unknown word.
 */
import { readWord, Token, unclosed } from '../lexer';
import type { LexProblem, LineLexResult } from '../lexer';

/** File names of templates: `rules.v4.j2`, `iptables.jinja2`. */
const TEMPLATE_NAME = /\.(j2|jinja2?)$/i;

export function isTemplateName(fileName: string | undefined): boolean {
  return !!fileName && TEMPLATE_NAME.test(fileName);
}

/** The name a template renders to (`rules.v4.j2`: `rules.v4`), by which its kind and address family are known. */
export function renderedName(fileName: string): string {
  return fileName.replace(TEMPLATE_NAME, '');
}

/** What a template line does to the lines after it. */
export type TemplateEffect = 'open' | 'middle' | 'close' | 'none';

/** Tags that open a block closed by `end<tag>` (`set` only without `=`: `{% set x %}...{% endset %}`). */
const BLOCK_TAGS = new Set(['for', 'if', 'macro', 'call', 'filter', 'block', 'with', 'raw', 'autoescape', 'trans', 'set']);
const MIDDLE_TAGS = new Set(['else', 'elif', 'elseif', 'pluralize']);

/** The effect of one `{% ... %}` statement, from the text between the delimiters. */
function statementEffect(inner: string): TemplateEffect {
  const body = inner.replace(/^[-+]/, '').replace(/[-+]$/, '').trim();
  const tag = /^[A-Za-z_]+/.exec(body)?.[0] ?? '';
  if (tag.startsWith('end')) return 'close';
  if (MIDDLE_TAGS.has(tag)) return 'middle';
  if (tag === 'set') return body.includes('=') ? 'none' : 'open';
  return BLOCK_TAGS.has(tag) ? 'open' : 'none';
}

/**
 * A line made only of template statements and comments (and blanks): the effect of each statement on it, in order;
 * undefined for any other line. `{# ...` left open on the line (a comment over several lines) counts, with
 * `openComment` set.
 */
export function templateLine(text: string): { effects: TemplateEffect[]; openComment: boolean } | undefined {
  const effects: TemplateEffect[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= n) return effects.length ? { effects, openComment: false } : undefined;
    if (text.charCodeAt(i) !== 123 /* { */) return undefined;
    const kind = text[i + 1];
    if (kind !== '%' && kind !== '#') return undefined;
    const close = text.indexOf(`${kind}}`, i + 2);
    if (close < 0) return kind === '#' ? { effects, openComment: true } : undefined;
    effects.push(kind === '%' ? statementEffect(text.slice(i + 2, close)) : 'none');
    i = close + 2;
  }
}

/** The effects of the statements (`{% ... %}`) in a piece of text, in order. */
export function statementEffects(text: string): TemplateEffect[] {
  const out: TemplateEffect[] = [];
  for (const m of text.matchAll(/\{%(.*?)%\}/g)) out.push(statementEffect(m[1]));
  return out;
}

/**
 * Where the template span opening at `i` (`{{`, `{%` or `{#`) ends: after its closing delimiter, looked for up to
 * `end` (the line's end, at most); `end` when it is not closed there.
 */
export function spanEnd(text: string, i: number, end: number): number {
  const kind = text.charCodeAt(i + 1);
  // `}}`, `%}` or `#}`: the kind's own character, then a brace.
  const first = kind === 123 /* { */ ? 125 /* } */ : kind;
  for (let j = i + 2; j + 1 < end; j++) {
    const c = text.charCodeAt(j);
    if (c === 10 /* \n */) return j;
    if (c === first && text.charCodeAt(j + 1) === 125 /* } */) return j + 2;
  }
  return end;
}

/** Whether column `col` of a line (`text`: the line up to it, at least) is inside a template span, closed or not yet. */
export function insideSpan(text: string, col: number): boolean {
  for (let i = 0; i < col; i++) {
    if (!opensSpan(text, i, text.length)) continue;
    const kind = text[i + 1];
    const close = text.indexOf(kind === '{' ? '}}' : `${kind}}`, i + 2);
    // Not closed, or closed only after the cursor (or around it): the cursor is in the span.
    if (close < 0 || close + 2 > col) return true;
    i = close + 1;
  }
  return false;
}

export function opensSpan(text: string, i: number, end: number): boolean {
  if (i + 1 >= end || text.charCodeAt(i) !== 123 /* { */) return false;
  const next = text.charCodeAt(i + 1);
  return next === 123 /* { */ || next === 37 /* % */ || next === 35 /* # */;
}

/**
 * iptables-restore's word splitting (blanks separate words, double quotes group) for a line that holds template
 * spans: a span is part of the word it stands in, blanks inside it included, and makes that word unknown (dynamic,
 * its value its raw text). Columns are counted from `base`, as lexRestoreLine counts them.
 */
export function lexTemplateLine(text: string, line: number, from: number, end: number, base: number, tokens: Token[]): LineLexResult {
  const problems: LexProblem[] = [];
  // A statement or comment that starts a word is a word of its own (`{% for p in ports %}-A INPUT ...`).
  const span = (i: number) => (opensSpan(text, i, end) ? { end: spanEnd(text, i, end), alone: text.charCodeAt(i + 1) !== 123 /* { */ } : undefined);
  let count = 0;
  let i = from;
  while (i < end) {
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (i >= end) break;
    const w = readWord(text, i, end, span);
    const raw = text.slice(i, w.end);
    // Each double quote ends a part of the value: more than one part, and the word was quoted.
    tokens[count++] = new Token(w.spans ? raw : w.parts.join(''), raw, line, i - base, line, w.end - base, w.parts.length > 1, w.spans);
    const problem = unclosed(line, w.open, end, base);
    if (problem) problems.push(problem);
    i = w.end;
  }
  tokens.length = count;
  return { tokens, problems };
}

/** Whether a text (a document: one scan, and most have none; or a line) holds template syntax anywhere. */
export function hasSpan(text: string): boolean {
  return holdsTemplateValue(text) || text.includes('{#');
}

/**
 * Whether a document is written as a template: it holds a value or a statement (`{{`, `{%`), or a comment closed
 * somewhere after it opens (`{# ... #}`). An unclosed `{#` is text: iptables takes a chain named `{#`.
 */
export function holdsTemplate(text: string): boolean {
  if (holdsTemplateValue(text)) return true;
  const open = text.indexOf('{#');
  return open >= 0 && text.indexOf('#}', open + 2) >= 0;
}

/**
 * Whether a word (or a line) holds a template value or statement (`{{ port }}`, `{% if x %}`): what makes a word
 * unknown in a template, unlike `{#`, which a shell word may hold (`${#list[@]}`).
 */
export function holdsTemplateValue(text: string): boolean {
  return text.includes('{{') || text.includes('{%');
}

/** Whether a line holds a template span that may stand for several words or none (`{% if %}` inside a rule). */
export function hasInlineStatement(text: string): boolean {
  return text.includes('{%');
}

/**
 * How deep in template blocks the lines are, line by line: a rule inside `{% for %}` or `{% if %}` may appear several
 * times, or not at all, once the template is rendered.
 */
export class TemplateBlocks {
  private commentOpen = false;
  /** The outermost blocks closed so far. */
  private readonly outer: Array<{ start: number; end: number }> = [];
  /** Every block closed so far, nested ones included (for folding). */
  readonly all: Array<{ start: number; end: number }> = [];
  /** Where the blocks open now start, outermost first. */
  private readonly open: number[] = [];

  /** Whether the line is template syntax only (and is then taken into account); false for a line of the ruleset. */
  take(text: string, line: number): boolean {
    if (this.commentOpen) {
      if (text.includes('#}')) this.commentOpen = false;
      return true;
    }
    const t = templateLine(text);
    if (!t) return false;
    for (const e of t.effects) this.apply(e, line);
    this.commentOpen = t.openComment;
    return true;
  }

  /** One statement's effect, on `line`. */
  apply(e: TemplateEffect, line: number): void {
    if (e === 'open') this.open.push(line);
    else if (e === 'close' && this.open.length) {
      const block = { start: this.open.pop()!, end: line };
      this.all.push(block);
      if (!this.open.length) this.outer.push(block);
    }
  }

  /** The outermost blocks, one left open running to `lastLine`. */
  blocks(lastLine: number): Array<{ start: number; end: number }> {
    return this.open.length ? [...this.outer, { start: this.open[0], end: lastLine }] : this.outer;
  }

  /** Inside a comment of the template's that runs over several lines. */
  get inComment(): boolean {
    return this.commentOpen;
  }

  /** Lines here may be repeated or left out by the template. */
  get conditional(): boolean {
    return this.open.length > 0;
  }
}

/**
 * Where a fix adds lines so that no template block takes them in: before the outermost block that holds `line`
 * (`before`: the lines go ahead of it) or after it (the lines go at the end of something that ends inside it).
 */
export function outsideBlocks(blocks: readonly { start: number; end: number }[] | undefined, line: number, side: 'before' | 'after'): number {
  const b = blocks?.find((x) => x.start < line && line <= x.end);
  return b ? (side === 'before' ? b.start : b.end + 1) : line;
}
