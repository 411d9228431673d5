/** Wires each editor feature to its LSP request. Each feature lives in a module of its own. */
import { Connection, MarkupKind, ResponseError, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from '../analysisCache';
import { isFile } from '../sourcedFile';
import { formatEdits } from '../engine/format';
import { LintResult } from '../engine/lint';
import { incomingCalls, outgoingCalls, prepareCallHierarchy } from './callHierarchy';
import { codeActions, fixAllEdit, FixAllData, largeFixEdit, LargeFixData } from './codeActions';
import { codeLenses } from './codeLens';
import { documentLinks } from './links';
import { semanticTokens } from './semanticTokens';
import { inlayHints } from './inlayHints';
import { complete } from './completion';
import { hover } from './hover';
import { selectionRanges } from './selection';
import { signatureHelp } from './signature';
import { workspaceSymbols } from './workspaceSymbols';
import { definition, highlights, prepareRename, references, rename } from './navigation';
import { documentSymbols, foldingRanges } from './symbols';
import { TRACE_REQUEST, TraceParams, traceRequest } from './trace';
import { TO_RESTORE_REQUEST, ToRestoreParams, toRestoreRequest } from './toRestore';

export type Guard = <T>(name: string, fn: () => T) => T | ResponseError<void>;

/** Positions from a client may lie outside the document: clamp them to it. */
function clamp(doc: TextDocument, pos: { line: number; character: number }): { line: number; character: number } {
  return doc.positionAt(doc.offsetAt(pos));
}

/** What the client said it can do, as the features need it. */
export interface ClientAbilities {
  /** It asks for a code action's edit only when the action is picked (codeAction/resolve). */
  resolveCodeActionEdits: boolean;
  /** It takes a request to ask for the inlay hints again (after a setting turns them on or off). */
  refreshInlayHints: boolean;
  /** It watches files on disk for the server when asked (the files scripts source); with a folder and a name if `relativePatterns`. */
  watchFiles: boolean;
  relativePatterns: boolean;
}

export function registerFeatures(connection: Connection, documents: TextDocuments<TextDocument>, cache: AnalysisCache, guard: Guard, client: () => ClientAbilities): void {
  /** Runs `fn` on the document's analysis; unknown documents get `empty`. */
  function withDoc<T>(name: string, uri: string, empty: T, fn: (doc: TextDocument, result: LintResult) => T): T | ResponseError<void> {
    return guard(name, () => {
      const doc = documents.get(uri);
      if (!doc) return empty;
      return fn(doc, cache.get(doc));
    });
  }

  connection.onHover((p) => withDoc('hover', p.textDocument.uri, null, (doc, r) => {
    const h = hover(r, clamp(doc, p.position));
    return h ? { contents: { kind: MarkupKind.Markdown, value: h.markdown }, range: h.range } : null;
  }));
  connection.onCompletion((p) => withDoc('completion', p.textDocument.uri, [], (doc, r) => complete(doc, r, clamp(doc, p.position))));
  connection.onSignatureHelp((p) => withDoc('signatureHelp', p.textDocument.uri, null, (doc, r) => signatureHelp(doc, r, clamp(doc, p.position))));
  connection.onCodeAction((p) => withDoc('codeAction', p.textDocument.uri, [], (doc, r) =>
    codeActions(doc, r, p.context.diagnostics, { only: p.context.only, lint: cache.optionsFor(doc), resolve: client().resolveCodeActionEdits, range: p.range })));
  connection.onCodeActionResolve((action) => {
    const data = action.data as Partial<FixAllData & LargeFixData> | undefined;
    const left = data?.fixAll ?? data?.quickFix;
    if (!left) return action;
    const done = withDoc('codeActionResolve', left.uri, undefined, (doc, r) => {
      // A document changed since the action was offered gets no edit (the editor then applies nothing).
      if (doc.version !== left.version) return undefined;
      return data?.fixAll ? fixAllEdit(doc, r, cache.optionsFor(doc)) : largeFixEdit(doc, r, data!.quickFix!);
    });
    return done instanceof ResponseError ? action : { ...action, edit: done };
  });
  connection.languages.inlayHint.on((p) => withDoc('inlayHint', p.textDocument.uri, [], (_doc, r) => (cache.settings().ruleNumberHints ? inlayHints(r, p.range) : [])));
  connection.languages.callHierarchy.onPrepare((p) => withDoc('prepareCallHierarchy', p.textDocument.uri, null, (doc, r) => prepareCallHierarchy(r, doc.uri, clamp(doc, p.position))));
  connection.languages.callHierarchy.onIncomingCalls((p) => withDoc('incomingCalls', p.item.uri, [], (doc, r) => incomingCalls(r, doc.uri, p.item)));
  connection.languages.callHierarchy.onOutgoingCalls((p) => withDoc('outgoingCalls', p.item.uri, [], (doc, r) => outgoingCalls(r, doc.uri, p.item)));
  connection.onWorkspaceSymbol((p) => guard('workspaceSymbol', () => {
    const analysed = documents.all().filter((d) => d.languageId === 'iptables' || (d.languageId === 'shellscript' && cache.settings().analyzeShellScripts));
    return workspaceSymbols(analysed.map((d) => ({ uri: d.uri, result: cache.get(d) })), p.query);
  }));
  connection.onCodeLens((p) => withDoc('codeLens', p.textDocument.uri, [], (doc, r) => codeLenses(r, doc.uri)));
  connection.onDocumentSymbol((p) => withDoc('documentSymbol', p.textDocument.uri, [], (_doc, r) => documentSymbols(r)));
  connection.onSelectionRanges((p) => withDoc('selectionRange', p.textDocument.uri, [], (doc, r) => selectionRanges(r, p.positions.map((pos) => clamp(doc, pos)))));
  connection.onDocumentLinks((p) => withDoc('documentLink', p.textDocument.uri, [], (_doc, r) => documentLinks(r, isFile)));
  connection.languages.semanticTokens.on((p) => withDoc('semanticTokens', p.textDocument.uri, { data: [] }, (_doc, r) => semanticTokens(r)));
  connection.languages.semanticTokens.onRange((p) => withDoc('semanticTokensRange', p.textDocument.uri, { data: [] }, (_doc, r) => semanticTokens(r, p.range)));
  connection.onFoldingRanges((p) => withDoc('foldingRange', p.textDocument.uri, [], (_doc, r) => foldingRanges(r)));
  connection.onDefinition((p) => withDoc('definition', p.textDocument.uri, null, (doc, r) => definition(r, doc.uri, clamp(doc, p.position)) ?? null));
  connection.onReferences((p) => withDoc('references', p.textDocument.uri, [], (doc, r) => references(r, doc.uri, clamp(doc, p.position), p.context.includeDeclaration)));
  connection.onDocumentHighlight((p) => withDoc('documentHighlight', p.textDocument.uri, [], (doc, r) => highlights(r, clamp(doc, p.position))));
  connection.onPrepareRename((p) => withDoc('prepareRename', p.textDocument.uri, null, (doc, r) => {
    const res = prepareRename(r, clamp(doc, p.position));
    if (res instanceof ResponseError) throw res;
    return res ?? null;
  }));
  connection.onRenameRequest((p) => withDoc('rename', p.textDocument.uri, null, (doc, r) => {
    const res = rename(r, doc.uri, clamp(doc, p.position), p.newName);
    if (res instanceof ResponseError) throw res;
    return res ?? null;
  }));
  connection.onRequest(TO_RESTORE_REQUEST, (p: ToRestoreParams) => withDoc('toRestore', p.textDocument.uri, { files: [], error: 'The document is not open.' }, (doc, r) => toRestoreRequest(r, doc.uri)));
  connection.onRequest(TRACE_REQUEST, (p: TraceParams) => withDoc('tracePacket', p.textDocument.uri, { text: '', error: 'The document is not open.', branches: [] }, (_doc, r) => traceRequest(r, p.query)));
  if (process.env.IPTABLES_LS_TEST_HOOKS === '1') {
    // Only for the robustness tests: a request whose handler fails, to show that a failure stays inside it.
    connection.onRequest('iptables/_fail', (p: { textDocument: { uri: string } }) => withDoc('_fail', p.textDocument.uri, null, () => {
      throw new Error('deliberate failure for the robustness test');
    }));
  }
  connection.onDocumentFormatting((p) => withDoc('formatting', p.textDocument.uri, [], (_doc, r) => formatEdits(r)));
  connection.onDocumentRangeFormatting((p) => withDoc('rangeFormatting', p.textDocument.uri, [], (_doc, r) => formatEdits(r, p.range.start.line, p.range.end.line)));
}
