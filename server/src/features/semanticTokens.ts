/**
 * Semantic tokens: what the grammar cannot tell from the text alone. A chain's name is a chain wherever it stands,
 * declared (`:NAME`, `-N NAME`) or used (`-A NAME`, `-j NAME`), built-in or the file's own; a jump to a user chain is
 * told apart from a target; a table is a table; `-m state` is marked deprecated; in a script, a variable the
 * analysis read as its value is marked read-only. Everything else keeps the grammar's colours.
 *
 * Ranges are worked out without making a Token of each word, so that the whole of a large ruleset can be asked for.
 */
import { SemanticTokens, SemanticTokensBuilder, SemanticTokensLegend } from 'vscode-languageserver';
import { isBuiltinChainOf } from '../engine/kb';
import { LintResult } from '../engine/lint';
import { Command, Ruleset } from '../engine/model';
import { Range } from '../engine/types';

const TYPES = ['namespace', 'function', 'type', 'variable'] as const;
const MODIFIERS = ['declaration', 'defaultLibrary', 'deprecated', 'readonly'] as const;
type TokenType = (typeof TYPES)[number];
type Modifier = (typeof MODIFIERS)[number];

export const SEMANTIC_LEGEND: SemanticTokensLegend = { tokenTypes: [...TYPES], tokenModifiers: [...MODIFIERS] };

interface Found {
  line: number;
  start: number;
  length: number;
  type: number;
  modifiers: number;
}

/** Collects the tokens of the lines from `first` to `last`, in any order. */
class Collector {
  readonly found: Found[] = [];
  constructor(private readonly first: number, private readonly last: number) {}

  add(range: Range | undefined, type: TokenType, ...modifiers: Array<Modifier | false>): void {
    // A word continued over lines (a shell `\` inside it) is left to the grammar: a token lies on one line. An empty
    // range (the name of a table line that is only `*`) is no token.
    if (!range || range.start.line !== range.end.line || range.end.character <= range.start.character || range.start.line < this.first || range.start.line > this.last) return;
    let bits = 0;
    for (const m of modifiers) if (m) bits |= 1 << MODIFIERS.indexOf(m);
    this.found.push({ line: range.start.line, start: range.start.character, length: range.end.character - range.start.character, type: TYPES.indexOf(type), modifiers: bits });
  }

  lines(from: number, to: number): boolean {
    return to >= this.first && from <= this.last;
  }
}

/** `$NAME` and `${NAME}` in a word's source text. */
const VARIABLE = /\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/g;

/** The variables of a script command's words: read-only where the analysis read the word as its known value. */
function variables(c: Command, out: Collector): void {
  for (const w of c.tokens) {
    if (w.line !== w.endLine || !w.raw.includes('$')) continue;
    for (const m of w.raw.matchAll(VARIABLE)) {
      const start = w.start + m.index!;
      out.add({ start: { line: w.line, character: start }, end: { line: w.line, character: start + m[0].length } }, 'variable', !w.dynamic && 'readonly');
    }
  }
}

function command(c: Command, out: Collector, script: boolean): void {
  const op = c.spec.short;
  out.add(c.partRange('table'), 'namespace');
  if (c.chainName !== undefined && !c.chainDynamic) out.add(c.chainRange, 'function', op === '-N' && 'declaration', isBuiltinChainOf(c.table, c.chainName) && 'defaultLibrary');
  if (op === '-E' && c.partText('extra') !== undefined) out.add(c.partRange('extra'), 'function', 'declaration');
  for (const m of c.matches) if (!m.implicit && m.spec) out.add(m.range, 'type', m.spec?.name === 'state' && 'deprecated');
  const t = c.target;
  if (t && !t.spec && !t.dynamic) out.add(t.range, 'function', isBuiltinChainOf(c.table, t.name) && 'defaultLibrary');
  if (script && (c.dynamic || c.substituted)) variables(c, out);
}

function collect(rs: Ruleset, out: Collector): void {
  for (const t of rs.tables) if ((rs.format === 'restore' || t.restore) && out.lines(t.range.start.line, t.range.end.line)) out.add(t.nameRange, 'namespace');
  for (const d of rs.chains) if (d.via === 'declaration') out.add(d.nameRange, 'function', !d.builtin && 'declaration', d.builtin && 'defaultLibrary');
  const script = rs.format === 'script';
  for (const c of rs.commands) if (out.lines(c.startLine, c.endLine)) command(c, out, script);
}

/** The tokens of the lines of `range` (every line without one). */
export function semanticTokens(result: LintResult, range?: Range): SemanticTokens {
  const out = new Collector(range?.start.line ?? 0, range?.end.line ?? Number.MAX_SAFE_INTEGER);
  collect(result.ruleset, out);
  const found = out.found.sort((a, b) => a.line - b.line || a.start - b.start);
  const builder = new SemanticTokensBuilder();
  let last: Found | undefined;
  for (const f of found) {
    // One token per place (a word is never two things).
    if (last && last.line === f.line && f.start < last.start + last.length) continue;
    builder.push(f.line, f.start, f.length, f.type, f.modifiers);
    last = f;
  }
  return builder.build();
}
