/**
 * A rule in plain words: "Accepts TCP packets arriving on `eth0` from `10.0.0.0/8` to port 22 (SSH) in connection
 * state NEW." Conditions read the way they are written, in order; a condition without words of its own is quoted
 * as written, so nothing the rule says is left out.
 */
import { Command, OptionUse, TargetUse } from './model';
import { PORT_DESCRIPTIONS, PORT_NAMES, PROTOCOLS } from './kb/services';
import { conntrackStateOf, ICMP_TYPE_NUMBERS, ICMPV6_TYPE_NUMBERS, icmpTypeKind4, icmpTypeKind6, parsePort, PortBase, portBaseOf } from './kb/values';
import { holdsTemplateValue } from './parse/template';

const code = (s: string) => `\`${s}\``;

/** Common protocol names as people write them. */
const PROTOCOL_NAMES: Record<string, string> = { tcp: 'TCP', udp: 'UDP', icmp: 'ICMP', 'ipv6-icmp': 'ICMPv6', icmpv6: 'ICMPv6', sctp: 'SCTP', gre: 'GRE', esp: 'ESP', ah: 'AH', all: '', udplite: 'UDP-Lite', dccp: 'DCCP' };

function portWords(text: string, base: PortBase): string {
  const parts = text.split(',').map((item) => {
    const [a, b] = item.split(':');
    if (b !== undefined) return { port: `${a === '' ? '0' : a}–${b === '' ? '65535' : b}`, name: undefined };
    const n = parsePort(a, base);
    const name = n === undefined ? undefined : PORT_DESCRIPTIONS[n] ?? PORT_NAMES.get(n)?.[0];
    return { port: a, name: name === a ? undefined : name };
  });
  // Ports of one service (Plex's discovery ports) are named once, after the list.
  const shared = parts.length > 1 && parts.every((p) => p.name !== undefined && p.name === parts[0].name) ? parts[0].name : undefined;
  const items = parts.map((p) => (p.name && !shared ? `${p.port} (${p.name})` : p.port));
  const plural = items.length > 1 || text.includes(':');
  return `${plural ? 'ports' : 'port'} ${either(items)}${shared ? ` (${shared})` : ''}`;
}

const ALL_FLAGS = ['SYN', 'ACK', 'FIN', 'RST', 'URG', 'PSH'];

/** `--tcp-flags mask comp`: the flags of comp set, the rest of mask clear. */
function tcpFlagWords(mask: string, comp: string): string {
  const list = (s: string) => (s.toUpperCase() === 'ALL' ? ALL_FLAGS : s.toUpperCase() === 'NONE' || s === '' ? [] : s.toUpperCase().split(','));
  const set = list(comp);
  const clear = list(mask).filter((f) => !set.includes(f));
  const parts = [set.length ? `${either(set)} set` : '', clear.length ? `${either(clear).replace(' or ', ' and ')} clear` : ''].filter(Boolean);
  return `with TCP flags ${parts.join(' and ') || 'of any value'}`;
}

/** An ICMP type as written, with its name when it is written as a number. */
function icmpWords(text: string, v6: boolean): string {
  const m = /^(\d+)(?:\/(\d+))?$/.exec(text);
  const table = v6 ? ICMPV6_TYPE_NUMBERS : ICMP_TYPE_NUMBERS;
  if (!m) {
    // A name in another case or cut short (`ECHO-REQ`) is followed by the one iptables reads it as.
    const read = (v6 ? icmpTypeKind6 : icmpTypeKind4).choiceOf?.(text, v6 ? 6 : 4)?.label;
    return `${code(text)}${read && read !== text ? ` (${read})` : ''}`;
  }
  const [type, code0] = [Number(m[1]), m[2] === undefined ? undefined : Number(m[2])];
  const name = Object.keys(table).find((k) => table[k][0] === type && table[k][1] === code0);
  return `${code(text)}${name ? ` (${name})` : ''}`;
}

function iface(text: string): string {
  return text.endsWith('+') ? `any interface whose name starts with ${code(text.slice(0, -1))}` : code(text);
}

/** The protocol as an adjective (`TCP`, `non-UDP`, a number by its name); empty for every protocol. */
function protocolWords(o: OptionUse): string {
  if (o.argDynamic || o.argValue === undefined) return code(o.argValue ?? '');
  let p = o.argValue.toLowerCase();
  if (/^\d+$/.test(p)) p = Object.keys(PROTOCOLS).find((k) => PROTOCOLS[k] === Number(p)) ?? `protocol ${p}`;
  const name = PROTOCOL_NAMES[p] ?? p;
  if (name === '') return o.negated ? 'no' : '';
  return o.negated ? `non-${name}` : name;
}

/** `a`, `a or b`, `a, b or c`: from a list, or from a comma-separated value. */
function either(list: string | string[]): string {
  const items = typeof list === 'string' ? list.split(',') : list;
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}` : items[0];
}

/** The words for one condition, or undefined when it has none of its own (then quoted as written). */
function conditionWords(o: OptionUse): string | undefined {
  const v = o.argText;
  const not = o.negated ? 'not ' : '';
  if (!o.owner) {
    switch (o.spec.short) {
      case '-s': return v && `${not}from ${code(v)}`;
      case '-d': return v && `${not}to ${code(v)}`;
      case '-i': return v && `${o.negated ? 'not arriving' : 'arriving'} on ${iface(v)}`;
      case '-o': return v && `${o.negated ? 'not leaving' : 'leaving'} by ${iface(v)}`;
      case '-f': return o.negated ? 'that are not later fragments' : 'that are later fragments of a fragmented packet';
    }
    return undefined;
  }
  // A value missing (a broken rule) or known only when the script runs: quoted as written.
  if (v === undefined && o.spec.args.length > 0) return undefined;
  switch (o.spec.names[0]) {
    case '--dport':
    case '--dports': return `${not}to ${portWords(v!, portBaseOf(o.spec.args[0]))}`;
    case '--sport':
    case '--sports': return `${not}from ${portWords(v!, portBaseOf(o.spec.args[0]))}`;
    case '--ports': return `${not}from or to ${portWords(v!, 0)}`;
    case '--ctstate':
    case '--state': return `${o.negated ? 'not ' : ''}in connection state ${either(v!.split(',').map((x) => conntrackStateOf(x) ?? x.toUpperCase()))}`;
    case '--syn': return o.negated ? 'that do not open a TCP connection' : 'that open a TCP connection (SYN)';
    case '--tcp-flags': return `${o.negated ? 'except those ' : ''}${tcpFlagWords(v!, o.values[1] ?? '')}`;
    case '--icmp-type':
    case '--icmpv6-type': return `${not}of type ${icmpWords(v!, o.spec.names[0] === '--icmpv6-type')}`;
    case '--src-range': return `${not}from addresses ${code(v!)}`;
    case '--dst-range': return `${not}to addresses ${code(v!)}`;
    case '--mac-source': return `${not}from MAC address ${code(v!)}`;
    case '--match-set': return `whose ${either((o.values[1] ?? 'src').replace(/src/g, 'source').replace(/dst/g, 'destination'))} ${o.negated ? 'is not' : 'is'} in the ipset ${code(v!)}`;
    case '--limit': return `while within the rate limit ${v}`;
    case '--limit-burst': return `(bursts of up to ${v})`;
    case '--uid-owner': return `${o.negated ? 'not ' : ''}sent by user ${code(v!)}`;
    case '--comment': return '';
  }
  return undefined;
}

/** What the rule does with the packets it matches: the words before them, and after. */
function verdict(t: TargetUse | undefined): { lead: string; tail: string } {
  if (!t) return { lead: 'Counts', tail: ' (no target: the packets go on to the next rule)' };
  const opt = (name: string) => t.options.find((o) => o.spec.names.includes(name) && !o.argDynamic)?.argValue;
  if (!t.spec) {
    if (t.dynamic) return { lead: 'Hands', tail: ` to ${code(t.name)}, a target known only ${holdsTemplateValue(t.name) ? 'once the template is rendered' : 'when the script runs'}` };
    return t.goto
      ? { lead: 'Sends', tail: ` on to chain ${code(t.name)} for good (-g: they do not come back here)` }
      : { lead: 'Sends', tail: ` through chain ${code(t.name)}; those it does not decide come back to the next rule here` };
  }
  switch (t.spec.name) {
    case 'ACCEPT': return { lead: 'Accepts', tail: '' };
    case 'DROP': return { lead: 'Drops', tail: ' without an answer' };
    case 'REJECT': return { lead: 'Rejects', tail: `, answering with ${code(opt('--reject-with') ?? 'icmp-port-unreachable')}` };
    case 'RETURN': return { lead: 'Returns', tail: ' to the chain that jumped here (in a built-in chain: to its policy)' };
    case 'LOG': return { lead: 'Logs', tail: `${opt('--log-prefix') ? ` with the prefix ${code(opt('--log-prefix')!)}` : ''} and lets them go on to the next rule` };
    case 'DNAT': return { lead: 'Redirects', tail: `, sending them to ${code(opt('--to-destination') ?? '?')} instead (destination NAT)` };
    case 'SNAT': return { lead: 'Rewrites the source address of', tail: ` to ${code(opt('--to-source') ?? '?')} (source NAT)` };
    case 'MASQUERADE': return { lead: 'Rewrites the source address of', tail: ' to the address of the interface they leave by (masquerading)' };
    case 'REDIRECT': return { lead: 'Redirects', tail: ` to ${opt('--to-ports') ? `port ${opt('--to-ports')} of ` : ''}this machine` };
    case 'MARK': return { lead: 'Marks', tail: ` with ${code(opt('--set-mark') ?? opt('--set-xmark') ?? t.options.map((o) => [o.nameText, ...o.values].join(' ')).join(' '))}, then lets them go on` };
    case 'NOTRACK': return { lead: 'Exempts', tail: ' from connection tracking' };
  }
  const opts = t.options.map((o) => [o.nameText, ...o.values].join(' ')).join(' ');
  return { lead: `Applies ${code(`${t.name}${opts ? ` ${opts}` : ''}`)} to`, tail: t.spec.terminating ? '' : ', then lets them go on to the next rule' };
}

/** The rule's match and target in a sentence, and its comment, if any. */
export function explainRule(c: Command): string {
  const conditions: string[] = [];
  const quoted: Array<{ module: string; words: string[]; at: number }> = [];
  let protocol = '';
  for (const o of c.options) {
    if (o.owner?.kind === 'target') continue;
    // The target, the match loads, the table, the counters and the command's own settings are no conditions.
    if (!o.owner && (o.spec.commandLineOnly || ['-j', '-g', '-m', '-t', '-c'].includes(o.spec.short ?? ''))) continue;
    if (!o.owner && o.spec.short === '-p') {
      protocol = protocolWords(o);
      continue;
    }
    const words = conditionWords(o);
    if (words === '') continue;
    if (words !== undefined) {
      conditions.push(words);
      continue;
    }
    // Options without words of their own are quoted as written, those of one match together.
    const written = [o.negated ? '!' : '', o.nameText, ...o.values].filter(Boolean).join(' ');
    const mod = o.owner ? `-m ${o.owner.name}` : '';
    const last = quoted[quoted.length - 1];
    if (last && last.module === mod && last.at === conditions.length - 1) last.words.push(written);
    else {
      quoted.push({ module: mod, words: [written], at: conditions.length });
      conditions.push('');
    }
  }
  for (const q of quoted) conditions[q.at] = `with ${code([q.module, ...q.words].filter(Boolean).join(' '))}`;
  for (const m of c.matches) if (m.spec && !m.implicit && m.options.length === 0 && !['tcp', 'udp', 'icmp', 'icmp6', 'comment'].includes(m.spec.name)) conditions.push(`matching ${code(`-m ${m.name}`)}`);
  const { lead, tail } = verdict(c.target);
  const what = `${protocol ? `${protocol} packets` : conditions.length ? 'packets' : 'every packet'}`;
  const sentence = `${lead} ${what}${conditions.length ? ` ${conditions.join(' ')}` : ''}${tail}.${c.conditional ? ' A template may render it several times, or not at all.' : ''}`;
  const comment = c.options.find((o) => o.spec.names[0] === '--comment' && !o.argDynamic)?.argValue;
  return comment !== undefined ? `${sentence}\n\nComment: “${comment}”` : sentence;
}
