/**
 * unset-variable: an iptables command reads a variable that nothing in the script sets: `LAN_IFACE=eth1` at the top,
 * then `-i $LAN_IF`. The shell puts nothing there (an unquoted word is left out altogether), so iptables reads the
 * words around it as they come: `-i -j ACCEPT` takes `-j` for the interface and refuses the rule, `-s $ADMIN -p tcp`
 * takes `-p` for an address. A name close to one the script sets is a typo, said as a warning with the quick fix;
 * another may come from the environment the script runs in (`$IFACE` in an ifupdown hook), said as information.
 *
 * The same for the list of a `for` loop whose body runs iptables (`for ip in $BLOCKLIST`: a loop over nothing adds
 * none of its rules), for the rule lines of a here-document the shell expands before iptables-restore reads it (a
 * line it refuses loads nothing of the whole document), and for a command at the top of the script that reads a
 * variable the script sets only further down (a warning: when it runs, the variable is still empty).
 *
 * Said only where the whole script can be seen (no eval, no file sourced that cannot be read), and only of names the
 * script writes nowhere, not even in a word of another command (`read X`, `for X in`, `export X`, `X=`): any such
 * word counts as setting it.
 */
import { Token } from '../lexer';
import { Range } from '../types';
import { DiagnosticSink } from './diagnostics';
import { ShellValues, SimpleWords } from './shellValues';
import { ForLoop, loopHead } from './scriptLoops';

/** An expansion of a variable: `$NAME`, `${NAME}`, or `${NAME...}` with an operator (which may give a default). */
const EXPANSION = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** The environment a script may be run with: the shell's own variables, a login's, and the hooks that run firewall scripts. */
const ENVIRONMENT = new Set([
  'HOME', 'PATH', 'USER', 'LOGNAME', 'HOSTNAME', 'PWD', 'OLDPWD', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ',
  'UID', 'EUID', 'PPID', 'RANDOM', 'SECONDS', 'LINENO', 'IFS', 'OSTYPE', 'HOSTTYPE', 'MACHTYPE', 'BASHPID', 'REPLY',
  'SSH_CLIENT', 'SSH_CONNECTION', 'SSH_TTY', 'SUDO_USER', 'DISPLAY', 'FUNCNAME', 'PIPESTATUS', 'OPTARG', 'OPTIND',
  // ifupdown (/etc/network/if-up.d), PPP (/etc/ppp/ip-up.d), NetworkManager's dispatcher, dhclient's hooks.
  'IFACE', 'LOGICAL', 'ADDRFAM', 'METHOD', 'MODE', 'PHASE', 'VERBOSITY', 'DEVICE_IFACE', 'DEVICE_IP_IFACE',
  'CONNECTION_ID', 'CONNECTION_UUID', 'interface', 'reason', 'medium',
]);
/** Families of variables such hooks set (`PPP_IFACE`, `IP4_ADDRESS_0`, `new_ip_address`), and bash's own. */
const ENVIRONMENT_PREFIX = /^(PPP_|IP4_|IP6_|DHCP4_|DHCP6_|VPN_|BASH|new_|old_|cur_|requested_)/;

/** Names longer than this are not compared for slips; at most so many names are sought among, for so many unset ones. */
const MAX_NAME = 64;
const MAX_KNOWN = 2000;
const MAX_SOUGHT = 50;

/** Whether a name is close enough to one the script sets to be taken for a slip of it: case, a few edits, cut short. */
function closeEnough(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 3) return false;
  if (a.length === b.length && a.toLowerCase() === b.toLowerCase()) return true;
  // A name cut short, or written out longer (`$LAN_IF` for LAN_IFACE).
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (short.length >= 5 && long.startsWith(short)) return true;
  const n = short.length;
  return n >= 3 && distance(a, b) <= (n >= 8 ? 2 : 1);
}

/** Edits from one name to the other: a character added, removed, changed, or two side by side swapped (3 for "more"). */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  // Three rows of the table at a time: the one before the last is needed for a swap.
  // Only cells within two of the diagonal can stay under 3; the others count as 3. Rows of the table three at a
  // time (the one before the last is needed for a swap).
  let before = new Int32Array(b.length + 1).fill(3);
  let last = Int32Array.from({ length: b.length + 1 }, (_, j) => Math.min(j, 3));
  let row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    row.fill(3);
    row[0] = Math.min(i, 3);
    let least = row[0];
    for (let j = Math.max(1, i - 2); j <= Math.min(b.length, i + 2); j++) {
      let d = Math.min(last[j] + 1, row[j - 1] + 1, last[j - 1] + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1));
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) d = Math.min(d, before[j - 2] + 1);
      row[j] = Math.min(d, 3);
      least = Math.min(least, row[j]);
    }
    if (least >= 3) return 3;
    [before, last, row] = [last, row, before];
  }
  return last[b.length];
}

/** One expansion of a variable that may be unset, in a word of an iptables command or of a loop's list. */
interface Use {
  name: string;
  word: Token;
  /**
   * Where the word stands among the command's words, and where the command's own words start (its command word);
   * for a loop's list, among the list's words.
   */
  at: number;
  k: number;
  words: readonly Token[];
  /** In the list of a `for` loop whose body runs iptables: how many words the list has. */
  list?: number;
  /** For a command of a function's body: the command word of the call it first runs at (see CommandKinds.calledAt). */
  calledAt?: Token;
}

/**
 * What unset-variable looks through: the script's commands, its `for` loops, and the rule lines of the here-documents
 * the shell expands for iptables-restore (each with the command that reads the here-document).
 */
export interface ScriptUses<C extends SimpleWords> {
  commands: readonly C[];
  loops: readonly ForLoop[];
  restoreLines: ReadonlyArray<{ c: C; words: readonly Token[] }>;
}

/**
 * How a script's commands are told apart: `iptables(c)`, where the command's own words start (its command word),
 * for an iptables or ip6tables command, undefined for another; `topLevel(c)`, whether it runs where it stands, once
 * (not in a function, an if or case, or a loop); `calledAt(c)`, for a command of a function's body (not in an if,
 * case or loop of it), the command word of the function's first call, where that call is at the top of the script.
 */
export interface CommandKinds<C> {
  iptables: (c: C) => number | undefined;
  topLevel: (c: C) => boolean;
  calledAt: (c: C) => Token | undefined;
}

/**
 * Reports the variables iptables commands read and nothing sets, and those a command at the top of the script reads
 * before the script first sets them. `covered`: the uses another finding already speaks of (a loop's variable
 * written another way: loop-variable-unused).
 */
export function checkUnsetVariables<C extends SimpleWords>(script: ScriptUses<C>, words: Iterable<Token>, values: ShellValues, kinds: CommandKinds<C>, covered: readonly Range[], sink: DiagnosticSink): void {
  if (values.opaque) return;
  const { commands, loops, restoreLines } = script;
  const { iptables, topLevel, calledAt } = kinds;
  const may = (name: string, c: C) => !ENVIRONMENT.has(name) && !ENVIRONMENT_PREFIX.test(name) && (!values.written.has(name) || topLevel(c) || calledAt(c) !== undefined);
  // A here-document's rule line has no command word of its own (-1: none among its words).
  const lines = restoreLines.map(({ c, words: ws }) => ({ ...c, words: ws, at: -1, of: c }));
  const uses = [...usesIn(commands, iptables, may, calledAt), ...usesIn(lines, (l) => l.at, (name, l) => may(name, l.of), (l) => calledAt(l.of)), ...listUses(commands, loops, iptables, may)].sort((a, b) => a.word.line - b.word.line || a.word.start - b.word.start);
  if (!uses.length) return;
  const written = firstWrites(words, new Set(uses.map((u) => u.name)));
  const unset = new Map<string, Array<{ use: Use; range: Range }>>();
  const early = new Map<string, Array<{ use: Use; range: Range }>>();
  for (const use of uses) {
    const first = written.get(use.name);
    // Never written; or set (by an assignment, a loop, a read: not a mere mention) only after this use.
    const into = !first ? (values.written.has(use.name) ? undefined : unset) : values.written.has(use.name) && before(use.calledAt ?? use.word, first) ? early : undefined;
    const range = into && nameRange(use);
    if (!range || covered.some((r) => r.start.line === range.start.line && r.start.character === range.start.character)) continue;
    (into.get(use.name) ?? into.set(use.name, []).get(use.name)!).push({ use, range });
  }
  // (The names sought among are bounded: a script of thousands of names would otherwise compare every pair.)
  const known = [...values.written].filter((w) => w.length <= MAX_NAME).slice(0, MAX_KNOWN);
  let sought = 0;
  for (const [name, all] of unset) {
    const close = name.length <= MAX_NAME && sought++ < MAX_SOUGHT ? known.filter((w) => closeEnough(name, w)).sort((a, b) => distance(name, a) - distance(name, b)) : [];
    report(all, close[0], values, sink);
  }
  for (const all of early.values()) reportEarly(all, written.get(all[0].use.name)!, values, sink);
}

/** The first word that names each of `names` other than as an expansion (the words in the order of the script). */
function firstWrites(words: Iterable<Token>, names: Set<string>): Map<string, Token> {
  const out = new Map<string, Token>();
  for (const w of words) {
    if (!names.size) break;
    for (const name of namesWritten(w.raw)) {
      if (names.delete(name)) out.set(name, w);
    }
  }
  return out;
}

function before(a: Token, b: Token): boolean {
  return a.line < b.line || (a.line === b.line && a.start < b.start);
}

/** The expansions without a default in the words of the iptables commands (command words included), of the names `may` lets through. */
function usesIn<C extends SimpleWords>(commands: readonly C[], iptables: (c: C) => number | undefined, may: (name: string, c: C) => boolean, calledAt?: (c: C) => Token | undefined): Use[] {
  const out: Use[] = [];
  // The names each distinct word reads, worked out once (a script writes `$IPT` on every line).
  const names = new Map<string, string[]>();
  for (const c of commands) {
    const k = iptables(c);
    if (k === undefined) continue;
    for (let at = Math.max(k, 0); at < c.words.length; at++) {
      const word = c.words[at];
      if (!word.dynamic) continue;
      let read = names.get(word.raw);
      if (!read) names.set(word.raw, (read = namesRead(word.raw)));
      for (const name of read) if (may(name, c)) out.push({ name, word, at, k, words: c.words, calledAt: calledAt?.(c) });
    }
  }
  return out;
}

/** The expansions in the lists of `for` loops whose bodies run iptables (`for ip in $BLOCKLIST`). */
function listUses<C extends SimpleWords>(commands: readonly C[], loops: readonly ForLoop[], iptables: (c: C) => number | undefined, may: (name: string, c: C) => boolean): Use[] {
  const out: Use[] = [];
  if (!loops.length) return out;
  // How many iptables commands come before each command: whether a body holds one, without reading it (loops may
  // nest thousands deep).
  const before = new Int32Array(commands.length + 1);
  for (let i = 0; i < commands.length; i++) before[i + 1] = before[i] + (iptables(commands[i]) !== undefined ? 1 : 0);
  for (const loop of loops) {
    const list = loopHead(commands[loop.head].words)?.list;
    if (!list || before[loop.last + 1] === before[loop.first]) continue;
    for (const [at, word] of list.entries()) {
      if (word.dynamic) for (const name of namesRead(word.raw).filter((n) => may(n, commands[loop.head]))) out.push({ name, word, at, k: 0, words: list, list: list.length });
    }
  }
  return out;
}

/**
 * The variables a word reads without a default (an array's items too: `${ADMINS[@]}`, `${PORTS[0]}`); none where a
 * `$` may be text or a command's output is read.
 */
function namesRead(raw: string): string[] {
  // (A single quote may hold a `$` that is text; a command's output may set or read anything.)
  if (/['`\\]|\$\(/.test(raw)) return [];
  return [...raw.matchAll(EXPANSION)].flatMap((m) => (m[2] && !/^\[[^\]]*\]$/.test(m[2]) ? [] : [m[1] ?? m[3]]));
}

/** The names a word holds other than as an expansion: `X=1`, `read X`, `for X in`, `export X` (any mention counts). */
function namesWritten(raw: string): string[] {
  const out: string[] = [];
  for (const m of raw.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)) {
    const before = raw.slice(Math.max(0, m.index! - 2), m.index!);
    if (!before.endsWith('$') && !/\$\{$|[A-Za-z0-9_]$/.test(before)) out.push(m[0]);
  }
  return out;
}

/** The range of the variable's name in its word, where the word is on one line (else the whole word). */
function nameRange(use: Use): Range {
  const { word, name } = use;
  const offset = word.raw.search(new RegExp(`\\$\\{?${name}(?![A-Za-z0-9_])`));
  if (word.endLine !== word.line || offset < 0) return word.range;
  const from = word.start + offset + (word.raw[offset + 1] === '{' ? 2 : 1);
  return { start: { line: word.line, character: from }, end: { line: word.line, character: from + name.length } };
}

/** The finding on a name's first use; `suggestion`, a name the script sets that this one is close to. */
function report(all: ReadonlyArray<{ use: Use; range: Range }>, suggestion: string | undefined, values: ShellValues, sink: DiagnosticSink): void {
  const [{ use, range }] = all;
  const { name } = use;
  const reads = whatIptablesReads(use, values);
  const lines = [...new Set(all.slice(1).map((u) => u.range.start.line + 1))];
  const more = !lines.length ? '' : ` It is read on ${lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', ...' : ''}`} too.`;
  if (suggestion !== undefined) {
    sink.add('unset-variable', 'warning', range, `$${name} is set nowhere in this script: did you mean $${suggestion}? As it is, the shell puts nothing here${reads}.${more}`, { rename: { to: suggestion, ranges: all.map((u) => u.range) } });
  } else {
    sink.add('unset-variable', 'info', range, `$${name} is set nowhere in this script (no assignment, loop, read or sourced file): unless the environment it runs in sets it, the shell puts nothing here${reads}.${more}`);
  }
}

/** A variable a command at the top of the script reads before the script sets it (`first`): said once, on its first such use. */
function reportEarly(all: ReadonlyArray<{ use: Use; range: Range }>, first: Token, values: ShellValues, sink: DiagnosticSink): void {
  const [{ use, range }] = all;
  const lines = [...new Set(all.slice(1).map((u) => u.range.start.line + 1))];
  const more = !lines.length ? '' : ` It is read too early on ${lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', ...' : ''}`} too.`;
  const when = use.calledAt ? `when this line runs (its function is first run by the call on line ${use.calledAt.line + 1})` : 'when this line runs';
  sink.add('unset-variable', 'warning', range, `$${use.name} is set only later (line ${first.line + 1}): ${when} it is still empty, so the shell puts nothing here${whatIptablesReads(use, values)}. Set it before its first use.${more}`);
}

/** What iptables is given once the variable is empty: `, and iptables reads '-i -j'`. */
function whatIptablesReads(use: Use, values: ShellValues): string {
  const { word, at, k, words } = use;
  // The word without this variable; where it holds others, what it becomes is not said.
  const rest = word.raw.replace(new RegExp(`\\$(\\{${use.name}(\\[[^\\]]*\\])?\\}|${use.name}(?![A-Za-z0-9_]))`, 'g'), '').replace(/"/g, '');
  if (rest.includes('$')) return '';
  // Quoted, an empty array's items (`"${ADMINS[@]}"`) are no word at all, as an unquoted empty value is.
  const vanishes = !word.quoted || /^"\$\{[A-Za-z_][A-Za-z0-9_]*\[@\]\}"$/.test(word.raw);
  if (use.list !== undefined) return use.list === 1 && vanishes && rest === '' ? ': the loop makes no pass, and the rules of its body are never added' : ', and the loop goes without the values it was meant to hold';
  if (rest !== '') return `, and iptables is given '${rest}'`;
  if (!vanishes) return ': iptables is given an empty word';
  const text = (t: Token | undefined) => (t ? (values.text(t) ?? t.raw) : undefined);
  const next = text(words[at + 1]);
  if (at === k) return next ? `, and '${next}' is run as the command` : '';
  const prev = text(words[at - 1]);
  if (prev === undefined) return '';
  // A here-document's line (no command word among its words): iptables-restore loads none of it if it refuses one.
  const loads = k < 0 ? ' (a line iptables-restore refuses loads nothing of the whole here-document)' : '';
  return next ? `, and iptables reads '${prev} ${next}' there${loads}` : `, and iptables reads '${prev}' with nothing after it${loads}`;
}
