/**
 * ipv6-unfiltered for rules files: rules.v4 denies by default, and rules.v6 beside it does not (it denies nothing, or
 * only some packets), or is missing where a service loads both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lint } from '../../server/src/engine/lint';
import { quickFixes } from '../../server/src/engine/fixes';
import { ipv6SiblingPath } from '../../server/src/engine/sibling';

const V4 = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
const OPEN_V6 = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';

/** The ipv6-unfiltered findings of `text` as `fileName`, with the files beside it as given (null: there is none). */
function found(text: string, fileName: string, beside: Record<string, string | null | undefined>) {
  const asked: string[] = [];
  const r = lint(text, { fileName, readBeside: (p) => (asked.push(p), beside[p]) });
  return { r, asked, found: r.diagnostics.filter((d) => d.code === 'ipv6-unfiltered') };
}

test('the IPv6 file beside an IPv4 one, by name', () => {
  assert.equal(ipv6SiblingPath('/etc/iptables/rules.v4'), '/etc/iptables/rules.v6');
  assert.equal(ipv6SiblingPath('/etc/sysconfig/iptables'), '/etc/sysconfig/ip6tables');
  assert.equal(ipv6SiblingPath('/srv/fw/iptables.rules'), '/srv/fw/ip6tables.rules');
  assert.equal(ipv6SiblingPath('/srv/fw/host1-iptables-save'), '/srv/fw/host1-ip6tables-save');
  assert.equal(ipv6SiblingPath('/srv/fw/firewall.rules'), undefined);
});

test('rules.v4 that denies by default, beside a rules.v6 that denies nothing: said on the deny, naming the file', () => {
  const { found: f, r, asked } = found(V4, '/srv/fw/rules.v4', { '/srv/fw/rules.v6': OPEN_V6 });
  assert.deepEqual(asked, ['/srv/fw/rules.v6']);
  assert.equal(f.length, 1);
  assert.equal(f[0].range.start.line, 1);
  assert.match(f[0].message, /^INPUT denies by default here \(the DROP policy\), for IPv4 only: rules\.v6 beside this file denies nothing/);
  // The edit belongs in the other file: no quick fix writes ip6tables rules into this one.
  assert.deepEqual(quickFixes(r, f[0]).filter((x) => !/disable|silence/i.test(x.title)), []);
  // An empty rules.v6 (no filter table at all) leaves the kernel's: ACCEPT everything.
  assert.equal(found(V4, '/srv/fw/rules.v4', { '/srv/fw/rules.v6': '' }).found.length, 1);
});

test('rules.v6 that denies some packets but lets in the rest: said too, as a missing default deny', () => {
  const open = (v6: string) => found(V4, '/srv/fw/rules.v4', { '/srv/fw/rules.v6': v6 }).found;
  // One port closed, everything else accepted by the ACCEPT policy: every service rules.v4 keeps closed but that one is open.
  for (const v6 of ['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 3306 -j REJECT\nCOMMIT\n', '*filter\n:INPUT ACCEPT [0:0]\n:blocked - [0:0]\n-A INPUT -j blocked\n-A blocked -s 2001:db8::/32 -j DROP\nCOMMIT\n']) {
    const f = open(v6);
    assert.equal(f.length, 1, v6);
    assert.match(f[0].message, /rules\.v6 beside this file has no default deny: its INPUT lets in every packet that no rule of it drops or rejects/);
  }
  // A catch-all deny at the end of INPUT, its own or that of a chain it jumps to, is a default deny.
  assert.equal(open('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j REJECT\nCOMMIT\n').length, 0);
  assert.equal(open('*filter\n:INPUT ACCEPT [0:0]\n:LOGDROP - [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j LOGDROP\n-A LOGDROP -j LOG\n-A LOGDROP -j DROP\nCOMMIT\n').length, 0);
  // A rate-limited DROP takes only some of the packets: not a default deny.
  assert.equal(open('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m limit --limit 5/min -j DROP\nCOMMIT\n').length, 1);
  // The same file read again (a keystroke in rules.v4) gives the same answer.
  assert.equal(open('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 3306 -j REJECT\nCOMMIT\n').length, 1);
});

test('nothing said where rules.v6 denies by default, where there is none outside a boot location, or where it cannot be read', () => {
  const beside = (v6: string | null | undefined, name = '/srv/fw/rules.v4') => found(V4, name, { [ipv6SiblingPath(name)!]: v6 }).found.length;
  assert.equal(beside('*filter\n:INPUT DROP [0:0]\nCOMMIT\n'), 0);
  assert.equal(beside('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n'), 0);
  assert.equal(beside(null), 0);
  assert.equal(beside(undefined, '/etc/iptables/rules.v4'), 0);
  // A rules.v4 that does not deny by default has nothing to keep closed.
  assert.equal(found(V4.replace('INPUT DROP', 'INPUT ACCEPT'), '/srv/fw/rules.v4', { '/srv/fw/rules.v6': OPEN_V6 }).found.length, 0);
  // Without a reader (or a file name) nothing is looked for.
  assert.equal(lint(V4, { fileName: '/srv/fw/rules.v4' }).diagnostics.filter((d) => d.code === 'ipv6-unfiltered').length, 0);
});

test('where a service loads both files at boot, a missing rules.v6 means no IPv6 rules at all', () => {
  for (const [v4, v6] of [['/etc/iptables/rules.v4', '/etc/iptables/rules.v6'], ['/etc/sysconfig/iptables', '/etc/sysconfig/ip6tables']]) {
    const f = found(V4, v4, { [v6]: null }).found;
    assert.equal(f.length, 1, v4);
    assert.match(f[0].message, new RegExp(`there is no ${v6.replace(/\./g, '\\.')}, so the service that loads this file at boot sets up no IPv6 rules`));
  }
});
