/**
 * Rules whose own conditions exclude every packet. Each case below was also given to the real kernel
 * (iptables-legacy-restore in a throw-away namespace, see test/kernel): "kept" means the kernel loads the rule,
 * which then never matches (a warning here); "refused" means iptables refuses it (an error of the kernel checks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectNone, expectOne, filter, errors } from '../helpers/lint';

const cases: Array<[string, string, RegExp]> = [
  // kept by the kernel
  ['-A INPUT -p udp -m udp --dport 60000:29 -j ACCEPT', 'udp reversed port range', /60000:29 is reversed/],
  ['-A INPUT -p dccp -m dccp --sport 600:29 -j ACCEPT', 'dccp reversed port range', /600:29 is reversed/],
  ['-A INPUT -m length --length 600:29 -j ACCEPT', 'reversed length', /600:29 is reversed/],
  ['-A INPUT -m ttl --ttl-lt 0 -j ACCEPT', 'TTL below 0', /no value is below 0/],
  ['-A INPUT -m ttl --ttl-gt 255 -j ACCEPT', 'TTL above 255', /no value is above 255/],
  ['-A INPUT -m ttl --ttl-gt 100 -m ttl --ttl-lt 50 -j ACCEPT', 'two TTL conditions', /exclude each other/],
  // iptables reads a TTL as strtoul does (it saves --ttl-eq 010 as 8, --ttl-lt 0x10 as 16).
  ['-A INPUT -m ttl --ttl-eq 010 -m ttl --ttl-eq 8 -m ttl --ttl-lt 0x10 -j ACCEPT', 'TTL 010 is 8, not 10', /^$/],
  ['-A INPUT -m ttl --ttl-eq 010 -m ttl --ttl-gt 8 -j ACCEPT', 'TTL 010 and above 8', /exclude each other/],
  ['-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.1 -j ACCEPT', 'reversed iprange', /reversed/],
  ['-A INPUT -s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9 -j ACCEPT', 'address and iprange apart', /-s 10\.0\.0\.0\/8.*exclude each other/],
  ['-A INPUT ! -s 0.0.0.0/0 -j ACCEPT', 'negated whole address space', /excludes every source address/],
  ['-A INPUT -m conntrack --ctstate NEW -m state --state ESTABLISHED -j ACCEPT', 'two states', /exclude each other/],
  ['-A INPUT -p tcp --syn -m tcp --tcp-flags SYN,ACK SYN,ACK -j ACCEPT', 'SYN without ACK and SYN with ACK', /exclude each other/],
  ['-A INPUT -f -p tcp --dport 22 -j ACCEPT', 'fragment with a port', /exclude each other/],
  ['-A INPUT -m conntrack --ctorigdstport 600:29 -j ACCEPT', 'not modelled, so not claimed', /^$/],
];

for (const [rule, name, why] of cases) {
  test(`never-matches: ${name}`, () => {
    const text = filter(rule);
    assert.deepEqual(errors(text).map((e) => e.message), [], 'the kernel keeps these rules: no error');
    if (why.source === '^$') {
      expectNone(text, 'never-matches');
      return;
    }
    const d = expectOne(text, 'never-matches', 4, rule);
    assert.match(d.message, why);
  });
}

test('--syn together with --tcp-flags in one tcp match is refused by iptables: an error', () => {
  const text = filter('-A INPUT -p tcp --tcp-flags SYN,ACK SYN --syn -j ACCEPT');
  assert.equal(errors(text)[0].code, 'syntax');
  assert.match(errors(text)[0].message, /cannot be used together/);
});

test('what iptables refuses stays an error, not a never-matches warning', () => {
  const text = filter('-A INPUT -p tcp -m tcp --dport 60000:29 -j ACCEPT');
  assert.equal(errors(text)[0].code, 'invalid-value');
  expectNone(text, 'never-matches');
});

test('-i lo with a non-loopback source is not impossible (spoofed packets exist)', () => {
  expectNone(filter('-A INPUT -i lo -s 192.0.2.1 -j ACCEPT'), 'never-matches');
});

test('a rule that never matches shadows nothing', () => {
  expectNone(filter('-A INPUT -p udp --dport 600:29 -j DROP', '-A INPUT -p udp --dport 100 -j ACCEPT'), 'reject-before-accept');
});

test('the corpus line from the university firewall is reported', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const path = await import('node:path');
  const { CORPUS, corpusSkip } = await import('../helpers/env');
  if (corpusSkip()) return;
  const file = path.join(CORPUS, 'save', 'nn_tum-chair_iptables-save-2015-05-13_10-53-20');
  assert.ok(existsSync(file));
  const { lint } = await import('../../server/src/engine/lint');
  const found = lint(readFileSync(file, 'utf8'), { fileName: file }).diagnostics.filter((d) => d.code === 'never-matches');
  assert.deepEqual(found.map((d) => d.range.start.line + 1), [1549]);
});

test('kernel: every never-matches case above loads, and the reversed TCP range is refused', async (t) => {
  const { kernelUnavailable, loadAll } = await import('../kernel/oracle');
  const { requirement } = await import('../helpers/env');
  const why = kernelUnavailable();
  if (requirement(!why, `the kernel check of the never-matches cases cannot run: ${why}`)) {
    t.skip(why);
    return;
  }
  const kept = cases.filter(([, , w]) => w.source !== '^$').map(([rule]) => ({ family: 4 as const, text: filter(rule) }));
  const refused = [{ family: 4 as const, text: filter('-A INPUT -p tcp -m tcp --dport 60000:29 -j ACCEPT') }, { family: 4 as const, text: filter('-A INPUT -p sctp -m sctp --dport 600:29 -j ACCEPT') }];
  const verdicts = loadAll([...kept, ...refused]);
  kept.forEach((k, i) => assert.ok(verdicts[i].accepted, `the kernel keeps: ${k.text.split('\n')[4]} (${verdicts[i].message})`));
  refused.forEach((r, i) => assert.ok(!verdicts[kept.length + i].accepted, `iptables refuses: ${r.text.split('\n')[4]}`));
});

test('no never-matches claim in the 80 accepted corpus files', async () => {
  const { readFileSync, existsSync } = await import('node:fs');
  const path = await import('node:path');
  const { CORPUS, corpusSkip } = await import('../helpers/env');
  if (corpusSkip()) return;
  const { lint } = await import('../../server/src/engine/lint');
  const accepted = readFileSync(path.join(CORPUS, 'ORACLE.md'), 'utf8').split('\n').map((l) => l.split('|').map((x) => x.trim())).filter((c) => c.length > 10 && c[9]?.startsWith('ACCEPT')).map((c) => c[1]);
  assert.ok(accepted.length >= 80 && existsSync(path.join(CORPUS, 'save')));
  const found = accepted.flatMap((f) => lint(readFileSync(path.join(CORPUS, 'save', f), 'utf8'), { fileName: f }).diagnostics.filter((d) => d.code === 'never-matches').map((d) => `${f}:${d.range.start.line + 1}`));
  assert.deepEqual(found, []);
});
