/**
 * The commands on whole chains: -N, -F, -X, -P, -E, and -Z, -L, -S with a chain; where iptables-legacy and
 * iptables-nft part (a flush without a chain name in a load, -X and -E of built-in chains).
 */
import { Family } from '../kb/addresses';
import { findTable, isBuiltinChain, isBuiltinChainOf } from '../kb';
import { strtoulBase0 } from '../kb/services';
import { Command, counted } from '../model';
import { legacyOnly, nftOnly } from '../checks/legacy';
import { ruleNumberAt } from '../parse/scriptLoops';
import { suggest } from '../suggest';
import { Range } from '../types';
import { ChainState, ChainWord, ruleLines, validateChainName } from '../state';
import { StateBuilder } from './builder';

/** -N: a new user chain. */
export function createChain(b: StateBuilder, c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
  if (!name) return;
  const existing = b.state.get(family, c.table, name.value);
  if (existing) {
    if (existing.builtin) b.sink.error('invalid-chain-name', name.range, `${name.value} is a built-in chain of ${c.table}; it cannot be created.`);
    else if (!b.isScript) b.sink.error('duplicate-chain', name.range, `Chain ${name.value} already exists in *${c.table}.`, { first: existing.declRange });
    else b.sink.add('duplicate-chain', 'warning', name.range, `Chain ${name.value} already exists at this point: this iptables -N fails when the script runs.`, { first: existing.declRange });
    return;
  }
  // Another table's built-in chain name (-t raw -N INPUT) makes a user chain of that name.
  if (!validateChainName(name.token, b.sink)) return;
  b.add({ family, table: c.table, name: name.value, builtin: false, declRange: name.range, createdBy: c, rules: [] });
  return;
}

/** -F: empties one chain or every chain of the table. */
export function flushChains(b: StateBuilder, c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
  const targets = name ? [b.lookupChain(c, family, name)] : b.state.inTable(family, c.table);
  // A flush without a chain name in a load that replaces the table: what each chain held, which
  // iptables-nft-restore keeps.
  const kept = new Map<ChainState, Command[]>();
  const load = b.replacingLoad(c);
  for (const cs of targets) {
    if (!cs) continue;
    // A flush that may not run leaves the chain with its rules or none.
    cs.inexact = b.unsure(c) ? cs.inexact || cs.rules.length > 0 : false;
    // iptables-nft-restore takes back what it sent of the chain, the rules an earlier -F kept among them.
    if (name && !b.isScript) for (const r of [...cs.rules, ...(cs.keptByNft ?? [])]) b.state.unsent.add(r);
    if (!name && load) {
      const held = cs.rules.filter(b.surelyHeld);
      if (held.length) kept.set(cs, held);
      cs.keptByNft = [...(cs.keptByNft ?? []), ...held];
    } else cs.keptByNft = undefined;
    cs.rules = [];
    b.forget(cs);
  }
  if (kept.size) flushKeptByNft(b, c, kept);
  return;
}

/**
 * A -F without a chain name in a load that replaces the table, after rules the load added to it (`kept`, by chain):
 * iptables-nft-restore (1.8.9) keeps them (see keptByNft), iptables-legacy-restore removes them, and the two load
 * different rulesets.
 */
function flushKeptByNft(b: StateBuilder, c: Command, kept: ReadonlyMap<ChainState, Command[]>): void {
  const rules = [...kept.values()].flat().sort((x, y) => x.startLine - y.startLine);
  const names = [...kept.keys()].map((x) => x.name);
  b.sink.add('syntax', 'warning', c.commandToken.range, `-F without a chain name empties the chains only for iptables-legacy-restore: iptables-nft-restore (the default on most current distributions) keeps the rules this ${b.isScript ? 'load' : 'file'} added above it (${ruleLines(rules)}), so the two load different rulesets. Flush each chain by name (${names.map((n) => `-F ${n}`).join(', ')}), or leave those rules out.`,
    { fix: 'flush-by-name', chains: names, refusedBy: 'none' });
}

/**
 * -X: deletes one user chain or every user chain of the table. The kernel refuses while a rule jumps to the chain
 * ("Too many links") or while it holds rules ("Directory not empty"); -X alone then deletes none of them. A script
 * goes on after the failed command (a warning); iptables-restore stops (an error).
 */
export function deleteChains(b: StateBuilder, c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
  const cs = name ? b.lookupChain(c, family, name) : undefined;
  if (cs?.builtin) {
    // iptables-nft-restore deletes an empty built-in chain, hook and policy with it (not one that holds the rules a
    // flush without a chain name kept for it).
    if (!b.isScript && !cs.rules.some(b.surelyHeld) && !cs.keptByNft?.length && !b.unmadeBuiltin(c, cs)) legacyOnly(b.sink, 'invalid-chain-name', name!.range, `${name!.value} is a built-in chain: -X is for user chains. iptables-nft-restore deletes it, and its policy with it: packets then pass its hook without any filtering.`);
    // The iptables-nft command deletes an empty built-in chain whose policy is ACCEPT ("Directory not empty" with DROP).
    else if (b.isScript && !cs.rules.some(b.surelyHeld) && cs.policy !== 'DROP') legacyOnly(b.sink, 'invalid-chain-name', name!.range, `${name!.value} is a built-in chain: -X is for user chains. The iptables-nft command deletes it while it holds no rule and its policy is ACCEPT, and packets then pass its hook without any filtering.`);
    else b.sink.error('invalid-chain-name', name!.range, `${name!.value} is a built-in chain; -X deletes user chains only.`);
    return;
  }
  if (name && !cs) return;
  const severity = b.isScript ? 'warning' : 'error';
  const at = (name ?? c).range;
  const held = b.jumpsInto(family, c.table, cs?.name).filter(b.surelyHeld);
  if (held.length) {
    b.sink.add('syntax', severity, at, `${cs ? `Chain ${cs.name}` : 'A user chain of this table'} is still jumped to at this point (${ruleLines(held)}): this -X fails ("Too many links")${cs ? '' : ' and deletes no chain'}. Flush or delete those rules first.`);
    return;
  }
  const full = (cs ? [cs] : b.state.inTable(family, c.table)).find((x) => !x.builtin && x.rules.some(b.surelyHeld));
  if (full) {
    const held = full.rules.filter(b.surelyHeld);
    b.sink.add('syntax', severity, at, `Chain ${full.name} still holds ${held.length} rule${held.length > 1 ? 's' : ''} at this point (${ruleLines(held)}): this -X fails ("Directory not empty")${cs ? '' : ' and deletes no chain'}. Flush ${cs ? 'it' : 'the table'} first (-F${cs ? ` ${cs.name}` : ''}).`,
      { fix: 'flush-first', chain: cs?.name, table: c.table });
    return;
  }
  keptBlocksDelete(b, c, family, cs, at);
  if (cs) b.state.delete(family, c.table, cs.name);
  else for (const x of b.state.inTable(family, c.table)) if (!x.builtin) b.state.delete(family, c.table, x.name);
  if (!cs && !b.isScript) builtinsDeletedByNft(b, c, family);
}

/** A -X that iptables-nft-restore refuses: a rule a flush left it (see keptByNft) is in the chain, or jumps to it. */
function keptBlocksDelete(b: StateBuilder, c: Command, family: Family, cs: ChainState | undefined, at: Range): void {
  const chains = b.state.inTable(family, c.table);
  const targets = cs ? [cs] : chains.filter((x) => !x.builtin);
  const names = new Set(targets.map((x) => x.name));
  const inside = targets.flatMap((x) => x.keptByNft ?? []);
  const jumps = chains.flatMap((x) => x.keptByNft ?? []).filter((r) => names.has(b.userJump(r) ?? ''));
  const held = [...new Set([...inside, ...jumps])].sort((x, y) => x.startLine - y.startLine);
  if (!held.length) return;
  nftOnly(b.sink, 'syntax', at, `The flush without a chain name before it empties the chains for iptables-legacy only: iptables-nft-restore keeps the rules ${b.isScript ? 'the load' : 'this file'} added before it (${ruleLines(held)}), so the chain is not empty or still jumped to there, and this -X fails ("CHAIN_DEL failed (Device or resource busy)"). Flush the chains by name (-F CHAIN).`);
}

/**
 * iptables-nft-restore's -X without a chain name deletes the empty built-in chains as well, hooks and policies with
 * them (iptables-legacy-restore deletes user chains only): a DROP policy there is lost.
 */
function builtinsDeletedByNft(b: StateBuilder, c: Command, family: Family): void {
  const dropped = b.state.inTable(family, c.table).filter((x) => x.builtin && x.rules.length === 0 && x.policy === 'DROP' && !b.unmadeBuiltin(c, x));
  if (!dropped.length) return;
  const names = dropped.map((x) => x.name).join(' and ');
  b.sink.add('invalid-chain-name', 'warning', c.range, `With iptables-nft (the default on most current distributions), -X without a chain name also deletes the empty built-in chains: ${names} and ${dropped.length > 1 ? 'their' : 'its'} DROP policy are gone, and packets pass unfiltered. Name the user chains to delete (-X CHAIN); iptables-legacy deletes user chains only.`);
}

/** -P: the policy of a built-in chain. */
export function setPolicy(b: StateBuilder, c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
  if (!name) return;
  if (!isBuiltinChain(name.value)) {
    b.sink.error('invalid-policy', name.range, `Only built-in chains have a policy; ${name.value} is not one (${findTable(c.table)?.chains.join(', ') ?? 'none'} in ${c.table}).`);
    return;
  }
  const cs = b.lookupChain(c, family, name);
  const pol = c.extra;
  if (!cs || !pol) return;
  if (c.table === 'nat' && pol.value === 'DROP') {
    b.sink.error('invalid-policy', pol.range, 'iptables refuses a DROP policy in the nat table (it is not meant for filtering): filter in the filter table.');
    return;
  }
  if (!cs.builtin) {
    b.sink.error('invalid-policy', name.range, `Only built-in chains have a policy; ${name.value} is a user chain.`);
    return;
  }
  if (!pol.dynamic && pol.value !== 'ACCEPT' && pol.value !== 'DROP') {
    b.sink.error('invalid-policy', pol.range, `Policy '${pol.value}' is not allowed: a built-in chain's policy is ACCEPT or DROP.`, { suggestions: suggest(pol.value, ['ACCEPT', 'DROP']) });
    return;
  }
  cs.policy = pol.dynamic ? undefined : pol.value;
  cs.policyRange = pol.range;
  return;
}

/** -E: renames a user chain. */
export function renameChain(b: StateBuilder, c: Command, family: Family, _op: string, name: ChainWord | undefined): void {
  if (!name || !c.extra) return;
  const cs = b.lookupChain(c, family, name);
  if (!cs || c.extra.dynamic) return;
  if (cs.builtin) {
    // The iptables-nft command renames the base chain, which keeps its hook (iptables-nft-restore refuses it).
    if (b.isScript && !b.state.get(family, c.table, c.extra.value)) legacyOnly(b.sink, 'invalid-chain-name', name.range, `Built-in chains cannot be renamed: the iptables-nft command renames ${cs.name} all the same, and the chain keeps filtering its packets under the new name, in a table iptables can no longer list ("incompatible base-chains").`);
    else b.sink.error('invalid-chain-name', name.range, 'Built-in chains cannot be renamed.');
    return;
  }
  // Another table's built-in chain name (-t raw -E X INPUT) is a user chain's name like any other.
  if (isBuiltinChainOf(c.table, c.extra.value)) {
    b.sink.error('invalid-chain-name', c.extra.range, `${c.extra.value} is a built-in chain of ${c.table}: a user chain cannot take its name.`);
    return;
  }
  if (b.state.get(family, c.table, c.extra.value)) {
    b.sink.add('duplicate-chain', b.isScript ? 'warning' : 'error', c.extra.range, `Chain ${c.extra.value} already exists at this point: this -E fails ("File exists").`);
    return;
  }
  if (!validateChainName(c.extra, b.sink)) return;
  if (!b.isScript) nftOnly(b.sink, 'syntax', c.extra.range, `A chain renamed in a restore file keeps its old name for iptables-nft-restore until the file is committed: a later line that uses ${c.extra.value} fails. Declare the chain under its new name instead.`);
  b.state.delete(family, c.table, cs.name);
  b.state.renameJumps(family, c.table, cs.name, c.extra.value);
  cs.name = c.extra.value;
  b.add(cs);
  return;
}

/** -Z, -L, -S with a chain: iptables refuses a chain that does not exist ("No chain/target/match by that name"). */
export function readChain(b: StateBuilder, c: Command, family: Family, op: string, name: ChainWord | undefined): void {
  const cs = name && b.lookupChain(c, family, name);
  if (cs && op === '-Z' && b.unmadeBuiltin(c, cs)) {
    const x = b.lastDelete(c);
    const none = x === undefined ? `Nothing above in this table names ${cs.name}` : `No line since the -X on line ${x + 1} names ${cs.name} (iptables-nft-restore forgets the table's chains at every -X)`;
    nftOnly(b.sink, 'undefined-chain', name!.range, `${none}: iptables-nft-restore makes a built-in chain only once a line declares it or adds to it, and cannot zero it before ("No chain/target/match by that name"). Declare it above (:${cs.name} ACCEPT [0:0]).`);
  }
  if (!cs || op !== '-Z' || !c.rulenum || c.rulenum.dynamic || !b.knownCount(cs, family)) return;
  // iptables-legacy refuses to zero a rule past the chain's end; iptables-nft zeroes nothing and says nothing.
  const pos = strtoulBase0(c.rulenum.value);
  const place = pos !== undefined ? ruleNumberAt(cs.rules, pos, b.rs.loops) : undefined;
  if (place && pos! > place.count) legacyOnly(b.sink, 'syntax', c.rulenum.range, `${name!.value} has ${counted(place.count, 'rule')} at this point; there is no rule ${pos} to zero ("Index of counter too big").`);
  // iptables-nft-restore (1.8.9) stops with a segmentation fault at a -Z of one rule that is there.
  else if (place && !b.isScript) nftOnly(b.sink, 'syntax', c.rulenum.range, `iptables-nft-restore crashes on -Z of a single rule (a segmentation fault: the load stops there). Zero the whole chain (-Z ${name!.value}), or the rule with 'iptables -Z ${name!.value} ${pos}' after loading.`);
}
