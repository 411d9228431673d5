/** Hand-written cases for the policy analysis. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codes, diagnose, expectNone, expectOne, filter, table } from '../helpers/lint';
import { AnalysisMemo } from '../../server/src/engine/memo';
import { lint } from '../../server/src/engine/lint';
import { packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';

const onlyCode = (text: string, code: string, opts = {}) => diagnose(text, opts).filter((d) => d.code === code);

test('shadowed by a wider CIDR (ACCEPT makes a later DROP dead)', () => {
  const text = filter('-A INPUT -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -s 10.1.2.0/24 -j DROP');
  const d = expectOne(text, 'shadowed-rule', 5, '-A INPUT -s 10.1.2.0/24 -j DROP');
  assert.match(d.message, /line 5 decides ACCEPT/);
  assert.equal(d.related?.[0].range.start.line, 4);
});

test('shadowed by a port range, by multiport, by negation, by an interface wildcard', () => {
  expectOne(filter('-A INPUT -p tcp --dport 1000:2000 -j DROP', '-A INPUT -p tcp --dport 1500 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p tcp --dport 1500 -j ACCEPT');
  expectOne(filter('-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j DROP'), 'shadowed-rule', 5, '-A INPUT -p tcp --dport 80 -j DROP');
  expectOne(filter('-A INPUT ! -s 192.168.0.0/16 -j DROP', '-A INPUT -s 8.8.8.8 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -s 8.8.8.8 -j ACCEPT');
  expectOne(filter('-A INPUT -i eth+ -j DROP', '-A INPUT -i eth1 -p tcp --dport 22 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -i eth1 -p tcp --dport 22 -j ACCEPT');
});

test('shadowed by the union of two earlier rules', () => {
  // Ports alone do not cover fragments: with ! -f they do.
  const text2 = filter('-A INPUT -p tcp --dport 0:1023 -j DROP', '-A INPUT -p tcp --dport 1024:65535 -j DROP', '-A INPUT -p tcp -j ACCEPT');
  expectNone(text2, 'reject-before-accept');
  const text3 = filter('-A INPUT -p tcp -s 0.0.0.0/1 -j DROP', '-A INPUT -p tcp -s 128.0.0.0/1 -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT');
  const d = expectOne(text3, 'reject-before-accept', 6, '-A INPUT -p tcp --dport 22 -j ACCEPT');
  assert.match(d.message, /line 5.*line 6|line 6.*line 5/);
});

test('a rule covered by several names only the rules that take some of its packets first, and its packets get their verdicts', () => {
  // Line 6 (-p tcp --dport 22 -j DROP) overlaps the dead rule, but line 5 has taken all it would: not named.
  const text = filter('-A INPUT -p tcp -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP', '-A INPUT ! -i lo -j DROP', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m length --length 0:100 -j LOG');
  const d = onlyCode(text, 'shadowed-rule').find((x) => x.range.start.line === 8)!;
  assert.equal(d.message, 'This rule never fires: earlier rules take every packet it could match (line 5 decides ACCEPT; line 7 decides DROP; line 8 decides ACCEPT).');
  assert.deepEqual(d.related?.map((r) => r.range.start.line), [4, 6, 7]);
  // A DROP whose share an ACCEPT above has taken gives none of them DROP: the ACCEPT below them all is redundant.
  const accepts = filter('-A INPUT -s 10.0.0.0/9 -j ACCEPT', '-A INPUT -s 10.0.0.0/10 -j DROP', '-A INPUT -s 10.128.0.0/9 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -j ACCEPT');
  const r = expectOne(accepts, 'redundant-rule', 7, '-A INPUT -s 10.0.0.0/8 -j ACCEPT');
  assert.match(r.message, /\(line 5 decides ACCEPT; line 7 decides ACCEPT\)/);
  assert.deepEqual(onlyCode(accepts, 'shadowed-rule').map((x) => x.range.start.line), [5]);
});

test('reject-before-accept where the DROP stands ahead in the chain but below in the text: said so, and no move is offered', () => {
  const fixesOf = (text: string) => {
    const r = lint(text, { fileName: 'fw.sh' });
    const d = r.diagnostics.find((x) => x.code === 'reject-before-accept')!;
    return { d, fixes: quickFixes(r, d).filter((f) => !/disable|silence/i.test(f.title)) };
  };
  // An -I further down puts the DROP first: moving the ACCEPT's line up changes nothing.
  const inserted = fixesOf('iptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -I INPUT -j DROP\n');
  assert.equal(inserted.d.range.start.line, 0);
  assert.equal(inserted.d.message, 'This ACCEPT never fires: DROP ahead of it in the chain takes all its packets first (line 2 decides DROP; -I puts a rule first): put this rule ahead of them, or change them.');
  assert.deepEqual(inserted.fixes, []);
  // The ACCEPT's own -I puts it behind the DROP.
  const own = fixesOf('iptables -A INPUT -j DROP\niptables -I INPUT 2 -p tcp --dport 22 -j ACCEPT\n');
  assert.match(own.d.message, /\(line 1 decides DROP; its -I puts it behind them\): put this rule ahead of them/);
  assert.deepEqual(own.fixes, []);
  // A function defined below and called first: moving the line would move it into that function.
  const called = fixesOf('allow() {\n  iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n}\nblock() {\n  iptables -A INPUT -j DROP\n}\nblock\nallow\n');
  assert.match(called.d.message, /DROP ahead of it in the chain takes all its packets first \(line 5 of the function called on line 7 decides DROP; a function runs where it is called\)/);
  assert.deepEqual(called.fixes, []);
  // Above it in the text, appended: the move.
  const above = fixesOf('iptables -A INPUT -j DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n');
  assert.match(above.d.message, /DROP on an earlier line takes all its packets first \(line 1 decides DROP\)\. Move it above them\.$/);
  assert.deepEqual(above.fixes.map((f) => f.title), ['Move this rule above line 1']);
});

test('shadowed through a jump into a user chain and back', () => {
  const text = filter(':TCP - [0:0]', '-A INPUT -p tcp -j TCP', '-A TCP -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP');
  const d = expectOne(text, 'shadowed-rule', 7, '-A INPUT -p tcp --dport 22 -j DROP');
  assert.match(d.message, /reached through the jump on line 6/);
});

test('not shadowed because of -m recent or -m limit', () => {
  expectNone(filter('-A INPUT -p tcp --dport 22 -m recent --update --seconds 60 --name s -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'), 'reject-before-accept');
  expectNone(filter('-A INPUT -m limit --limit 5/min -j ACCEPT', '-A INPUT -j DROP'), 'shadowed-rule');
  // ... but a rule with such a match can still be dead when the known conditions alone are covered.
  expectOne(filter('-A INPUT -j DROP', '-A INPUT -m limit --limit 5/min -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -m limit --limit 5/min -j ACCEPT');
});

test('the knowledge base says which matches the model reads exactly: -m mark is "may or may not match", -m nfacct matches every packet', () => {
  expectNone(filter('-A INPUT -m mark --mark 0x1 -j ACCEPT', '-A INPUT -j DROP'), 'shadowed-rule');
  expectOne(filter('-A INPUT -m nfacct --nfacct-name web -j ACCEPT', '-A INPUT -p tcp -j DROP'), 'shadowed-rule', 5, '-A INPUT -p tcp -j DROP');
  expectOne(filter('-A INPUT -p tcp -j DROP', '-A INPUT -p tcp -m nfacct --nfacct-name web -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p tcp -m nfacct --nfacct-name web -j ACCEPT');
});

test('not shadowed because a RETURN intervenes', () => {
  const text = filter(':X - [0:0]', '-A INPUT -j X', '-A X -s 10.0.0.0/8 -j RETURN', '-A X -j ACCEPT', '-A INPUT -s 10.1.0.0/16 -j DROP');
  expectNone(text, 'shadowed-rule');
  const text2 = filter(':X - [0:0]', '-A INPUT -j X', '-A X -s 10.0.0.0/8 -j RETURN', '-A X -j ACCEPT', '-A INPUT -s 11.0.0.0/8 -j DROP');
  expectOne(text2, 'shadowed-rule', 8, '-A INPUT -s 11.0.0.0/8 -j DROP');
});

test('shell variables are "may or may not match"', () => {
  const text = 'iptables -A INPUT -s $TRUSTED -j ACCEPT\niptables -A INPUT -s 10.0.0.1 -j DROP\n';
  expectNone(text, 'shadowed-rule');
});

test('redundant-rule: the same verdict already given', () => {
  const d = expectOne(filter('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT'), 'redundant-rule', 5, '-A INPUT -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT');
  assert.equal(d.severity, 'info');
});

test('missing-established: deny at the end, new connections accepted, no ESTABLISHED accept', () => {
  const text = '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const d = expectOne(text, 'missing-established', 1, 'DROP');
  assert.match(d.message, /ESTABLISHED,RELATED/);
  expectNone('*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'missing-established');
  // Accepting everything from the local network takes its replies, not those of servers elsewhere; in OUTPUT the
  // source is this host, and replies go to every address.
  const lan = '*filter\n:INPUT DROP [0:0]\n-A INPUT -s 192.168.1.0/24 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n';
  assert.match(expectOne(lan, 'missing-established', 1, 'DROP').message, /from every address on every port/);
  expectNone('*filter\n:INPUT DROP [0:0]\n-A INPUT -i eth0 -m state --state ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -s 192.168.1.0/24 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n', 'missing-established');
  expectNone('*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -s 192.168.0.14/32 -p tcp -j ACCEPT\nCOMMIT\n', 'missing-established');
  // An ICMP accept leaves the ports whole (ICMP has none) but takes no TCP or UDP reply; a UDP one takes some.
  const ping = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p icmp --icmp-type 8 -j ACCEPT\nCOMMIT\n';
  expectOne(ping, 'missing-established', 1, 'DROP');
  expectNone(ping, 'pmtu-blocked');
  expectNone(ping.replace('-p icmp --icmp-type 8', '-p udp -m state --state ESTABLISHED'), 'missing-established');
  const out = '*filter\n:OUTPUT DROP [0:0]\n-A OUTPUT -d 192.168.1.0/24 -j ACCEPT\n-A OUTPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT\n';
  assert.match(expectOne(out, 'missing-established', 1, 'DROP').message, /to every address on every port/);
  // FORWARD: the replies of what it accepts come back the other way round (`-i lan -o wan` is answered `-i wan -o lan`).
  const fwd = (...rules: string[]) => ['*filter', ':FORWARD DROP [0:0]', ...rules, 'COMMIT', ''].join('\n');
  const oneWay = fwd('-A FORWARD -i eth1 -o eth0 -j ACCEPT');
  assert.match(expectOne(oneWay, 'missing-established', 1, 'DROP').message, /replies of the connections line 3 accepts .* replies to the connections it forwards/);
  expectNone(fwd('-A FORWARD -i eth1 -o eth0 -j ACCEPT', '-A FORWARD -i eth0 -o eth1 -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'), 'missing-established');
  expectNone(fwd('-A FORWARD -s 192.168.1.0/24 -j ACCEPT', '-A FORWARD -d 192.168.1.0/24 -m conntrack --ctstate ESTABLISHED -j ACCEPT'), 'missing-established');
  expectOne(fwd('-A FORWARD -i eth1 -o eth0 -s 192.168.1.0/24 -j ACCEPT', '-A FORWARD -i eth0 -o eth1 -d 192.168.2.0/24 -m conntrack --ctstate ESTABLISHED -j ACCEPT'), 'missing-established', 1, 'DROP');
  // Some replies may be accepted (those between hosts of the LAN itself): nothing is claimed.
  expectNone(fwd('-A FORWARD -s 192.168.1.0/24 -j ACCEPT', '-A FORWARD -d 192.168.2.0/24 -m conntrack --ctstate ESTABLISHED -j ACCEPT'), 'missing-established');
  // The accept exists, but after a catch-all deny.
  const late = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n';
  assert.ok(codes(late).includes('shadowed-rule') || codes(late).includes('reject-before-accept'));
});

test('ssh-lockout: default deny without an SSH accept; a setting names other ports', () => {
  const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n';
  expectOne(text, 'ssh-lockout', 1, 'DROP');
  expectNone(text, 'ssh-lockout', { settings: { sshPorts: [80] } });
  expectNone('*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'ssh-lockout');
  // An accept for the loopback interface takes no remote session.
  expectOne('*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\nCOMMIT\n', 'ssh-lockout', 1, 'DROP');
  assert.match(diagnose('iptables -A INPUT -i lo -j ACCEPT\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n', { fileName: 'fw.sh' }).find((d) => d.code === 'ssh-lockout')!.message, /before line 3 accepts SSH/);
  // The packets of the open session accepted before the DROP policy: only new logins wait for line 4, for a moment;
  // not once a flush has taken that accept away again.
  const kept = 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -P INPUT DROP\niptables -A INPUT -i lo -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  assert.deepEqual(diagnose(kept, { fileName: 'fw.sh' }).filter((d) => d.code === 'ssh-lockout'), []);
  const flushed = 'iptables -P INPUT ACCEPT\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -F INPUT\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  assert.match(diagnose(flushed, { fileName: 'fw.sh' }).find((d) => d.code === 'ssh-lockout')!.message, /before line 5 accepts SSH and before anything accepts the packets of the session already open/);
  const rejectEnd = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -j REJECT\nCOMMIT\n';
  expectOne(rejectEnd, 'ssh-lockout', 3, '-A INPUT -j REJECT');
  // A catch-all deny in the middle ends the chain: the SSH accept appended after it never sees a packet, and the
  // chain is not one that accepts whatever nobody denies.
  const appended = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -j REJECT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  assert.match(expectOne(appended, 'ssh-lockout', 3, '-A INPUT -j REJECT').message, /catch-all REJECT on line 4/);
  expectNone(appended, 'no-default-deny');
  // SSH answers must leave through OUTPUT: a DROP policy there with nothing for them stops the session too (reported
  // where INPUT lets SSH in; where INPUT already keeps it out, that is the one lockout reported).
  const out = (...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
  assert.match(expectOne(out('-A INPUT -p tcp --dport 22 -j ACCEPT'), 'ssh-lockout', 2, 'DROP').message, /answers of SSH .* OUTPUT/);
  expectNone(out('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'), 'ssh-lockout');
  expectNone(out('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -p tcp --sport 22 -j ACCEPT'), 'ssh-lockout');
  expectOne(out('-A INPUT -p tcp --dport 80 -j ACCEPT'), 'ssh-lockout', 1, 'DROP');
  // The same through a jump into a chain that logs and drops everything.
  const logging = '*filter\n:INPUT DROP [0:0]\n:LOGGING - [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -j LOGGING\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\n-A LOGGING -j LOG\n-A LOGGING -j DROP\nCOMMIT\n';
  assert.match(expectOne(logging, 'missing-established', 1, 'DROP').message, /catch-all DROP on line 5/);
});

test('ssh-lockout: SSH on another port, as the ruleset names it (a comment, a variable named for SSH), unless the setting names one', () => {
  const base = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'];
  const commented = [...base, '-A INPUT -p tcp --dport 2222 -m comment --comment "SSH" -j ACCEPT', 'COMMIT', ''].join('\n');
  expectNone(commented, 'ssh-lockout');
  // The setting, where it names another port than 22, is taken as it is.
  expectOne(commented, 'ssh-lockout', 1, 'DROP', { settings: { sshPorts: [2200] } });
  // That accept behind a REJECT: the lockout of that port, said with where the port comes from.
  const behind = [...base, '-A INPUT -p tcp -j REJECT', '-A INPUT -p tcp --dport 2222 -m comment --comment "sshd" -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.match(expectOne(behind, 'ssh-lockout', 4, '-A INPUT -p tcp -j REJECT').message, /^No rule accepts SSH \(TCP port 2222, SSH's port here as the comment on line 6 says\) in INPUT that takes effect/);
  // A dropped port a comment calls SSH (a decoy) names no port: 22 is still the one kept reachable.
  const decoy = [...base, '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 2222 -m comment --comment "fake ssh" -j DROP', 'COMMIT', ''].join('\n');
  expectNone(decoy, 'ssh-lockout');
  // A script's port in a variable named for SSH.
  const script = '#!/bin/sh\nSSH_PORT=2222\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport $SSH_PORT -j ACCEPT\niptables -P INPUT DROP\n';
  assert.deepEqual(diagnose(script, { fileName: 'fw.sh' }).filter((d) => d.code === 'ssh-lockout'), []);
  // Nothing named: port 22, as before.
  expectOne([...base, '-A INPUT -p tcp --dport 2222 -j ACCEPT', 'COMMIT', ''].join('\n'), 'ssh-lockout', 1, 'DROP');
});

test('ssh-lockout names an SSH accept that stands behind what denies SSH', () => {
  const late = expectOne('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'ssh-lockout', 2, '-A INPUT -j REJECT');
  assert.equal(late.message, 'No rule accepts SSH (TCP port 22) in INPUT that takes effect (the SSH accept on line 4 never sees the packets: rules ahead of it in the chain take them first), and the catch-all REJECT on line 3 denies it: loading this cuts off remote access, including the session you are typing in.');
  // Put first by an -I further down the script.
  const inserted = diagnose('iptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -I INPUT -j DROP\n', { fileName: 'fw.sh' }).find((d) => d.code === 'ssh-lockout')!;
  assert.match(inserted.message, /that takes effect \(the SSH accept on line 1 never sees the packets/);
  // No accept at all: said as before.
  assert.match(expectOne('*filter\n:INPUT DROP [0:0]\nCOMMIT\n', 'ssh-lockout', 1, 'DROP').message, /^No rule accepts SSH \(TCP port 22\) in INPUT, and the DROP policy denies it/);
});

test('ssh-lockout: a client connects from an unprivileged port (--sport 22 written for --dport 22 lets no one in)', () => {
  const input = (...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
  for (const slip of ['-A INPUT -p tcp --sport 22 -j ACCEPT', '-A INPUT -p tcp --sport 80 -j ACCEPT', '-A INPUT -p tcp -m multiport --sports 22,80,443 -j ACCEPT']) {
    assert.match(expectOne(input(slip), 'ssh-lockout', 1, 'DROP').message, /No rule accepts SSH \(TCP port 22\) in INPUT/, slip);
  }
  // Any rule that leaves some unprivileged source port open takes the session: the seed's old '--sport 513:65535' too.
  for (const ok of ['-A INPUT -p tcp --sport 513:65535 --dport 22 -j ACCEPT', '-A INPUT -p tcp --sport 1024:65535 -j ACCEPT', '-A INPUT -p tcp ! --sport 0:1023 -j ACCEPT', '-A INPUT -p tcp --sport 60000 -j ACCEPT']) {
    expectNone(input(ok), 'ssh-lockout');
  }
  // In a script, the accept the DROP policy comes before is the real one, not the slip.
  const script = 'iptables -A INPUT -i lo -j ACCEPT\niptables -P INPUT DROP\niptables -A INPUT -p tcp --sport 80 -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  assert.match(diagnose(script, { fileName: 'fw.sh' }).find((d) => d.code === 'ssh-lockout')!.message, /before line 4 accepts SSH/);
  // The answers go back to the client's unprivileged port.
  const out = ['*filter', ':INPUT DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.match(expectOne(out, 'ssh-lockout', 2, 'DROP').message, /answers of SSH/);
});

test('a jump into a chain that can only deny or return accepts nothing; one into a chain that may accept, or unseen rules, may', () => {
  const input = (...lines: string[]) => ['*filter', ':INPUT DROP [0:0]', ':CHECKS - [0:0]', ':INNER - [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp -j CHECKS', ...lines, 'COMMIT', ''].join('\n');
  // A SYN-flood guard: limited RETURN, then DROP; through a second chain as well, and around a cycle.
  const denies = [
    ['-A CHECKS -p tcp --syn -m limit --limit 5/s -j RETURN', '-A CHECKS -j DROP'],
    ['-A CHECKS -j INNER', '-A INNER -s 10.0.0.0/8 -j REJECT', '-A INNER -j LOG'],
    ['-A CHECKS -j INNER', '-A INNER -p tcp --dport 23 -j DROP'],
    // A goto from CHECKS into INNER: at INNER's end the packet goes back after INPUT's jump, as at CHECKS's end.
    ['-A CHECKS -g INNER', '-A INNER -j LOG'],
    ['-A CHECKS -j INNER', '-A INNER -j CHECKS'],
    [],
  ];
  for (const lines of denies) assert.match(expectOne(input(...lines), 'ssh-lockout', 1, 'DROP').message, /No rule accepts SSH/, lines.join(' / '));
  const accepts = [
    ['-A CHECKS -p tcp --dport 22 -j ACCEPT'],
    ['-A CHECKS -j INNER', '-A INNER -s 10.0.0.0/8 -j ACCEPT'],
    ['-A CHECKS -g INNER', '-A INNER -p tcp -j ACCEPT'],
    ['-A CHECKS -j INNER', '-A INNER -j CHECKS', '-A INNER -j ACCEPT'],
    ['-A CHECKS -j NFQUEUE --queue-num 1'],
    ['-A CHECKS -j $UNKNOWN'],
  ];
  for (const lines of accepts) expectNone(input(...lines), 'ssh-lockout');
  // In a script that sources a file it cannot read, or runs eval, or adds rules to a chain it names by an unknown
  // value, the chain may get an accept from there.
  const script = (...more: string[]) => ['#!/bin/sh', 'iptables -N CHECKS', ...more, 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp -j CHECKS', 'iptables -A CHECKS -j LOG', 'iptables -P INPUT DROP', ''].join('\n');
  assert.match(diagnose(script(), { fileName: 'fw.sh' }).find((d) => d.code === 'ssh-lockout')!.message, /No rule accepts SSH/);
  for (const more of ['. /etc/firewall/services', 'eval "$RULES"', 'iptables -A $CHAIN -p tcp --dport 22 -j ACCEPT']) {
    assert.deepEqual(diagnose(script(more), { fileName: 'fw.sh' }).filter((d) => d.code === 'ssh-lockout'), [], more);
  }
});

test('a rule iptables refuses in a script is not added: it is never the reason another rule never fires or a chain denies', () => {
  const script = (reject: string) => ['#!/bin/sh', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', `iptables -A INPUT ${reject}`, 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', ''].join('\n');
  for (const memo of [undefined, new AnalysisMemo()]) {
    // `--reject-with tcp-reset` without `-p tcp`: the command fails, and the SSH accept after it takes its packets.
    const refused = diagnose(script('-j REJECT --reject-with tcp-reset'), { fileName: 'fw.sh', memo });
    assert.deepEqual(refused.filter((d) => d.severity === 'error').map((d) => [d.code, d.range.start.line]), [['protocol-required', 2]]);
    assert.deepEqual(refused.filter((d) => ['reject-before-accept', 'ssh-lockout', 'shadowed-rule'].includes(d.code)).map((d) => d.code), []);
    // Mended, the same rule does take them (and the memo knows the difference).
    const mended = diagnose(script('-p tcp -j REJECT --reject-with tcp-reset'), { fileName: 'fw.sh', memo });
    assert.deepEqual(mended.filter((d) => ['reject-before-accept', 'ssh-lockout'].includes(d.code)).map((d) => [d.code, d.range.start.line]), [['reject-before-accept', 3]]);
  }
  // Two commands on one line: the error is the second's alone (whose ACCEPT, never added, is not said to be shadowed),
  // and the first still takes the packets after it.
  const shared = diagnose('#!/bin/sh\niptables -A INPUT -j DROP; iptables -A INPUT -o eth0 -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n', { fileName: 'fw.sh' });
  assert.deepEqual(shared.filter((d) => d.code === 'interface-direction').map((d) => [d.range.start.line, d.range.start.character]), [[1, 45]]);
  assert.deepEqual(shared.filter((d) => d.code === 'reject-before-accept').map((d) => d.range.start.line), [2]);
  // A rules file is refused whole: it is read as it is meant once mended, every rule in its place.
  expectOne(filter('-A INPUT -j REJECT --reject-with tcp-reset', '-A INPUT -p tcp --dport 22 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p tcp --dport 22 -j ACCEPT');
});

const gateway = (nat: string[], forward: string[], input: string[] = []) => [
  '*nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ...nat, '-A POSTROUTING -o eth0 -j MASQUERADE', 'COMMIT',
  '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
  '-A INPUT -p tcp --dport 22 -j ACCEPT', ...input, '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A FORWARD -i eth1 -o eth0 -j ACCEPT', ...forward, 'COMMIT', '',
].join('\n');

test('dnat-dropped: a port forward whose connections FORWARD (and INPUT) drop', () => {
  const plex = '-A PREROUTING -i eth0 -p tcp --dport 32400 -j DNAT --to-destination 192.168.1.10';
  const text = gateway([plex], []);
  const d = expectOne(text, 'dnat-dropped', 3, plex);
  assert.match(d.message, /to 192\.168\.1\.10 are dropped/);
  assert.match(d.message, /'-A FORWARD -i eth0 -d 192\.168\.1\.10 -p tcp --dport 32400 -m conntrack --ctstate NEW -j ACCEPT'/);
  assert.equal(d.related?.[0].range.start.line, 8);
  // The tracer, following a concrete packet, agrees: the forwarded connection is dropped in FORWARD.
  const r = lint(text, { fileName: 'gw.rules' });
  const t = tracePacket(r, packetFrom({ proto: 'tcp', src: '203.0.113.5', dst: '198.51.100.1', dport: 32400, in: 'eth0', out: 'eth1' }, 4), 'forward');
  assert.deepEqual(t.branches.map((b) => b.verdict), ['DROP']);
  // Once FORWARD accepts what the DNAT sends on (the suggested rule, a rule by state DNAT, an ACCEPT policy), or
  // this host accepts it, nothing is said.
  expectNone(gateway([plex], ['-A FORWARD -i eth0 -d 192.168.1.10 -p tcp --dport 32400 -m conntrack --ctstate NEW -j ACCEPT']), 'dnat-dropped');
  expectNone(gateway([plex], ['-A FORWARD -m conntrack --ctstate DNAT -j ACCEPT']), 'dnat-dropped');
  expectNone(gateway([plex], [], ['-A INPUT -p tcp --dport 32400 -j ACCEPT']), 'dnat-dropped');
  expectNone(text.replace(':FORWARD DROP', ':FORWARD ACCEPT'), 'dnat-dropped');
  // A new port, in a chain PREROUTING jumps to, and a catch-all REJECT instead of a DROP policy.
  const port = '-A PORTS -i eth0 -p tcp --dport 8443 -j DNAT --to-destination 192.168.1.11:443';
  const viaChain = gateway([':PORTS - [0:0]', '-A PREROUTING -i eth0 -j PORTS', port], ['-A FORWARD -d 192.168.1.11 -p tcp --dport 8443 -j ACCEPT', '-A FORWARD -j REJECT'])
    .replace(':FORWARD DROP', ':FORWARD ACCEPT');
  const slip = expectOne(viaChain, 'dnat-dropped', 5, port);
  assert.match(slip.message, /to 192\.168\.1\.11:443 .*line \d+ denies them|to 192\.168\.1\.11:443 .*REJECT on line \d+ denies them/);
  // Its FORWARD accept is for the port the connections arrive on: said so, and shown.
  assert.match(slip.message, /\. Line 17 accepts port 8443, the port they arrive on, but FORWARD sees them after the DNAT, on port 443\. Accept them/);
  assert.deepEqual(slip.related?.[1], { range: { start: { line: 16, character: 0 }, end: { line: 16, character: 56 } }, message: 'matches the port before the DNAT, which FORWARD never sees' });
  // Not said of a FORWARD accept that does not take that port.
  assert.doesNotMatch(expectOne(gateway([plex], ['-A FORWARD -p tcp --dport 8443 -j ACCEPT']), 'dnat-dropped', 3, plex).message, /arrive on/);
  expectNone(viaChain.replace('--dport 8443 -j ACCEPT', '--dport 443 -j ACCEPT'), 'dnat-dropped');
  // The conditions of the jump count: the DNAT says no interface, but only packets from eth0 reach its chain, and
  // FORWARD accepts new connections from eth1 alone. Reached from eth1 as well, some of them may be accepted.
  const web = '-A FWD -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.12:80';
  const fromWan = gateway([':FWD - [0:0]', '-A PREROUTING -i eth0 -j FWD', web], []);
  const wan = expectOne(fromWan, 'dnat-dropped', 5, web);
  assert.match(wan.message, /to 192\.168\.1\.12:80 are dropped/);
  // The rule it suggests takes the interface from the jump.
  assert.equal(wan.data?.rule, '-A FORWARD -i eth0 -d 192.168.1.12 -p tcp --dport 80 -m conntrack --ctstate NEW -j ACCEPT');
  expectNone(gateway([':FWD - [0:0]', '-A PREROUTING -i eth0 -j FWD', web], [wan.data?.rule as string]), 'dnat-dropped');
  expectNone(gateway([':FWD - [0:0]', '-A PREROUTING -i eth0 -j FWD', '-A PREROUTING -i eth1 -j FWD', web], []), 'dnat-dropped');
  // `--to` is how many people write --to-destination (iptables takes any unambiguous start of an option's name).
  const short = '-A PREROUTING -i eth0 -p tcp --dport 32400 -j DNAT --to 192.168.1.10';
  assert.match(expectOne(gateway([short], []), 'dnat-dropped', 3, short).message, /to 192\.168\.1\.10 are dropped/);
});

test('dnat-dropped: a REDIRECT to a port of this machine that INPUT drops', () => {
  const proxy = '-A PREROUTING -i eth1 -p tcp --dport 80 -j REDIRECT --to-ports 3128';
  const d = expectOne(gateway([proxy], []), 'dnat-dropped', 3, proxy);
  assert.match(d.message, /REDIRECT sends to port 3128 of this machine are dropped after it: they pass filter INPUT, where the DROP policy denies them/);
  assert.equal(d.data?.rule, '-A INPUT -i eth1 -p tcp --dport 3128 -m conntrack --ctstate NEW -j ACCEPT');
  assert.equal(d.data?.chain, 'INPUT');
  // Accepted in INPUT (the suggested rule, or the port for any address of this machine): nothing to say. FORWARD
  // plays no part: the connections are for this machine.
  expectNone(gateway([proxy], [], [d.data?.rule as string]), 'dnat-dropped');
  expectNone(gateway([proxy], [], ['-A INPUT -d 192.168.1.1 -p tcp --dport 3128 -j ACCEPT']), 'dnat-dropped');
  // INPUT sees the new port: an accept of the old one does not help.
  expectOne(gateway([proxy], [], ['-A INPUT -p tcp --dport 80 -j ACCEPT']), 'dnat-dropped', 3, proxy);
  // Without --to-ports the port stays: INPUT must take port 80.
  const same = '-A PREROUTING -i eth1 -p tcp --dport 80 -j REDIRECT';
  assert.match(expectOne(gateway([same], []), 'dnat-dropped', 3, same).message, /--dport 80 -m conntrack/);
  expectNone(gateway([same], [], ['-A INPUT -p tcp --dport 80 -j ACCEPT']), 'dnat-dropped');
});

test('dnat-dropped in nat OUTPUT: this machine\'s own connections, rewritten, that filter OUTPUT or INPUT drops', () => {
  const host = (nat: string[], output: string[], input: string[] = [], outPolicy = 'DROP') => [
    '*nat', ':OUTPUT ACCEPT [0:0]', ...nat, 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', `:OUTPUT ${outPolicy} [0:0]`, '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', ...input,
    '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...output, 'COMMIT', ''].join('\n');
  // A DNAT: filter OUTPUT sees the new address and port, not the ones the program asked for.
  const api = '-A OUTPUT -p tcp -d 203.0.113.10 --dport 443 -j DNAT --to-destination 10.0.0.5:8443';
  const d = expectOne(host([api], ['-A OUTPUT -p tcp --dport 443 -j ACCEPT']), 'dnat-dropped', 2, api);
  assert.match(d.message, /DNAT sends to 10\.0\.0\.5:8443 are dropped after it: this machine's own packets pass filter OUTPUT after nat OUTPUT/);
  assert.equal(d.data?.rule, '-A OUTPUT -d 10.0.0.5 -p tcp --dport 8443 -m conntrack --ctstate NEW -j ACCEPT');
  assert.equal(d.data?.chain, 'OUTPUT');
  expectNone(host([api], [d.data?.rule as string]), 'dnat-dropped');
  expectNone(host([api], [], [], 'ACCEPT'), 'dnat-dropped');
  // Were the new address this machine's, the packets would leave by loopback and come back through INPUT: an
  // OUTPUT accept of loopback is then not enough to keep them, when INPUT takes nothing from lo.
  expectOne(host([api], ['-A OUTPUT -o lo -j ACCEPT']), 'dnat-dropped', 2, api);
  expectNone(host([api], ['-A OUTPUT -o lo -j ACCEPT'], ['-A INPUT -i lo -j ACCEPT']), 'dnat-dropped');
  // A REDIRECT: to the loopback address, out by lo and back in through INPUT.
  const proxy = '-A OUTPUT -p tcp --dport 80 -m owner ! --uid-owner proxy -j REDIRECT --to-ports 3128';
  const r = expectOne(host([proxy], ['-A OUTPUT -o lo -j ACCEPT']), 'dnat-dropped', 2, proxy);
  assert.match(r.message, /REDIRECT sends to port 3128 of this machine are dropped after it: they come back in over loopback and pass filter INPUT, where the DROP policy denies them/);
  assert.equal(r.data?.rule, '-A INPUT -i lo -p tcp --dport 3128 -m conntrack --ctstate NEW -j ACCEPT');
  expectNone(host([proxy], ['-A OUTPUT -o lo -j ACCEPT'], [r.data?.rule as string]), 'dnat-dropped');
  // Or stopped in OUTPUT already, when nothing there takes port 3128 by loopback.
  const out = expectOne(host([proxy], ['-A OUTPUT -p tcp --dport 80 -j ACCEPT'], ['-A INPUT -i lo -j ACCEPT']), 'dnat-dropped', 2, proxy);
  assert.equal(out.data?.rule, '-A OUTPUT -o lo -p tcp --dport 3128 -m conntrack --ctstate NEW -j ACCEPT');
  expectNone(host([proxy], ['-A OUTPUT -d 127.0.0.1 -j ACCEPT'], ['-A INPUT -i lo -j ACCEPT']), 'dnat-dropped');
  // A chain both PREROUTING and OUTPUT jump to: one finding for the rule.
  const both = ['*nat', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':FWD - [0:0]', '-A PREROUTING -j FWD', '-A OUTPUT -j FWD', '-A FWD -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.7:80', 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  expectOne(both, 'dnat-dropped', 6, '-A FWD -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.7:80');
});

test('loopback-blocked: INPUT or OUTPUT that denies new connections on lo', () => {
  const chains = (input: string[], output: string[] = [], outPolicy = 'ACCEPT') => ['*filter', ':INPUT DROP [0:0]', `:OUTPUT ${outPolicy} [0:0]`, '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', ...input, ...output, 'COMMIT', ''].join('\n');
  assert.match(expectOne(chains([]), 'loopback-blocked', 1, 'DROP').message, /'-A INPUT -i lo -j ACCEPT'/);
  expectNone(chains(['-A INPUT -i lo -j ACCEPT']), 'loopback-blocked');
  expectNone(chains(['-A INPUT -s 127.0.0.0/8 -j ACCEPT']), 'loopback-blocked');
  expectNone(chains(['-A INPUT -p tcp -j ACCEPT']), 'loopback-blocked');
  expectOne(chains(['-A INPUT -i eth0 -p tcp -j ACCEPT']), 'loopback-blocked', 1, 'DROP');
  assert.match(expectOne(chains(['-A INPUT -i lo -j ACCEPT'], ['-A OUTPUT -o eth0 -j ACCEPT'], 'DROP'), 'loopback-blocked', 2, 'DROP').message, /'-A OUTPUT -o lo -j ACCEPT'/);
  // A chain that accepts nothing at all shuts the host off on purpose.
  expectNone('*filter\n:INPUT DROP [0:0]\nCOMMIT\n', 'loopback-blocked');
});

test('nd-blocked: an ip6tables INPUT or OUTPUT that denies neighbour discovery', () => {
  const v6 = (...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
  // ESTABLISHED,RELATED does not take it (it is untracked), nor does an accept for the loopback interface.
  const d = expectOne(v6(), 'nd-blocked', 1, 'DROP', { family: 6 });
  assert.match(d.message, /neighbour discovery in .* DROP policy denies them/);
  expectNone(v6('-A INPUT -p ipv6-icmp -j ACCEPT'), 'nd-blocked', { family: 6 });
  expectNone(v6('-A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT'), 'nd-blocked', { family: 6 });
  expectNone(v6('-A INPUT -p ipv6-icmp -m hl --hl-eq 255 -j ACCEPT'), 'nd-blocked', { family: 6 });
  // One of the two accepted is not enough: the missing one is named, with the rule that takes the other.
  const half = expectOne(v6('-A INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT'), 'nd-blocked', 1, 'DROP', { family: 6 });
  assert.match(half.message, /lets neighbour solicitations in \(line 7\) but not neighbour advertisements \(ICMPv6 type 136\)/);
  assert.deepEqual(half.data?.types, ['neighbour-advertisement']);
  assert.match(expectOne(v6('-A INPUT -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT'), 'nd-blocked', 1, 'DROP', { family: 6 }).message, /but not neighbour solicitations \(ICMPv6 type 135\)/);
  expectOne(v6('-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT'), 'nd-blocked', 1, 'DROP', { family: 6 });
  expectOne(v6('-A INPUT -p ipv6-icmp -m hl --hl-eq 1 -j ACCEPT'), 'nd-blocked', 1, 'DROP', { family: 6 });
  // OUTPUT too; IPv4 never; a chain that accepts nothing at all keeps IPv6 off on purpose.
  const out = v6('-A INPUT -p ipv6-icmp -j ACCEPT').replace(':OUTPUT ACCEPT', ':OUTPUT DROP').replace('COMMIT', '-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT');
  assert.match(expectOne(out, 'nd-blocked', 2, 'DROP', { family: 6 }).message, /discovery out/);
  expectNone(v6(), 'nd-blocked', { family: 4 });
  expectNone('*filter\n:INPUT DROP [0:0]\n:OUTPUT DROP [0:0]\nCOMMIT\n', 'nd-blocked', { family: 6 });
});

test('pmtu-blocked: replies accepted, the ICMP errors about them (RELATED) denied', () => {
  const chains = (family: 4 | 6, ...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A INPUT -i lo -j ACCEPT', ...rules, '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  const d = expectOne(chains(4, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT'), 'pmtu-blocked', 1, 'DROP');
  assert.match(d.message, /^INPUT takes the ESTABLISHED replies of connections \(line 5\) but not the RELATED ICMP errors about them: the DROP policy denies ICMP 'fragmentation needed' \(type 3 code 4\)/);
  assert.equal((d.data as { rule: string }).rule, '-A INPUT -p icmp -m icmp --icmp-type fragmentation-needed -j ACCEPT');
  assert.match(expectOne(chains(6, '-A INPUT -m state --state ESTABLISHED -j ACCEPT'), 'pmtu-blocked', 1, 'DROP', { family: 6 }).message, /ICMPv6 'packet too big'/);
  // RELATED accepted, all ICMP accepted, or the error itself: nothing to say.
  expectNone(chains(4, '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'), 'pmtu-blocked');
  expectNone(chains(4, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -p icmp -j ACCEPT'), 'pmtu-blocked');
  expectNone(chains(4, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -p icmp --icmp-type fragmentation-needed -j ACCEPT'), 'pmtu-blocked');
  expectNone(chains(6, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -p ipv6-icmp -j ACCEPT'), 'pmtu-blocked', { family: 6 });
  // An accept for echo requests only, or for loopback, does not take them.
  expectOne(chains(4, '-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -p icmp --icmp-type echo-request -j ACCEPT'), 'pmtu-blocked', 1, 'DROP');
  // Where the replies themselves are dropped, missing-established says so, and this check keeps quiet.
  const noReplies = chains(4, '-A INPUT -p tcp --dport 80 -j ACCEPT');
  expectNone(noReplies, 'pmtu-blocked');
  expectOne(noReplies, 'missing-established', 1, 'DROP');
  // FORWARD too; only when every such error is denied (an accept of all from the LAN takes those sent from it).
  const fwd = ['*filter', ':FORWARD DROP [0:0]', '-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A FORWARD -i eth1 -o eth0 -m conntrack --ctstate NEW -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.match(expectOne(fwd, 'pmtu-blocked', 1, 'DROP').message, /connections of the hosts it forwards for/);
  expectNone(fwd.replace(' -m conntrack --ctstate NEW -j', ' -j'), 'pmtu-blocked');
});

test('limit-ineffective: a rate-limited ACCEPT whose excess packets are accepted anyway', () => {
  const input = (policy: string, ...rules: string[]) => ['*filter', `:INPUT ${policy} [0:0]`, ...rules, 'COMMIT', ''].join('\n');
  const ping = '-A INPUT -p icmp -m icmp --icmp-type echo-request -m limit --limit 1/s --limit-burst 5 -m comment --comment "ping" -j ACCEPT';
  const d = expectOne(input('ACCEPT', ping), 'limit-ineffective', 2, ping);
  assert.match(d.message, /packets above 1\/s go on down INPUT, where nothing denies them and the ACCEPT policy takes them/);
  assert.equal((d.data as { rule: string }).rule, '-A INPUT -p icmp -m icmp --icmp-type echo-request -m comment --comment ping -j DROP');
  // A later rule that may deny them, or a DROP policy: the limit does its work.
  expectNone(input('ACCEPT', ping, '-A INPUT -p icmp -j DROP'), 'limit-ineffective');
  expectNone(input('ACCEPT', ping, '-A INPUT -j REJECT'), 'limit-ineffective');
  expectNone(input('DROP', ping), 'limit-ineffective');
  // A later LOG or ACCEPT changes nothing; a jump might deny them.
  expectOne(input('ACCEPT', ping, '-A INPUT -p icmp -j LOG', '-A INPUT -p tcp --dport 22 -j ACCEPT'), 'limit-ineffective', 2, ping);
  expectNone(input('ACCEPT', ping, ':X - [0:0]', '-A INPUT -j X'), 'limit-ineffective');
  // hashlimit: --hashlimit-upto limits; --hashlimit-above matches the excess, so its ACCEPT is something else.
  const upto = '-A INPUT -p tcp --dport 22 -m hashlimit --hashlimit-upto 10/min --hashlimit-name ssh -j ACCEPT';
  expectOne(input('ACCEPT', upto), 'limit-ineffective', 2, upto);
  expectNone(input('ACCEPT', upto.replace('upto', 'above')), 'limit-ineffective');
  // A rate-limited LOG is the usual way to log, not a limit of anything.
  expectNone(input('ACCEPT', '-A INPUT -m limit --limit 5/min -j LOG'), 'limit-ineffective');
  // A rule no packet reaches (after a catch-all DROP) is reported as such, not as a limit that limits nothing.
  const afterDrop = input('ACCEPT', '-A INPUT -j DROP', ping);
  expectNone(afterDrop, 'limit-ineffective');
  expectOne(afterDrop, 'reject-before-accept', 3, ping);
});

test('dns-tcp-blocked: DNS accepted over UDP, the same queries over TCP denied', () => {
  const chains = (...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
  const server = '-A INPUT -i eth1 -p udp -m multiport --dports 53,67 -j ACCEPT';
  const d = expectOne(chains(server), 'dns-tcp-blocked', 6, server);
  assert.match(d.message, /the DROP policy denies the same queries over TCP \(port 53\).*fail for the DNS server on this host/);
  assert.equal((d.data as { rule: string }).rule, '-A INPUT -i eth1 -p tcp -m tcp --dport 53 -j ACCEPT');
  // The TCP twin from the same interface, or all of TCP, answers it; from another interface only does not.
  expectNone(chains(server, '-A INPUT -i eth1 -p tcp --dport 53 -j ACCEPT'), 'dns-tcp-blocked');
  expectNone(chains(server, '-A INPUT -p tcp -j ACCEPT'), 'dns-tcp-blocked');
  expectOne(chains(server, '-A INPUT -i eth0 -p tcp --dport 53 -j ACCEPT'), 'dns-tcp-blocked', 6, server);
  // This host's lookups, in OUTPUT.
  const lookups = '-A OUTPUT -p udp --dport 53 -j ACCEPT';
  assert.match(expectOne(chains(lookups), 'dns-tcp-blocked', 6, lookups).message, /this host's own lookups/);
  // Not about DNS: every UDP port, or a port list without 53; a rule the model cannot read exactly.
  expectNone(chains('-A INPUT -p udp -j ACCEPT'), 'dns-tcp-blocked');
  expectNone(chains('-A INPUT -p udp -m multiport --dports 123,161 -j ACCEPT'), 'dns-tcp-blocked');
  expectNone(chains('-A INPUT -p udp --dport 53 -m recent --rcheck -j ACCEPT'), 'dns-tcp-blocked');
  // A chain whose end accepts anyway.
  expectNone(chains(server).replace(':INPUT DROP', ':INPUT ACCEPT'), 'dns-tcp-blocked');
});

test('ipv6-unfiltered: a script that closes INPUT for IPv4 and never does anything about IPv6', () => {
  const v4 = ['#!/bin/sh', 'iptables -A INPUT -i lo -j ACCEPT', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'];
  const script = (...more: string[]) => [...v4, ...more, ''].join('\n');
  const d = expectOne(script('iptables -P INPUT DROP'), 'ipv6-unfiltered', 4, 'DROP', { fileName: 'fw.sh' });
  assert.equal(d.severity, 'info');
  assert.match(d.message, /INPUT denies by default here \(the DROP policy\), for IPv4 only: this script never runs ip6tables/);
  // A final catch-all deny is the chain's end as well; the finding is on that rule.
  const reject = 'iptables -A INPUT -j REJECT';
  expectOne(script(reject), 'ipv6-unfiltered', 4, reject.slice('iptables '.length), { fileName: 'fw.sh' });
  // Anything to do with IPv6 in the script: ip6tables, a variable for it, a sysctl that turns it off, a restore of rules.v6.
  for (const more of ['ip6tables -P INPUT DROP', 'IP6T=/sbin/ip6tables', 'sysctl -w net.ipv6.conf.all.disable_ipv6=1', 'ip6tables-restore < /etc/iptables/rules.v6', '/etc/firewall6.sh', '. ./fw-v6']) {
    expectNone(script('iptables -P INPUT DROP', more), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  }
  // An IPv6 here-document counts as well.
  expectNone(script('iptables -P INPUT DROP', "ip6tables-restore <<'EOF'", '*filter', ':INPUT DROP [0:0]', '-A INPUT -p ipv6-icmp -j ACCEPT', 'COMMIT', 'EOF'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  // No default deny, or one that accepts nothing at all (a lockdown, not a host firewall).
  expectNone(script(), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  expectNone('#!/bin/sh\niptables -F INPUT\niptables -P INPUT DROP\n', 'ipv6-unfiltered', { fileName: 'fw.sh' });
  // A restore file is one family by design.
  expectNone(filter('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP'), 'ipv6-unfiltered', { fileName: 'rules.v4' });
  // A comment that names IPv6 does nothing about it.
  expectOne(script('# TODO: ip6tables', 'iptables -P INPUT DROP'), 'ipv6-unfiltered', 5, 'DROP', { fileName: 'fw.sh' });
});

test('ipv6-unfiltered: a script that runs ip6tables, but never makes its IPv6 INPUT deny by default', () => {
  const v4 = ['#!/bin/sh', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'];
  const script = (...v6: string[]) => [...v4, ...v6, ''].join('\n');
  // SSH accepted over IPv6 too, and nothing dropped: every other service stays open there.
  const d = expectOne(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT'), 'ipv6-unfiltered', 3, 'DROP', { fileName: 'fw.sh' });
  assert.match(d.message, /the ip6tables commands of this script never make IPv6's INPUT deny by default/);
  // No quick fix: the script already has IPv6 rules, and where their deny goes is the author's to choose.
  const r = lint(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT'), { fileName: 'fw.sh' });
  assert.deepEqual(quickFixes(r, d).filter((x) => !/disable|silence/i.test(x.title)), []);
  // Through a variable naming ip6tables, and with the deny on a port or two only.
  expectOne(script('IP6T=/sbin/ip6tables', '$IP6T -A INPUT -p tcp --dport 3306 -j DROP'), 'ipv6-unfiltered', 3, 'DROP', { fileName: 'fw.sh' });
  // A DROP policy, or a catch-all deny at the end, closes IPv6 as well.
  expectNone(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', 'ip6tables -P INPUT DROP'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  expectNone(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', 'ip6tables -A INPUT -j REJECT'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  // Anything else about IPv6 may close it where the analysis does not see: left alone.
  expectNone(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', 'sysctl -w net.ipv6.conf.all.disable_ipv6=1'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  expectNone(script('ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', 'ip6tables-restore < /etc/iptables/rules.v6'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  expectNone(script('for ipt in iptables ip6tables; do $ipt -A INPUT -p tcp --dport 80 -j ACCEPT; done'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
  // A variable naming ip6tables that no command uses says the script means to do something about IPv6.
  expectNone(script('IP6T=/sbin/ip6tables'), 'ipv6-unfiltered', { fileName: 'fw.sh' });
});

test('not dead because of a RETURN that a long user chain reaches only after hundreds of others', () => {
  // The chain's final DROP takes what 200 earlier RETURNs leave; working that out outgrows the budget of pieces,
  // and the DROP was once taken to decide all that was left of it so far, the RETURN of 192.168.1.1 included.
  const returns = Array.from({ length: 200 }, (_, i) => `-A X -s 10.0.${i}.0/24 -p tcp -j RETURN`);
  const text = ['*filter', ':INPUT DROP [0:0]', ':X - [0:0]', ...returns, '-A X -s 192.168.1.1 -j RETURN', '-A X -j DROP', '-A INPUT -j X', '-A INPUT -s 192.168.1.1 -j ACCEPT', 'COMMIT', ''].join('\n');
  for (const code of ['reject-before-accept', 'shadowed-rule', 'redundant-rule']) expectNone(text, code);
});

test('ssh-lockout: an SSH accept after hundreds of rules that each take a little of SSH is still found', () => {
  // Each DROP takes SSH packets from one source to one destination: what is left of SSH falls into many pieces,
  // and the walk down INPUT once gave up there and reported a lockout although line 604 accepts SSH.
  const ip = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.1`;
  const drops = Array.from({ length: 600 }, (_, i) => `-A INPUT -s ${ip(i)} -d ${ip(i + 1000)} -j DROP`);
  const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', ...drops, '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  expectNone(text, 'ssh-lockout');
  // Without the accept, the lockout is still reported.
  expectOne(text.replace('-A INPUT -p tcp --dport 22 -j ACCEPT\n', ''), 'ssh-lockout', 1, 'DROP');
});

test('ssh-lockout in scripts: DROP policy before the SSH accept, and a flush under a DROP policy', () => {
  const early = 'iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n';
  expectOne(early, 'ssh-lockout', 0, 'iptables -P INPUT DROP'.slice(9));
  const flush = 'iptables -F\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n';
  expectOne(flush, 'ssh-lockout', 0, '-F');
  expectNone('iptables -P INPUT ACCEPT\niptables -F\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n', 'ssh-lockout');
  // An SSH accept that a later delete removes: the message says so.
  const deleted = ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -A INPUT -j DROP', 'iptables -D INPUT -p tcp --dport 22 -j ACCEPT', ''].join('\n');
  assert.match(expectOne(deleted, 'ssh-lockout', 1, '-A INPUT -j DROP').message, /the SSH accept on line 1 does not last: a later flush, delete or replace removes it/);
  // iptables and ip6tables each have their own INPUT: an IPv4 SSH accept does not make an early IPv6 DROP policy safe.
  const both = ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'ip6tables -F', 'ip6tables -P INPUT DROP', 'ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', ''].join('\n');
  const found = diagnose(both, { fileName: 'fw.sh' }).filter((d) => d.code === 'ssh-lockout').map((d) => [d.range.start.line, d.message]);
  assert.equal(found.length, 2, JSON.stringify(found));
  assert.match(String(found.find(([line]) => line === 1)?.[1]), /Run 'ip6tables -P INPUT ACCEPT' before flushing/);
  assert.match(String(found.find(([line]) => line === 2)?.[1]), /before line 4 accepts SSH/);
  expectNone(['ip6tables -P INPUT ACCEPT', 'ip6tables -F', 'ip6tables -A INPUT -p tcp --dport 22 -j ACCEPT', 'ip6tables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP', ''].join('\n'), 'ssh-lockout');
});

test('host-bits-set offers the network address', () => {
  const d = expectOne(filter('-A INPUT -s 10.1.2.3/8 -j ACCEPT'), 'host-bits-set', 4, '10.1.2.3/8');
  assert.equal(d.data?.replacement, '10.0.0.0/8');
  // In a list, the range is the one address.
  expectOne(filter('-A INPUT -s 192.168.1.0/24,10.1.2.3/8 -j ACCEPT'), 'host-bits-set', 4, '10.1.2.3/8');
});

test('prefer-ipset counts the rules that differ only by address', () => {
  const lines = Array.from({ length: 25 }, (_, i) => `-A INPUT -s 203.0.113.${i} -j DROP`);
  const d = onlyCode(filter(...lines), 'prefer-ipset');
  assert.equal(d.length, 1);
  assert.match(d[0].message, /25 rules/);
  assert.equal(onlyCode(filter(...lines), 'prefer-ipset', { settings: { ipsetThreshold: 30 } }).length, 0);
});

test('deprecated-match, unused-chain, no-default-deny', () => {
  expectOne(filter('-A INPUT -m state --state NEW -j ACCEPT'), 'deprecated-match', 4, 'state');
  expectOne(filter(':ORPHAN - [0:0]', '-A ORPHAN -j DROP'), 'unused-chain', 4, 'ORPHAN');
  // Commands no chain holds (a delete, a rule broken by a bad address) get the advice too, each once; with and
  // without the memo of an editor session.
  const loose = filter('-A INPUT -m state --state NEW -j ACCEPT', '-A INPUT -s 999.1.1.1 -m state --state NEW -j DROP', '-D INPUT -m state --state NEW -j ACCEPT');
  for (const memo of [undefined, new AnalysisMemo()]) {
    assert.deepEqual(diagnose(loose, { memo }).filter((x) => x.code === 'deprecated-match').map((x) => x.range.start.line), [4, 5, 6]);
  }
  const d = diagnose(filter('-A INPUT -p tcp --dport 22 -j ACCEPT')).filter((x) => x.code === 'no-default-deny');
  assert.deepEqual(d.map((x) => x.range.start.line), [1, 2]);
  expectNone(filter('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP', '-A FORWARD -j REJECT'), 'no-default-deny');
});

test('unused-chain: a chain that ufw, Docker, fail2ban or kube-proxy jumps to itself is a hint that says so', () => {
  for (const name of ['DOCKER-USER', 'DOCKER', 'DOCKER-ISOLATION-STAGE-2', 'ufw-user-input', 'ufw6-before-input', 'f2b-sshd', 'KUBE-SERVICES']) {
    const d = expectOne(filter(`:${name} - [0:0]`, `-A ${name} -p tcp -m tcp --dport 22 -j RETURN`), 'unused-chain', 4, name);
    assert.equal(d.severity, 'hint', name);
    assert.match(d.message, /never jumped to in this file, but .* itself/, name);
    assert.equal(d.data?.managed, true);
  }
  // Names that merely look alike are the chain's own: the plain advice.
  for (const name of ['DOCKERISH', 'DOCKER-LOGS', 'ufw_user', 'MYKUBE-X']) {
    const d = expectOne(filter(`:${name} - [0:0]`, `-A ${name} -j DROP`), 'unused-chain', 4, name);
    assert.equal(d.severity, 'info', name);
    assert.equal(d.data?.managed, undefined);
  }
});

test('a script that adds to or jumps to a chain Docker, fail2ban or ufw makes: information that names who makes it, no fix that makes it', () => {
  const text = ['#!/bin/sh', 'iptables -I DOCKER-USER -i eth0 ! -s 10.0.0.0/8 -j DROP', 'iptables -A INPUT -p tcp --dport 22 -j f2b-sshd', 'iptables -A INPUT -j MYCHAIN', 'iptables -A OTHER -j ACCEPT', ''].join('\n');
  const r = lint(text, { fileName: 'fw.sh' });
  const found = r.diagnostics.filter((d) => d.code === 'undefined-chain' || d.code === 'unknown-target');
  assert.deepEqual(found.map((d) => [d.code, d.severity, d.range.start.line]), [['undefined-chain', 'info', 1], ['unknown-target', 'info', 2], ['unknown-target', 'warning', 3], ['undefined-chain', 'warning', 4]]);
  assert.match(found[0].message, /^Chain DOCKER-USER is not made by this script: Docker makes it when it starts\. Run before that \(or on a host without Docker\), iptables refuses this command/);
  assert.match(found[1].message, /^'f2b-sshd' is not made by this script: fail2ban makes it when it starts/);
  const fixes = (d: (typeof found)[number]) => quickFixes(r, d).filter((x) => !/disable|silence/i.test(x.title)).map((x) => x.title);
  assert.deepEqual(fixes(found[0]), []);
  assert.deepEqual(fixes(found[1]), []);
  // A chain of the script's own: it is offered to make it.
  assert.ok(fixes(found[2]).some((t) => /MYCHAIN/.test(t)), fixes(found[2]).join(' | '));
  // Made by the script: nothing to say.
  assert.deepEqual(lint(['#!/bin/sh', 'iptables -N f2b-sshd', 'iptables -A INPUT -j f2b-sshd', ''].join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'unknown-target'), []);
});

test('NAT rules shadow later NAT rules in the same chain', () => {
  expectOne(table('nat', ':POSTROUTING ACCEPT [0:0]', '-A POSTROUTING -o eth0 -j MASQUERADE', '-A POSTROUTING -o eth0 -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.1'), 'shadowed-rule', 3, '-A POSTROUTING -o eth0 -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.1');
});

test('the example rulesets are clean', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const path = await import('node:path');
  const { ROOT } = await import('../helpers/env');
  for (const f of readdirSync(path.join(ROOT, 'examples'))) {
    if (f === 'common-mistakes.iptables') continue;
    const found = diagnose(readFileSync(path.join(ROOT, 'examples', f), 'utf8'), { fileName: f }).filter((d) => d.severity !== 'hint');
    assert.deepEqual(found.map((d) => `${f}:${d.range.start.line + 1} ${d.code}`), []);
  }
});

test('untracked-state: a connection-state match on packets the raw table untracks', () => {
  const rules = (raw: string[], filter: string[], extra: string[] = []) => [
    '*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...raw, 'COMMIT', ...extra,
    '*filter', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ':DNS - [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT',
    ...filter, 'COMMIT', ''].join('\n');
  const notrack = '-A PREROUTING -p udp --dport 53 -j NOTRACK';
  const dnsNew = '-A INPUT -p udp --dport 53 -m conntrack --ctstate NEW -j ACCEPT';
  const text = rules([notrack], [dnsNew]);
  const d = expectOne(text, 'untracked-state', 12, 'NEW');
  assert.match(d.message, /asks for connection state NEW, but the raw table stops tracking every packet it could match \(line 4\)/);
  assert.equal(d.related?.[0].range.start.line, 3);
  assert.equal(d.data?.replacement, 'NEW,UNTRACKED');
  // The tracer, following such a packet, agrees: the rule is not among those it matches.
  const r = lint(text, { fileName: 'rules.v4' });
  const t = tracePacket(r, packetFrom({ proto: 'udp', src: '203.0.113.5', dst: '198.51.100.1', dport: 53, in: 'eth0', state: 'NEW' }, 4), 'input');
  assert.ok(t.branches.every((b) => b.stages.every((s) => s.matched.every((m) => !m.range || m.range.start.line !== 12))));
  // CT --notrack and -m state; a narrower rule; a user chain INPUT jumps to.
  expectOne(rules(['-A PREROUTING -p udp -m udp --dport 123 -j CT --notrack'], ['-A INPUT -s 10.0.0.0/8 -p udp --dport 123 -m state --state NEW,ESTABLISHED -j ACCEPT']), 'untracked-state', 12, 'NEW,ESTABLISHED');
  expectOne(rules([notrack], ['-A INPUT -j DNS', '-A DNS -p udp --dport 53 -m conntrack --ctstate NEW -j ACCEPT']), 'untracked-state', 13, 'NEW');
  // UNTRACKED among the states, a negated state, no state at all: the rule may match.
  expectNone(rules([notrack], [dnsNew.replace('NEW', 'NEW,UNTRACKED')]), 'untracked-state');
  expectNone(rules([notrack], [dnsNew.replace('--ctstate NEW', '! --ctstate INVALID')]), 'untracked-state');
  expectNone(rules([notrack], ['-A INPUT -p udp --dport 53 -j ACCEPT']), 'untracked-state');
  // Only part of the rule's packets untracked; the NOTRACK rule not surely reached (an earlier ACCEPT ends raw, a
  // match the model does not read); an earlier DROP is no matter (those packets never get further).
  expectNone(rules(['-A PREROUTING -s 10.0.0.0/8 -p udp --dport 53 -j NOTRACK'], [dnsNew]), 'untracked-state');
  expectNone(rules(['-A PREROUTING -s 10.0.0.0/8 -j ACCEPT', notrack], [dnsNew]), 'untracked-state');
  expectNone(rules(['-A PREROUTING -p udp --dport 53 -m statistic --mode random --probability 0.5 -j NOTRACK'], [dnsNew]), 'untracked-state');
  expectOne(rules(['-A PREROUTING -s 10.0.0.0/8 -j DROP', notrack], [dnsNew]), 'untracked-state', 13, 'NEW');
  // NAT may rewrite a tracked packet into the untracked ones' box after raw: nothing is claimed.
  expectNone(rules([notrack], [dnsNew], ['*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p udp --dport 5353 -j REDIRECT --to-ports 53', 'COMMIT']), 'untracked-state');
  // OUTPUT is untracked by raw OUTPUT, not PREROUTING.
  const answers = '-A OUTPUT -p udp --sport 53 -m conntrack --ctstate ESTABLISHED -j ACCEPT';
  expectNone(rules([notrack], [answers]), 'untracked-state');
  expectOne(rules(['-A OUTPUT -p udp --sport 53 -j NOTRACK'], [answers]), 'untracked-state', 12, 'ESTABLISHED');
});

test('dnat-bypassed: an INPUT rule for a port that a DNAT forwards first (a Docker published port)', () => {
  const docker = (pre: string[], input: string[], forward: string[] = []) => [
    '*nat', ':PREROUTING ACCEPT [0:0]', ':DOCKER - [0:0]', ...pre,
    '-A DOCKER -i docker0 -j RETURN', '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80', 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...input, ...forward, 'COMMIT', ''].join('\n');
  const jump = '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER';
  const drop = '-A INPUT -p tcp --dport 8080 -j DROP';
  const d = expectOne(docker([jump], [drop]), 'dnat-bypassed', 11, drop);
  assert.match(d.message, /The connections the DNAT on line 6 takes \(! -i docker0 -p tcp -m tcp --dport 8080\) never reach this rule: nat PREROUTING sends them on to 172\.17\.0\.2:80 first/);
  assert.equal(d.related?.[0].range.start.line, 5);
  // A rule for other ports too, a rule in FORWARD, a rule for the new port: nothing to say.
  expectNone(docker([jump], ['-A INPUT -p tcp -m multiport --dports 8080,9090 -j DROP']), 'dnat-bypassed');
  expectNone(docker([jump], [], ['-A FORWARD -p tcp --dport 8080 -j DROP']), 'dnat-bypassed');
  expectNone(docker([jump], ['-A INPUT -p tcp --dport 80 -j DROP']), 'dnat-bypassed');
  // Not surely taken: a jump on a condition the model does not read, or an earlier rule that takes the packets.
  expectNone(docker(['-A PREROUTING -m set --match-set published dst -j DOCKER'], [drop]), 'dnat-bypassed');
  expectNone(docker(['-A PREROUTING -p tcp --dport 8080 -j ACCEPT', jump], [drop]), 'dnat-bypassed');
  // Only from docker0 (which the DNAT leaves alone): the rule does meet those.
  expectNone(docker([jump], ['-A INPUT -i docker0 -p tcp --dport 8080 -j DROP']), 'dnat-bypassed');
  // A port forward to this machine's own SSH: INPUT sees port 22, never 2222.
  const local = ['*nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp --dport 2222 -j DNAT --to-destination 192.168.1.1:22', 'COMMIT',
    '*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 2222 -j ACCEPT', 'COMMIT', ''].join('\n');
  expectOne(local, 'dnat-bypassed', 7, '-A INPUT -s 10.0.0.0/8 -p tcp --dport 2222 -j ACCEPT');
  // Keeping the port (no :port): the new address may be this machine's, where INPUT sees the same port.
  expectNone(local.replace('192.168.1.1:22', '192.168.1.1'), 'dnat-bypassed');
  // Unless Docker's own DOCKER chain publishes it: its DNATs always go to a container (`-p 3306:3306`).
  const samePort = docker([jump], ['-A INPUT -p tcp --dport 3306 -j DROP']).replace('--dport 8080 -j DNAT --to-destination 172.17.0.2:80', '--dport 3306 -j DNAT --to-destination 172.17.0.3:3306');
  assert.match(expectOne(samePort, 'dnat-bypassed', 11, '-A INPUT -p tcp --dport 3306 -j DROP').message, /172\.17\.0\.3:3306/);
  // A DNAT of every port (it names none): a rule for one port is not about it.
  expectNone(local.replace('-p tcp --dport 2222 -j DNAT', '-d 10.192.0.0/10 -p tcp -j DNAT'), 'dnat-bypassed');
  // On a Docker host the finding carries the rule for DOCKER-USER, by the port the connections were sent to.
  const withUser = docker([jump], ['-A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -m conntrack --ctstate NEW -j REJECT --reject-with tcp-reset'], [':DOCKER-USER - [0:0]', '-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j RETURN']);
  const moved = onlyCode(withUser, 'dnat-bypassed')[0];
  assert.equal(moved.data?.rule, '-A DOCKER-USER -s 10.0.0.0/8 -p tcp -m conntrack --ctstate NEW --ctorigdstport 8080 --ctdir ORIGINAL -j REJECT --reject-with tcp-reset');
  assert.equal(moved.data?.insertBefore, 14);
  // Conditions that do not carry over plainly: no rule offered.
  assert.equal(onlyCode(withUser.replace('-s 10.0.0.0/8', '-d 192.168.1.1'), 'dnat-bypassed')[0].data?.rule, undefined);
  // A transparent proxy: INPUT sees port 3128, never 80.
  const proxy = local.replace('-p tcp --dport 2222 -j DNAT --to-destination 192.168.1.1:22', '-i eth1 -p tcp --dport 80 -j REDIRECT --to-ports 3128').replace('-s 10.0.0.0/8 -p tcp --dport 2222', '-i eth1 -p tcp --dport 80');
  assert.match(expectOne(proxy, 'dnat-bypassed', 7, '-A INPUT -i eth1 -p tcp --dport 80 -j ACCEPT').message, /REDIRECT on line 3 takes \(-i eth1 -p tcp -m tcp --dport 80\) never reach this rule: nat PREROUTING sends them on to port 3128 of this machine first/);
});

test('a policy set for a chain named by an unknown shell value may be any built-in chain\'s: no claim that INPUT accepts by default', () => {
  const unknown = 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT\nfor c in $CHAINS; do iptables -P $c DROP; done\n';
  expectNone(unknown, 'no-default-deny');
  // Set again by name afterwards: known again.
  expectOne(`${unknown}iptables -P INPUT ACCEPT\n`, 'no-default-deny', 2, 'ACCEPT');
});

test('snat-dropped: a MASQUERADE or SNAT whose forwarded connections FORWARD drops first', () => {
  const masq = '-A POSTROUTING -s 192.168.1.0/24 -o eth0 -j MASQUERADE';
  const gw = (forward: string[], nat: string[] = [masq], policy = 'DROP') => ['*nat', ':POSTROUTING ACCEPT [0:0]', ...nat, 'COMMIT', '*filter', `:FORWARD ${policy} [0:0]`, '-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', ...forward, 'COMMIT', ''].join('\n');
  const d = expectOne(gw([]), 'snat-dropped', 2, masq);
  assert.match(d.message, /this MASQUERADE is for never reach it: they pass filter FORWARD first, where the DROP policy denies them/);
  assert.match(d.message, /accept them in FORWARD: '-A FORWARD -s 192\.168\.1\.0\/24 -o eth0 -j ACCEPT'/);
  assert.equal(d.related?.[0].range.start.line, 5);
  // The quick fix adds that rule to FORWARD; then nothing is said.
  const r = lint(gw([]), { fileName: 'gw.rules' });
  const fix = quickFixes(r, r.diagnostics.find((x) => x.code === 'snat-dropped')!).find((f) => f.title === 'Accept the forwarded connections in FORWARD')!;
  expectNone(applyEdits(gw([]), fix.edits), 'snat-dropped');
  // FORWARD accepts some of them (by network, by interface, through a chain, a match the model does not read), or accepts by default.
  expectNone(gw(['-A FORWARD -s 192.168.1.0/24 -j ACCEPT']), 'snat-dropped');
  expectNone(gw(['-A FORWARD -i eth1 -o eth0 -j ACCEPT']), 'snat-dropped');
  expectNone(gw(['-A FORWARD -j LAN']).replace('*filter', '*filter\n:LAN - [0:0]\n-A LAN -j ACCEPT'), 'snat-dropped');
  expectNone(gw(['-A FORWARD -s 192.168.1.0/24 -m limit --limit 10/s -j ACCEPT']), 'snat-dropped');
  expectNone(gw([], [masq], 'ACCEPT'), 'snat-dropped');
  // Accepted, but for another network or interface: still dropped. An SNAT is read the same way.
  expectOne(gw(['-A FORWARD -s 10.0.0.0/8 -o eth0 -j ACCEPT', '-A FORWARD -s 192.168.1.0/24 -o eth1 -j ACCEPT']), 'snat-dropped', 2, masq);
  const snat = '-A POSTROUTING -o eth0 -p udp -j SNAT --to-source 203.0.113.1';
  expectOne(gw(['-A FORWARD -p tcp -j ACCEPT'], [snat]), 'snat-dropped', 2, snat);
  // In a chain POSTROUTING jumps to: the jump's conditions count.
  const inChain = ['-A POSTROUTING -o eth0 -j OUT', '-A OUT -j MASQUERADE'];
  const chained = gw(['-A FORWARD -o eth1 -j ACCEPT'], inChain).replace(':POSTROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]\n:OUT - [0:0]');
  expectOne(chained, 'snat-dropped', 4, '-A OUT -j MASQUERADE');
  expectNone(chained.replace('-o eth1 -j ACCEPT', '-o eth0 -j ACCEPT'), 'snat-dropped');
  // In a script, as a gateway script writes it.
  const script = '#!/bin/sh\niptables -P FORWARD DROP\niptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\n';
  expectOne(script, 'snat-dropped', 3, '-t nat -A POSTROUTING -o eth0 -j MASQUERADE', { fileName: 'gw.sh' });
});

test('ssh-lockout names the rule for packets from the SSH port (--sport for --dport) and offers to turn it round', () => {
  for (const [rule, word, turned] of [['-A INPUT -p tcp --sport 22 -j ACCEPT', '--sport', '--dport'], ['-A INPUT -p tcp -m multiport --sports 22,80 -j ACCEPT', '--sports', '--dports'], ['-A INPUT -p tcp --source-port 22 -j ACCEPT', '--source-port', '--destination-port']]) {
    const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', rule, 'COMMIT', ''].join('\n');
    const d = expectOne(text, 'ssh-lockout', 1, 'DROP');
    assert.match(d.message, new RegExp(`The rule on line 4 accepts packets from ports? 22(,80)? \\(the answers of an SSH server this machine connects to\\): for sessions into this machine it needs ${turned}\\.$`));
    const r = lint(text, { fileName: 'rules.v4' });
    const [first, second] = quickFixes(r, r.diagnostics.find((x) => x.code === 'ssh-lockout')!);
    assert.equal(first.title, `Change ${word} to ${turned} on line 4`);
    const fixed = applyEdits(text, first.edits);
    assert.equal(fixed.split('\n')[3], rule.replace(word, turned));
    assert.deepEqual(lint(fixed, { fileName: 'rules.v4' }).diagnostics.filter((x) => x.code === 'ssh-lockout'), []);
    assert.match(second.title, /Accept SSH/);
  }
  // In OUTPUT the other way round: --dport 22 written for --sport 22 lets out no answer of this machine's SSH server.
  const out = ['*filter', ':INPUT DROP [0:0]', ':OUTPUT DROP [0:0]', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.match(expectOne(out, 'ssh-lockout', 2, 'DROP').message, /The rule on line 5 lets out packets to port 22 \(this machine's connections to SSH servers\): for its own SSH server's answers it needs --sport\.$/);
  const ro = lint(out, { fileName: 'rules.v4' });
  const turned = quickFixes(ro, ro.diagnostics.find((x) => x.code === 'ssh-lockout')!)[0];
  assert.equal(turned.title, 'Change --dport to --sport on line 5');
  assert.deepEqual(lint(applyEdits(out, turned.edits), { fileName: 'rules.v4' }).diagnostics.filter((x) => x.code === 'ssh-lockout'), []);
  // A rule for answers that also names a destination port is no slip: only the accept is offered.
  const other = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -p tcp --sport 22 --dport 1024:65535 -m state --state ESTABLISHED -j ACCEPT', 'COMMIT', ''].join('\n');
  assert.doesNotMatch(expectOne(other, 'ssh-lockout', 1, 'DROP').message, /The rule on line/);
});
