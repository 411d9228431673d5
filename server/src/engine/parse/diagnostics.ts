import { Diagnostic, Range, Severity } from '../types';

/** Collects diagnostics; every producer of diagnostics goes through one of these. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  add(code: string, severity: Severity, range: Range, message: string, data?: Record<string, unknown>): Diagnostic {
    const d: Diagnostic = { code, severity, range, message };
    if (data) d.data = data;
    this.items.push(d);
    return d;
  }

  error(code: string, range: Range, message: string, data?: Record<string, unknown>): Diagnostic {
    return this.add(code, 'error', range, message, data);
  }

  /** Adds many at once (without spreading them into arguments, which has a size limit). */
  addAll(items: readonly Diagnostic[]): void {
    for (const d of items) this.items.push(d);
  }
}

/** `said`, a finding made again from `from` (with another message): it keeps `from`'s related information. */
export function withRelated(said: Diagnostic, from: Diagnostic): Diagnostic {
  if (from.related) said.related = from.related;
  return said;
}
