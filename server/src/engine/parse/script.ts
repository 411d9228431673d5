/**
 * Finds iptables/ip6tables invocations in shell scripts: direct, through sudo, or through a variable that
 * holds an iptables path (IPT=/sbin/iptables; $IPT -A ...). Everything else in the script is left alone.
 */
import { Family } from '../kb/addresses';
import { findTable } from '../kb';
import { Token } from '../lexer';
import { LineIndex } from '../lineIndex';
import { ArmRef, ChainDecl, Command, CommentLine, Ruleset, TableBlock } from '../model';
import { HereDoc, lexShell, ShellItem } from '../shellLexer';
import { parseCommand } from './command';
import { parseRestoreLines } from './restore';
import { DiagnosticSink } from './diagnostics';

/**
 * A word that has to do with IPv6: ip6tables (and $IP6T), a disable_ipv6 sysctl, an inet6 address, rules.v6, another
 * script for it (firewall6.sh, fw-v6).
 */
const IPV6_WORD = /ip6|ipv6|inet6|v6\b|6\.sh$/i;
const IPTABLES_RE = /^(?:.*\/)?(ip6?tables)(?:-legacy|-nft)?$/;
const PREFIX_WORDS = new Set(['sudo', 'command', 'exec', 'nice', 'nohup', 'time', 'env', 'doas', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{']);
const IPT_VAR_RE = /^\$\{?(IP6?T(?:ABLES)?[A-Z0-9_]*|ip6?t(?:ables)?[a-z0-9_]*)\}?$/;

/** Which family a command word runs, if it is an iptables invocation. */
function invocationFamily(word: Token, aliases: Map<string, Family>): Family | undefined {
  if (word.dynamic) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(word.value);
    if (!m) return undefined;
    const known = aliases.get(m[1]);
    if (known) return known;
    if (IPT_VAR_RE.test(word.value)) return /6/.test(m[1]) ? 6 : 4;
    return undefined;
  }
  const m = IPTABLES_RE.exec(word.value);
  if (!m) return undefined;
  return m[1] === 'ip6tables' ? 6 : 4;
}

/** A simple command: its words, the here-document fed to it, if any, and the arms of if/case statements it is in. */
interface SimpleCommand {
  words: Token[];
  heredoc?: HereDoc;
  arms: ArmRef[];
  /** The words of a case pattern (`start|restart)`), not a command. */
  pattern?: boolean;
}

/** An if or case statement being read: the arm at hand (-1: the condition, or the words before `in`). */
interface Statement {
  kind: 'if' | 'case';
  id: number;
  arm: number;
  /** A case statement: reading its patterns, or an arm's commands. */
  reading?: 'patterns' | 'arm';
}

/**
 * Follows if and case statements through the simple commands, to say which arm each command is in. Keywords count
 * at the start of a command only (`echo fi` ends nothing); loops, functions and braces have no arms and are read
 * through.
 */
class Statements {
  private readonly open: Statement[] = [];
  private next = 0;

  private top(kind: Statement['kind']): Statement | undefined {
    const s = this.open[this.open.length - 1];
    return s?.kind === kind ? s : undefined;
  }

  /** Takes in a finished simple command's leading keywords; returns whether the command is a case pattern. */
  begin(words: Token[]): boolean {
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      if (w.quoted || w.dynamic) break;
      const open = this.top('if');
      if (w.value === 'if') this.open.push({ kind: 'if', id: this.next++, arm: -1 });
      else if (w.value === 'then' && open) open.arm = Math.max(open.arm, 0);
      else if ((w.value === 'elif' || w.value === 'else') && open) open.arm++;
      else if (w.value === 'fi' && open) this.open.pop();
      else if (w.value === 'esac' && this.top('case')) this.open.pop();
      else if (w.value === 'case') {
        const c: Statement = { kind: 'case', id: this.next++, arm: -1 };
        this.open.push(c);
        // The patterns start after `in` (the first may stand on the same line).
        if (words.slice(k + 1).some((x) => x.value === 'in' && !x.quoted)) c.reading = 'patterns';
        return false;
      } else if (this.top('case')?.reading === 'patterns') return true;
      else if (!['do', 'while', 'until', '!', '{', '}', 'done'].includes(w.value)) break;
    }
    return this.top('case')?.reading === 'patterns';
  }

  /** An operator after a simple command: `)` ends a case pattern, `;;` an arm. */
  operator(op: string): void {
    const c = this.top('case');
    if (!c) return;
    if (op === ')' && c.reading === 'patterns') {
      c.arm++;
      c.reading = 'arm';
    } else if (op === ';;' && c.reading === 'arm') c.reading = 'patterns';
  }

  /** The arms the next command is in, outermost first (a condition is in no arm of its own statement). */
  arms(): ArmRef[] {
    const out: ArmRef[] = [];
    for (const s of this.open) if (s.arm >= 0) out.push({ statement: s.id, arm: s.arm });
    return out;
  }
}

/** Splits the item stream into simple commands (words between control operators), each with its here-document. */
function simpleCommands(items: ShellItem[]): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  const statements = new Statements();
  let cur: SimpleCommand = { words: [], arms: [] };
  /** The commands that opened here-documents on the current line, in order: the bodies follow the line. */
  const opened: SimpleCommand[] = [];
  const finish = () => {
    if (cur.words.length) {
      cur.pattern = statements.begin(cur.words);
      cur.arms = statements.arms();
      out.push(cur);
    }
    cur = { words: [], arms: [] };
  };
  for (const it of items) {
    if (it.kind === 'word') cur.words.push(it.token);
    else if (it.kind === 'heredoc') {
      const owner = opened.shift();
      if (owner && !owner.heredoc) owner.heredoc = it;
    } else if (it.kind === 'op' && (it.value === '<<' || it.value === '<<-')) opened.push(cur);
    else if (it.kind === 'op' && !['<', '>', '>>', '>&', '<&', '<>', '>|'].includes(it.value)) {
      finish();
      statements.operator(it.value);
    }
  }
  finish();
  return out;
}

/** What a command does to the chains, for choosing an arm: adds (rules, chains), takes away (flush, delete, open policy). */
function effect(c: Command): [adds: number, removes: number] {
  const op = c.spec?.short ?? '';
  if (op === '-A' || op === '-I' || op === '-N' || op === '-R') return [1, 0];
  if (op === '-F' || op === '-X' || op === '-D' || (op === '-P' && c.extra?.value === 'ACCEPT')) return [0, 1];
  return [0, 0];
}

/** Compares arm scores: more added first, then less taken away, then more iptables commands. */
function better(a: number[], b: number[]): boolean {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return a[k] > b[k];
  return false;
}

/**
 * The commands the analysis does not follow. In each if or case statement it follows the arm that sets up the most
 * (rules added and chains made; then the least taken away: flushes, deletions, ACCEPT policies; then the most
 * iptables commands; the first such arm), or none of them when running none sets up more (an `if` whose only arm
 * flushes): the firewall the script means to build, the `start` of an init script, not its `stop` or `panic`. The
 * commands of the other arms still get every check of their own, but leave the chains as they were.
 */
function otherArms(arms: Map<Command, ArmRef[]>): Set<Command> | undefined {
  const score = new Map<string, number[]>();
  for (const [c, path] of arms) {
    const [adds, removes] = effect(c);
    for (const r of path) {
      const key = `${r.statement}:${r.arm}`;
      const s = score.get(key) ?? [0, 0, 0];
      score.set(key, [s[0] + adds, s[1] - removes, s[2] + 1]);
    }
  }
  // Per statement, the arm followed; -1 (no arm runs) to begin with.
  const chosen = new Map<number, { arm: number; s: number[] }>();
  for (const [key, s] of score) {
    const [statement, arm] = key.split(':').map(Number);
    const best = chosen.get(statement) ?? { arm: -1, s: [0, 0, 0] };
    if (better(s, best.s) || (!better(best.s, s) && best.arm >= 0 && arm < best.arm)) chosen.set(statement, { arm, s });
    else chosen.set(statement, best);
  }
  const out = new Set<Command>();
  for (const [c, path] of arms) if (path.some((r) => chosen.get(r.statement)?.arm !== r.arm)) out.add(c);
  return out.size ? out : undefined;
}

const RESTORE_RE = /^(?:.*\/)?(ip6?tables)(?:-legacy|-nft)?-restore$/;

/**
 * `iptables-restore <<'EOF'` with the rules in the script itself: the body is a restore file that the script loads
 * there. Read as one when the shell changes nothing in it (a quoted delimiter, or no expansion in it) and it is
 * loaded for real (not --test). Without --noflush it replaces the tables it names.
 */
interface Embedded {
  ruleset: Ruleset;
  family: Family;
  flush: boolean;
  heredoc: HereDoc;
}

function embeddedRestore(words: Token[], k: number, heredoc: HereDoc | undefined, index: LineIndex, opts: ScriptOptions): Embedded | undefined {
  const m = RESTORE_RE.exec(words[k].value);
  if (!m || !heredoc || heredoc.stripTabs || heredoc.fromLine >= heredoc.toLine) return undefined;
  const args = words.slice(k + 1).map((w) => w.value);
  if (args.some((a) => a === '-t' || a === '--test')) return undefined;
  if (!heredoc.quoted) {
    for (let line = heredoc.fromLine; line < heredoc.toLine; line++) if (/[$`]/.test(index.lineText(line))) return undefined;
  }
  const family: Family = opts.family ?? (m[1] === 'ip6tables' ? 6 : 4);
  const flush = !args.some((a) => a === '-n' || a === '--noflush');
  return { ruleset: parseRestoreLines(index, family, heredoc.fromLine, heredoc.toLine), family, flush, heredoc };
}

export interface ScriptOptions {
  /** The family of a plain `iptables` is 4, of `ip6tables` 6; a setting may force one. */
  family?: Family;
}

export function parseScript(text: string, defaultFamily: Family, index = new LineIndex(text), opts: ScriptOptions = {}): Ruleset {
  const sink = new DiagnosticSink();
  const items = lexShell(text, index);
  const comments: CommentLine[] = [];
  let lastWordLine = -1;
  let mentionsIpv6 = false;
  for (const it of items) {
    if (it.kind === 'word') {
      lastWordLine = it.token.range.end.line;
      mentionsIpv6 ||= IPV6_WORD.test(it.token.raw);
    }
    if (it.kind === 'comment') comments.push({ text: it.text, range: it.range, trailing: it.range.start.line === lastWordLine });
  }
  const aliases = new Map<string, Family>();
  const commands: Command[] = [];
  const families = new Set<Family>();
  const embedded: Embedded[] = [];
  const armsOf = new Map<Command, ArmRef[]>();
  for (const { words, heredoc, arms, pattern } of simpleCommands(items)) {
    if (pattern) continue;
    const k = commandWord(words, aliases);
    if (k >= words.length) continue;
    const restore = embeddedRestore(words, k, heredoc, index, opts);
    if (restore) {
      embedded.push(restore);
      families.add(restore.family);
      for (const c of restore.ruleset.commands) {
        c.commandFamily = restore.family;
        c.index = commands.length;
        commands.push(c);
        if (arms.length) armsOf.set(c, arms);
      }
      continue;
    }
    const fam = invocationFamily(words[k], aliases);
    if (!fam) continue;
    const family = opts.family ?? fam ?? defaultFamily;
    families.add(family);
    const cmd = parseCommand(words.slice(k + 1), { family, format: 'script', table: 'filter', sink, index: commands.length });
    if (cmd) {
      cmd.commandFamily = family;
      commands.push(cmd);
      if (arms.length) armsOf.set(cmd, arms);
    }
  }
  const family = opts.family ?? (families.size === 1 ? [...families][0] : defaultFamily);
  const ruleset: Ruleset = { format: 'script', family, tables: [], chains: [], commands, comments, diagnostics: sink.items, lineCount: index.lineCount, mentionsIpv6, otherArms: otherArms(armsOf), armsOf: armsOf.size ? armsOf : undefined };
  return withEmbedded(ruleset, embedded, sink);
}

/**
 * Where the command word stands among the words: after leading assignments (remembering variables that name
 * iptables), a pasted shell prompt, and prefixes such as sudo (with its options).
 */
function commandWord(words: Token[], aliases: Map<string, Family>): number {
  let k = 0;
  while (k < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[k].raw)) {
    const eq = words[k].value.indexOf('=');
    const name = words[k].value.slice(0, eq);
    const value = words[k].value.slice(eq + 1).trim();
    const fam = value.split(/\s+/).map((w) => IPTABLES_RE.exec(w)).find((m) => m);
    if (fam) aliases.set(name, fam[1] === 'ip6tables' ? 6 : 4);
    else if (/^\$\(\s*(command -v|which)\s+ip6?tables\s*\)$/.test(value) || /^`\s*which\s+ip6?tables\s*`$/.test(value)) {
      aliases.set(name, /ip6tables/.test(value) ? 6 : 4);
    }
    k++;
  }
  // A shell prompt pasted with the command (root@host:~# iptables ...).
  if (k < words.length && /^\S*[@:]\S*[#$]$/.test(words[k].raw)) k++;
  while (k < words.length && PREFIX_WORDS.has(words[k].value)) {
    k++;
    while (k < words.length && words[k - 1].value === 'sudo' && words[k].value.startsWith('-')) k++;
  }
  return k;
}

/**
 * The script's tables and chains: those its commands use, and those of the restore files it loads from
 * here-documents (with their findings and comments), each list in the order of the lines, as the state is built.
 */
function withEmbedded(rs: Ruleset, embedded: Embedded[], sink: DiagnosticSink): Ruleset {
  const fromBodies = new Set(embedded.flatMap((e) => e.ruleset.commands));
  const { tables, chains } = scriptTablesAndChains(rs.commands.filter((c) => !fromBodies.has(c)));
  for (const e of embedded) {
    sink.addAll(e.ruleset.diagnostics);
    rs.comments.push(...e.ruleset.comments);
    for (const t of e.ruleset.tables) tables.push({ ...t, family: e.family, restore: e.flush ? 'flush' : 'noflush' });
    for (const d of e.ruleset.chains) chains.push({ ...d, family: e.family });
  }
  const byLine = (a: { range: { start: { line: number } } }, b: { range: { start: { line: number } } }) => a.range.start.line - b.range.start.line;
  tables.sort(byLine);
  chains.sort(byLine);
  rs.comments.sort(byLine);
  const hereDocs = embedded.map((e) => ({ fromLine: e.heredoc.fromLine, toLine: e.heredoc.toLine, family: e.family }));
  return { ...rs, tables, chains, diagnostics: sink.items, embedded: hereDocs.length ? hereDocs : undefined };
}

/** Tables used by the script (with their built-in chains) and the chains it creates with -N. */
function scriptTablesAndChains(commands: Command[]): { tables: TableBlock[]; chains: ChainDecl[] } {
  const tables: TableBlock[] = [];
  const chains: ChainDecl[] = [];
  const seen = new Set<string>();
  for (const c of commands) {
    const key = `${c.commandFamily ?? 4}:${c.table}`;
    if (!seen.has(key)) {
      seen.add(key);
      const spec = findTable(c.table);
      const r = c.tableToken?.range ?? c.range;
      tables.push({ name: c.table, range: r, nameRange: r, endLine: r.end.line, family: c.commandFamily });
      for (const name of spec?.chains ?? []) chains.push({ table: c.table, name, nameRange: r, builtin: true, range: r, via: 'builtin', family: c.commandFamily });
    }
  }
  return { tables, chains };
}
