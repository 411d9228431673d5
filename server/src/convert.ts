/** Engine results to LSP shapes. */
import { Diagnostic as LspDiagnostic, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import { docUrl } from './engine/checks/codes';
import { Diagnostic } from './engine/types';

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
