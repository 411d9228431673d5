/**
 * What one analysis of a document can hand to the next: parsed lines, rule matches, per-chain results. The server
 * keeps one per open document, so that a keystroke re-analyses what the keystroke changed, not the whole ruleset.
 * Everything is keyed by content (and position, for parsed lines), so a stale entry can never be used by mistake.
 */
import type { RuleMatch } from './analysis/ruleMatch';
import type { Decision } from './analysis/model';
import type { DeadRule } from './analysis/shadow';
import type { Command } from './model';
import type { Diagnostic } from './types';
import { LineIndex } from './lineIndex';

export interface ParsedLine {
  command?: Command;
  diagnostics: Diagnostic[];
}

interface LineEntry {
  text: string;
  context: string;
  parsed: ParsedLine;
}

export class AnalysisMemo {
  /** Parsed lines by line number (a list, not a map: a keystroke in a large document looks up every line). */
  private lines: Array<LineEntry | undefined> = [];
  private nextLines: Array<LineEntry | undefined> = [];
  readonly matches = new WeakMap<Command, RuleMatch>();
  private chains = new Map<string, { dead?: DeadRule[]; decisions?: Decision[] }>();
  private nextChains = new Map<string, { dead?: DeadRule[]; decisions?: Decision[] }>();
  private readonly perRule = new WeakMap<Command, Record<string, { key: string; value: unknown }>>();

  /**
   * A result about one parsed rule, for one purpose, valid while `key` (everything else it depends on) is the
   * same; a new key replaces the old result.
   */
  forRule<T>(rule: Command, purpose: string, key: string, make: () => T): T {
    let slots = this.perRule.get(rule);
    if (!slots) this.perRule.set(rule, (slots = {}));
    const slot = slots[purpose];
    if (slot && slot.key === key) return slot.value as T;
    const value = make();
    slots[purpose] = { key, value };
    return value;
  }

  /** A result about one chain, under its signature (see AnalysisModel.signature) and a name. */
  forChain<T>(signature: string | undefined, name: string, make: () => T): T {
    if (signature === undefined) return make();
    const entry = this.chain(signature) as Record<string, unknown>;
    if (name in entry) return entry[name] as T;
    const v = make();
    entry[name] = v;
    return v;
  }

  /** The text of the last analysis, and which lines of the current one are known unchanged at the same place. */
  private text = '';
  private textLines = 1;
  private nextText = '';
  private nextTextLines = 1;
  private sameBefore = 0;
  private sameFrom = Infinity;
  /** The line index of the last analysis, and of this one. */
  private index: LineIndex | undefined = undefined;
  private nextIndex: LineIndex | undefined = undefined;
  /** How the text of this analysis differs from `index`'s: the lengths of their common start and end. */
  private diff: { from: string; to: string; prefix: number; suffix: number } | undefined = undefined;

  /** Starts a new analysis: entries not used by it are dropped when it ends. */
  begin(): void {
    this.nextLines = [];
    this.nextIndex = undefined;
    this.diff = undefined;
    this.nextChains = new Map();
    this.nextText = '';
    this.nextTextLines = 1;
    this.sameBefore = 0;
    this.sameFrom = Infinity;
  }

  /**
   * Compares the document with the one last analysed: lines before the first changed character are unchanged at
   * the same line numbers, and so are the lines after the last changed one when no line was added or removed.
   */
  compare(text: string, starts: readonly number[]): void {
    const old = this.text;
    this.nextText = text;
    this.nextTextLines = starts.length;
    const { prefix, suffix } = this.difference(old, text);
    // Line n is unchanged when all of it, and its line break, lies in the common prefix.
    let before = 0;
    while (before + 1 < starts.length && starts[before + 1] <= prefix) before++;
    this.sameBefore = prefix === text.length && old.length === text.length ? starts.length : before;
    this.sameFrom = Infinity;
    if (this.textLines === starts.length) {
      // ...or when the line break before it lies in the common suffix.
      let from = starts.length;
      while (from > 1 && starts[from - 1] - 1 >= text.length - suffix) from--;
      this.sameFrom = from;
    }
  }

  /** The lengths of the common start and end of two texts (worked out once per analysis). */
  private difference(from: string, to: string): { prefix: number; suffix: number } {
    const known = this.diff;
    if (known && known.from === from && known.to === to) return known;
    const prefix = commonPrefix(from, to);
    const suffix = commonSuffix(from, to, Math.min(from.length, to.length) - prefix);
    this.diff = { from, to, prefix, suffix };
    return this.diff;
  }

  /**
   * The line index of the document: for an edit of the last analysed text, made from that text's index by
   * searching only the changed part for line breaks.
   */
  lineIndex(text: string): LineIndex {
    const old = this.index;
    if (!old) return (this.nextIndex = new LineIndex(text));
    const { prefix, suffix } = this.difference(old.text, text);
    return (this.nextIndex = LineIndex.edited(old, text, prefix, suffix));
  }

  /** The parse of an unchanged line (see compare) in the same context, when it was a rule line last time. */
  reuse(n: number, context: string): ParsedLine | undefined {
    if (n >= this.sameBefore && n < this.sameFrom) return undefined;
    const old = this.lines[n];
    if (!old || old.context !== context) return undefined;
    this.nextLines[n] = old;
    return old.parsed;
  }

  end(): void {
    this.lines = this.nextLines;
    this.chains = this.nextChains;
    this.index = this.nextIndex;
    // The parsed lines kept now are those of this text (none is known for a text that was not compared).
    this.text = this.nextText;
    this.textLines = this.nextTextLines;
  }

  /** The parse of line `n`, reused when its text and context (table, family) are what they were. */
  line(n: number, text: string, context: string, make: () => ParsedLine): ParsedLine {
    const old = this.lines[n];
    const entry = old && old.text === text && old.context === context ? old : { text, context, parsed: make() };
    this.nextLines[n] = entry;
    return entry.parsed;
  }

  chain(signature: string): { dead?: DeadRule[]; decisions?: Decision[] } {
    const entry = this.chains.get(signature) ?? this.nextChains.get(signature) ?? {};
    this.nextChains.set(signature, entry);
    return entry;
  }
}

const CHUNK = 4096;

/** How many leading characters two texts share (compared a chunk at a time, then character by character). */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** How many trailing characters two texts share, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  let k = 0;
  while (k + CHUNK <= max && a.slice(a.length - k - CHUNK, a.length - k) === b.slice(b.length - k - CHUNK, b.length - k)) k += CHUNK;
  while (k < max && a.charCodeAt(a.length - 1 - k) === b.charCodeAt(b.length - 1 - k)) k++;
  return k;
}
