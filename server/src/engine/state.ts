/**
 * The ruleset as the kernel ends up holding it: commands applied in order (-N, -A, -I, -D, -R, -F, -X, -P, -E),
 * per family, table and chain. Problems found on the way (undefined or duplicate chains, bad policies) are reported here.
 */
import { ruleNumberAt } from './parse/scriptLoops';
import { strtoulBase0 } from './kb/services';
import { looseIdentity, ruleIdentity } from './ruleIdentity';
import { Family } from './kb/addresses';
import { findTable, isBuiltinChain, TARGETS } from './kb';
import { Token } from './lexer';
import { ChainDecl, Command, commandsInRunOrder, loadsUnseen, Ruleset, runLine, tableKey } from './model';
import { DiagnosticSink } from './parse/diagnostics';
import { legacyOnly, nftOnly } from './checks/legacy';
import { suggest, SuggestBudget } from './suggest';
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
class ChainWord {
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
function ruleLines(rules: readonly Command[]): string {
  const lines = rules.slice(0, 5).map((r) => r.startLine + 1).join(', ');
  return rules.length > 1 ? `the rules on lines ${lines}${rules.length > 5 ? ', ...' : ''}` : `the rule on line ${lines}`;
}

export function buildState(rs: Ruleset, sink: DiagnosticSink): RulesetState {
  const state = new RulesetState();
  const isScript = rs.format === 'script';
  // What -D compares, once per command (a script may delete thousands of rules from long chains).
  const specs = new Map<Command, string>();
  const specOf = (c: Command) => {
    let s = specs.get(c);
    if (s === undefined) specs.set(c, (s = c.ruleSpecText));
    return s;
  };
  // Per chain, how many of its rules have each spec (as written) and each identity (as iptables compares them):
  // kept up to date once a -D has asked, so that deleting a rule the chain does not hold costs no search.
  const specCounts = new Map<ChainState, Map<string, number>>();
  const idCounts = new Map<ChainState, Map<string, number>>();
  const tally = (all: Map<ChainState, Map<string, number>>, key: (c: Command) => string, cs: ChainState) => {
    let m = all.get(cs);
    if (!m) {
      all.set(cs, (m = new Map()));
      for (const r of cs.rules) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    }
    return m;
  };
  const countsOf = (cs: ChainState) => tally(specCounts, specOf, cs);
  const count = (cs: ChainState, c: Command, by: number) => {
    const m = specCounts.get(cs);
    if (m) m.set(specOf(c), (m.get(specOf(c)) ?? 0) + by);
    const ids = idCounts.get(cs);
    if (ids) ids.set(ruleIdentity(c), (ids.get(ruleIdentity(c)) ?? 0) + by);
  };
  /** Where the chain holds the rule a -D names, written another way (`-p 6 --dport ssh` for `-p tcp --dport 22`); -1 if nowhere. */
  const sameRuleIn = (cs: ChainState, c: Command) => {
    if (cs.rules.length === 0) return -1;
    const id = ruleIdentity(c);
    return tally(idCounts, ruleIdentity, cs).get(id) ? cs.rules.findIndex((r) => ruleIdentity(r) === id) : -1;
  };
  /** Whether the chain holds a rule that may be the one a -D names, values not read here aside (see looseIdentity). */
  const holdsLooselySame = (cs: ChainState, c: Command) => {
    const loose = looseIdentity(c);
    return cs.rules.some((r) => looseIdentity(r) === loose);
  };
  // The chains a script creates with -N somewhere (a jump may come before the -N that makes its chain).
  let created: Set<string> | undefined;
  const createdAnywhere = () => (created ??= new Set(rs.commands.filter((o) => o.spec.short === '-N' && o.chainName !== undefined).map((o) => o.chainName!)));
  const add = (cs: ChainState) => {
    state.set(cs);
    state.history.push(cs);
  };
  // Events in source order: table starts reset that table (restore), declarations, then commands. The three
  // lists are each in source order already, so they are merged rather than sorted.
  // A table line replaces the table (a restore file, or one a script loads without --noflush).
  const tableStarts = rs.format === 'restore' ? rs.tables : rs.tables.filter((t) => t.restore === 'flush');
  const resetTable = (t: (typeof rs.tables)[number]) => {
    for (const c of state.inTable(t.family ?? rs.family, t.name)) {
      if (!isScript) for (const r of c.rules) state.replaced.add(r);
      state.delete(c.family, c.table, c.name);
    }
  };
  function declare(d: ChainDecl): void {
    const family = d.family ?? rs.family;
    const existing = state.get(family, d.table, d.name);
    if (d.via === 'builtin') {
      if (!existing) add({ family, table: d.table, name: d.name, builtin: true, declRange: d.range, decl: d, policy: 'ACCEPT', rules: [], inexact: isScript && sectionOf(d)?.restore !== 'flush' });
      return;
    }
    // Declarations in a template's blocks may be alternatives (`{% if %}:INPUT DROP{% else %}:INPUT ACCEPT{% endif %}`):
    // the later one stands, without a finding.
    if (existing && (d.conditional || existing.decl?.conditional) && existing.decl?.via === 'declaration') {
      if (existing.builtin && d.builtin) setDeclaredPolicy(existing, d);
      return;
    }
    // iptables-restore --noflush: the line of a user chain that exists from before the load empties it.
    if (existing && !existing.builtin && !d.builtin && flushesExisting(d, existing)) {
      existing.rules = [];
      existing.inexact = false;
      specCounts.delete(existing);
      idCounts.delete(existing);
      existing.decl = d;
      existing.declRange = d.nameRange;
      return;
    }
    // A built-in chain that rules used before its line (or a script made before loading this): the line sets its policy.
    if (existing && existing.builtin && d.builtin && existing.decl?.via === 'builtin') {
      checkBuiltinPolicy(d);
      setDeclaredPolicy(existing, d);
      existing.declRange = d.nameRange;
      return;
    }
    if (existing && existing.builtin && d.builtin && existing.decl?.via === 'declaration') {
      // A built-in chain declared again: iptables-restore takes the second line's policy (one it takes at all).
      sink.add('duplicate-chain', 'warning', d.nameRange, `${d.name} is declared twice in *${d.table}: iptables-restore takes this line's policy, and the first line's is lost.`, { first: existing.declRange });
      checkBuiltinPolicy(d);
      setDeclaredPolicy(existing, d);
      return;
    }
    if (existing && (existing.decl?.via === 'declaration' || !existing.builtin)) {
      legacyOnly(sink, 'duplicate-chain', d.nameRange, `Chain ${d.name} is declared twice in *${d.table}${existing.rules.length && !existing.builtin ? ': iptables-nft-restore empties it here' : ''}.`, { first: existing.declRange });
      // iptables-legacy-restore stops at this line; iptables-nft-restore goes on, with a user chain emptied.
      if (!existing.builtin) {
        existing.rules = [];
        existing.keptByNft = undefined;
        specCounts.delete(existing);
        idCounts.delete(existing);
      }
      return;
    }
    if (!d.builtin) {
      const tok = Token.at(d.name, d.name, d.nameRange);
      if (isBuiltinChain(d.name)) {
        // Another table's built-in chain: with `-` a user chain of that name, as -N makes it (which no packet reaches
        // unless a rule jumps to it); with a policy iptables-legacy refuses the line, and iptables-nft makes it a
        // user chain all the same.
        if (d.policy !== undefined && d.policy !== '-') {
          legacyOnly(sink, 'chain-not-in-table', d.nameRange, `${d.name} is not a built-in chain of the ${d.table} table (it has ${findTable(d.table)?.chains.join(', ')}).`);
        }
        add({ family, table: d.table, name: d.name, builtin: false, declRange: d.nameRange, decl: d, policy: undefined, policyRange: d.policyRange, rules: [] });
        return;
      }
      validateChainName(tok, sink, true);
      if (d.policy !== undefined && d.policy !== '-') {
        legacyOnly(sink, 'invalid-policy', d.policyRange ?? d.range, `User chain ${d.name} cannot have a policy; write '-' (only built-in chains have policies).`, { expected: '-' });
      }
    } else checkBuiltinPolicy(d);
    const cs: ChainState = { family, table: d.table, name: d.name, builtin: d.builtin, declRange: d.nameRange, decl: d, policy: undefined, policyRange: d.policyRange, rules: [] };
    if (d.builtin) setDeclaredPolicy(cs, d);
    add(cs);
  }

  /**
   * Whether a chain line is read by iptables-restore --noflush (a script's here-document) and the chain was made
   * before that load began: the line then empties the chain instead of declaring it twice.
   */
  function flushesExisting(d: ChainDecl, existing: ChainState): boolean {
    if (!isScript) return false;
    const section = sectionOf(d);
    if (section?.restore !== 'noflush') return false;
    const made = existing.decl?.range.start.line ?? (existing.createdBy ? runLine(rs, existing.createdBy) : undefined);
    return made === undefined || made < section.range.start.line;
  }

  /** The table section of a script's here-document a chain line stands in (undefined for a script's own built-in chains). */
  function sectionOf(d: ChainDecl) {
    return sectionAt(d.table, d.range.start.line);
  }

  /**
   * Whether iptables-restore reads the command in a load that replaces its table: a restore file's, or a script's
   * here-document's without --noflush (iptables-nft-restore then keeps, at a flush without a chain name, the rules
   * the load added before it; with --noflush it removes them).
   */
  function replacingLoad(c: Command): boolean {
    return !isScript || sectionAt(c.table, c.startLine)?.restore === 'flush';
  }

  /** The section of `table` (a restore file's, or a script's here-document's) that holds `line`. */
  function sectionAt(table: string, line: number) {
    return rs.tables.find((t) => t.name === table && t.range.start.line < line && line <= t.endLine);
  }

  /** Whether how many rules the chain holds at this point is known (always in a restore file). */
  function knownCount(cs: ChainState, family: Family): boolean {
    return !isScript || (!cs.inexact && !rs.unseenRules && !loadsUnseen(rs, family));
  }

  /** A command that may run other than once leaves the chains it edits with a number of rules not known. */
  const unsure = (c: Command) => rs.unsure?.has(c) ?? false;

  /** A built-in chain's policy on its chain line: ACCEPT or DROP ('-' keeps one the file does not say). */
  function checkBuiltinPolicy(d: ChainDecl): void {
    if (d.policy === '-') {
      sink.add('invalid-policy', 'warning', d.policyRange ?? d.range, `A built-in chain with '-' keeps the policy it has when the file loads, which this file does not say: write ACCEPT or DROP.`, { suggestions: ['ACCEPT', 'DROP'] });
    } else if (d.policy !== undefined && d.policy !== 'ACCEPT' && d.policy !== 'DROP') {
      sink.error('invalid-policy', d.policyRange ?? d.range, `Policy '${d.policy}' is not allowed: a built-in chain's policy is ACCEPT or DROP.`, { suggestions: suggest(d.policy, ['ACCEPT', 'DROP']) });
    }
  }

  /** The policy a chain line gives a built-in chain: '-' keeps one this file does not know. */
  function setDeclaredPolicy(cs: ChainState, d: ChainDecl): void {
    cs.policy = d.policy === 'DROP' ? 'DROP' : d.policy === '-' ? undefined : 'ACCEPT';
    cs.policyRange = d.policyRange;
    cs.decl = d;
  }

  function lookupChain(c: Command, family: Family, name: ChainWord): ChainState | undefined {
    const cs = state.get(family, c.table, name.value);
    if (cs || name.dynamic) return cs;
    const builtinElsewhere = isBuiltinChain(name.value);
    if (builtinElsewhere) {
      sink.error('chain-not-in-table', name.range, `The ${c.table} table has no ${name.value} chain (it has ${findTable(c.table)?.chains.join(', ') ?? 'no built-in chains'}).`);
    } else if (!(isScript && (createdAnywhere().has(name.value) || loadsUnseen(rs, family)))) {
      const s = state.suggestions.left > 0 ? suggest(name.value, state.inTable(family, c.table).map((x) => x.name), 3, state.suggestions) : [];
      sink.add('undefined-chain', isScript ? 'warning' : 'error', name.range,
        `Chain ${name.value} does not exist in the ${c.table} table${isScript ? ' (no -N creates it)' : ' (no :' + name.value + ' line declares it)'}.${s.length ? ` Did you mean ${s[0]}?` : ''}`,
        { chain: name.value, table: c.table, suggestions: s });
    }
    return undefined;
  }

  /** -N: a new user chain. */
  function createChain(c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
    if (!name) return;
    const existing = state.get(family, c.table, name.value);
    if (existing) {
      if (existing.builtin) sink.error('invalid-chain-name', name.range, `${name.value} is a built-in chain of ${c.table}; it cannot be created.`);
      else if (!isScript) sink.error('duplicate-chain', name.range, `Chain ${name.value} already exists in *${c.table}.`, { first: existing.declRange });
      else sink.add('duplicate-chain', 'warning', name.range, `Chain ${name.value} already exists at this point: this iptables -N fails when the script runs.`, { first: existing.declRange });
      return;
    }
    // Another table's built-in chain name (-t raw -N INPUT) makes a user chain of that name.
    if (!validateChainName(name.token, sink)) return;
    add({ family, table: c.table, name: name.value, builtin: false, declRange: name.range, createdBy: c, rules: [] });
    return;
  }

  /** -A, -I, -R, -D: the rules of a chain. */
  function editRules(c: Command, family: Family, op: string, name: ChainWord | undefined): void {
    if (!name) return;
    const pos = c.rulenum && !c.rulenum.dynamic ? strtoulBase0(c.rulenum.value) : undefined;
    // Rules are numbered from 1, whatever the chain holds.
    if (pos !== undefined && pos < 1) {
      sink.error('syntax', c.rulenum!.range, `Rules are numbered from 1: iptables refuses rule number ${c.rulenum!.value} ("Invalid rule number").`);
      return;
    }
    const cs = lookupChain(c, family, name);
    if (!cs || c.broken) return;
    // A script's -D of a jump to a chain it makes later is the usual clean-up before making it again (it fails
    // harmlessly on a first run); in a restore file it stops the load.
    if ((op !== '-D' || !isScript) && !jumpTargetExists(c, family)) return;
    // A rule a script's loop adds once per value counts once per value (see ruleNumberAt).
    const place = pos !== undefined ? ruleNumberAt(cs.rules, pos, rs.loops) : undefined;
    if (place) state.numbered.set(c, { rule: place.between ? undefined : cs.rules[place.index], count: place.count, amid: place.between || (op !== '-I' && place.onLoop) });
    const known = knownCount(cs, family);
    // A -D a loop runs once per value deletes as many rules; the chain shows one taken away.
    if (unsure(c) || (op === '-D' && (rs.loops?.get(c)?.values.length ?? 1) > 1)) cs.inexact = true;
    if (op === '-A') {
      cs.rules.push(c);
      count(cs, c, 1);
    }
    else if (op === '-I') {
      if (place && pos! > place.count + 1) {
        if (known) pastEnd(cs, pos!, place.count + 1, c.rulenum!.range, `${name.value} has ${place.count} rule(s) at this point: a rule can be inserted at positions 1 to ${place.count + 1}, not ${pos} ("Index of insertion too big").`);
        return;
      }
      cs.rules.splice(place ? (place.between ? amid(cs, c, place.index) : place.index) : 0, 0, c);
      count(cs, c, 1);
    }
    else if (op === '-R' && place) {
      if (pos! > place.count) {
        if (known) pastEnd(cs, pos!, place.count, c.rulenum!.range, `${name.value} has ${place.count} rule(s) at this point; there is no rule ${pos} to replace ("Index of replacement too big").`);
      } else if (place.between || place.onLoop) {
        cs.inexact = true;
        cs.rules.splice(amid(cs, c, place.index), 0, c);
        count(cs, c, 1);
      } else {
        // iptables-nft-restore (1.8.9) stops with a segmentation fault at a -R of a rule that is there.
        if (!isScript) nftOnly(sink, 'syntax', c.rulenum!.range, `iptables-nft-restore crashes on -R (a segmentation fault: the load stops there). Delete the rule and insert the new one in its place (-D ${name.value} ${pos}, then -I ${name.value} ${pos} ...), or write the chain's rules as they should end.`);
        count(cs, cs.rules[place.index], -1);
        cs.rules[place.index] = c;
        count(cs, c, 1);
      }
    } else if (op === '-D') {
      const spec = specOf(c);
      const at = place ? place.index : countsOf(cs).get(spec) ? cs.rules.findIndex((r) => specOf(r) === spec) : sameRuleIn(cs, c);
      const looped = place ? -1 : loopRuleMatching(cs, spec, at);
      if (place && pos! > place.count) {
        if (known && pastEnd(cs, pos!, place.count, c.rulenum!.range, `${name.value} has ${place.count} rule(s) at this point; there is no rule ${pos} to delete ("Index of deletion too big").`)) cs.keptByNft!.pop();
      } else if (place && (place.between || place.onLoop)) {
        cs.inexact = true;
        amid(cs, c, at);
      } else if (looped >= 0) {
        cs.inexact = true;
        amid(cs, c, looped);
      } else if (at >= 0 && at < cs.rules.length) count(cs, cs.rules.splice(at, 1)[0], -1);
      // A rule whose values not read here may equal the -D's, written another way, may be the one: no claim.
      else if (c.dynamic || place || holdsLooselySame(cs, c)) cs.inexact = true;
      else if (known) noSuchRule(c, name, cs);
      else cs.inexact = true;
    }
    return;
  }

  /**
   * A rule number past the end of the chain (`last` the highest it takes): refused, or by iptables-legacy alone
   * where the rules a flush left to iptables-nft make up the difference (see keptByNft). Whether iptables-nft took it.
   */
  function pastEnd(cs: ChainState, pos: number, last: number, range: Range, message: string): boolean {
    const kept = cs.keptByNft?.length ?? 0;
    if (pos > last + kept) {
      sink.add('syntax', isScript ? 'warning' : 'error', range, message);
      return false;
    }
    legacyOnly(sink, 'syntax', range, `${message} iptables-nft counts the ${kept} rule(s) the flush without a chain name left it (see -F).`);
    return true;
  }

  /** A -D of a rule the chain does not hold, where what it holds is known: iptables refuses it. */
  function noSuchRule(c: Command, name: ChainWord, cs: ChainState): void {
    const kept = cs.keptByNft?.findIndex((r) => ruleIdentity(r) === ruleIdentity(c)) ?? -1;
    if (kept >= 0) {
      legacyOnly(sink, 'syntax', c.range, `No such rule in ${name.value} to delete at this point: iptables-legacy-restore fails; iptables-nft-restore deletes the one a flush without a chain name left it (line ${cs.keptByNft![kept].startLine + 1}).`);
      cs.keptByNft!.splice(kept, 1);
    } else if (!isScript) sink.error('syntax', c.range, `No such rule in ${name.value} to delete at this point: iptables-restore fails.`);
    else sink.add('syntax', 'warning', c.range, `${name.value} holds no such rule at this point: this iptables -D fails ("Bad rule (does a matching rule exist in that chain?)").`);
  }

  /** Where the file makes each user chain (its line, or -N and -E commands'), by family, table and name, in order. */
  let madeAt: Map<string, number[]> | undefined;
  const madeLines = () => {
    if (madeAt) return madeAt;
    madeAt = new Map();
    const put = (family: Family, table: string, name: string, line: number) => {
      const k = `${family}:${table}:${name}`;
      (madeAt!.get(k) ?? madeAt!.set(k, []).get(k)!).push(line);
    };
    for (const d of rs.chains) if (!d.builtin) put(d.family ?? rs.family, d.table, d.name, d.range.start.line);
    // The commands that run (a function's where it is called; an arm of an if or case that is not followed makes no
    // chain here, and a jump after it makes no claim).
    for (const x of commandsInRunOrder(rs)) {
      if (rs.otherArms?.has(x)) continue;
      const op = x.spec?.short;
      if (op === '-N' && x.chainName !== undefined) put(familyOf(rs, x), x.table, x.chainName, runLine(rs, x));
      else if (op === '-E' && x.extra && !x.extra.dynamic) put(familyOf(rs, x), x.table, x.extra.value, runLine(rs, x));
    }
    return madeAt;
  };

  /**
   * Whether the user chain a rule jumps to exists when the rule is added or deleted. iptables refuses a jump to a
   * chain the file makes only later, or has deleted or renamed by then ("Couldn't load target"). A name the file
   * never makes a chain of is an unknown target, found with the rule's other checks (true here).
   */
  function jumpTargetExists(c: Command, family: Family): boolean {
    const t = c.target;
    if (!t || t.spec || t.dynamic || state.get(family, c.table, t.name) || loadsUnseen(rs, family)) return true;
    const lines = madeLines().get(`${family}:${c.table}:${t.name}`);
    if (!lines) return true;
    const at = runLine(rs, c);
    const later = lines.find((l) => l > at);
    const when = later !== undefined ? `the ${isScript ? 'script' : 'file'} makes it only on line ${later + 1}` : 'it was deleted or renamed before this line';
    sink.add('unknown-target', isScript ? 'warning' : 'error', t.token.range, `Chain ${t.name} does not exist at this point (${when}): iptables refuses the ${t.goto ? 'goto' : 'jump'} ("Couldn't load target"), and ${isScript ? 'this command fails' : 'iptables-restore fails'}. Make the chain before the rules that jump to it.`,
      { chain: t.name, table: c.table, madeOn: later, above: c.startLine });
    return false;
  }

  /**
   * The first rule before `before` (any, when -1) that a script's loop adds several times, one of whose rules has
   * the spec a -D names: the delete takes one of them, which the chain's one rule for them cannot show. -1 if none.
   */
  function loopRuleMatching(cs: ChainState, spec: string, before: number): number {
    if (!rs.loops) return -1;
    const end = before < 0 ? cs.rules.length : before;
    for (let k = 0; k < end; k++) {
      const variants = rs.loops.get(cs.rules[k])?.variants;
      if (variants && variants.length > 1 && variants.some((v) => specOf(v) === spec)) return k;
    }
    return -1;
  }

  /**
   * A rule number that falls among the rules a loop adds (see ruleNumberAt), at rule `k` of the chain: the chain
   * holds one rule for each command of the loop, so the loop's rules are marked as rules that may or may not be
   * there as the chain holds them (state.amid), and so is the command's own rule, which goes in before them.
   * Returns where that is.
   */
  function amid(cs: ChainState, c: Command, k: number): number {
    const loop = rs.loops!.get(cs.rules[k])!.loop;
    let first = k;
    while (first > 0 && rs.loops!.get(cs.rules[first - 1])?.loop === loop) first--;
    for (let q = first; q < cs.rules.length && rs.loops!.get(cs.rules[q])?.loop === loop; q++) state.amid.set(cs.rules[q], c.startLine);
    state.amid.set(c, c.startLine);
    return first;
  }

  /** -F: empties one chain or every chain of the table. */
  function flushChains(c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
    const targets = name ? [lookupChain(c, family, name)] : state.inTable(family, c.table);
    // A flush without a chain name in a load that replaces the table: what each chain held, which
    // iptables-nft-restore keeps.
    const kept = new Map<ChainState, Command[]>();
    const load = replacingLoad(c);
    for (const cs of targets) {
      if (!cs) continue;
      // A flush that may not run leaves the chain with its rules or none.
      cs.inexact = unsure(c) ? cs.inexact || cs.rules.length > 0 : false;
      if (name && !isScript) for (const r of cs.rules) state.unsent.add(r);
      if (!name && load) {
        const held = cs.rules.filter(surelyHeld);
        if (held.length) kept.set(cs, held);
        cs.keptByNft = [...(cs.keptByNft ?? []), ...held];
      } else cs.keptByNft = undefined;
      cs.rules = [];
      specCounts.delete(cs);
      idCounts.delete(cs);
    }
    if (kept.size) flushKeptByNft(c, kept);
    return;
  }

  /**
   * A restore file's -F without a chain name, after rules the file added to the table (`kept`, by chain):
   * iptables-nft-restore (1.8.9) keeps them (see keptByNft), iptables-legacy-restore removes them, and the two load
   * different rulesets.
   */
  function flushKeptByNft(c: Command, kept: ReadonlyMap<ChainState, Command[]>): void {
    const rules = [...kept.values()].flat().sort((a, b) => a.startLine - b.startLine);
    const names = [...kept.keys()].map((x) => x.name);
    sink.add('syntax', 'warning', c.commandToken.range, `-F without a chain name empties the chains only for iptables-legacy-restore: iptables-nft-restore (the default on most current distributions) keeps the rules this ${isScript ? 'load' : 'file'} added above it (${ruleLines(rules)}), so the two load different rulesets. Flush each chain by name (${names.map((n) => `-F ${n}`).join(', ')}), or leave those rules out.`,
      { fix: 'flush-by-name', chains: names, refusedBy: 'none' });
  }

  /** The rules of a table that jump or go to a user chain `to` (any user chain when undefined). */
  function jumpsInto(family: Family, table: string, to: string | undefined): Command[] {
    const out: Command[] = [];
    const user = new Set(state.inTable(family, table).filter((x) => !x.builtin).map((x) => x.name));
    for (const cs of state.inTable(family, table)) {
      for (const r of cs.rules) {
        const jt = userJump(r);
        if (jt !== undefined && (to === undefined ? user.has(jt) : jt === to)) out.push(r);
      }
    }
    return out;
  }

  /** The chain a rule jumps or goes to; undefined for a target, none, or a shell value. */
  function userJump(r: Command): string | undefined {
    const t = r.target;
    return !t || t.spec || t.dynamic ? undefined : state.jumpTarget(r);
  }

  /**
   * -X: deletes one user chain or every user chain of the table. The kernel refuses while a rule jumps to the chain
   * ("Too many links") or while it holds rules ("Directory not empty"); -X alone then deletes none of them. A script
   * goes on after the failed command (a warning); iptables-restore stops (an error).
   */
  function deleteChains(c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
    const cs = name ? lookupChain(c, family, name) : undefined;
    if (cs?.builtin) {
      // iptables-nft-restore deletes an empty built-in chain, hook and policy with it.
      if (!isScript && !cs.rules.some(surelyHeld) && !unmadeBuiltin(c, cs)) legacyOnly(sink, 'invalid-chain-name', name!.range, `${name!.value} is a built-in chain: -X is for user chains. iptables-nft-restore deletes it, and its policy with it: packets then pass its hook without any filtering.`);
      // The iptables-nft command deletes an empty built-in chain whose policy is ACCEPT ("Directory not empty" with DROP).
      else if (isScript && !cs.rules.some(surelyHeld) && cs.policy !== 'DROP') legacyOnly(sink, 'invalid-chain-name', name!.range, `${name!.value} is a built-in chain: -X is for user chains. The iptables-nft command deletes it while it holds no rule and its policy is ACCEPT, and packets then pass its hook without any filtering.`);
      else sink.error('invalid-chain-name', name!.range, `${name!.value} is a built-in chain; -X deletes user chains only.`);
      return;
    }
    if (name && !cs) return;
    const severity = isScript ? 'warning' : 'error';
    const at = (name ?? c).range;
    const held = jumpsInto(family, c.table, cs?.name).filter(surelyHeld);
    if (held.length) {
      sink.add('syntax', severity, at, `${cs ? `Chain ${cs.name}` : 'A user chain of this table'} is still jumped to at this point (${ruleLines(held)}): this -X fails ("Too many links")${cs ? '' : ' and deletes no chain'}. Flush or delete those rules first.`);
      return;
    }
    const full = (cs ? [cs] : state.inTable(family, c.table)).find((x) => !x.builtin && x.rules.some(surelyHeld));
    if (full) {
      const held = full.rules.filter(surelyHeld);
      sink.add('syntax', severity, at, `Chain ${full.name} still holds ${held.length} rule${held.length > 1 ? 's' : ''} at this point (${ruleLines(held)}): this -X fails ("Directory not empty")${cs ? '' : ' and deletes no chain'}. Flush ${cs ? 'it' : 'the table'} first (-F${cs ? ` ${cs.name}` : ''}).`,
        { fix: 'flush-first', chain: cs?.name, table: c.table });
      return;
    }
    keptBlocksDelete(c, family, cs, at);
    if (cs) state.delete(family, c.table, cs.name);
    else for (const x of state.inTable(family, c.table)) if (!x.builtin) state.delete(family, c.table, x.name);
    if (!cs && !isScript) builtinsDeletedByNft(c, family);
  }

  /** A -X that iptables-nft-restore refuses: a rule a flush left it (see keptByNft) is in the chain, or jumps to it. */
  function keptBlocksDelete(c: Command, family: Family, cs: ChainState | undefined, at: Range): void {
    const chains = state.inTable(family, c.table);
    const targets = cs ? [cs] : chains.filter((x) => !x.builtin);
    const names = new Set(targets.map((x) => x.name));
    const inside = targets.flatMap((x) => x.keptByNft ?? []);
    const jumps = chains.flatMap((x) => x.keptByNft ?? []).filter((r) => names.has(userJump(r) ?? ''));
    const held = [...new Set([...inside, ...jumps])].sort((a, b) => a.startLine - b.startLine);
    if (!held.length) return;
    nftOnly(sink, 'syntax', at, `The flush without a chain name before it empties the chains for iptables-legacy only: iptables-nft-restore keeps the rules ${isScript ? 'the load' : 'this file'} added before it (${ruleLines(held)}), so the chain is not empty or still jumped to there, and this -X fails ("CHAIN_DEL failed (Device or resource busy)"). Flush the chains by name (-F CHAIN).`);
  }

  /**
   * iptables-nft-restore's -X without a chain name deletes the empty built-in chains as well, hooks and policies with
   * them (iptables-legacy-restore deletes user chains only): a DROP policy there is lost.
   */
  function builtinsDeletedByNft(c: Command, family: Family): void {
    const dropped = state.inTable(family, c.table).filter((x) => x.builtin && x.rules.length === 0 && x.policy === 'DROP' && !unmadeBuiltin(c, x));
    if (!dropped.length) return;
    const names = dropped.map((x) => x.name).join(' and ');
    sink.add('invalid-chain-name', 'warning', c.range, `With iptables-nft (the default on most current distributions), -X without a chain name also deletes the empty built-in chains: ${names} and ${dropped.length > 1 ? 'their' : 'its'} DROP policy are gone, and packets pass unfiltered. Name the user chains to delete (-X CHAIN); iptables-legacy deletes user chains only.`);
  }

  /**
   * Whether the chain surely holds a rule it shows: not one a command added that may not have run (see
   * Ruleset.unsure), nor one that jumps to a chain that does not exist (a script goes on without it, unless another
   * script made that chain; see checkTarget), nor one whose target its table does not take.
   */
  function surelyHeld(r: Command): boolean {
    const t = r.target;
    if (unsure(r)) return false;
    if (!t || t.dynamic) return true;
    if (t.spec) {
      // A target iptables refuses in the table as it reads the words (see checkPlacement).
      if (t.spec.forbiddenTables?.includes(r.table)) return false;
      // One the rule's table, or its built-in chain, does not take: the kernel refuses the iptables command. A
      // restore file's rule is held all the same until COMMIT (iptables-legacy-restore checks it then;
      // iptables-nft-restore sends it, and the load fails unless a flush naming its chain takes it back).
      if (!isScript) return true;
      const chain = r.chain?.value ?? '';
      const chainOk = !t.spec.chains || !findTable(r.table)?.chains.includes(chain) || t.spec.chains.includes(chain);
      return chainOk && (!t.spec.tables || t.spec.tables.includes(r.table));
    }
    return !!state.get(familyOf(rs, r), r.table, state.jumpTarget(r));
  }

  /** -P: the policy of a built-in chain. */
  function setPolicy(c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
    if (!name) return;
    if (!isBuiltinChain(name.value)) {
      sink.error('invalid-policy', name.range, `Only built-in chains have a policy; ${name.value} is not one (${findTable(c.table)?.chains.join(', ') ?? 'none'} in ${c.table}).`);
      return;
    }
    const extra = c.options.find((o) => !o.spec.commandLineOnly && o.spec.short !== '-t');
    if (extra) {
      sink.error('syntax', extra.nameToken.range, `-P takes a chain and a policy only: iptables refuses ${extra.nameToken.value} with it ("Illegal option").`);
      return;
    }
    const cs = lookupChain(c, family, name);
    const pol = c.extra;
    if (!cs || !pol) return;
    if (c.table === 'nat' && pol.value === 'DROP') {
      sink.error('invalid-policy', pol.range, 'iptables refuses a DROP policy in the nat table (it is not meant for filtering): filter in the filter table.');
      return;
    }
    if (!cs.builtin) {
      sink.error('invalid-policy', name.range, `Only built-in chains have a policy; ${name.value} is a user chain.`);
      return;
    }
    if (!pol.dynamic && pol.value !== 'ACCEPT' && pol.value !== 'DROP') {
      sink.error('invalid-policy', pol.range, `Policy '${pol.value}' is not allowed: a built-in chain's policy is ACCEPT or DROP.`, { suggestions: suggest(pol.value, ['ACCEPT', 'DROP']) });
      return;
    }
    cs.policy = pol.dynamic ? undefined : pol.value;
    cs.policyRange = pol.range;
    return;
  }

  /** -E: renames a user chain. */
  function renameChain(c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
    if (!name || !c.extra) return;
    const cs = lookupChain(c, family, name);
    if (!cs || c.extra.dynamic) return;
    if (cs.builtin) {
      // The iptables-nft command renames the base chain, which keeps its hook (iptables-nft-restore refuses it).
      if (isScript && !state.get(family, c.table, c.extra.value)) legacyOnly(sink, 'invalid-chain-name', name.range, `Built-in chains cannot be renamed: the iptables-nft command renames ${cs.name} all the same, and the chain keeps filtering its packets under the new name, in a table iptables can no longer list ("incompatible base-chains").`);
      else sink.error('invalid-chain-name', name.range, 'Built-in chains cannot be renamed.');
      return;
    }
    // Another table's built-in chain name (-t raw -E X INPUT) is a user chain's name like any other.
    if (findTable(c.table)?.chains.includes(c.extra.value)) {
      sink.error('invalid-chain-name', c.extra.range, `${c.extra.value} is a built-in chain of ${c.table}: a user chain cannot take its name.`);
      return;
    }
    if (state.get(family, c.table, c.extra.value)) {
      sink.add('duplicate-chain', isScript ? 'warning' : 'error', c.extra.range, `Chain ${c.extra.value} already exists at this point: this -E fails ("File exists").`);
      return;
    }
    if (!validateChainName(c.extra, sink)) return;
    if (!isScript) nftOnly(sink, 'syntax', c.extra.range, `A chain renamed in a restore file keeps its old name for iptables-nft-restore until the file is committed: a later line that uses ${c.extra.value} fails. Declare the chain under its new name instead.`);
    state.delete(family, c.table, cs.name);
    state.renameJumps(family, c.table, cs.name, c.extra.value);
    cs.name = c.extra.value;
    add(cs);
    return;
  }

  /** -Z, -L, -S with a chain: iptables refuses a chain that does not exist ("No chain/target/match by that name"). */
  function readChain(c: Command, family: Family, op: string, name: ChainWord | undefined): void {
    const cs = name && lookupChain(c, family, name);
    if (cs && op === '-Z' && unmadeBuiltin(c, cs)) {
      nftOnly(sink, 'undefined-chain', name!.range, `Nothing above in this table names ${cs.name}: iptables-nft-restore makes a built-in chain only once a line declares it or adds to it, and cannot zero it before ("No chain/target/match by that name"). Declare it above (:${cs.name} ACCEPT [0:0]).`);
    }
    if (!cs || op !== '-Z' || !c.rulenum || c.rulenum.dynamic || !knownCount(cs, family)) return;
    // iptables-legacy refuses to zero a rule past the chain's end; iptables-nft zeroes nothing and says nothing.
    const pos = strtoulBase0(c.rulenum.value);
    const place = pos !== undefined ? ruleNumberAt(cs.rules, pos, rs.loops) : undefined;
    if (place && pos! > place.count) legacyOnly(sink, 'syntax', c.rulenum.range, `${name!.value} has ${place.count} rule(s) at this point; there is no rule ${pos} to zero ("Index of counter too big").`);
    // iptables-nft-restore (1.8.9) stops with a segmentation fault at a -Z of one rule that is there.
    else if (place && !isScript) nftOnly(sink, 'syntax', c.rulenum.range, `iptables-nft-restore crashes on -Z of a single rule (a segmentation fault: the load stops there). Zero the whole chain (-Z ${name!.value}), or the rule with 'iptables -Z ${name!.value} ${pos}' after loading.`);
  }

  /** In a restore file, a built-in chain no line of the table's section has named before `c` (no chain line, no command). */
  function unmadeBuiltin(c: Command, cs: ChainState): boolean {
    if (isScript || !cs.builtin || cs.decl?.via !== 'builtin') return false;
    const section = sectionAt(c.table, c.startLine);
    if (!section) return false;
    return !rs.commands.some((o) => o.table === c.table && o.chainName === cs.name && o.startLine > section.range.start.line && o.startLine < c.startLine);
  }

  const OPS: Record<string, (c: Command, family: Family, op: string, name: ChainWord | undefined) => void> = {
    '-N': createChain, '-A': editRules, '-I': editRules, '-R': editRules, '-D': editRules,
    '-F': flushChains, '-X': deleteChains, '-P': setPolicy, '-E': renameChain, '-Z': readChain, '-L': readChain, '-S': readChain,
  };

  function apply(c: Command): void {
    const family = familyOf(rs, c);
    if (!findTable(c.table)) return;
    const op = c.spec.short;
    const name = c.chainName === undefined ? undefined : new ChainWord(c);
    // `-P $CHAIN DROP`: any built-in chain of the table may have that policy now.
    if (name?.dynamic && op === '-P' && !c.broken) for (const cs of state.inTable(family, c.table)) if (cs.builtin) cs.policy = undefined;
    if ((name && name.dynamic) || (c.broken && op !== '-A' && op !== '-I')) return;
    OPS[op]?.(c, family, op, name);
  }

  let ti = 0;
  let di = 0;
  let ci = 0;
  const decls = rs.chains;
  // A script's commands in the order they run (a function's where it is called): at the line of the call.
  const cmds = commandsInRunOrder(rs);
  const lineOf = (r: { start: { line: number } }) => r.start.line;
  while (ti < tableStarts.length || di < decls.length || ci < cmds.length) {
    const tl = ti < tableStarts.length ? lineOf(tableStarts[ti].range) : Infinity;
    const dl = di < decls.length ? lineOf(decls[di].range) : Infinity;
    const cl = ci < cmds.length ? runLine(rs, cmds[ci]) : Infinity;
    if (tl <= dl && tl <= cl) resetTable(tableStarts[ti++]);
    else if (dl <= cl) declare(decls[di++]);
    else if (rs.otherArms?.has(cmds[ci])) ci++;
    else apply(cmds[ci++]);
  }
  return state;
}
