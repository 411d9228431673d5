/** Engine results to LSP shapes. */
import { Diagnostic as LspDiagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { docUrl } from './engine/checks/codes';
import { Diagnostic, severityRank } from './engine/types';

const SEVERITY: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

const UNNECESSARY = new Set(['shadowed-rule', 'reject-before-accept', 'redundant-rule', 'never-matches', 'unused-chain']);

export function toLspDiagnostic(d: Diagnostic, uri: string, docsBase: string): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: docUrl(d.code, docsBase) },
    source: 'iptables',
    message: d.message,
  };
  // A chain that other software jumps to (data.managed) is used on its host: not faded out.
  if (UNNECESSARY.has(d.code) && !d.data?.managed) out.tags = [DiagnosticTag.Unnecessary];
  if (d.code === 'deprecated-match') out.tags = [DiagnosticTag.Deprecated];
  if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  if (d.data) out.data = d.data;
  return out;
}

/**
 * The findings a document publishes: all of them, or where there are more than `max` (the setting
 * iptables.maxNumberOfProblems) the most severe `max` of them, in the document's order, and a note at the top of the
 * document saying how many are left out. A pasted line of a hundred thousand options should not send the editor a
 * hundred thousand squiggles; the linter on the command line reports them all.
 */
export function publishedDiagnostics(all: readonly Diagnostic[], max: number, uri: string, docsBase: string): LspDiagnostic[] {
  if (all.length <= max) return all.map((d) => toLspDiagnostic(d, uri, docsBase));
  const kept = all.map((d, i) => ({ d, i })).sort((a, b) => severityRank(a.d.severity) - severityRank(b.d.severity) || a.i - b.i).slice(0, max).sort((a, b) => a.i - b.i);
  const note: LspDiagnostic = {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Information,
    source: 'iptables',
    message: `${all.length - max === 1 ? 'One more finding in this document is' : `${all.length - max} more findings in this document are`} not shown: the editor is sent the ${max} most severe of ${all.length} (setting iptables.maxNumberOfProblems). iptables-lint lists them all.`,
  };
  return [note, ...kept.map(({ d }) => toLspDiagnostic(d, uri, docsBase))];
}
