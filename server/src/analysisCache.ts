/** Lint results per open document and version, so every feature reads the same analysis. */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lint, LintOptions, LintResult } from './engine/lint';
import { AnalysisMemo } from './engine/memo';
import { lintOptionsFor, ServerSettings } from './settings';
import { MAX_PARSE_SIZE, readRulesFile, readSourcedFile } from './sourcedFile';

export class AnalysisCache {
  private readonly entries = new Map<string, { version: number; result: LintResult }>();
  /** Per document: what the next analysis can reuse from the last one. */
  private readonly memos = new Map<string, AnalysisMemo>();
  /** Per document: the files its last analysis read (those a script sources), to analyse it again when one changes. */
  private readonly reads = new Map<string, Set<string>>();

  /** `openText`: the text of a document open in the editor, by its path (a sourced file being edited reads as it stands). */
  constructor(readonly settings: () => ServerSettings, private readonly openText: (path: string) => string | undefined = () => undefined) {}

  get(doc: TextDocument): LintResult {
    const hit = this.entries.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.result;
    const text = doc.getText();
    let memo = this.memos.get(doc.uri);
    if (!memo) this.memos.set(doc.uri, (memo = new AnalysisMemo()));
    const read = new Set<string>();
    const base = this.optionsFor(doc);
    // Each file read is noted, to analyse the document again when it changes.
    const noted = <T>(reader: ((path: string) => T) | undefined) => (path: string) => {
      read.add(path);
      return reader?.(path);
    };
    const opts = { ...base, memo, readFile: noted(base.readFile), readBeside: noted(base.readBeside) };
    const tooLarge = text.length > MAX_PARSE_SIZE;
    const result = lint(tooLarge ? '' : text, opts);
    if (tooLarge) {
      result.diagnostics.push({
        code: 'too-large', severity: 'info', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `This document is ${(text.length / 1048576).toFixed(0)} MB, too large to analyse; no checks ran.`,
      });
    }
    this.entries.set(doc.uri, { version: doc.version, result });
    this.reads.set(doc.uri, read);
    return result;
  }

  /**
   * Analyses the document again as it stands, keeping nothing new: every line and chain is reused, which runs the
   * path a keystroke takes (see AnalysisMemo) while nothing waits for it.
   */
  rehearse(doc: TextDocument): void {
    const memo = this.memos.get(doc.uri);
    const hit = this.entries.get(doc.uri);
    const text = doc.getText();
    if (!memo || !hit || hit.version !== doc.version || text.length > MAX_PARSE_SIZE) return;
    lint(text, { ...this.optionsFor(doc), memo });
  }

  /** The documents whose last analysis read `path` (a file they source): once it changes, theirs is out of date. */
  readersOf(path: string): string[] {
    return [...this.reads].filter(([, paths]) => paths.has(path)).map(([uri]) => uri);
  }

  /** Every file some document's last analysis read. */
  readFiles(): Set<string> {
    const out = new Set<string>();
    for (const paths of this.reads.values()) for (const p of paths) out.add(p);
    return out;
  }

  /** Whether the document has been analysed since it was opened (or since the last settings change). */
  has(uri: string): boolean {
    return this.memos.has(uri);
  }

  /** Forgets a document's analysis (not what it can reuse): the next request analyses it again. */
  invalidate(uri: string): void {
    this.entries.delete(uri);
  }

  /** How the document is analysed, with the current settings. */
  optionsFor(doc: TextDocument): LintOptions {
    return { ...lintOptionsFor(this.settings(), doc.uri, doc.languageId), readFile: (path) => this.openText(path) ?? readSourcedFile(path), readBeside: (path) => this.openText(path) ?? readRulesFile(path) };
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.memos.delete(uri);
    this.reads.delete(uri);
  }

  /** After a settings change nothing may be reused: severities and checks differ. */
  clear(): void {
    this.entries.clear();
    this.memos.clear();
    this.reads.clear();
  }
}
