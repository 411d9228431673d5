/**
 * The ipsets a shell script makes: `ipset create NAME TYPE [family inet6]` (and its other spellings), the `create`
 * lines of an `ipset restore` here-document, `ipset rename`. iptables refuses a rule that names a set which does not
 * exist when it runs, or one of the other address family; knowing the script's own sets lets the linter say so.
 */
import { Family } from '../kb/addresses';
import { lexRestoreLine, Token } from '../lexer';
import { LineIndex } from '../lineIndex';
import { ArmRef } from '../model';
import { HereDoc } from '../shellLexer';
import { Range } from '../types';
import { IPSET_RE } from './scriptFiles';
import { ShellValues } from './shellValues';

/** A set the script makes. */
export interface IpsetMade {
  name: string;
  /** `hash:net`, `list:set`, ...; its address family when the type has one (IPv4 unless `family inet6`). */
  type: string;
  family?: Family;
  /** The name's word; its line, and the arms the command stands in (for whether it runs before a rule). */
  range: Range;
  line: number;
  arms: readonly ArmRef[];
}

/** A set the script destroys (`ipset destroy NAME`; every set, without a name), where, and in which arms. */
export interface IpsetDestroyed {
  name?: string;
  line: number;
  arms: readonly ArmRef[];
}

/** What the script's ipset commands make, and whether some may make sets the linter cannot see (a file restored). */
export interface ScriptIpsets {
  made: IpsetMade[];
  unseen: boolean;
  destroyed?: IpsetDestroyed[];
}

/** Global options of ipset that take a value (the others take none). */
const VALUED = new Set(['-o', '-output', '--output', '-f', '-file', '--file']);
/** Global options of ipset without a value, which may stand anywhere among a command's words. */
const FLAGS = new Set(['-exist', '--exist', '-!', '-q', '-quiet', '--quiet', '-r', '-resolve', '--resolve', '-s', '-sorted', '--sorted', '-n', '-name', '--name', '-t', '-terse', '--terse']);
const CREATE = new Set(['create', 'n', '-N', '--create', '-create']);
const RESTORE = new Set(['restore', 'r', '-R', '--restore', '-restore']);
const RENAME = new Set(['rename', 'e', '-E', '--rename', '-rename']);
const DESTROY = new Set(['destroy', 'x', '-X', '--destroy', '-destroy']);
/** The commands read here, whose word ends the global options before them. */
const COMMANDS = new Set([...CREATE, ...RESTORE, ...RENAME, ...DESTROY]);
/** Types whose members are addresses of one family (hash:mac and list:set have none). */
const ADDRESS_TYPES = /^(hash|bitmap):(ip|net)/;

function familyOf(type: string, options: readonly string[]): Family | undefined {
  if (!ADDRESS_TYPES.test(type)) return undefined;
  const k = options.findIndex((o) => o.replace(/^-+/, '') === 'family');
  return k >= 0 && options[k + 1] === 'inet6' ? 6 : 4;
}

/** Reads one ipset command's words (after `ipset`, or a line of a restore file) into `out`. */
function readCommand(words: readonly Token[], values: ShellValues | undefined, arms: readonly ArmRef[], out: ScriptIpsets, heredoc?: { index: LineIndex; doc: HereDoc }): void {
  let k = 0;
  let file = false;
  for (; k < words.length && words[k].value.startsWith('-') && !COMMANDS.has(words[k].value); k++) {
    if (VALUED.has(words[k].value)) {
      file ||= words[k].value.replace(/^-+/, '') !== 'o' && words[k].value.replace(/^-+/, '') !== 'output';
      k++;
    }
  }
  const cmd = words[k]?.value;
  if (cmd === undefined) return;
  const text = (w: Token | undefined) => (w === undefined ? undefined : w.dynamic ? values?.resolve(w)?.value : w.value);
  if (CREATE.has(cmd) || RENAME.has(cmd)) {
    // The command's own words, without the global options that may stand among them (`create -exist NAME TYPE`).
    const own = words.slice(k + 1).filter((w, j, all) => !FLAGS.has(w.value) && !VALUED.has(w.value) && !VALUED.has(all[j - 1]?.value));
    const nameWord = own[RENAME.has(cmd) ? 1 : 0];
    const name = text(nameWord);
    if (name === undefined || nameWord === undefined) {
      out.unseen = true;
      return;
    }
    // A renamed set keeps the type of the one it was; unknown here, so it has no family.
    const type = CREATE.has(cmd) ? text(own[1]) ?? '' : '';
    const options = own.slice(2).map((w) => w.value);
    out.made.push({ name, type, family: CREATE.has(cmd) ? familyOf(type, options) : undefined, range: nameWord.range, line: nameWord.line, arms });
  } else if (DESTROY.has(cmd)) {
    // One set, or every set; a name not known here may be any of them, which says nothing for sure.
    const nameWord = words.slice(k + 1).find((w) => !FLAGS.has(w.value));
    const name = text(nameWord);
    if (nameWord === undefined || name !== undefined) (out.destroyed ??= []).push({ name, line: nameWord?.line ?? words[k].line, arms });
  } else if (RESTORE.has(cmd)) {
    if (file || !heredoc) out.unseen = true;
    else readRestore(heredoc.index, heredoc.doc, arms, out);
  }
}

/** The lines of an `ipset restore` here-document: each an ipset command without the `ipset`. */
function readRestore(index: LineIndex, doc: HereDoc, arms: readonly ArmRef[], out: ScriptIpsets): void {
  for (let line = doc.fromLine; line < doc.toLine; line++) {
    const text = index.lineText(line);
    // The shell expands an unquoted delimiter's body: a `$` there may name anything.
    if (!doc.quoted && /[$`]/.test(text)) {
      out.unseen = true;
      continue;
    }
    readCommand(lexRestoreLine(text, line).tokens, undefined, arms, out);
  }
}

/** Reads the command at `k` of a script's simple command into `out` when it is ipset. */
export function readIpsetCommand(words: readonly Token[], k: number, values: ShellValues, arms: readonly ArmRef[], heredoc: HereDoc | undefined, index: LineIndex, out: ScriptIpsets): void {
  const w = words[k];
  const cmd = w.dynamic ? values.resolve(w)?.value : w.value;
  // `$IPSET create ...` with a value not known here: it may make any set.
  if (cmd === undefined) out.unseen ||= /ipset/i.test(w.raw);
  else if (IPSET_RE.test(cmd)) readCommand(words.slice(k + 1), values, arms, out, heredoc && { index, doc: heredoc });
}
