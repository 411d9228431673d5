/**
 * Values against the kernel: every choice the knowledge base lists for an option, as written, in capitals, in
 * lower case, capitalised, and cut short, every number in five forms, and ports in the shapes people write them, each in a rule of its own loaded by
 * iptables-legacy (or ip6tables-legacy) in a throw-away namespace; the linter must refuse exactly what the kernel
 * refuses. iptables compares some names in any case, some as written, and takes the beginning of some (`est` for
 * ESTABLISHED); it reads numbers as C's strtoul does (0x10 is 16, 010 is 8). Modules this kernel lacks are named and
 * left out. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MATCHES, ModuleSpec, OptionSpec, TARGETS } from '../../server/src/engine/kb';
import { requirement } from '../helpers/env';
import { lint } from '../../server/src/engine/lint';
import { BACKEND, refusals } from '../helpers/lint';
import { kernelUnavailable } from './oracle';
import { Case, disagreements, kernelVerdicts, lintErrors, show } from './verdicts';
import { mulberry } from '../../server/src/engine/trace/confirm';
import { spawnSync } from 'node:child_process';
import { formatAddress, parseNet } from '../../server/src/engine/kb/addresses';

const why = kernelUnavailable();
const skip = requirement(!why, `named values cannot be checked against the kernel: ${why}`);

/** Numbers as strtoul reads them: hexadecimal, octal (010 is 8; 09 is no number), a sign, a plain one. */
const NUMBERS = ['0x10', '010', '09', '+5', '16'];
const NUMERIC = /^(int|intrange|port|port-range|strict-port-range|port-list)(:|$)/;
/** Ports and ranges as people write them: open at either end, reversed, listed. */
const PORT_SHAPES = ['8000:', ':1024', '2:1', '1:65535', '22,80', '22,8000:', 'http'];
const PORTS = /^(port|port-range|strict-port-range|port-list)(:|$)/;

const variants = (v: string) => [...new Set([v, v.toUpperCase(), v.toLowerCase(), v[0].toUpperCase() + v.slice(1).toLowerCase(), v.slice(0, Math.ceil(v.length / 2)), v.slice(0, 3).toLowerCase()])];

/** The rule for one value of one option: in a table and chain the module is allowed in, with what it needs beside. */
function ruleFor(m: ModuleSpec, o: OptionSpec, value: string): string {
  const table = m.tables && !m.tables.includes('filter') ? m.tables[0] : 'filter';
  const chain = table === 'filter' ? 'INPUT' : 'PREROUTING';
  const proto = o.protocols ? `-p ${o.protocols[0]} ` : m.protocols ? `-p ${m.protocols[0]} ` : '';
  const needs = (o.requires ?? []).map((r) => `${r} ${m.options.find((x) => x.names.includes(r))?.args[0]?.choices?.[0]?.label ?? '1'}`).join(' ');
  const body = m.kind === 'match' ? `${proto}-m ${m.name} ${o.names[0]} ${value} ${needs} -j ACCEPT` : `${proto}-j ${m.name} ${o.names[0]} ${value} ${needs}`;
  return `-t ${table} -A ${chain} ${body}`.replace(/ +/g, ' ').trim();
}

function cases(): Case[] {
  const out: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...MATCHES, ...TARGETS]) {
      if (m.removed || (m.family && m.family !== family)) continue;
      for (const o of m.options) {
        if (o.removed || (o.family && o.family !== family) || o.args.length !== 1) continue;
        const choices = o.args[0].choices;
        const values = choices ? choices.flatMap((c) => variants(c.label)) : NUMERIC.test(o.args[0].name) ? [...NUMBERS, ...(PORTS.test(o.args[0].name) ? PORT_SHAPES : [])] : [];
        for (const value of values) out.push({ family, module: `${m.kind} ${m.name}`, rule: ruleFor(m, o, value) });
      }
    }
  }
  return out;
}


test(`kernel (iptables-${BACKEND}): named values in any case and cut short, numbers in every form: the linter refuses what the kernel refuses`, { skip, timeout: 300000 }, (t) => {
  const all = cases();
  const verdicts = kernelVerdicts(all);
  const wrong = disagreements(all, verdicts);
  const absent = [...new Set(all.filter((_, i) => verdicts[i] === undefined).map((c) => c.module))];
  t.diagnostic(`${all.length} cases; modules this kernel lacks, left out: ${absent.join(', ') || 'none'}`);
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((x) => x !== undefined).length > 2500);
});

/** Words of every shape, for the options whose values are neither names nor numbers (texts, rates, times, addresses, marks). */
const SHAPES = ['x', '0', '1/s', '5/minute', '0x1/0xff', 'a,b', 'x'.repeat(40), 'y'.repeat(300), '1.2.3.4', '::1', '10.0.0.0/8', '1:2', '1-2', '00:11:22:33:44:55', '12:00', '2024-01-01T00:00:00', 'Mon', 'abc123', '0.5', '123', '10.1'];

test(`kernel (iptables-${BACKEND}): values of every shape for every other option: no error where the kernel takes the rule`, { skip, timeout: 300000 }, (t) => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...MATCHES, ...TARGETS]) {
      if (m.removed || (m.family && m.family !== family)) continue;
      for (const o of m.options) {
        if (o.removed || (o.family && o.family !== family) || o.args.length !== 1 || o.args[0].choices || NUMERIC.test(o.args[0].name)) continue;
        for (const value of SHAPES) all.push({ family, module: `${m.kind} ${m.name}`, rule: ruleFor(m, o, value) });
      }
    }
  }
  const verdicts = kernelVerdicts(all);
  const falseErrors = all.filter((c, i) => verdicts[i] === true && lintErrors(c).length > 0).map((c) => `${show(c)} (${lintErrors(c)[0]})`);
  // The other way, rules the kernel refuses that the linter lets pass, are mostly rules that need an option beside
  // this one, host names (resolved only when loading) and modules this kernel has no support for: counted only.
  const missed = all.filter((c, i) => verdicts[i] === false && lintErrors(c).length === 0).length;
  t.diagnostic(`${all.length} cases; ${missed} refused by the kernel for reasons outside the value`);
  assert.deepEqual(falseErrors, []);
});

/** IPv4 addresses whose parts are octal (a leading zero), hexadecimal, or stand for several bytes (inet_aton's forms). */
const ODD_IPV4 = ['192.168.001.010', '192.168.001.008', '010.000.000.001/8', '10.0.0.00', '65536', '1.65536', '1.2.65535/24', '1.16777216', '0x7f000001', '017700000001', '1.2.3.0x10', '08', '09.1', '256', '0x100', '4294967295', '4294967296', '+1.2.3.4', '1.2.3.256', '192.168.1.1,192.168.001.010'];

/** Addresses and networks in odd forms: short, octal or hexadecimal prefix lengths, masks, lists, brackets. */
const ADDRESSES = {
  4: ['1.2.3', '1.2.3.4/33', '010.0.0.1', '10', '10.1', '1.2.3.4/255.255.0.0', '1.2.3.4/255.0.255.0', '1.2.3.4/0', '1.2.3.4/', '1.2.3.4/08', '1.2.3.4/010', '1.2.3.4/+8', '1.2.3.4/0x8', '256.1.1.1', '1.2.3.4,5.6.7.8', '1.2.3.4,,5.6.7.8', '1.2.3.4.5', '1.2.3.4/32,', '1..2.3', ...ODD_IPV4],
  6: ['fe80::1%7', 'fe80::1%lo/64', '2001:db8::1%1', 'fe80::1%%', '::ffff:1.2.3.010', '::ffff:1.2.3', '::ffff:001.2.3.4', '::ffff:0x1.2.3.4', '::1.2.3.4', '::1/129', '::1/128', '::/0', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8:9', '2001:db8::/48,2001:db8:1::/48', '[::1]', '::1/ffff::', '2001:DB8::1', '::1/064', '::1/0x40', ':::1', '2001:db8::1/64'],
};

test(`kernel (iptables-${BACKEND}): addresses and networks in odd forms: the linter refuses what the kernel refuses`, { skip, timeout: 120000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) for (const a of ADDRESSES[family]) for (const opt of ['-s', '-d']) all.push({ family, module: 'address', rule: `-A INPUT ${opt} ${a}` });
  const verdicts = kernelVerdicts(all);
  const wrong = all.filter((c, i) => verdicts[i] !== (lintErrors(c).length === 0)).map((c) => `${show(c)}${lintErrors(c)[0] ? ` (${lintErrors(c)[0]})` : ''}`);
  assert.deepEqual(wrong, []);
});

/** Rules where the family decides (fragments, TTL and hop limit, ICMP and ICMPv6, masks, NAT address syntax, prefix translation), and what a module's values require of one another. */
const FAMILY_RULES = [
  '-A INPUT -f',
  '-A INPUT ! -f',
  '-A INPUT -m ttl --ttl-eq 5',
  '-A INPUT -m hl --hl-eq 5',
  '-A INPUT -p icmp --icmp-type 8',
  '-A INPUT -p ipv6-icmp --icmpv6-type 128',
  '-A INPUT -p icmpv6 --icmpv6-type 128',
  '-A INPUT -p 58 --icmpv6-type 128',
  // Each family's ICMP option under the other's protocol, its own, or none: unknown to the other command.
  '-A INPUT -p icmp --icmpv6-type echo-request',
  '-A INPUT -p ipv6-icmp --icmp-type echo-request',
  '-A INPUT --icmp-type 8',
  '-A INPUT --icmpv6-type 128',
  '-A INPUT -m frag --fragmore',
  '-A INPUT -m ipv6header --header frag --soft',
  '-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1',
  '-A INPUT -j REJECT --reject-with tcp-reset',
  '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
  '-A INPUT -j REJECT --reject-with icmp-port-unreachable',
  '-A INPUT -j REJECT --reject-with icmp6-port-unreachable',
  '-A INPUT -m state --state NEW -m addrtype --dst-type MULTICAST',
  '-t nat -A POSTROUTING -j MASQUERADE',
  '-t nat -A POSTROUTING -j SNAT --to-source [2001:db8::1]:1000',
  '-t nat -A POSTROUTING -p tcp -j SNAT --to-source [2001:db8::1]:1000-2000',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]-[2001:db8::9]:80',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 2001:db8::1-2001:db8::9',
  '-t nat -A PREROUTING -p tcp -j NETMAP --to 2001:db8::/64',
  '-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 8080',
  '-t mangle -A PREROUTING -j HL --hl-set 64',
  '-t mangle -A PREROUTING -j TTL --ttl-set 64',
  '-t mangle -A PREROUTING -j TOS --set-tos 0x10',
  '-t mangle -A PREROUTING -j DSCP --set-dscp 10',
  '-A INPUT -s 10.0.0.1',
  '-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.9',
  '-A INPUT -m conntrack --ctorigsrc 10.0.0.1',
  '-A INPUT -m policy --dir in --pol ipsec --tunnel-src 2001:db8::1 --mode tunnel',
  '-A INPUT -m mac --mac-source 00:11:22:33:44:55',
  '-A INPUT -m length --length 100:200',
  '-A INPUT -m u32 --u32 0=0',
  '-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name h --hashlimit-srcmask 64',
  '-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name h --hashlimit-srcmask 129',
  '-A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 64',
  '-A INPUT -m connlimit --connlimit-above 2 --connlimit-mask 129',
  '-A INPUT -m recent --set --mask ffff:ffff::',
  '-A INPUT -m recent --set --mask 255.255.0.0',
  '-A INPUT -m socket --transparent',
  '-A INPUT -m rpfilter',
  '-t raw -A PREROUTING -m rpfilter',
  '-t mangle -A PREROUTING -m rpfilter --invert',
  '-A INPUT -m ecn --ecn-ip-ect 1',
  '-A INPUT -p tcp -m ecn --ecn-tcp-cwr',
  '-A INPUT -m tos --tos 0x10',
  '-A INPUT -m dscp --dscp 10',
  '-A INPUT -m realm --realm 1',
  '-A INPUT -m eui64',
  '-t mangle -A PREROUTING -j SNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db8:1::/64',
  '-t mangle -A POSTROUTING -j SNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db8:1::/64',
  '-t mangle -A PREROUTING -j DNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db8:1::/64',
  // What a module's values require of one another.
  '-A INPUT -m policy --dir in --pol ipsec --strict',
  '-A INPUT -m policy --dir in --pol ipsec --strict --proto esp',
  '-A INPUT -m policy --dir in --pol ipsec --proto esp --next',
  '-A INPUT -m policy --dir in --pol ipsec --strict --proto esp --next --proto ah',
  '-A INPUT -m policy --dir in --pol ipsec --strict --proto esp --next',
  '-A INPUT -m policy --dir in --pol ipsec --mode tunnel --tunnel-dst 2001:db8::1',
  '-A INPUT -m policy --dir in --pol ipsec --tunnel-dst 2001:db8::1',
  '-A INPUT -m time --contiguous --timestart 22:00 --timestop 06:00',
  '-A INPUT -m time --contiguous --timestart 06:00 --timestop 22:00',
  '-A INPUT -m time --contiguous --timestop 06:00',
  '-t raw -A PREROUTING -j CT --ctevents NEW',
  '-t raw -A PREROUTING -j CT --ctevents new,related --expevents new',
  '-A INPUT -m statistic --mode nth --every 3 --packet 0',
  '-A INPUT -m statistic --mode nth',
];

test(`kernel (iptables-${BACKEND}): rules where the family decides, with iptables and with ip6tables: the linter refuses what the kernel refuses`, { skip, timeout: 120000 }, () => {
  const all: Case[] = [4, 6].flatMap((family) => FAMILY_RULES.map((rule) => ({ family: family as 4 | 6, module: rule, rule })));
  const verdicts = kernelVerdicts(all);
  const wrong = all.filter((c, i) => verdicts[i] !== undefined && verdicts[i] !== (lintErrors(c).length === 0)).map((c) => `${show(c)}${lintErrors(c)[0] ? ` (${lintErrors(c)[0]})` : ''}`);
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((v) => v !== undefined).length > 90);
});

/** Addresses, interfaces and protocols in the shapes people write them (and mistype them), for -s, -i and -p. */
const GENERIC: Record<string, string[]> = {
  '-s': ['10.1', '0', '1.2.3.4/0', '1.2.3.4/255.0.255.0', '1.2.3.4/33', '0x01020304', '1.2.3.4,5.6.7.8', '1.2.3.4/24,::1', '::1', '2001:db8::/129', '::ffff:1.2.3.4', '1.2.3', '256.1.1.1', '1.2.3.4/', '/24', '01.02.03.04', '1.2.3.4/08', '[::1]', '2001:db8::1/64', '::/0', '0/0'],
  '-i': ['eth+', '+', 'a'.repeat(15), 'a'.repeat(16), 'eth/0', 'eth0.100', 'wl!0', 'eth:0', '-eth0', '.', 'lo+'],
  '-p': ['TCP', '6', '0', '255', '256', 'ALL', 'icmpv6', 'esp', 'gre', 'udplite', 'mh', 'hopopt', '-1', '0x06', 'foo', 'ipv6'],
};

test(`kernel (iptables-${BACKEND}): -s, -i and -p in many shapes: the linter refuses what the kernel refuses (host names, resolved when loading, aside)`, { skip, timeout: 300000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) for (const [opt, values] of Object.entries(GENERIC)) for (const v of values) all.push({ family, module: `generic ${opt}`, rule: `-A INPUT ${opt} ${v} -j ACCEPT` });
  const verdicts = kernelVerdicts(all);
  const wrong = all.flatMap((c, i) => {
    const errors = lintErrors(c);
    if (verdicts[i] === undefined || verdicts[i] === (errors.length === 0)) return [];
    const hostname = lint(`${c.family === 6 ? 'ip6tables' : 'iptables'} ${c.rule}\n`, { format: 'script' }).diagnostics.some((d) => d.code === 'hostname');
    return verdicts[i] === false && hostname ? [] : [`${verdicts[i] ? 'false error' : 'missed refusal'}: ${show(c)}${errors[0] ? ` (${errors[0]})` : ''}`];
  });
  assert.deepEqual(wrong, []);
});

/** Whole rules in the spellings people use: rule numbers, names in another case, abbreviations, rates, marks, lengths. */
const SPELLINGS = [
  // Connection labels by number (a name needs /etc/xtables/connlabel.conf, which the machine loading the rules may have).
  ...['0', '127', '128', '0x10', '010', '4294967296', "''", '65536', '65663', '65664', '2147483647', '4294967423', '4294967424', '0x7f', '0200'].map((l) => `-A INPUT -m connlabel --label ${l} -j ACCEPT`),
  // A tcp or udp match with its protocol negated: iptables-nft takes it unless it tests a TCP option or nothing at all.
  ...['! -p tcp -m tcp --tcp-option 1', '! -p tcp -m tcp', '! -p udp -m udp', '! -p udp -m udp --sport 1', '! -p tcp --dport 0:65535', '! -p tcp --dport 0:', '! -p tcp ! --dport 0:65535',
    '! -p tcp --tcp-flags NONE NONE', '! -p tcp --tcp-flags SYN NONE', '! -p tcp --dport 1 --tcp-option 2', '! -p tcp ! --tcp-option 2', '! -p udp --dport 0:65535', '! -p udp --dport 1:65535', '! -p tcp --dport 0x0:0xffff', '! -p tcp --syn'].map((r) => `-A FORWARD ${r} -j ACCEPT`),
  // Found by options with random values: ranges, limits and orders of single modules.
  ...['14', '15', '255', '256', '1000', '4294967295', '4294967296'].map((w) => `-A INPUT -p tcp -j SYNPROXY --wscale ${w}`),
  ...['1', '7', '8', '0', '-0', '-1', '+1', '0x1', '01', '08', '100', 'Mon,8'].map((d) => `-A INPUT -m time --weekdays ${d} -j ACCEPT`),
  // RATEEST's times: their spellings, and an averaging time the interval allows.
  ...['250ms', '1s', '8s', '9s', '1', '0', '1/2', '1e3', '0x10', '.5s', '2SEC', ' 1s', '0x1p2s', '0x1.8p1s', '+0x1s', '-0x1s', '0x10ms', '-1s'].flatMap((i) => ['0.5s', '1s', '4s', '64s', '1ms', '10', 'abc'].map((e) => `-A FORWARD -j RATEEST --rateest-name r --rateest-interval '${i}' --rateest-ewmalog ${e}`)),
  '-A INPUT -m cpu --cpu 65536 -j ACCEPT', '-A INPUT -m cpu --cpu 4294967296 -j ACCEPT', '-A INPUT -p tcp -j SYNPROXY --mss 65536', '-A INPUT -p tcp -j SYNPROXY --mss 4294967296',
  '-A INPUT -p tcp -m tcpmss --mss 2:1 -j ACCEPT', '-A INPUT -p tcp -m tcpmss --mss 12:00 -j ACCEPT', '-A INPUT -p tcp -m tcpmss --mss 1:2 -j ACCEPT',
  '-A FORWARD -m hashlimit --hashlimit-upto 1/s --hashlimit-above 2/s --hashlimit-name x -j ACCEPT', '-A FORWARD -m hashlimit --hashlimit 1/s --hashlimit-upto 2/s --hashlimit-name x -j ACCEPT',
  '-t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 0x1/0xff', '-t mangle -A PREROUTING -j CONNMARK --save-mark --mask 0x1/0xff', '-t mangle -A PREROUTING -j CONNMARK --save-mark --ctmask 0xff',
  '-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65495', '-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65515', '-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65516',
  '-A OUTPUT -m owner --suppl-groups --gid-owner 1000 -j ACCEPT', '-A OUTPUT -m owner --gid-owner 1000 --suppl-groups -j ACCEPT', '-A OUTPUT -m owner --suppl-groups -j ACCEPT',
  ...['32', '33', '0', '3', '4'].map((mask) => `-A FORWARD -m cluster --cluster-total-nodes 2 --cluster-local-nodemask ${mask} --cluster-hash-seed 1 -j ACCEPT`),
  ...['0', '1', '2', '1,2', 'mss,0', '255', '256'].map((o) => `-t mangle -A POSTROUTING -p tcp -j TCPOPTSTRIP --strip-options ${o}`),
  ...['a', 'a b', 'a.b', 'a/b', '.', '..', "''"].flatMap((n) => [`-A FORWARD -m recent --set --name ${n} -j ACCEPT`, `-A FORWARD -j IDLETIMER --timeout 5 --label ${n}`]),
  ...['0', '1', '255', '256'].map((o) => `-A FORWARD -p dccp -m dccp --dccp-option ${o} -j ACCEPT`),
  '-A FORWARD -m connlimit --connlimit-saddr --connlimit-daddr --connlimit-upto 1 -j ACCEPT', "-A FORWARD -m string --string abc --hex-string '|61|' --algo bm -j ACCEPT",
  '-A FORWARD -m cluster --cluster-local-node 1 --cluster-local-nodemask 1 --cluster-total-nodes 1 --cluster-hash-seed 1 -j ACCEPT',
  '-A FORWARD -m statistic --mode random --probability 0.5 --packet 1 -j ACCEPT', '-A FORWARD -m statistic --mode nth --every 2 --probability 0.5 -j ACCEPT',
  '-A FORWARD -m policy --pol none --tunnel-src 10.0.0.1 --dir in -j ACCEPT', '-A FORWARD -m policy --pol ipsec --tunnel-src 10.0.0.1 --dir in -j ACCEPT', '-A FORWARD -m policy --pol none --strict --dir in -j ACCEPT',
  // The bridge port a locally sent packet leaves on is not known in OUTPUT, but with --physdev-is-bridged.
  ...['--physdev-is-out', '--physdev-out eth0', '! --physdev-out eth0', '--physdev-is-bridged --physdev-out eth0', '! --physdev-is-bridged --physdev-out eth0', '--physdev-in eth0'].flatMap((m) => [`-A OUTPUT -m physdev ${m} -j ACCEPT`, `-t nat -A OUTPUT -m physdev ${m} -j ACCEPT`, `-A FORWARD -m physdev ${m} -j ACCEPT`, `-t mangle -A POSTROUTING -m physdev ${m} -j ACCEPT`]),
  // Empty values: a bridge port (taken, matching every port), an interface, a NAT address (refused).
  "-A FORWARD -m physdev --physdev-in '' -j ACCEPT", "-A FORWARD -m physdev --physdev-out '' -j ACCEPT", "-A INPUT -i '' -j ACCEPT", "-t nat -A PREROUTING -j DNAT --to-destination ''", "-t nat -A POSTROUTING -j SNAT --to-source ''", "-t nat -A PREROUTING -p tcp -j DNAT --to-destination :80",'-A INPUT -m hashlimit --name ssh --hashlimit-upto 5/min -j ACCEPT', '-A INPUT -j LOG --prefix x', '-A INPUT -j LOG --level 4', '-A INPUT -m limit --burst 5 -j ACCEPT', '-A INPUT -m conntrack --cts NEW -j ACCEPT', '-A INPUT -m conntrack --ctstatu ASSURED -j ACCEPT', '-A INPUT -p tcp --dp 22 -j ACCEPT', '-A INPUT -p tcp --d 22 -j ACCEPT', '-P INPUT accept', '-P INPUT Drop', '-P INPUT DROP', '-P INPUT REJECT', '-P INPUT RETURN', '-P INPUT QUEUE',
  '-A INPUT -j accept', '-A INPUT -j Accept', '-A INPUT -j log', '-A INPUT -m TCP -p tcp --dport 1 -j ACCEPT', '-A INPUT -m Tcp -p tcp -j ACCEPT', '-A INPUT -p tcp -m TCP --dport 1 -j ACCEPT',
  '-I INPUT 0 -j ACCEPT', '-I INPUT 01 -j ACCEPT', '-I INPUT 0x1 -j ACCEPT', '-I INPUT +1 -j ACCEPT', '-I INPUT 1.0 -j ACCEPT', '-I INPUT 1 -j ACCEPT',
  '-A INPUT -p mptcp -j ACCEPT', '-A INPUT -p MPTCP -j ACCEPT', '-A INPUT -M /sbin/modprobe -j ACCEPT', '-A INPUT -M a -M b -j ACCEPT', '-A INPUT -v -v -j ACCEPT', '-A INPUT -w -w -j ACCEPT', '-A INPUT -4 -4 -j ACCEPT', '-A INPUT -c 1 2 -c 3 4 -j ACCEPT', '-L -n -n', '-L -x -x', '-L --line-numbers --line-numbers', '-L -v -v',
  '-A INPUT -m multiport --dports 1 -p tcp -j ACCEPT', '-A INPUT -m multiport -p tcp --dports 1 -j ACCEPT', '-A INPUT -m multiport --sports 1 -p udp -j ACCEPT', '-A INPUT -p udp -m multiport --sports 1 -p tcp -j ACCEPT', '-A INPUT -p udp -M udp --dport 53 -j ACCEPT', '-t FILTER -A INPUT -j ACCEPT', '-t Nat -A PREROUTING -j ACCEPT', '-A INPUT -m conntrack --ctstate est -j ACCEPT',
  '-A INPUT -p TCP --dport 1 -j ACCEPT', '-A INPUT -p Tcp --syn -j ACCEPT', '-A INPUT --protocol tcp --destination-port 1 -j ACCEPT', '-A INPUT --proto tcp -j ACCEPT', '-A INPUT --dst 1.2.3.4 -j ACCEPT', '-A INPUT --src-ran 1.2.3.4-1.2.3.5 -m iprange -j ACCEPT',
  '-A INPUT -m iprange --src-ran 1.2.3.4-1.2.3.5 -j ACCEPT', '-A INPUT -p tcp --dp 1 -j ACCEPT', '-A INPUT -p tcp --dpo 1 -j ACCEPT', '-A INPUT -p tcp -m multiport --dport 1,2 -j ACCEPT', '-A INPUT -p tcp -m multiport --dpo 1,2 -j ACCEPT',
  '-A INPUT -j LOG --log-lev 4', '-A INPUT -j LOG --log-level warn', '-A INPUT -j LOG --log-level WARNING', '-A INPUT -j LOG --log-level 8', '-A INPUT -j REJECT --reject-with tcp-rst -p tcp', '-A INPUT -j REJECT --reject-with icmp-admin-prohibited', '-A INPUT -j REJECT --reject-with icmp6-port-unreachable',
  '-A INPUT -m limit --limit 1/sec -j ACCEPT', '-A INPUT -m limit --limit 1/second -j ACCEPT', '-A INPUT -m limit --limit 1/h -j ACCEPT', '-A INPUT -m limit --limit 1/hr -j ACCEPT', '-A INPUT -m limit --limit 1/d -j ACCEPT', '-A INPUT -m limit --limit 1/days -j ACCEPT', '-A INPUT -m limit --limit 1 -j ACCEPT', '-A INPUT -m limit --limit /s -j ACCEPT',
  '-A INPUT -m state --state new -j ACCEPT', '-A INPUT -m state --state New,established -j ACCEPT', '-A INPUT -m comment --comment "" -j ACCEPT', '-A INPUT -m mark --mark 0x1/0x1 -j ACCEPT', '-A INPUT -m mark --mark 1/ -j ACCEPT', '-A INPUT -m mark --mark /1 -j ACCEPT', '-A INPUT -m mark --mark 0xffffffff -j ACCEPT', '-A INPUT -m mark --mark 0x100000000 -j ACCEPT',
  '-A INPUT -m length --length 0:65535 -j ACCEPT', '-A INPUT -m length --length 65536 -j ACCEPT', '-A INPUT -m length --length 10:5 -j ACCEPT', '-A INPUT -m ttl --ttl-eq 256 -j ACCEPT', '-A INPUT -m connlimit --connlimit-above 0 -j ACCEPT', '-A INPUT -p tcp -m connlimit --connlimit-above 2 --connlimit-mask 33 -j ACCEPT',
  '-A INPUT -m recent --name x -j ACCEPT', '-A INPUT -m recent --set --rcheck -j ACCEPT', '-A INPUT -m recent --rcheck --seconds 0 -j ACCEPT', '-A INPUT -m recent --update --hitcount 256 -j ACCEPT', '-A INPUT -m recent --rcheck --hitcount 20 -j ACCEPT', '-A INPUT -m limit --limit 1/day -j ACCEPT', '-A INPUT -m limit --limit 3/day --limit-burst 9 -j ACCEPT', '-A INPUT -m limit --limit 2/day --limit-burst 30 -j ACCEPT', '-A INPUT -m limit --limit 20000/s -j ACCEPT',
  '-A INPUT -m limit --limit-burst 0 -j ACCEPT', '-A INPUT -m limit --limit 1/s --limit-burst 0 -j ACCEPT', '-A INPUT -m limit --limit-burst 1 -j ACCEPT',
  // Targets and matches with their options: NAT ports, marks, TCPMSS, CT, LOG prefixes, queues, conntrack, hashlimit, addrtype, string, time, owner.
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:80-', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:-80', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:90-80', '-t nat -A PREROUTING -j DNAT --to-destination 10.0.0.1:80',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination :80', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:0', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1:65536', '-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 0', '-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 80:90',
  '-t nat -A POSTROUTING -j MASQUERADE --to-ports 1024-65535', '-t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-65535', '-t nat -A POSTROUTING -p tcp -j MASQUERADE --random-fully', '-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4 --to-source 1.2.3.5',
  '-t mangle -A PREROUTING -j MARK --set-mark 1/2/3', '-t mangle -A PREROUTING -j MARK --set-xmark 0x1/0xffffffff', '-t mangle -A PREROUTING -j MARK --set-mark -1', '-t mangle -A PREROUTING -j MARK --and-mark 1', '-t mangle -A PREROUTING -j MARK --set-mark 1 --and-mark 2',
  '-t mangle -A PREROUTING -j CONNMARK --save-mark', '-t mangle -A PREROUTING -j CONNMARK --set-mark 1 --save-mark', '-t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff', '-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu', '-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 0', '-t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 65536', '-t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400 --clamp-mss-to-pmtu',
  '-t raw -A PREROUTING -j CT --notrack', '-t raw -A PREROUTING -j CT --zone 70000', '-t raw -A PREROUTING -j CT --helper ftp', '-t raw -A PREROUTING -p tcp -j CT --helper ftp', '-t raw -A PREROUTING -j NOTRACK', '-t raw -A OUTPUT -j CT --zone-orig 1',
  '-A INPUT -j LOG --log-prefix "' + 'a'.repeat(29) + '"', '-A INPUT -j LOG --log-prefix ""', '-A INPUT -j LOG --log-tcp-sequence --log-ip-options --log-uid', '-A INPUT -j NFLOG --nflog-group 70000', '-A INPUT -j NFLOG --nflog-prefix ""', '-A INPUT -j NFQUEUE --queue-num 65536', '-A INPUT -j NFQUEUE --queue-balance 2:1', '-A INPUT -j NFQUEUE --queue-balance 1:2 --queue-bypass',
  '-A INPUT -j REJECT --reject-with icmp-port-unreachable --reject-with icmp-net-unreachable', '-A OUTPUT -j REJECT', '-t mangle -A PREROUTING -j REJECT', '-t nat -A PREROUTING -j REJECT',
  '-A INPUT -m conntrack --ctstate NEW --ctstate ESTABLISHED -j ACCEPT', '-A INPUT -m conntrack --ctexpire 10:5 -j ACCEPT', '-A INPUT -m conntrack --ctdir ORIGINAL -j ACCEPT', '-A INPUT -m conntrack --ctdir original -j ACCEPT', '-A INPUT -m conntrack --ctstatus SEEN_REPLY,CONFIRMED -j ACCEPT',
  '-A INPUT -m hashlimit --hashlimit-above 10/s --hashlimit-name x -j DROP', '-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name ' + 'n'.repeat(16) + ' -j DROP', '-A INPUT -m hashlimit --hashlimit-upto 10/s --hashlimit-name ' + 'n'.repeat(15) + ' -j DROP', '-A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name x -j DROP',
  '-A INPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT', '-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT', '-A INPUT -m pkttype --pkt-type broadcast -j DROP', '-A INPUT -m physdev --physdev-in eth0 -j ACCEPT', '-A OUTPUT -m physdev --physdev-in eth0 -j ACCEPT',
  '-A INPUT -m string --string x --algo kmp -j DROP', '-A INPUT -m string --string x -j DROP', '-A INPUT -m string --algo bm -j DROP', '-A INPUT -m string --hex-string "|00|" --algo bm -j DROP', '-A INPUT -m string --hex-string "|0|" --algo bm -j DROP',
  '-A INPUT -m time --timestart 25:00 -j ACCEPT', '-A INPUT -m time --timestart 9:00 --timestop 8:00 -j ACCEPT', '-A INPUT -m time --weekdays Mo,Tu -j ACCEPT', '-A INPUT -m time --weekdays mon -j ACCEPT', '-A INPUT -m time --datestart 2024-13-01 -j ACCEPT',
  '-A INPUT -m owner --uid-owner 0 -j ACCEPT', '-A OUTPUT -m owner --uid-owner root -j ACCEPT', '-A OUTPUT -m owner --uid-owner 0-100 -j ACCEPT', '-A OUTPUT -m owner --socket-exists -j ACCEPT',
  '-A INPUT -m statistic --mode nth --every 3 --packet 3 -j DROP', '-A INPUT -m statistic --mode nth --every 3 --packet 2 -j DROP', '-A INPUT -m statistic --mode nth --every 0x3 --packet 03 -j DROP',
  '-A INPUT -m connbytes --connbytes 10:5 --connbytes-dir original --connbytes-mode bytes -j DROP', '-A INPUT -m connbytes --connbytes 5:5 --connbytes-dir original --connbytes-mode bytes -j DROP', '-A INPUT -m connbytes --connbytes :5 --connbytes-dir reply --connbytes-mode packets -j DROP',
  '-t mangle -A POSTROUTING -j CLASSIFY --set-class 1:2:3', '-t mangle -A POSTROUTING -j CLASSIFY --set-class 10000:1', '-t mangle -A POSTROUTING -j CLASSIFY --set-class 0x1:0x2', '-t mangle -A POSTROUTING -j CLASSIFY --set-class 1', '-t mangle -A POSTROUTING -j CLASSIFY --set-class x:1', '-t mangle -A POSTROUTING -j CLASSIFY --set-class 1:',
  '-A INPUT -j NFLOG --nflog-threshold 0', '-A INPUT -j NFLOG --nflog-threshold 65536',
  '-A INPUT -m pkttype --pkt-type Host -j DROP', '-A INPUT -m pkttype --pkt-type otherhost -j DROP', '-A INPUT -m pkttype --pkt-type loopback -j DROP',
  '-A INPUT -m recent --name "" --set -j ACCEPT', '-A INPUT -m recent --rcheck --name "" -j ACCEPT',
  '-A INPUT ! -s 1.2.3.4,5.6.7.8 -j DROP', '-A INPUT ! -d 1.2.3.4,5.6.7.8 -j DROP',
  '-A INPUT -c -1 2 -j DROP', '-A INPUT -c 0x10 010 -j DROP', '-A INPUT -c 1a 1 -j DROP', '-A INPUT -c 18446744073709551616 1 -j DROP', '-A INPUT -c a 1 -j DROP',
  '-A INPUT -n -j DROP', '-A INPUT --line-numbers -j DROP', '-A INPUT -x -j DROP', '-L INPUT -n', '-L -n -x --line-numbers', '-P INPUT ACCEPT -n', '-N foo -x', '-F -n',
  ...['1970-01-01', '2038-12-31T23:59:59', '2039', '1969', '1970-01-01T10', '2024-1-1', '2024-01-01T10:5', '24-01-01', '02024-01-01', '2024-01-01T25', '2024-02-30', '2024-00-00', '2024--01', '2024-01-01T', '2024-', '2024-+1', '2024-01-01T10:00:00Z', '2024-13', '2024-01-01T23:59:60'].map((d) => `-A INPUT -m time --datestart "${d}" -j DROP`),
  '-A INPUT -m limit --limit 1.5/s -j ACCEPT', '-A INPUT -m limit --limit "1 /s" -j ACCEPT', '-A INPUT -m limit --limit 0.5/h -j ACCEPT', '-A INPUT -m hashlimit --hashlimit-upto 1.5/s --hashlimit-name x -j ACCEPT',
  '-A INPUT -p tcp --tcp-flags , SYN -j DROP', '-A INPUT -p tcp --tcp-flags SYN,,ACK SYN -j DROP', '-A INPUT -p tcp --tcp-flags SYN,FOO, SYN -j DROP']

/** Rules of one family: ICMP types, fragments, protocols, IPv6 extension headers. */
const SPELLINGS4 = ['-A INPUT -m time --contiguous --timestart 12:00 --timestop 12:00 -j DROP', '-A INPUT -m time --contiguous --timestart 12:00 --timestop 12:00:01 -j DROP', '-A INPUT -m time --contiguous --timestart 12:00:01 --timestop 12:00 -j DROP',
  '-A INPUT -f -f -j ACCEPT', '-A INPUT -p icmp --icmp-type 0x8 -j ACCEPT', '-A INPUT -p icmp --icmp-type 08 -j ACCEPT', '-A INPUT -p icmp --icmp-type 010 -j ACCEPT', '-A INPUT -p icmp --icmp-type 3/0x1 -j ACCEPT', '-A INPUT -p icmp --icmp-type 3/0x100 -j ACCEPT', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.168.001.010', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.168.1.10:80', '-t nat -A POSTROUTING -j SNAT --to-source 0x7f.0.0.1', '-A INPUT -m iprange --src-range 10.0.0.010-10.0.0.20 -j DROP', '-A INPUT -m iprange --src-range 65536-65537 -j DROP', '-A INPUT -m iprange --dst-range 0x0a.0.0.1-10.0.0.2 -j DROP', '-A INPUT -m conntrack --ctorigsrc 65536 -j DROP', '-t mangle -A PREROUTING -j TEE --gateway 65536', '-A INPUT -m recent --set --mask 65536', '-A INPUT -f ! -f -j ACCEPT', '-A INPUT -p icmp --icmp-type 8/0 -j ACCEPT', '-A INPUT -p icmp --icmp-type 8/256 -j ACCEPT', '-A INPUT -p icmp --icmp-type 256 -j ACCEPT', '-A INPUT -p icmp --icmp-type any -j ACCEPT', '-A INPUT -p icmp --icmp-type echo -j ACCEPT', '-A INPUT -p icmp --icmp-type ping -j ACCEPT', '-A INPUT -p icmp --icmp-type Echo-Request -j ACCEPT', '-A INPUT -p icmp --icmp-type 3/ -j ACCEPT', '-A INPUT -p icmp --icmp-type /3 -j ACCEPT', '-A INPUT -p icmp --icmp-type frag-needed -j ACCEPT',
  '-A INPUT -f -j DROP', '-A INPUT ! -f -j DROP', '-A INPUT -p tcp -f --dport 1 -j DROP', '-A INPUT -m frag --fragid 1 -j DROP', '-A INPUT -p 0 -j ACCEPT', '-A INPUT ! -p 0 -j ACCEPT', '-A INPUT -m ttl --ttl-eq 1 --ttl-gt 2 -j DROP', '-A INPUT -m hl --hl-eq 1 -j DROP', '-A INPUT -m ecn --ecn-tcp-cwr -j DROP', '-A INPUT -p tcp -m ecn --ecn-ip-ect 4 -j DROP', '-A INPUT -m tos --tos 0x10 -j DROP', '-A INPUT -m dscp --dscp 64 -j DROP', '-A INPUT -m dscp --dscp-class EF -j DROP', '-A INPUT -m dscp --dscp-class XX -j DROP', '-A INPUT ! -p all -j ACCEPT',
  '-t mangle -A PREROUTING -j TTL --ttl-dec 0', '-t mangle -A PREROUTING -j TTL --ttl-inc 0', '-t mangle -A PREROUTING -j TTL --ttl-set 0', '-A INPUT -m conntrack --ctorigsrc 1.2.3.4/33 -j DROP', '-A INPUT -m conntrack --ctrepldst 1.2.3.4/99 -j DROP', '-A INPUT -m conntrack --ctorigsrc 1.2.3.4/16 -j DROP',
  '-A INPUT -p icmp -m icmp -j DROP', '-A INPUT -p 1 --icmp-type 8 -j DROP', '-A INPUT -p 01 --icmp-type 8 -j DROP', '-A INPUT -p 0x6 --dport 22 -j DROP',
  ...['1.2.3.4:80/85', '1.2.3.4:80-90/100', '1.2.3.4:80-90/', '1.2.3.4:80-90/0x55', '1.2.3.4:80-90/65536', '1.2.3.4:80-90/0'].map((to) => `-t nat -A PREROUTING -p tcp -j DNAT --to-destination ${to}`),
  '-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:1000-2000/500', '-t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 80-90/85',
  '-t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff --nfmask 1', '-t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff --ctmask 1', '-t mangle -A PREROUTING -j CONNMARK --set-mark 1 --mask 1',
  '-A INPUT -j NFQUEUE --fail-open', '-A INPUT -j NFQUEUE --queue-cpu-fanout', '-A INPUT -j NFQUEUE --queue-balance 1:2 --queue-cpu-fanout', '-A INPUT -j AUDIT', '-A INPUT -j AUDIT --type drop'];
// An address's zone (fe80::1%lo) names an interface: it loads where that interface exists (lo does in the namespace),
// as a host name resolves where DNS answers; the linter's warning says so.
/** Options of an IPv6 options header as ip6tables reads them: numbers in strtoul's forms, lengths, empty items, the limit of 16. */
const IPV6_OPTIONS = ['1', '1:2', '1,2', '1:2,3:4', 'x', '0x1', '1:', ':1', '256', '1,,2', '1,', '-1', '1:-1', '1:2:3', "'1 2'", '09', '+1', '1:0x', Array.from({ length: 16 }, (_, i) => i).join(','), Array.from({ length: 17 }, (_, i) => i).join(',')];

/** SNPT's prefixes: up to 64 bits, without host bits (the kernel refuses both), of different lengths. */
const NPT_PREFIXES = [['2001:db8::/64', '2001:db8:1::/64'], ['2001:db8::/63', '2001:db8::/64'], ['2001:db8::/65', '2001:db8::/64'], ['2001:db8::1/64', '2001:db8:1::/64'], ['2001:db8::', '2001:db8::'], ['::/0', '::/0'], ['2001:db8::/0', '::/0'], ['2001:db8::/128', '2001:db8::/128']];

const SPELLINGS6 = ['-A INPUT -m ipv6header --header all -j ACCEPT', '-A INPUT -m ipv6header --header ipv6-frag -j ACCEPT', '-A INPUT -m ipv6header --header ip -j ACCEPT', ...IPV6_OPTIONS.flatMap((o) => [`-A INPUT -m hbh --hbh-opts ${o} -j DROP`, `-A INPUT -m dst --dst-opts ${o} -j DROP`]),
  ...NPT_PREFIXES.map(([from, to]) => `-t mangle -A POSTROUTING -j SNPT --src-pfx ${from} --dst-pfx ${to}`),
  '-A INPUT -m rt --rt-0-res -j DROP', '-A INPUT -m rt --rt-type 0 --rt-0-res -j DROP', '-A INPUT -m rt --rt-0-res --rt-type 0 -j DROP', '-A INPUT -m rt ! --rt-type 0 --rt-0-res -j DROP', '-A INPUT -m rt --rt-type 0x0 --rt-0-res -j DROP','-A INPUT -p ipv6-icmp --icmpv6-type 0x80 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 08 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 0200/00 -j ACCEPT', '-A INPUT -m rt --rt-type 65536 -j DROP', '-A INPUT -m rt --rt-type 4294967296 -j DROP', '-A INPUT -p ipv6-icmp --icmpv6-type 128/0 -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type echo-request -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type ping -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type neighbor-solicitation -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type neighbour-advertisement -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type router-solicitation -j ACCEPT', '-A INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT', '-A INPUT -p icmpv6 --icmpv6-type 1 -j ACCEPT', '-A INPUT -p icmp6 --icmpv6-type 1 -j ACCEPT', '-A INPUT -p 58 --icmpv6-type 1 -j ACCEPT', '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type any -j ACCEPT', '-A INPUT -p icmp --icmp-type 8 -j ACCEPT',
  '-A INPUT -f -j DROP', '-A INPUT -m frag --fragid 1 -j DROP', '-A INPUT -m frag --fragfirst -j DROP', '-A INPUT -m rt --rt-type 0 -j DROP', '-A INPUT -m ipv6header --header frag --soft -j DROP', '-A INPUT -m ipv6header --header foo -j DROP', '-A INPUT -m hl --hl-eq 255 -j ACCEPT', '-A INPUT -m hl --hl-eq 256 -j ACCEPT', '-A INPUT -m ttl --ttl-eq 1 -j ACCEPT', '-A INPUT -p esp -j ACCEPT', '-A INPUT -p ipv6-nonxt -j ACCEPT', '-A INPUT -p ipv6 -j ACCEPT', '-A INPUT -p all -j ACCEPT', '-A INPUT -m ah --ahspi 1 -j ACCEPT', '-A INPUT -p ah -m ah --ahspi 1 -j ACCEPT', '-A INPUT -m mh --mh-type 1 -j ACCEPT', '-A INPUT -p mh -m mh --mh-type 1 -j ACCEPT', '-A INPUT -p ipv6-mh -m mh --mh-type 1 -j ACCEPT', '-A INPUT -m eui64 -j ACCEPT', '-A INPUT -m hbh --hbh-len 1 -j ACCEPT', '-A INPUT ! -p 0 -j ACCEPT',
  '-t mangle -A POSTROUTING -j HL --hl-inc 0', '-t mangle -A POSTROUTING -j HL --hl-dec 0', '-t mangle -A POSTROUTING -j HL --hl-set 0', '-A INPUT -m conntrack --ctorigsrc ::1/129 -j DROP',
  '-A INPUT -p ipv6-icmp -m icmp6 -j DROP', '-A INPUT -p 58 --icmpv6-type 1 -j DROP',
  '-A INPUT -m rt --rt-0-not-strict -j DROP', '-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1 --rt-0-not-strict -j DROP', '-A INPUT -m rt --rt-0-addrs ::1 --rt-type 0 -j DROP', '-A INPUT -m rt --rt-type 0x0 --rt-0-addrs ::1 -j DROP', '-A INPUT -m rt ! --rt-type 0 --rt-0-addrs ::1 -j DROP',
  '-A INPUT -m rt --rt-type 0 --rt-0-addrs ::1,::2,::3,::4,::5,::6,::7,::8,::9,::10,::11,::12,::13,::14,::15,::16,::17 -j DROP', '-A INPUT -m rt --rt-type 0 --rt-0-addrs 1.2.3.4 -j DROP',
  '-A INPUT -m frag --fragfirst --fragmore -j DROP', '-A INPUT -m frag --fraglast --fragmore -j DROP',
  '-A INPUT -s ::1/128,::2 -j DROP', '-A INPUT -s [::1] -j DROP', '-A INPUT -s fe80::1%lo -j DROP', '-A INPUT -s fe80::1%2 -j DROP', '-A INPUT -s 2001:db8::/ffff:ffff:: -j DROP', '-A INPUT -m iprange --src-range ::5-::1 -j DROP',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 2001:db8::1:80', '-t nat -A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]-[2001:db8::5]:80', '-t nat -A PREROUTING -j NETMAP --to 2001:db8::1/64',
  '-A INPUT -m ipv6header --header 300 -j DROP', '-A INPUT -m hbh --hbh-opts 1:256 -j DROP', '-A INPUT -j REJECT --reject-with adm-prohibited', '-A INPUT -j REJECT --reject-with tcp-reset',
  '-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-srcmask 129 -j DROP', '-A INPUT -m recent --set --mask 255.255.255.0 -j DROP', '-t mangle -A PREROUTING -p tcp -j TPROXY --on-port 80 --on-ip 1.2.3.4', '-A OUTPUT -m eui64 -j DROP',
  '-t mangle -A PREROUTING -j TEE --gateway ::1 --oif eth0', '-t mangle -A PREROUTING -j TEE --gateway ::1 --oif averyveryverylongname', '-A INPUT -j REJECT --reject-with addr-unreach', '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
  '-A INPUT -m comment --comment web server -j ACCEPT', '-A INPUT -m comment --comment "web server" -j ACCEPT', '-A INPUT -j LOG --log-prefix DROP: x', '-A INPUT -p tcp -m string --algo bm --string GET /x -j DROP',
  'iptables -A INPUT -j ACCEPT', 'sudo iptables -A INPUT -j ACCEPT',
  '-A INPUT -p tcp -dport 22 -j ACCEPT', '-A INPUT -m conntrack -ctstate NEW -j ACCEPT', '-A INPUT -J ACCEPT', '-a INPUT -j ACCEPT', '-A INPUT -I eth0 -j ACCEPT', '-A INPUT -P tcp -j ACCEPT', '-A INPUT -O eth0 -j ACCEPT', '-A INPUT -S 10.0.0.1 -j ACCEPT',
  '-A INPUT -m conntrack --ctstate NEW, ESTABLISHED -j ACCEPT', '-A INPUT -s 10.0.0.1, 10.0.0.2 -j ACCEPT', '-A INPUT -p tcp --tcp-flags SYN,ACK, SYN -j DROP', '-A INPUT -p tcp -m multiport --dports 22, 80 -j ACCEPT', '-A INPUT -p tcp -m multiport --dports 22,80, -j ACCEPT',
  '-t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.2 8080', '-A INPUT -s 192.168.1.0 /24 -j ACCEPT', '-A INPUT -m iprange --src-range 10.0.0.1 - 10.0.0.5 -j ACCEPT', '-A INPUT -p tcp --dport 1000: 2000 -j ACCEPT', '-A INPUT -p tcp --dport 80 443 -j ACCEPT',
  '-A INPUT -p tcp -- dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 22 - j ACCEPT', '-A INPUT -p tcp --d port 22 -j ACCEPT'];

test(`kernel (iptables-${BACKEND}): whole rules in the spellings people use: the linter refuses what the kernel refuses`, { skip, timeout: 300000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) for (const rule of SPELLINGS) all.push({ family, module: `rule ${rule}`, rule });
  for (const rule of SPELLINGS4) all.push({ family: 4, module: `rule ${rule}`, rule });
  for (const rule of SPELLINGS6) all.push({ family: 6, module: `rule6 ${rule}`, rule });
  const verdicts = kernelVerdicts(all, '', true);
  const wrong = disagreements(all, verdicts);
  assert.deepEqual(wrong, []);
});

/**
 * u32 expressions, made at random from its parts (numbers in every form strtoul reads, and some it does not; the
 * operators; blanks; up to eleven of each list, one past iptables' limits), each in a rule of its own: the linter
 * must refuse exactly the expressions iptables or the kernel refuses.
 */
function u32Expressions(count: number, seed: number): string[] {
  const rnd = mulberry(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const GOOD = ['0', '4', '12', '0x3C', '0xFFFF', '010', '+5', '4294967295', '31', '0X1f'];
  const BAD = ['09', '0x', '-1', '4294967296', '32', '', 'a'];
  const sometimes = <T>(good: readonly T[], bad: readonly T[], p = 0.03) => (rnd() < p ? pick(bad) : pick(good));
  const blank = () => (rnd() < 0.15 ? ' ' : '');
  const list = (n: number, item: () => string, sep: () => string) => Array.from({ length: n }, item).reduce((a, b) => `${a}${sep()}${b}`);
  const many = () => (rnd() < 0.04 ? 10 + Math.floor(rnd() * 2) : 1 + Math.floor(rnd() * 3));
  const location = () => list(many(), () => `${blank()}${sometimes(GOOD, BAD)}${blank()}`, () => sometimes(['&', '<<', '>>', '@'], ['&&', '<', '|']));
  const value = () => (rnd() < 0.3 ? `${sometimes(GOOD, BAD)}:${sometimes(GOOD, BAD)}` : sometimes(GOOD, BAD));
  const test = () => `${location()}${sometimes(['='], ['==', '', ':'])}${list(many(), value, () => sometimes([',', ', '], [';', ',,']))}`;
  return Array.from({ length: count }, () => list(rnd() < 0.04 ? 10 + Math.floor(rnd() * 2) : 1 + Math.floor(rnd() * 2), test, () => sometimes(['&&', ' && '], ['&', '&&&'])));
}

test(`kernel (iptables-${BACKEND}): u32 expressions made at random: the linter refuses what iptables and the kernel refuse`, { skip, timeout: 300000 }, () => {
  const all: Case[] = u32Expressions(400, 20261127).map((e) => ({ family: 4, module: `u32 ${e}`, rule: `-A INPUT -m u32 --u32 "${e}" -j DROP` }));
  const verdicts = kernelVerdicts(all, '', true);
  const wrong = disagreements(all, verdicts);
  const refused = verdicts.filter((v) => v === false).length;
  assert.ok(refused > 100 && refused < 350, `the expressions should be taken and refused in good numbers: ${refused} of ${all.length} refused`);
  assert.deepEqual(wrong, []);
});

/**
 * -m hashlimit rates and bursts on a grid: the kernel's 64-bit count of credits wraps round for a slow rate with a
 * burst of some sizes (not all larger ones), and iptables takes bursts up to 1000000 packets, or bytes with `kb`.
 */
test(`kernel (iptables-${BACKEND}): hashlimit rates and bursts: the linter refuses what the kernel refuses`, { skip, timeout: 300000 }, () => {
  const all: Case[] = [];
  for (const rate of ['1/day', '2/day', '3/day', '7/day', '1/hour', '2/hour', '1/min', '1/sec', '100/day', '13/hour']) {
    for (const burst of ['', '1', '2', '5', '6', '9', '17', '100', '10000', '65535', '1000000', '1000001']) {
      all.push({ family: 4, module: 'hashlimit', rule: `-A INPUT -m hashlimit --hashlimit-upto ${rate}${burst ? ` --hashlimit-burst ${burst}` : ''} --hashlimit-name x -j DROP` });
    }
  }
  for (const burst of ['400kb', '1mb', '0x10', '0', '4096', '4095', '4kb', '3kb', '1gb', '0x1000', '010000', '4096x']) all.push({ family: 6, module: 'hashlimit', rule: `-A INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst ${burst} --hashlimit-name x -j DROP` });
  all.push({ family: 4, module: 'hashlimit', rule: '-A INPUT -m hashlimit --hashlimit-upto 1/s --hashlimit-burst 400kb --hashlimit-name x -j DROP' });
  const verdicts = kernelVerdicts(all, '', true);
  const wrong = disagreements(all, verdicts);
  assert.ok(verdicts.filter((v) => v === false).length >= 20, 'the grid holds refusals of the credit count');
  assert.deepEqual(wrong, []);
});

/**
 * The less common extensions iptables ships: HMARK's required options, its fields named by their beginning, its
 * prefixes as lengths or masks; the rateest match against estimators made beforehand (the kernel refuses one that
 * names none, so each namespace first makes est0 and est1), its optional rates; the IPv6 segment routing header;
 * CONNMARK's shifts; targets the kernel no longer has.
 */
const EXTENSIONS = [
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src,dst --hmark-mod 10 --hmark-rnd 0xcafe --hmark-offset 100',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple s,sp,CT --hmark-mod 10 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src,,dst --hmark-mod 10 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src, --hmark-mod 10 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple port --hmark-mod 10 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 10',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-mod 10 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-tuple src --hmark-mod 0 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-spi-mask 1 --hmark-sport-mask 2 --hmark-mod 1 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-spi 1 --hmark-dport 2 --hmark-mod 1 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-sport 1 --hmark-mod 1 --hmark-rnd 1',
  '-t mangle -A PREROUTING -j HMARK --hmark-proto-mask 0x1ff --hmark-tuple src --hmark-mod 1 --hmark-rnd 1',
  ...['24', '32', '33', '129', '200', '4294967296', '-1', '010', '0x10', '255.0.255.0', '1.2.3', 'ffff:0:ffff::', '::', 'abc'].map((p) => `-t mangle -A PREROUTING -j HMARK --hmark-src-prefix ${p} --hmark-mod 1 --hmark-rnd 1`),
  '-t mangle -A PREROUTING -m rateest --rateest est0 --rateest-bps 1mbit --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 --rateest-gt --rateest2 est1 --rateest-bps2 -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 --rateest-gt --rateest2 est1 -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest-delta --rateest1 est0 --rateest-bps1 1mbit --rateest-gt --rateest2 est1 --rateest-bps2 1.5MBIT -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-pps1 0x10 --rateest-lt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 ! --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 ! --rateest-bps1 --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest-bps1 --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 10xyz --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 2KiBps --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-bps1 1e3 --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest-pps1 x --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -m rateest --rateest1 est0 --rateest1 est1 --rateest-bps1 --rateest-gt -j ACCEPT',
  '-t mangle -A PREROUTING -j CONNMARK --restore-mark --left-shift-mark 31',
  '-t mangle -A PREROUTING -j CONNMARK --restore-mark --left-shift-mark 32',
  '-t mangle -A PREROUTING -j CONNMARK --save-mark --right-shift-mark 8',
  '-t mangle -A PREROUTING -j CONNMARK --left-shift-mark 3',
  '-A INPUT -j ULOG --ulog-prefix x',
  '-A INPUT -d 10.0.0.1 -i eth0 -j CLUSTERIP --new --hashmode sourceip --clustermac 01:00:5E:00:00:20 --total-nodes 2 --local-node 1',
];
const EXTENSIONS6 = ['-m srh --srh-next-hdr 17 --srh-segs-left-gt 1', '! --srh-tag 5', '--srh-psid 2001:db8::/64 --srh-lsid 2001:db8::1', '--srh-nsid 10.0.0.1', '--srh-hdr-len-eq 256', '--srh-last-entry-lt 0x10', ''].map((m) => `-A INPUT -m srh ${m.replace('-m srh ', '')} -j DROP`);

test(`kernel (iptables-${BACKEND}): extensions beyond the common ones (HMARK, rateest, srh, CONNMARK shifts, removed targets): the linter refuses what the kernel refuses`, { skip, timeout: 120000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) for (const rule of EXTENSIONS) all.push({ family, module: `rule ${rule}`, rule });
  for (const rule of EXTENSIONS6) all.push({ family: 6, module: 'match srh', rule });
  const estimators = ['est0', 'est1'].map((name) => `iptables-${BACKEND} -t mangle -A FORWARD -j RATEEST --rateest-name ${name} --rateest-interval 250ms --rateest-ewmalog 1s`).join('\n');
  const verdicts = kernelVerdicts(all, estimators);
  const wrong = disagreements(all, verdicts);
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((v) => v === true).length >= 30 && verdicts.filter((v) => v === false).length >= 30);
});

/**
 * Service names for every protocol that looks them up: the tcp match and multiport ask /etc/services for the rule's
 * protocol, the udp and dccp matches for any. What this system (Debian's netbase) lacks for the protocol asked is
 * an error where no list has it, and a warning naming Debian and Ubuntu where longer lists do: either is the linter
 * saying that the kernel here refuses the rule.
 */
test(`kernel (iptables-${BACKEND}): service names by protocol: the linter says iptables refuses what it refuses on this system`, { skip, timeout: 120000 }, () => {
  const names = ['ssh', 'http', 'https', 'domain', 'ntp', 'bootps', 'snmp', 'dns', 'zabbix', 'pptp', 'ssdp', 'mysql', 'mdns', 'amqp', 'ftp-data', 'SSH', 'Domain', 'postgres', 'htps', 'imap3'];
  const shapes = (n: string) => [`-p tcp --dport ${n}`, `-p udp --sport ${n}`, `-p dccp --dport ${n}`, `-p tcp -m multiport --dports 22,${n}`, `-p udp -m multiport --ports ${n}:1024`, `-p udplite -m multiport --dports ${n}`, `-p sctp -m multiport --sports ${n}`, `-p 17 -m multiport --dports ${n}`];
  const all: Case[] = names.flatMap((n) => shapes(n).map((m) => ({ family: 4 as const, module: 'services', rule: `-A INPUT ${m} -j ACCEPT` })));
  const verdicts = kernelVerdicts(all);
  const says = (c: Case) => {
    const diags = lint(`iptables ${c.rule}\n`, { format: 'script' }).diagnostics;
    return refusals(diags).length > 0 || diags.some((d) => d.code === 'invalid-value' && /on Debian and Ubuntu/.test(d.message));
  };
  const wrong = all.flatMap((c, i) => (verdicts[i] === undefined || verdicts[i] === !says(c) ? [] : [`${verdicts[i] ? 'false refusal' : 'missed refusal'}: ${show(c)}`]));
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((v) => v === false).length >= 40 && verdicts.filter((v) => v === true).length >= 40);
});

/** The address iptables loads for each odd form it takes is the one the linter reads (and its fix writes). */
test(`kernel (iptables-${BACKEND}): IPv4 addresses in octal, hexadecimal and inet_aton forms: the address iptables loads is the one the linter reads`, { skip, timeout: 60000 }, () => {
  const forms = ODD_IPV4.filter((a) => !a.includes(','));
  const script = forms.map((a) => `iptables-${BACKEND} -F INPUT; iptables-${BACKEND} -A INPUT -d '${a}' 2>/dev/null && iptables-${BACKEND} -S INPUT | sed -n 2p || echo refused`).join('\n');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8' });
  const loaded = r.stdout.trim().split('\n');
  assert.equal(loaded.length, forms.length, r.stderr);
  // A network as iptables-save writes it (network address and prefix length), as the linter reads it.
  const asSaved = (text: string) => {
    const net = parseNet(text);
    return net?.ok ? `${formatAddress(net.net.network, 4)}/${net.net.prefix}` : undefined;
  };
  const wrong: string[] = [];
  forms.forEach((a, i) => {
    const kernel = /-d (\S+)/.exec(loaded[i])?.[1];
    if (kernel !== asSaved(a)) wrong.push(`${a}: iptables loads ${kernel ?? 'nothing'}, the linter reads ${asSaved(a) ?? 'nothing'}`);
    // The fix, where there is one, writes what iptables loads.
    const fix = lint(`iptables -A INPUT -d ${a}\n`, { format: 'script' }).diagnostics.find((d) => d.code === 'invalid-value')?.data?.replacement as string | undefined;
    if (fix && kernel && asSaved(fix) !== kernel) wrong.push(`${a}: the fix writes ${fix}, iptables loads ${kernel}`);
  });
  assert.deepEqual(wrong, []);
  assert.ok(loaded.filter((l) => l !== 'refused').length >= 12);
});

/**
 * Every match and target of the knowledge base alone, without any of its options (`-m owner`, `-j TEE`), in a table
 * and chain it is allowed in, with the protocol it needs: most refuse to load so, each with its own wording.
 */
test(`kernel (iptables-${BACKEND}): every module without its options: the linter refuses what the kernel refuses`, { skip, timeout: 120000 }, () => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...MATCHES, ...TARGETS]) {
      if (m.removed || (m.family && m.family !== family)) continue;
      const table = m.tables && !m.tables.includes('filter') ? m.tables[0] : 'filter';
      const chain = m.chains?.find((c) => table !== 'filter' || ['INPUT', 'FORWARD', 'OUTPUT'].includes(c)) ?? m.chains?.[0] ?? (table === 'filter' ? 'INPUT' : 'PREROUTING');
      const proto = m.protocols ? `-p ${m.protocols[0]} ` : '';
      all.push({ family, module: `${m.kind} ${m.name}`, rule: `-t ${table} -A ${chain} ${proto}${m.kind === 'match' ? `-m ${m.name} -j ACCEPT` : `-j ${m.name}`}` });
    }
  }
  const verdicts = kernelVerdicts(all, '', true);
  const wrong = disagreements(all, verdicts);
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((v) => v === false).length >= 60 && verdicts.filter((v) => v === true).length >= 40);
});

/**
 * The options of a rule with the commands that take none (-F, -Z, -N, -X, -L, -S, -E, -P, a -D by number), and the
 * options every command takes (-v, -4, -m with its options): each command run after a chain X and a rule in INPUT
 * are made, in a namespace of its own.
 */
test(`kernel (iptables-${BACKEND}): rule options with commands that take no rule: the linter refuses what iptables refuses`, { skip, timeout: 120000 }, () => {
  const commands = ['-A INPUT', '-D INPUT 1', '-F INPUT', '-Z INPUT', '-Z INPUT 1', '-N Z', '-X X', '-L INPUT', '-S INPUT', '-E X W', '-P INPUT ACCEPT'];
  const options = ['-s 1.2.3.4', '-d 1.2.3.4', '-p tcp', '-j ACCEPT', '-i eth0', '-o eth0', '-f', '-c 1 2', '-n', '-x', '--line-numbers', '-v', '-4', '-g Y', '-m comment --comment x'];
  const cases = commands.flatMap((command) => options.map((option) => `${command} ${option}`));
  const tool = `iptables-${BACKEND}`;
  const script = cases.map((c) => `(${tool} -F; ${tool} -X; ${tool} -N X; ${tool} -N Y; ${tool} -A INPUT -j ACCEPT) >/dev/null 2>&1; ${tool} ${c} >/dev/null 2>&1; echo $?`).join('\n');
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script], { encoding: 'utf8' });
  const codes = r.stdout.trim().split('\n');
  assert.equal(codes.length, cases.length, r.stderr);
  const wrong = cases.flatMap((c, i) => {
    const errors = refusals(lint(`iptables -N X\niptables -N Y\niptables -A INPUT -j ACCEPT\niptables ${c}\n`, { format: 'script' }).diagnostics).filter((d) => d.range.start.line === 3);
    const taken = codes[i] === '0';
    return taken === (errors.length === 0) ? [] : [`${taken ? 'false error' : 'missed refusal'}: iptables ${c}${errors[0] ? ` (${errors[0].message})` : ''}`];
  });
  assert.deepEqual(wrong, []);
  assert.ok(codes.filter((c) => c !== '0').length >= 100);
});
