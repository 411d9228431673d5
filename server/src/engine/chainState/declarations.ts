/**
 * Chain lines (`:INPUT DROP [0:0]`, `:web - [0:0]`) and the table lines that start a section, as iptables-restore
 * reads them: a built-in chain's policy, a user chain made, a chain declared twice, a --noflush load's line that
 * empties a chain made before it.
 */
import { findTable, isBuiltinChain } from '../kb';
import { Token } from '../lexer';
import { ChainDecl, Ruleset, runLine } from '../model';
import { legacyOnly } from '../checks/legacy';
import { suggest } from '../suggest';
import { ChainState, validateChainName } from '../state';
import { StateBuilder } from './builder';

/** A table line that replaces the table (a restore file's, or a script's load without --noflush): its chains go. */
export function resetTable(b: StateBuilder, t: Ruleset['tables'][number]): void {
  for (const c of b.state.inTable(t.family ?? b.rs.family, t.name)) {
    if (!b.isScript) for (const r of c.rules) b.state.replaced.add(r);
    b.state.delete(c.family, c.table, c.name);
  }
}

/** A chain line: a built-in chain's policy, or a user chain made (or, with --noflush, emptied). */
export function declare(b: StateBuilder, d: ChainDecl): void {
  const family = d.family ?? b.rs.family;
  const existing = b.state.get(family, d.table, d.name);
  if (d.via === 'builtin') {
    if (!existing) b.add({ family, table: d.table, name: d.name, builtin: true, declRange: d.range, decl: d, policy: 'ACCEPT', rules: [], inexact: b.isScript && b.sectionOf(d)?.restore !== 'flush' });
    return;
  }
  // Declarations in a template's blocks may be alternatives (`{% if %}:INPUT DROP{% else %}:INPUT ACCEPT{% endif %}`):
  // the later one stands, without a finding.
  if (existing && (d.conditional || existing.decl?.conditional) && existing.decl?.via === 'declaration') {
    if (existing.builtin && d.builtin) setDeclaredPolicy(existing, d);
    return;
  }
  // iptables-restore --noflush: the line of a user chain that exists from before the load empties it.
  if (existing && !existing.builtin && !d.builtin && flushesExisting(b, d, existing)) {
    existing.rules = [];
    existing.inexact = false;
    b.forget(existing);
    existing.decl = d;
    existing.declRange = d.nameRange;
    return;
  }
  // A built-in chain that rules used before its line (or a script made before loading this): the line sets its policy.
  if (existing && existing.builtin && d.builtin && existing.decl?.via === 'builtin') {
    checkBuiltinPolicy(b, d);
    setDeclaredPolicy(existing, d);
    existing.declRange = d.nameRange;
    return;
  }
  if (existing && existing.builtin && d.builtin && existing.decl?.via === 'declaration') {
    // A built-in chain declared again: iptables-restore takes the second line's policy (one it takes at all).
    b.sink.add('duplicate-chain', 'warning', d.nameRange, `${d.name} is declared twice in *${d.table}: iptables-restore takes this line's policy, and the first line's is lost.`, { first: existing.declRange });
    checkBuiltinPolicy(b, d);
    setDeclaredPolicy(existing, d);
    return;
  }
  if (existing && (existing.decl?.via === 'declaration' || !existing.builtin)) {
    legacyOnly(b.sink, 'duplicate-chain', d.nameRange, `Chain ${d.name} is declared twice in *${d.table}${existing.rules.length && !existing.builtin ? ': iptables-nft-restore empties it here' : ''}.`, { first: existing.declRange });
    // iptables-legacy-restore stops at this line; iptables-nft-restore goes on, with a user chain emptied.
    if (!existing.builtin) {
      existing.rules = [];
      existing.keptByNft = undefined;
      b.forget(existing);
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
        legacyOnly(b.sink, 'chain-not-in-table', d.nameRange, `${d.name} is not a built-in chain of the ${d.table} table (it has ${findTable(d.table)?.chains.join(', ')}).`);
      }
      b.add({ family, table: d.table, name: d.name, builtin: false, declRange: d.nameRange, decl: d, policy: undefined, policyRange: d.policyRange, rules: [] });
      return;
    }
    validateChainName(tok, b.sink, true);
    if (d.policy !== undefined && d.policy !== '-') {
      legacyOnly(b.sink, 'invalid-policy', d.policyRange ?? d.range, `User chain ${d.name} cannot have a policy; write '-' (only built-in chains have policies).`, { expected: '-' });
    }
  } else checkBuiltinPolicy(b, d);
  const cs: ChainState = { family, table: d.table, name: d.name, builtin: d.builtin, declRange: d.nameRange, decl: d, policy: undefined, policyRange: d.policyRange, rules: [] };
  if (d.builtin) setDeclaredPolicy(cs, d);
  b.add(cs);
}

/**
 * Whether a chain line is read by iptables-restore --noflush (a script's here-document) and the chain was made
 * before that load began: the line then empties the chain instead of declaring it twice.
 */
function flushesExisting(b: StateBuilder, d: ChainDecl, existing: ChainState): boolean {
  if (!b.isScript) return false;
  const section = b.sectionOf(d);
  if (section?.restore !== 'noflush') return false;
  const made = existing.decl?.range.start.line ?? (existing.createdBy ? runLine(b.rs, existing.createdBy) : undefined);
  return made === undefined || made < section.range.start.line;
}

/** A built-in chain's policy on its chain line: ACCEPT or DROP ('-' keeps one the file does not say). */
function checkBuiltinPolicy(b: StateBuilder, d: ChainDecl): void {
  if (d.policy === '-') {
    b.sink.add('invalid-policy', 'warning', d.policyRange ?? d.range, `A built-in chain with '-' keeps the policy it has when the file loads, which this file does not say: write ACCEPT or DROP.`, { suggestions: ['ACCEPT', 'DROP'] });
  } else if (d.policy !== undefined && d.policy !== 'ACCEPT' && d.policy !== 'DROP') {
    b.sink.error('invalid-policy', d.policyRange ?? d.range, `Policy '${d.policy}' is not allowed: a built-in chain's policy is ACCEPT or DROP.`, { suggestions: suggest(d.policy, ['ACCEPT', 'DROP']) });
  }
}

/** The policy a chain line gives a built-in chain: '-' keeps one this file does not know. */
function setDeclaredPolicy(cs: ChainState, d: ChainDecl): void {
  cs.policy = d.policy === 'DROP' ? 'DROP' : d.policy === '-' ? undefined : 'ACCEPT';
  cs.policyRange = d.policyRange;
  cs.decl = d;
}
