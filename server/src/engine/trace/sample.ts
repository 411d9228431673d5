/** Concrete packets drawn from a box of the analysis model: for brute-force checks of what the analysis claims. */
import { IntervalSet } from '../analysis/intervals';
import { Box, Dim, IFNAME_BYTES, STATES } from '../analysis/space';
import { Family } from '../kb/addresses';
import { Packet } from './packet';

function pick(set: IntervalSet, rnd: () => number): bigint {
  const items = set.items;
  const [lo, hi] = items[Math.floor(rnd() * items.length)];
  const r = rnd();
  if (r < 0.3) return lo;
  if (r < 0.6) return hi;
  const span = hi - lo + 1n;
  const frac = BigInt(Math.floor(rnd() * 2 ** 30));
  return lo + ((span * frac) >> 30n);
}

/** The interface name a point of the model stands for; undefined for points that are no name (a NUL inside). */
function ifaceName(v: bigint): string | undefined {
  const bytes: number[] = [];
  for (let k = IFNAME_BYTES - 1; k >= 0; k--) bytes.push(Number((v >> BigInt(k * 8)) & 255n));
  const end = bytes.indexOf(0);
  if (end >= 0 && bytes.slice(end).some((b) => b !== 0)) return undefined;
  return String.fromCharCode(...(end < 0 ? bytes : bytes.slice(0, end)));
}

/** Up to `count` packets inside `box`, its corners included (points that are no real packet are skipped). */
export function samplePackets(box: Box, family: Family, count: number, rnd: () => number): Packet[] {
  const out: Packet[] = [];
  for (let k = 0; k < count * 3 && out.length < count; k++) {
    const v = (d: Dim) => (k === 0 ? box[d].min! : k === 1 ? box[d].max! : pick(box[d], rnd));
    const icmp = Number(v(Dim.Icmp));
    const inName = ifaceName(v(Dim.In));
    const outName = ifaceName(v(Dim.Out));
    if (inName === undefined || outName === undefined) continue;
    out.push({
      family,
      src: v(Dim.Src),
      dst: v(Dim.Dst),
      proto: Number(v(Dim.Proto)),
      sport: Number(v(Dim.Sport)),
      dport: Number(v(Dim.Dport)),
      icmpType: icmp >> 8,
      icmpCode: icmp & 255,
      in: inName,
      out: outName,
      state: STATES[Number(v(Dim.State))],
      tcpFlags: Number(v(Dim.TcpFlags)),
      fragment: v(Dim.Frag) === 1n,
      length: Number(v(Dim.Length)),
      ttl: Number(v(Dim.Ttl)),
    });
  }
  return out;
}
