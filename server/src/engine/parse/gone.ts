/**
 * Words the shell leaves out (a blank setting, unquoted: `-i $LAN -j ACCEPT` with `LAN=` gives iptables `-i -j`):
 * which findings of a command they bring about, so that those are said on the word that is not there.
 */
import { Token } from '../lexer';
import { Diagnostic } from '../types';
import { DiagnosticSink } from './diagnostics';

/**
 * The findings among `items` (of the command as the shell passes it) that the command read with its variables
 * unknown does not have (`readUnknown` parses it so, into the sink it is given), each with the left-out word nearest
 * after its start (or the last one before it).
 */
export function causedByGone(items: readonly Diagnostic[], gone: readonly Token[], readUnknown: (sink: DiagnosticSink) => void): Map<Diagnostic, Token> {
  const unknown = new DiagnosticSink();
  readUnknown(unknown);
  const key = (d: Diagnostic) => `${d.code} ${d.range.start.line}:${d.range.start.character}`;
  const before = new Set(unknown.items.map(key));
  const out = new Map<Diagnostic, Token>();
  for (const d of items) {
    if (before.has(key(d))) continue;
    const { line, character } = d.range.start;
    const after = gone.find((w) => w.line > line || (w.line === line && w.start >= character));
    out.set(d, after ?? gone[gone.length - 1]);
  }
  return out;
}
