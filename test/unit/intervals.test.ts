/** Property: every operation on interval sets agrees with the same operation on the plain sets of numbers they hold. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IntervalSet } from '../../server/src/engine/analysis/intervals';
import { mulberry } from '../../server/src/engine/trace/confirm';

const TOP = 49;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300) * 10;

function members(x: IntervalSet): number[] {
  const out: number[] = [];
  for (let v = 0; v <= TOP; v++) if (x.has(BigInt(v))) out.push(v);
  return out;
}

test('interval sets: union, intersection, complement, subset, overlap and size agree with plain sets', () => {
  const rnd = mulberry(3);
  const randomSet = () => {
    const xs: Array<[bigint, bigint]> = [];
    for (let k = Math.floor(rnd() * 4); k > 0; k--) {
      const lo = Math.floor(rnd() * 42);
      xs.push([BigInt(lo), BigInt(lo + Math.floor(rnd() * 7) - 1)]);
    }
    return IntervalSet.from(xs);
  };
  for (let t = 0; t < RUNS; t++) {
    const a = randomSet();
    const b = randomSet();
    const ma = members(a);
    const mb = members(b);
    const ctx = `${JSON.stringify(a.items.map(String))} and ${JSON.stringify(b.items.map(String))}`;
    assert.deepEqual(members(a.union(b)), [...new Set([...ma, ...mb])].sort((x, y) => x - y), `union of ${ctx}`);
    assert.deepEqual(members(a.intersect(b)), ma.filter((v) => mb.includes(v)), `intersection of ${ctx}`);
    assert.deepEqual(members(a.minus(b, BigInt(TOP))), ma.filter((v) => !mb.includes(v)), `difference of ${ctx}`);
    assert.deepEqual(members(a.complement(BigInt(TOP))), Array.from({ length: TOP + 1 }, (_, v) => v).filter((v) => !ma.includes(v)), `complement of ${ctx}`);
    assert.equal(a.subsetOf(b), ma.every((v) => mb.includes(v)), `subset: ${ctx}`);
    assert.equal(a.overlaps(b), ma.some((v) => mb.includes(v)), `overlap: ${ctx}`);
    assert.equal(a.size(), BigInt(ma.length), `size of ${ctx}`);
    assert.equal(a.equals(b), ma.join() === mb.join(), `equality: ${ctx}`);
    // One canonical form: intervals sorted, apart, never touching.
    const u = a.union(b).items;
    for (let k = 1; k < u.length; k++) assert.ok(u[k][0] > u[k - 1][1] + 1n, `canonical union of ${ctx}`);
  }
});

test('interval sets: overlap of one interval with a set of many agrees with plain sets, either way round', () => {
  const rnd = mulberry(5);
  for (let t = 0; t < RUNS; t++) {
    const xs: Array<[bigint, bigint]> = [];
    for (let k = 5 + Math.floor(rnd() * 10); k > 0; k--) {
      const lo = Math.floor(rnd() * 48);
      xs.push([BigInt(lo), BigInt(lo + Math.floor(rnd() * 3))]);
    }
    const many = IntervalSet.from(xs);
    const lo = Math.floor(rnd() * 50);
    const one = IntervalSet.of(BigInt(lo), BigInt(Math.min(TOP, lo + Math.floor(rnd() * 4))));
    const expected = members(many).some((v) => members(one).includes(v));
    const ctx = `${JSON.stringify(many.items.map(String))} and ${JSON.stringify(one.items.map(String))}`;
    assert.equal(many.overlaps(one), expected, `overlap: ${ctx}`);
    assert.equal(one.overlaps(many), expected, `overlap: ${ctx}`);
  }
});
