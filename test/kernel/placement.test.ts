/**
 * Where targets and matches may stand, and which of their options go together, against the kernel: every target and every match, with what it cannot do
 * without, in every built-in chain of every table, for both families, each rule loaded alone in a throw-away
 * namespace; the linter must refuse exactly what the kernel refuses (targets and matches this kernel lacks are
 * named and left out). Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MATCHES, ModuleSpec, OptionSpec, TABLES, TARGETS } from '../../server/src/engine/kb';
import { requirement } from '../helpers/env';
import { BACKEND, refusals } from '../helpers/lint';
import { lint } from '../../server/src/engine/lint';
import { kernelUnavailable, loadAll } from './oracle';
import { Case, kernelVerdicts, lintErrors, show } from './verdicts';

const why = kernelUnavailable();
const skip = requirement(!why, `placements cannot be checked against the kernel: ${why}`);

/** What each module cannot be loaded without (its own required options, a protocol, a state for SYNPROXY). */
const NEEDS: Record<string, string> = {
  'target SNAT': '--to-source 10.0.0.1', 'target DNAT': '--to-destination 10.0.0.1', 'target NETMAP': '--to 10.0.0.0/24', 'target MARK': '--set-mark 1', 'target CONNMARK': '--set-mark 1',
  'target TPROXY': '-p tcp -j TPROXY --on-port 80', 'target SET': '--add-set SET src', 'target TCPMSS': '-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu', 'target CLASSIFY': '--set-class 1:1',
  'target TTL': '--ttl-set 5', 'target HL': '--hl-set 5', 'target DSCP': '--set-dscp 1', 'target TOS': '--set-tos 0x10', 'target CHECKSUM': '--checksum-fill', 'target IDLETIMER': '--timeout 5 --label x',
  'target AUDIT': '--type drop', 'target LED': '--led-trigger-id x', 'target RATEEST': '--rateest-name x --rateest-interval 250ms --rateest-ewmalog 1s', 'target SECMARK': '--selctx system_u:object_r:x:s0',
  'target CONNSECMARK': '--save', 'target TEE': '--gateway GATEWAY', 'target HMARK': '--hmark-mod 2 --hmark-tuple src', 'target SYNPROXY': '-p tcp -m state --state INVALID,UNTRACKED -j SYNPROXY --mss 1460',
  'target CT': '--notrack', 'target NFQUEUE': '--queue-num 1', 'target DNPT': '--src-pfx 2001:db8::/64 --dst-pfx 2001:db8:1::/64', 'target SNPT': '--src-pfx 2001:db8::/64 --dst-pfx 2001:db8:1::/64',
  'target TCPOPTSTRIP': '-p tcp -j TCPOPTSTRIP --strip-options sack-permitted', 'target ECN': '--ecn-ip-ect 1',
  'match multiport': '-p tcp -m multiport --dports 80', 'match hashlimit': '--hashlimit-upto 1/s --hashlimit-name h', 'match string': '--algo bm --string x', 'match set': '--match-set SET src',
  'match mac': '--mac-source 00:11:22:33:44:55', 'match iprange': '--src-range RANGE', 'match policy': '--dir in --pol none', 'match statistic': '--mode random --probability 0.5',
  'match connlimit': '--connlimit-above 2', 'match u32': '--u32 0=0', 'match mark': '--mark 1', 'match connmark': '--mark 1', 'match comment': '--comment x', 'match state': '--state NEW', 'match recent': '--set',
  'match cluster': '--cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 1', 'match length': '--length 10', 'match ttl': '--ttl-eq 5', 'match hl': '--hl-eq 5', 'match tos': '--tos 0x10',
  'match dscp': '--dscp 1', 'match helper': '--helper ftp', 'match connbytes': '--connbytes 10 --connbytes-dir both --connbytes-mode bytes', 'match quota': '--quota 100', 'match limit': '--limit 1/s',
  'match addrtype': '--src-type LOCAL', 'match pkttype': '--pkt-type unicast', 'match physdev': '--physdev-in eth0', 'match owner': '--uid-owner 0', 'match conntrack': '--ctstate NEW',
  'match time': '--timestart 10:00', 'match realm': '--realm 1', 'match devgroup': '--src-group 1', 'match cpu': '--cpu 0', 'match cgroup': '--cgroup 1', 'match ecn': '--ecn-ip-ect 1',
  'match tcpmss': '-p tcp -m tcpmss --mss 1000', 'match rateest': '--rateest x --rateest-lt --rateest-bps 10', 'match nfacct': '--nfacct-name x', 'match osf': '--genre Linux', 'match bpf': '--bytecode 1,6 0 0 0',
  'match connlabel': '--label 1', 'match ipvs': '--ipvs', 'match esp': '--espspi 1', 'match ah': '--ahspi 1', 'match ipcomp': '--ipcompspi 1', 'match sctp': '--dport 80', 'match dccp': '--dport 80',
  'match tcp': '--dport 80', 'match udp': '--dport 80', 'match icmp': '--icmp-type 8', 'match icmp6': '--icmpv6-type 128', 'match frag': '--fragid 1', 'match rt': '--rt-type 0', 'match hbh': '--hbh-len 1',
  'match dst': '--dst-len 1', 'match mh': '--mh-type 1', 'match ipv6header': '--header hop',
};

/** The rule for a module in a chain: what it needs (which may name the module itself, with a protocol before it). */
function ruleFor(m: ModuleSpec, family: 4 | 6, table: string, chain: string): string {
  const needs = (NEEDS[`${m.kind} ${m.name}`] ?? '').replace('SET', family === 6 ? 'set6' : 'set4').replace('GATEWAY', family === 6 ? '2001:db8::1' : '10.0.0.1').replace('RANGE', family === 6 ? '2001:db8::1-2001:db8::9' : '10.0.0.1-10.0.0.9');
  const flag = m.kind === 'match' ? '-m' : '-j';
  const proto = m.protocols ? `-p ${family === 6 && m.protocols.includes('ipv6-icmp') ? 'ipv6-icmp' : m.protocols[0]} ` : '';
  const body = needs.includes(`${flag} ${m.name} `) || needs.endsWith(`${flag} ${m.name}`) ? needs : `${proto}${flag} ${m.name} ${needs}`;
  return `-t ${table} -A ${chain} ${body}`.trim();
}

test(`kernel (iptables-${BACKEND}): every target and match in every built-in chain of every table: the linter refuses what the kernel refuses`, { skip, timeout: 300000 }, (t) => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...TARGETS, ...MATCHES]) {
      if (m.removed || (m.family && m.family !== family) || ['ACCEPT', 'DROP', 'RETURN', 'QUEUE'].includes(m.name)) continue;
      for (const tb of TABLES) for (const chain of tb.chains) all.push({ family, module: `${m.kind} ${m.name}`, rule: ruleFor(m, family, tb.name, chain) });
    }
  }
  const verdicts = kernelVerdicts(all, 'ipset create set4 hash:ip; ipset create set6 hash:ip family inet6');
  const wrong = all.filter((c, i) => verdicts[i] !== undefined && verdicts[i] !== (lintErrors(c).length === 0)).map((c) => `${show(c)}${lintErrors(c)[0] ? ` (${lintErrors(c)[0]})` : ''}`);
  const absent = [...new Set(all.filter((_, i) => verdicts[i] === undefined).map((c) => c.module))];
  t.diagnostic(`${all.length} cases; modules this kernel lacks, left out: ${absent.join(', ') || 'none'}`);
  assert.deepEqual(wrong, []);
  assert.ok(verdicts.filter((v) => v !== undefined).length > 2500);
});

/** A value of each of an option's arguments that the option takes. */
function sampleOf(o: OptionSpec, fam: 4 | 6): string | undefined {
  return o.args.map((k) => {
    if (k.choices) return k.choices.find((c) => !c.family || c.family === fam)!.label;
    const n = k.name;
    if (n.startsWith('int:')) return n.split(':')[1] === '0' ? '1' : n.split(':')[1];
    if (n.startsWith('intrange')) return '1';
    if (n.startsWith('string')) return 'x';
    return ({ address: fam === 6 ? '2001:db8::1' : '10.0.0.1', 'address-list': fam === 6 ? '2001:db8::1' : '10.0.0.1', 'plain-address': fam === 6 ? '2001:db8::1' : '10.0.0.1', 'ip-range': fam === 6 ? '2001:db8::1-2001:db8::9' : '10.0.0.1-10.0.0.9',
      any: '1', class: '1:1', date: '2030-01-01', 'hashlimit rate': '1/s', interface: 'eth0', mac: '00:11:22:33:44:55', mark: '0x1', monthdays: '1', 'nat-ports': '80', 'nat-target': fam === 6 ? '2001:db8::1' : '10.0.0.1',
      port: '80', 'port-range': '80', 'strict-port-range': '80', 'port-list': '80', probability: '0.5', protocol: 'tcp', 'queue range': '1:2', rate: '1/s', 'set flags': 'src', 'set name': fam === 6 ? 'set6' : 'set4', time: '10:00',
      'user or group': '0', 'window scale': '7' } as Record<string, string>)[n];
  }).join(' ');
}

test(`kernel (iptables-${BACKEND}): every pair of options of each match and target: no error where the kernel takes the rule`, { skip, timeout: 300000 }, (t) => {
  const all: Case[] = [];
  for (const family of [4, 6] as const) {
    for (const m of [...MATCHES, ...TARGETS]) {
      if (m.removed || (m.family && m.family !== family)) continue;
      const table = m.tables && !m.tables.includes('filter') ? m.tables[0] : 'filter';
      const chain = m.chains?.find((c) => TABLES.find((x) => x.name === table)!.chains.includes(c)) ?? (table === 'filter' ? 'INPUT' : 'PREROUTING');
      const proto = m.protocols ? `-p ${family === 6 && m.protocols.includes('ipv6-icmp') ? 'ipv6-icmp' : m.protocols[0]} ` : '-p tcp ';
      const opts = m.options.filter((o) => !o.removed && (!o.family || o.family === family));
      for (const a of opts) for (const b of opts) {
        const [va, vb] = [sampleOf(a, family), sampleOf(b, family)];
        if ((a === b && !a.args.length) || va === undefined || vb === undefined || /undefined/.test(va + vb)) continue;
        const body = `${a.names[0]} ${va} ${b.names[0]} ${vb}`.replace(/ +/g, ' ').trim();
        all.push({ family, module: `${m.kind} ${m.name}`, rule: `-t ${table} -A ${chain} ${proto}${m.kind === 'match' ? `-m ${m.name} ${body} -j ACCEPT` : `-j ${m.name} ${body}`}` });
      }
    }
  }
  const verdicts = kernelVerdicts(all, 'ipset create set4 hash:ip; ipset create set6 hash:ip family inet6');
  const falseErrors = all.filter((c, i) => verdicts[i] === true && lintErrors(c).length > 0).map((c) => `${show(c)} (${lintErrors(c)[0]})`);
  // Pairs the kernel refuses that the linter lets pass need an option beside them, an order, or a table of their
  // own (-j SET --map-set is mangle's): counted only.
  const missed = all.filter((c, i) => verdicts[i] === false && lintErrors(c).length === 0).length;
  t.diagnostic(`${all.length} pairs; ${missed} refused for reasons beyond the pair`);
  assert.deepEqual(falseErrors, []);
});

test(`kernel (iptables-${BACKEND}): modules reached through a jump from a chain they may not stand in: the linter refuses what the kernel refuses`, { skip, timeout: 120000 }, (t) => {
  const cases: Array<{ family: 4 | 6; text: string; module: string }> = [];
  for (const family of [4, 6] as const) {
    for (const m of [...TARGETS, ...MATCHES]) {
      if (m.removed || (m.family && m.family !== family)) continue;
      const restricted = m.chains ?? m.options.find((o) => o.chains)?.chains;
      if (!restricted) continue;
      for (const tb of TABLES) {
        if (m.tables && !m.tables.includes(tb.name)) continue;
        for (const hook of tb.chains.filter((c) => !restricted.includes(c))) {
          // The rule as placement builds it, in a user chain X that the hook jumps to.
          const rule = ruleFor(m, family, tb.name, 'X').replace(`-t ${tb.name} -A X `, '');
          const restrictedOption = !m.chains && m.options.find((o) => o.chains);
          const body = restrictedOption && !rule.includes(restrictedOption.names[0]) ? `${rule} ${restrictedOption.names[0]} ${sampleOf(restrictedOption, family) ?? ''}`.trim() : rule;
          cases.push({ family, module: `${m.kind} ${m.name}`, text: `*${tb.name}\n:X - [0:0]\n-A X ${body}\n-A ${hook} -j X\nCOMMIT\n` });
        }
      }
    }
  }
  const verdicts = loadAll(cases.map((c) => ({ family: c.family, text: c.text })));
  const wrong = cases.filter((c, i) => !/missing kernel module|No chain\/target\/match/.test(verdicts[i].message) && verdicts[i].accepted !== (refusals(lint(c.text, { family: c.family }).diagnostics).length === 0))
    .map((c) => `${c.module} (IPv${c.family}): ${JSON.stringify(c.text)}`);
  t.diagnostic(`${cases.length} rules reached through a jump`);
  assert.deepEqual(wrong, []);
  assert.ok(cases.length > 150);
});
