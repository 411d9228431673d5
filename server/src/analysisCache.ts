/** Lint results per open document and version, so every feature reads the same analysis. */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lint, LintResult } from './engine/lint';
import { lintOptionsFor, ServerSettings } from './settings';

/** Documents larger than this are not parsed at all; a single notice says so. */
export const MAX_PARSE_SIZE = 20 * 1024 * 1024;
/** Above this the policy analysis is skipped. */
export const MAX_ANALYSIS_SIZE = 4 * 1024 * 1024;

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; result: LintResult }>();

  constructor(private settings: () => ServerSettings) {}

  get(doc: TextDocument): LintResult {
    const hit = this.entries.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.result;
    const text = doc.getText();
    const opts = { ...lintOptionsFor(this.settings(), doc.uri, doc.languageId), maxAnalysisSize: MAX_ANALYSIS_SIZE };
    const result = text.length > MAX_PARSE_SIZE ? lint('', opts) : lint(text, opts);
    if (text.length > MAX_PARSE_SIZE) {
      result.diagnostics.push({
        code: 'too-large', severity: 'info', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `This document is ${(text.length / 1048576).toFixed(0)} MB, too large to analyse; no checks ran.`,
      });
    }
    this.entries.set(doc.uri, { version: doc.version, result });
    return result;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }
}
