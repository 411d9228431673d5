import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { VERSION } from '../../server/src/version';
import { ROOT } from '../helpers/env';

test('the server and the linter report the version package.json gives', () => {
  assert.equal(VERSION, JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
});
