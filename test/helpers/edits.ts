import { TextDocument } from 'vscode-languageserver-textdocument';

export interface SimpleEdit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

/** Applies LSP text edits to a text, as an editor would. */
export function applyTextEdits(text: string, edits: SimpleEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'iptables', 1, text), edits);
}
