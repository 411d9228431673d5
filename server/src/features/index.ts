/** Wires each editor feature to its LSP request. Each feature lives in a module of its own. */
import { Connection, ResponseError, TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnalysisCache } from '../analysisCache';

export type Guard = <T>(name: string, fn: () => T) => T | ResponseError<void>;

export function registerFeatures(connection: Connection, documents: TextDocuments<TextDocument>, cache: AnalysisCache, guard: Guard): void {
  void connection;
  void documents;
  void cache;
  void guard;
}
