/**
 * The linter's machine-readable outputs beside its text lines: SARIF 2.1.0 (what code-scanning services read),
 * GitHub Actions annotations (what a workflow's log turns into marks on the changed files) and a unified diff of the
 * safe fixes (what `patch` and `git apply` read).
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { createTwoFilesPatch } from 'diff';
import { CODES } from '../engine/checks/codes';
import { Diagnostic, Range } from '../engine/types';

const LEVEL: Record<string, Result.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** 1-based lines and columns; the end column is the one after the last character, as SARIF counts. */
function region(r: Range) {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

/** A file name as a SARIF artifact: a relative path stays relative (to the directory the linter ran in). */
function artifact(file: string) {
  return file === '<stdin>' ? { uri: 'stdin' } : { uri: file.split('\\').join('/').split('/').map(encodeURIComponent).join('/') };
}

export function sarifLog(files: Array<{ file: string; diagnostics: Diagnostic[] }>, version: string): Log {
  const rules: ReportingDescriptor[] = CODES.map((c) => ({
    id: c.code,
    shortDescription: { text: c.title },
    help: { text: `${c.title}. See docs/diagnostics/${c.code}.md in the iptables language extension.` },
    defaultConfiguration: { level: LEVEL[c.severity] },
  }));
  const index = new Map(CODES.map((c, i) => [c.code, i]));
  const results: Result[] = [];
  for (const { file, diagnostics } of files) {
    for (const d of diagnostics) {
      const location = { physicalLocation: { artifactLocation: artifact(file), region: region(d.range) } };
      const result: Result = { ruleId: d.code, ruleIndex: index.get(d.code), level: LEVEL[d.severity], message: { text: d.message }, locations: [location] };
      if (d.related?.length) {
        result.relatedLocations = d.related.map((r, id) => ({ id, message: { text: r.message }, physicalLocation: { artifactLocation: artifact(file), region: region(r.range) } }));
      }
      results.push(result);
    }
  }
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{ tool: { driver: { name: 'iptables-lint', version, rules } }, results, columnKind: 'utf16CodeUnits' }],
  };
}

/** The safe fixes of one file as a unified diff, `a/` and `b/` before its name as git writes them. */
export function fixDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
}

/** A finding as a GitHub Actions workflow command: `::error file=…,line=…::message` (info and hints as notices). */
export function githubAnnotation(d: { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }): string {
  const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  // Workflow commands end at a line break and read `%`, `,` and `:` in their properties: those are escaped.
  const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::${level} file=${prop(d.file)},line=${d.line},col=${d.column},endLine=${d.endLine},endColumn=${d.endColumn},title=${prop(`iptables ${d.code}`)}::${data(d.message)}\n`;
}
