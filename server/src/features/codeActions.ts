/**
 * Code actions: the engine's fixes for the findings the editor asks about (quick-fixes, each with the choice to
 * silence its check), rewrites where the cursor is (refactor.rewrite: rules that differ only by port merged into
 * one), and "fix all": every safe fix of the document at once, offered as a quick-fix beside a safe one and as the
 * source action `source.fixAll.iptables` (which editor.codeActionsOnSave can run on every save).
 */
import { CodeAction, CodeActionKind, Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { differenceEdit, fixAll, hasSafeFixes, quickFixes } from '../engine/fixes';
import { LintOptions, LintResult } from '../engine/lint';
import { refactorsAt } from '../engine/refactors';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.iptables`;
export const FIX_ALL_TITLE = 'Fix all safe problems in this file';

/** What a fix-all action left for later carries, to be worked out when the editor picks it. */
export interface FixAllData {
  fixAll: { uri: string; version: number };
}

/** What a large quick fix left for later carries: the finding it fixes, and its title among that finding's fixes. */
export interface LargeFixData {
  quickFix: { uri: string; version: number; code: string; range: LspDiagnostic['range']; data: unknown; title: string };
}

/** A fix this large (a blocklist turned into an ipset) is worked out only when picked, where the client can. */
const LARGE_EDITS = 50;

export interface CodeActionOptions {
  /** The kinds the client asks for (absent: every kind the light bulb shows). */
  only?: string[];
  /** How the document was analysed: fix-all analyses its own passes the same way. */
  lint?: LintOptions;
  /** The client resolves actions itself: fix-all and large quick fixes are then worked out only when picked. */
  resolve?: boolean;
  /** The editor's selection: where rewrites for no finding (refactorings) are looked for. */
  range?: LspDiagnostic['range'];
}

/** Whether a client's `only` list asks for actions of `kind` (a list naming a parent kind asks for its children). */
function wants(only: string[] | undefined, kind: string): boolean {
  return only === undefined || only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

/** The edit of every safe fix of the document, passes included; undefined when nothing is to be done. */
export function fixAllEdit(doc: TextDocument, result: LintResult, opts: LintOptions = {}): CodeAction['edit'] | undefined {
  const before = doc.getText();
  const edit = differenceEdit(before, fixAll(before, opts, result).text);
  return edit && { changes: { [doc.uri]: [edit] } };
}

function quickFixActions(doc: TextDocument, result: LintResult, diagnostics: LspDiagnostic[], resolve = false): { actions: CodeAction[]; safe: number } {
  const actions: CodeAction[] = [];
  let safe = 0;
  for (const diag of diagnostics) {
    if (diag.source !== 'iptables' || typeof diag.code !== 'string') continue;
    for (const f of quickFixes(result, { code: diag.code, range: diag.range, data: diag.data })) {
      if (f.safe) safe++;
      const action: CodeAction = { title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: f.preferred };
      if (resolve && f.edits.length > LARGE_EDITS) {
        action.data = { quickFix: { uri: doc.uri, version: doc.version, code: diag.code, range: diag.range, data: diag.data, title: f.title } } satisfies LargeFixData;
      } else action.edit = { changes: { [doc.uri]: f.edits } };
      actions.push(action);
    }
  }
  return { actions, safe };
}

/** The edit of a large quick fix left for later, worked out again from its finding. */
export function largeFixEdit(doc: TextDocument, result: LintResult, data: LargeFixData['quickFix']): CodeAction['edit'] | undefined {
  const fix = quickFixes(result, { code: data.code, range: data.range, data: data.data }).find((f) => f.title === data.title);
  return fix && { changes: { [doc.uri]: fix.edits } };
}

export function codeActions(doc: TextDocument, result: LintResult, diagnostics: LspDiagnostic[], options: CodeActionOptions = {}): CodeAction[] {
  const { only, lint = {} } = options;
  const out: CodeAction[] = [];
  if (wants(only, CodeActionKind.QuickFix)) {
    const { actions, safe } = quickFixActions(doc, result, diagnostics, options.resolve);
    out.push(...actions);
    // Beside a safe fix: the same for the whole file, when the file has more than one to do.
    if (safe > 0 && hasSafeFixes(result, 2)) {
      const action: CodeAction = { title: FIX_ALL_TITLE, kind: CodeActionKind.QuickFix };
      if (options.resolve) action.data = { fixAll: { uri: doc.uri, version: doc.version } } satisfies FixAllData;
      else action.edit = fixAllEdit(doc, result, lint);
      if (action.data || action.edit) out.push(action);
    }
  }
  // Rewrites where the cursor is: merging rules that differ only by port into one multiport rule.
  if (options.range && wants(only, CodeActionKind.RefactorRewrite)) {
    for (const r of refactorsAt(result, options.range)) out.push({ title: r.title, kind: CodeActionKind.RefactorRewrite, edit: { changes: { [doc.uri]: r.edits } } });
  }
  // Asked for by name only (the Source Action menu, or on save), never shown in the light bulb unasked.
  if (only !== undefined && wants(only, FIX_ALL_KIND)) {
    const edit = fixAllEdit(doc, result, lint);
    if (edit) out.push({ title: FIX_ALL_TITLE, kind: FIX_ALL_KIND, edit });
  }
  return out;
}
