/**
 * The iptables language server. A thin layer: documents in, the engine's analysis out, one module per feature.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind, createConnection, DidChangeConfigurationNotification, DidChangeWatchedFilesNotification, InitializeResult, ProposedFeatures, ResponseError, TextDocuments,
  TextDocumentSyncKind, LSPErrorCodes,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from './analysisCache';
import { publishedDiagnostics } from './convert';
import { ClientAbilities, registerFeatures } from './features';
import { FIX_ALL_KIND } from './features/codeActions';
import { SEMANTIC_LEGEND } from './features/semanticTokens';
import { DEFAULT_SERVER_SETTINGS, normalizeSettings, ServerSettings } from './settings';
import { tuneHeap } from './heap';
import { VERSION } from './version';

tuneHeap();

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: ServerSettings = DEFAULT_SERVER_SETTINGS;
let configurationPull = false;
const abilities: ClientAbilities = { resolveCodeActionEdits: false, refreshInlayHints: false, watchFiles: false, relativePatterns: false };
// A file a script sources, open in the editor, is read as it stands there (unsaved edits included).
const cache = new AnalysisCache(() => settings, (file) => documents.get(pathToFileURL(file).toString())?.getText());
const docsBase = pathToFileURL(path.join(__dirname, '..', 'docs', 'diagnostics')).toString();

function isAnalysed(doc: TextDocument): boolean {
  if (doc.languageId === 'shellscript') return settings.analyzeShellScripts;
  return true;
}

/** Runs a feature; an exception is logged and answered as an error instead of ending the process. */
export function guard<T>(name: string, fn: () => T): T | ResponseError<void> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ResponseError) return e;
    connection.console.error(`${name} failed: ${(e as Error).stack ?? e}`);
    return new ResponseError(LSPErrorCodes.RequestFailed, `${name} failed: ${(e as Error).message}`);
  }
}

const pending = new Map<string, NodeJS.Immediate>();
function scheduleValidation(doc: TextDocument): void {
  const prev = pending.get(doc.uri);
  if (prev) clearImmediate(prev);
  pending.set(doc.uri, setImmediate(() => {
    pending.delete(doc.uri);
    const current = documents.get(doc.uri);
    if (current) validate(current);
  }));
}

/**
 * A large document, once opened, is analysed again a few times, one run per turn of the event loop (none once the
 * document has been edited): the first keystrokes then take the path V8 has already optimised, as later ones do,
 * rather than two or three times as long.
 */
const REHEARSE_FROM = 2000;
const REHEARSALS = 3;
function rehearse(uri: string, version: number, left: number): void {
  setImmediate(() => {
    const doc = documents.get(uri);
    if (!doc || doc.version !== version || pending.has(uri)) return;
    try {
      cache.rehearse(doc);
    } catch (e) {
      connection.console.error(`Analysis of ${uri} failed: ${(e as Error).stack ?? e}`);
      return;
    }
    if (left > 1) rehearse(uri, version, left - 1);
  });
}

function validate(doc: TextDocument): void {
  try {
    if (!isAnalysed(doc)) {
      void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      return;
    }
    const first = !cache.has(doc.uri);
    const result = cache.get(doc);
    const diagnostics = publishedDiagnostics(result.diagnostics, settings.maxNumberOfProblems, doc.uri, docsBase);
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    watchSourced();
    if (first && result.ruleset.commands.length >= REHEARSE_FROM) rehearse(doc.uri, doc.version, REHEARSALS);
  } catch (e) {
    connection.console.error(`Analysis of ${doc.uri} failed: ${(e as Error).stack ?? e}`);
  }
}

/** Takes new settings; only a real change invalidates what earlier analyses left to reuse, and re-publishes. */
function applySettings(next: ServerSettings): void {
  if (JSON.stringify(next) === JSON.stringify(settings)) return;
  const hintsChanged = next.ruleNumberHints !== settings.ruleNumberHints;
  settings = next;
  cache.clear();
  for (const d of documents.all()) validate(d);
  if (hintsChanged && abilities.refreshInlayHints) void connection.languages.inlayHint.refresh().catch(() => undefined);
}

async function refreshSettings(): Promise<void> {
  if (!configurationPull) return;
  let next = DEFAULT_SERVER_SETTINGS;
  try {
    next = normalizeSettings(await connection.workspace.getConfiguration({ section: 'iptables' }));
  } catch {
    // A client that cannot answer gets the defaults.
  }
  applySettings(next);
}

connection.onInitialize((params): InitializeResult => {
  configurationPull = !!params.capabilities.workspace?.configuration;
  abilities.resolveCodeActionEdits = !!params.capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
  abilities.refreshInlayHints = !!params.capabilities.workspace?.inlayHint?.refreshSupport;
  abilities.watchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  abilities.relativePatterns = !!params.capabilities.workspace?.didChangeWatchedFiles?.relativePatternSupport;
  settings = normalizeSettings(params.initializationOptions?.settings ?? params.initializationOptions);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['-', ' ', ',', '*', ':'], resolveProvider: false },
      signatureHelpProvider: { triggerCharacters: [' '], retriggerCharacters: [','] },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FIX_ALL_KIND], resolveProvider: true },
      documentSymbolProvider: true,
      codeLensProvider: { resolveProvider: false },
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentHighlightProvider: true,
      documentFormattingProvider: true,
      documentRangeFormattingProvider: true,
      foldingRangeProvider: true,
      documentLinkProvider: { resolveProvider: false },
      semanticTokensProvider: { legend: SEMANTIC_LEGEND, full: true, range: true },
      selectionRangeProvider: true,
      inlayHintProvider: { resolveProvider: false },
      callHierarchyProvider: true,
      workspaceSymbolProvider: true,
      executeCommandProvider: { commands: [] },
    },
    serverInfo: { name: 'iptables-language-server', version: VERSION },
  };
});

connection.onInitialized(() => {
  if (configurationPull) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'iptables' }).catch(() => undefined);
    void refreshSettings();
  }
});

connection.onDidChangeConfiguration((change) => {
  if (configurationPull) void refreshSettings();
  else applySettings(normalizeSettings(change.settings?.iptables ?? change.settings));
});

/** The open scripts that read `uri` (a configuration they source) are analysed again. */
function reanalyseReadersOf(uri: string): void {
  if (!uri.startsWith('file:')) return;
  for (const reader of cache.readersOf(fileURLToPath(uri))) {
    const doc = documents.get(reader);
    if (!doc || reader === uri) continue;
    cache.invalidate(reader);
    scheduleValidation(doc);
  }
}

/** The files scripts source, watched on disk by a client that can (each asked for once, when first read). */
const watched = new Set<string>();
function watchSourced(): void {
  if (!abilities.watchFiles) return;
  const fresh = [...cache.readFiles()].filter((file) => !watched.has(file));
  if (!fresh.length) return;
  for (const file of fresh) watched.add(file);
  const watchers = fresh.map((file) => ({ globPattern: abilities.relativePatterns ? { baseUri: pathToFileURL(path.dirname(file)).toString(), pattern: path.basename(file) } : file }));
  void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => undefined);
}

documents.onDidChangeContent((e) => {
  scheduleValidation(e.document);
  reanalyseReadersOf(e.document.uri);
});
// A sourced file changed on disk (saved in another editor, written by a tool).
connection.onDidChangeWatchedFiles((p) => {
  for (const change of p.changes) reanalyseReadersOf(change.uri);
});
documents.onDidClose((e) => {
  cache.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

registerFeatures(connection, documents, cache, guard, () => abilities);

documents.listen(connection);
connection.listen();

process.on('uncaughtException', (e) => connection.console.error(`Unexpected error: ${e.stack ?? e}`));
