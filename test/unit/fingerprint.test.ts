/** Memo keys: fingerprints of texts and whole numbers must tell apart what differs, and agree on what is the same. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fingerprint, fingerprint } from '../../server/src/engine/fingerprint';

function of(parts: Array<string | number>): string {
  const f = new Fingerprint();
  for (const p of parts) (typeof p === 'number' ? f.number(p) : f.text(p));
  return f.key();
}

test('fingerprints tell apart lists that differ, whether by texts, numbers, their order or where the texts break', () => {
  const lists: Array<Array<string | number>> = [
    [], [''], ['', ''], ['ab', 'c'], ['a', 'bc'], ['abc'], ['1'], [1], [1, 2], [2, 1], [12], ['1', '2'],
    [2 ** 32], [2 ** 32 + 1], [2 ** 40], [2 ** 53 - 1], [0], [255], [256], ['x', 7, 'y'], ['x', 'y', 7],
  ];
  for (let id = 0; id < 2000; id++) lists.push(['4:filter:BLOCK:', id], ['4:filter:BLOCK:', id, 'b']);
  const keys = new Map<string, Array<string | number>>();
  for (const l of lists) {
    const k = of(l);
    assert.ok(!keys.has(k), `${JSON.stringify(l)} and ${JSON.stringify(keys.get(k))} share the key ${k}`);
    keys.set(k, l);
  }
  // The same pieces give the same key, and a list of texts the same key either way.
  assert.equal(of(['x', 7, 'y']), of(['x', 7, 'y']));
  assert.equal(fingerprint(['4:filter:INPUT:DROP', 'b', '[k:3]']), of(['4:filter:INPUT:DROP', 'b', '[k:3]']));
});
