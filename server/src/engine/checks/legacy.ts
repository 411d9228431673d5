/** Refusals that depend on which iptables loads the rules: iptables-legacy, or iptables-nft. */
import { DiagnosticSink } from '../parse/diagnostics';
import { Diagnostic, Range } from '../types';
import { OptionUse } from '../model';
import { portBaseOf, readPortRange } from '../kb/values';

/**
 * A refusal only iptables-legacy makes: iptables-nft, the default on most current distributions, takes the rule (it
 * runs some modules' own hook checks in the rule's chain only, not through jumps, handles TRACE its own way, and is
 * lenient with some restore-file lines). A warning that says so; `refusedBy` lets a caller who knows the backend count it as a refusal
 * (`refusedBy: 'none'` marks a warning of a line both take, but to different effect).
 */
export function legacyOnly(sink: DiagnosticSink, code: string, range: Range, message: string, data: Record<string, unknown> = {}): Diagnostic {
  return sink.add(code, 'warning', range, `${message} iptables-legacy refuses it; iptables-nft, the default on most current distributions, takes it.`, { ...data, refusedBy: 'iptables-legacy' });
}


/** A refusal only iptables-nft makes (iptables-legacy takes the rule): a warning that says so. */
export function nftOnly(sink: DiagnosticSink, code: string, range: Range, message: string, data: Record<string, unknown> = {}): Diagnostic {
  return sink.add(code, 'warning', range, `${message} iptables-nft, the default on most current distributions, refuses it; iptables-legacy takes it.`, { ...data, refusedBy: 'iptables-nft' });
}

/** The one backend that refuses, for a finding that names one (see legacyOnly, nftOnly). */
export function refusedBy(d: Diagnostic): string | undefined {
  return (d.data as { refusedBy?: string } | undefined)?.refusedBy;
}

/**
 * Whether iptables-nft takes a tcp or udp match on a rule of the negated protocol (`! -p tcp -m tcp ...`), given the
 * match's options. It writes the match as expressions of its own, which read the ports wherever a TCP or UDP header
 * would have them, unless the match tests a TCP option (--tcp-option) or tests nothing (every port, no flags): then
 * it hands the match to the kernel's tcp or udp module, which refuses the negated protocol as iptables-legacy does.
 */
export function nftTakesNegatedProtocol(options: readonly OptionUse[]): boolean {
  let tests = false;
  for (const o of options) {
    const name = o.spec.names[0];
    if (name === '--tcp-option') return false;
    if (o.negated || o.argDynamic) tests = true;
    else if (name === '--tcp-flags') tests ||= o.argValue?.toUpperCase() !== 'NONE';
    else if (name === '--sport' || name === '--dport') tests ||= !everyPort(o);
    else tests = true;
  }
  return tests;
}

/** A port option whose range is every port (0:65535, 0:). */
function everyPort(o: OptionUse): boolean {
  const r = o.argValue === undefined ? undefined : readPortRange(o.argValue, portBaseOf(o.spec.args[0]));
  return r !== undefined && r[0] === 0 && r[1] === 65535;
}
