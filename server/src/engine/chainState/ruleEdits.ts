/**
 * -A, -I, -R and -D: the rules of a chain, with rule numbers as iptables counts them (a loop's rules once per
 * value), a -D that names a rule written another way, and a jump to a chain that does not exist yet.
 */
import { Family } from '../kb/addresses';
import { strtoulBase0 } from '../kb/services';
import { Command, commandsInRunOrder, counted, loadsUnseen, runLine } from '../model';
import { legacyOnly, nftOnly } from '../checks/legacy';
import { ruleNumberAt } from '../parse/scriptLoops';
import { ruleIdentity } from '../ruleIdentity';
import { Range } from '../types';
import { ChainState, ChainWord, familyOf } from '../state';
import { StateBuilder } from './builder';

/** -A, -I, -R, -D: the rules of a chain. */
export function editRules(b: StateBuilder, c: Command, family: Family, op: string, name: ChainWord | undefined): void {
  if (!name) return;
  const pos = c.rulenum && !c.rulenum.dynamic ? strtoulBase0(c.rulenum.value) : undefined;
  // Rules are numbered from 1, whatever the chain holds.
  if (pos !== undefined && pos < 1) {
    b.sink.error('syntax', c.rulenum!.range, `Rules are numbered from 1: iptables refuses rule number ${c.rulenum!.value} ("Invalid rule number").`);
    return;
  }
  const cs = b.lookupChain(c, family, name);
  if (!cs || c.broken) return;
  // A script's -D of a jump to a chain it makes later is the usual clean-up before making it again (it fails
  // harmlessly on a first run); in a restore file it stops the load.
  if ((op !== '-D' || !b.isScript) && !jumpTargetExists(b, c, family)) return;
  // A rule a script's loop adds once per value counts once per value (see ruleNumberAt).
  const place = pos !== undefined ? ruleNumberAt(cs.rules, pos, b.rs.loops) : undefined;
  if (place) b.state.numbered.set(c, { rule: place.between ? undefined : cs.rules[place.index], count: place.count, amid: place.between || (op !== '-I' && place.onLoop) });
  const known = b.knownCount(cs, family);
  const refused = b.refused?.has(c);
  // A -D a loop runs once per value deletes as many rules; the chain shows one taken away.
  if (b.unsure(c) || (op === '-D' && (b.rs.loops?.get(c)?.values.length ?? 1) > 1)) cs.inexact = true;
  if (op === '-A') {
    if (refused) return;
    cs.rules.push(c);
    b.count(cs, c, 1);
  }
  else if (op === '-I') {
    if (place && pos! > place.count + 1) {
      if (known) pastEnd(b, cs, pos!, place.count + 1, c.rulenum!.range, `${name.value} has ${counted(place.count, 'rule')} at this point: a rule can be inserted at positions 1 to ${place.count + 1}, not ${pos} ("Index of insertion too big").`);
      return;
    }
    if (refused) return;
    cs.rules.splice(place ? (place.between ? amid(b, cs, c, place.index) : place.index) : 0, 0, c);
    b.count(cs, c, 1);
  }
  else if (op === '-R' && place) {
    if (pos! > place.count) {
      if (known) pastEnd(b, cs, pos!, place.count, c.rulenum!.range, `${name.value} has ${counted(place.count, 'rule')} at this point; there is no rule ${pos} to replace ("Index of replacement too big").`);
    } else if (refused) return;
    else if (place.between || place.onLoop) {
      cs.inexact = true;
      cs.rules.splice(amid(b, cs, c, place.index), 0, c);
      b.count(cs, c, 1);
    } else {
      // iptables-nft-restore (1.8.9) stops with a segmentation fault at a -R of a rule that is there.
      if (!b.isScript) nftOnly(b.sink, 'syntax', c.rulenum!.range, `iptables-nft-restore crashes on -R (a segmentation fault: the load stops there). Delete the rule and insert the new one in its place (-D ${name.value} ${pos}, then -I ${name.value} ${pos} ...), or write the chain's rules as they should end.`);
      b.count(cs, cs.rules[place.index], -1);
      cs.rules[place.index] = c;
      b.count(cs, c, 1);
    }
  } else if (op === '-D') {
    const spec = b.specOf(c);
    const first = place ? -1 : b.firstWithSpec(cs, spec);
    const at = place ? place.index : first >= 0 ? first : b.sameRuleIn(cs, c);
    const looped = place ? -1 : loopRuleMatching(b, cs, spec, at);
    if (place && pos! > place.count) {
      if (known && pastEnd(b, cs, pos!, place.count, c.rulenum!.range, `${name.value} has ${counted(place.count, 'rule')} at this point; there is no rule ${pos} to delete ("Index of deletion too big").`)) cs.keptByNft!.pop();
    } else if (place && (place.between || place.onLoop)) {
      cs.inexact = true;
      amid(b, cs, c, at);
    } else if (looped >= 0) {
      cs.inexact = true;
      amid(b, cs, c, looped);
    } else if (at >= 0 && at < cs.rules.length) b.count(cs, cs.rules.splice(at, 1)[0], -1);
    // A rule whose values not read here may equal the -D's, written another way, may be the one: no claim.
    else if (c.dynamic || place || b.holdsLooselySame(cs, c)) cs.inexact = true;
    else if (known) noSuchRule(b, c, name, cs);
    else cs.inexact = true;
  }
  return;
}

/**
 * A rule number past the end of the chain (`last` the highest it takes): refused, or by iptables-legacy alone
 * where the rules a flush left to iptables-nft make up the difference (see keptByNft). Whether iptables-nft took it.
 */
function pastEnd(b: StateBuilder, cs: ChainState, pos: number, last: number, range: Range, message: string): boolean {
  const kept = cs.keptByNft?.length ?? 0;
  if (pos > last + kept) {
    b.sink.add('syntax', b.isScript ? 'warning' : 'error', range, message);
    return false;
  }
  legacyOnly(b.sink, 'syntax', range, `${message} iptables-nft counts the ${counted(kept, 'rule')} the flush without a chain name left it (see -F).`);
  return true;
}

/** A -D of a rule the chain does not hold, where what it holds is known: iptables refuses it. */
function noSuchRule(b: StateBuilder, c: Command, name: ChainWord, cs: ChainState): void {
  const kept = cs.keptByNft?.findIndex((r) => ruleIdentity(r) === ruleIdentity(c)) ?? -1;
  if (kept >= 0) {
    legacyOnly(b.sink, 'syntax', c.range, `No such rule in ${name.value} to delete at this point: iptables-legacy-restore fails; iptables-nft-restore deletes the one a flush without a chain name left it (line ${cs.keptByNft![kept].startLine + 1}).`);
    cs.keptByNft!.splice(kept, 1);
  } else if (!b.isScript) b.sink.error('syntax', c.range, `No such rule in ${name.value} to delete at this point: iptables-restore fails.`);
  else b.sink.add('syntax', 'warning', c.range, `${name.value} holds no such rule at this point: this iptables -D fails ("Bad rule (does a matching rule exist in that chain?)").`);
}

/** Where the file makes each user chain (its line, or -N and -E commands'), by family, table and name, in order. */
function madeLines(b: StateBuilder): Map<string, number[]> {
  if (b.madeAt) return b.madeAt;
  b.madeAt = new Map();
  const put = (family: Family, table: string, name: string, line: number) => {
    const k = `${family}:${table}:${name}`;
    (b.madeAt!.get(k) ?? b.madeAt!.set(k, []).get(k)!).push(line);
  };
  for (const d of b.rs.chains) if (!d.builtin) put(d.family ?? b.rs.family, d.table, d.name, d.range.start.line);
  // The commands that run (a function's where it is called; an arm of an if or case that is not followed makes no
  // chain here, and a jump after it makes no claim).
  for (const x of commandsInRunOrder(b.rs)) {
    if (b.rs.otherArms?.has(x)) continue;
    const op = x.spec?.short;
    if (op === '-N' && x.chainName !== undefined) put(familyOf(b.rs, x), x.table, x.chainName, runLine(b.rs, x));
    else if (op === '-E' && x.extra && !x.extra.dynamic) put(familyOf(b.rs, x), x.table, x.extra.value, runLine(b.rs, x));
  }
  return b.madeAt;
}

/**
 * Whether the user chain a rule jumps to exists when the rule is added or deleted. iptables refuses a jump to a
 * chain the file makes only later, or has deleted or renamed by then ("Couldn't load target"). A name the file
 * never makes a chain of is an unknown target, found with the rule's other checks (true here).
 */
function jumpTargetExists(b: StateBuilder, c: Command, family: Family): boolean {
  const t = c.target;
  if (!t || t.spec || t.dynamic || b.state.get(family, c.table, t.name) || loadsUnseen(b.rs, family)) return true;
  const lines = madeLines(b).get(`${family}:${c.table}:${t.name}`);
  if (!lines) return true;
  const at = runLine(b.rs, c);
  const later = lines.find((l) => l > at);
  const when = later !== undefined ? `the ${b.isScript ? 'script' : 'file'} makes it only on line ${later + 1}` : 'it was deleted or renamed before this line';
  b.sink.add('unknown-target', b.isScript ? 'warning' : 'error', t.token.range, `Chain ${t.name} does not exist at this point (${when}): iptables refuses the ${t.goto ? 'goto' : 'jump'} ("Couldn't load target"), and ${b.isScript ? 'this command fails' : 'iptables-restore fails'}. Make the chain before the rules that jump to it.`,
    { chain: t.name, table: c.table, madeOn: later, above: c.startLine });
  return false;
}

/**
 * The first rule before `before` (any, when -1) that a script's loop adds several times, one of whose rules has
 * the spec a -D names: the delete takes one of them, which the chain's one rule for them cannot show. -1 if none.
 */
function loopRuleMatching(b: StateBuilder, cs: ChainState, spec: string, before: number): number {
  if (!b.rs.loops) return -1;
  const end = before < 0 ? cs.rules.length : before;
  for (let k = 0; k < end; k++) {
    const variants = b.rs.loops.get(cs.rules[k])?.variants;
    if (variants && variants.length > 1 && variants.some((v) => b.specOf(v) === spec)) return k;
  }
  return -1;
}

/**
 * A rule number that falls among the rules a loop adds (see ruleNumberAt), at rule `k` of the chain: the chain
 * holds one rule for each command of the loop, so the loop's rules are marked as rules that may or may not be
 * there as the chain holds them (b.state.amid), and so is the command's own rule, which goes in before them.
 * Returns where that is.
 */
function amid(b: StateBuilder, cs: ChainState, c: Command, k: number): number {
  const loop = b.rs.loops!.get(cs.rules[k])!.loop;
  let first = k;
  while (first > 0 && b.rs.loops!.get(cs.rules[first - 1])?.loop === loop) first--;
  for (let q = first; q < cs.rules.length && b.rs.loops!.get(cs.rules[q])?.loop === loop; q++) b.state.amid.set(cs.rules[q], c.startLine);
  b.state.amid.set(c, c.startLine);
  return first;
}
