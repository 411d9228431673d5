/** Positions and ranges are zero-based, like the LSP, but the engine never imports LSP types. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** The severities, the gravest first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

/** 0 for an error, up to 3 for a hint: the lower, the graver. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export interface RelatedInfo {
  range: Range;
  message: string;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  related?: RelatedInfo[];
  /** Machine-readable details a quick-fix may use (e.g. suggested names). */
  data?: Record<string, unknown>;
}

export function range(line: number, start: number, endLine: number, end: number): Range {
  return { start: { line, character: start }, end: { line: endLine, character: end } };
}

export function lineRange(line: number, start: number, end: number): Range {
  return range(line, start, line, end);
}

/** The range of a line's text, without the blanks before and after it. */
export function trimmedLineRange(line: number, text: string): Range {
  return lineRange(line, text.length - text.trimStart().length, text.trimEnd().length);
}

export function rangeUnion(a: Range, b: Range): Range {
  return { start: a.start, end: b.end };
}

export function comparePos(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
