/** Realistic generated rulesets: service accepts, a long blocklist, user chains with jumps and RETURNs, nat and mangle, conntrack, multiport, negations, comments. */
export function generateRuleset(rules: number, seed = 1): string {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0) / 4294967296);
  const ip = () => `${1 + Math.floor(rnd() * 222)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`;
  const nat: string[] = [];
  const mangle: string[] = [];
  const filter: string[] = [];
  const chains = Math.max(2, Math.floor(rules / 500));
  const nNat = Math.floor(rules * 0.03);
  const nMangle = Math.floor(rules * 0.02);
  for (let i = 0; i < nNat; i++) {
    nat.push(i % 2 ? `-A PREROUTING -i eth0 -p tcp -m tcp --dport ${10000 + i} -j DNAT --to-destination 10.0.${(i >> 8) & 255}.${i & 255}:80` : `-A POSTROUTING -s 10.${i & 255}.0.0/16 -o eth0 -j MASQUERADE`);
  }
  for (let i = 0; i < nMangle; i++) mangle.push(`-A PREROUTING -p tcp -m tcp --dport ${20000 + i} -j MARK --set-xmark 0x${(i % 255) + 1}/0xff`);
  filter.push('-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '-A INPUT -m conntrack --ctstate INVALID -j DROP', '-A INPUT -j BLOCKLIST');
  for (let c = 0; c < chains; c++) filter.push(`-A INPUT -s 10.${c}.0.0/16 -j SVC${c}`);
  let left = rules - nNat - nMangle - filter.length;
  const block = Math.floor(left * 0.6);
  for (let i = 0; i < block; i++) filter.push(`-A BLOCKLIST -s ${ip()}/32 -m comment --comment "blocked ${i}" -j DROP`);
  filter.push('-A BLOCKLIST -j RETURN');
  left -= block + 1;
  for (let i = 0; i < left; i++) {
    const c = i % chains;
    const r = rnd();
    filter.push(
      r < 0.3 ? `-A SVC${c} -p tcp -m tcp --dport ${1024 + Math.floor(rnd() * 60000)} -j ACCEPT`
        : r < 0.5 ? `-A SVC${c} -p udp -m multiport --dports ${Math.floor(rnd() * 1000)},${2000 + Math.floor(rnd() * 1000)} -j ACCEPT`
          : r < 0.65 ? `-A SVC${c} ! -s 10.${c}.${Math.floor(rnd() * 256)}.0/24 -p tcp -m tcp --dport ${Math.floor(rnd() * 1024)} -j REJECT --reject-with tcp-reset`
            : r < 0.8 ? `-A SVC${c} -s 10.${c}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}/32 -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT`
              : r < 0.9 ? `-A SVC${c} -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT`
                : `-A SVC${c} -i eth+ -p tcp -m tcp --tcp-flags SYN,RST,ACK SYN -m recent --update --seconds 60 --name s${c} -j DROP`,
    );
  }
  for (let c = 0; c < chains; c++) filter.push(`-A SVC${c} -j RETURN`);
  filter.push('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j REJECT --reject-with icmp-host-prohibited');
  return [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...nat, 'COMMIT',
    '*mangle', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...mangle, 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':BLOCKLIST - [0:0]', ...Array.from({ length: chains }, (_, c) => `:SVC${c} - [0:0]`), ...filter, 'COMMIT', '',
  ].join('\n');
}

/**
 * The same ruleset as a firewall script of `rules` iptables commands, as people write them: the binary in a
 * variable, the tables flushed first, the user chains made, every rule one command, the policies set last.
 */
export function generateScript(rules: number, seed = 1): string {
  const out = ['#!/bin/sh', 'IPT=/sbin/iptables', ''];
  const policies: string[] = [];
  let table = 'filter';
  const t = () => (table === 'filter' ? '' : `-t ${table} `);
  for (const line of generateRuleset(rules, seed).split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1);
      out.push(`$IPT ${t()}-F`, `$IPT ${t()}-X`);
    } else if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      if (policy === '-') out.push(`$IPT ${t()}-N ${name}`);
      else if (policy !== 'ACCEPT') policies.push(`$IPT ${t()}-P ${name} ${policy}`);
    } else if (line.startsWith('-A')) out.push(`$IPT ${t()}${line}`);
  }
  return [...out, ...policies, ''].join('\n');
}
