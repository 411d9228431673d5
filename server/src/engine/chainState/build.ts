/**
 * Builds the ruleset as the kernel ends up holding it: table lines, chain lines and commands applied in the order
 * they run (see state.ts for what it holds).
 */
import { Family } from '../kb/addresses';
import { findTable } from '../kb';
import { Command, commandsInRunOrder, runLine, Ruleset } from '../model';
import { DiagnosticSink } from '../parse/diagnostics';
import { ChainWord, familyOf, RulesetState } from '../state';
import { StateBuilder } from './builder';
import { declare, resetTable } from './declarations';
import { editRules } from './ruleEdits';
import { createChain, deleteChains, flushChains, readChain, renameChain, setPolicy } from './chainCommands';

type ChainCommand = (b: StateBuilder, c: Command, family: Family, op: string, name: ChainWord | undefined) => void;

const OPS: Record<string, ChainCommand> = {
  '-N': createChain, '-A': editRules, '-I': editRules, '-R': editRules, '-D': editRules,
  '-F': flushChains, '-X': deleteChains, '-P': setPolicy, '-E': renameChain, '-Z': readChain, '-L': readChain, '-S': readChain,
};

/** `refused`: a script's commands iptables refuses, which add no rule (see StateBuilder). */
export function buildState(rs: Ruleset, sink: DiagnosticSink, refused?: ReadonlySet<Command>): RulesetState {
  const b = new StateBuilder(rs, sink, refused);
  // Events in source order: table starts reset that table (restore), declarations, then commands. The three
  // lists are each in source order already, so they are merged rather than sorted.
  // A table line replaces the table (a restore file, or one a script loads without --noflush).
  const tableStarts = rs.format === 'restore' ? rs.tables : rs.tables.filter((t) => t.restore === 'flush');
  const decls = rs.chains;
  // A script's commands in the order they run (a function's where it is called): at the line of the call.
  const cmds = commandsInRunOrder(rs);
  const lineOf = (r: { start: { line: number } }) => r.start.line;
  let ti = 0;
  let di = 0;
  let ci = 0;
  while (ti < tableStarts.length || di < decls.length || ci < cmds.length) {
    const tl = ti < tableStarts.length ? lineOf(tableStarts[ti].range) : Infinity;
    const dl = di < decls.length ? lineOf(decls[di].range) : Infinity;
    const cl = ci < cmds.length ? runLine(rs, cmds[ci]) : Infinity;
    if (tl <= dl && tl <= cl) resetTable(b, tableStarts[ti++]);
    else if (dl <= cl) declare(b, decls[di++]);
    else if (rs.otherArms?.has(cmds[ci])) ci++;
    else apply(b, cmds[ci++]);
  }
  return b.state;
}

function apply(b: StateBuilder, c: Command): void {
  const family = familyOf(b.rs, c);
  if (!findTable(c.table)) return;
  const op = c.spec.short;
  const name = c.chainName === undefined ? undefined : new ChainWord(c);
  // `-P $CHAIN DROP`: any built-in chain of the table may have that policy now.
  if (name?.dynamic && op === '-P' && !c.broken) for (const cs of b.state.inTable(family, c.table)) if (cs.builtin) cs.policy = undefined;
  if ((name && name.dynamic) || (c.broken && op !== '-A' && op !== '-I')) return;
  OPS[op]?.(b, c, family, op, name);
}
