import { wordTable } from '../wordTable';

/**
 * The TCP and UDP services /etc/services lists on Debian and Ubuntu (netbase 6.4), names and aliases in its order:
 * `name port`, then ` t` or ` u` where it lists the name for TCP or UDP only. Held to this system's /etc/services by
 * the tests.
 */
const NETBASE =
  'tcpmux 1 t|echo 7|discard 9|sink 9|null 9|systat 11 t|users 11 t|daytime 13|netstat 15 t|qotd 17 t|' +
  'quote 17 t|chargen 19|ttytst 19|source 19|ftp-data 20 t|ftp 21 t|fsp 21 u|fspd 21 u|ssh 22 t|' +
  'telnet 23 t|smtp 25 t|mail 25 t|time 37|timserver 37|whois 43 t|nicname 43 t|tacacs 49|domain 53|' +
  'bootps 67 u|bootpc 68 u|tftp 69 u|gopher 70 t|finger 79 t|http 80 t|www 80 t|kerberos 88|kerberos5 88|' +
  'krb5 88|kerberos-sec 88|iso-tsap 102 t|tsap 102 t|acr-nema 104 t|dicom 104 t|pop3 110 t|pop-3 110 t|' +
  'sunrpc 111|portmapper 111|auth 113 t|authentication 113 t|tap 113 t|ident 113 t|nntp 119 t|' +
  'readnews 119 t|untp 119 t|ntp 123 u|epmap 135 t|loc-srv 135 t|netbios-ns 137 u|netbios-dgm 138 u|' +
  'netbios-ssn 139 t|imap2 143 t|imap 143 t|snmp 161|snmp-trap 162|snmptrap 162|cmip-man 163|' +
  'cmip-agent 164|mailq 174 t|xdmcp 177 u|bgp 179 t|smux 199 t|qmtp 209 t|z3950 210 t|wais 210 t|ipx 213 u|' +
  'ptp-event 319 u|ptp-general 320 u|pawserv 345 t|zserv 346 t|rpc2portmap 369|codaauth2 370|' +
  'clearcase 371 u|Clearcase 371 u|ldap 389|svrloc 427|https 443|snpp 444 t|microsoft-ds 445 t|kpasswd 464|' +
  'submissions 465 t|ssmtp 465 t|smtps 465 t|urd 465 t|saft 487 t|isakmp 500 u|rtsp 554|nqs 607 t|' +
  'asf-rmcp 623 u|qmqp 628 t|ipp 631 t|ldp 646|exec 512 t|biff 512 u|comsat 512 u|login 513 t|who 513 u|' +
  'whod 513 u|shell 514 t|cmd 514 t|syslog 514|printer 515 t|spooler 515 t|talk 517 u|ntalk 518 u|' +
  'route 520 u|router 520 u|routed 520 u|gdomap 538|uucp 540 t|uucpd 540 t|klogin 543 t|kshell 544 t|' +
  'krcmd 544 t|dhcpv6-client 546 u|dhcpv6-server 547 u|afpovertcp 548 t|nntps 563 t|snntp 563 t|' +
  'submission 587 t|ldaps 636|tinc 655|silc 706 t|kerberos-adm 749 t|domain-s 853|rsync 873 t|' +
  'ftps-data 989 t|ftps 990 t|telnets 992 t|imaps 993 t|pop3s 995 t|socks 1080 t|proofd 1093 t|' +
  'rootd 1094 t|openvpn 1194|rmiregistry 1099 t|lotusnote 1352 t|lotusnotes 1352 t|ms-sql-s 1433 t|' +
  'ms-sql-m 1434 u|ingreslock 1524 t|datametrics 1645|old-radius 1645|sa-msg-port 1646|old-radacct 1646|' +
  'kermit 1649 t|groupwise 1677 t|l2f 1701 u|l2tp 1701 u|radius 1812|radius-acct 1813|radacct 1813|' +
  'cisco-sccp 2000 t|nfs 2049|gnunet 2086|rtcm-sc104 2101|gsigatekeeper 2119 t|gris 2135 t|' +
  'cvspserver 2401 t|venus 2430|venus-se 2431|codasrv 2432|codasrv-se 2433|mon 2583|dict 2628 t|' +
  'f5-globalsite 2792 t|gsiftp 2811 t|gpsd 2947 t|gds-db 3050 t|gds_db 3050 t|icpv2 3130 u|icp 3130 u|' +
  'isns 3205|iscsi-target 3260 t|mysql 3306 t|ms-wbt-server 3389 t|nut 3493|distcc 3632 t|daap 3689 t|' +
  'svn 3690 t|subversion 3690 t|suucp 4031 t|sysrqd 4094 t|sieve 4190 t|epmd 4369 t|remctl 4373 t|' +
  'f5-iquery 4353 t|ntske 4460 t|ipsec-nat-t 4500 u|iax 4569 u|mtn 4691 t|radmin-port 4899 t|sip 5060|' +
  'sip-tls 5061|xmpp-client 5222 t|jabber-client 5222 t|xmpp-server 5269 t|jabber-server 5269 t|' +
  'cfengine 5308 t|mdns 5353 u|postgresql 5432 t|postgres 5432 t|freeciv 5556 t|rptp 5556 t|amqps 5671 t|' +
  'amqp 5672 t|x11 6000 t|x11-0 6000 t|x11-1 6001 t|x11-2 6002 t|x11-3 6003 t|x11-4 6004 t|x11-5 6005 t|' +
  'x11-6 6006 t|x11-7 6007 t|gnutella-svc 6346|gnutella-rtr 6347|redis 6379 t|sge-qmaster 6444 t|' +
  'sge_qmaster 6444 t|sge-execd 6445 t|sge_execd 6445 t|mysql-proxy 6446 t|babel 6696 u|ircs-u 6697 t|' +
  'bbs 7000 t|afs3-fileserver 7000 u|afs3-callback 7001 u|afs3-prserver 7002 u|afs3-vlserver 7003 u|' +
  'afs3-kaserver 7004 u|afs3-volser 7005 u|afs3-bos 7007 u|afs3-update 7008 u|afs3-rmtsys 7009 u|' +
  'font-service 7100 t|xfs 7100 t|http-alt 8080 t|webcache 8080 t|puppet 8140 t|bacula-dir 9101 t|' +
  'bacula-fd 9102 t|bacula-sd 9103 t|xmms2 9667 t|nbd 10809 t|zabbix-agent 10050 t|zabbix-trapper 10051 t|' +
  'amanda 10080 t|hkp 11371 t|db-lsp 17500 t|dcap 22125 t|gsidcap 22128 t|wnn6 22273 t|kerberos4 750|' +
  'kerberos-iv 750|kdc 750|kerberos-master 751|kerberos_master 751 u|passwd-server 752 u|' +
  'passwd_server 752 u|krb-prop 754 t|krb_prop 754 t|krb5_prop 754 t|hprop 754 t|zephyr-srv 2102 u|' +
  'zephyr-clt 2103 u|zephyr-hm 2104 u|iprop 2121 t|supfilesrv 871 t|supfiledbg 1127 t|poppassd 106 t|' +
  'moira-db 775 t|moira_db 775 t|moira-update 777 t|moira_update 777 t|moira-ureg 779 u|moira_ureg 779 u|' +
  'spamd 783 t|skkserv 1178 t|predict 1210 u|rmtcfg 1236 t|xtel 1313 t|xtelw 1314 t|zebrasrv 2600 t|' +
  'zebra 2601 t|ripd 2602 t|ripngd 2603 t|ospfd 2604 t|bgpd 2605 t|ospf6d 2606 t|ospfapi 2607 t|' +
  'isisd 2608 t|fax 4557 t|hylafax 4559 t|munin 4949 t|lrrd 4949 t|rplay 5555 u|nrpe 5666 t|nsca 5667 t|' +
  'canna 5680 t|syslog-tls 6514 t|sane-port 6566 t|sane 6566 t|saned 6566 t|ircd 6667 t|zope-ftp 8021 t|' +
  'tproxy 8081 t|omniorb 8088 t|clc-build-daemon 8990 t|xinetd 9098 t|git 9418 t|zope 9673 t|' +
  'webmin 10000 t|kamanda 10081 t|amandaidx 10082 t|amidxtape 10083 t|sgi-cmsd 17001 u|sgi-crsd 17002 u|' +
  'sgi-gcd 17003 u|sgi-cad 17004 t|binkp 24554 t|asp 27374|csync2 30865 t|dircproxy 57000 t|tfido 60177 t|' +
  'fido 60179 t';

/** Names people write that Debian's list lacks, with their ports: some other lists have them, some none. */
const ELSEWHERE: Record<string, number> = { dns: 53, irc: 194, pptp: 1723, xmpp: 5222, ssdp: 1900, zabbix: 10050 };

const netbase = NETBASE.split('|').map((e) => e.split(' '));

/** Service names and their ports: Debian's list, and the names people write that it lacks. */
export const SERVICES: Readonly<Record<string, number>> = wordTable({ ...Object.fromEntries(netbase.map(([name, port]) => [name, Number(port)])), ...ELSEWHERE });

/**
 * How /etc/services on Debian and Ubuntu lists the names of SERVICES that it does not list for both TCP and UDP:
 * for one of them only, or not at all. Lists made from IANA's registry (Fedora, Arch, ...) have nearly all of them
 * for both.
 */
export const DEBIAN_SERVICE_PROTOCOLS: Readonly<Record<string, 'tcp' | 'udp' | 'none'>> = wordTable({
  ...Object.fromEntries(netbase.filter((e) => e[2]).map(([name, , only]) => [name, only === 't' ? 'tcp' : 'udp'])),
  ...Object.fromEntries(Object.keys(ELSEWHERE).map((name) => [name, 'none'])),
});

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
 * A number as strtoul reads it with base 0, a minus sign allowed (strtoul wraps a negative number round): its size,
 * and whether it was negative. Undefined when it is no number.
 */
export function strtoulSigned(v: string): { size: number; negative: boolean } | undefined {
  const negative = /^[ \t]*-/.test(v);
  const size = strtoulBase0(negative ? v.replace('-', '') : v);
  return size === undefined ? undefined : { size, negative };
}

/**
 * A protocol's number from a word iptables took: a number, a name (in any case, as `-p` takes it) or an alias as
 * /etc/protocols writes it (as `--ctproto` takes it); undefined for an unknown name.
 */
export function protocolNumber(word: string): number | undefined {
  return strtoulBase0(word) ?? PROTOCOLS[word.toLowerCase()] ?? PROTOCOL_ALIASES[word];
}
