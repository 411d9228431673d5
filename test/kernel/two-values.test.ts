/**
 * Options that take two values, on a grid of both: SCTP chunk types (how to match, in any case; the chunk names in
 * any case, with flags, empty items, ALL and NONE), TCP flags (masks and the flags that must be set), and a set's
 * directions. The linter must refuse exactly what iptables refuses. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requirement } from '../helpers/env';
import { BACKEND } from '../helpers/lint';
import { kernelUnavailable } from './oracle';
import { Case, disagreements, kernelVerdicts } from './verdicts';

const why = kernelUnavailable();
const skip = requirement(!why, `options with two values cannot be checked against the kernel: ${why}`);

const HOW = ['all', 'any', 'only', 'ALL', 'Any', 'x', "''"];
const CHUNKS = ['DATA', 'data', 'Data:b', 'DATA:B', 'DATA:IUBE', 'DATA:Q', 'DATA:', 'DATA::B', 'DATA:B:E', 'DATA:T', 'INIT,DATA', ',DATA', 'DATA,', 'DATA:I,DATA:U',
  'ALL', 'NONE', 'none', 'ALL,DATA', 'NONE:T', 'INIT_ACK', 'ABORT:T', 'ABORT:t', 'ABORT:X', 'SHUTDOWN_COMPLETE:T', 'COOKIE_ECHO:T', 'SACK:T', 'I_DATA:B', 'I_DATA:T',
  'RE_CONFIG', 'PAD:T', 'ASCONF_ACK', 'I_FORWARD_TSN', 'AUTH', 'x', "''", ','];
const FLAGS = ['SYN', 'ALL', 'NONE', 'syn', 'SYN,ACK', 'SYN,', 'FIN,SYN,RST,PSH,ACK,URG', 'ECE', 'CWR', 'x', "''", 'SYN,,ACK', 'ACK,ACK', 'all', 'ALL,SYN'];
const DIRECTIONS = ['src', 'dst', 'src,dst', 'SRC', 'src,src', 'src,dst,src,dst,src,dst,src', 'x', "''", 'src,', 'src,dst,dst'];

test(`kernel (iptables-${BACKEND}): SCTP chunk types, TCP flags and set directions on a grid: the linter refuses what iptables refuses`, { skip, timeout: 300000 }, () => {
  const all: Case[] = [];
  for (const how of HOW) for (const chunks of CHUNKS) for (const family of [4, 6] as const) all.push({ family, module: 'match sctp', rule: `-A INPUT -p sctp -m sctp --chunk-types ${how} ${chunks} -j ACCEPT` });
  for (const mask of FLAGS) for (const set of FLAGS) all.push({ family: 4, module: 'match tcp', rule: `-A INPUT -p tcp --tcp-flags ${mask} ${set} -j ACCEPT` });
  for (const d of DIRECTIONS) all.push({ family: 4, module: 'match set', rule: `-A INPUT -m set --match-set blocklist ${d} -j DROP` });
  const verdicts = kernelVerdicts(all, 'ipset create blocklist hash:ip', true);
  assert.ok(verdicts.filter((v) => v === false).length >= 150 && verdicts.filter((v) => v === true).length >= 150, 'the grid holds both refusals and rules taken');
  assert.deepEqual(disagreements(all, verdicts), []);
});
