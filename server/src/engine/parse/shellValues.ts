/**
 * Shell variables whose value is known where an iptables command uses them: `WAN=eth0` once, plainly, at the top of
 * the script (not in an if, case, loop or function, nor after `&&`, `||` or `|`), and `$WAN` after it. The analysis then reads `-i $WAN` as `-i eth0`.
 *
 * Only where nothing else can set the variable: assigned exactly once in the whole script, to a literal (no
 * expansion, no globs, blanks only in quotes, where a word with it unquoted is split: see resolve); never exported, declared, made local, read, looped over, unset, given
 * a default (`${WAN:=...}`) or appended to; and the script runs no eval, and sources no file but those of plain
 * assignments that can be read (whose assignments count where they are sourced). A word is replaced when
 * every expansion in it is such a variable, on a later line than its assignment: the variable alone (`$WAN`,
 * `"$WAN"`) or with text around it (`$LAN/24`, `${HOST}:8080`).
 */
import { Token } from '../lexer';
import { holdsTemplateValue } from './template';

export interface SimpleWords {
  words: Token[];
  arms: readonly unknown[];
  /** After `&&` or `||`, or in a pipeline: it may not run (or runs in a subshell). */
  conditional?: boolean;
  /** The items of the array its last word assigns (`PORTS=(22 80)`). */
  array?: ArrayItems;
}

/** The words between the parentheses of an array assignment; `plain` unless something else stands there too. */
export interface ArrayItems {
  words: Token[];
  plain: boolean;
}

export const ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;
const USE = /^"?\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))"?$/;
/** A plain expansion inside a word's value: `${NAME}` or `$NAME` (the longest name, as the shell reads it). */
export const EXPANSION = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g;
const DEFAULT = /\$\{([A-Za-z_][A-Za-z0-9_]*):?=/g;
/** Commands that set variables of their own (or every variable: sourcing a file, eval). */
const DECLARES = new Set(['export', 'readonly', 'declare', 'typeset', 'local', 'unset', 'read', 'getopts', 'mapfile', 'readarray', 'let']);
const OPAQUE = new Set(['.', 'source', 'eval']);
/** Words that open or continue compound commands, read past before a command's assignments. */
export const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '{', '}', '!']);

/**
 * What a file the script sources (`. /etc/firewall.conf`) sets, when it holds nothing but assignments: its known
 * variables, and every name it assigns (those not known are then no one's to read).
 */
export interface Sourced {
  values: ShellValues;
  assigned: ReadonlySet<string>;
}

/**
 * A known variable: its value, and the word that sets it (its assignment, or the `.` that sources it). An array's
 * value is its first item (what `$PORTS` gives), and `items` all of them.
 */
interface Known {
  value: string;
  word: Token;
  items?: readonly string[];
}

/** An item of an array (`${PORTS[1]}`), all of them (`${PORTS[@]}`, `${PORTS[*]}`), by a literal index. */
const ARRAY_USE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\[(@|\*|0|[1-9][0-9]*)\]\}/g;
/** A word that is one array's items alone, quoted or not. */
const ARRAY_ALONE = /^("?)\$\{([A-Za-z_][A-Za-z0-9_]*)\[([@*])\]\}\1$/;
/** An assignment to one item of an array (`PORTS[3]=8080`): the array is then not known. */
const ITEM_ASSIGN = /^([A-Za-z_][A-Za-z0-9_]*)\[[^\]]*\]\+?=/;

/** The known variables, by name: their value and their one assignment. */
export class ShellValues {
  /**
   * `opaque`: the script runs eval or sources a file that cannot be read, or holds more than assignments: it may
   * then also run commands (iptables ones included) that nothing here sees. `written`: every name the script (or a
   * file it sources) assigns, declares, reads into, loops over or gives a default.
   */
  private constructor(private readonly known: Map<string, Known>, readonly opaque = false, readonly written: ReadonlySet<string> = new Set(), private readonly runLine?: number) {}

  /**
   * The same variables, for the words of a command that runs later than it stands: a function's, whose every call
   * comes at `line` or after (a variable set before that line is known there, wherever the body is written).
   */
  runningAt(line: number): ShellValues {
    return new ShellValues(this.known, this.opaque, this.written, line);
  }

  /** Whether a word on `line` reads the value set by `v` (set before the word runs). */
  private setBefore(line: number, v: Known): boolean {
    return Math.max(line, this.runLine ?? line) > v.word.line;
  }

  /**
   * `sourced` reads the file a `.` or `source` command names (its one word); without it, or when it cannot, the
   * script may have set any variable from there on, and none is known.
   */
  static of(commands: readonly SimpleWords[], sourced?: (path: Token) => Sourced | undefined): ShellValues {
    const count = new Map<string, number>();
    const once = new Map<string, Known>();
    const spoil = (name: string) => count.set(name, 2);
    let loops = 0;
    for (const { words, arms, conditional, array } of commands) {
      // Keywords before the command: a loop's body may run any number of times, none included.
      let k = 0;
      for (; k < words.length && !words[k].quoted && KEYWORDS.has(words[k].value); k++) {
        if (words[k].value === 'do') loops++;
        else if (words[k].value === 'done') loops = Math.max(0, loops - 1);
      }
      const from = k;
      for (; k < words.length; k++) {
        const item = ITEM_ASSIGN.exec(words[k].raw);
        if (item) {
          spoil(item[1]);
          continue;
        }
        const m = ASSIGN.exec(words[k].raw);
        if (!m) break;
        if (m[2]) spoil(m[1]);
        count.set(m[1], (count.get(m[1]) ?? 0) + 1);
        const plain = arms.length === 0 && !conditional && loops === 0;
        const assigned = k === words.length - 1 ? array : undefined;
        const items = assigned && arrayItems(assigned);
        const value = words[k].value.slice(words[k].value.indexOf('=') + 1);
        if (plain && items) once.set(m[1], { value: items[0] ?? '', word: words[k], items });
        else if (plain && !assigned && isLiteral(words[k], value)) once.set(m[1], { value, word: words[k] });
        else spoil(m[1]);
      }
      // `VAR=x command`: the assignment is for that command alone.
      if (k < words.length) for (let j = from; j < k; j++) spoil((ASSIGN.exec(words[j].raw) ?? ITEM_ASSIGN.exec(words[j].raw))![1]);
      const first = words[k];
      if (first && OPAQUE.has(first.value)) {
        const got = first.value !== 'eval' && words.length === k + 2 ? sourced?.(words[k + 1]) : undefined;
        if (!got) return new ShellValues(new Map(), true);
        // The file's assignments, as if made where it is sourced.
        const plain = arms.length === 0 && !conditional && loops === 0;
        for (const name of got.assigned) {
          count.set(name, (count.get(name) ?? 0) + 1);
          const value = got.values.valueOf(name);
          if (plain && value !== undefined) once.set(name, { value, word: first });
          else spoil(name);
        }
        continue;
      }
      if (first && DECLARES.has(first.value)) for (const w of words.slice(k + 1)) spoil(/^[A-Za-z_][A-Za-z0-9_]*/.exec(w.value)?.[0] ?? '');
      // `printf -v NAME ...` sets NAME (bash).
      if (first?.value === 'printf') for (let j = k + 1; j + 1 < words.length; j++) if (words[j].value === '-v') spoil(words[j + 1].value);
      if (first?.value === 'for' && words[k + 1]) spoil(words[k + 1].value);
      // (Looked for only in words that hold an expansion: most hold none, and a search allocates.)
      for (const w of words) if (w.dynamic && w.raw.includes('${')) for (const d of w.raw.matchAll(DEFAULT)) spoil(d[1]);
    }
    const known = new Map<string, Known>();
    for (const [name, v] of once) if (count.get(name) === 1) known.set(name, v);
    return new ShellValues(known, false, new Set(count.keys()));
  }

  /**
   * Whether the shell splits unquoted values at blanks, as it does unless the script sets IFS (`IFS=' ,'` splits at
   * commas too, anywhere after it runs): where it may not, an unquoted known value is not known as words.
   */
  get plainSplitting(): boolean {
    return !this.written.has('IFS');
  }

  /** The value of a known variable. */
  valueOf(name: string): string | undefined {
    return this.known.get(name)?.value;
  }

  get size(): number {
    return this.known.size;
  }

  /**
   * The word with the variables' values put in, when every expansion in it is a known variable used after its
   * assignment: the variable alone (`$WAN`, `"${WAN}"`) or with text around it (`$LAN/24`, `"$PREFIX: "`).
   */
  resolve(t: Token): Token | undefined {
    const value = this.text(t);
    // Unquoted, a value with blanks is split into several words, and an empty one is no word at all (see split).
    if (value === undefined || (!t.quoted && (value === '' || /\s/.test(value) || !this.plainSplitting))) return undefined;
    return new Token(value, t.raw, t.line, t.start, t.endLine, t.end, t.quoted, false);
  }

  /**
   * An unquoted word whose known value holds blanks, as the shell splits it: the words it becomes (each with the
   * word's range), for an iptables command to read one after another (`--dports $PORTS` with PORTS="22 80" gives
   * iptables `--dports 22 80`); none for an empty value (`-i $LAN` with `LAN=` gives iptables `-i` and whatever
   * comes next). Undefined for a quoted word, or one not known.
   */
  split(t: Token): Token[] | undefined {
    if (t.quoted || !this.plainSplitting) return undefined;
    const value = this.text(t);
    if (value === undefined || (value !== '' && !/\s/.test(value))) return undefined;
    return value.split(/\s+/).filter(Boolean).map((v) => new Token(v, t.raw, t.line, t.start, t.endLine, t.end, false, false));
  }

  /** The variables a word names, each with the word that sets it, in the order they are set. */
  settersOf(t: Token): Array<{ name: string; word: Token }> {
    const names = new Set([...t.raw.matchAll(EXPANSION), ...t.raw.matchAll(ARRAY_USE)].map((m) => m[1] ?? m[2]));
    return [...names].flatMap((name) => {
      const v = this.known.get(name);
      return v ? [{ name, word: v.word }] : [];
    }).sort((a, b) => a.word.line - b.word.line);
  }

  /**
   * A word of a loop's list or a call's arguments as the shell has it before splitting it: its own text for a
   * literal word; for one with variables, their known values put in, unless it is unquoted where how the shell
   * splits is not known (see plainSplitting); undefined where not known.
   */
  wordText(t: Token): string | undefined {
    if (!t.dynamic) return t.value;
    return t.quoted || this.plainSplitting ? this.text(t) : undefined;
  }

  /**
   * The words a word that is an array's items alone gives (`"${PORTS[@]}"`: each item; `${PORTS[@]}` unquoted: the
   * items split at blanks; `"${PORTS[*]}"`: one word, the items joined by a space); undefined for any other word,
   * or an array not known there.
   */
  arrayWords(t: Token): string[] | undefined {
    const m = t.dynamic ? ARRAY_ALONE.exec(t.raw) : null;
    const v = m ? this.known.get(m[2]) : undefined;
    if (!m || !v?.items || !this.setBefore(t.line, v) || !this.plainSplitting) return undefined;
    if (m[1] === '') return v.items.join(' ').split(/\s+/).filter(Boolean);
    return m[3] === '@' ? [...v.items] : [v.items.join(' ')];
  }

  /** The text of a word with its known variables put in, before the shell splits it at blanks. */
  text(t: Token): string | undefined {
    if (!t.dynamic) return undefined;
    const m = USE.exec(t.raw);
    if (m) {
      const v = this.known.get(m[1] ?? m[2]);
      return v && this.setBefore(t.line, v) ? v.value : undefined;
    }
    return this.expand(t);
  }

  /**
   * The value of a word made of text and known variables. The lexer keeps each expansion verbatim in the value (quotes
   * taken away): every `$` there must start a plain `$NAME` or `${NAME}` of a known variable. A `$` the script escapes
   * (`\$`) is text the value cannot tell apart: such a word is left unknown.
   */
  private expand(t: Token): string | undefined {
    // Unknown for other reasons too: a command's output, a template's value.
    if (!t.value.includes('$') || /\\\$|`|'[^']*\$/.test(t.raw) || holdsTemplateValue(t.raw)) return undefined;
    let failed = false;
    const withItems = t.value.includes('[') ? t.value.replace(ARRAY_USE, (whole: string, name: string, index: string) => {
      const v = this.known.get(name);
      const all = index === '@' || index === '*';
      // Quoted, `${A[@]}` makes a word of each item: several words, or none at all; and the items are joined by IFS's
      // first character.
      if (!v?.items || !this.setBefore(t.line, v) || (all && ((t.quoted && index === '@' && v.items.length !== 1) || !this.plainSplitting))) failed = true;
      return v?.items ? (all ? v.items.join(' ') : v.items[Number(index)] ?? '') : whole;
    }) : t.value;
    const out = withItems.replace(EXPANSION, (whole: string, braced: string | undefined, bare: string | undefined) => {
      const v = this.known.get(braced ?? bare ?? '');
      if (!v || !this.setBefore(t.line, v)) failed = true;
      return v?.value ?? whole;
    });
    return failed || out.includes('$') ? undefined : out;
  }
}

/**
 * An array's items, when each is literal (see isLiteral) and, unquoted, holds no brace the shell would expand
 * (`(80 {8000..8010})`); undefined otherwise.
 */
function arrayItems(array: ArrayItems): string[] | undefined {
  if (!array.plain) return undefined;
  for (const w of array.words) if (!isLiteral(w, w.value) || (!w.quoted && w.value.includes('{'))) return undefined;
  return array.words.map((w) => w.value);
}

/**
 * A literal value: no expansion, no glob; blanks only inside quotes (`PORTS="22 80"`), never a line break. Empty
 * too (`LAN=`, `ADMIN=""`): a setting left blank is a value the shell puts in like any other.
 */
function isLiteral(t: Token, value: string): boolean {
  return !t.dynamic && !/[\n*?[\]\\`$'"]/.test(value) && (t.quoted || !/\s/.test(value));
}
