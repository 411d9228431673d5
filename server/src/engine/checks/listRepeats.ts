/**
 * duplicate-list-item: an item of a comma-separated list that another item of the same list already holds.
 *
 * - A multiport list of ports (`--dports 22,80,22`, or 25 in `20:30,25`) or a list of named flags or states
 *   (`--ctstate NEW,NEW`): the match is the same with the item left out.
 * - An address list (`-s 10.0.0.0/8,10.1.0.0/16`): iptables adds one rule per address, so the later address's rule
 *   matches only packets the earlier one's matches too (and never fires where that one takes them all).
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
  if (a.dynamic || (kind !== portListKind && kind !== addressListKind && !(kind.list && kind.choiceOf))) return;
  const texts = a.value.split(',');
  const items = itemsOf(texts, kind, family);
  const addresses = kind === addressListKind;
  const holders = addresses ? earlierHolders(items) : anyHolders(items);
  let from = 0;
  for (const [i, item] of items.entries()) {
    const offset = a.raw.indexOf(texts[i], from);
    if (offset >= 0) from = offset + texts[i].length;
    const holder = holders[i];
    if (!item || holder === undefined) continue;
    const other = items[holder]!;
    const found = offset >= 0 && a.line === a.endLine;
    const range = found ? a.part(item.text, item.text, offset, offset + item.text.length).range : a.range;
    // The fix takes the item out with the comma before it (after it, for the list's first item).
    const data = found ? { comma: i > 0 ? 'before' : 'after', safe: !addresses } : undefined;
    sink.add('duplicate-list-item', 'info', range, messageOf(item, other, holder < i, kind), data);
  }
}

/** Each item of the list, or undefined for one this check does not read (a host name, an unknown name). */
function itemsOf(texts: string[], kind: ValueKind, family: Family): Array<Item | undefined> {
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

/** The places of the list's items, by where their intervals start, wider first, then in the list's order. */
function byStart(items: ReadonlyArray<Item | undefined>): number[] {
  const at = items.flatMap((it, n) => (it ? [n] : []));
  const cmp = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
  return at.sort((m, n) => cmp(items[m]!.lo, items[n]!.lo) || cmp(items[n]!.hi, items[m]!.hi) || m - n);
}

/**
 * Where order does not matter (ports, names): for each item, another that holds it, earlier in the list or wider.
 * In the order of byStart, every item before it starts no later, so one that ends no earlier holds it.
 */
function anyHolders(items: ReadonlyArray<Item | undefined>): Array<number | undefined> {
  const out: Array<number | undefined> = items.map(() => undefined);
  let widest: number | undefined;
  for (const n of byStart(items)) {
    if (widest !== undefined && items[widest]!.hi >= items[n]!.hi) out[n] = widest;
    else widest = n;
  }
  return out;
}

/**
 * Networks, where order matters (one rule per address): for each item, an earlier item of the list that holds it.
 * Networks either nest or do not meet, so in the order of byStart the items that hold one are the stack of those
 * not yet ended; each entry keeps the earliest item of its stack.
 */
function earlierHolders(items: ReadonlyArray<Item | undefined>): Array<number | undefined> {
  const out: Array<number | undefined> = items.map(() => undefined);
  const stack: Array<{ hi: bigint; first: number }> = [];
  for (const n of byStart(items)) {
    const it = items[n]!;
    while (stack.length && stack[stack.length - 1].hi < it.lo) stack.pop();
    const top = stack[stack.length - 1];
    if (top && top.first < n) out[n] = top.first;
    stack.push({ hi: it.hi, first: top ? Math.min(top.first, n) : n });
  }
  return out;
}

function messageOf(item: Item, other: Item, before: boolean, kind: ValueKind): string {
  const same = item.lo === other.lo && item.hi === other.hi;
  const where = same ? `is already in this list${item.text === other.text ? '' : ` (as '${other.text}')`}` : `lies within '${other.text}'${before ? ', listed before it' : ', also in this list'}`;
  if (kind === addressListKind) {
    return `'${item.text}' ${where}: iptables adds one rule per address, and this address's rule matches only packets that the rule of '${other.text}' matches too. Where that rule takes them (ACCEPT, DROP, REJECT, RETURN, with no rate limit or other count of its own), this one never fires; otherwise it acts on them again (a LOG logs them twice). Remove it.`;
  }
  return `'${item.text}' ${where}: the match is the same without it. Remove it.`;
}
