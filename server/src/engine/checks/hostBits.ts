/**
 * host-bits-set: an address whose bits past the prefix are set (`10.1.2.3/8`). iptables silently masks it to the
 * network (10.0.0.0/8), which is rarely what the writer meant. Checked as each rule is parsed, while its words are
 * at hand.
 */
import { formatAddress, parseNet } from '../kb/addresses';
import { OptionSpec } from '../kb';
import { Token } from '../lexer';
import { DiagnosticSink } from '../parse/diagnostics';

/** The options whose address iptables masks to its prefix. */
const ADDRESS_OPTIONS = new Set(['--source', '--destination', '--to', '--ctorigsrc', '--ctorigdst', '--ctreplsrc', '--ctrepldst', '--tunnel-src', '--tunnel-dst']);

export function takesMaskedAddress(spec: OptionSpec): boolean {
  return ADDRESS_OPTIONS.has(spec.names[0]);
}

/** Reports each address of the word (a comma-separated list is checked item by item) with host bits set. */
export function checkHostBits(a: Token, sink: DiagnosticSink): void {
  if (a.dynamic) return;
  // Where the search for the next item's text starts (the items stand in order: a list can hold thousands).
  let from = 0;
  for (const item of a.value.includes(',') ? a.value.split(',') : [a.value]) {
    // A host (no prefix, an IPv4 /32, an IPv6 /128) has no host bits to set.
    if (!item.includes('/') || item.endsWith('/128') || (item.endsWith('/32') && !item.includes(':'))) continue;
    const r = parseNet(item);
    if (!r?.ok || !r.net.hostBitsSet || !r.net.contiguous) continue;
    const network = `${formatAddress(r.net.network, r.net.family)}/${r.net.prefix}`;
    const offset = a.raw.indexOf(item, from);
    if (offset >= 0) from = offset + item.length;
    const range = offset >= 0 && a.line === a.endLine ? a.part(item, item, offset, offset + item.length).range : a.range;
    sink.add('host-bits-set', 'warning', range, `'${item}' has host bits set past /${r.net.prefix}: iptables silently uses ${network}, the whole network. Write ${network} if that is meant, or /${r.net.family === 4 ? 32 : 128} for the one host.`, { replacement: network });
  }
}
