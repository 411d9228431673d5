/**
 * Which rule decides this packet? The packet walks the ruleset in netfilter's order for its path — raw, mangle,
 * nat, filter, security at each hook; PREROUTING, then INPUT or FORWARD, then POSTROUTING, or OUTPUT for a locally
 * sent packet — through jumps and returns, with NAT rewriting it on the way. A rule that may or may not match forks
 * the trace: every branch is reported with what it assumed.
 */
import { Family, formatAddress, parseAddress } from '../kb/addresses';
import { splitNatTarget } from '../kb/values';
import { LintResult } from '../lint';
import { Command, untracksPackets } from '../model';
import { summarize } from '../summary';
import { Assumption, Outcome, Step, walkChain } from './walk';
import { describePacket, Packet } from './packet';
import { wordTable } from '../wordTable';

export type TracePath = 'input' | 'forward' | 'output';

export interface Stage {
  hook: string;
  table: string;
  verdict: string;
  decidedBy?: Command;
  steps: Step[];
  /** Rules whose conditions matched the packet in this stage, in order. */
  matched: Command[];
  rewrite?: string;
}

export interface TraceBranch {
  stages: Stage[];
  verdict: string;
  decidedBy?: Command;
  assumptions: Assumption[];
  packet: Packet;
}

export interface TraceResult {
  packet: Packet;
  path: TracePath;
  branches: TraceBranch[];
  /** True when some branch was not explored (too many forks). */
  truncated: boolean;
}

const HOOKS: Record<TracePath, Array<[string, string[]]>> = {
  input: [['PREROUTING', ['raw', 'mangle', 'nat']], ['INPUT', ['mangle', 'filter', 'security', 'nat']]],
  forward: [['PREROUTING', ['raw', 'mangle', 'nat']], ['FORWARD', ['mangle', 'filter', 'security']], ['POSTROUTING', ['mangle', 'nat']]],
  output: [['OUTPUT', ['raw', 'mangle', 'nat', 'filter', 'security']], ['POSTROUTING', ['mangle', 'nat']]],
};

const FINAL = new Set(['DROP', 'REJECT', 'QUEUE', 'NFQUEUE', 'TPROXY', 'SYNPROXY']);
const NAT = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);
const MAX_BRANCHES = 32;

function option(rule: Command, name: string): string | undefined {
  return rule.target?.options.find((o) => o.spec.names[0] === name)?.arg?.value;
}

/** The packet after a NAT target, and how it changed. */
function applyNat(rule: Command, p: Packet): { packet: Packet; text: string } {
  const name = rule.target!.name;
  const next = { ...p };
  const family = p.family;
  const setAddrPort = (spec: string | undefined, which: 'src' | 'dst') => {
    if (!spec) return;
    // The first address and port of the ranges the target gives; a shifted range (`80-90/85`) keeps the packet's
    // distance from the base port, round the range, as the kernel does.
    const { addr, ports, base } = splitNatTarget(spec, family);
    const first = addr ? parseAddress(addr.split('-')[0]) : undefined;
    if (first) next[which] = first.value;
    const [lo, hi] = (ports ?? '').split('-').map((x) => (/^\d+$/.test(x) ? Number(x) : undefined));
    const key = which === 'src' ? 'sport' : 'dport';
    const shift = base !== undefined && /^\d+$/.test(base) && lo !== undefined && hi !== undefined && hi >= lo ? ((p[key] - Number(base)) & 0xffff) % (hi - lo + 1) : 0;
    if (lo !== undefined) next[key] = lo + shift;
  };
  switch (name) {
    case 'DNAT':
      setAddrPort(option(rule, '--to-destination'), 'dst');
      break;
    case 'SNAT':
      setAddrPort(option(rule, '--to-source'), 'src');
      break;
    case 'REDIRECT': {
      const ports = option(rule, '--to-ports');
      if (ports) next.dport = Number(ports.split('-')[0]);
      return { packet: next, text: `REDIRECT: to this machine${ports ? `, port ${next.dport}` : ''}` };
    }
    case 'MASQUERADE':
      return { packet: next, text: `MASQUERADE: source becomes the address of ${p.out || 'the outgoing interface'}` };
  }
  const show = (q: Packet) => `${formatAddress(q.src, family)}:${q.sport} -> ${formatAddress(q.dst, family)}:${q.dport}`;
  return { packet: next, text: `${name}: ${show(p)} becomes ${show(next)}` };
}

function matchedRules(o: Outcome): Command[] {
  return o.steps.filter((s) => s.rule).map((s) => s.rule!);
}

export function tracePacket(result: LintResult, packet: Packet, path: TracePath): TraceResult {
  const family = packet.family;
  const stages = HOOKS[path].flatMap(([hook, tables]) => tables.map((table) => ({ hook, table })));
  const branches: TraceBranch[] = [];
  let truncated = false;

  const go = (k: number, p: Packet, done: Stage[], assumptions: Assumption[]): void => {
    if (branches.length >= MAX_BRANCHES) {
      truncated = true;
      return;
    }
    if (k >= stages.length) {
      branches.push({ stages: done, verdict: 'ACCEPT', assumptions, packet: p });
      return;
    }
    const { hook, table } = stages[k];
    const chain = result.state.get(family, table, hook);
    // nat sees only the first packet of a connection; untracked packets skip it.
    if (!chain || (table === 'nat' && p.state !== 'NEW')) return go(k + 1, p, done, assumptions);
    const outcomes = walkChain(result.state, family, chain, p, { maxOutcomes: MAX_BRANCHES, loops: result.ruleset.loops });
    if (outcomes.length >= MAX_BRANCHES) truncated = true;
    for (const o of outcomes) {
      const stage: Stage = { hook, table, verdict: o.verdict, decidedBy: o.decidedBy, steps: o.steps, matched: matchedRules(o) };
      let next = p;
      if (o.effects.some(untracksPackets)) {
        next = { ...next, state: 'UNTRACKED' };
      }
      const all = [...assumptions, ...o.assumptions];
      if (NAT.has(o.verdict) && o.decidedBy) {
        const n = applyNat(o.decidedBy, next);
        stage.rewrite = n.text;
        go(k + 1, n.packet, [...done, stage], all);
      } else if (FINAL.has(o.verdict) || o.verdict.startsWith('UN')) {
        branches.push({ stages: [...done, stage], verdict: o.verdict, decidedBy: o.decidedBy, assumptions: all, packet: next });
      } else {
        go(k + 1, next, [...done, stage], all);
      }
    }
  };
  go(0, packet, [], []);
  // The deciding rule of an accepted packet: the last ACCEPT on its way.
  for (const b of branches) {
    if (b.decidedBy) continue;
    const last = [...b.stages].reverse().find((s) => s.decidedBy && s.verdict === 'ACCEPT');
    b.decidedBy = last?.decidedBy;
  }
  return { packet, path, branches, truncated };
}

function line(c: Command): string {
  return `line ${c.range.start.line + 1}`;
}

export function formatTrace(t: TraceResult): string {
  const out: string[] = [`Packet: ${describePacket(t.packet)} (${t.path === 'input' ? 'to this machine' : t.path === 'forward' ? 'routed through this machine' : 'sent by this machine'})`];
  const forked = t.branches.length > 1;
  t.branches.forEach((b, i) => {
    out.push('');
    if (forked) {
      const ifs = b.assumptions.map((a) => `${line(a.rule)} ${a.matched ? 'matches' : 'does not match'}`).join(', ');
      out.push(`Branch ${i + 1}: if ${ifs || 'nothing uncertain'}:`);
    }
    for (const s of b.stages) {
      out.push(`  ${s.hook} (${s.table}): ${s.verdict}${s.decidedBy ? ` by ${line(s.decidedBy)}` : ''}`);
      for (const st of s.steps) {
        if (st.rule) out.push(`    ${line(st.rule)} [${st.chain}] ${summarize(st.rule)}  → ${st.detail}`);
        else out.push(`    ${st.detail}`);
      }
      if (s.rewrite) out.push(`    NAT: ${s.rewrite}`);
    }
    out.push(`  Verdict: ${b.verdict}${b.decidedBy ? ` (deciding rule: ${line(b.decidedBy)}: ${summarize(b.decidedBy)})` : ''}`);
  });
  if (t.truncated) out.push('', `(More branches exist; only the first ${t.branches.length} are shown.)`);
  return out.join('\n');
}

export interface PacketSpec {
  proto?: string;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  in?: string;
  out?: string;
  state?: string;
  tcpFlags?: string;
  fragment?: boolean;
  length?: number;
  ttl?: number;
}

/** A packet from user input; throws with a readable message on bad values. */
export function packetFrom(spec: PacketSpec, family: Family): Packet {
  const addr = (s: string | undefined, what: string, dflt: string) => {
    const a = parseAddress(s ?? dflt);
    if (!a) throw new Error(`${what} '${s}' is not an IP address`);
    if (a.family !== family) throw new Error(`${what} '${s}' is an IPv${a.family} address; this ruleset is IPv${family}`);
    return a.value;
  };
  const protos = wordTable({ tcp: 6, udp: 17, icmp: 1, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, gre: 47, esp: 50 });
  const proto = spec.proto === undefined ? 6 : /^\d+$/.test(spec.proto) ? Number(spec.proto) : protos[spec.proto.toLowerCase()];
  if (proto === undefined) throw new Error(`unknown protocol '${spec.proto}'`);
  const bits: Record<string, number> = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32 };
  const state = (spec.state ?? 'NEW').toUpperCase();
  if (!['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'].includes(state)) throw new Error(`unknown connection state '${spec.state}'`);
  const tcpFlags = spec.tcpFlags ? spec.tcpFlags.toUpperCase().split(',').reduce((a, f) => a | (bits[f] ?? 0), 0) : state === 'NEW' ? 2 : 16;
  return {
    family,
    proto,
    src: addr(spec.src, 'source', family === 4 ? '198.51.100.10' : '2001:db8::10'),
    dst: addr(spec.dst, 'destination', family === 4 ? '192.0.2.1' : '2001:db8::1'),
    sport: spec.sport ?? 40000,
    dport: spec.dport ?? 80,
    icmpType: spec.icmpType ?? (family === 4 ? 8 : 128),
    icmpCode: spec.icmpCode ?? 0,
    in: spec.in ?? '',
    out: spec.out ?? '',
    state,
    tcpFlags,
    fragment: spec.fragment ?? false,
    length: spec.length ?? 60,
    ttl: spec.ttl ?? 64,
  };
}
