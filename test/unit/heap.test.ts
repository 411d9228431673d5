/** The V8 settings the server and the linter apply must exist in the Node.js they run on, or they silently do nothing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { HEAP_FLAGS } from '../../server/src/heap';

test('every heap flag is one this V8 knows (node refuses an unknown flag on its command line)', () => {
  for (const flag of HEAP_FLAGS) {
    const r = spawnSync(process.execPath, [flag, '-e', '0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${flag}: ${r.stderr}`);
  }
});
