/** Refusals that depend on which iptables loads the rules: iptables-legacy, or iptables-nft. */
import { DiagnosticSink } from '../parse/diagnostics';
import { Diagnostic, Range } from '../types';

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
