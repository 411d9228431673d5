/**
 * Whole-chain checks: replies that are dropped (missing-established), SSH cut off by a default deny in INPUT or its
 * answers kept in by OUTPUT (ssh-lockout), and INPUT/FORWARD that accept whatever nobody denies (no-default-deny).
 */
import { CheckContext } from '../checks/context';
import { Command, commandsInRunOrder, holdsUnseen, lineName, loadsUnseen } from '../model';
import { ChainState } from '../state';
import { Range } from '../types';
import { Token } from '../lexer';
import { IntervalSet } from './intervals';
import { AnalysisModel, DENY, RuleInfo } from './model';
import { Box, Dim, notLoopback, Space, stateSet, withDims } from './space';
import { valuesMeeting } from './ruleMatch';


/** How a chain ends in a deny: where, in words, and the rule that does it (none for the DROP policy). */
export interface DenyEnd {
  range: Range;
  what: string;
  rule?: RuleInfo;
  /** The rules that come before it, in order: every packet that reaches the end has passed these. */
  before: RuleInfo[];
}

/** How each chain ends, per analysis: half a dozen checks ask it of the same built-in chains. */
const ends = new WeakMap<AnalysisModel, Map<ChainState, DenyEnd | undefined>>();

/**
 * How a chain ends: the first rule that denies every packet reaching it (the rules after it never see one), or else
 * its DROP policy.
 */
export function denyEnd(model: AnalysisModel, cs: ChainState): DenyEnd | undefined {
  // Rules loaded from a file the analysis cannot read, or added by commands it cannot follow, may stand anywhere in
  // the chain (and a file may set its policy).
  if (holdsUnseen(model.rs, cs.family)) return undefined;
  let known = ends.get(model);
  if (!known) ends.set(model, (known = new Map()));
  if (!known.has(cs)) known.set(cs, findDenyEnd(model, cs));
  return known.get(cs);
}

function findDenyEnd(model: AnalysisModel, cs: ChainState): DenyEnd | undefined {
  const rules = model.rules(cs);
  const space = model.space(cs);
  for (let k = 0; k < rules.length; k++) {
    const ri = rules[k];
    if (ri.flow.kind === 'continue' || !ri.exact || !space.subsetOf(space.full, ri.box)) continue;
    const leaves = model.leaves(ri);
    if (leaves.length && leaves.every((d) => DENY.has(d.verdict)) && space.covered(space.full, leaves.map((d) => d.box), model.limits.cover) === true) {
      const last = rules.slice(k + 1).every((r) => r.flow.kind === 'continue');
      return { range: ri.rule.range, what: `the ${last ? 'final' : 'catch-all'} ${leaves[0].verdict} on ${lineName(model.rs, ri.rule)}`, rule: ri, before: rules.slice(0, k) };
    }
  }
  if (cs.builtin && cs.policy === 'DROP') return { range: cs.policyRange ?? cs.declRange, what: 'the DROP policy', before: rules };
  return undefined;
}

/**
 * The deny a chain ends in, when some rule before it may accept packets: a chain that accepts nothing at all shuts
 * its traffic off on purpose, and the checks of what it lets through have nothing to say of it.
 */
export function selectiveDenyEnd(model: AnalysisModel, cs: ChainState): DenyEnd | undefined {
  const end = denyEnd(model, cs);
  if (!end) return undefined;
  for (const ri of end.before) if (model.ruleMayAccept(ri)) return end;
  return undefined;
}

/** The most pieces a rule may take out of what follow follows. */
const FEW_PIECES = 32;

/**
 * Follows `box` down the chain in order, until a rule might accept some of it (`mayAccept`: an ACCEPT or another
 * verdict than DROP and REJECT, such as a queue's, a goto, or a jump into a chain that may accept; one the model
 * cannot rule out) or a rule surely denies all that is left of it (`deniedWholeBy`). Neither when the chain ends (or
 * `stopAt` comes) first. A jump into a chain that can only deny or return is walked past.
 */
export function follow(model: AnalysisModel, cs: ChainState, box: Box, stopAt?: RuleInfo): { deniedWholeBy?: RuleInfo; mayAccept?: RuleInfo } {
  const space = model.space(cs);
  let rest: Box[] = [box];
  /** Whether what is left is still small enough to take more out of. */
  let shrinking = true;
  for (const ri of model.rules(cs)) {
    if (ri === stopAt || rest.length === 0) break;
    if (!someOverlaps(space, rest, ri.box)) continue;
    if (model.ruleMayAccept(ri)) return { mayAccept: ri };
    const f = ri.flow;
    if (f.kind === 'verdict' && DENY.has(f.verdict) && ri.exact && allWithin(space, rest, ri.box)) {
      return { deniedWholeBy: ri };
    }
    // What earlier rules surely decide is taken out of what is left. Only an optimisation: leaving more keeps every
    // conclusion sound (more rules may accept, and a deny must cover more). Once what is left has grown into many
    // pieces, or pieces of many intervals (thousands of rules that each take a little), it is left as it is, and the
    // walk goes on: a rule further down may still accept.
    // A jump's pieces are the decisions of the chain it calls, as many as its rules or fewer: a chain of more rules
    // than are taken out (a blocklist) is walked past without working them out, for every walk again.
    if (!shrinking || (f.kind === 'jump' && (f.chain?.rules.length ?? 0) > FEW_PIECES)) continue;
    const leaves = model.leaves(ri);
    if (leaves.length <= FEW_PIECES) for (const d of leaves) rest = space.subtractFromAll(rest, d.box);
    shrinking = rest.length <= model.limits.followPieces && rest.every((r) => r.every((s) => s.intervals <= model.limits.followIntervals));
  }
  return {};
}

/**
 * Replies arrive on the port the other side chose, so only a rule that leaves the destination port open can accept
 * them; and they come from (in OUTPUT: go to) whatever address the other side has, so only a rule that leaves that
 * address open (a rule for the local network alone drops the replies of every server on the internet). The chain
 * needs one that takes ESTABLISHED packets, before anything that drops them all.
 */
function checkEstablished(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const end = denyEnd(model, cs);
  if (!end) return;
  const space = model.space(cs);
  const { before } = end;
  const takesNew = (ri: RuleInfo) => ri.flow.kind === 'verdict' && ri.flow.verdict === 'ACCEPT' && ri.box[Dim.State].has(1n) && !isLoopbackOnly(ri);
  if (!before.some(takesNew)) return;
  const replyRule = before.find((ri) => acceptsReplies(model, cs, ri));
  const tcpEstablished = withDims(space, [[Dim.Proto, IntervalSet.point(6n)], [Dim.State, stateSet('ESTABLISHED')]]);
  const blocker = replyRule && before.slice(0, before.indexOf(replyRule)).find((ri) => ri.flow.kind === 'verdict' && DENY.has(ri.flow.verdict) && ri.exact && space.subsetOf(tcpEstablished, ri.box));
  // Forwarded connections are answered through FORWARD too: the replies of each connection it accepts (addresses,
  // ports and interfaces swapped) must find an accept. An accept that leaves every address and port open may still
  // take only one interface's packets (`-i lan -o wan -j ACCEPT`).
  const stranded = replyRule && !blocker && cs.name === 'FORWARD' ? before.find((ri) => takesNew(ri) && ri.exact && repliesDenied(model, cs, ri, end.rule)) : undefined;
  if (replyRule && !blocker && !stranded) return;
  const range = cs.policyRange ?? cs.declRange;
  const what = stranded
    ? `the replies of the connections ${lineName(model.rs, stranded.rule)} accepts (addresses, ports and interfaces the other way round) find no accept`
    : replyRule && blocker
    ? `the ESTABLISHED accept on ${lineName(model.rs, replyRule.rule)} comes after ${lineName(model.rs, blocker.rule)}, which drops those packets first`
    : `nothing accepts ESTABLISHED,RELATED packets ${cs.name === 'OUTPUT' ? 'to' : 'from'} every address on every port`;
  ctx.sink.add('missing-established', 'warning', end.rule && !cs.policyRange ? end.range : range,
    `${cs.name} ends in ${end.what} and accepts new connections, but ${what}: replies to ${cs.name === 'FORWARD' ? 'the connections it forwards' : cs.name === 'OUTPUT' ? 'connections made to this machine (the answers of its servers)' : 'connections this machine opens'}, and later packets of connections accepted only as NEW, are dropped. Add '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT' near the top.`,
    { chain: cs.name, table: cs.table, insertBefore: before.find((ri) => !isLoopbackOnly(ri))?.rule.range.start.line ?? end.range.start.line, repliesOf: stranded?.rule.range.start.line });
}

/**
 * Whether a rule may accept the replies of every connection: ESTABLISHED TCP or UDP packets on every port, from (in
 * OUTPUT: to) every address, on an interface other than the loopback one (see AnalysisModel.ruleMayAccept). (An ICMP
 * rule leaves the ports whole too, as no ICMP packet has one: `-p icmp --icmp-type 8 -j ACCEPT` takes no reply.)
 */
export function acceptsReplies(model: AnalysisModel, cs: ChainState, ri: RuleInfo): boolean {
  const space = model.space(cs);
  const otherSide = cs.name === 'OUTPUT' ? Dim.Dst : Dim.Src;
  return model.ruleMayAccept(ri) && ri.box[Dim.State].has(2n) && (ri.box[Dim.Proto].has(6n) || ri.box[Dim.Proto].has(17n)) && space.isFull(ri.box, Dim.Dport) && space.isFull(ri.box, otherSide) && !isLoopbackOnly(ri);
}

/**
 * What denies the packets `follow` found surely denied: the rule that takes them all, or else the chain's end. With
 * where the finding stands, and the line before which an accept for them would go.
 */
export function denier(r: ReturnType<typeof follow>, end: DenyEnd): { by: string; range: Range; insertBefore?: number } {
  const rule = r.deniedWholeBy?.rule;
  return rule
    ? { by: `line ${rule.range.start.line + 1}`, range: rule.range, insertBefore: rule.range.start.line }
    : { by: end.what, range: end.range, insertBefore: end.rule?.rule.range.start.line };
}

/** The replies of the connections a FORWARD rule accepts: the other way round, in ESTABLISHED state. */
function replyBox(model: AnalysisModel, ri: RuleInfo): Box {
  const reply = model.space(ri.chain).full.slice();
  const b = ri.box;
  reply[Dim.Src] = b[Dim.Dst];
  reply[Dim.Dst] = b[Dim.Src];
  reply[Dim.Sport] = b[Dim.Dport];
  reply[Dim.Dport] = b[Dim.Sport];
  reply[Dim.In] = b[Dim.Out];
  reply[Dim.Out] = b[Dim.In];
  reply[Dim.Proto] = b[Dim.Proto];
  reply[Dim.State] = stateSet('ESTABLISHED');
  return reply;
}

/** Whether the chain surely denies every reply of the connections `ri` accepts (no rule before `end` may take one). */
function repliesDenied(model: AnalysisModel, cs: ChainState, ri: RuleInfo, end: RuleInfo | undefined): boolean {
  const r = follow(model, cs, replyBox(model, ri), end);
  return !r.mayAccept;
}

function isLoopbackOnly(ri: RuleInfo): boolean {
  const lo = ri.rule.options.find((o) => o.spec.short === '-i' && !o.negated && o.argValue === 'lo');
  return !!lo;
}

/** `port 2222, SSH's port here as the comment on line 5 says`: the SSH ports the check holds to, and whence. */
function sshPortText(ctx: CheckContext): string {
  const { sshPorts: ports, sshPortsFrom: from } = ctx.settings;
  return `${ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.join(', ')}`}${from ? `, SSH's port here as ${from} says` : ''}`;
}

/** Reports when INPUT surely keeps SSH out; says whether it did. */
function checkSsh(model: AnalysisModel, ctx: CheckContext, cs: ChainState): boolean {
  const end = denyEnd(model, cs);
  if (!end) return false;
  const space = model.space(cs);
  const ports = ctx.settings.sshPorts;
  const ssh = sshBox(space, ports, false);
  const r = follow(model, cs, ssh, end.rule);
  if (r.mayAccept) return false;
  const portText = sshPortText(ctx);
  const d = denier(r, end);
  const gone = removedSshAccept(model, ctx, cs, ssh);
  const late = gone ? undefined : model.rules(cs).find((ri) => addsAccept(model, ri.rule, cs, ssh));
  const why = gone ? ` (the SSH accept on ${lineName(ctx.rs, gone)} does not last: a later flush, delete or replace removes it)`
    : late ? ` that takes effect (the SSH accept on ${lineName(ctx.rs, late.rule)} never sees the packets: rules ahead of it in the chain take them first)` : '';
  const slip = portSlip(model, cs, ports, end.rule, false);
  const hint = slip ? slipHint(ctx, slip, false) : '';
  ctx.sink.add('ssh-lockout', 'warning', d.range,
    `No rule accepts SSH (TCP ${portText}) in ${cs.name}${why}, and ${d.by} denies it: loading this cuts off remote access, including the session you are typing in.${hint}`,
    { chain: cs.name, table: cs.table, port: ports[0], insertBefore: d.insertBefore, ...(slip ? { portSlip: { range: slip.word.range, word: slip.word.value } } : {}) });
  return true;
}

/**
 * The classic slip behind a lockout: an ACCEPT before the chain's end for TCP packets *from* an SSH port with no
 * destination port (`-p tcp --sport 22 -j ACCEPT` in INPUT, written for `--dport 22`); for the answers in OUTPUT, one
 * *to* an SSH port with no source port. Its port word, and the word's value.
 */
function portSlip(model: AnalysisModel, cs: ChainState, ports: number[], end: RuleInfo | undefined, answers: boolean): { rule: RuleInfo; word: Token; value: string } | undefined {
  const space = model.space(cs);
  const [named, open] = answers ? [Dim.Dport, Dim.Sport] : [Dim.Sport, Dim.Dport];
  const words = answers ? ['--dport', '--destination-port', '--dports', '--destination-ports'] : ['--sport', '--source-port', '--sports', '--source-ports'];
  for (const ri of model.rules(cs)) {
    if (ri === end) break;
    const f = ri.flow;
    if (f.kind !== 'verdict' || f.verdict !== 'ACCEPT' || !ri.box[Dim.Proto].has(6n) || !space.isFull(ri.box, open)) continue;
    if (!ports.some((p) => ri.box[named].has(BigInt(p))) || space.isFull(ri.box, named)) continue;
    const o = ri.rule.options.find((x) => words.includes(x.spec.names[0]) && !x.negated);
    if (o?.arg) return { rule: ri, word: o.nameToken, value: o.arg.value };
  }
  return undefined;
}

/** The port word turned round: `--sport` for `--dport`, `--destination-ports` for `--source-ports`. */
export function turnedPortWord(word: string): string {
  return word.startsWith('--s') ? word.replace('source', 'destination').replace('--s', '--d') : word.replace('destination', 'source').replace('--d', '--s');
}

/** How a finding names such a slip, after its own sentence. */
function slipHint(ctx: CheckContext, slip: { rule: RuleInfo; word: Token; value: string }, answers: boolean): string {
  const ports = `${/[,:]/.test(slip.value) ? 'ports' : 'port'} ${slip.value}`;
  return answers
    ? ` The rule on ${lineName(ctx.rs, slip.rule.rule)} lets out packets to ${ports} (this machine's connections to SSH servers): for its own SSH server's answers it needs ${turnedPortWord(slip.word.value)}.`
    : ` The rule on ${lineName(ctx.rs, slip.rule.rule)} accepts packets from ${ports} (the answers of an SSH server this machine connects to): for sessions into this machine it needs ${turnedPortWord(slip.word.value)}.`;
}

/** In a script: a rule that accepted SSH in the chain once, on the way the analysis follows, and is no longer there. */
function removedSshAccept(model: AnalysisModel, ctx: CheckContext, cs: ChainState, ssh: Box): Command | undefined {
  if (ctx.rs.format !== 'script') return undefined;
  const kept = new Set(cs.rules);
  return followedIn(ctx, cs).find((c) => addsAccept(model, c, cs, ssh) && !kept.has(c));
}

/** A script's commands for the table and address family of `cs`, on the way the analysis follows, in the order they run. */
function followedIn(ctx: CheckContext, cs: ChainState): Command[] {
  return commandsInRunOrder(ctx.rs).filter((c) => c.table === cs.table && (c.commandFamily ?? ctx.rs.family) === cs.family && !ctx.rs.otherArms?.has(c));
}

/** Whether the command adds (-A, -I) to `cs` an ACCEPT rule that may take packets of `box` (a refused one adds none). */
function addsAccept(model: AnalysisModel, c: Command, cs: ChainState, box: Box): boolean {
  return (c.spec.short === '-A' || c.spec.short === '-I') && !c.broken && !model.isRefused(c) && c.chainName === cs.name && c.target?.name === 'ACCEPT' && model.space(cs).overlaps(model.ruleInfo(c, cs).box, box);
}

/**
 * In a script: a DROP policy in force before the SSH accept exists, or a flush while a DROP policy is in place;
 * for iptables and ip6tables each (an SSH session may come over either, and each has its own INPUT).
 */
function checkScriptOrder(model: AnalysisModel, ctx: CheckContext): void {
  if (ctx.rs.format !== 'script') return;
  for (const family of FAMILIES) {
    const input = ctx.state.get(family, 'filter', 'INPUT');
    if (input && !loadsUnseen(ctx.rs, family)) checkScriptOrderOf(model, ctx, input, holdsUnseen(ctx.rs, family));
  }
}

const FAMILIES = [4, 6] as const;

/**
 * `unseen`: the script may add rules the analysis cannot see (see holdsUnseen), one of which may be the SSH accept
 * before the DROP policy; a flush removes those too.
 */
function checkScriptOrderOf(model: AnalysisModel, ctx: CheckContext, input: ChainState, unseen: boolean): void {
  const space = model.space(input);
  const ssh = sshBox(space, ctx.settings.sshPorts, false);
  const cmds = followedIn(ctx, input);
  const isInput = (c: Command) => c.chainName === 'INPUT';
  const setsPolicy = (c: Command, policy: string) => c.spec.short === '-P' && isInput(c) && c.extra?.value === policy;
  // Whether the script sets a DROP policy anywhere, and (as the walk goes) whether an ACCEPT policy came before.
  const laterDrop = cmds.some((p) => setsPolicy(p, 'DROP'));
  let acceptBefore = false;
  const sshAccept = cmds.find((c) => addsAccept(model, c, input, ssh));
  // The packets of the SSH session already open (the one running the script, if remote).
  const session = withDims(space, [[Dim.Proto, IntervalSet.point(6n)], [Dim.Dport, ssh[Dim.Dport]], [Dim.Sport, CLIENT_PORTS], [Dim.State, stateSet('ESTABLISHED')], [Dim.In, ssh[Dim.In]]]);
  let sessionKept = false;
  let dropPolicy: Command | undefined;
  const sshAt = sshAccept ? cmds.indexOf(sshAccept) : -1;
  for (const [at, c] of cmds.entries()) {
    if (addsAccept(model, c, input, session)) sessionKept = true;
    if (c.spec.short === '-P' && isInput(c)) {
      dropPolicy = c.extra?.value === 'DROP' ? c : undefined;
      // With the open session's packets accepted already, only new logins wait for the SSH accept, for a moment.
      if (dropPolicy && sshAccept && at < sshAt && !sessionKept && !unseen) {
        ctx.sink.add('ssh-lockout', 'warning', c.range, `INPUT gets a DROP policy here, before ${lineName(ctx.rs, sshAccept, valuesMeeting(ctx.rs, sshAccept, ssh, space))} accepts SSH and before anything accepts the packets of the session already open: a remote session running this script stalls from here, and is cut off for good if the script stops before that line (an error, a command that hangs). Set the policy after the SSH accept.`, { chain: 'INPUT' });
      }
    }
    if (c.spec.short === '-F' && (c.chainName === undefined || isInput(c))) {
      sessionKept = false;
      if (laterDrop && !acceptBefore) {
        ctx.sink.add('ssh-lockout', 'warning', c.range, `This flush runs while INPUT may still have the DROP policy this script sets (from an earlier run): every rule, the SSH accept included, is gone and nothing gets in. Run '${input.family === 6 ? 'ip6tables' : 'iptables'} -P INPUT ACCEPT' before flushing.`, { chain: 'INPUT', insertPolicyBefore: c.range.start.line });
      }
    }
    if (setsPolicy(c, 'ACCEPT')) acceptBefore = true;
  }
}

/**
 * An SSH session also needs its answers to leave: when OUTPUT ends in a deny and surely denies the packets this
 * machine sends from its SSH port, the session stalls as soon as the rules load, however INPUT is written.
 */
function checkSshReplies(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const end = denyEnd(model, cs);
  if (!end) return;
  const space = model.space(cs);
  const ports = ctx.settings.sshPorts;
  const r = follow(model, cs, sshBox(space, ports, true), end.rule);
  if (r.mayAccept) return;
  const portText = sshPortText(ctx);
  const d = denier(r, end);
  const slip = portSlip(model, cs, ports, end.rule, true);
  ctx.sink.add('ssh-lockout', 'warning', d.range,
    `Nothing in OUTPUT lets the answers of SSH (from TCP ${portText}) out, and ${d.by} denies them: the session you are typing in stops as soon as this loads, whatever INPUT accepts. Accept ESTABLISHED,RELATED packets in OUTPUT.${slip ? slipHint(ctx, slip, true) : ''}`,
    { chain: 'OUTPUT', table: cs.table, replies: true, insertBefore: d.insertBefore, ...(slip ? { portSlip: { range: slip.word.range, word: slip.word.value } } : {}) });
}

function checkDefaultDeny(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  if (cs.policy !== 'ACCEPT' || denyEnd(model, cs) || holdsUnseen(ctx.rs, cs.family)) return;
  if (cs.decl?.via === 'builtin' && ctx.rs.format === 'restore') return;
  // A script speaks of a chain only where it adds rules to it or sets its policy.
  if (ctx.rs.format === 'script' && !cs.policyRange && !cs.rules.length) return;
  const range = cs.policyRange ?? (ctx.rs.format === 'script' && cs.rules.length ? cs.rules[0].range : cs.declRange);
  ctx.sink.add('no-default-deny', 'info', range, `${cs.name} accepts every packet that no rule denies (ACCEPT policy, no catch-all DROP or REJECT). A default deny is safer: allow what you need, then drop the rest.`, { chain: cs.name });
}

/**
 * The ports an SSH client connects from: unprivileged ones (every system picks its ephemeral ports above 1023). A
 * rule for packets from port 22, 53 or 80 (`--sport` written for `--dport`, the classic slip) lets no client in.
 */
const CLIENT_PORTS = IntervalSet.from([[1024n, 65535n]]);

/** SSH from a remote client (to the SSH ports, new) or its answers (from them, established), never over lo. */
function sshBox(space: Space, ports: number[], answers: boolean): Box {
  const portSet = IntervalSet.from(ports.map((p) => [BigInt(p), BigInt(p)] as const));
  return withDims(space, [[Dim.Proto, IntervalSet.point(6n)], [answers ? Dim.Sport : Dim.Dport, portSet], [answers ? Dim.Dport : Dim.Sport, CLIENT_PORTS],
    [Dim.State, stateSet(answers ? 'ESTABLISHED' : 'NEW')],
    [Dim.Frag, IntervalSet.point(0n)], [answers ? Dim.Out : Dim.In, notLoopback(space, answers ? Dim.Out : Dim.In)]]);
}

export function checkPolicies(model: AnalysisModel, ctx: CheckContext): void {
  // Where INPUT already keeps SSH out, that is the lockout to report; OUTPUT's answers are looked at otherwise.
  const lockedOut = new Set<number>();
  const outputs: ChainState[] = [];
  for (const cs of ctx.state.all()) {
    if (cs.table !== 'filter' || !cs.builtin) continue;
    if (['INPUT', 'FORWARD', 'OUTPUT'].includes(cs.name)) checkEstablished(model, ctx, cs);
    if (cs.name === 'INPUT' && checkSsh(model, ctx, cs)) lockedOut.add(cs.family);
    if (cs.name === 'OUTPUT') outputs.push(cs);
    if (cs.name === 'INPUT' || cs.name === 'FORWARD') checkDefaultDeny(model, ctx, cs);
  }
  for (const cs of outputs) if (!lockedOut.has(cs.family)) checkSshReplies(model, ctx, cs);
  checkScriptOrder(model, ctx);
}

// The walk's tests, as functions of their own: a closure in the walk's loop that names the rule at hand would make
// V8 allocate a scope for it at every rule.

/** Whether some box of `pieces` overlaps `box`. */
export function someOverlaps(space: Space, pieces: Box[], box: Box): boolean {
  for (const r of pieces) if (space.overlaps(r, box)) return true;
  return false;
}

function allWithin(space: Space, pieces: Box[], box: Box): boolean {
  for (const r of pieces) if (!space.subsetOf(r, box)) return false;
  return true;
}
