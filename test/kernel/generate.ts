/**
 * A generator of small rulesets over the tables, chains, targets, matches and options the knowledge base knows,
 * valid and invalid alike, for comparing the linter's verdict with the kernel's.
 */
import { mulberry } from '../../server/src/engine/trace/confirm';
import { KernelCase } from './oracle';

export const rng = mulberry;

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const TABLE_CHAINS: Record<string, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  raw: ['PREROUTING', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
const ALL_CHAINS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];

const PROTOS4 = ['', '', '-p tcp', '-p tcp', '-p udp', '-p udp', '-p icmp', '-p sctp', '-p dccp', '! -p tcp', '-p all', '-p 6', '-p gre', '-p esp', '-p ipv6-icmp', '-p icmp6', '-p tpc'];
const PROTOS6 = ['', '', '-p tcp', '-p tcp', '-p udp', '-p udp', '-p ipv6-icmp', '-p icmpv6', '-p sctp', '! -p udp', '-p icmp', '-p all', '-p 58'];

const ADDR4 = ['-s 10.0.0.0/8', '-d 192.0.2.1', '! -s 192.168.0.0/16', '-s 10.1.2.3/8', '-s 0/0', '-d 10.1', '-s 198.51.100.0/255.255.255.0', '-s 10.0.0.0/33', '-s 10.0.0.256', '-d 2001:db8::1', '-s 10.0.0.1,10.0.0.2', '-s ! 10.0.0.1', '-s', '-d 203.0.113.0/24'];
const ADDR6 = ['-s 2001:db8::/32', '-d ::1', '! -d fe80::/10', '-s 2001:db8::1/64', '-s 10.0.0.1', '-d 2001:db8::/129', '-s 2001:db8:::1', '-s ::/0', '-d ff02::1'];
const IFACES = ['-i eth0', '-o eth0', '-i lo', '! -i eth+', '-o br-lan', '-i thisnameiswaytoolong0', '-o wg0 -i eth1'];

/** Match fragments: each may be valid or not depending on protocol, table, chain and family. */
const MATCHES = [
  '--dport 22', '--sport 1024:65535', '--dport 600:29', '--dport 70000', '--dport http', '--syn', '! --syn',
  '--tcp-flags SYN,ACK SYN', '--tcp-flags SYN', '--tcp-flags FOO SYN', '-m tcp --dport 22', '-m tcp --dport 600:29', '-m udp --dport 600:29', '-m udp --sport 53',
  '-m sctp --dport 600:29', '-m dccp --dport 600:29',
  '-m multiport --dports 80,443', '-m multiport --sports 1:1024', '-m multiport --ports 22,600:29', '-m multiport', '-m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', '-m multiport --dports 8000:,22', '-m multiport --sports :1024',
  '-m conntrack --ctstate NEW', '-m conntrack --ctstate RELATED,ESTABLISHED', '-m conntrack --ctstate NEW,FOO', '-m conntrack ! --ctstate INVALID', '-m conntrack --ctstatus ASSURED', '-m conntrack --ctorigdstport 600:29', '-m conntrack --ctproto tcp',
  '-m state --state ESTABLISHED', '-m state --state UNTRACKED', '-m state --state SNAT', '-m state',
  '-m limit --limit 3/min', '-m limit --limit 3/fortnight', '-m limit --limit 5/s --limit-burst 10', '-m limit --limit 0/s',
  '-m mac --mac-source 00:11:22:33:44:55', '-m mac --mac-source XX:XX:XX:XX:XX:XX', '-m mac',
  '-m owner --uid-owner 0', '-m owner --gid-owner 0', '-m owner --cmd-owner sshd',
  '-m comment --comment "hello world"', '-m comment --comment', '-m comment',
  '-m iprange --src-range 10.0.0.1-10.0.0.9', '-m iprange --dst-range 10.0.0.9-10.0.0.1', '-m iprange --src-range 2001:db8::1-2001:db8::9', '-m iprange',
  '-m length --length 0:100', '-m length --length 600:29', '-m length --length 70000',
  '-m ttl --ttl-lt 5', '-m ttl --ttl-eq 300', '-m hl --hl-eq 1', '-m hl --hl-gt 255',
  '-m set --match-set SET src', '-m set --match-set SET dst,src', '-m set --match-set SET foo',
  '-m addrtype --dst-type LOCAL', '-m addrtype --src-type FOO', '-m pkttype --pkt-type broadcast', '-m pkttype --pkt-type everything',
  '-m recent --set --name ssh', '-m recent --update --seconds 60 --hitcount 4 --name ssh', '-m recent --rcheck --rttl', '-m recent --close',
  '-m hashlimit --hashlimit-upto 5/min --hashlimit-name h1', '-m hashlimit --hashlimit-above 5/min', '-m hashlimit --hashlimit-name h2',
  '-m time --weekdays Mon,Tue', '-m time --days Mon', '-m time --timestart 08:00 --timestop 17:00', '-m time --timestart 25:00',
  '-m rpfilter', '-m rpfilter --invert', '-m socket', '-m socket --transparent',
  '-m string --algo bm --string evil', '-m string --string evil', '-m string --algo xx --string evil',
  '-m icmp --icmp-type 8', '-m icmp --icmp-type echo-request', '--icmp-type echo-reply', '--icmp-type bogus', '-m icmp6 --icmpv6-type 128', '--icmpv6-type neighbour-solicitation',
  '-m physdev --physdev-in eth0', '-m physdev --physdev-is-bridged', '-m mark --mark 0x1/0xff', '-m mark --mark 0x1ffffffff', '-m connmark --mark 1',
  '-m dscp --dscp 10', '-m dscp --dscp 64', '-m dscp --dscp-class EF', '-m tos --tos 0x10', '-m tos --tos Minimize-Delay',
  '-m policy --dir in --pol none', '-m policy --dir in', '-m statistic --mode random --probability 0.5', '-m statistic --mode nth --every 3',
  '-m connlimit --connlimit-above 5', '-m connlimit --connlimit-upto 5 --connlimit-mask 24', '-m helper --helper ftp',
  '-m frag --fragfirst', '-m rt --rt-type 0', '-m ipv6header --header frag', '-m esp --espspi 1:2', '-m ah --ahspi 5',
  '-m tcpmss --mss 1000:1500', '-m ecn --ecn-tcp-cwr', '-m quota --quota 1000', '-m cpu --cpu 0', '-m devgroup --src-group 1',
  '-m conntrak --ctstate NEW', '-m nosuchmatch', '-m state --state ESTABLISHD', '-f', '! -f', '-4', '-6',
];

const TARGETS = [
  'ACCEPT', 'ACCEPT', 'DROP', 'DROP', 'RETURN', 'accept', 'ACCPET', 'LOGDROP', 'INPUT', 'QUEUE',
  'REJECT', 'REJECT --reject-with tcp-reset', 'REJECT --reject-with icmp-host-prohibited', 'REJECT --reject-with icmp6-adm-prohibited', 'REJECT --reject-with icmp-port-unreachable', 'REJECT --reject-with bogus',
  'LOG', 'LOG --log-prefix "FW: " --log-level 4', 'LOG --log-level info', 'LOG --log-level loud', 'LOG --log-level DEBUG', 'LOG --log-level warn', 'LOG --log-level err', 'LOG --log-level panic', 'LOG --log-level 0x7', 'LOG --log-level 010', 'LOG --log-level 007', 'LOG --log-prefix "this prefix is definitely longer than 29"', 'NFLOG --nflog-group 5', 'NFLOG --nflog-prefix x',
  'MASQUERADE', 'MASQUERADE --to-ports 1024-2048', 'MASQUERADE --random', 'SNAT --to-source 192.0.2.1', 'SNAT --to-source 192.0.2.1:1000-2000', 'SNAT', 'SNAT --to-source [2001:db8::1]:80', 'SNAT --to-source 2001:db8::1',
  'DNAT --to-destination 192.0.2.1:8080', 'DNAT --to-destination 192.0.2.1', 'DNAT --to-destination [2001:db8::1]:8080', 'DNAT --to-destination 2001:db8::5', 'REDIRECT --to-ports 3128', 'REDIRECT', 'NETMAP --to 10.0.0.0/8', 'NETMAP --to 2001:db8::/64',
  'MARK --set-mark 1', 'MARK --set-xmark 0x1/0xff', 'MARK', 'CONNMARK --save-mark', 'CONNMARK --restore-mark', 'CONNMARK --set-mark 5',
  'CT --notrack', 'CT --helper ftp', 'NOTRACK', 'TRACE', 'TCPMSS --clamp-mss-to-pmtu', 'TCPMSS --set-mss 1400', 'TCPMSS',
  'TPROXY --on-port 3128', 'TPROXY --on-port 3128 --tproxy-mark 0x1/0x1', 'CLASSIFY --set-class 1:10', 'CHECKSUM --checksum-fill',
  'DSCP --set-dscp 10', 'DSCP --set-dscp-class EF', 'TOS --set-tos 0x10', 'TTL --ttl-set 64', 'TTL --ttl-inc 1', 'HL --hl-set 64', 'HL --hl-dec 1',
  'SET --add-set SET src', 'SET --del-set SET src', 'NFQUEUE --queue-num 1', 'NFQUEUE --queue-balance 0:3 --queue-bypass',
  'AUDIT --type accept', 'SYNPROXY --mss 1460 --sack-perm', 'CONNSECMARK --save', 'ECN --ecn-tcp-remove', 'ULOG', 'MIRROR',
];

function rule(r: R, family: 4 | 6, chain: string, target?: string): string {
  const parts = [`-A ${chain}`];
  const proto = pick(r, family === 4 ? PROTOS4 : PROTOS6);
  if (proto) parts.push(proto);
  if (r() < 0.3) parts.push(pick(r, family === 4 ? ADDR4 : ADDR6));
  if (r() < 0.25) parts.push(pick(r, IFACES));
  const n = r() < 0.35 ? 0 : r() < 0.8 ? 1 : 2;
  for (let k = 0; k < n; k++) parts.push(pick(r, MATCHES));
  parts.push(`-j ${target ?? pick(r, TARGETS)}`);
  // ipsets must exist before a rule names them: only the test sets of the right family are used.
  return parts.join(' ').replace(/--(match|add|del)-set SET/g, `--$1-set ${family === 4 ? 'blocklist' : 'blocklist6'}`);
}

/** Pieces that fit together, so that a good share of the cases are rules the kernel accepts. */
const COHERENT_MATCHES = ['--dport 22', '--sport 1024:65535', '-m multiport --dports 80,443', '-m conntrack --ctstate NEW', '-m state --state ESTABLISHED,RELATED',
  '-m limit --limit 3/min', '-m comment --comment "web traffic"', '-m length --length 0:1500', '-m mark --mark 0x1/0xff', '-m recent --set --name web',
  '-m hashlimit --hashlimit-upto 5/sec --hashlimit-name hl', '-m time --weekdays Mon,Fri', '-m connlimit --connlimit-above 10', '-m pkttype --pkt-type unicast',
  '-m addrtype --dst-type LOCAL', '-m statistic --mode random --probability 0.25', '-m dscp --dscp 8', '-m helper --helper ftp'];
const COHERENT_TARGETS: Record<string, Record<string, string[]>> = {
  filter: { '*': ['ACCEPT', 'DROP', 'REJECT', 'REJECT --reject-with tcp-reset', 'LOG --log-prefix "fw "', 'NFLOG --nflog-group 2', 'RETURN', 'MARK --set-mark 2', 'NFQUEUE --queue-num 3', 'CONNMARK --save-mark', 'AUDIT --type drop'] },
  nat: { PREROUTING: ['DNAT --to-destination ADDR:8080', 'REDIRECT --to-ports 3128', 'ACCEPT', 'RETURN'], OUTPUT: ['DNAT --to-destination ADDR', 'REDIRECT --to-ports 8080', 'ACCEPT'], POSTROUTING: ['MASQUERADE', 'SNAT --to-source ADDR', 'MASQUERADE --to-ports 1024-2048', 'ACCEPT'], INPUT: ['SNAT --to-source ADDR', 'ACCEPT'] },
  mangle: { '*': ['MARK --set-xmark 0x1/0xff', 'DSCP --set-dscp 10', 'TTL_OR_HL', 'CONNMARK --restore-mark', 'CHECKSUM --checksum-fill', 'ACCEPT', 'DROP', 'TCPMSS --set-mss 1400', 'LOG'] },
  raw: { '*': ['CT --notrack', 'NOTRACK', 'CT --helper ftp', 'TRACE', 'ACCEPT', 'DROP'] },
  security: { '*': ['ACCEPT', 'DROP', 'CONNSECMARK --save', 'LOG'] },
};

function coherentRule(r: R, family: 4 | 6, table: string, chain: string): string {
  const proto = pick(r, ['-p tcp', '-p tcp', '-p udp']);
  const parts = [`-A ${chain}`, proto];
  if (r() < 0.4) parts.push(family === 4 ? pick(r, ['-s 192.0.2.0/24', '-d 198.51.100.7', '! -s 203.0.113.0/24']) : pick(r, ['-s 2001:db8::/32', '-d 2001:db8::7', '! -s fe80::/10']));
  if (r() < 0.3) parts.push(['PREROUTING', 'INPUT', 'FORWARD'].includes(chain) ? '-i eth0' : '-o eth0');
  for (let k = 0, n = Math.floor(r() * 3); k < n; k++) parts.push(pick(r, COHERENT_MATCHES));
  const byChain = COHERENT_TARGETS[table];
  let target = pick(r, byChain[chain] ?? byChain['*'] ?? ['ACCEPT']);
  if (target === 'TTL_OR_HL') target = family === 4 ? 'TTL --ttl-set 64' : 'HL --hl-set 64';
  if (target.startsWith('TCPMSS')) parts.push('--syn');
  if (target.includes('tcp-reset') && proto !== '-p tcp') target = 'REJECT';
  if (target.includes('--helper') && proto !== '-p tcp') parts[1] = '-p tcp';
  target = target.replace('ADDR:8080', family === 4 ? '192.0.2.9:8080' : '[2001:db8::9]:8080').replace('ADDR', family === 4 ? '192.0.2.9' : '2001:db8::9');
  parts.push(`-j ${target}`);
  return parts.join(' ');
}

function coherent(r: R, family: 4 | 6): KernelCase {
  const table = pick(r, Object.keys(TABLE_CHAINS));
  const chain = pick(r, TABLE_CHAINS[table]);
  const rules = Array.from({ length: 1 + Math.floor(r() * 3) }, () => coherentRule(r, family, table, chain));
  return { family, text: [...header(table), ...rules, 'COMMIT', ''].join('\n') };
}

function header(table: string, extra: string[] = []): string[] {
  return [`*${table}`, ...TABLE_CHAINS[table].map((c) => `:${c} ACCEPT [0:0]`), ...extra];
}

/** One rule in a built-in chain (sometimes a chain the table lacks). */
function singleRule(r: R, family: 4 | 6): KernelCase {
  const table = r() < 0.5 ? 'filter' : pick(r, Object.keys(TABLE_CHAINS));
  const chain = r() < 0.93 ? pick(r, TABLE_CHAINS[table]) : pick(r, ALL_CHAINS);
  return { family, text: [...header(table), rule(r, family, chain), 'COMMIT', ''].join('\n') };
}

/** A user chain reached from one or two built-in chains through -j or -g, holding one generated rule. */
function viaUserChain(r: R, family: 4 | 6): KernelCase {
  const table = pick(r, Object.keys(TABLE_CHAINS));
  const chains = TABLE_CHAINS[table];
  const lines = header(table, [':X - [0:0]', ':Y - [0:0]']);
  const from = [pick(r, chains), ...(r() < 0.4 ? [pick(r, chains)] : [])];
  for (const c of from) lines.push(`-A ${c} ${r() < 0.2 ? '-g' : '-j'} ${r() < 0.3 ? 'Y' : 'X'}`);
  lines.push(`-A Y -j X`);
  lines.push(rule(r, family, 'X'));
  return { family, text: [...lines, 'COMMIT', ''].join('\n') };
}

/** Declarations, policies and commands: the structure of a restore file. */
const STRUCTURE: Array<(family: 4 | 6) => string> = [
  () => '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
  () => '*filter\n:INPUT REJECT [0:0]\nCOMMIT\n',
  () => '*filter\n:X ACCEPT [0:0]\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n',
  () => '*filter\n:ACCEPT - [0:0]\nCOMMIT\n',
  () => '*filter\n:chain_name_of_exactly_28_chr - [0:0]\nCOMMIT\n',
  () => '*filter\n:chain_name_of_exactly_29_char - [0:0]\nCOMMIT\n',
  () => '*filter\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n',
  () => '*filter\n-A PREROUTING -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A NOPE -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-N NEWCHAIN\n-A NEWCHAIN -j ACCEPT\n-A INPUT -j NEWCHAIN\nCOMMIT\n',
  () => '*filter\n-P INPUT DROP\n-P FORWARD ACCEPT\nCOMMIT\n',
  () => '*filter\n-P DROP\nCOMMIT\n',
  () => '*filter\n-P INPUT REJECT\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-P X DROP\nCOMMIT\n',
  () => '*filter\n-A INPUT -j ACCEPT\n-I INPUT 1 -j DROP\n-D INPUT 2\n-R INPUT 1 -j ACCEPT\n-Z INPUT\n-F INPUT\nCOMMIT\n',
  () => '*filter\n-A INPUT -j ACCEPT\n-D INPUT 5\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-X X\nCOMMIT\n',
  () => '*filter\n-E INPUT MYINPUT\nCOMMIT\n',
  () => '*filter\n-A INPUT -j ACCEPT\nCOMMIT ',
  () => '*filter\n-A INPUT -j ACCEPT\n',
  () => '*filter\n-A INPUT -j ACCEPT\nCOMMIT',
  () => '*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n',
  () => '*filter\n \n-A INPUT -j ACCEPT\nCOMMIT\n',
  () => '*filtre\nCOMMIT\n',
  () => '-A INPUT -j ACCEPT\n*filter\nCOMMIT\n',
  () => '*filter\n[5:10] -A INPUT -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT -t nat\nCOMMIT\n',
  () => '*filter\n-A INPUT -m comment --comment "unterminated -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -p tcp \u2013dport 22 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -m comment --comment \u201Chello\u201D -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -s 192.0.2.1 -s 192.0.2.2 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -p tcp -p udp -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -j ACCEPT -j DROP\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-A INPUT -g X\n-A X -j RETURN\nCOMMIT\n',
  () => '*filter\n-A INPUT -g ACCEPT\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n:Y - [0:0]\n-A X -j Y\n-A Y -j X\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-A X -j X\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-A INPUT -j X\n-A X -j X\nCOMMIT\n',
  () => '*nat\n:POSTROUTING ACCEPT [0:0]\n:X - [0:0]\n-A POSTROUTING -j X\n-A X -o eth0 -j MASQUERADE\nCOMMIT\n',
  () => '*nat\n:PREROUTING ACCEPT [0:0]\n:X - [0:0]\n-A PREROUTING -j X\n-A X -o eth0 -j MASQUERADE\nCOMMIT\n',
  () => '*filter\n:X - [0:0]\n-A OUTPUT -j X\n-A X -i eth0 -j ACCEPT\nCOMMIT\n',
  (f) => `*filter\n-A INPUT -s ${f === 4 ? '::1' : '127.0.0.1'} -j ACCEPT\nCOMMIT\n`,
  () => '*filter\n-A INPUT -w -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -v -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT --src 192.0.2.1 --destination 192.0.2.2 --jump ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT --dest 192.0.2.1 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -p tcp --dport=22 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -p tcp -m tcp --dport 22 -m tcp --sport 1 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -m state --state NEW -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT\nCOMMIT\n',
  () => '*filter\n-A INPUT !\nCOMMIT\n',
  () => '*filter\n-A INPUT ! ! -s 192.0.2.1\nCOMMIT\n',
  () => '*filter\n-A INPUT ! -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-A INPUT -m\nCOMMIT\n',
  () => '*filter\n-A INPUT -j\nCOMMIT\n',
  () => '*filter\n-A INPUT 5 -j ACCEPT\nCOMMIT\n',
  () => '*filter\n-I INPUT 5 -j ACCEPT\nCOMMIT\n',
];

/**
 * What the generator leaves out, because the text cannot show it: whether an ipset exists and its family, and
 * SELinux contexts (SECMARK), which depend on the machine's policy.
 */
export function generateCases(total: number, seed = 1): KernelCase[] {
  const r = rng(seed);
  const out: KernelCase[] = [];
  for (const s of STRUCTURE) {
    out.push({ family: 4, text: s(4) });
    out.push({ family: 6, text: s(6) });
  }
  while (out.length < total) {
    const family: 4 | 6 = r() < 0.65 ? 4 : 6;
    const x = r();
    out.push(x < 0.35 ? coherent(r, family) : x < 0.8 ? singleRule(r, family) : viaUserChain(r, family));
  }
  return out;
}
