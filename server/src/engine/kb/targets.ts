/** Targets (`-j NAME`), built-in verdicts and extensions, described in this project's own words. */
import { opt, target } from './build';
import { ModuleSpec } from './model';
import * as v from './values';

const NAT_CHAINS_DNAT = ['PREROUTING', 'OUTPUT'];

export const TARGETS: ModuleSpec[] = [
  target('ACCEPT', 'Let the packet through: no later rule of this chain, nor of the chains that called it, sees it. Later tables and hooks still do.', [], { terminating: true }),
  target('DROP', 'Throw the packet away silently. The sender gets no answer and retries until it times out. Not in the nat table.', [], { terminating: true, forbiddenTables: ['nat'] }),
  target('RETURN', 'Leave this chain: back to the rule after the jump that entered it, or, in a built-in chain, the chain\'s policy decides.', []),
  target('QUEUE', 'Hand the packet to a userspace program through queue 0 (older form of NFQUEUE).', [], { terminating: true }),
  target('REJECT', 'Drop the packet and answer the sender with an error, so it gives up at once. filter table only (INPUT, FORWARD, OUTPUT and chains called from them).', [
    opt('--reject-with', v.rejectWithKind, 'The answer sent back: `icmp-port-unreachable` (default), `icmp-host-prohibited`, `tcp-reset` (with -p tcp), or the icmp6 forms in ip6tables.'),
  ], { terminating: true, tables: ['filter'], chains: ['INPUT', 'FORWARD', 'OUTPUT'] }),
  target('LOG', 'Write the packet\'s headers to the kernel log and go on to the next rule. Pair it with `-m limit` to avoid flooding the log.', [
    opt('--log-level', v.logLevelKind, 'Syslog level: 0-7 or `emerg` ... `debug` (default warning).'),
    opt('--log-prefix', v.prefixKind(29), 'Text put before the log line, at most 29 characters: `"[FW DROP] "`.'),
    opt('--log-tcp-sequence', null, 'Log TCP sequence numbers (readable by local users: a security risk).'),
    opt('--log-tcp-options', null, 'Log the TCP options.'),
    opt('--log-ip-options', null, 'Log the IP options.'),
    opt('--log-uid', null, 'Log the user id of the sending process.'),
    opt('--log-macdecode', null, 'Decode the MAC header.'),
  ]),
  target('NFLOG', 'Send the packet to a userspace logger (ulogd) through nfnetlink and go on to the next rule.', [
    opt('--nflog-group', v.intKind(0, 65535), 'Netlink group number (default 0).'),
    opt('--nflog-prefix', v.prefixKind(63), 'Text attached to the message, at most 63 characters (iptables cuts a longer one).'),
    opt('--nflog-range', v.intKind(0, 0xffffffff), 'Bytes of the packet to copy (deprecated, use --nflog-size).'),
    opt('--nflog-size', v.intKind(0, 0xffffffff), 'Bytes of the packet to copy.'),
    opt('--nflog-threshold', v.intKind(0, 65535), 'Packets to queue before sending to userspace.'),
  ]),
  target('ULOG', 'Removed from Linux 3.17.', [
    opt('--ulog-nlgroup', v.anyKind, 'Netlink group the packet went to.'),
    opt('--ulog-prefix', v.anyKind, 'Text put before the message.'),
    opt('--ulog-cprange', v.anyKind, 'Bytes of the packet copied.'),
    opt('--ulog-qthreshold', v.anyKind, 'Packets queued before sending.'),
  ], { removed: 'The kernel no longer has ULOG; use NFLOG.' }),
  target('MASQUERADE', 'Source NAT to the address of the outgoing interface, for links with a changing address. nat table, POSTROUTING only.', [
    opt('--to-ports', v.natPortsKind, 'Source port or range to use (needs -p tcp/udp/...).'),
    opt('--random', null, 'Randomise the source port.'),
    opt('--random-fully', null, 'Fully randomise the source port.'),
  ], { terminating: true, tables: ['nat'], chains: ['POSTROUTING'] }),
  target('SNAT', 'Rewrite the source address (and port) of the connection. nat table, POSTROUTING and INPUT.', [
    opt('--to-source', v.natTargetKind, 'New source: `addr[-addr][:port[-port][/port]]` (a port range may be shifted onto a base port).'),
    opt('--random', null, 'Randomise the source port.'),
    opt('--random-fully', null, 'Fully randomise the source port.'),
    opt('--persistent', null, 'Give a client the same address on every connection.'),
  ], { terminating: true, tables: ['nat'], chains: ['POSTROUTING', 'INPUT'] }),
  target('DNAT', 'Rewrite the destination address (and port) of the connection: port forwarding. nat table, PREROUTING and OUTPUT.', [
    opt('--to-destination', v.natTargetKind, 'New destination: `addr[-addr][:port[-port][/port]]` (a port range may be shifted onto a base port).'),
    opt('--random', null, 'Randomise among the given ports.'),
    opt('--persistent', null, 'Give a client the same destination every time.'),
  ], { terminating: true, tables: ['nat'], chains: NAT_CHAINS_DNAT }),
  target('REDIRECT', 'Send the packet to this machine itself, on another port: transparent proxies. nat table, PREROUTING and OUTPUT.', [
    opt('--to-ports', v.natPortsKind, 'Local port or range (needs -p tcp/udp/...).'),
    opt('--random', null, 'Randomise the port.'),
  ], { terminating: true, tables: ['nat'], chains: NAT_CHAINS_DNAT }),
  target('NETMAP', 'Map a whole network onto another one, address by address. nat table.', [
    opt('--to', v.addressKind, 'The network to map to, addr/prefix.'),
  ], { terminating: true, tables: ['nat'], chains: ['PREROUTING', 'POSTROUTING', 'OUTPUT', 'INPUT'] }),
  target('MARK', 'Set the packet\'s netfilter mark (for routing, tc or later rules) and go on.', [
    opt('--set-mark', v.markKind, 'Set the mark: value[/mask].'),
    opt('--set-xmark', v.markKind, 'Zero the mask bits, then XOR with value: value[/mask]. (What iptables-save prints.)'),
    opt('--and-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'AND the mark with a value.'),
    opt('--or-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'OR the mark with a value.'),
    opt('--xor-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'XOR the mark with a value.'),
  ]),
  target('CONNMARK', 'Set, save or restore the mark stored on the connection, and go on.', [
    opt('--set-mark', v.markKind, 'Set the connection mark: value[/mask].'),
    opt('--set-xmark', v.markKind, 'Zero the mask bits, then XOR with value.'),
    opt('--and-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'AND the connection mark.'),
    opt('--or-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'OR the connection mark.'),
    opt('--xor-mark', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'XOR the connection mark.'),
    opt('--save-mark', null, 'Copy the packet mark to the connection.'),
    opt('--restore-mark', null, 'Copy the connection mark to the packet.'),
    opt('--nfmask', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'Mask for the packet mark when saving or restoring.', { conflicts: ['--mask'] }),
    opt('--ctmask', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'Mask for the connection mark when saving or restoring.', { conflicts: ['--mask'] }),
    opt('--mask', v.intKind(0, 0xffffffff, 'a 32-bit number (no mask)'), 'Both masks at once.', { conflicts: ['--nfmask', '--ctmask'] }),
    opt('--left-shift-mark', v.intKind(0, 31), 'Shift the mark this many bits to the left on the way between packet and connection (with --set-mark, --save-mark or --restore-mark).'),
    opt('--right-shift-mark', v.intKind(0, 31), 'Shift the mark this many bits to the right on the way between packet and connection.'),
  ]),
  target('CT', 'Set how connection tracking handles the packet: no tracking, a helper, a zone, timeouts. raw table.', [
    opt('--notrack', null, 'Do not track this packet.'),
    opt('--helper', v.stringKind(15), 'Attach this conntrack helper (ftp, sip, ...). The rule needs the helper\'s protocol: `-p tcp -j CT --helper ftp`.'),
    opt('--ctevents', v.enumKind('conntrack event', ['new', 'related', 'destroy', 'reply', 'assured', 'protoinfo', 'helper', 'mark', 'natseqinfo', 'secmark'].map((e) => ({ label: e, doc: `Report ${e} events.` })), { list: true }), 'Which conntrack events to generate: a list of new, related, destroy, reply, assured, protoinfo, helper, mark, natseqinfo, secmark.'),
    opt('--expevents', v.enumKind('expectation event', [{ label: 'new', doc: 'Report new expectations.' }], { list: true }), 'Which expectation events to generate: new.'),
    opt('--zone', v.ctZoneKind, 'Conntrack zone (number, or mark).'),
    opt('--zone-orig', v.ctZoneKind, 'Zone for the original direction.'),
    opt('--zone-reply', v.ctZoneKind, 'Zone for the reply direction.'),
    opt('--timeout', v.stringKind(31), 'Timeout policy name.'),
  ], { tables: ['raw'] }),
  target('NOTRACK', 'Exempt the packet from connection tracking (it becomes UNTRACKED). raw table.', [], { tables: ['raw'] }),
  target('TRACE', 'Log every rule this packet passes, for debugging. raw table.', [], { tables: ['raw'] }),
  target('TCPMSS', 'Rewrite the MSS of TCP SYN packets: the fix for PPPoE/VPN links where large downloads hang.', [
    opt('--set-mss', v.setMssKind, 'Set this MSS (at most 65515 for IPv4, 65495 for IPv6).'),
    opt('--clamp-mss-to-pmtu', null, 'Set the MSS from the path MTU (FORWARD, OUTPUT, POSTROUTING).', { chains: ['FORWARD', 'OUTPUT', 'POSTROUTING'] }),
  ], { protocols: ['tcp'] }),
  target('TPROXY', 'Transparent proxying: deliver the packet to a local socket without changing it. mangle table, PREROUTING only.', [
    opt('--on-port', v.portKind, 'Local port of the proxy.'),
    opt('--on-ip', v.plainAddressKind, 'Local address of the proxy.'),
    opt('--tproxy-mark', v.markKind, 'Mark to set: value[/mask].'),
  ], { terminating: true, tables: ['mangle'], chains: ['PREROUTING'], protocols: ['tcp', 'udp'] }),
  target('SET', 'Add the packet\'s addresses to an ipset, or remove them, and go on.', [
    opt('--add-set', [v.setNameKind, v.setFlagsKind], 'Set name and fields: `--add-set scanners src`.'),
    opt('--del-set', [v.setNameKind, v.setFlagsKind], 'Set name and fields to remove.'),
    opt('--map-set', [v.setNameKind, v.setFlagsKind], 'Take mark/priority/queue from a set.'),
    opt('--timeout', v.intKind(0, 0xffffffff), 'Timeout for added entries.'),
    opt('--exist', null, 'Refresh the timeout of existing entries.'),
    opt('--map-mark', null, 'Map the mark.'),
    opt('--map-prio', null, 'Map the priority.'),
    opt('--map-queue', null, 'Map the queue.'),
  ]),
  target('NFQUEUE', 'Hand the packet to a userspace program (an IPS such as Suricata) that decides its fate.', [
    opt('--queue-num', v.intKind(0, 65535), 'Queue number (default 0).'),
    opt('--queue-balance', v.queueRangeKind, 'Spread over queues `from:to` (two numbers, the first the lower).'),
    opt('--queue-bypass', null, 'Accept the packet when no program listens, instead of dropping it.'),
    opt('--queue-cpu-fanout', null, 'Choose the queue of the balance by CPU (with `--queue-balance`).', { requires: ['--queue-balance'] }),
  ], { terminating: true }),
  target('DSCP', 'Rewrite the DSCP field. mangle table.', [
    opt('--set-dscp', v.intKind(0, 63), 'DSCP value 0-63.'),
    opt('--set-dscp-class', v.dscpClassKind, 'DiffServ class name.'),
  ], { tables: ['mangle'] }),
  target('TOS', 'Rewrite the IPv4 TOS field. mangle table.', [
    opt('--set-tos', v.tosKind, 'New TOS value[/mask] or name.'),
    opt('--and-tos', v.intKind(0, 255, 'a byte (0-255, no mask)'), 'AND the TOS.'),
    opt('--or-tos', v.intKind(0, 255, 'a byte (0-255, no mask)'), 'OR the TOS.'),
    opt('--xor-tos', v.intKind(0, 255, 'a byte (0-255, no mask)'), 'XOR the TOS.'),
  ], { tables: ['mangle'] }),
  target('TTL', 'Rewrite the IPv4 time-to-live. mangle table.', [
    opt('--ttl-set', v.intKind(0, 255), 'Set the TTL.'),
    opt('--ttl-dec', v.intKind(1, 255), 'Decrease the TTL by 1 to 255.'),
    opt('--ttl-inc', v.intKind(1, 255), 'Increase the TTL by 1 to 255.'),
  ], { tables: ['mangle'], family: 4 }),
  target('HL', 'Rewrite the IPv6 hop limit. mangle table.', [
    opt('--hl-set', v.intKind(0, 255), 'Set the hop limit.'),
    opt('--hl-dec', v.intKind(1, 255), 'Decrease the hop limit by 1 to 255.'),
    opt('--hl-inc', v.intKind(1, 255), 'Increase the hop limit by 1 to 255.'),
  ], { tables: ['mangle'], family: 6 }),
  target('CLASSIFY', 'Put the packet in a tc traffic class. POSTROUTING, FORWARD and OUTPUT.', [
    opt('--set-class', v.classKind, 'Class major:minor in hexadecimal.'),
  ], { chains: ['OUTPUT', 'FORWARD', 'POSTROUTING'] }),
  target('CHECKSUM', 'Fill in a missing checksum (for old DHCP clients behind virtio). mangle table.', [
    opt('--checksum-fill', null, 'Compute the checksum.'),
  ], { tables: ['mangle'] }),
  target('AUDIT', 'Record the packet in the audit log.', [
    opt('--type', v.enumKind('audit type', [{ label: 'accept', doc: 'Record as accepted.' }, { label: 'drop', doc: 'Record as dropped.' }, { label: 'reject', doc: 'Record as rejected.' }], { match: 'nocase' }), '`accept`, `drop` or `reject`.'),
  ]),
  target('SYNPROXY', 'Answer TCP SYNs on behalf of the server, to absorb SYN floods. INPUT and FORWARD, with -p tcp.', [
    opt('--mss', v.keptBitsKind(16, 'The MSS'), 'MSS announced to clients.'),
    opt('--wscale', v.windowScaleKind, 'Window scale announced (0-14).'),
    opt('--sack-perm', null, 'Announce selective acknowledgement.'),
    opt('--timestamp', null, 'Announce timestamps.'),
    opt('--ecn', null, 'Announce ECN.'),
  ], { terminating: true, chains: ['INPUT', 'FORWARD'], protocols: ['tcp'] }),
  target('SECMARK', 'Set the SELinux security mark. mangle or security table.', [opt('--selctx', v.anyKind, 'Security context.')], { tables: ['mangle', 'security'] }),
  target('CONNSECMARK', 'Copy security marks between packet and connection. mangle or security table.', [
    opt('--save', null, 'Packet to connection.'),
    opt('--restore', null, 'Connection to packet.'),
  ], { tables: ['mangle', 'security'] }),
  target('ECN', 'Set or clear ECN bits (mangle table).', [
    opt('--ecn-tcp-remove', null, 'Remove the ECN bits from TCP headers (needs -p tcp).', { protocols: ['tcp'] }),
    opt('--ecn-tcp-cwr', v.intKind(0, 1), 'Set the TCP CWR bit to 0 or 1 (needs -p tcp).', { protocols: ['tcp'] }),
    opt('--ecn-tcp-ece', v.intKind(0, 1), 'Set the TCP ECE bit to 0 or 1 (needs -p tcp).', { protocols: ['tcp'] }),
    opt('--ecn-ip-ect', v.intKind(0, 3), 'Set the ECT codepoint of the IPv4 header (0-3).'),
  ], { tables: ['mangle'], family: 4 }),
  target('TCPOPTSTRIP', 'Remove TCP options (mangle table).', [opt('--strip-options', v.tcpOptionsKind, 'Comma-separated option names or numbers.')], { tables: ['mangle'], protocols: ['tcp'] }),
  target('TEE', 'Send a copy of the packet to another host on the local network.', [opt('--gateway', v.gatewayKind, 'Address of the host to receive the copy.'), opt('--oif', v.stringKind(15, 'an interface name', true), 'Send the copy out of this interface.')]),
  target('IDLETIMER', 'A timer that fires when no packet has matched for a while.', [opt('--timeout', v.intKind(1, 0xffffffff), 'Seconds.'), opt('--label', v.fileNamed(v.nonEmptyText('string:label:27', 27, 'a timer name', 'An empty timer name is refused by the kernel ("Invalid argument").'), '/sys/class/xt_idletimer/timers'), 'Timer name.'), opt('--alarm', null, 'Use an alarm timer.')]),
  target('LED', 'Blink an LED on matching packets.', [opt('--led-trigger-id', v.stringKind(27), 'Trigger name.'), opt('--led-delay', v.anyKind, 'Milliseconds or inf.'), opt('--led-always-blink', null, 'Blink even when on.')]),
  target('RATEEST', 'Estimate the rate of matching traffic into a named estimator.', [opt('--rateest-name', v.stringKind(15, 'an estimator name', true), 'Estimator name.'), opt('--rateest-interval', v.rateestTimeKind, 'How often the rate is measured: 250ms, 500ms, 1s, 2s, 4s or 8s (a time is rounded up to one of them).'), opt('--rateest-ewmalog', v.rateestTimeKind, 'The averaging time constant: longer than the interval, so that the rate is smoothed over several measurements.')]),
  target('HMARK', 'Set the packet mark from a hash of chosen header fields, spread over a range of marks: to share traffic between links or servers by policy routing. Goes on to the next rule.', [
    opt('--hmark-tuple', v.hmarkTupleKind, 'The fields hashed, comma-separated: `src`, `dst`, `sport`, `dport`, `spi`, `proto`, and `ct` to hash the connection\'s original direction (so both directions get one mark).'),
    opt('--hmark-mod', v.intKind(1, 0xffffffff), 'The number of marks: the hash is taken modulo this number. Required.'),
    opt('--hmark-offset', v.intKind(0, 0xffffffff), 'Added to the result: the marks run from this number up.'),
    opt('--hmark-rnd', v.intKind(0, 0xffffffff), 'A seed for the hash. Required.'),
    opt('--hmark-src-prefix', v.prefixOrMaskKind, 'Hash only this many leading bits of the source address (or the bits of a mask written as an address).'),
    opt('--hmark-dst-prefix', v.prefixOrMaskKind, 'Hash only this many leading bits of the destination address (or the bits of a mask).'),
    opt('--hmark-sport-mask', v.intKind(0, 65535), 'AND the source port with this mask before hashing.', { conflicts: ['--hmark-spi-mask'] }),
    opt('--hmark-dport-mask', v.intKind(0, 65535), 'AND the destination port with this mask before hashing.', { conflicts: ['--hmark-spi-mask'] }),
    opt('--hmark-spi-mask', v.intKind(0, 0xffffffff), 'AND the IPsec SPI (ESP, AH) with this mask before hashing.', { conflicts: ['--hmark-sport-mask', '--hmark-dport-mask'] }),
    opt('--hmark-sport', v.intKind(0, 65535), 'OR the source port with this value before hashing.', { conflicts: ['--hmark-spi'] }),
    opt('--hmark-dport', v.intKind(0, 65535), 'OR the destination port with this value before hashing.', { conflicts: ['--hmark-spi'] }),
    opt('--hmark-spi', v.intKind(0, 0xffffffff), 'OR the IPsec SPI with this value before hashing.', { conflicts: ['--hmark-sport', '--hmark-dport'] }),
    opt('--hmark-proto-mask', v.intKind(0, 65535), 'AND the protocol number with this mask before hashing.'),
  ]),
  target('SNPT', 'IPv6 source prefix translation. mangle table.', [opt('--src-pfx', v.nptPrefixKind, 'The prefix to translate from (at most 64 bits, written as its network address).'), opt('--dst-pfx', v.nptPrefixKind, 'The prefix to translate to (at most 64 bits, written as its network address).')], { tables: ['mangle'], chains: ['INPUT', 'POSTROUTING'], family: 6 }),
  target('DNPT', 'IPv6 destination prefix translation. mangle table.', [opt('--src-pfx', v.nptPrefixKind, 'The prefix to translate from (at most 64 bits, written as its network address).'), opt('--dst-pfx', v.nptPrefixKind, 'The prefix to translate to (at most 64 bits, written as its network address).')], { tables: ['mangle'], chains: ['PREROUTING', 'OUTPUT'], family: 6 }),
  target('MIRROR', 'Removed.', [], { removed: 'The MIRROR target was removed from Linux.' }),
  target('CLUSTERIP', 'Removed from Linux 6.3.', [
    opt('--new', null, 'Create the cluster address.'),
    opt('--hashmode', v.anyKind, 'What the node choice is hashed from.'),
    opt('--clustermac', v.anyKind, 'The shared multicast MAC address.'),
    opt('--total-nodes', v.anyKind, 'Number of nodes.'),
    opt('--local-node', v.anyKind, 'This node\'s number.'),
    opt('--hash-init', v.anyKind, 'Hash seed.'),
  ], { removed: 'The kernel no longer has CLUSTERIP (removed in Linux 6.3); share the address with the cluster match (-m cluster) instead.' }),
  target('SAME', 'Removed.', [], { removed: 'The SAME target was removed from Linux; use SNAT --persistent.' }),
];

/** Targets that end the packet's journey through the chain with a verdict. */
export const VERDICTS = new Set(['ACCEPT', 'DROP', 'REJECT', 'QUEUE', 'NFQUEUE']);
