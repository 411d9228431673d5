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
import { addressListKind, portListKind, readPortRange, ValueKind } from '../kb/values';
import { Token } from '../lexer';
import { DiagnosticSink } from '../parse/diagnostics';

/**
 * An item of a list as a closed interval (ports, addresses) or a name (flags, states, by number). Plain numbers where
 * they fit (ports, names, IPv4), big integers for IPv6; one kind in a list.
 */
interface Item {
  text: string;
  lo: number | bigint;
  hi: number | bigint;
}

export function checkListRepeats(a: Token, kind: ValueKind, family: Family, sink: DiagnosticSink): void {
  if (a.dynamic || (kind !== portListKind && kind !== addressListKind && !(kind.list && kind.choiceOf))) return;
  // Most lists hold no repeat, and are passed over without making anything: a parse that makes more has its
  // young-generation collections copy the rules parsed so far more often.
  if (kind === portListKind ? !portsMayRepeat(a.value) : kind !== addressListKind && !namesMayRepeat(a.value)) return;
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

/** The bounds of the items of the port list being looked at (at most 15 ports, a range counting as two). */
const LO = new Int32Array(16);
const HI = new Int32Array(16);

/**
 * Whether an item of a port list may hold another: false only when every item is a decimal port or range and no two
 * meet in that way (anything else, a service name or an octal `010`, is left to the full reading).
 */
function portsMayRepeat(v: string): boolean {
  let n = 0;
  let cur = -1;
  let lo = -1;
  for (let i = 0; i <= v.length; i++) {
    const c = i < v.length ? v.charCodeAt(i) : 44;
    if (c >= 48 && c <= 57) {
      // A leading zero makes the number octal (or is a plain 0 before more digits).
      if (cur === 0) return true;
      cur = (cur < 0 ? 0 : cur * 10) + c - 48;
      if (cur > 65535) return true;
    } else if (c === 58 && lo < 0 && cur >= 0) {
      lo = cur;
      cur = -1;
    } else if (c === 44 && cur >= 0 && n < LO.length) {
      LO[n] = lo < 0 ? cur : lo;
      HI[n] = cur;
      for (let k = 0; k < n; k++) if ((LO[k] <= LO[n] && HI[n] <= HI[k]) || (LO[n] <= LO[k] && HI[k] <= HI[n])) return true;
      n++;
      cur = -1;
      lo = -1;
    } else {
      return true;
    }
  }
  return false;
}

/**
 * Whether two names of a list may be one: false when no two start with the same letter (any spelling of a name,
 * a prefix or another case, starts with the name's first letter).
 */
function namesMayRepeat(v: string): boolean {
  let seen = 0;
  for (let i = 0; ; ) {
    const c = (v.charCodeAt(i) | 0x20) - 97;
    if (!(c >= 0 && c <= 25) || seen & (1 << c)) return true;
    seen |= 1 << c;
    const next = v.indexOf(',', i);
    if (next < 0) return false;
    i = next + 1;
  }
}

/** Each item of the list, or undefined for one this check does not read (a host name, an unknown name). */
function itemsOf(texts: string[], kind: ValueKind, family: Family): Array<Item | undefined> {
  if (kind === portListKind) {
    return texts.map((text) => {
      // multiport needs both ends of a range.
      const r = text.startsWith(':') || text.endsWith(':') ? undefined : readPortRange(text);
      return r === undefined || r[1] < r[0] ? undefined : { text, lo: r[0], hi: r[1] };
    });
  }
  if (kind === addressListKind) {
    return texts.map((text) => {
      const r = parseNet(text);
      if (!r?.ok || !r.net.contiguous || r.net.family !== family) return undefined;
      return family === 4 ? { text, lo: Number(r.net.lo), hi: Number(r.net.hi) } : { text, lo: r.net.lo, hi: r.net.hi };
    });
  }
  // Named choices: the same choice twice (a prefix or another spelling of a name is that name).
  const labels = new Map<string, number>();
  return texts.map((text) => {
    const label = kind.choiceOf!(text, family)?.label;
    if (label === undefined) return undefined;
    const n = labels.get(label) ?? labels.size;
    labels.set(label, n);
    return { text, lo: n, hi: n };
  });
}

/** The places of the list's items, by where their intervals start, wider first, then in the list's order. */
function byStart(items: ReadonlyArray<Item | undefined>): number[] {
  const at = items.flatMap((it, n) => (it ? [n] : []));
  const cmp = (x: number | bigint, y: number | bigint) => (x < y ? -1 : x > y ? 1 : 0);
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
  const stack: Array<{ hi: number | bigint; first: number }> = [];
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
