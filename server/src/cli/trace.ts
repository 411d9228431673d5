/** `iptables-lint trace FILE --proto tcp --src A --dst B --dport N --in IF [...]`: which rule decides this packet. */
import { readInput } from './input';
import { lint } from '../engine/lint';
import { formatTrace, packetFrom, PacketSpec, tracePacket, TracePath } from '../engine/trace/tracer';
import { readSourcedFile } from '../sourcedFile';

export const TRACE_USAGE = `Usage: iptables-lint trace FILE [--proto P] [--src ADDR] [--dst ADDR] [--sport N] [--dport N]
         [--icmp-type N] [--in IF] [--out IF] [--state NEW|ESTABLISHED|RELATED|INVALID] [--flags SYN,ACK]
         [--input|--forward|--output] [--json]
Walks one packet through the ruleset in netfilter's order and prints every rule it meets and the verdict.
The path defaults to --forward when both --in and --out are given, --output when only --out is, else --input.`;

const NUMERIC = new Set(['--sport', '--dport', '--icmp-type', '--length', '--ttl']);

export interface TraceArgs {
  spec: PacketSpec;
  files: string[];
  path?: TracePath;
  json: boolean;
  help: boolean;
}

const KEYS: Record<string, keyof PacketSpec> = { '--proto': 'proto', '--src': 'src', '--dst': 'dst', '--sport': 'sport', '--dport': 'dport', '--icmp-type': 'icmpType', '--in': 'in', '--out': 'out', '--state': 'state', '--flags': 'tcpFlags', '--length': 'length', '--ttl': 'ttl' };

/** Reads the packet options (shared by the command line and the editor's "Trace a packet"); throws on mistakes. */
export function parseTraceArgs(argv: string[]): TraceArgs {
  const r: TraceArgs = { spec: {}, files: [], json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--input' || a === '--forward' || a === '--output') r.path = a.slice(2) as TracePath;
    else if (a === '--json') r.json = true;
    else if (a === '-h' || a === '--help') r.help = true;
    else if (a.startsWith('--')) {
      const v = argv[++i];
      if (!KEYS[a]) throw new Error(`unknown option '${a}'`);
      if (v === undefined) throw new Error(`${a} needs a value`);
      if (NUMERIC.has(a) && !/^\d+$/.test(v)) throw new Error(`${a} takes a number, not '${v}'`);
      (r.spec as Record<string, unknown>)[KEYS[a]] = NUMERIC.has(a) ? Number(v) : v;
    } else r.files.push(a);
  }
  return r;
}

/** The path a packet takes when none is named: forward with both interfaces, output with only --out, else input. */
export function defaultPath(spec: PacketSpec): TracePath {
  return spec.in && spec.out ? 'forward' : spec.out ? 'output' : 'input';
}

export function runTrace(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string): number {
  let args: TraceArgs;
  try {
    args = parseTraceArgs(argv);
  } catch (e) {
    errOut(`iptables-lint trace: ${(e as Error).message}.\n${TRACE_USAGE}`);
    return 2;
  }
  if (args.help) {
    out(`${TRACE_USAGE}\n`);
    return 0;
  }
  const { spec, json, path } = args;
  if (args.files.length > 1) {
    errOut('iptables-lint trace: one file at a time.');
    return 2;
  }
  const file = args.files[0];
  if (!file) {
    errOut(`iptables-lint trace: no file given.\n${TRACE_USAGE}`);
    return 2;
  }
  const text = readInput(file, readStdin, errOut, 'trace');
  if (text === undefined) return 2;
  const result = lint(text, { fileName: file === '-' ? undefined : file, readFile: readSourcedFile });
  let packet;
  try {
    packet = packetFrom(spec, result.ruleset.family);
  } catch (e) {
    errOut(`iptables-lint trace: ${(e as Error).message}.`);
    return 2;
  }
  const chosen = path ?? defaultPath(spec);
  const t = tracePacket(result, packet, chosen);
  if (json) {
    out(`${JSON.stringify(t.branches.map((b) => ({
      verdict: b.verdict,
      decidedBy: b.decidedBy ? b.decidedBy.range.start.line + 1 : null,
      assumptions: b.assumptions.map((x) => ({ line: x.rule.range.start.line + 1, matched: x.matched })),
      stages: b.stages.map((s) => ({ hook: s.hook, table: s.table, verdict: s.verdict, matched: s.matched.map((r) => r.range.start.line + 1), rewrite: s.rewrite })),
    })), null, 2)}\n`);
  } else out(`${formatTrace(t)}\n`);
  return 0;
}
