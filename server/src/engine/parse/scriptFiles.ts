/**
 * The files a shell script names for its firewall: the configuration it sources, the rules files it loads with
 * iptables-restore (or iptables-apply) and saves with iptables-save, and the ipset files it restores or saves.
 * The editor links each to the file it names.
 */
import { Token } from '../lexer';
import { Range } from '../types';
import { ShellValues } from './shellValues';

export const RESTORE_RE = /^(?:.*\/)?(ip6?tables)(?:-legacy|-nft)?-restore$/;
const SAVE_RE = /^(?:.*\/)?ip6?tables(?:-legacy|-nft)?-save$/;
const APPLY_RE = /^(?:.*\/)?ip6?tables-apply$/;
export const IPSET_RE = /^(?:.*\/)?ipset$/;

/** A redirection of a simple command, with the word that names its file. */
export interface Redirect {
  op: string;
  target: Token;
}

/** What a script does with a file it names. */
export type FileRole = 'sources' | 'loads' | 'saves' | 'ipset';

export interface FileMention {
  /** The word that names the file. */
  range: Range;
  /** The file as the script finds it: its absolute name, or a relative one taken beside the script. */
  path: string;
  role: FileRole;
}

/** A file named relative to the script, in the script's folder (`./fw.conf`, `conf/fw.conf`, `../fw.conf`). */
export function besideScript(script: string, name: string): string {
  const slash = script.lastIndexOf('/');
  return `${slash < 0 ? '.' : script.slice(0, slash) || ''}/${name.replace(/^(\.\/)+/, '')}`;
}

/** Options of iptables-restore, iptables-save and iptables-apply that take the next word as their value (not a file). */
const VALUED = new Set(['-T', '--table', '-t', '-M', '--modprobe', '-W', '--wait-interval', '--timeout', '-c', '--command']);

/** The words after the command word that are not options or their values. */
function operands(words: readonly Token[], k: number): Token[] {
  const out: Token[] = [];
  for (let j = k + 1; j < words.length; j++) {
    const v = words[j].value;
    if (VALUED.has(v)) j++;
    else if (v === '-w' || v === '--wait') {
      if (/^\d+$/.test(words[j + 1]?.value ?? '')) j++;
    } else if (!v.startsWith('-') || v === '-') out.push(words[j]);
  }
  return out;
}

/** The word after the option `names` among the words after the command word (`-f FILE`, `--file=FILE` is not read). */
function valueOf(words: readonly Token[], k: number, names: readonly string[]): Token | undefined {
  for (let j = k + 1; j + 1 < words.length; j++) if (names.includes(words[j].value)) return words[j + 1];
  return undefined;
}

const target = (redirects: readonly Redirect[] | undefined, ops: readonly string[]) => redirects?.find((r) => ops.includes(r.op))?.target;
const INPUT = ['<', '<>'];
const OUTPUT = ['>', '>>', '>|'];

/** The words of a command (its command word at `k`) that name a file, and what the command does with each. */
function named(words: readonly Token[], k: number, redirects: readonly Redirect[] | undefined): Array<[Token | undefined, FileRole]> {
  const w = words[k];
  if (w.quoted || w.dynamic) return [];
  const cmd = w.value;
  if (cmd === '.' || cmd === 'source') return [[words[k + 1], 'sources']];
  if (RESTORE_RE.test(cmd)) return [[target(redirects, INPUT) ?? operands(words, k)[0], 'loads']];
  if (SAVE_RE.test(cmd)) return [[target(redirects, OUTPUT) ?? valueOf(words, k, ['-f', '--file']), 'saves']];
  if (APPLY_RE.test(cmd)) return [[operands(words, k).pop(), 'loads'], [valueOf(words, k, ['-w', '--write']), 'saves']];
  if (IPSET_RE.test(cmd)) {
    const sub = words.slice(k + 1).find((t) => t.value === 'restore' || t.value === 'save')?.value;
    if (!sub) return [];
    return [[valueOf(words, k, ['-file', '-f']) ?? target(redirects, sub === 'restore' ? INPUT : OUTPUT), 'ipset']];
  }
  return [];
}

/** A file's name as the word gives it, with known variables put in; undefined for a word that names no file here. */
function fileName(word: Token, values: ShellValues, script: string | undefined): string | undefined {
  const text = word.dynamic ? values.resolve(word)?.value : word.value;
  if (!text || text === '-' || /^\/(dev|proc)\//.test(text) || text.startsWith('~')) return undefined;
  if (!word.quoted && /[*?[]/.test(text)) return undefined;
  if (text.startsWith('/')) return text;
  return script === undefined ? undefined : besideScript(script, text);
}

/** The files a command names (its command word at `k`). */
export function fileMentions(words: readonly Token[], k: number, redirects: readonly Redirect[] | undefined, values: ShellValues, script?: string): FileMention[] {
  const out: FileMention[] = [];
  for (const [word, role] of named(words, k, redirects)) {
    const path = word && fileName(word, values, script);
    if (word && path) out.push({ range: word.range, path, role });
  }
  return out;
}
