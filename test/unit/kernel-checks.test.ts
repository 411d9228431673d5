/** Hand-written cases for what the kernel refuses, with the expected range and message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, errors, expectNone, expectOne, filter, table } from '../helpers/lint';
import { lint, loaderOf } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits } from '../../server/src/engine/format';

test('unknown-target: wrong case, typo, missing chain; suggestions', () => {
  const lower = expectOne(filter('-A INPUT -j accept'), 'unknown-target', 4, 'accept');
  assert.deepEqual(lower.data?.suggestions, ['ACCEPT']);
  assert.match(expectOne(filter('-A INPUT -j ACCPET'), 'unknown-target', 4, 'ACCPET').message, /Did you mean 'ACCEPT'/);
  assert.match(expectOne(filter('-A INPUT -j LOGDROP'), 'unknown-target', 4, 'LOGDROP').message, /neither a target nor a chain/);
  expectNone(filter(':LOGDROP - [0:0]', '-A INPUT -j LOGDROP'), 'unknown-target');
  expectOne(filter('-A INPUT -j OUTPUT'), 'unknown-target', 4, 'OUTPUT');
});

test('unknown-target in a ufw rules file: ufw creates its own chains before it loads the file', () => {
  const text = ['*filter', ':ufw-before-input - [0:0]', '-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny', '-A ufw-before-input -j LOGDROP', 'COMMIT', ''].join('\n');
  assert.equal(loaderOf('/etc/ufw/before.rules'), 'ufw');
  assert.equal(loaderOf('C:\\backup\\ufw\\user6.rules'), 'ufw');
  assert.equal(loaderOf('/etc/iptables/rules.v4'), undefined);
  assert.equal(loaderOf('/etc/ufw/ufw.conf'), undefined);
  const found = (fileName: string) => diagnose(text, { fileName }).filter((d) => d.code === 'unknown-target').map((d) => ({ line: d.range.start.line, severity: d.severity, message: d.message, data: d.data }));
  const [ufw, other] = found('/etc/ufw/before.rules');
  assert.equal(ufw.line, 2);
  assert.equal(ufw.severity, 'info');
  assert.match(ufw.message, /'ufw-logging-deny' is not declared in this file: ufw creates its chains itself before it loads its rules files \(with iptables-restore -n\)/);
  // Nothing to declare: a declaration in a file loaded with -n would empty ufw's own chain.
  assert.equal(ufw.data?.chain, undefined);
  // A chain of another name is still an error there, and the same file anywhere else (loaded on its own) is refused.
  assert.deepEqual([other.line, other.severity], [3, 'error']);
  assert.deepEqual(found('before.rules').map((d) => [d.line, d.severity]), [[2, 'error'], [3, 'error']]);
});

test('undefined-chain: a rule for a chain nobody declared', () => {
  const d = expectOne(filter('-A WEB -j ACCEPT'), 'undefined-chain', 4, 'WEB');
  assert.equal(d.severity, 'error');
  // In scripts the chain may come from elsewhere: a warning.
  assert.equal(expectOne('iptables -A WEB -j ACCEPT\n', 'undefined-chain', 0, 'WEB').severity, 'warning');
  expectNone('iptables -N WEB\niptables -A WEB -j ACCEPT\n', 'undefined-chain');
});

test('duplicate-chain and invalid-chain-name', () => {
  expectOne(filter(':X - [0:0]', ':X - [0:0]'), 'duplicate-chain', 5, 'X');
  expectOne(filter(':ACCEPT - [0:0]'), 'invalid-chain-name', 4, 'ACCEPT');
  expectOne(filter(':this_chain_name_is_far_too_long_for_the_kernel - [0:0]'), 'invalid-chain-name', 4, 'this_chain_name_is_far_too_long_for_the_kernel');
  expectOne('iptables -N !bad\n', 'invalid-chain-name', 0, '!bad');
  expectNone(filter(':chain_name_of_exactly_28_chr - [0:0]'), 'invalid-chain-name');
});

test('chain-not-in-table names the tables that have the chain, and the one the rule\'s target belongs in; in a script, a fix', () => {
  const dnat = expectOne(filter('-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2'), 'chain-not-in-table', 4, 'PREROUTING');
  assert.equal(dnat.message, 'The filter table has no PREROUTING chain (it has INPUT, FORWARD, OUTPUT). PREROUTING is a chain of the nat, mangle and raw tables. This rule\'s DNAT belongs in the nat table: put it under *nat.');
  // A target allowed in several of those tables (or any): the tables alone.
  assert.match(expectOne(filter('-A POSTROUTING -j ACCEPT'), 'chain-not-in-table', 4, 'POSTROUTING').message, /\(it has INPUT, FORWARD, OUTPUT\)\. POSTROUTING is a chain of the nat and mangle tables\.$/);
  const fixed = (text: string) => {
    const r = lint(text, { fileName: 'fw.sh' });
    const d = r.diagnostics.find((x) => x.code === 'chain-not-in-table')!;
    const fixes = quickFixes(r, d).filter((f) => !/disable|silence/i.test(f.title));
    return fixes.length ? applyEdits(text, fixes[0].edits) : undefined;
  };
  assert.equal(fixed('iptables -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2\n'), 'iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.2\n');
  assert.equal(fixed('iptables -t filter -A POSTROUTING -o eth0 -j MASQUERADE\n'), 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE\n');
  assert.equal(fixed('iptables -A POSTROUTING -j ACCEPT\n'), undefined);
  assert.match(diagnose('iptables -A PREROUTING -j DNAT --to-destination 10.0.0.2\n', { fileName: 'fw.sh' }).find((d) => d.code === 'chain-not-in-table')!.message, /belongs in the nat table: add -t nat\.$/);
});

test('chain-not-in-table', () => {
  expectOne(filter('-A PREROUTING -j ACCEPT'), 'chain-not-in-table', 4, 'PREROUTING');
  expectOne('*raw\n:INPUT ACCEPT [0:0]\nCOMMIT\n', 'chain-not-in-table', 1, 'INPUT');
  expectNone(table('nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j ACCEPT'), 'chain-not-in-table');
  // Another table's built-in chain name is a user chain here: with `-` on its line, or made by -N.
  assert.deepEqual(errors('*raw\n:INPUT - [0:0]\n-A PREROUTING -j INPUT\n-A INPUT -j ACCEPT\nCOMMIT\n'), []);
  expectNone('*raw\n:INPUT - [0:0]\nCOMMIT\n', 'chain-not-in-table');
  const script = diagnose('iptables -t raw -N INPUT\niptables -t raw -A PREROUTING -j INPUT\niptables -t nat -N FORWARD\n', { fileName: 'fw.sh' });
  assert.deepEqual(script.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => d.message), []);
});

test('invalid-policy: user chain with a policy, built-in with REJECT', () => {
  expectOne(filter(':X ACCEPT [0:0]'), 'invalid-policy', 4, 'ACCEPT');
  expectOne('*filter\n:INPUT REJECT [0:0]\nCOMMIT\n', 'invalid-policy', 1, 'REJECT');
  expectOne('iptables -P INPUT REJECT\n', 'invalid-policy', 0, 'REJECT');
  expectOne('iptables -N X\niptables -P X DROP\n', 'invalid-policy', 1, 'X');
});

test('target-not-allowed: tables and hooks', () => {
  assert.match(expectOne(filter('-A INPUT -j MASQUERADE'), 'target-not-allowed', 4, 'MASQUERADE').message, /nat table/);
  assert.match(expectOne(table('nat', '-A PREROUTING -j MASQUERADE'), 'target-not-allowed', 1, 'MASQUERADE').message, /only allowed in POSTROUTING, not in PREROUTING/);
  expectOne(table('nat', '-A POSTROUTING -p tcp -j DNAT --to-destination 10.0.0.1'), 'target-not-allowed', 1, 'DNAT');
  expectOne(table('mangle', '-A PREROUTING -j REJECT'), 'target-not-allowed', 1, 'REJECT');
  expectOne(filter('-A OUTPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT'), 'target-not-allowed', 4, 'mac');
  expectOne(filter('-A INPUT -m owner --uid-owner 0 -j ACCEPT'), 'target-not-allowed', 4, 'owner');
  expectOne(table('nat', '-A PREROUTING -p tcp -j TPROXY --on-port 1'), 'target-not-allowed', 1, 'TPROXY');
  expectNone(table('nat', '-A POSTROUTING -o eth0 -j MASQUERADE'), 'target-not-allowed');
});

test('target-not-allowed through a user chain names the path', () => {
  const text = table('nat', ':PREROUTING ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]', ':X - [0:0]', '-A PREROUTING -j X', '-A POSTROUTING -j X', '-A X -j MASQUERADE');
  const d = expectOne(text, 'target-not-allowed', 6, 'MASQUERADE');
  assert.match(d.message, /PREROUTING -> X/);
  // A chain that nothing reaches is not checked by the kernel.
  expectNone(table('nat', ':X - [0:0]', '-A X -j MASQUERADE'), 'target-not-allowed');
});

test('interface-direction: error in the built-in chain, warning in a user chain reached only from there', () => {
  assert.equal(expectOne(filter('-A INPUT -o eth0 -j ACCEPT'), 'interface-direction', 4, '-o').severity, 'error');
  assert.equal(expectOne(filter('-A OUTPUT -i eth0 -j ACCEPT'), 'interface-direction', 4, '-i').severity, 'error');
  const d = expectOne(filter(':X - [0:0]', '-A INPUT -j X', '-A X -o eth0 -j ACCEPT'), 'interface-direction', 6, '-o');
  assert.equal(d.severity, 'warning');
  expectNone(filter(':X - [0:0]', '-A INPUT -j X', '-A FORWARD -j X', '-A X -o eth0 -j ACCEPT'), 'interface-direction');
});

test('address-family: --icmp-type in ip6tables and --icmpv6-type in iptables, whatever the protocol; the fix writes the family\'s own', () => {
  const v6 = { family: 6 as const };
  // The finding on the option's word (a rule with the other family's protocol has one on -p as well).
  const onOption = (text: string, word: string, opts: { family?: 4 | 6 } = {}) => {
    const start = text.split('\n')[4].indexOf(word);
    const found = diagnose(text, opts).filter((d) => d.code === 'address-family' && d.range.start.line === 4 && d.range.start.character === start);
    assert.equal(found.length, 1, `one address-family on ${word}`);
    assert.equal(found[0].range.end.character, start + word.length);
    return found[0];
  };
  const fixed = (text: string, opts: { family?: 4 | 6 }) => {
    const r = lint(text, opts);
    const d = onOption(text, opts.family === 6 ? '--icmp-type' : '--icmpv6-type', opts);
    const fix = quickFixes(r, d).filter((f) => !/disable|silence/i.test(f.title));
    return fix.length ? applyEdits(text, fix[0].edits) : undefined;
  };
  for (const rule of ['-A INPUT -p icmp --icmp-type echo-request -j ACCEPT', '-A INPUT -p ipv6-icmp --icmp-type echo-request -j ACCEPT', '-A INPUT --icmp-type echo-request -j ACCEPT']) {
    const d = onOption(filter(rule), '--icmp-type', v6);
    assert.match(d.message, /ip6tables has none by that name, whatever the protocol, and says unknown option "--icmp-type"\. For ICMPv6 write -p ipv6-icmp --icmpv6-type echo-request\./);
    expectNone(filter(rule), 'protocol-required', v6);
    assert.equal(fixed(filter(rule), v6), filter('-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT'), rule);
  }
  // A number means another type in the other family (a ping is 8 in ICMP, 128 in ICMPv6): said, not fixed.
  const numbered = onOption(filter('-A INPUT -p icmp --icmp-type 8 -j ACCEPT'), '--icmp-type', v6);
  assert.match(numbered.message, /with an ICMPv6 type: the types are numbered apart \(a ping is echo-request, 128 in ICMPv6 and 8 in ICMP\)/);
  assert.equal(fixed(filter('-A INPUT -p icmp --icmp-type 8 -j ACCEPT'), v6), undefined);
  // Another protocol, or a negated one: the rule meant something else; no fix.
  assert.equal(fixed(filter('-A INPUT ! -p icmp --icmp-type echo-request -j ACCEPT'), v6), undefined);
  assert.equal(fixed(filter('-A INPUT -p tcp --icmp-type echo-request -j ACCEPT'), v6), undefined);
  // The reverse, in iptables.
  const v4 = { family: 4 as const };
  const d4 = onOption(filter('-A INPUT -p ipv6-icmp --icmpv6-type echo-reply -j ACCEPT'), '--icmpv6-type', v4);
  assert.match(d4.message, /iptables has none by that name/);
  assert.equal(fixed(filter('-A INPUT -p ipv6-icmp --icmpv6-type echo-reply -j ACCEPT'), v4), filter('-A INPUT -p icmp --icmp-type echo-reply -j ACCEPT'));
  // Each family's own option stays as it was.
  expectNone(filter('-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT'), 'address-family', v6);
  expectNone(filter('-A INPUT -p icmp --icmp-type echo-request -j ACCEPT'), 'address-family', v4);
  // The protocol of the other family: a fix to the family's own.
  const r = lint(filter('-A INPUT -p icmp -j ACCEPT'), v6);
  const p = r.diagnostics.find((x) => x.code === 'address-family')!;
  assert.equal(applyEdits(filter('-A INPUT -p icmp -j ACCEPT'), quickFixes(r, p)[0].edits), filter('-A INPUT -p ipv6-icmp -j ACCEPT'));
});

test('address-family: a rules file named for one family that holds the other\'s rules is one finding where its text shows it', () => {
  const v6rules = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\n-A INPUT -s 2001:db8::/32 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const d = diagnose(v6rules, { fileName: '/etc/iptables/rules.v4' }).find((x) => x.code === 'address-family' && x.range.start.line === 0)!;
  assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 7 } });
  assert.equal(d.message, "This file is named for IPv4 rules, but holds IPv6 rules: it has IPv6 addresses ('-s 2001:db8::/32') and no IPv4 address. A file of this name is loaded with iptables-restore (as netfilter-persistent does), which refuses them or loads rules that never match. Name it for IPv6 (rules.v6), or load it with ip6tables-restore.");
  // A stray ICMPv6 rule in an IPv4 file is that rule's finding alone.
  expectOne(filter('-A INPUT -p ipv6-icmp -j ACCEPT'), 'address-family', 4, 'ipv6-icmp', { fileName: 'rules.v4' });
  // The header iptables-save wrote, in a file named for IPv6.
  const saved = '# Generated by iptables-nft-save v1.8.9 on Sun Nov 29 08:00:00 2026\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
  assert.match(expectOne(saved, 'address-family', 0, saved.split('\n')[0], { fileName: 'rules.v6' }).message, /named for IPv6 rules, but holds IPv4 rules: its header says iptables-nft-save wrote it/);
  // Names that agree, files named for neither, an explicit family, and IPv6 words beside an IPv4 address: nothing.
  expectNone(v6rules, 'address-family', { fileName: 'rules.v6' });
  expectNone(v6rules, 'address-family', { fileName: 'firewall.rules' });
  expectNone(saved, 'address-family', { fileName: 'rules.v6', family: 6 });
  assert.equal(diagnose(v6rules.replace('-p ipv6-icmp', '-s 10.0.0.1 -p tcp'), { fileName: 'rules.v4' }).filter((x) => x.code === 'address-family' && x.range.start.line === 0).length, 0);
});

test('protocol-required: ports, tcp match, multiport, tcp-reset, icmp-type, --to-ports', () => {
  expectOne(filter('-A INPUT --dport 22 -j ACCEPT'), 'protocol-required', 4, '--dport');
  expectOne(filter('-A INPUT -m tcp --dport 22 -j ACCEPT'), 'protocol-required', 4, 'tcp');
  expectOne(filter('-A INPUT -m multiport --dports 22,80 -j ACCEPT'), 'protocol-required', 4, 'multiport');
  expectOne(filter('-A INPUT -j REJECT --reject-with tcp-reset'), 'protocol-required', 4, 'tcp-reset');
  expectOne(filter('-A INPUT --icmp-type 8 -j ACCEPT'), 'protocol-required', 4, '--icmp-type');
  expectOne(filter('-A INPUT -p udp --tcp-flags SYN SYN -j ACCEPT'), 'protocol-required', 4, '--tcp-flags');
  expectOne(table('nat', '-A PREROUTING -j REDIRECT --to-ports 8080'), 'protocol-required', 1, '--to-ports');
  // NAT to a port: the protocol must be one with ports (or ICMP), negated or not.
  const gre = expectOne(table('nat', '-A POSTROUTING -p gre -j SNAT --to-source 192.0.2.1:1000'), 'protocol-required', 1, '--to-source');
  assert.match(gre.message, /-p gre has no ports/);
  expectOne(table('nat', '-A PREROUTING -p all -j DNAT --to-destination 192.0.2.1:80'), 'protocol-required', 1, '--to-destination');
  for (const p of ['-p tcp', '-p icmp', '! -p tcp', '-p 132']) assert.deepEqual(errors(table('nat', `-A POSTROUTING ${p} -j MASQUERADE --to-ports 1000`)), [], p);
  expectOne(table('nat', '-A POSTROUTING ! -p gre -j MASQUERADE --to-ports 1000'), 'protocol-required', 1, '--to-ports');
  expectOne(filter('-A INPUT ! -p tcp -m tcp --dport 22 -j ACCEPT'), 'protocol-required', 4, 'tcp', {}, 1);
  assert.deepEqual(errors(filter('-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset', '-A INPUT -p 6 -m multiport --dports 1,2 -j ACCEPT')), []);
});

test('the kernel checks leave a clean ruleset alone', () => {
  const text = filter(':LOG_DROP - [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -j LOG_DROP', '-A LOG_DROP -j LOG --log-prefix "drop: "', '-A LOG_DROP -j DROP');
  assert.deepEqual(diagnose(text).filter((d) => d.severity === 'error'), []);
});

test('invalid-value: log levels as current iptables reads them (lower-case names, numbers as strtoul reads them)', () => {
  for (const level of ['debug', 'panic', '7', '07', '0x7', '+7', '0']) expectNone(filter(`-A INPUT -j LOG --log-level ${level}`), 'invalid-value');
  const upper = expectOne(filter('-A INPUT -j LOG --log-level DEBUG'), 'invalid-value', 4, 'DEBUG');
  assert.match(upper.message, /level names are lower case \('debug'\)/);
  assert.deepEqual(upper.data, { replacement: 'debug' });
  assert.deepEqual(expectOne(filter('-A INPUT -j LOG --log-level warn'), 'invalid-value', 4, 'warn').data, { replacement: 'warning' });
  // 010 is octal: 8, past debug; a name no version took has nothing to offer.
  for (const level of ['010', '8', 'loud']) assert.equal(expectOne(filter(`-A INPUT -j LOG --log-level ${level}`), 'invalid-value', 4, level).data, undefined);
});

test('names as iptables compares them: in any case, as written, or by their beginning', () => {
  const ok = (rule: string, family: 4 | 6 = 4) => assert.deepEqual(errors(`${family === 6 ? 'ip6tables' : 'iptables'} ${rule}\n`, { format: 'script' }).map((d) => d.message), [], rule);
  const refused = (rule: string, family: 4 | 6 = 4) => {
    const found = errors(`${family === 6 ? 'ip6tables' : 'iptables'} ${rule}\n`, { format: 'script' });
    assert.equal(found.length, 1, `${rule}: ${found.map((d) => d.message).join(' | ')}`);
    return found[0];
  };
  // -p writes its value in lower case first; --ctproto looks it up as /etc/protocols writes it.
  ok('-A INPUT -p Tcp');
  ok('-A INPUT -p ALL');
  ok('-A INPUT -p 0x11');
  ok('-A INPUT -m conntrack --ctproto TCP');
  ok('-A INPUT -m conntrack --ctproto OSPFIGP');
  refused('-A INPUT -p OSPFIGP');
  const tcp = refused('-A INPUT -m conntrack --ctproto Tcp');
  assert.deepEqual(tcp.data, { replacement: 'tcp' });
  // States, statuses, reject types and address types by their beginning, in any case.
  ok('-A INPUT -m conntrack --ctstate est,Rel');
  ok('-A INPUT -m state --state new');
  ok('-A INPUT -m conntrack --ctstatus assur');
  ok('-A INPUT -j REJECT --reject-with ICMP-HOST-PROH');
  ok('-A INPUT -m addrtype --src-type loc');
  ok('-A INPUT -j AUDIT --type ACCEPT');
  refused('-A INPUT -j AUDIT --type acc');
  refused('-A INPUT -m conntrack --ctdir orig');
  // tcp-reset, however written, needs -p tcp.
  assert.equal(refused('-A INPUT -j REJECT --reject-with TCP-RES').code, 'protocol-required');
  // ICMP types: any case, or the beginning of exactly one name.
  ok('-A INPUT -p icmp --icmp-type ECHO-REQUEST');
  ok('-A INPUT -p icmp --icmp-type echo-req');
  assert.match(refused('-A INPUT -p icmp --icmp-type echo').message, /ambiguous: it begins echo-reply, echo-request/);
  assert.match(refused('-A INPUT -p ipv6-icmp --icmpv6-type mld-listener-query', 6).message, /write its number, 130/);
  // Weekdays: the first two letters in their case, or a number.
  ok('-A INPUT -m time --weekdays Mo,Tuesday,3');
  assert.deepEqual(refused('-A INPUT -m time --weekdays mon,TUE').data, { replacement: 'Mon,Tue' });
  // Address types IPv6 has no route for; a statistic mode without what it needs; a match iptables cannot load.
  assert.equal(refused('-A INPUT -m addrtype --dst-type BROADCAST', 6).code, 'address-family');
  ok('-A INPUT -m addrtype --dst-type BROADCAST');
  assert.match(refused('-A INPUT -m statistic --mode random').message, /--mode random needs --probability/);
  ok('-A INPUT -m statistic --mode random --probability 0.1');
  assert.match(refused('-A INPUT -m l2tp --type control').message, /iptables has no extension to load it/);
});

test('the analysis reads what iptables reads: a protocol by its /etc/protocols number, a state or ICMP type by its beginning', () => {
  // ipip is protocol 94 (IP-within-IP), not 4 (ipencap): a rule for 4 does not shadow one for ipip.
  expectNone(filter('-A INPUT -p 4 -j DROP', '-A INPUT -p ipip -j ACCEPT'), 'reject-before-accept');
  expectOne(filter('-A INPUT -p 94 -j DROP', '-A INPUT -p ipip -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p ipip -j ACCEPT');
  expectOne(filter('-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -m state --state est -j ACCEPT'), 'redundant-rule', 5, '-A INPUT -m state --state est -j ACCEPT');
  expectOne(filter('-A INPUT -p icmp --icmp-type echo-request -j DROP', '-A INPUT -p icmp --icmp-type ECHO-REQ -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p icmp --icmp-type ECHO-REQ -j ACCEPT');
});

test('numbers as each module reads them: tcp ports and most numbers as strtoul (010 is 8), udp ports in decimal', () => {
  const warned = expectOne(filter('-A INPUT -p tcp --dport 022 -j ACCEPT'), 'invalid-value', 4, '022');
  assert.equal(warned.severity, 'warning');
  assert.match(warned.message, /iptables reads 022 as an octal number: port 18, not 22/);
  assert.match(expectOne(filter('-A INPUT -p tcp --dport 08 -j ACCEPT'), 'invalid-value', 4, '08').message, /8 and 9 are not octal digits/);
  expectNone(filter('-A INPUT -p tcp --dport 0x50 -j ACCEPT', '-A INPUT -p udp --dport 09 -j ACCEPT', '-A INPUT -p udp --dport 010 -j ACCEPT'), 'invalid-value');
  expectOne(filter('-A INPUT -p udp --dport 0x50 -j ACCEPT'), 'invalid-value', 4, '0x50');
  assert.match(expectOne(filter('-A INPUT -m ttl --ttl-eq 010 -j ACCEPT'), 'invalid-value', 4, '010').message, /the number 8, not 10/);
  // The analysis reads them the same way.
  expectOne(filter('-A INPUT -p tcp --dport 010 -j DROP', '-A INPUT -p tcp --dport 8 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p tcp --dport 8 -j ACCEPT');
  expectOne(filter('-A INPUT -p udp --dport 010 -j DROP', '-A INPUT -p udp --dport 10 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p udp --dport 10 -j ACCEPT');
  expectNone(filter('-A INPUT -p udp --dport 010 -j DROP', '-A INPUT -p udp --dport 8 -j ACCEPT'), 'reject-before-accept');
  expectOne(filter('-A INPUT -p tcp -m multiport --dports 0x50,443 -j DROP', '-A INPUT -p tcp --dport 80 -j ACCEPT'), 'reject-before-accept', 5, '-A INPUT -p tcp --dport 80 -j ACCEPT');
});

test('values iptables reads loosely or cuts short: warnings, not errors, where the kernel takes the rule', () => {
  const only = (rule: string, family: 4 | 6 = 4) => diagnose(`${family === 6 ? 'ip6tables' : 'iptables'} ${rule}\n`, { format: 'script' }).filter((d) => d.code === 'invalid-value' || d.code === 'protocol-required' || d.code === 'unknown-match');
  const severities = (rule: string, family: 4 | 6 = 4) => only(rule, family).map((d) => d.severity);
  // -m limit reads the number at the start; without a /, the rest is ignored (a warning says how it is read).
  assert.deepEqual(severities('-A INPUT -m limit --limit 5/SEC'), []);
  assert.deepEqual(severities('-A INPUT -m limit --limit 5/m'), []);
  assert.match(only('-A INPUT -m limit --limit 12:00')[0].message, /reads '12:00' as 12 per second/);
  assert.deepEqual(severities('-A INPUT -m limit --limit 5/minutes'), ['error']);
  assert.deepEqual(severities('-A INPUT -m hashlimit --hashlimit-upto 512kb/s --hashlimit-name x'), []);
  // Times of day with parts left out; texts longer than the kernel keeps are cut, with a warning.
  assert.deepEqual(severities('-A INPUT -m time --timestart 1:2'), []);
  assert.deepEqual(severities('-A INPUT -m time --timestart 24:00'), ['error']);
  assert.deepEqual(severities(`-A INPUT -m comment --comment ${'c'.repeat(300)}`), ['warning']);
  assert.deepEqual(severities(`-A INPUT -m recent --set --name ${'n'.repeat(250)}`), ['warning']);
  // AND, OR and XOR of marks take a plain value, no mask; realms are IPv4 routes'.
  assert.deepEqual(severities('-A INPUT -j MARK --and-mark 0x1/0xff'), ['error']);
  assert.equal(diagnose('ip6tables -A INPUT -m realm --realm 1\n', { format: 'script' }).filter((d) => d.severity === 'error').length, 1);
  // An IPv6 address alone is no port; `:80` is a port alone.
  assert.deepEqual(severities('-t nat -A PREROUTING -j DNAT --to-destination ::1', 6), []);
  assert.deepEqual(severities('-t nat -A PREROUTING -j DNAT --to-destination :80', 6), ['error']);
  // An interface name Linux cannot have: loaded with a warning, and it never matches.
  assert.deepEqual(severities('-A INPUT -i a/b'), ['warning']);
});

test('where some matches and targets may stand, and what they need', () => {
  const errs = (text: string) => errors(text, { format: 'script' }).map((d) => d.message);
  assert.equal(errs('iptables -t mangle -A PREROUTING -j ECN\n').length, 1);
  assert.equal(errs('iptables -t mangle -A PREROUTING -j ECN --ecn-tcp-cwr 1\n').length, 1, 'the TCP bits need -p tcp');
  assert.deepEqual(errs('iptables -t mangle -A PREROUTING -p tcp -j ECN --ecn-tcp-cwr 1\n'), []);
  assert.equal(errs('iptables -t mangle -A PREROUTING -m realm --realm 1\n').length, 1, 'realm needs the route: not before routing');
  assert.deepEqual(errs('iptables -A FORWARD -m realm --realm 1\n'), []);
  assert.equal(errs('iptables -A INPUT -m osf --genre Linux\n').length, 1, 'osf reads TCP SYNs only');
  assert.deepEqual(errs('iptables -A INPUT -p tcp -m osf --genre Linux\n'), []);
  assert.equal(errs('iptables -A OUTPUT -p tcp -m osf --genre Linux\n').length, 1);
  assert.equal(errs('ip6tables -A INPUT -p tcp -m osf --genre Linux\n').length, 1);
});

test('script commands iptables refuses: rule number 0, -P with rule options or a DROP policy in nat, -E onto a name taken, -X of a chain still jumped to', () => {
  const found = (...cmds: string[]) => diagnose(`${cmds.map((c) => `iptables ${c}`).join('\n')}\n`, { format: 'script' }).filter((d) => d.severity === 'error' || (d.severity === 'warning' && d.code !== 'ssh-lockout')).map((d) => `${d.severity} ${d.code}@${d.range.start.line}`);
  assert.deepEqual(found('-I INPUT 0 -j ACCEPT'), ['error syntax@0']);
  assert.deepEqual(found('-D INPUT 0'), ['error syntax@0']);
  assert.deepEqual(found('-P INPUT ACCEPT -j DROP'), ['error syntax@0']);
  assert.deepEqual(found('-w -P INPUT ACCEPT'), []);
  assert.deepEqual(found('-P FOO DROP'), ['error invalid-policy@0']);
  assert.deepEqual(found('-t nat -P PREROUTING DROP'), ['error invalid-policy@0']);
  assert.deepEqual(found('-N X', '-E X INPUT'), ['error invalid-chain-name@1']);
  assert.deepEqual(found('-N X', '-N Y', '-E X Y'), ['warning duplicate-chain@2']);
  assert.deepEqual(found('-N X', '-A INPUT -j X', '-X X'), ['warning syntax@2']);
  assert.deepEqual(found('-N X', '-A INPUT -j X', '-F INPUT', '-X X'), []);
  assert.deepEqual(found('-A INPUT -6 -j ACCEPT'), ['error address-family@0']);
  // In a restore file a rule marked for the other family is skipped, not refused.
  assert.equal(diagnose('*filter\n-A INPUT -6 -j ACCEPT\nCOMMIT\n').find((d) => d.code === 'address-family')?.severity, 'warning');
});

test('options a module takes only one of', () => {
  const errs = (rule: string) => errors(`iptables ${rule}\n`, { format: 'script' }).map((d) => d.message);
  assert.match(errs('-A INPUT -j MARK --set-mark 1 --or-mark 2')[0], /--or-mark cannot be used together with --set-mark in one -j MARK/);
  assert.equal(errs('-A INPUT -m ttl --ttl-eq 1 --ttl-gt 2').length, 1);
  assert.equal(errs('-A INPUT -m recent --set --rcheck').length, 1);
  assert.equal(errs('-A INPUT -m recent --set --seconds 60').length, 1, '--seconds goes with --rcheck or --update');
  assert.deepEqual(errs('-A INPUT -m recent --update --seconds 60 --reap'), []);
  assert.equal(errs('-A INPUT -m recent --rcheck --reap').length, 1, '--reap needs --seconds');
  assert.deepEqual(errs('-A INPUT -m time --kerneltz --localtz'), [], 'two names of one option');
  assert.equal(errs('-A INPUT -m time --utc --localtz').length, 1);
  assert.deepEqual(errs('-A INPUT -j SET --add-set a src --del-set b src'), []);
});

test('prefix lengths the family bounds, and IPv6 NAT ranges in one pair of brackets', () => {
  const sev = (text: string) => diagnose(text, { format: 'script' }).filter((d) => d.code === 'invalid-value' || d.code === 'syntax').map((d) => d.severity);
  assert.deepEqual(sev('iptables -A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name h --hashlimit-srcmask 33\n'), ['error']);
  assert.deepEqual(sev('ip6tables -A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name h --hashlimit-srcmask 64\n'), []);
  assert.deepEqual(sev('iptables -A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 64\n'), ['warning']);
  assert.deepEqual(sev('ip6tables -A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 129\n'), ['error']);
  const nat = (to: string) => errors(`ip6tables -t nat -A PREROUTING -p tcp -j DNAT --to-destination ${to}\n`, { format: 'script' }).length;
  assert.equal(nat('[2001:db8::1-2001:db8::9]:80'), 0);
  assert.equal(nat('2001:db8::1-2001:db8::9'), 0);
  assert.equal(nat('[2001:db8::1]-[2001:db8::9]:80'), 1);
});

test('what a module\'s values require of one another: policy elements, a span over midnight, conntrack events', () => {
  const errs = (rule: string) => errors(`iptables ${rule}\n`, { format: 'script' }).map((d) => d.message);
  assert.deepEqual(errs('-A INPUT -m policy --dir in --pol ipsec --strict --proto esp --next --proto ah'), [], 'an option may repeat in the next element');
  assert.match(errs('-A INPUT -m policy --dir in --pol ipsec --strict')[0], /--strict needs each element/);
  assert.match(errs('-A INPUT -m policy --dir in --pol ipsec --proto esp --next')[0], /--next also needs --strict/);
  assert.match(errs('-A INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1')[0], /needs --mode tunnel/);
  assert.deepEqual(errs('-A INPUT -m time --contiguous --timestart 22:00 --timestop 06:00'), []);
  assert.match(errs('-A INPUT -m time --contiguous --timestart 06:00 --timestop 22:00')[0], /span over midnight/);
  assert.deepEqual(errs('-A INPUT -m time --contiguous --timestart 12:00 --timestop 12:00'), [], 'a stop time equal to the start time is taken');
  assert.match(errors('ip6tables -A INPUT -m rt --rt-0-res --rt-type 0\n', { format: 'script' })[0].message, /--rt-0-res needs --rt-type 0 before it/);
  assert.equal(errs('-t raw -A PREROUTING -j CT --ctevents NEW').length, 1);
});

test('refusals of one backend only: a warning that names the iptables that refuses', () => {
  const by = (text: string, opts = {}) => diagnose(text, opts).filter((d) => (d.data as { refusedBy?: string } | undefined)?.refusedBy).map((d) => `${d.severity} ${(d.data as { refusedBy: string }).refusedBy} ${d.code}@${d.range.start.line}`);
  // iptables-legacy alone: TRACE outside raw, TCPMSS without a SYN match, hooks its modules check themselves reached through a jump.
  assert.deepEqual(by(filter('-A INPUT -j TRACE')), ['warning iptables-legacy target-not-allowed@4']);
  assert.deepEqual(by(table('mangle', '-A FORWARD -p tcp -j TCPMSS --clamp-mss-to-pmtu')), ['warning iptables-legacy target-not-allowed@1']);
  assert.deepEqual(by(filter(':X - [0:0]', '-A X -m policy --dir in --pol none', '-A OUTPUT -j X')), ['warning iptables-legacy target-not-allowed@5']);
  // ... and restore-file leniencies of iptables-nft.
  assert.deepEqual(by('*filter\n:X ACCEPT [0:0]\nCOMMIT\n'), ['warning iptables-legacy invalid-policy@1']);
  assert.deepEqual(by('*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n'), ['warning iptables-legacy duplicate-chain@2']);
  assert.deepEqual(by('*filter\nCOMMIT'), ['warning iptables-legacy commit-format@1']);
  // iptables-nft alone: QUEUE, a chain renamed inside a restore file.
  assert.deepEqual(by(filter('-A INPUT -j QUEUE')), ['warning iptables-nft target-not-allowed@4']);
  assert.deepEqual(by(filter(':X - [0:0]', '-E X Y')), ['warning iptables-nft syntax@5']);
  // Both refuse a hook a module declares, even through a jump: an error.
  const nat = diagnose(table('nat', ':X - [0:0]', '-A X -o eth0 -j MASQUERADE', '-A PREROUTING -j X'));
  assert.ok(nat.some((d) => d.code === 'target-not-allowed' && d.severity === 'error'));
});

test('values of smaller modules: DCCP types, TCP options to strip, conntrack zones, IPv6 headers, mobility header types', () => {
  const errs = (cmd: string) => errors(`${cmd}\n`, { format: 'script' }).length;
  assert.equal(errs('iptables -A INPUT -p dccp -m dccp --dccp-types request,DATA'), 0);
  assert.equal(errs('iptables -A INPUT -p dccp -m dccp --dccp-types 5'), 1);
  assert.equal(errs('iptables -t mangle -A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options sack-permitted,8'), 0);
  assert.equal(errs('iptables -t mangle -A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options WSCALE'), 1);
  assert.equal(errs('iptables -t raw -A PREROUTING -j CT --zone mark'), 0);
  assert.equal(errs('iptables -t raw -A PREROUTING -j CT --zone 65536'), 1);
  assert.equal(errs('ip6tables -A INPUT -m ipv6header --header hop,ipv6-frag,IPv6-Route,60'), 0);
  assert.equal(errs('ip6tables -A INPUT -m ipv6header --header tcp'), 1);
  assert.equal(errs('ip6tables -A INPUT -p mh -m mh --mh-type BRR'), 0);
  assert.equal(errs('ip6tables -A INPUT -p mh -m mh --mh-type x'), 1);
});

test('ports as each match reads them: a multiport range needs both ends, sctp names are SCTP services, ! -p udp -m udp is refused by iptables-legacy alone', () => {
  const open = expectOne(filter('-A INPUT -p tcp -m multiport --dports 22,8000: -j ACCEPT'), 'invalid-value', 4, '22,8000:');
  assert.match(open.message, /multiport needs both ends of a range: '8000:' is refused \("invalid port\/service"\)\. Write 8000:65535\./);
  expectNone(filter('-A INPUT -p tcp --dport 8000: -j ACCEPT'), 'invalid-value');
  assert.match(expectOne(filter('-A INPUT -p sctp -m sctp --dport http -j ACCEPT'), 'invalid-value', 4, 'http').message, /looks 'http' up as an SCTP service.*Write the number, 80\./);
  expectNone(filter('-A INPUT -p sctp -m sctp --dport 80 -j ACCEPT'), 'invalid-value');
  expectNone(filter('-A INPUT -p tcp -m tcp --dport http -j ACCEPT'), 'invalid-value');
  const negated = expectOne(filter('-A INPUT ! -p udp -m udp --sport 53 -j ACCEPT'), 'protocol-required', 4, 'udp', {}, 1);
  assert.equal(negated.severity, 'warning');
  assert.match(negated.message, /iptables-legacy refuses it; iptables-nft, the default on most current distributions, takes it\./);
  // iptables-nft leaves a TCP option test, and a match that tests nothing, to the kernel's module: refused by both.
  for (const rule of ['! -p tcp -m tcp --dport 22 --tcp-option 2', '! -p udp -m udp', '! -p tcp --dport 0:65535', '! -p tcp --tcp-flags NONE NONE']) {
    const both = diagnose(filter(`-A INPUT ${rule} -j ACCEPT`)).find((d) => d.code === 'protocol-required')!;
    assert.equal(both.severity, 'error', rule);
    assert.match(both.message, /Both iptables-legacy and iptables-nft refuse it: iptables-nft leaves/, rule);
  }
  for (const rule of ['! -p tcp ! --dport 0:65535', '! -p udp --dport 1:65535', '! -p tcp --tcp-flags SYN NONE']) {
    assert.equal(diagnose(filter(`-A INPUT ${rule} -j ACCEPT`)).find((d) => d.code === 'protocol-required')?.severity, 'warning', rule);
  }
  // Another protocol's match stays an error for both.
  assert.equal(errors(filter('-A INPUT ! -p tcp -m udp --sport 53 -j ACCEPT')).filter((d) => d.code === 'protocol-required').length, 1);
});

test('! -p tcp --dport 22 loads the tcp match all the same: one warning (iptables-legacy refuses the rule), its values and the rest of the rule are still checked, and the analysis reads it as iptables-nft does', () => {
  const one = expectOne(filter('-A INPUT ! -p tcp --syn --dport 22 -j ACCEPT'), 'protocol-required', 4, '--syn');
  assert.equal(one.severity, 'warning');
  assert.match(one.message, /--syn looks at TCP headers, which the packets of '! -p tcp' do not have\. iptables-legacy refuses it/);
  // iptables-nft reads the values as iptables does for -p tcp, and refuses what it refuses there.
  expectOne(filter('-A INPUT ! -p tcp --dport 600:29 -j ACCEPT'), 'invalid-value', 4, '600:29');
  expectOne(filter('-A INPUT ! -p tcp --tcp-flags SYN -j ACCEPT'), 'missing-argument', 4, '--tcp-flags');
  expectOne(table('mangle', ':FORWARD ACCEPT [0:0]', '-A FORWARD ! -p udp --dport 22 -j MARK'), 'missing-argument', 2, 'MARK');
  expectOne(filter('-A INPUT ! -p udp --dport 22 -j DSCP --set-dscp 10'), 'target-not-allowed', 4, 'DSCP');
  // An option of another protocol's match is still unknown to iptables.
  const other = expectOne(filter('-A INPUT ! -p tcp --icmp-type 3 -j ACCEPT'), 'protocol-required', 4, '--icmp-type');
  assert.equal(other.severity, 'error');
  assert.match(other.message, /the protocol given \(! -p tcp\) has no --icmp-type/);
  // A misspelt option is held to the options of the match the negated protocol loads.
  assert.match(expectOne(filter('-A INPUT ! -p tcp --dprt 22 -j ACCEPT'), 'unknown-option', 4, '--dprt').message, /Did you mean '--dport'/);
  // iptables-nft reads the port where a TCP header would have it, in whatever header the packet has: a UDP packet
  // to port 22 meets the DROP (held to the kernel: its counters), whether the match is loaded by -p or by -m tcp.
  for (const first of ['! -p tcp --dport 22 -j DROP', '! -p tcp -m tcp --dport 22 -j DROP']) {
    const text = filter(`-A INPUT ${first}`, '-A INPUT -p udp --dport 22 -j ACCEPT', '-A INPUT -p udp --dport 23 -j ACCEPT');
    assert.deepEqual(diagnose(text).filter((d) => d.code === 'reject-before-accept').map((d) => d.range.start.line), [5], first);
  }
});

test('values as iptables reads them: SNAT/DNAT take four-number IPv4 addresses, TEE no unspecified gateway, --monthdays two characters a day', () => {
  const nat = (to: string) => table('nat', ':PREROUTING ACCEPT [0:0]', `-A PREROUTING -p tcp -j DNAT --to-destination ${to}`);
  assert.match(expectOne(nat('10.1:80'), 'invalid-value', 2, '10.1:80').message, /'10\.1' is not written as a full IPv4 address/);
  expectNone(nat('10.0.0.1-10.0.0.9:80'), 'invalid-value');
  expectNone(filter('-A INPUT -m iprange --src-range 10.1-10.2 -j ACCEPT'), 'invalid-value');
  assert.match(expectOne(table('mangle', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j TEE --gateway 0.0.0.0'), 'invalid-value', 2, '0.0.0.0').message, /unspecified address/);
  expectOne(filter('-A INPUT -m time --monthdays 1,1:2 -j ACCEPT'), 'invalid-value', 4, '1,1:2');
  const long = diagnose(filter('-A INPUT -m time --monthdays 123 -j ACCEPT')).find((d) => d.code === 'invalid-value')!;
  assert.equal(long.severity, 'warning');
  assert.match(long.message, /reads only its first two characters \(12\)/);
});

test('rule numbers as strtoul reads them, tcp-rst, recent --seconds, and -m limit rates the kernel cannot count', () => {
  const script = (line: string) => `#!/bin/sh\niptables -A INPUT -j ACCEPT\n${line}\n`;
  assert.deepEqual(errors(script('iptables -I INPUT 0x1 -j DROP'), { fileName: 'fw.sh' }), []);
  assert.deepEqual(errors(script('iptables -I INPUT +1 -j DROP'), { fileName: 'fw.sh' }), []);
  assert.match(errors(script('iptables -I INPUT 1.0 -j DROP'), { fileName: 'fw.sh' })[0].message, /'1\.0' is not a rule number/);
  assert.deepEqual(errors(filter('-A INPUT -p tcp -j REJECT --reject-with tcp-rst')), []);
  expectOne(filter('-A INPUT -j REJECT --reject-with tcp-rst'), 'protocol-required', 4, 'tcp-rst');
  expectOne(filter('-A INPUT -m recent --rcheck --seconds 0 -j DROP'), 'invalid-value', 4, '0');
  const slow = expectOne(filter('-A INPUT -m limit --limit 1/day -j LOG'), 'invalid-value', 4, '1/day');
  assert.equal(slow.severity, 'warning');
  assert.match(slow.message, /lower the burst to 1 \(--limit-burst 1\) or raise the rate\. iptables-legacy refuses it; iptables-nft/);
  expectNone(filter('-A INPUT -m limit --limit 2/day -j LOG'), 'invalid-value');
  assert.match(expectOne(filter('-A INPUT -m limit --limit 20000/s -j ACCEPT'), 'invalid-value', 4, '20000/s').message, /Rate too fast/);
  const zero = expectOne(filter('-A INPUT -m limit --limit 1/s --limit-burst 0 -j ACCEPT'), 'invalid-value', 4, '0');
  assert.equal(zero.severity, 'warning');
  assert.match(zero.message, /burst of 0 .*iptables-legacy refuses it; iptables-nft/);
});

test('more values held to the kernel: reversed NAT ports, empty log prefixes, odd hexadecimal, impossible dates, addrtype interfaces in the wrong chain', () => {
  expectOne(table('nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:90-80'), 'invalid-value', 2, '10.0.0.1:90-80');
  expectOne(filter('-A INPUT -j LOG --log-prefix ""'), 'invalid-value', 4, '""');
  expectOne(filter('-A INPUT -m string --hex-string "|0|" --algo bm -j DROP'), 'invalid-value', 4, '"|0|"');
  expectNone(filter('-A INPUT -m string --hex-string "|0d 0a|x" --algo bm -j DROP'), 'invalid-value');
  expectOne(filter('-A INPUT -m time --datestart 2024-13-01 -j ACCEPT'), 'invalid-value', 4, '2024-13-01');
  expectNone(filter('-A INPUT -m time --datestart 2024-12-31T23:59:59 -j ACCEPT'), 'invalid-value');
  assert.equal(errors(filter('-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT')).length, 1);
  assert.deepEqual(errors(filter('-A INPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT')), []);
});

test('! -p all (or 0) excludes every packet: iptables refuses the rule', () => {
  expectOne(filter('-A INPUT ! -p all -j ACCEPT'), 'invalid-value', 4, 'all');
  expectOne(filter('-A INPUT ! -p 0 -j ACCEPT'), 'invalid-value', 4, '0');
  expectNone(filter('-A INPUT -p all -j ACCEPT'), 'invalid-value');
});

test('-m limit with a burst far past its range is one finding, found at once', () => {
  const t0 = Date.now();
  const found = errors(filter('-A INPUT -m limit --limit 1/day --limit-burst 4294967295 -j ACCEPT'));
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(found.length, 1, JSON.stringify(found));
});

test('more values held to the kernel: u32 expressions, owners, classes, counters, statistic, connbytes, listing options', () => {
  const msg = (rule: string, code = 'invalid-value') => diagnose(filter(rule)).find((d) => d.code === code)?.message;
  assert.equal(msg('-A INPUT -m u32 --u32 "0>>22&0x3C@ 12>>26&0x3C@ 0=0x474554" -j DROP'), undefined);
  assert.match(msg('-A INPUT -m u32 --u32 "0>>32=1" -j DROP')!, /at character 3: a shift by 32, which the kernel refuses/);
  assert.match(msg('-A INPUT -m u32 --u32 "0=1&&" -j DROP')!, /at character 5: a number .* is missing/);
  assert.match(msg('-A INPUT -m u32 --u32 "09=1" -j DROP')!, /at character 1: an operator/);
  assert.match(msg(`-A INPUT -m u32 --u32 "0=${Array.from({ length: 11 }, (_, i) => i).join(',')}" -j DROP`)!, /more than 10 values/);
  assert.match(msg('-A OUTPUT -m owner --uid-owner 5-1 -j DROP')!, /starts above its end/);
  assert.match(msg('-A OUTPUT -m owner --uid-owner 4294967295 -j DROP')!, /from 0 to 4294967294/);
  assert.equal(msg('-A OUTPUT -m owner --uid-owner 010-0x10 -j DROP'), undefined);
  assert.match(msg('-A INPUT -m statistic --mode nth --every 3 --packet 3 -j DROP')!, /--packet 3 is not below --every 3/);
  assert.match(msg('-A INPUT -m connbytes --connbytes 10:5 --connbytes-dir original --connbytes-mode bytes -j DROP')!, /Write 5:10/);
  const d = diagnose(table('mangle', '-A POSTROUTING -j CLASSIFY --set-class 10000:1')).find((x) => x.code === 'invalid-value')!;
  assert.deepEqual([d.severity, d.message], ['warning', "iptables reads '10000:1' as the class 0000:0001 (the kernel keeps 16 bits of each number). Write 0000:0001."]);
  assert.match(diagnose(filter('-A INPUT -c 0x10 1 -j DROP')).find((x) => x.code === 'invalid-value')!.message, /as a packet count of 0/);
  assert.match(diagnose('iptables -A INPUT -n -j DROP\n', { fileName: 'fw.sh' }).find((x) => x.code === 'syntax')!.message, /refuses -n with -A \("Illegal option"\)/);
  assert.match(msg('-A INPUT ! -s 10.0.0.1,10.0.0.2 -j DROP')!, /cannot negate a list of addresses/);
  expectOne(filter('-A INPUT -p icmp -m icmp -j DROP'), 'missing-argument', 4, 'icmp', {}, 1);
  expectNone(filter('-A INPUT -p 01 --icmp-type 8 -j DROP'), 'protocol-required');
});

test('-m hashlimit: a slow rate whose credits wrap round with its burst, and a byte burst below its byte rate, are refused', () => {
  const msg = (rule: string) => diagnose(filter(rule)).find((d) => d.code === 'invalid-value')?.message;
  assert.match(msg('-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-name x -j DROP')!, /1\/day with a burst of 5 overflows .* lower the burst to 3 \(--hashlimit-burst 3\)/);
  assert.equal(msg('-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name x -j DROP'), undefined);
  // Not every larger burst wraps round: 10000 at 2/day fits again.
  assert.equal(msg('-A INPUT -m hashlimit --hashlimit-upto 2/day --hashlimit-burst 10000 --hashlimit-name x -j DROP'), undefined);
  assert.match(msg('-A INPUT -m hashlimit --hashlimit-upto 2/day --hashlimit-burst 100 --hashlimit-name x -j DROP')!, /overflows/);
  assert.match(msg('-A INPUT -m hashlimit --hashlimit-upto 8kb/s --hashlimit-burst 4kb --hashlimit-name x -j DROP')!, /at least the rate's 8192/);
  assert.equal(msg('-A INPUT -m hashlimit --hashlimit-upto 8kb/s --hashlimit-burst 8kb --hashlimit-name x -j DROP'), undefined);
  assert.match(msg('-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-burst 1000001 --hashlimit-name x -j DROP')!, /from 1 to 1000000/);
});

test('a hook iptables-legacy never checks: past a rule that decides every packet, in the rule\'s chain or on the way to it, only iptables-nft refuses the target or option', () => {
  const by = (text: string) => diagnose(text).filter((d) => d.code === 'target-not-allowed').map((d) => [d.severity, (d.data as { refusedBy?: string }).refusedBy, d.range.start.line]);
  assert.deepEqual(by(filter('-A INPUT -j RETURN', '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu')), [['warning', 'iptables-nft', 5]]);
  // A condition on the rule before: the walk goes on, and both refuse.
  assert.deepEqual(by(filter('-A INPUT -p tcp -j RETURN', '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu')), [['error', undefined, 5]]);
  // On the way: the jump into the chain is past an ACCEPT, or the chain returns before the rule.
  assert.deepEqual(by(table('nat', ':X - [0:0]', '-A INPUT -j ACCEPT', '-A INPUT -j X', '-A X -j REDIRECT')), [['warning', 'iptables-nft', 4]]);
  assert.deepEqual(by(table('nat', ':X - [0:0]', '-A INPUT -j X', '-A X -j RETURN', '-A X -j REDIRECT')), [['warning', 'iptables-nft', 4]]);
  assert.deepEqual(by(table('nat', ':X - [0:0]', '-A INPUT -j X', '-A X -j REDIRECT')), [['error', undefined, 3]]);
  // An option that iptables-nft checks in the rule's own chain only: through a jump past such a rule, neither refuses.
  assert.deepEqual(by(filter(':X - [0:0]', '-A X -j RETURN', '-A X -m policy --dir out --pol none', '-A INPUT -j X')), []);
  assert.deepEqual(by(filter(':X - [0:0]', '-A X -m policy --dir out --pol none', '-A INPUT -j X')), [['warning', 'iptables-legacy', 5]]);
});

test('target-not-allowed in a script: the rule or the jump that comes second is refused, as the chains stand when each command runs', () => {
  const sh = (...lines: string[]) => lint(['#!/bin/sh', ...lines.map((l) => `iptables -t nat ${l}`), ''].join('\n'), { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'target-not-allowed');
  // The rule first: taken (nothing leads to X yet); the jump from PREROUTING is refused, the rule named as related.
  const [jump] = sh('-N X', '-A X -j MASQUERADE', '-A PREROUTING -j X', '-A POSTROUTING -j X');
  assert.deepEqual([jump.severity, jump.range.start.line, jump.range.start.character], ['error', 3, 33]);
  assert.match(jump.message, /^Jumping to X here makes its rule on line 3 reachable where the kernel does not allow it: The MASQUERADE target is only allowed in POSTROUTING, not in PREROUTING \(reached as PREROUTING -> X\)\./);
  assert.deepEqual(jump.related?.map((r) => r.range.start.line), [2]);
  // The jump first: the rule is refused.
  assert.deepEqual(sh('-N X', '-A PREROUTING -j X', '-A X -j MASQUERADE').map((d) => [d.range.start.line, d.message.startsWith('The MASQUERADE target')]), [[3, true]]);
  // A refused jump leads nowhere: the same rule added again afterwards is taken.
  assert.deepEqual(sh('-N X', '-A X -j MASQUERADE', '-A PREROUTING -j X', '-A X -j MASQUERADE').map((d) => d.range.start.line), [3]);
  // Past a rule the script adds and later deletes, what the chains held is not known: no finding.
  assert.deepEqual(sh('-N X', '-A PREROUTING -j X', '-D PREROUTING 1', '-A X -j MASQUERADE', '-A OUTPUT -j X'), []);
  // A built-in chain's own rules are judged all the same; iptables-legacy's walk may have stopped at the removed rule.
  assert.deepEqual(sh('-N X', '-A X -j ACCEPT', '-D X 1', '-A INPUT -j MASQUERADE').map((d) => [d.severity, d.range.start.line]), [['error', 4]]);
  const hidden = sh('-F PREROUTING', '-A PREROUTING -j ACCEPT', '-A PREROUTING -j MASQUERADE', '-D PREROUTING 1');
  assert.deepEqual(hidden.map((d) => [d.range.start.line, (d.data as { refusedBy?: string }).refusedBy]), [[3, 'iptables-nft']]);
  // In the arm of a case (an init script's start): the rules of the arm run together; one after && may not run.
  const arm = (...lines: string[]) => lint(['#!/bin/sh', 'case "$1" in', 'start)', ...lines.map((l) => `  iptables -t nat ${l}`), '  ;;', 'esac', ''].join('\n'), { fileName: 'fw.sh' })
    .diagnostics.filter((d) => d.code === 'target-not-allowed').map((d) => d.range.start.line);
  assert.deepEqual(arm('-N X', '-A X -j MASQUERADE', '-A PREROUTING -j X'), [5]);
  assert.deepEqual(arm('-N X', '-A PREROUTING -j X', '-A X -j MASQUERADE'), [5]);
  const maybe = ['#!/bin/sh', 'iptables -t nat -N X', '[ -n "$NAT" ] && iptables -t nat -A X -j MASQUERADE', 'iptables -t nat -A PREROUTING -j X', ''].join('\n');
  assert.deepEqual(lint(maybe, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'target-not-allowed'), []);
  // A restore file, or a script's here-document, is checked as a whole table: the rule's finding.
  const text = ['#!/bin/sh', 'iptables-restore <<EOF', '*nat', ':X - [0:0]', '-A X -j MASQUERADE', '-A PREROUTING -j X', 'COMMIT', 'EOF', ''].join('\n');
  assert.deepEqual(lint(text, { fileName: 'fw.sh' }).diagnostics.filter((d) => d.code === 'target-not-allowed').map((d) => d.range.start.line), [4]);
});

test('service names: looked up as iptables looks them up, by the protocol the match (or multiport, by -p) asks for', () => {
  // The tcp match asks for TCP: ntp is listed for UDP only on Debian and Ubuntu.
  const ntp = expectOne(filter('-A INPUT -p tcp --dport ntp -j ACCEPT'), 'invalid-value', 4, 'ntp');
  assert.equal(ntp.severity, 'warning');
  assert.match(ntp.message, /lists 'ntp' for UDP only, and the tcp match looks it up for TCP: there iptables refuses the rule .*Write 123/);
  assert.equal(ntp.data?.replacement, '123');
  // The udp match asks for any protocol; multiport for the rule's protocol.
  expectNone(filter('-A INPUT -p udp --dport ntp -j ACCEPT', '-A INPUT -p udp --dport ssh -j ACCEPT', '-A INPUT -p tcp -m multiport --dports ssh,http:https -j ACCEPT'), 'invalid-value');
  const quic = expectOne(filter('-A INPUT -p udp -m multiport --dports http,https -j ACCEPT'), 'invalid-value', 4, 'http,https');
  assert.match(quic.message, /lists 'http' for TCP only, and multiport \(by the rule's -p\) looks it up for UDP/);
  assert.equal(quic.data?.replacement, '80,https');
  // Names no list has, and protocols no list names services for: errors.
  const dns = expectOne(filter('-A INPUT -p udp --dport dns -j ACCEPT'), 'invalid-value', 4, 'dns');
  assert.deepEqual([dns.severity, dns.data?.replacement], ['error', '53']);
  assert.match(dns.message, /no \/etc\/services lists 'dns' \(it calls port 53 'domain'\)/);
  assert.equal(expectOne(filter('-A INPUT -p udplite -m multiport --dports domain -j ACCEPT'), 'invalid-value', 4, 'domain').severity, 'error');
  assert.equal(expectOne(filter('-A INPUT -p sctp -m multiport --dports ssh -j ACCEPT'), 'invalid-value', 4, 'ssh').severity, 'error');
  // A name Debian and Ubuntu do not list at all, for any protocol.
  assert.match(expectOne(filter('-A INPUT -p udp --dport ssdp -j ACCEPT'), 'invalid-value', 4, 'ssdp').message, /does not list 'ssdp'/);
  // A protocol the rule leaves to a variable, or a negated one: not looked at.
  expectNone('iptables -A INPUT -p $P -m multiport --dports ntp,ssh -j ACCEPT\n', 'invalid-value');
  // Names are looked up as written: /etc/services writes them in lower case. The fix mends one item of a list.
  const upper = expectOne(filter('-A INPUT -p tcp -m multiport --dports 80,HTTPS,22 -j ACCEPT'), 'invalid-value', 4, '80,HTTPS,22');
  assert.deepEqual([upper.severity, upper.data?.replacement], ['error', '80,https,22']);
  assert.match(upper.message, /looked up as written, and \/etc\/services writes this one 'https'/);
  // Every name of Debian's list is known (postgres is PostgreSQL's alias there); a name it lacks is a warning, with
  // the nearest well-known name as a suggestion.
  expectNone(filter('-A INPUT -p tcp --dport postgres -j ACCEPT', '-A INPUT -p udp --dport openvpn -j ACCEPT'), 'invalid-value');
  const typo = expectOne(filter('-A INPUT -p tcp -m multiport --dports 22,htps -j ACCEPT'), 'invalid-value', 4, '22,htps');
  assert.match(typo.message, /'htps' is not in \/etc\/services on Debian and Ubuntu.*Did you mean 'https'\?/);
  assert.deepEqual(typo.data?.suggestions, ['22,https']);
  // The safe fix writes the number.
  const text = filter('-A INPUT -p tcp --dport ntp -j ACCEPT');
  const r = lint(text);
  const fix = quickFixes(r, r.diagnostics.find((d) => d.code === 'invalid-value')!)[0];
  assert.equal(applyEdits(text, fix.edits).split('\n')[4], '-A INPUT -p tcp --dport 123 -j ACCEPT');
});

test('-p mptcp: a warning that the backends load it differently, with -p tcp as a suggestion (not a safe fix)', () => {
  const d = expectOne(filter('-A INPUT -p mptcp -j ACCEPT'), 'invalid-value', 4, 'mptcp');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /iptables-legacy loads a rule that never matches, and iptables-nft keeps 6 of it/);
  assert.deepEqual([d.data?.replacement, d.data?.suggestions], [undefined, ['tcp']]);
});

test('a link-local IPv6 address with a zone: ip6tables loads it without the zone, which is said', () => {
  const text = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -s fe80::1%eth0 -j DROP', '-A INPUT -s fe80::1%2/64 -j DROP', 'COMMIT', ''].join('\n');
  const found = diagnose(text, { fileName: 'rules.v6' }).filter((d) => d.code === 'invalid-value');
  assert.deepEqual(found.map((d) => [d.range.start.line, d.severity]), [[2, 'warning'], [3, 'warning']]);
  assert.match(found[0].message, /leaves the zone %eth0 out of the rule and refuses the rule if no interface eth0 exists when the rules load: it matches fe80::1 on every interface/);
  assert.doesNotMatch(found[1].message, /refuses/);
});

test('connection labels: a number is a bit from 0 to 127 kept in 16 bits, a name needs connlabel.conf where the rules load', () => {
  const find = (label: string) => diagnose(filter(`-A INPUT -m connlabel --label ${label} -j ACCEPT`)).find((d) => d.code === 'invalid-value');
  assert.equal(find('127'), undefined);
  assert.equal(find('0x10'), undefined);
  assert.match(find('128')!.message, /Label 128: the kernel holds labels 0 to 127 and refuses it/);
  assert.match(find('65664')!.message, /Label 65664 \(kept as 128: iptables keeps 16 bits of it\)/);
  const wrapped = find('65537')!;
  assert.equal(wrapped.severity, 'warning');
  assert.match(wrapped.message, /kept in 16 bits, as label 1: write 1/);
  const name = find('web')!;
  assert.equal(name.severity, 'warning');
  assert.match(name.message, /'web' is a label name: iptables looks it up in \/etc\/xtables\/connlabel\.conf/);
  // A number too large for an int is taken for a name, as iptables takes it.
  assert.equal(find('4294967295')!.severity, 'warning');
  assert.match(diagnose("iptables -A INPUT -m connlabel --label '' -j ACCEPT\n", { format: 'script' }).find((d) => d.code === 'invalid-value')!.message, /An empty label/);
});

test('SCTP chunk types: names and the match in any case, flags each chunk type takes, ALL and NONE alone', () => {
  const find = (args: string) => diagnose(filter(`-A INPUT -p sctp -m sctp --chunk-types ${args} -j ACCEPT`)).find((d) => d.code === 'invalid-value')?.message;
  assert.equal(find('ANY init,Data:iB'), undefined);
  assert.equal(find('only NONE'), undefined);
  assert.match(find('any DATA:T')!, /'DATA:T': DATA takes the flags I, U, B, E .* refuses 'T' \("Invalid flags for chunk type"\)/);
  assert.match(find('any SACK:T')!, /SACK takes no flags/);
  assert.match(find('any ALL,DATA')!, /'ALL' names no SCTP chunk type .* ALL stands alone/);
  const typo = diagnose(filter('-A INPUT -p sctp -m sctp --chunk-types any INIT,HEARTBEET:x -j ACCEPT')).find((d) => d.code === 'invalid-value')!;
  assert.match(typo.message, /"Unknown sctp chunk"\)\. Did you mean 'HEARTBEAT'\?/);
  assert.deepEqual(typo.data?.suggestions, ['INIT,HEARTBEAT:x']);
  assert.match(find('some DATA')!, /'some' is not a valid chunk match/);
});

test('SNPT and DNPT prefixes: at most 64 bits, written as the network address (the kernel refuses host bits here)', () => {
  const find = (from: string) => lint(`ip6tables -t mangle -A POSTROUTING -j SNPT --src-pfx ${from} --dst-pfx 2001:db8:1::/64\n`, { format: 'script' }).diagnostics.find((d) => d.code === 'invalid-value');
  assert.equal(find('2001:db8::/48'), undefined);
  assert.match(find('2001:db8::/65')!.message, /at most 64 bits/);
  assert.match(find('2001:db8::1')!.message, /no length: all 128 bits/);
  const hostBits = find('2001:db8::1/64')!;
  assert.equal(hostBits.severity, 'error');
  assert.match(hostBits.message, /has bits set past its \/64: the kernel takes only the network address here .* The network is 2001:db8::\/64/);
  assert.deepEqual(hostBits.data?.suggestions, ['2001:db8::/64']);
});

test('found by loading options with random values: ranges, limits, orders and pairs iptables or the kernel refuse', () => {
  const first = (rule: string, t = 'filter') => diagnose(`iptables -t ${t} ${rule}\n`, { format: 'script' }).find((d) => d.severity === 'error')?.message;
  assert.equal(first('-A INPUT -m cpu --cpu 65536 -j ACCEPT'), undefined);
  assert.match(first('-A INPUT -p tcp -m tcpmss --mss 2:1 -j ACCEPT')!, /starts above its end: iptables refuses it \("invalid range given"\)/);
  assert.match(first('-A FORWARD -m hashlimit --hashlimit-upto 1/s --hashlimit-above 2/s --hashlimit-name x -j ACCEPT')!, /cannot be used together with --hashlimit-upto/);
  assert.match(first('-A PREROUTING -j CONNMARK --restore-mark --nfmask 0x1/0xff', 'mangle')!, /not a 32-bit number \(no mask\)/);
  assert.match(first('-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65516')!, /not an MSS from 0 to 65515/);
  assert.match(first('-A OUTPUT -m owner --suppl-groups --gid-owner 1000 -j ACCEPT')!, /--suppl-groups needs --gid-owner before it/);
  assert.equal(first('-A OUTPUT -m owner --gid-owner 1000 --suppl-groups -j ACCEPT'), undefined);
  assert.match(first('-A FORWARD -m cluster --cluster-total-nodes 2 --cluster-local-nodemask 4 --cluster-hash-seed 1 -j ACCEPT')!, /names a node past the 2 of --cluster-total-nodes \(at most 3\)/);
  assert.match(first('-A POSTROUTING -p tcp -j TCPOPTSTRIP --strip-options mss,1', 'mangle')!, /"Option value may not be 0 or 1"/);
  assert.match(first('-A OUTPUT -m physdev --physdev-out eth0 -j ACCEPT')!, /--physdev-out in OUTPUT: .* known only with --physdev-is-bridged/);
  assert.equal(first('-A OUTPUT -m physdev --physdev-is-bridged --physdev-out eth0 -j ACCEPT'), undefined);
  assert.match(first('-A FORWARD -m recent --set --name a/b -j ACCEPT')!, /cannot be a file name \(in \/proc\/net\/xt_recent\)/);
  assert.match(first('-A FORWARD -m statistic --mode random --probability 0.5 --packet 1 -j ACCEPT')!, /cannot be used together/);
  assert.equal(first('-A FORWARD -m policy --pol none --tunnel-src 10.0.0.1 --dir in -j ACCEPT'), undefined);
  assert.match(diagnose('ip6tables -A INPUT -m ipv6header --header all -j ACCEPT\n', { format: 'script' }).find((d) => d.severity === 'error')!.message, /'all' is not an IPv6 extension header/);
  const mss = diagnose('iptables -A INPUT -p tcp -j SYNPROXY --mss 65536\n', { format: 'script' }).find((d) => d.code === 'invalid-value')!;
  assert.equal(mss.severity, 'warning');
  assert.match(mss.message, /The MSS is 16 bits \(0-65535\): iptables takes 65536 and loads 0\./);
  // Weekdays as numbers the way strtoul reads them; 0 is refused, past 7 the day set depends on the machine.
  assert.equal(first('-A INPUT -m time --weekdays 0x1,+2,03 -j ACCEPT'), undefined);
  assert.match(first('-A INPUT -m time --weekdays 0 -j ACCEPT')!, /the week begins with Monday \(1\), and iptables refuses 0/);
  assert.equal(diagnose('iptables -A INPUT -m time --weekdays -1 -j ACCEPT\n', { format: 'script' }).find((d) => d.code === 'invalid-value')?.severity, 'warning');
  // RATEEST's times: spelt as iptables reads them, an interval of at most 8 s, an averaging time the interval allows.
  assert.equal(first('-A FORWARD -j RATEEST --rateest-name r --rateest-interval 250ms --rateest-ewmalog 0.5s'), undefined);
  assert.match(first('-A FORWARD -j RATEEST --rateest-name r --rateest-interval 1/2 --rateest-ewmalog 1s')!, /not a time RATEEST reads/);
  assert.match(first('-A FORWARD -j RATEEST --rateest-name r --rateest-interval 9s --rateest-ewmalog 64s')!, /at most every 8 seconds/);
  assert.match(first('-A FORWARD -j RATEEST --rateest-name r --rateest-interval 1s --rateest-ewmalog 0.1s')!, /"ewmalog value is out of range"/);
  assert.equal(diagnose('iptables -A FORWARD -j RATEEST --rateest-name r --rateest-interval 1 --rateest-ewmalog 1s\n', { format: 'script' }).find((d) => d.code === 'invalid-value')?.severity, 'warning');
  const wscale = diagnose('iptables -A INPUT -p tcp -j SYNPROXY --wscale 1000\n', { format: 'script' }).find((d) => d.code === 'invalid-value')!;
  assert.equal(wscale.severity, 'warning');
  assert.match(wscale.message, /iptables takes 1000 and loads 232, above the 14 TCP allows/);
});
