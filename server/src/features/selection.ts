/**
 * Smart selection (expand and shrink selection): from the word, to the option with its values, to the match or
 * target with its options, to the rule, to the rules of the same chain around it, to the table, to the document.
 */
import { SelectionRange } from 'vscode-languageserver';
import { LintResult } from '../engine/lint';
import { commandOnLine, inRange, locate } from '../engine/locate';
import { Command } from '../engine/model';
import { comparePos, Position, Range } from '../engine/types';

const span = (a: Range, b: Range): Range => ({ start: a.start, end: b.end });
const contains = (outer: Range, inner: Range) => comparePos(outer.start, inner.start) <= 0 && comparePos(inner.end, outer.end) <= 0;

/** The run of non-blank characters around the position on its line (any line, rule or not). */
function wordAt(result: LintResult, pos: Position): Range | undefined {
  const text = result.index.lineText(pos.line);
  let s = Math.min(pos.character, text.length);
  let e = s;
  while (s > 0 && !/\s/.test(text[s - 1])) s--;
  while (e < text.length && !/\s/.test(text[e])) e++;
  return s < e ? { start: { line: pos.line, character: s }, end: { line: pos.line, character: e } } : undefined;
}

/** Inside a command: the option (with `!` and values), then the match or target it belongs to. */
function commandParts(c: Command, pos: Position): Range[] {
  const out: Range[] = [];
  for (const o of c.options) {
    const first = o.negToken ?? o.nameToken;
    const args = o.args;
    const whole = span(first.range, (args.length ? args[args.length - 1] : o.nameToken).range);
    if (!inRange(pos, whole)) continue;
    out.push(whole);
    // The module's words: from its -m (or -j) to its last option.
    const m = c.matches.find((x) => x.options.includes(o) || (x.token !== undefined && args[0] === x.token));
    const t = c.target && (c.target.options.includes(o) || args[0] === c.target.token) ? c.target : undefined;
    const owner = m ?? t;
    if (!owner) break;
    const load = c.options.find((x) => owner.token !== undefined && x.args[0] === owner.token);
    const parts = [...(load ? [load] : []), ...owner.options];
    const ends = parts.map((x) => (x.args.length ? x.args[x.args.length - 1] : x.nameToken).range);
    const starts = parts.map((x) => (x.negToken ?? x.nameToken).range);
    const from = starts.reduce((a, b) => (comparePos(b.start, a.start) < 0 ? b : a));
    const to = ends.reduce((a, b) => (comparePos(b.end, a.end) > 0 ? b : a));
    out.push(span(from, to));
    break;
  }
  return out;
}

/** In a restore file: the rules of the same chain on the lines around this one. */
function chainRun(result: LintResult, c: Command): Range {
  const { ruleset } = result;
  const same = (x: Command | undefined) => x !== undefined && x.table === c.table && x.chainName === c.chainName;
  let first = c;
  let last = c;
  for (let k = c.index - 1; k >= 0 && same(ruleset.commands[k]) && ruleset.commands[k].endLine >= first.startLine - 2; k--) first = ruleset.commands[k];
  for (let k = c.index + 1; k < ruleset.commands.length && same(ruleset.commands[k]) && ruleset.commands[k].startLine <= last.endLine + 2; k++) last = ruleset.commands[k];
  return span(first.range, last.range);
}

function rangesAt(result: LintResult, pos: Position): Range[] {
  const { ruleset, index } = result;
  const list: Range[] = [];
  // The word as the analysis knows it (a chain's name without its ':'), then as the line's blanks delimit it.
  const loc = locate(result, pos);
  if (loc) list.push('token' in loc ? loc.token.range : loc.range);
  const word = wordAt(result, pos);
  if (word) list.push(word);
  const c = commandOnLine(ruleset, pos.line);
  if (c && inRange(pos, c.range)) {
    list.push(...commandParts(c, pos), c.range);
    if (ruleset.format === 'restore' && c.chainName !== undefined) list.push(chainRun(result, c));
  } else {
    const text = index.lineText(pos.line);
    list.push({ start: { line: pos.line, character: 0 }, end: { line: pos.line, character: text.length } });
  }
  const block = ruleset.format === 'restore' ? ruleset.tables.find((t) => t.range.start.line <= pos.line && pos.line <= t.endLine) : undefined;
  if (block) list.push({ start: block.range.start, end: { line: block.endLine, character: index.lineText(block.endLine).length } });
  list.push({ start: { line: 0, character: 0 }, end: index.position(index.text.length) });
  // Each range holds the one before it, and none repeats.
  const out: Range[] = [];
  for (const r of list) {
    const prev = out[out.length - 1];
    if (!prev || (contains(r, prev) && comparePos(r.start, prev.start) + comparePos(prev.end, r.end) !== 0)) out.push(r);
    // A first range that the next does not hold (the table name's range is its whole line) gives way to it.
    else if (out.length === 1 && contains(r, { start: pos, end: pos }) && !contains(r, prev)) out[0] = r;
  }
  return out;
}

export function selectionRanges(result: LintResult, positions: Position[]): SelectionRange[] {
  return positions.map((pos) => {
    let parent: SelectionRange | undefined;
    const ranges = rangesAt(result, pos);
    for (let k = ranges.length - 1; k >= 0; k--) parent = { range: ranges[k], parent };
    return parent!;
  });
}
