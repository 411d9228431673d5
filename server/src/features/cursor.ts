/**
 * What the words before the cursor say: the command being written on this line (or, in a script, since the
 * iptables word of this command), and the word being typed. Completion and signature help read it.
 */
import { insideSpan } from '../engine/parse/template';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Family } from '../engine/kb/addresses';
import { lexRestoreLine, Token } from '../engine/lexer';
import { LintResult } from '../engine/lint';
import { Command } from '../engine/model';
import { parseCommand } from '../engine/parse/command';
import { DiagnosticSink } from '../engine/parse/diagnostics';
import { lexShell } from '../engine/shellLexer';
import { Position } from '../engine/types';

export interface Context {
  family: Family;
  table: string;
  format: 'restore' | 'script';
  /** Complete words before the cursor, after the iptables command word (scripts) or from the line start (restore). */
  words: Token[];
  /** The partly typed word under the cursor. */
  partial: string;
  lineStart: boolean;
}

/** The table whose block holds the line (from line `from` on: a here-document's own tables). */
function currentTable(result: LintResult, line: number, from = 0): string {
  let table = 'filter';
  for (const t of result.ruleset.tables) if (t.range.start.line <= line && t.range.start.line >= from) table = t.name;
  return table;
}

function restoreContext(doc: TextDocument, result: LintResult, pos: Position, embedded?: { fromLine: number; family: Family }): Context {
  const text = doc.getText({ start: { line: pos.line, character: 0 }, end: pos });
  const m = /(\S*)$/.exec(text)!;
  const partial = m[1];
  const words = lexRestoreLine(text.slice(0, text.length - partial.length), pos.line).tokens;
  if (words.length && /^\[\d+:\d+\]$/.test(words[0].value)) words.shift();
  const family = embedded?.family ?? result.ruleset.family;
  return { family, table: currentTable(result, pos.line, embedded?.fromLine), format: 'restore', words, partial, lineStart: words.length === 0 };
}

const INVOCATION = /^(?:.*\/)?ip6?tables(?:-legacy|-nft)?$|^\$\{?IP6?T\w*\}?$/i;

function scriptContext(doc: TextDocument, result: LintResult, pos: Position): Context | undefined {
  let first = pos.line;
  while (first > 0 && /\\\s*$/.test(doc.getText({ start: { line: first - 1, character: 0 }, end: { line: first, character: 0 } }).replace(/\r?\n$/, ''))) first--;
  const text = doc.getText({ start: { line: first, character: 0 }, end: pos });
  const m = /(\S*)$/.exec(text)!;
  const partial = m[1];
  const items = lexShell(text.slice(0, text.length - partial.length));
  let words: Token[] = [];
  for (const it of items) {
    if (it.kind === 'word') words.push(it);
    else if (it.kind === 'op' && it.value !== '\n') words = [];
  }
  const k = words.findIndex((w) => INVOCATION.test(w.value) || INVOCATION.test(w.raw));
  if (k < 0) return undefined;
  const family: Family = /6/.test(words[k].raw) ? 6 : result.ruleset.family;
  words = words.slice(k + 1);
  const t = words.findIndex((w) => w.value === '-t' || w.value === '--table');
  const table = t >= 0 && words[t + 1] ? words[t + 1].value : 'filter';
  return { family, table, format: 'script', words, partial, lineStart: false };
}

/** The command the complete words before the cursor make, parsed on their own. */
export function parsePrefix(ctx: Context): Command | undefined {
  if (!ctx.words.length) return undefined;
  return parseCommand(ctx.words, { family: ctx.family, format: ctx.format, table: ctx.table, sink: new DiagnosticSink(), index: 0 });
}

/** The cursor's context, or undefined in a script line that is not an iptables command. */
export function cursorContext(doc: TextDocument, result: LintResult, pos: Position): Context | undefined {
  // Inside a template's own syntax (`{{ host }}`, `{% if ... %}`) nothing of iptables is being written.
  if (result.ruleset.template && insideSpan(doc.getText({ start: { line: pos.line, character: 0 }, end: pos }), pos.character)) return undefined;
  if (result.ruleset.format === 'restore') return restoreContext(doc, result, pos);
  // In a here-document a script loads with iptables-restore, the lines are those of a restore file.
  const embedded = result.ruleset.embedded?.find((e) => e.fromLine <= pos.line && pos.line < e.toLine);
  return embedded ? restoreContext(doc, result, pos, embedded) : scriptContext(doc, result, pos);
}
