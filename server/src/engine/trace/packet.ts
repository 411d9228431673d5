/** A concrete packet, as the tracer and the brute-force checks walk it through the rules. */
import { Family, formatAddress } from '../kb/addresses';

export interface Packet {
  family: Family;
  /** Protocol number (6 tcp, 17 udp, 1 icmp, 58 ipv6-icmp, ...). */
  proto: number;
  src: bigint;
  dst: bigint;
  sport: number;
  dport: number;
  icmpType: number;
  icmpCode: number;
  /** Input and output interface names; '' where the packet has none (locally sent / not yet routed). */
  in: string;
  out: string;
  /** Connection-tracking state: NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED. */
  state: string;
  /** TCP flags as a bit set: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32. */
  tcpFlags: number;
  /** A second or later fragment (carries no ports). */
  fragment: boolean;
  length: number;
  ttl: number;
}

export function describePacket(p: Packet): string {
  const proto = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'ipv6-icmp', 132: 'sctp' }[p.proto] ?? `proto ${p.proto}`;
  const ports = p.proto === 6 || p.proto === 17 || p.proto === 132 ? ` ${p.sport} -> ${p.dport}` : p.proto === 1 || p.proto === 58 ? ` type ${p.icmpType}/${p.icmpCode}` : '';
  const ifs = `${p.in ? ` in ${p.in}` : ''}${p.out ? ` out ${p.out}` : ''}`;
  return `${proto} ${formatAddress(p.src, p.family)} -> ${formatAddress(p.dst, p.family)}${ports}${ifs} ${p.state}`;
}

export function defaultPacket(family: Family): Packet {
  return { family, proto: 6, src: 0n, dst: 0n, sport: 40000, dport: 80, icmpType: 8, icmpCode: 0, in: '', out: '', state: 'NEW', tcpFlags: 2, fragment: false, length: 60, ttl: 64 };
}
