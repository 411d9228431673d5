/** The custom request `iptables/tracePacket`: the tracer for any editor. */
import { formatTrace, packetFrom, tracePacket } from '../engine/trace/tracer';
import { LintResult } from '../engine/lint';
import { defaultPath, parseTraceArgs } from '../cli/trace';
import { Range } from '../engine/types';

export const TRACE_REQUEST = 'iptables/tracePacket';

export interface TraceParams {
  textDocument: { uri: string };
  /** Packet options as on the command line: `--proto tcp --src 203.0.113.5 --dport 443 --in eth0`. */
  query: string;
}

export interface TraceReply {
  text: string;
  error?: string;
  branches: Array<{
    verdict: string;
    decidedBy?: Range;
    matched: Range[];
    assumptions: Array<{ range: Range; matched: boolean }>;
  }>;
}

export function traceRequest(result: LintResult, query: string): TraceReply {
  let args;
  let packet;
  try {
    args = parseTraceArgs(query.trim().split(/\s+/).filter(Boolean));
    packet = packetFrom(args.spec, result.ruleset.family);
  } catch (e) {
    return { text: '', error: (e as Error).message, branches: [] };
  }
  const t = tracePacket(result, packet, args.path ?? defaultPath(args.spec));
  return {
    text: formatTrace(t),
    branches: t.branches.map((b) => ({
      verdict: b.verdict,
      decidedBy: b.decidedBy?.range,
      matched: b.stages.flatMap((s) => s.matched.map((r) => r.range)),
      assumptions: b.assumptions.map((a) => ({ range: a.rule.range, matched: a.matched })),
    })),
  };
}
