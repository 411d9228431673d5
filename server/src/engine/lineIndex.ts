import { Position, Range } from './types';

/** Converts between offsets in a text and line/character positions. */
export class LineIndex {
  readonly starts: number[];

  /** `starts`: the offsets at which the lines start, when already known (see edited); read from the text if not. */
  constructor(readonly text: string, starts?: number[]) {
    this.starts = starts ?? [0];
    // indexOf scans for the line break far faster than a loop over every character.
    if (!starts) pushLineStarts(text, 0, text.length, this.starts);
  }

  /**
   * The index of `text`, an edit of the text of `old`: the two share their first `prefix` and their last `suffix`
   * characters (which do not overlap in either). The lines of the shared start keep their offsets, those of the
   * shared end are moved by the change of length, and only the text between is searched for line breaks: a
   * keystroke in a large document costs a copy of the list, not a search of the whole text.
   */
  static edited(old: LineIndex, text: string, prefix: number, suffix: number): LineIndex {
    const before = old.starts;
    // A line start at or before `prefix` follows a line break inside the shared start.
    let kept = 0;
    while (kept < before.length && before[kept] <= prefix) kept++;
    const middle: number[] = [];
    pushLineStarts(text, prefix, text.length - suffix, middle);
    // The old line breaks in the changed text are gone; those in the shared end move with it.
    const oldEnd = old.text.length - suffix;
    let moved = kept;
    while (moved < before.length && before[moved] <= oldEnd) moved++;
    const shift = text.length - old.text.length;
    // Made at its size at once: grown by pushes, a list of a large document's lines leaves its smaller copies behind.
    const starts = new Array<number>(kept + middle.length + before.length - moved);
    let n = 0;
    for (let k = 0; k < kept; k++) starts[n++] = before[k];
    for (let k = 0; k < middle.length; k++) starts[n++] = middle[k];
    for (let k = moved; k < before.length; k++) starts[n++] = before[k] + shift;
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }

  offset(pos: Position): number {
    const line = Math.max(0, Math.min(pos.line, this.starts.length - 1));
    const lineEnd = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return Math.min(this.starts[line] + Math.max(0, pos.character), lineEnd);
  }

  /** The text of a line without its line break (and without a trailing carriage return). */
  lineText(line: number): string {
    const start = this.starts[line];
    let end = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }
}

/** Appends to `starts` the start of the line after each line break of `text` from `from` up to (not including) `to`. */
function pushLineStarts(text: string, from: number, to: number, starts: number[]): void {
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
}
