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
  private lines = new Map<number, LineEntry>();
  private nextLines = new Map<number, LineEntry>();
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

  /** Starts a new analysis: entries not used by it are dropped when it ends. */
  begin(): void {
    this.nextLines = new Map();
    this.nextChains = new Map();
  }

  end(): void {
    this.lines = this.nextLines;
    this.chains = this.nextChains;
  }

  /** The parse of line `n`, reused when its text and context (table, family) are what they were. */
  line(n: number, text: string, context: string, make: () => ParsedLine): ParsedLine {
    const old = this.lines.get(n);
    const entry = old && old.text === text && old.context === context ? old : { text, context, parsed: make() };
    this.nextLines.set(n, entry);
    return entry.parsed;
  }

  chain(signature: string): { dead?: DeadRule[]; decisions?: Decision[] } {
    const entry = this.chains.get(signature) ?? this.nextChains.get(signature) ?? {};
    this.nextChains.set(signature, entry);
    return entry;
  }
}

let nextId = 1;
const ids = new WeakMap<object, number>();

/** A number that names an object for as long as it lives (used in chain signatures). */
export function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}
