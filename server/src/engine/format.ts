/**
 * Formatting into the canonical form iptables-save prints: iptables' own conditions first (-s, -d, -i, -o, -p, -f),
 * then each match with `-m NAME` made explicit and its options, then the target; long option names as iptables-save
 * writes them, one space between words, values quoted only when needed. Matches keep their order (their order can
 * matter); comments, blank lines and lines with errors are left as they are.
 */
import { findMatch } from './kb';
import { LineIndex } from './lineIndex';
import { LintResult } from './lint';
import { Command, OptionUse } from './model';
import { Range } from './types';

export interface TextEdit {
  range: Range;
  newText: string;
}

const GENERIC_ORDER = ['-s', '-d', '-i', '-o', '-p', '-f'];

/** The name iptables-save prints for an option. */
function savedName(o: OptionUse): string {
  if (!o.owner && o.spec.short) return o.spec.short;
  return o.spec.names[0];
}

export function quote(value: string): string {
  if (value !== '' && !/[\s"'\\#]/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * A value as a POSIX shell reads it back unchanged: bare when it holds nothing the shell treats specially, else in
 * single quotes (inside which `$`, backquotes and backslashes are plain characters).
 */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, "'\\''")}'`;
}

function optionTextOf(o: OptionUse, q: (value: string) => string): string {
  return [o.negated ? '!' : '', savedName(o), ...o.values.map(q)].filter(Boolean).join(' ');
}

export interface SpecOptions {
  /** Leave out the options of the iptables command itself (-w, -4, ...), which a restore file refuses. */
  restore?: boolean;
  /** The chain a jump reaches, when that chain was renamed since. */
  jumpTo?: string;
  /** Quote values for a shell script's command line rather than for a restore file. */
  shell?: boolean;
  /**
   * Write shell variables of known value as their value (a restore file, which has no variables); without it a
   * command with such a variable has no canonical text (what rewrites the script keeps the variable).
   */
  resolved?: boolean;
  /**
   * One port option written as a multiport match instead (`--dport 80` becomes `-m multiport --dports 80,443`,
   * before the target), the protocol's match left out when that option was all it held.
   */
  multiport?: { option: OptionUse; text: string };
}

/** The canonical text of a rule command (restore form, without the command words before `-A`). */
export function canonicalRule(c: Command): string | undefined {
  if (c.broken || c.dynamic || c.substituted || !c.spec) return undefined;
  const parts: string[] = [];
  // Read as text: formatting a large document must not make (and keep) a Token for every word.
  for (const part of [c.partText('counters'), c.spec.short, c.chainName, c.partText('rulenum'), c.partText('extra')]) if (part !== undefined) parts.push(part);
  if (!c.spec.ruleSpec) return parts.join(' ');
  const spec = canonicalSpec(c);
  return spec === undefined ? undefined : spec === '' ? parts.join(' ') : `${parts.join(' ')} ${spec}`;
}

/** The canonical text of a rule's conditions and target: what follows `-A CHAIN` (empty for a rule with none). */
export function canonicalSpec(c: Command, opts: SpecOptions = {}): string | undefined {
  if (c.broken || c.dynamic || (c.substituted && !opts.resolved) || !c.spec?.ruleSpec) return undefined;
  const { restore = false, jumpTo } = opts;
  const q = opts.shell ? shellQuote : quote;
  const optionText = (o: OptionUse) => optionTextOf(o, q);
  const parts: string[] = [];
  const generic = c.options.filter((o) => !o.owner && !(restore && o.spec.commandLineOnly));
  for (const short of GENERIC_ORDER) for (const o of generic.filter((g) => g.spec.short === short)) parts.push(optionText(o));
  for (const o of generic) {
    if (!o.spec.short || (!GENERIC_ORDER.includes(o.spec.short) && !['-m', '-j', '-g'].includes(o.spec.short))) parts.push(optionText(o));
  }
  const mp = opts.multiport;
  for (const m of c.matches) {
    if (!m.spec) return undefined;
    const own = mp ? m.options.filter((o) => o !== mp.option) : m.options;
    if (mp && own.length === 0 && m.options.length === 1) continue;
    parts.push(`-m ${!m.implicit && findMatch(m.name) === m.spec ? m.name : m.spec.name}`);
    for (const o of own) parts.push(optionText(o));
  }
  if (mp) parts.push(mp.text);
  if (c.target) {
    parts.push(`${c.target.goto ? '-g' : '-j'} ${jumpTo ?? c.target.name}`);
    for (const o of c.target.options) parts.push(optionText(o));
  }
  return parts.join(' ');
}

function tidyChainLine(text: string): string {
  return text.trim().split(/[ \t]+/).join(' ');
}

/** Edits that format the lines `from`..`to` (all by default). Only restore files are rewritten. */
export function formatEdits(result: LintResult, from = 0, to = Number.MAX_SAFE_INTEGER): TextEdit[] {
  const { ruleset, index } = result;
  if (ruleset.format !== 'restore') return scriptEdits(result, from, to);
  const edits: TextEdit[] = [];
  const byLine = new Map<number, Command>();
  for (const c of ruleset.commands) byLine.set(c.startLine, c);
  const broken = new Set(ruleset.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line));
  for (let line = Math.max(0, from); line <= Math.min(to, index.lineCount - 1); line++) {
    const text = index.lineText(line);
    if (text === '' || text.startsWith('#') || broken.has(line) || text.includes('\r')) continue;
    let next: string | undefined;
    if (text.startsWith(':')) next = tidyChainLine(text);
    else if (text.startsWith('*') || text.trim() === 'COMMIT') next = text.trim();
    else {
      const c = byLine.get(line);
      if (c && c.endLine === line) next = canonicalRule(c);
    }
    if (next !== undefined && next !== text) edits.push({ range: { start: { line, character: 0 }, end: { line, character: text.length } }, newText: next });
  }
  return edits;
}

/** In scripts: one-line iptables commands without shell expansions; the words before `-A` are kept. */
function scriptEdits(result: LintResult, from: number, to: number): TextEdit[] {
  const edits: TextEdit[] = [];
  const index: LineIndex = result.index;
  for (const c of result.ruleset.commands) {
    const line = c.startLine;
    if (line < from || line > to || c.endLine !== line || c.dynamic || c.hasQuotedWord || c.tableToken) continue;
    const canon = canonicalRule(c);
    if (!canon) continue;
    const start = c.commandRange.start.character;
    const end = c.range.end.character;
    const current = index.lineText(line).slice(start, end);
    if (canon !== current && c.partText('counters') === undefined) edits.push({ range: { start: { line, character: start }, end: { line, character: end } }, newText: canon });
  }
  return edits;
}

/** Applies non-overlapping edits to a text (used by tests and the CLI). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const index = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => index.offset(b.range.start) - index.offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, index.offset(e.range.start)) + e.newText + out.slice(index.offset(e.range.end));
  return out;
}
