/** A short readable summary of a rule, as in `iptables -L`: `tcp dpt:22 from 10.0.0.0/8 -> ACCEPT`. */
import { Command } from './model';

export function summarize(c: Command): string {
  const parts: string[] = [];
  const where: string[] = [];
  const neg = (o: { negated: boolean }) => (o.negated ? '!' : '');
  for (const o of c.options) {
    const v = o.values.join(' ');
    if (!o.owner) {
      switch (o.spec.short) {
        case '-p': parts.unshift(`${neg(o)}${v}`); continue;
        case '-s': where.push(`from ${neg(o)}${v}`); continue;
        case '-d': where.push(`to ${neg(o)}${v}`); continue;
        case '-i': where.push(`in ${neg(o)}${v}`); continue;
        case '-o': where.push(`out ${neg(o)}${v}`); continue;
        case '-f': where.push(`${neg(o)}fragment`); continue;
        default: continue;
      }
    }
    const name = o.spec.names[0];
    const short: Record<string, string> = {
      '--dport': 'dpt:', '--sport': 'spt:', '--dports': 'dports:', '--sports': 'sports:', '--ctstate': 'ctstate ', '--state': 'state ',
      '--icmp-type': 'icmp ', '--icmpv6-type': 'icmpv6 ', '--comment': '', '--match-set': 'set ', '--mac-source': 'mac ', '--src-range': 'src ', '--dst-range': 'dst ',
      '--uid-owner': 'uid ', '--limit': 'limit ', '--syn': 'syn',
    };
    if (o.owner.kind === 'target') continue;
    if (name in short) parts.push(`${neg(o)}${short[name]}${name === '--comment' ? `/* ${v} */` : v}`);
  }
  for (const m of c.matches) {
    if (m.spec && ['limit', 'recent', 'hashlimit', 'string', 'time', 'owner', 'connlimit', 'statistic'].includes(m.spec.name) && !parts.some((p) => p.startsWith(m.spec!.name))) parts.push(m.spec.name);
  }
  const t = c.target;
  const target = t ? `${t.goto ? 'goto ' : ''}${t.name}${t.options.length ? ' ' + t.options.map((o) => [o.nameText, ...o.values].join(' ')).join(' ') : ''}` : '(count only)';
  const all = [...parts, ...where];
  return `${all.length ? all.join(' ') : 'all'} -> ${target}`;
}
