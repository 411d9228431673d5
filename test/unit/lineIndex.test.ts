/**
 * The line index of an edited document, made from the previous text's index (a keystroke does not search the whole
 * document for line breaks), is the index a fresh read of the text gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex } from '../../server/src/engine/lineIndex';
import { AnalysisMemo } from '../../server/src/engine/memo';

/** Short texts of few characters, line breaks (and carriage returns) among them often. */
const text = fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', ' '), maxLength: 40 });

/** A text and an edit of it: `cut` characters from `at` replaced by `put`. */
const edit = fc.tuple(text, fc.nat(), fc.nat(), text).map(([before, a, c, put]) => {
  const at = a % (before.length + 1);
  const cut = c % (before.length - at + 1);
  return { before, after: before.slice(0, at) + put + before.slice(at + cut), at, cut, put };
});

test('an edited index equals a fresh one, for any shared start and end the two texts have', () => {
  fc.assert(fc.property(edit, fc.nat(), fc.nat(), ({ before, after, at, cut, put }, p, s) => {
    // Any lengths the texts surely share: up to the edit's start, and up to what follows its end.
    const prefix = p % (at + 1);
    const suffix = s % (before.length - at - cut + 1);
    const edited = LineIndex.edited(new LineIndex(before), after, prefix, suffix);
    assert.deepEqual(edited.starts, new LineIndex(after).starts, JSON.stringify({ before, at, cut, put, prefix, suffix }));
  }), { numRuns: 3000, seed: 11 });
});

test('the memo gives each analysis the index of its own text, edit after edit', () => {
  fc.assert(fc.property(fc.array(edit.map((e) => e.after), { minLength: 1, maxLength: 8 }), (texts) => {
    const memo = new AnalysisMemo();
    for (const t of texts) {
      memo.begin();
      const index = memo.lineIndex(t);
      assert.equal(index.text, t);
      assert.deepEqual(index.starts, new LineIndex(t).starts, JSON.stringify(texts));
      memo.end();
    }
  }), { numRuns: 1000, seed: 5 });
});

test('an analysis left unfinished does not spoil the next index', () => {
  const memo = new AnalysisMemo();
  memo.begin();
  memo.lineIndex('a\nb\n');
  memo.end();
  memo.begin();
  memo.lineIndex('a\nbb\nc\n');
  // No end(): the next analysis is compared with the last finished one.
  memo.begin();
  const index = memo.lineIndex('\na\nb');
  assert.deepEqual(index.starts, [0, 1, 3]);
});
