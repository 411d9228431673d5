/**
 * The index of boxes that the dead-rule search and a chain's decisions look earlier rules up in: it finds exactly
 * what comparing with every box finds, and a long list of hosts (IPv4, or IPv6 addresses of one network, which are
 * alike in their first 64 bits) costs a few entries per lookup, not the whole list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoxIndex } from '../../server/src/engine/analysis/boxIndex';
import { IntervalSet } from '../../server/src/engine/analysis/intervals';
import { Box, Dim, Space, withDims } from '../../server/src/engine/analysis/space';
import { mulberry } from '../../server/src/engine/trace/confirm';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const NET6 = 0x20010db8_00000001n << 64n;

/** A random box: a source range (near `base`, so that boxes meet), sometimes a port range, sometimes a protocol. */
function randomBox(space: Space, rnd: () => number, base: bigint): Box {
  const lo = base + BigInt(Math.floor(rnd() * 64));
  const hi = lo + BigInt(Math.floor(rnd() * (rnd() < 0.7 ? 1 : 20)));
  const dims: Array<[Dim, IntervalSet]> = [[Dim.Src, IntervalSet.of(lo, hi)]];
  if (rnd() < 0.5) {
    const p = Math.floor(rnd() * 30);
    dims.push([Dim.Dport, IntervalSet.of(BigInt(p), BigInt(p + Math.floor(rnd() * 5)))]);
  }
  if (rnd() < 0.3) dims.push([Dim.Proto, IntervalSet.point(rnd() < 0.5 ? 6n : 17n)]);
  return withDims(space, dims);
}

for (const [family, base] of [[4, 0x0a000000n], [6, NET6]] as const) {
  test(`box index (IPv${family}): points and overlaps found are those a comparison with every box finds`, () => {
    const space = new Space(family);
    const rnd = mulberry(family);
    for (let run = 0; run < RUNS / 10; run++) {
      const boxes: Box[] = [];
      const dim = rnd() < 0.5 ? Dim.Src : Dim.Dport;
      const index = new BoxIndex<number>(space, (k) => boxes[k], dim);
      const n = 1 + Math.floor(rnd() * 60);
      for (let k = 0; k < n; k++) {
        boxes.push(randomBox(space, rnd, base));
        index.add(k);
        // Queries between additions, as a chain's decisions are looked up while they are added.
        if (rnd() < 0.3) {
          const q = randomBox(space, rnd, base);
          const before = Math.floor(rnd() * (k + 2));
          const expected = boxes.map((_, j) => j).filter((j) => j < before && space.overlaps(boxes[j], q));
          assert.deepEqual(index.query(q, before), expected);
          const p = space.point(q, rnd() < 0.5);
          const holders = boxes.map((_, j) => j).filter((j) => j < before && space.contains(boxes[j], p));
          assert.equal(index.holds(p, before), holders.length > 0);
          assert.deepEqual(index.holding(p, before).sort((a, b) => a - b), holders);
        }
      }
    }
  });
}

test('box index: a list of hosts, IPv4 or of one IPv6 network, costs a few entries per lookup', () => {
  for (const [family, base] of [[4, 0x0a000000n], [6, NET6]] as const) {
    const space = new Space(family);
    const n = 4000;
    const boxes: Box[] = [];
    for (let k = 0; k < n; k++) boxes.push(withDims(space, [[Dim.Src, IntervalSet.point(base + BigInt(k * 7919 % n) * 3n)]]));
    const index = new BoxIndex<number>(space, (k) => boxes[k]);
    for (let k = 0; k < n; k++) index.add(k);
    for (let k = 0; k < n; k++) {
      assert.ok(index.holds(space.point(boxes[k]), n));
      assert.ok(!index.holds(space.point(boxes[k]), 0));
    }
    // Each lookup looks at the entries that start where the host is: one, not thousands.
    assert.ok(index.scanned <= 2 * n, `IPv${family}: ${index.scanned} entries looked at for ${2 * n} lookups`);
  }
});
