/**
 * Two throw-away network namespaces joined by a veth pair, for sending real packets at a ruleset: "fw" holds the
 * rules, "peer" sends. Addresses only from the documentation ranges; nothing leaves the two namespaces.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const FW_ADDR = '192.0.2.1';
export const PEER_ADDRS = ['192.0.2.2', '192.0.2.3', '203.0.113.9'];
/** The same for IPv6: the firewall's address, and the peer's (the last one outside the firewall's own network). */
export const FW_ADDR6 = '2001:db8::1';
export const PEER_ADDRS6 = ['2001:db8::2', '2001:db8::3', '2001:db8:1::9'];

export interface NetPair {
  fw: string;
  peer: string;
  run(ns: string, cmd: string[], input?: string): string;
  destroy(): void;
}

function sh(cmd: string[], input?: string): string {
  return execFileSync(cmd[0], cmd.slice(1), { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  for (const tool of ['ip', 'python3', 'iptables-legacy-restore', 'ip6tables-legacy-restore']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  return undefined;
}

/**
 * IPv6 on the pair, quiet: no duplicate address detection, no multicast on the link (so no neighbour discovery
 * and no multicast listener reports reach the rules' counters), the neighbours written in by hand instead.
 */
function addIPv6(run: NetPair['run'], fw: string, peer: string): void {
  for (const ns of [fw, peer]) run(ns, ['sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
  run(fw, ['ip', 'link', 'set', 'va', 'multicast', 'off']);
  run(peer, ['ip', 'link', 'set', 'vb', 'multicast', 'off']);
  run(fw, ['ip', '-6', 'addr', 'add', `${FW_ADDR6}/64`, 'dev', 'va', 'nodad']);
  for (const a of PEER_ADDRS6) run(peer, ['ip', '-6', 'addr', 'add', `${a}/64`, 'dev', 'vb', 'nodad']);
  const mac = (ns: string, dev: string) => run(ns, ['cat', `/sys/class/net/${dev}/address`]).trim();
  const [ma, mb] = [mac(fw, 'va'), mac(peer, 'vb')];
  run(peer, ['ip', '-6', 'neigh', 'add', FW_ADDR6, 'lladdr', ma, 'dev', 'vb', 'nud', 'permanent']);
  for (const a of PEER_ADDRS6) run(fw, ['ip', '-6', 'neigh', 'add', a, 'lladdr', mb, 'dev', 'va', 'nud', 'permanent']);
  run(fw, ['ip', '-6', 'route', 'add', '2001:db8:1::/64', 'dev', 'va']);
}

export function makeNetPair(): NetPair {
  const tag = `${process.pid}`;
  const fw = `ipt-fw-${tag}`;
  const peer = `ipt-peer-${tag}`;
  const run = (ns: string, cmd: string[], input?: string) => sh(['ip', 'netns', 'exec', ns, ...cmd], input);
  sh(['ip', 'netns', 'add', fw]);
  sh(['ip', 'netns', 'add', peer]);
  try {
    sh(['ip', 'link', 'add', 'va', 'netns', fw, 'type', 'veth', 'peer', 'name', 'vb', 'netns', peer]);
    run(fw, ['ip', 'addr', 'add', `${FW_ADDR}/24`, 'dev', 'va']);
    run(fw, ['ip', 'link', 'set', 'va', 'up']);
    run(fw, ['ip', 'link', 'set', 'lo', 'up']);
    run(fw, ['ip', 'route', 'add', '203.0.113.0/24', 'dev', 'va']);
    for (const a of PEER_ADDRS) run(peer, ['ip', 'addr', 'add', `${a}/24`, 'dev', 'vb']);
    run(peer, ['ip', 'link', 'set', 'vb', 'up']);
    run(peer, ['ip', 'link', 'set', 'lo', 'up']);
    run(peer, ['ip', 'route', 'add', '192.0.2.0/24', 'dev', 'vb', 'src', '192.0.2.2', 'metric', '50']);
    addIPv6(run, fw, peer);
  } catch (e) {
    spawnSync('ip', ['netns', 'del', fw]);
    spawnSync('ip', ['netns', 'del', peer]);
    throw e;
  }
  return {
    fw,
    peer,
    run,
    destroy: () => {
      spawnSync('ip', ['netns', 'del', fw]);
      spawnSync('ip', ['netns', 'del', peer]);
    },
  };
}

/**
 * The peer's way of sending one first packet, in Python: a TCP SYN (a connect, waited for a moment, or with `wait`
 * false a non-blocking one whose socket is handed back to be kept open), a UDP datagram, or an ICMP echo request
 * (ICMPv6 for IPv6 addresses, whose checksum the kernel fills in). Every packet carries 5 bytes of data.
 */
const SEND = String.raw`
import json, socket, struct, sys, time
def send(proto, src, dst, sport, dport, wait):
    fam = socket.AF_INET6 if ':' in dst else socket.AF_INET
    if proto == 'tcp':
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, sport))
        if not wait:
            s.setblocking(False)
            s.connect_ex((dst, dport))
            return s
        s.settimeout(0.4)
        try:
            s.connect((dst, dport))
        except Exception:
            pass
    elif proto == 'udp':
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((src, sport))
        s.sendto(b'probe', (dst, dport))
    elif fam == socket.AF_INET6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        s.bind((src, 0))
        s.sendto(struct.pack('!BBHHH', 128, 0, 0, sport & 0xffff, 1) + b'probe', (dst, 0))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        s.bind((src, 0))
        body = struct.pack('!BBHHH', 8, 0, 0, sport & 0xffff, 1) + b'probe'
        total = sum(struct.unpack('!%dH' % (len(body) // 2), body[: len(body) // 2 * 2])) + (body[-1] << 8 if len(body) % 2 else 0)
        while total >> 16:
            total = (total & 0xffff) + (total >> 16)
        body = body[:2] + struct.pack('!H', ~total & 0xffff) + body[4:]
        s.sendto(body, (dst, 0))
    return s
`;

/** Sends one packet from the peer (see SEND): argv holds proto, src, dst, sport and dport. */
export const SENDER = `${SEND}
send(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), True)
`;

/** Per-rule packet counters from iptables-legacy-save -c (or ip6tables-legacy-save -c): table -> chain -> counts in rule order. */
export function readCounters(save: string): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      out.set(table, new Map());
      continue;
    }
    const m = /^\[(\d+):\d+\] -A (\S+)/.exec(line);
    if (!m) continue;
    const chains = out.get(table)!;
    const list = chains.get(m[2]) ?? [];
    list.push(Number(m[1]));
    chains.set(m[2], list);
  }
  return out;
}

/**
 * Sends many first packets from the peer at once, none waiting for an answer: argv[1] is a JSON list of
 * [proto, src, dst, sport, dport]. The TCP sockets are kept open until all are sent, so nothing is retransmitted or
 * reset from this side.
 */
export const BURST_SENDER = `${SEND}
kept = [send(proto, src, dst, sport, dport, False) for proto, src, dst, sport, dport in json.loads(sys.argv[1])]
time.sleep(0.2)
`;
