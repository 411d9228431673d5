/**
 * Suppression comments: `# iptables-lint disable=CODE[,CODE]` on the line before a rule (or at the end of a
 * shell line) silences those codes for that rule; `# iptables-lint disable-file=CODE` for the whole file.
 */
import { Ruleset } from './model';
import { commandOnLine } from './locate';
import { Diagnostic } from './types';

const RE = /iptables-lint\s+(disable|disable-file)\s*=\s*([A-Za-z0-9_,\s-]+)/;

export interface Suppressions {
  file: Set<string>;
  /** Line -> codes silenced for diagnostics that start on that line. */
  lines: Map<number, Set<string>>;
}

export function parseDirective(text: string): { kind: 'disable' | 'disable-file'; codes: string[] } | undefined {
  const m = RE.exec(text);
  if (!m) return undefined;
  return { kind: m[1] as 'disable' | 'disable-file', codes: m[2].split(/[,\s]+/).filter(Boolean) };
}

export function collectSuppressions(rs: Ruleset): Suppressions {
  const s: Suppressions = { file: new Set(), lines: new Map() };
  const add = (line: number, codes: string[]) => {
    const set = s.lines.get(line) ?? new Set<string>();
    for (const c of codes) set.add(c);
    s.lines.set(line, set);
  };
  for (const c of rs.comments) {
    const d = parseDirective(c.text);
    if (!d) continue;
    if (d.kind === 'disable-file') {
      for (const code of d.codes) s.file.add(code);
      continue;
    }
    const line = c.range.start.line;
    // Trailing comment: the command on this line. Own line: the next line (and the whole command that starts there).
    const target = c.trailing ? commandOnLine(rs, line) : commandOnLine(rs, line + 1);
    if (target) for (let l = target.startLine; l <= target.endLine; l++) add(l, d.codes);
    else add(c.trailing ? line : line + 1, d.codes);
  }
  return s;
}

export function isSuppressed(d: Diagnostic, s: Suppressions): boolean {
  if (s.file.has(d.code) || s.file.has('all')) return true;
  const codes = s.lines.get(d.range.start.line);
  return !!codes && (codes.has(d.code) || codes.has('all'));
}
