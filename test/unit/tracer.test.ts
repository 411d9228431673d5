/** The packet tracer: order of tables and hooks, jumps and returns, NAT rewrites, forks, the command line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { formatTrace, packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';
import { main } from '../../server/src/cli/lint';

const RULES = [
  '*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
  '-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80',
  '-A POSTROUTING -o eth0 -j MASQUERADE',
  'COMMIT',
  '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':WEB - [0:0]',
  '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  '-A INPUT -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name ssh -j DROP',
  '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
  '-A FORWARD -p tcp -j WEB',
  '-A WEB -d 10.0.0.5/32 -p tcp -m tcp --dport 80 -j ACCEPT',
  '-A WEB -j RETURN',
  'COMMIT', '',
].join('\n');

test('a forwarded packet is DNATed in PREROUTING, accepted in a user chain, masqueraded in POSTROUTING', () => {
  const r = lint(RULES);
  const t = tracePacket(r, packetFrom({ proto: 'tcp', src: '203.0.113.5', dst: '192.0.2.1', dport: 8080, in: 'eth0', out: 'eth0' }, 4), 'forward');
  assert.equal(t.branches.length, 1);
  const b = t.branches[0];
  assert.equal(b.verdict, 'ACCEPT');
  assert.deepEqual(b.stages.map((s) => `${s.hook}/${s.table}`), ['PREROUTING/nat', 'FORWARD/filter', 'POSTROUTING/nat']);
  assert.match(b.stages[0].rewrite!, /DNAT: 203\.0\.113\.5:40000 -> 192\.0\.2\.1:8080 becomes 203\.0\.113\.5:40000 -> 10\.0\.0\.5:80/);
  assert.equal(b.decidedBy!.range.start.line, 15);
  assert.match(formatTrace(t), /jump to WEB[\s\S]*line 16 \[WEB\][\s\S]*MASQUERADE/);
});

test('a match that depends on history forks the trace: "if it matches ... if not ..."', () => {
  const r = lint(RULES);
  const t = tracePacket(r, packetFrom({ proto: 'tcp', dport: 22, in: 'eth0' }, 4), 'input');
  assert.deepEqual(t.branches.map((b) => [b.verdict, b.assumptions.map((a) => a.matched)]), [['DROP', [true]], ['ACCEPT', [false]]]);
  const text = formatTrace(t);
  assert.match(text, /Branch 1: if line 13 matches:[\s\S]*Verdict: DROP[\s\S]*Branch 2: if line 13 does not match:[\s\S]*Verdict: ACCEPT/);
});

test('established packets skip nat; the policy decides what no rule takes', () => {
  const r = lint(RULES);
  const est = tracePacket(r, packetFrom({ proto: 'udp', dport: 53, in: 'eth0', state: 'ESTABLISHED' }, 4), 'input');
  assert.equal(est.branches[0].verdict, 'ACCEPT');
  const other = tracePacket(r, packetFrom({ proto: 'udp', dport: 53, in: 'eth0' }, 4), 'input');
  assert.equal(other.branches[0].verdict, 'DROP');
  assert.match(formatTrace(other), /policy of INPUT: DROP/);
});

test('iptables-lint trace prints the walk; bad packet options are usage errors', () => {
  let out = '';
  let err = '';
  const file = '/tmp/ipt-trace-unit.rules';
  require('node:fs').writeFileSync(file, RULES);
  assert.equal(main(['trace', file, '--proto', 'tcp', '--dport', '22', '--in', 'eth0'], (s) => (out += s), (s) => (err += s), () => ''), 0);
  assert.match(out, /Branch 2: if line 13 does not match/);
  assert.equal(main(['trace', file, '--dport', 'ssh'], () => undefined, (s) => (err += s), () => ''), 2);
  assert.match(err, /--dport takes a number/);
  assert.equal(main(['trace', file, '--src', '2001:db8::1'], () => undefined, (s) => (err += s), () => ''), 2);
  assert.match(err, /IPv6 address; this ruleset is IPv4/);
  out = '';
  assert.equal(main(['trace', file, '--proto', 'tcp', '--dport', '22', '--in', 'eth0', '--json'], (s) => (out += s), () => undefined, () => ''), 0);
  assert.deepEqual(JSON.parse(out).map((b: { verdict: string }) => b.verdict), ['DROP', 'ACCEPT']);
});

test('DNAT and SNAT to IPv6 addresses, bracketed with a port or bare, rewrite the packet', () => {
  const text = ['*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]',
    '-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination [fd00::10]:8080',
    '-A PREROUTING -p tcp --dport 81 -j DNAT --to-destination fd00::11',
    '-A POSTROUTING -o eth0 -j SNAT --to-source 2001:db8::1-2001:db8::9',
    'COMMIT', '*filter', ':FORWARD ACCEPT [0:0]', 'COMMIT', ''].join('\n');
  const r = lint(text, { family: 6 });
  const trace = (dport: number) => tracePacket(r, packetFrom({ proto: 'tcp', src: '2001:db8:ffff::5', dst: '2001:db8::100', dport, in: 'eth1', out: 'eth0' }, 6), 'forward').branches[0];
  assert.match(trace(80).stages[0].rewrite!, /becomes \S+ -> fd00::10:8080/);
  assert.match(trace(81).stages[0].rewrite!, /becomes \S+ -> fd00::11:81/);
  assert.match(trace(81).stages.find((s) => s.hook === 'POSTROUTING')!.rewrite!, /becomes 2001:db8::1:\d+ -> /);
});

test('a DNAT to a shifted port range keeps the packet\'s distance from the base port; its connections are held to FORWARD', () => {
  const text = ['*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -i eth0 -p tcp --dport 1000:1100 -j DNAT --to-destination 10.0.0.5:5000-5100/1000', 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  const r = lint(text, { fileName: 'rules.v4' });
  const trace = (dport: number) => tracePacket(r, packetFrom({ proto: 'tcp', src: '203.0.113.5', dst: '192.0.2.1', dport, in: 'eth0', out: 'eth1' }, 4), 'forward').branches[0];
  assert.match(trace(1005).stages[0].rewrite!, /becomes \S+ -> 10\.0\.0\.5:5005$/);
  assert.match(trace(1100).stages[0].rewrite!, /becomes \S+ -> 10\.0\.0\.5:5100$/);
  assert.match(r.diagnostics.find((d) => d.code === 'dnat-dropped')!.message, /10\.0\.0\.5:5000-5100 are dropped/);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
});
