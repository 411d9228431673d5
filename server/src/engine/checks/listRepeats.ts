/**
 * duplicate-list-item: an item of a comma-separated list that another item of the same list already holds.
 *
 * - A multiport list of ports (`--dports 22,80,22`, or 25 in `20:30,25`) or a list of named flags or states
 *   (`--ctstate NEW,NEW`): the match is the same with the item left out.
 * - An address list (`-s 10.0.0.1,10.0.0.0/8` with 10.0.0.0/8 first): iptables adds one rule per address, so the
 *   later address's rule meets only packets the earlier one already met.
 *
 * Checked as each rule is parsed, while its words are at hand, only for words holding a comma.
 */
import { Family, parseNet } from '../kb/addresses';
import { addressListKind, parsePort, portListKind, ValueKind } from '../kb/values';
import { Token } from '../lexer';
import { DiagnosticSink } from '../parse/diagnostics';

/** An item of a list as a closed interval (ports, addresses) or a name (flags, states). */
interface Item {
  text: string;
  lo: bigint;
  hi: bigint;
}

export function checkListRepeats(a: Token, kind: ValueKind, family: Family, sink: DiagnosticSink): void {
  if (a.dynamic) return;
  const texts = a.value.split(',');
  const items = itemsOf(texts, kind, family);
  if (!items) return;
  const addresses = kind === addressListKind;
  let from = 0;
  for (const [i, item] of items.entries()) {
    const offset = a.raw.indexOf(texts[i], from);
    if (offset >= 0) from = offset + texts[i].length;
    if (!item) continue;
    const holder = holderOf(items, i, addresses);
    if (holder === undefined) continue;
    const other = items[holder]!;
    const found = offset >= 0 && a.line === a.endLine;
    const range = found ? a.part(item.text, item.text, offset, offset + item.text.length).range : a.range;
    // The fix takes the item out with the comma before it (after it, for the list's first item).
    const data = found ? { comma: i > 0 ? 'before' : 'after', safe: !addresses } : undefined;
    sink.add('duplicate-list-item', 'info', range, messageOf(item, other, holder < i, kind), data);
  }
}

/** Each item of the list, or undefined for one this check does not read (a host name, an unknown name). */
function itemsOf(texts: string[], kind: ValueKind, family: Family): Array<Item | undefined> | undefined {
  if (kind === portListKind) {
    return texts.map((text) => {
      const [lo, hi] = text.split(':').map((p) => parsePort(p));
      return lo === undefined || (text.includes(':') && (hi === undefined || hi < lo)) ? undefined : { text, lo: BigInt(lo), hi: BigInt(hi ?? lo) };
    });
  }
  if (kind === addressListKind) {
    return texts.map((text) => {
      const r = parseNet(text);
      return r?.ok && r.net.contiguous && r.net.family === family ? { text, lo: r.net.lo, hi: r.net.hi } : undefined;
    });
  }
  if (!kind.list || !kind.choiceOf) return undefined;
  // Named choices: the same choice twice (a prefix or another spelling of a name is that name).
  const labels = new Map<string, bigint>();
  return texts.map((text) => {
    const label = kind.choiceOf!(text, family)?.label;
    if (label === undefined) return undefined;
    const n = labels.get(label) ?? BigInt(labels.size);
    labels.set(label, n);
    return { text, lo: n, hi: n };
  });
}

/**
 * The item that already holds item i: an earlier one that holds it, or (where order does not matter: ports, names) a
 * later one that holds more than it.
 */
function holderOf(items: ReadonlyArray<Item | undefined>, i: number, ordered: boolean): number | undefined {
  const it = items[i]!;
  for (const [j, o] of items.entries()) {
    if (j === i || !o || o.lo > it.lo || o.hi < it.hi) continue;
    if (j < i || (!ordered && (o.lo < it.lo || o.hi > it.hi))) return j;
  }
  return undefined;
}

function messageOf(item: Item, other: Item, before: boolean, kind: ValueKind): string {
  const same = item.lo === other.lo && item.hi === other.hi;
  const where = same ? `is already in this list${item.text === other.text ? '' : ` (as '${other.text}')`}` : `lies within '${other.text}'${before ? ', listed before it' : ', also in this list'}`;
  if (kind === addressListKind) {
    return `'${item.text}' ${where}: iptables adds one rule per address, and this address's rule sees only packets the earlier one has already seen (it never fires if the rule decides them; otherwise it acts on them a second time). Remove it.`;
  }
  return `'${item.text}' ${where}: the match is the same without it. Remove it.`;
}
