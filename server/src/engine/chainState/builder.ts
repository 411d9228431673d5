/**
 * What the chain commands of a ruleset read and update as they are applied in order: the chains (a RulesetState),
 * where findings go, and what the commands ask of the chains (does the chain exist, which rules does it surely hold,
 * is how many it holds known). The commands themselves are in declarations.ts, ruleEdits.ts and chainCommands.ts.
 */
import { Family } from '../kb/addresses';
import { findTable, isBuiltinChain, isBuiltinChainOf, TABLES } from '../kb';
import { ChainDecl, Command, loadsUnseen, Ruleset } from '../model';
import { DiagnosticSink } from '../parse/diagnostics';
import { looseIdentity, ruleIdentity } from '../ruleIdentity';
import { suggest } from '../suggest';
import { managedChainOwner } from '../kb/managed';
import { ChainState, ChainWord, familyOf, RulesetState } from '../state';

export class StateBuilder {
  readonly state = new RulesetState();
  readonly isScript: boolean;
  /** What -D compares, once per command (a script may delete thousands of rules from long chains). */
  private readonly specs = new Map<Command, string>();
  /**
   * Per chain, its rules by spec (as written), and how many of them have each identity (as iptables compares them)
   * and each loose identity: kept up to date once a -D has asked, so that deleting a rule the chain does not hold
   * costs no search, and deleting one it holds a search for that rule alone.
   */
  private readonly specRules = new Map<ChainState, Map<string, Command[]>>();
  private readonly idCounts = new Map<ChainState, Map<string, number>>();
  private readonly looseCounts = new Map<ChainState, Map<string, number>>();
  private created: Set<string> | undefined;
  /** Where the file makes each user chain (see madeLines in ruleEdits.ts). */
  madeAt: Map<string, number[]> | undefined;

  /**
   * `refused`: a script's commands that iptables refuses (found by the kernel checks of a first build, see lint.ts):
   * they add nothing to their chains, so the rule numbers after them count without them.
   */
  constructor(readonly rs: Ruleset, readonly sink: DiagnosticSink, readonly refused?: ReadonlySet<Command>) {
    this.isScript = rs.format === 'script';
  }

  /** Forgets the counts of a chain whose rules were replaced wholesale. */
  forget(cs: ChainState): void {
    this.specRules.delete(cs);
    this.idCounts.delete(cs);
    this.looseCounts.delete(cs);
  }

  /** What -D compares of a command (its spec as written), read once. */
  readonly specOf = (c: Command): string => {
    let s = this.specs.get(c);
    if (s === undefined) this.specs.set(c, (s = c.ruleSpecText));
    return s;
  };

  tally(all: Map<ChainState, Map<string, number>>, key: (c: Command) => string, cs: ChainState) {
    let m = all.get(cs);
    if (!m) {
      all.set(cs, (m = new Map()));
      for (const r of cs.rules) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    }
    return m;
  }

  /** Where the chain holds its first rule written as `spec` is (-1 if nowhere). */
  firstWithSpec(cs: ChainState, spec: string): number {
    let m = this.specRules.get(cs);
    if (!m) {
      this.specRules.set(cs, (m = new Map()));
      for (const r of cs.rules) this.withSpec(m, r).push(r);
    }
    const held = m.get(spec);
    if (!held?.length) return -1;
    // (Many rules written alike: one pass over the chain rather than one per rule.)
    if (held.length > 4) return cs.rules.findIndex((r) => this.specOf(r) === spec);
    let first = -1;
    for (const r of held) {
      const k = cs.rules.indexOf(r);
      if (k >= 0 && (first < 0 || k < first)) first = k;
    }
    return first;
  }

  private withSpec(m: Map<string, Command[]>, c: Command): Command[] {
    const spec = this.specOf(c);
    return m.get(spec) ?? m.set(spec, []).get(spec)!;
  }

  count(cs: ChainState, c: Command, by: number) {
    const m = this.specRules.get(cs);
    if (m) {
      const held = this.withSpec(m, c);
      const at = by > 0 ? -1 : held.indexOf(c);
      if (by > 0) held.push(c);
      else if (at >= 0) held.splice(at, 1);
    }
    const ids = this.idCounts.get(cs);
    if (ids) ids.set(ruleIdentity(c), (ids.get(ruleIdentity(c)) ?? 0) + by);
    const loose = this.looseCounts.get(cs);
    if (loose) loose.set(looseIdentity(c), (loose.get(looseIdentity(c)) ?? 0) + by);
  }

  /** Where the chain holds the rule a -D names, written another way (`-p 6 --dport ssh` for `-p tcp --dport 22`); -1 if nowhere. */
  sameRuleIn(cs: ChainState, c: Command) {
    if (cs.rules.length === 0) return -1;
    const id = ruleIdentity(c);
    return this.tally(this.idCounts, ruleIdentity, cs).get(id) ? cs.rules.findIndex((r) => ruleIdentity(r) === id) : -1;
  }

  /** Whether the chain holds a rule that may be the one a -D names, values not read here aside (see looseIdentity). */
  holdsLooselySame(cs: ChainState, c: Command) {
    return (this.tally(this.looseCounts, looseIdentity, cs).get(looseIdentity(c)) ?? 0) > 0;
  }

  /** The chains a script makes with -N anywhere in it (a jump may come before the -N that makes its chain). */
  createdAnywhere(): Set<string> {
    return (this.created ??= new Set(this.rs.commands.filter((o) => o.spec.short === '-N' && o.chainName !== undefined).map((o) => o.chainName!)));
  }

  /** A chain made, or renamed: in the state, and in the history every chain that ever existed is kept in. */
  add(cs: ChainState): void {
    this.state.set(cs);
    this.state.history.push(cs);
  }

  /** The table section of a script's here-document a chain line stands in (undefined for a script's own built-in chains). */
  sectionOf(d: ChainDecl) {
    return this.sectionAt(d.table, d.range.start.line);
  }

  /** The section of `table` (a restore file's, or a script's here-document's) that holds `line`. */
  sectionAt(table: string, line: number) {
    return this.rs.tables.find((t) => t.name === table && t.range.start.line < line && line <= t.endLine);
  }

  /**
   * Whether iptables-restore reads the command in a load that replaces its table: a restore file's, or a script's
   * here-document's without --noflush (iptables-nft-restore then keeps, at a flush without a chain name, the rules
   * the load added before it; with --noflush it removes them).
   */
  replacingLoad(c: Command): boolean {
    return !this.isScript || this.sectionAt(c.table, c.startLine)?.restore === 'flush';
  }

  /** Whether how many rules the chain holds at this point is known (always in a restore file). */
  knownCount(cs: ChainState, family: Family): boolean {
    return !this.isScript || (!cs.inexact && !this.rs.unseenRules && !loadsUnseen(this.rs, family));
  }

  /** A command that may run other than once leaves the chains it edits with a number of rules not known. */
  unsure(c: Command): boolean {
    return this.rs.unsure?.has(c) ?? false;
  }

  /**
   * Which tables have the built-in chain a command names in another (`-A PREROUTING ... -j DNAT` under *filter), and
   * where the rule's target allows one table of those alone, that the rule belongs there.
   */
  private tableOfChain(c: Command, chain: string): { note: string; home?: string } {
    const tables = TABLES.filter((t) => t.chains.includes(chain)).map((t) => t.name);
    const allowed = c.target?.spec?.tables;
    const homes = allowed ? tables.filter((t) => allowed.includes(t)) : [];
    const home = homes.length === 1 ? homes[0] : undefined;
    const move = home ? ` This rule's ${c.target!.name} belongs in the ${home} table: ${this.isScript ? `add -t ${home}` : `put it under *${home}`}.` : '';
    return { note: ` ${chain} is a chain of the ${tables.join(', ').replace(/, ([^,]*)$/, ' and $1')} table${tables.length > 1 ? 's' : ''}.${move}`, home };
  }

  /** The chain a command names; where it does not exist, a finding (none for a chain a script may have made elsewhere). */
  lookupChain(c: Command, family: Family, name: ChainWord): ChainState | undefined {
    const cs = this.state.get(family, c.table, name.value);
    if (cs || name.dynamic) return cs;
    const builtinElsewhere = isBuiltinChain(name.value);
    if (builtinElsewhere) {
      const { note, home } = this.tableOfChain(c, name.value);
      this.sink.error('chain-not-in-table', name.range, `The ${c.table} table has no ${name.value} chain (it has ${findTable(c.table)?.chains.join(', ') ?? 'no built-in chains'}).${note}`, this.isScript && home ? { table: home } : undefined);
    } else if (this.isScript && managedChainOwner(name.value) && !this.createdAnywhere().has(name.value) && !loadsUnseen(this.rs, family)) {
      // Docker's DOCKER-USER, a fail2ban jail: made by the software that owns it, when it starts.
      const owner = managedChainOwner(name.value)!;
      this.sink.add('undefined-chain', 'info', name.range,
        `Chain ${name.value} is not made by this script: ${owner} makes it when it starts. Run before that (or on a host without ${owner}), iptables refuses this command ("No chain/target/match by that name").`,
        { chain: name.value, table: c.table, suggestions: [], managedBy: owner });
    } else if (!(this.isScript && (this.createdAnywhere().has(name.value) || loadsUnseen(this.rs, family)))) {
      const s = this.state.suggestions.left > 0 ? suggest(name.value, this.state.inTable(family, c.table).map((x) => x.name), 3, this.state.suggestions) : [];
      this.sink.add('undefined-chain', this.isScript ? 'warning' : 'error', name.range,
        `Chain ${name.value} does not exist in the ${c.table} table${this.isScript ? ' (no -N creates it)' : ' (no :' + name.value + ' line declares it)'}.${s.length ? ` Did you mean ${s[0]}?` : ''}`,
        { chain: name.value, table: c.table, suggestions: s });
    }
    return undefined;
  }

  /** The rules of a table that jump or go to a user chain `to` (any user chain when undefined). */
  jumpsInto(family: Family, table: string, to: string | undefined): Command[] {
    const out: Command[] = [];
    const user = new Set(this.state.inTable(family, table).filter((x) => !x.builtin).map((x) => x.name));
    for (const cs of this.state.inTable(family, table)) {
      for (const r of cs.rules) {
        const jt = this.userJump(r);
        if (jt !== undefined && (to === undefined ? user.has(jt) : jt === to)) out.push(r);
      }
    }
    return out;
  }

  /** The chain a rule jumps or goes to; undefined for a target, none, or a shell value. */
  userJump(r: Command): string | undefined {
    const t = r.target;
    return !t || t.spec || t.dynamic ? undefined : this.state.jumpTarget(r);
  }

  /**
   * Whether the chain surely holds a rule it shows: not one a command added that may not have run (see
   * Ruleset.unsure), nor one that jumps to a chain that does not exist (a script goes on without it, unless another
   * script made that chain; see checkTarget), nor one whose target its table does not take.
   */
  readonly surelyHeld = (r: Command): boolean => {
    const t = r.target;
    if (this.unsure(r)) return false;
    if (!t || t.dynamic) return true;
    if (t.spec) {
      // A target iptables refuses in the table as it reads the words (see checkPlacement).
      if (t.spec.forbiddenTables?.includes(r.table)) return false;
      // One the rule's table, or its built-in chain, does not take: the kernel refuses the iptables command. A
      // restore file's rule is held all the same until COMMIT (iptables-legacy-restore checks it then;
      // iptables-nft-restore sends it, and the load fails unless a flush naming its chain takes it back).
      if (!this.isScript) return true;
      const chain = r.chain?.value ?? '';
      const chainOk = !t.spec.chains || !isBuiltinChainOf(r.table, chain) || t.spec.chains.includes(chain);
      return chainOk && (!t.spec.tables || t.spec.tables.includes(r.table));
    }
    return !!this.state.get(familyOf(this.rs, r), r.table, this.state.jumpTarget(r));
  };

  /**
   * In a restore file, a built-in chain no line of the table's section has named before `c` (no chain line, no
   * command), or none since the section's last -X: iptables-nft-restore forgets the table's chains at every -X and
   * makes a built-in chain again only once a line names it.
   */
  unmadeBuiltin(c: Command, cs: ChainState): boolean {
    if (this.isScript || !cs.builtin) return false;
    const section = this.sectionAt(c.table, c.startLine);
    if (!section) return false;
    const deleted = this.lastDelete(c);
    const from = deleted ?? section.range.start.line;
    if (deleted === undefined ? cs.decl?.via !== 'builtin' : this.rs.chains.some((d) => d.table === c.table && d.name === cs.name && d.range.start.line > from && d.range.start.line < c.startLine)) return false;
    return !this.rs.commands.some((o) => o.table === c.table && o.chainName === cs.name && o.startLine > from && o.startLine < c.startLine);
  }

  /** In a restore file, the line of the last -X of `c`'s table section before `c`, if any. */
  lastDelete(c: Command): number | undefined {
    const from = this.sectionAt(c.table, c.startLine)?.range.start.line;
    if (this.isScript || from === undefined) return undefined;
    let last: number | undefined;
    for (const o of this.rs.commands) {
      if (o.startLine >= c.startLine) break;
      if (o.table === c.table && o.spec?.short === '-X' && o.startLine > from && !o.broken) last = o.startLine;
    }
    return last;
  }
}
