/**
 * The IPv6 rules file beside an IPv4 one: `rules.v6` beside `rules.v4` (Debian's iptables-persistent), `ip6tables`
 * beside `iptables` (Red Hat's /etc/sysconfig), `ip6tables.rules` beside `iptables.rules`. The service that loads
 * one loads the other, so an IPv4 file that denies by default says little while the IPv6 one accepts everything.
 */
import { buildState } from './chainState/build';
import { LineIndex } from './lineIndex';
import { DiagnosticSink } from './parse/diagnostics';
import { parseRestore } from './parse/restore';

export interface SiblingFile {
  /** Where the IPv6 file is, or would be. */
  path: string;
  /** Its text; null when there is no such file. */
  text: string | null;
  /** Where the service loads both files from: there, a missing IPv6 file means no IPv6 rules at all. */
  system: boolean;
}

/** The places where a service loads the IPv4 and IPv6 rules files side by side at boot. */
const SYSTEM = new Set(['/etc/iptables/rules.v6', '/etc/sysconfig/ip6tables']);

/** The path of the IPv6 file beside an IPv4 rules file, by its name; undefined for a name that has none. */
export function ipv6SiblingPath(fileName: string): string | undefined {
  // The name after the last separator; the directory as written.
  const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1;
  const base = fileName.slice(cut);
  const name = base.endsWith('.v4') ? `${base.slice(0, -3)}.v6` : /(^|[^6])iptables/.test(base) ? base.replace(/(^|[^6])iptables/, '$1ip6tables') : undefined;
  return name === undefined ? undefined : fileName.slice(0, cut) + name;
}

/** The last part of a path. */
export function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}

/** The IPv6 file beside the IPv4 one, read; undefined where there is none to look for, or it cannot be read. */
export function ipv6Sibling(fileName: string | undefined, read: ((p: string) => string | null | undefined) | undefined): SiblingFile | undefined {
  const at = fileName && read ? ipv6SiblingPath(fileName) : undefined;
  const text = at ? read!(at) : undefined;
  return at && text !== undefined ? { path: at, text, system: SYSTEM.has(at) } : undefined;
}

/** The last IPv6 file read (a keystroke in the IPv4 one reads it again, unchanged). */
let last: { text: string; open: boolean } | undefined;

/**
 * Whether an IPv6 rules file denies nothing on the way in: no DROP policy on INPUT, and no rule of its filter table
 * drops or rejects anything (nor any file at all). Anything that may deny, even in a chain INPUT never reaches,
 * counts as filtering: only a file that plainly does not filter is said to.
 */
export function admitsEverything(text: string): boolean {
  if (last?.text === text) return last.open;
  const rs = parseRestore(text, 6, new LineIndex(text));
  const state = buildState(rs, new DiagnosticSink());
  const filter = state.inTable(6, 'filter');
  const input = filter.find((cs) => cs.name === 'INPUT');
  const denies = input?.policy === 'DROP' || filter.some((cs) => cs.rules.some((r) => r.target?.dynamic || r.target?.name === 'DROP' || r.target?.name === 'REJECT'));
  last = { text, open: !denies };
  return last.open;
}
