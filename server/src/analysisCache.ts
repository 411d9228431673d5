/** Lint results per open document and version, so every feature reads the same analysis. */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lint, LintOptions, LintResult } from './engine/lint';
import { AnalysisMemo } from './engine/memo';
import { lintOptionsFor, ServerSettings } from './settings';

/** Documents larger than this are not parsed at all; a single notice says so. */
export const MAX_PARSE_SIZE = 20 * 1024 * 1024;

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; result: LintResult }>();
  /** Per document: what the next analysis can reuse from the last one. */
  private readonly memos = new Map<string, AnalysisMemo>();

  constructor(readonly settings: () => ServerSettings) {}

  get(doc: TextDocument): LintResult {
    const hit = this.entries.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.result;
    const text = doc.getText();
    let memo = this.memos.get(doc.uri);
    if (!memo) this.memos.set(doc.uri, (memo = new AnalysisMemo()));
    const opts = { ...this.optionsFor(doc), memo };
    const tooLarge = text.length > MAX_PARSE_SIZE;
    const result = lint(tooLarge ? '' : text, opts);
    if (tooLarge) {
      result.diagnostics.push({
        code: 'too-large', severity: 'info', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `This document is ${(text.length / 1048576).toFixed(0)} MB, too large to analyse; no checks ran.`,
      });
    }
    this.entries.set(doc.uri, { version: doc.version, result });
    return result;
  }

  /** How the document is analysed, with the current settings. */
  optionsFor(doc: TextDocument): LintOptions {
    return lintOptionsFor(this.settings(), doc.uri, doc.languageId);
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.memos.delete(uri);
  }

  /** After a settings change nothing may be reused: severities and checks differ. */
  clear(): void {
    this.entries.clear();
    this.memos.clear();
  }
}
