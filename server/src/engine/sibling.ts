/**
 * The IPv6 rules file beside an IPv4 one: `rules.v6` beside `rules.v4` (Debian's iptables-persistent), `ip6tables`
 * beside `iptables` (Red Hat's /etc/sysconfig), `ip6tables.rules` beside `iptables.rules`. The service that loads
 * one loads the other, so an IPv4 file that denies by default says little while the IPv6 one accepts everything.
 */
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
  const base = baseName(fileName);
  const cut = fileName.length - base.length;
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
