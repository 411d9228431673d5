/** Outline (tables > chains > rules) and folding ranges. */
import { DocumentSymbol, FoldingRange, FoldingRangeKind, SymbolKind } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';
import { Command, counted } from '../engine/model';
import { summarize } from '../engine/summary';
import { Range } from '../engine/types';

function span(ranges: Range[]): Range {
  let start = ranges[0].start;
  let end = ranges[0].end;
  for (const r of ranges) {
    if (r.start.line < start.line || (r.start.line === start.line && r.start.character < start.character)) start = r.start;
    if (r.end.line > end.line || (r.end.line === end.line && r.end.character > end.character)) end = r.end;
  }
  return { start, end };
}

function ruleSymbol(c: Command): DocumentSymbol {
  const name = summarize(c);
  const range = c.range;
  return { name, detail: `line ${range.start.line + 1}`, kind: SymbolKind.Event, range, selectionRange: c.chainRange ?? c.commandRange };
}

export function documentSymbols(result: LintResult): DocumentSymbol[] {
  const { ruleset, state, index } = result;
  const out: DocumentSymbol[] = [];
  const tables = ruleset.format === 'restore' ? ruleset.tables : [...new Map(ruleset.tables.map((t) => [`${t.family ?? 4}:${t.name}`, t])).values()];
  tables.forEach((t) => {
    const family = t.family ?? ruleset.family;
    const inBlock = (r: Range) => ruleset.format !== 'restore' || (r.start.line >= t.range.start.line && r.start.line <= t.endLine);
    const chains: DocumentSymbol[] = [];
    const seen = new Set<string>();
    for (const cs of state.history) {
      if (cs.family !== family || cs.table !== t.name || seen.has(cs.name)) continue;
      const rules = cs.rules.filter((r) => inBlock(r.range));
      const declared = cs.decl && cs.decl.via === 'declaration' && inBlock(cs.decl.range);
      if (!declared && !rules.length) continue;
      seen.add(cs.name);
      const ranges = [...(declared ? [cs.decl!.range] : []), ...rules.map((r) => r.range)];
      const detail = cs.builtin ? `policy ${cs.policy ?? '?'}` : `${counted(rules.length, 'rule')}`;
      const selection = declared ? cs.decl!.nameRange : rules[0].chainRange!;
      chains.push({ name: cs.name, detail, kind: cs.builtin ? SymbolKind.Class : SymbolKind.Function, range: span(ranges), selectionRange: selection, children: rules.map(ruleSymbol) });
    }
    const endLine = ruleset.format === 'restore' ? t.endLine : Math.max(t.range.end.line, ...chains.map((c) => c.range.end.line));
    const range = ruleset.format === 'restore' ? { start: t.range.start, end: { line: endLine, character: index.lineText(endLine).length } } : span([t.range, ...chains.map((c) => c.range)]);
    out.push({ name: `${ruleset.format === 'restore' ? '*' : ''}${t.name}${ruleset.format === 'script' && family === 6 ? ' (ip6tables)' : ''}`, kind: SymbolKind.Namespace, range, selectionRange: ruleset.format === 'restore' ? t.range : t.nameRange, children: chains });
  });
  return out;
}

export function foldingRanges(result: LintResult): FoldingRange[] {
  const { ruleset, index } = result;
  const out: FoldingRange[] = [];
  if (ruleset.format === 'restore') {
    for (const t of ruleset.tables) if (t.endLine > t.range.start.line) out.push({ startLine: t.range.start.line, endLine: t.endLine, kind: FoldingRangeKind.Region });
    // Runs of rules of the same chain.
    let start = -1;
    let chain = '';
    let last = -1;
    const flush = () => {
      if (start >= 0 && last > start) out.push({ startLine: start, endLine: last });
    };
    for (const c of ruleset.commands) {
      const name = c.chainName ?? '';
      if (name !== chain || c.range.start.line !== last + 1) {
        flush();
        start = c.range.start.line;
        chain = name;
      }
      last = c.range.end.line;
    }
    flush();
  }
  // Blocks of comment lines.
  let first = -1;
  for (let l = 0; l <= index.lineCount; l++) {
    const isComment = l < index.lineCount && /^\s*#/.test(index.lineText(l));
    if (isComment && first < 0) first = l;
    if (!isComment && first >= 0) {
      if (l - 1 > first) out.push({ startLine: first, endLine: l - 1, kind: FoldingRangeKind.Comment });
      first = -1;
    }
  }
  for (const c of ruleset.commands) if (c.range.end.line > c.range.start.line) out.push({ startLine: c.range.start.line, endLine: c.range.end.line });
  // A template's blocks, from `{% for %}` to the line before `{% endfor %}` (which stays in sight, as a closing brace).
  for (const b of ruleset.template?.folds ?? []) if (b.end - 1 > b.start) out.push({ startLine: b.start, endLine: b.end - 1, kind: FoldingRangeKind.Region });
  return out;
}
