import { wordTable } from '../wordTable';

/** Well-known service names and ports (the subset of /etc/services firewall rules use). */
export const SERVICES: Readonly<Record<string, number>> = wordTable({
  ftp: 21, 'ftp-data': 20, ssh: 22, telnet: 23, smtp: 25, domain: 53, dns: 53, bootps: 67, bootpc: 68, tftp: 69,
  http: 80, www: 80, kerberos: 88, pop3: 110, sunrpc: 111, auth: 113, ident: 113, ntp: 123, 'netbios-ns': 137,
  'netbios-dgm': 138, 'netbios-ssn': 139, imap: 143, imap2: 143, snmp: 161, 'snmp-trap': 162, bgp: 179, irc: 194,
  ldap: 389, https: 443, 'microsoft-ds': 445, isakmp: 500, syslog: 514, submission: 587, ldaps: 636, rsync: 873,
  imaps: 993, pop3s: 995, socks: 1080, openvpn: 1194, 'ms-sql-s': 1433, l2tp: 1701, pptp: 1723, radius: 1812,
  'radius-acct': 1813, nfs: 2049, mysql: 3306, 'ms-wbt-server': 3389, 'ipsec-nat-t': 4500, sip: 5060,
  postgresql: 5432, xmpp: 5222, 'xmpp-client': 5222, x11: 6000, 'http-alt': 8080, webcache: 8080, 'svn': 3690,
  git: 9418, smtps: 465, urd: 465, 'ssmtp': 465, nntp: 119, 'kerberos-adm': 749, 'domain-s': 853, mdns: 5353,
  ssdp: 1900, tproxy: 8081, zabbix: 10050, 'zabbix-agent': 10050, 'zabbix-trapper': 10051, munin: 4949,
  'nrpe': 5666, 'nut': 3493, 'distcc': 3632, 'iax': 4569, 'rtsp': 554, 'printer': 515, 'ipp': 631, 'cvspserver': 2401,
  amqp: 5672,
});

/**
 * How /etc/services on Debian and Ubuntu (netbase) lists the names of SERVICES that it does not list for both TCP
 * and UDP: for one of them only, or not at all. Lists made from IANA's registry (Fedora, Arch, ...) have nearly all
 * of them for both. Held to this system's /etc/services by the tests.
 */
const DEBIAN_TCP_ONLY = 'ftp ftp-data ssh telnet smtp http www pop3 auth ident netbios-ssn imap imap2 bgp microsoft-ds submission rsync imaps pop3s socks ms-sql-s mysql ms-wbt-server postgresql xmpp-client x11 http-alt webcache svn git smtps urd ssmtp nntp kerberos-adm tproxy zabbix-agent zabbix-trapper munin nrpe distcc printer ipp cvspserver amqp';
const DEBIAN_UDP_ONLY = 'bootps bootpc tftp ntp netbios-ns netbios-dgm isakmp l2tp ipsec-nat-t mdns iax';
const DEBIAN_UNLISTED = 'dns irc pptp xmpp ssdp zabbix';
export const DEBIAN_SERVICE_PROTOCOLS: Readonly<Record<string, 'tcp' | 'udp' | 'none'>> = wordTable(Object.fromEntries([
  ...DEBIAN_TCP_ONLY.split(' ').map((n) => [n, 'tcp']),
  ...DEBIAN_UDP_ONLY.split(' ').map((n) => [n, 'udp']),
  ...DEBIAN_UNLISTED.split(' ').map((n) => [n, 'none']),
]));

/**
 * The service names iptables finds for SCTP: /etc/services on Debian and Ubuntu (netbase) lists these alone for it.
 * (Other systems may list more; a number is read the same everywhere.)
 */
export const SCTP_SERVICES: Readonly<Record<string, number>> = wordTable({ amqp: 5672 });

/** Names people write that no /etc/services has (neither Debian's nor IANA's registry), with the name it has. */
export const UNREGISTERED_SERVICES: Readonly<Record<string, string>> = wordTable({ dns: 'domain', zabbix: 'zabbix-agent' });

export const PORT_NAMES: Map<number, string[]> = (() => {
  const m = new Map<number, string[]>();
  for (const [name, port] of Object.entries(SERVICES)) {
    const list = m.get(port) ?? [];
    list.push(name);
    m.set(port, list);
  }
  return m;
})();

/** Descriptions of well-known ports, for hover. */
export const PORT_DESCRIPTIONS: Record<number, string> = {
  20: 'FTP data', 21: 'FTP control', 22: 'SSH', 23: 'Telnet (unencrypted remote login)', 25: 'SMTP mail transfer',
  53: 'DNS', 67: 'DHCP server', 68: 'DHCP client', 69: 'TFTP', 80: 'HTTP', 110: 'POP3', 111: 'RPC portmapper',
  123: 'NTP time sync', 137: 'NetBIOS name service', 138: 'NetBIOS datagrams', 139: 'NetBIOS sessions (SMB)',
  143: 'IMAP', 161: 'SNMP', 162: 'SNMP traps', 179: 'BGP', 389: 'LDAP', 443: 'HTTPS', 445: 'SMB over TCP',
  465: 'SMTP over TLS', 500: 'IPsec IKE', 514: 'syslog', 587: 'mail submission', 631: 'IPP printing', 636: 'LDAP over TLS',
  853: 'DNS over TLS', 873: 'rsync', 993: 'IMAP over TLS', 995: 'POP3 over TLS', 1194: 'OpenVPN', 1433: 'Microsoft SQL Server',
  1701: 'L2TP', 1723: 'PPTP', 1812: 'RADIUS authentication', 1813: 'RADIUS accounting', 1900: 'SSDP / DLNA discovery',
  2049: 'NFS', 3306: 'MySQL / MariaDB', 3389: 'Remote Desktop (RDP)', 4500: 'IPsec NAT traversal', 5060: 'SIP',
  5222: 'XMPP client', 5353: 'multicast DNS', 5432: 'PostgreSQL', 6379: 'Redis', 8080: 'HTTP alternate / proxy',
  8443: 'HTTPS alternate', 9418: 'git protocol', 10050: 'Zabbix agent', 32400: 'Plex Media Server',
  32410: 'Plex GDM network discovery', 32412: 'Plex GDM network discovery', 32413: 'Plex GDM network discovery',
  32414: 'Plex GDM network discovery', 51820: 'WireGuard',
};

/**
 * Protocol names as iptables finds them: the names of Debian's /etc/protocols (netbase), which getprotobyname
 * looks up as written, and the few iptables knows itself (icmpv6, mh, ipv6-mh, all).
 */
export const PROTOCOLS: Readonly<Record<string, number>> = wordTable({
  all: 0, ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipencap: 4, st: 5, tcp: 6, egp: 8, igp: 9, pup: 12, udp: 17,
  hmp: 20, 'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37, 'idpr-cmtp': 38, ipv6: 41,
  'ipv6-route': 43, 'ipv6-frag': 44, idrp: 45, rsvp: 46, gre: 47, esp: 50, ah: 51, skip: 57, 'ipv6-icmp': 58,
  icmpv6: 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, rspf: 73, vmtp: 81, eigrp: 88, ospf: 89, 'ax.25': 93, ipip: 94,
  etherip: 97, encap: 98, pim: 103, ipcomp: 108, vrrp: 112, l2tp: 115, isis: 124, sctp: 132, fc: 133,
  'mobility-header': 135, mh: 135, 'ipv6-mh': 135, udplite: 136, 'mpls-in-ip': 137, manet: 138, hip: 139, shim6: 140,
  wesp: 141, rohc: 142, ethernet: 143,
});

/**
 * The aliases of Debian's /etc/protocols, in their case: getprotobyname finds them only as written. `-p` writes
 * its value in lower case first, so it never reaches them; `--ctproto` takes them as they are.
 */
export const PROTOCOL_ALIASES: Readonly<Record<string, number>> = wordTable({
  IP: 0, HOPOPT: 0, ICMP: 1, IGMP: 2, GGP: 3, 'IP-ENCAP': 4, ST: 5, TCP: 6, EGP: 8, IGP: 9, PUP: 12, UDP: 17, HMP: 20,
  'XNS-IDP': 22, RDP: 27, 'ISO-TP4': 29, DCCP: 33, XTP: 36, DDP: 37, 'IDPR-CMTP': 38, IPv6: 41, 'IPv6-Route': 43,
  'IPv6-Frag': 44, IDRP: 45, RSVP: 46, GRE: 47, 'IPSEC-ESP': 50, 'IPSEC-AH': 51, SKIP: 57, 'IPv6-ICMP': 58,
  'IPv6-NoNxt': 59, 'IPv6-Opts': 60, RSPF: 73, CPHB: 73, VMTP: 81, EIGRP: 88, OSPFIGP: 89, 'AX.25': 93, IPIP: 94,
  ETHERIP: 97, ENCAP: 98, PIM: 103, IPCOMP: 108, VRRP: 112, L2TP: 115, ISIS: 124, SCTP: 132, FC: 133,
  'Mobility-Header': 135, UDPLite: 136, 'MPLS-in-IP': 137, HIP: 139, Shim6: 140, WESP: 141, ROHC: 142, Ethernet: 143,
});

/** A number as C's strtoul reads it with base 0 (as iptables reads most numbers): decimal, 0x hex or 0 octal. */
export function strtoulBase0(v: string): number | undefined {
  // The common case, a decimal number without a leading zero (a port), read by hand.
  const n = v.length;
  const c0 = v.charCodeAt(0);
  if (n < 16 && c0 >= 49 && c0 <= 57) {
    let x = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) break;
      x = x * 10 + (c - 48);
    }
    if (i === n) return x;
  }
  const m = /^[ \t]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(v);
  if (!m) return undefined;
  return m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3]);
}

/**
 * A protocol's number from a word iptables took: a number, a name (in any case, as `-p` takes it) or an alias as
 * /etc/protocols writes it (as `--ctproto` takes it); undefined for an unknown name.
 */
export function protocolNumber(word: string): number | undefined {
  return strtoulBase0(word) ?? PROTOCOLS[word.toLowerCase()] ?? PROTOCOL_ALIASES[word];
}
