/**
 * The ruleset as the kernel ends up holding it: per family, table and chain, the chains and their rules once the
 * file's commands have run (-N, -A, -I, -D, -R, -F, -X, -P, -E). chainState/build.ts applies the commands, and
 * reports the problems found on the way (undefined or duplicate chains, bad policies, rule numbers past the end).
 */
import { Family } from './kb/addresses';
import { TARGETS } from './kb';
import { Token } from './lexer';
import { ChainDecl, Command, Ruleset, tableKey } from './model';
import { DiagnosticSink } from './parse/diagnostics';
import { nftOnly } from './checks/legacy';
import { SuggestBudget } from './suggest';
import { Range } from './types';

export interface ChainState {
  family: Family;
  table: string;
  name: string;
  builtin: boolean;
  declRange: Range;
  decl?: ChainDecl;
  /** The -N command that created it (scripts, restore files with -N). */
  createdBy?: Command;
  policy?: string;
  policyRange?: Range;
  rules: Command[];
  /**
   * In a script: the chain may hold rules it does not show, or lack some it shows, so how many it holds is not
   * known: a built-in chain before the script flushes it (it holds whatever was loaded before the script ran), or a
   * chain a command edited that may run other than once (see Ruleset.unsure), or a -D took a rule it cannot tell.
   */
  inexact?: boolean;
  /**
   * In a restore file: the rules a flush without a chain name (`-F`) emptied the chain of, which iptables-nft-restore
   * (1.8.9) leaves in place all the same (it empties only what was loaded before the file): under iptables-nft they
   * are still there, ahead of the rules added after, and still jump where they jumped. A flush naming the chain
   * empties it for both.
   */
  keptByNft?: Command[];
}

export class RulesetState {
  /** family -> table -> chain name -> chain, in the order the chains were created. */
  private readonly byTable = new Map<string, Map<string, ChainState>>();
  /** Every chain that ever existed, including those later deleted or replaced (for navigation). */
  readonly history: ChainState[] = [];
  /**
   * Rules whose place the chain does not hold exactly: the rules of a script's loop that a rule number fell among
   * (see ruleNumberAt), and the rule inserted or put there; each with the line of the command that numbered them.
   * They may or may not match (the analysis never counts on them), and the conversion leaves them out. (Only
   * scripts have loops, and a script is parsed afresh for each analysis: its rules' ids, and so the memo's chain
   * signatures, change with it.)
   */
  readonly amid = new Map<Command, number>();
  /**
   * What a rule number named when its command ran (-I, -R, -D with a number): the rule at that place (the one -I
   * inserts before, -R replaces, -D deletes), the number of rules the chain held then, and whether the place was
   * among the rules a loop adds (no one rule of the chain there).
   */
  readonly numbered = new Map<Command, { rule?: Command; count: number; amid: boolean }>();

  get(family: Family, table: string, name: string): ChainState | undefined {
    return this.byTable.get(tableKey(family, table))?.get(name);
  }

  /** Jumps to a chain renamed (-E) after they were added: the kernel keeps them on the chain, under its new name. */
  private readonly renamedJumps = new Map<Command, string>();

  /** The name of the chain a rule jumps (or goes) to, after every -E since the rule was added. */
  jumpTarget(rule: Command): string {
    return this.renamedJumps.get(rule) ?? rule.target!.name;
  }

  /** -E: the jumps of the table's rules to `from` now reach the chain as `to`. */
  renameJumps(family: Family, table: string, from: string, to: string): void {
    for (const cs of this.inTable(family, table)) {
      for (const r of cs.rules) {
        const t = r.target;
        if (t && !t.spec && !t.dynamic && this.jumpTarget(r) === from) this.renamedJumps.set(r, to);
      }
    }
  }

  set(cs: ChainState): void {
    const key = tableKey(cs.family, cs.table);
    let m = this.byTable.get(key);
    if (!m) this.byTable.set(key, (m = new Map()));
    m.set(cs.name, cs);
    this.everNames.add(`${cs.family}:${cs.table}:${cs.name}`).add(`*:${cs.table}:${cs.name}`);
  }

  delete(family: Family, table: string, name: string): void {
    this.byTable.get(tableKey(family, table))?.delete(name);
  }

  inTable(family: Family, table: string): ChainState[] {
    return [...(this.byTable.get(tableKey(family, table))?.values() ?? [])];
  }

  all(): ChainState[] {
    const out: ChainState[] = [];
    for (const m of this.byTable.values()) for (const cs of m.values()) out.push(cs);
    return out;
  }

  /** Suggestions for misspelt chain names made while this state is built and checked, within one budget. */
  readonly suggestions = new SuggestBudget();

  /**
   * Which of a ruleset's `count` commands, by their place in it, some chain holds (1): marked in one pass, without
   * hashing every rule.
   */
  held(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (const cs of this.all()) for (const r of cs.rules) out[r.index] = 1;
    return out;
  }

  /** Whether a chain of this name ever existed in the table (in any family when `family` is undefined), under a name it was renamed from too. */
  everDeclared(family: Family | undefined, table: string, name: string): boolean {
    return this.everNames.has(`${family ?? '*'}:${table}:${name}`);
  }

  /** Every name a chain had (see everDeclared). */
  private readonly everNames = new Set<string>();

  /**
   * A restore file's rules that a flush naming their chain removed before COMMIT: iptables-nft-restore takes them
   * back before it sends them to the kernel, which therefore never checks them.
   */
  readonly unsent = new Set<Command>();

  /** A restore file's rules that a COMMIT loaded and a later section of their table then replaced. */
  readonly replaced = new Set<Command>();
}

const MAX_CHAIN_NAME = 28;

/** The chain word of a command, read without making its Token (only a finding about it needs one). */
export class ChainWord {
  constructor(private readonly c: Command) {}

  get value(): string {
    return this.c.chainName!;
  }

  get dynamic(): boolean {
    return this.c.chainDynamic;
  }

  get token(): Token {
    return this.c.chain!;
  }

  get range(): Range {
    return this.c.chain!.range;
  }
}

export function familyOf(rs: Ruleset, c: Command): Family {
  return c.commandFamily ?? rs.family;
}

const VERDICT_NAMES = new Set(['ACCEPT', 'DROP', 'QUEUE', 'RETURN']);

/**
 * Whether a new chain's name is one iptables takes (-N, -E). `declaration`: a restore file's `:NAME` line, which
 * iptables-restore reads more leniently: it takes an extension target's name there (a jump by that name still goes
 * to the target), and only iptables-nft refuses a leading '-' or '!'.
 */
export function validateChainName(name: Token, sink: DiagnosticSink, declaration = false): boolean {
  if (name.dynamic) return true;
  const v = name.value;
  let why: string | undefined;
  if (v.length > MAX_CHAIN_NAME) why = `is ${v.length} characters long; the kernel allows at most ${MAX_CHAIN_NAME}`;
  else if (v.startsWith('-') || v.startsWith('!')) {
    if (!declaration) why = `starts with '${v[0]}', which iptables would read as an option or negation`;
    else {
      nftOnly(sink, 'invalid-chain-name', name.range, `Chain name '${v}' starts with '${v[0]}', which iptables reads as ${v[0] === '-' ? 'an option' : 'a negation'} elsewhere (\`-N ${v}\` is refused).`);
      return true;
    }
  } else if (/\s/.test(v)) why = 'contains white space';
  else if (TARGETS.some((t) => t.name === v)) {
    // The verdicts themselves are never chain names; an extension target's name is, on a chain line.
    if (!declaration || VERDICT_NAMES.has(v)) why = `is the name of the ${v} target`;
    else {
      sink.add('invalid-chain-name', 'warning', name.range, `Chain name '${v}' is the name of the ${v} target: iptables-restore makes the chain, but '-j ${v}' goes to the target, never to it (and 'iptables -N ${v}' is refused).`);
      return true;
    }
  } else if (v === '') why = 'is empty';
  if (why) {
    sink.error('invalid-chain-name', name.range, `Chain name '${v}' ${why}.`);
    return false;
  }
  return true;
}

/** `the rule on line 4`, `the rules on lines 4, 5, 9, ...`: where some rules are, for a message (five lines at most). */
export function ruleLines(rules: readonly Command[]): string {
  const lines = rules.slice(0, 5).map((r) => r.startLine + 1).join(', ');
  return rules.length > 1 ? `the rules on lines ${lines}${rules.length > 5 ? ', ...' : ''}` : `the rule on line ${lines}`;
}
