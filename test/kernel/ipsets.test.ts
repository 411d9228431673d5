/**
 * unknown-ipset and the family of a script's own sets, against the real kernel: the script runs in a throw-away
 * network namespace (its own ipsets too), each iptables command reporting whether iptables took it, and the
 * commands refused on that first run are exactly those the linter reports. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lint } from '../../server/src/engine/lint';
import { requirement } from '../helpers/env';
import { BACKEND } from '../helpers/lint';
import { kernelUnavailable } from './oracle';

const why = kernelUnavailable();
const skip = requirement(!why, `the ipset checks cannot be held to the kernel: ${why}`);

const SCRIPT = [
  '#!/bin/bash',
  'iptables -A INPUT -m set --match-set early src -j DROP',
  'ipset -exist create blocklist hash:net',
  'ipset create early hash:ip',
  "ipset restore <<'SETS'",
  'create v6list hash:net family inet6',
  'add v6list 2001:db8::/32',
  'SETS',
  'iptables -A INPUT -m set --match-set blocklst src -j DROP',
  'iptables -A INPUT -m set --match-set blocklist src -j DROP',
  'ip6tables -A INPUT -m set --match-set blocklist src -j DROP',
  'ip6tables -A INPUT -m set --match-set v6list src -j DROP',
  'iptables -A INPUT -m set --match-set v6list src -j DROP',
  'iptables -A INPUT -p tcp --syn -j SET --add-set scanners src',
  'iptables -A INPUT -m set --match-set early src,dst -j DROP',
  'iptables -I INPUT -m set ! --match-set early dst -j ACCEPT',
  'ipset create gone hash:ip',
  'ipset create renewed hash:ip',
  'ipset destroy gone',
  'ipset destroy renewed',
  'ipset create renewed hash:ip',
  'iptables -A INPUT -m set --match-set gone src -j DROP',
  'iptables -A INPUT -m set --match-set renewed src -j DROP',
  '',
].join('\n');

test('kernel: the rules refused on a first run are those naming a set the script does not make (in time), or of the other family', { skip, timeout: 60000 }, () => {
  const reported = lint(SCRIPT, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unknown-ipset' || d.code === 'address-family').map((d) => d.range.start.line + 1);
  // Each iptables command says whether it was taken; the script goes on either way.
  const run = SCRIPT.replace(/^(ip6?tables) (.*)$/gm, `$1-${BACKEND} $2 2>/dev/null || echo "refused $LINENO"`);
  const out = execFileSync('unshare', ['-n', 'bash', '-c', run], { encoding: 'utf8' });
  const refused = [...out.matchAll(/^refused (\d+)$/gm)].map((m) => Number(m[1]));
  assert.ok(refused.length >= 5, out);
  assert.deepEqual(reported, refused);
});
