/**
 * Property: for random small rulesets, every rule the analysis calls dead is confirmed dead by walking concrete
 * packets (drawn from the rule's own match, corners included) through the chain with an evaluator that reads the
 * rules directly, independently of the interval model. The same for the claims that packets are surely denied: SSH
 * lockouts (INPUT, and SSH answers in OUTPUT), port forwards the filter table drops, FORWARD replies with no accept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { refuteDead } from '../../server/src/engine/trace/confirm';
import { matchRule } from '../../server/src/engine/trace/evaluate';
import { samplePackets } from '../../server/src/engine/trace/sample';
import { AnalysisModel } from '../../server/src/engine/analysis/model';
import { AnalysisLimits } from '../../server/src/engine/analysis/limits';
import { Dim, Space, STATES } from '../../server/src/engine/analysis/space';
import { IntervalSet } from '../../server/src/engine/analysis/intervals';
import { walkChain } from '../../server/src/engine/trace/walk';
import { LintResult } from '../../server/src/engine/lint';
import { mulberry } from '../../server/src/engine/trace/confirm';
import { Packet } from '../../server/src/engine/trace/packet';

const DEAD = new Set(['shadowed-rule', 'redundant-rule', 'reject-before-accept']);
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

const src = fc.constantFrom('', '', '', '', '-s 10.0.0.0/8', '-s 10.1.0.0/16', '-s 10.1.2.3', '-s 192.168.0.0/16', '! -s 10.0.0.0/8', '-d 10.1.2.0/24', '-s 10.0.0.0/9,10.128.0.0/9');
const proto = fc.constantFrom('', '', '-p tcp', '-p tcp', '-p udp', '-p icmp', '! -p tcp');
const port = fc.constantFrom('', '', '', '--dport 22', '--dport 80', '--dport 1000:2000', '--dport 0:1023', '--dport 1024:65535', '-m multiport --dports 22,80', '! --dport 22', '--syn', '--sport 53', '--sport 1000:1100', '--icmp-type echo-req', '--icmp-type ECHO-REPLY', '--icmp-type 3/4', '--dport 010', '--dport 8:010');
const iface = fc.constantFrom('', '', '', '', '-i eth0', '-i eth+', '-i lo', '! -i eth1');
const state = fc.constantFrom('', '', '', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m state --state INVALID', '-m conntrack ! --ctstate NEW', '-m conntrack --ctstate est,Rel', '-m state --state new');
const other = fc.constantFrom('', '', '', '-m limit --limit 5/min', '-m recent --rcheck --name x', '-m length --length 0:500', '-f', '-m comment --comment x');
const target = fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'LOG', 'X', 'RETURN');

const rule = fc.tuple(fc.constantFrom('INPUT', 'INPUT', 'X'), src, proto, port, iface, state, other, target).map(([chain, s, p, dp, i, st, o, t]) => {
  const portPart = p === '-p tcp' || p === '-p udp' ? (p === '-p udp' && dp === '--syn' ? '' : dp) : '';
  const tgt = chain === 'X' && t === 'X' ? 'DROP' : chain === 'INPUT' && t === 'RETURN' ? 'ACCEPT' : t;
  return `-A ${chain} ${[s, p, portPart, i, st, o].filter(Boolean).join(' ')} -j ${tgt}`.replace(/ +/g, ' ');
});

/**
 * SSH packets (TCP to port 22 from an unprivileged port, NEW, first fragments) from anywhere: none may be accepted
 * when a lockout is reported.
 */
function refuteLockout(result: LintResult, samples: number, rnd: () => number): string | undefined {
  const input = result.state.get(4, 'filter', 'INPUT')!;
  const space = new Space(4);
  const ssh = space.full.slice();
  ssh[Dim.Proto] = IntervalSet.point(6n);
  ssh[Dim.Dport] = IntervalSet.point(22n);
  ssh[Dim.Sport] = IntervalSet.of(1024n, 65535n);
  ssh[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
  ssh[Dim.Frag] = IntervalSet.point(0n);
  // A remote session never arrives over lo.
  ssh[Dim.In] = IntervalSet.point(BigInt('0x' + Buffer.from('lo').toString('hex').padEnd(32, '0'))).complement(space.max[Dim.In]);
  for (const p of samplePackets(ssh, 4, samples, rnd)) {
    if (walkChain(result.state, 4, input, p, { maxOutcomes: 32 }).some((o) => o.verdict === 'ACCEPT')) return `${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} is accepted`;
  }
  return undefined;
}

/**
 * Rulesets that lean on a user chain: X returns some packets and decides the rest, and INPUT jumps into it early,
 * so that what X surely decides (and what the limits cut short) shapes the claims about INPUT.
 */
const viaChain = fc.tuple(
  fc.array(fc.tuple(src, proto, port, fc.constantFrom('RETURN', 'RETURN', 'RETURN', 'DROP', 'ACCEPT')), { minLength: 1, maxLength: 6 }),
  fc.constantFrom('DROP', 'ACCEPT', 'REJECT'),
  fc.array(rule.filter((r) => r.startsWith('-A INPUT')), { minLength: 1, maxLength: 6 }),
).map(([xs, last, after]) => [
  ...xs.map(([s, p, dp, t]) => `-A X ${[s, p, p === '-p tcp' || p === '-p udp' ? (dp === '--syn' && p === '-p udp' ? '' : dp) : ''].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' ')),
  `-A X -j ${last}`,
  '-A INPUT -j X',
  ...after,
]);

/** Rulesets that mostly deny, with an SSH accept somewhere (or none): the SSH lockout check at work. */
const mostlyDeny = fc.tuple(
  fc.array(rule.filter((r) => r.startsWith('-A INPUT')).map((r) => r.replace(/-j \S+$/, '-j DROP')), { minLength: 2, maxLength: 10 }),
  fc.nat(10),
  fc.constantFrom('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp -m multiport --dports 22,80 -m limit --limit 5/min -j ACCEPT', ''),
).map(([drops, at, accept]) => (accept ? [...drops.slice(0, at), accept, ...drops.slice(at)] : drops));

/** Every dead-rule and lockout claim of random rulesets, confirmed by concrete packets; the number of claims. */
function confirmClaims(policy: string, limits?: Partial<AnalysisLimits>): { dead: number; lockouts: number } {
  let claims = 0;
  let lockouts = 0;
  fc.assert(
    fc.property(fc.oneof(fc.array(rule, { minLength: 3, maxLength: 12 }), viaChain, mostlyDeny), (rules) => {
      const text = ['*filter', `:INPUT ${policy} [0:0]`, ':X - [0:0]', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text, { limits });
      for (const d of result.diagnostics.filter((x) => DEAD.has(x.code))) {
        const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
        claims++;
        const refuted = refuteDead(result, cmd, 120);
        assert.equal(refuted, undefined, `${d.code} on line ${d.range.start.line + 1} is wrong: ${refuted}\n${text}`);
      }
      if (result.diagnostics.some((d) => d.code === 'ssh-lockout')) {
        lockouts++;
        const refuted = refuteLockout(result, 120, mulberry(7));
        assert.equal(refuted, undefined, `ssh-lockout is wrong: ${refuted}\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261126 },
  );
  return { dead: claims, lockouts };
}

test(`property: every rule reported dead is confirmed dead by concrete packets (${RUNS} rulesets)`, (t) => {
  const { dead, lockouts } = confirmClaims('ACCEPT');
  t.diagnostic(`${dead} dead-rule claims and ${lockouts} lockouts confirmed`);
  assert.ok(dead > 100, `the property exercised dead-rule claims (${dead})`);
});

test(`property: with every work limit tiny, what is still claimed is still right, lockouts included (${RUNS} rulesets)`, (t) => {
  const tiny = { decisions: 1, candidates: 2, chainWork: 12, cover: 2, followPieces: 1, followIntervals: 1 };
  const { dead, lockouts } = confirmClaims('DROP', tiny);
  t.diagnostic(`${dead} dead-rule claims and ${lockouts} lockouts confirmed under tiny limits`);
  assert.ok(dead > 20 && lockouts > 20, `the property exercised dead-rule claims (${dead}) and lockouts (${lockouts})`);
});

test('the concrete evaluator agrees with the model on packets drawn from exact rules', () => {
  const text = ['*filter', ':INPUT ACCEPT [0:0]',
    '-A INPUT -s 10.0.0.0/8 -p tcp --dport 1000:2000 -i eth+ -m conntrack --ctstate NEW -j ACCEPT',
    '-A INPUT ! -s 192.168.0.0/16 -p udp -m multiport --dports 53,123 -j ACCEPT',
    '-A INPUT -p icmp --icmp-type echo-request -m length --length 0:100 -j ACCEPT',
    '-A INPUT -p tcp --syn ! -i lo -j DROP', 'COMMIT', ''].join('\n');
  const result = lint(text);
  const model = new AnalysisModel(result.ruleset, result.state);
  const cs = result.state.get(4, 'filter', 'INPUT')!;
  const rnd = mulberry(7);
  for (const r of cs.rules) {
    const ri = model.ruleInfo(r, cs);
    assert.ok(ri.exact);
    for (const p of samplePackets(ri.box, 4, 200, rnd)) assert.equal(matchRule(r, p), 'yes', `line ${r.range.start.line + 1}: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
  }
});

/** Random gateways: port forwards in nat, and FORWARD, INPUT and OUTPUT rules that may or may not let them through. */
const gwRule = fc.tuple(
  fc.constantFrom('FORWARD', 'FORWARD', 'FORWARD', 'INPUT', 'OUTPUT'),
  fc.constantFrom('', '', '-i eth0', '-i eth1', '-o eth0', '-o eth1', '-i eth0 -o eth1', '-i eth1 -o eth0', '-i lo', '-o lo'),
  fc.constantFrom('', '', '-d 192.168.1.10', '-d 192.168.1.0/24', '-s 192.168.1.0/24', '! -d 192.168.1.11'),
  fc.constantFrom('', '', '-p tcp', '-p tcp --dport 32400', '-p tcp --dport 80', '-p tcp --sport 22', '-p udp', '-p tcp --dport 22', '-p tcp --dport 5432', '-p tcp --dport 3306:6379', '-p icmp', '-p icmp --icmp-type fragmentation-needed', '-p icmp --icmp-type echo-request'),
  fc.constantFrom('', '', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m conntrack --ctstate ESTABLISHED', '-m conntrack --ctstate ESTABLISHED', '-m conntrack --ctstate RELATED', '-m limit --limit 5/min'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'LOG'),
).map(([chain, io, addr, pp, st, t]) => {
  const ifaces = chain === 'INPUT' ? io.replace(/ ?-o eth\d/g, '') : chain === 'OUTPUT' ? io.replace(/ ?-i eth\d/g, '') : io;
  return `-A ${chain} ${[ifaces, addr, pp, st].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' ');
});
const dnatRule = fc.tuple(fc.constantFrom('-i eth0 ', '', '-i eth1 '), fc.constantFrom('32400', '8080'), fc.constantFrom('192.168.1.10', '192.168.1.10:80', '192.168.1.10-192.168.1.12', '192.168.1.11:32400'))
  .map(([i, port, to]) => `-A PREROUTING ${i}-p tcp --dport ${port} -j DNAT --to-destination ${to}`);

/** The first packets a DNAT sends on, worked out here by hand from the rule's text (not by the check's own code). */
function forwardedBy(box: IntervalSet[], to: string): IntervalSet[] {
  const m = /^([\d.]+)(?:-([\d.]+))?(?::(\d+))?$/.exec(to)!;
  const ip = (s: string) => BigInt(s.split('.').reduce((a, x) => a * 256 + Number(x), 0));
  const out = box.slice();
  out[Dim.Dst] = IntervalSet.of(ip(m[1]), ip(m[2] ?? m[1]));
  if (m[3]) out[Dim.Dport] = IntervalSet.point(BigInt(m[3]));
  out[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
  return out;
}

/** The replies to what a rule accepts, by hand: sources and destinations, ports and interfaces swapped. */
function repliesTo(box: IntervalSet[], space: Space): IntervalSet[] {
  const out = space.full.slice();
  const swap: Array<[Dim, Dim]> = [[Dim.Src, Dim.Dst], [Dim.Dst, Dim.Src], [Dim.Sport, Dim.Dport], [Dim.Dport, Dim.Sport], [Dim.In, Dim.Out], [Dim.Out, Dim.In], [Dim.Proto, Dim.Proto]];
  for (const [to, from] of swap) out[to] = box[from];
  out[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('ESTABLISHED')));
  return out;
}

function noneAccepted(result: LintResult, chain: string, box: IntervalSet[], rnd: () => number): string | undefined {
  const cs = result.state.get(4, 'filter', chain);
  if (!cs) return `no ${chain}`;
  for (const p of samplePackets(box, 4, 60, rnd)) {
    if (walkChain(result.state, 4, cs, p, { maxOutcomes: 32 }).some((o) => o.verdict === 'ACCEPT')) return `${chain} accepts ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
  }
  return undefined;
}

test(`property: port forwards called dropped, FORWARD replies called stranded, SSH answers, loopback connections and path-MTU errors called blocked are, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(11);
  const counts = { dnat: 0, replies: 0, answers: 0, loopback: 0, pmtu: 0 };
  fc.assert(
    fc.property(fc.array(dnatRule, { minLength: 1, maxLength: 2 }), fc.array(gwRule, { maxLength: 8 }), fc.constantFrom('DROP', 'ACCEPT'), (dnats, rules, out) => {
      const text = ['*nat', ':PREROUTING ACCEPT [0:0]', ...dnats, 'COMMIT', '*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', `:OUTPUT ${out} [0:0]`, '-A INPUT -p tcp --dport 22 -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      const model = new AnalysisModel(result.ruleset, result.state);
      const space = new Space(4);
      for (const d of result.diagnostics) {
        let refuted: string | undefined;
        if (d.code === 'dnat-dropped') {
          counts.dnat++;
          const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
          const ri = model.ruleInfo(cmd, result.state.get(4, 'nat', 'PREROUTING')!);
          const box = forwardedBy(ri.box, cmd.target!.options[0].argValue!);
          refuted = noneAccepted(result, 'FORWARD', box, rnd) ?? noneAccepted(result, 'INPUT', box, rnd);
        } else if (d.code === 'missing-established' && (d.data as { repliesOf?: number }).repliesOf !== undefined) {
          counts.replies++;
          const line = (d.data as { repliesOf: number }).repliesOf;
          const fwd = result.state.get(4, 'filter', 'FORWARD')!;
          refuted = noneAccepted(result, 'FORWARD', repliesTo(model.ruleInfo(fwd.rules.find((r) => r.range.start.line === line)!, fwd).box, space), rnd);
        } else if (d.code === 'loopback-blocked') {
          counts.loopback++;
          const { chain, port } = d.data as { chain: string; port: number };
          const local = space.full.slice();
          local[chain === 'INPUT' ? Dim.In : Dim.Out] = IntervalSet.point(BigInt('0x' + Buffer.from('lo').toString('hex').padEnd(32, '0')));
          local[Dim.Proto] = IntervalSet.point(6n);
          local[Dim.Dport] = IntervalSet.point(BigInt(port));
          local[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
          local[Dim.Frag] = IntervalSet.point(0n);
          refuted = noneAccepted(result, chain, local, rnd);
        } else if (d.code === 'pmtu-blocked') {
          counts.pmtu++;
          const chain = (d.data as { chain: string }).chain;
          const tooBig = space.full.slice();
          tooBig[Dim.Proto] = IntervalSet.point(1n);
          tooBig[Dim.Icmp] = IntervalSet.point(3n * 256n + 4n);
          tooBig[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('RELATED')));
          tooBig[Dim.Frag] = IntervalSet.point(0n);
          // From a router out there: an ordinary interface, never lo.
          if (chain === 'INPUT') tooBig[Dim.In] = IntervalSet.point(BigInt('0x' + Buffer.from('eth0').toString('hex').padEnd(32, '0')));
          refuted = noneAccepted(result, chain, tooBig, rnd);
        } else if (d.code === 'ssh-lockout' && (d.data as { chain?: string }).chain === 'OUTPUT') {
          counts.answers++;
          const answers = space.full.slice();
          answers[Dim.Proto] = IntervalSet.point(6n);
          answers[Dim.Sport] = IntervalSet.point(22n);
          // To the client's unprivileged port.
          answers[Dim.Dport] = IntervalSet.of(1024n, 65535n);
          answers[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('ESTABLISHED')));
          answers[Dim.Frag] = IntervalSet.point(0n);
          refuted = noneAccepted(result, 'OUTPUT', answers, rnd);
        }
        assert.equal(refuted, undefined, `${d.code} on line ${d.range.start.line + 1} is wrong: ${refuted}\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261127 },
  );
  t.diagnostic(`${counts.dnat} dnat-dropped, ${counts.replies} stranded-reply, ${counts.answers} SSH-answer, ${counts.loopback} loopback and ${counts.pmtu} path-MTU claims confirmed`);
  assert.ok(counts.dnat > 20 && counts.replies > 5 && counts.answers > 20 && counts.loopback > 20 && counts.pmtu > 10, JSON.stringify(counts));
});

/** Random hosts that rewrite their own connections in nat OUTPUT, and OUTPUT and INPUT rules that may let them through. */
const localNat = fc.tuple(fc.constantFrom('', '', '-d 203.0.113.10 ', '-o eth0 '), fc.constantFrom('80', '443'),
  fc.constantFrom('DNAT --to-destination 10.0.0.5', 'DNAT --to-destination 10.0.0.5:8443', 'DNAT --to-destination 127.0.0.1:3128', 'REDIRECT --to-ports 3128', 'REDIRECT --to-ports 3128-3130', 'REDIRECT'))
  .map(([x, port, t]) => `-A OUTPUT ${x}-p tcp --dport ${port} -j ${t}`);
const hostRule = fc.tuple(
  fc.constantFrom('INPUT', 'OUTPUT', 'OUTPUT'),
  fc.constantFrom('', 'lo', 'lo', 'eth0'),
  fc.constantFrom('', '', '', '-d 10.0.0.5', '-d 127.0.0.1', '-d 127.0.0.0/8', '! -d 10.0.0.0/8', '-d 203.0.113.10'),
  fc.constantFrom('', '', '-p tcp', '-p tcp --dport 80', '-p tcp --dport 443', '-p tcp --dport 8443', '-p tcp --dport 3128', '-p tcp --dport 3128:3129', '-p udp'),
  fc.constantFrom('', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m conntrack --ctstate DNAT', '-m limit --limit 5/min'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT'),
).map(([chain, i, d, pp, st, t]) => `-A ${chain} ${[i ? `${chain === 'INPUT' ? '-i' : '-o'} ${i}` : '', d, pp, st].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' '));

/** A packet of this machine's own, after nat OUTPUT: accepted by filter OUTPUT, and (out by loopback) by INPUT too. */
function getsThrough(result: LintResult, p: Packet): boolean {
  const accepts = (chain: string, q: Packet) => walkChain(result.state, 4, result.state.get(4, 'filter', chain)!, q, { maxOutcomes: 32 }).some((o) => o.verdict === 'ACCEPT');
  return accepts('OUTPUT', p) && (p.out !== 'lo' || accepts('INPUT', { ...p, in: 'lo', out: '' }));
}

test(`property: this machine's own connections, rewritten in nat OUTPUT and called dropped, are, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(17);
  let claims = 0;
  fc.assert(
    fc.property(fc.array(localNat, { minLength: 1, maxLength: 2 }), fc.array(hostRule, { maxLength: 8 }), fc.constantFrom('DROP', 'ACCEPT'), (nat, rules, out) => {
      const text = ['*nat', ':OUTPUT ACCEPT [0:0]', ...nat, 'COMMIT', '*filter', ':INPUT DROP [0:0]', `:OUTPUT ${out} [0:0]`, '-A INPUT -p tcp --dport 22 -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      const model = new AnalysisModel(result.ruleset, result.state);
      const natOut = result.state.get(4, 'nat', 'OUTPUT')!;
      for (const d of result.diagnostics.filter((x) => x.code === 'dnat-dropped')) {
        claims++;
        const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
        // The rewritten packets, worked out by hand from the rule's text.
        const box = model.ruleInfo(cmd, natOut).box.slice();
        const to = cmd.target!.options[0]?.argValue;
        box[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
        const ip = (a: string) => BigInt(a.split('.').reduce((n, x) => n * 256 + Number(x), 0));
        const [lo, hi] = (to?.includes('-') || /^\d+$/.test(to ?? '') ? to! : to?.split(':')[1] ?? '').split('-');
        if (lo) box[Dim.Dport] = IntervalSet.of(BigInt(lo), BigInt(hi ?? lo));
        if (cmd.target!.name === 'REDIRECT') {
          box[Dim.Dst] = IntervalSet.point(ip('127.0.0.1'));
          box[Dim.Out] = IntervalSet.point(BigInt('0x' + Buffer.from('lo').toString('hex').padEnd(32, '0')));
        } else box[Dim.Dst] = IntervalSet.point(ip(to!.split(':')[0]));
        const sampled = [...samplePackets(box, 4, 40, rnd)];
        // A DNAT's packets leave by loopback too, when the address is this machine's.
        if (cmd.target!.name === 'DNAT') for (const p of samplePackets(box, 4, 20, rnd)) sampled.push({ ...p, out: 'lo' });
        for (const p of sampled) {
          assert.ok(!getsThrough(result, p), `dnat-dropped on line ${d.range.start.line + 1} is wrong: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} gets through\n${text}`);
        }
      }
    }),
    { numRuns: RUNS, seed: 20261128 },
  );
  t.diagnostic(`${claims} dnat-dropped claims in nat OUTPUT confirmed`);
  assert.ok(claims > 30, `the property exercised the claims (${claims})`);
});

const ndRule = fc.tuple(
  fc.constantFrom('INPUT', 'INPUT', 'OUTPUT'),
  fc.constantFrom('', '', '-p ipv6-icmp', '-p ipv6-icmp --icmpv6-type neighbour-solicitation', '-p ipv6-icmp --icmpv6-type neighbour-advertisement', '-p ipv6-icmp --icmpv6-type echo-request', '-p ipv6-icmp --icmpv6-type 136/0', '-p tcp --dport 22', '! -p tcp'),
  fc.constantFrom('', '', '-s fe80::/10', '-d ff02::/16', '-i lo', '-i eth0', '-o eth0', '-m hl --hl-eq 255', '-m hl --hl-lt 255'),
  fc.constantFrom('', '', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m conntrack --ctstate NEW', '-m conntrack --ctstate UNTRACKED', '-m conntrack --ctstate INVALID'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'LOG'),
).map(([chain, p, x, st, t]) => `-A ${chain} ${[p, chain === 'OUTPUT' ? x.replace('-i ', '-o ') : x.replace('-o ', '-i '), st].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' '));

test(`property: every ip6tables chain said to deny neighbour discovery denies it, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(13);
  let claims = 0;
  fc.assert(
    fc.property(fc.array(ndRule, { maxLength: 8 }), fc.constantFrom('DROP', 'ACCEPT'), (rules, out) => {
      const text = ['*filter', ':INPUT DROP [0:0]', `:OUTPUT ${out} [0:0]`, '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -p tcp --sport 22 -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text, { family: 6 });
      for (const d of result.diagnostics.filter((x) => x.code === 'nd-blocked')) {
        claims++;
        const { chain, types } = d.data as { chain: string; types: string[] };
        // Each type said to be denied (one, or both), packet by packet.
        const codes = types.map((name) => (name === 'neighbour-solicitation' ? 135n : 136n)).map((ty) => IntervalSet.of(ty * 256n, ty * 256n + 255n));
        const space = new Space(6);
        const nd = space.full.slice();
        nd[Dim.Proto] = IntervalSet.point(58n);
        nd[Dim.Icmp] = codes.reduce((a, b) => a.union(b));
        nd[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('UNTRACKED')));
        nd[Dim.Ttl] = IntervalSet.point(255n);
        nd[Dim.Frag] = IntervalSet.point(0n);
        // Any interface but lo: an ordinary name is enough for the walk.
        const iface = chain === 'INPUT' ? Dim.In : Dim.Out;
        nd[iface] = IntervalSet.point(BigInt('0x' + Buffer.from('eth0').toString('hex').padEnd(32, '0')));
        const cs = result.state.get(6, 'filter', chain)!;
        for (const p of samplePackets(nd, 6, 40, rnd)) {
          const accepted = walkChain(result.state, 6, cs, p, { maxOutcomes: 32 }).some((o) => o.verdict === 'ACCEPT');
          assert.ok(!accepted, `nd-blocked in ${chain} is wrong: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n${text}`);
        }
      }
    }),
    { numRuns: RUNS, seed: 20261128 },
  );
  t.diagnostic(`${claims} neighbour-discovery claims confirmed`);
  assert.ok(claims > 30, `${claims}`);
});

const limitChain = fc.array(fc.tuple(
  fc.constantFrom('-p icmp', '-p tcp --dport 22', '-p tcp', '-p udp --dport 53', '', '-s 10.0.0.0/8', '-i eth0'),
  fc.constantFrom('-m limit --limit 5/min', '-m limit --limit 1/s --limit-burst 4', '-m hashlimit --hashlimit-upto 10/min --hashlimit-name h', '-m hashlimit --hashlimit-above 10/min --hashlimit-name h', '', '', '-m conntrack --ctstate NEW'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'ACCEPT', 'DROP', 'LOG', 'REJECT', 'X'),
).map(([m, l, t]) => `-A INPUT ${[m, l].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' ')), { minLength: 1, maxLength: 7 });

test(`property: every rate limit said to limit nothing changes nothing: without the rule each packet it could take meets the same fates, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(17);
  let claims = 0;
  fc.assert(
    fc.property(limitChain, fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP'), (rules, policy) => {
      const text = ['*filter', `:INPUT ${policy} [0:0]`, ':X - [0:0]', '-A X -p udp -j DROP', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      for (const d of result.diagnostics.filter((x) => x.code === 'limit-ineffective')) {
        claims++;
        // Without the rule, every packet it could take has the fates it had with it: the rule changes nothing.
        const lines = text.split('\n');
        const without = lint([...lines.slice(0, d.range.start.line), ...lines.slice(d.range.start.line + 1)].join('\n'));
        const cs = result.state.get(4, 'filter', 'INPUT')!;
        const rule = cs.rules.find((r) => r.range.start.line === d.range.start.line)!;
        const box = new AnalysisModel(result.ruleset, result.state).ruleInfo(rule, cs).box;
        const fates = (state: LintResult['state'], p: ReturnType<typeof samplePackets>[number]) =>
          [...new Set(walkChain(state, 4, state.get(4, 'filter', 'INPUT')!, p, { maxOutcomes: 64 }).map((o) => o.verdict))].sort().join(', ');
        for (const p of samplePackets(box, 4, 40, rnd)) {
          const [withIt, withoutIt] = [fates(result.state, p), fates(without.state, p)];
          assert.equal(withoutIt, withIt, `limit-ineffective on line ${d.range.start.line + 1} is wrong for ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n${text}`);
        }
      }
    }),
    { numRuns: RUNS, seed: 20261129 },
  );
  t.diagnostic(`${claims} rate-limit claims confirmed`);
  assert.ok(claims > 30, `${claims}`);
});

const dnsRule = fc.tuple(
  fc.constantFrom('INPUT', 'INPUT', 'OUTPUT'),
  fc.constantFrom('', '', '-i eth1', '-s 10.0.0.0/8', '-i lo', '-i eth0'),
  fc.constantFrom('-p udp --dport 53', '-p udp -m multiport --dports 53,67', '-p tcp --dport 53', '-p tcp', '-p udp', '-p tcp --dport 22', '', '-p tcp --syn'),
  fc.constantFrom('', '', '-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'LOG'),
).map(([chain, x, p, st, t]) => `-A ${chain} ${[chain === 'OUTPUT' ? x.replace('-i ', '-o ').replace('-s ', '-d ') : x, p, st].filter(Boolean).join(' ')} -j ${t}`.replace(/ +/g, ' '));

test(`property: every UDP DNS accept said to have its TCP queries denied has them denied, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(19);
  let claims = 0;
  fc.assert(
    fc.property(fc.array(dnsRule, { minLength: 1, maxLength: 8 }), fc.constantFrom('DROP', 'ACCEPT'), (rules, out) => {
      const text = ['*filter', ':INPUT DROP [0:0]', `:OUTPUT ${out} [0:0]`, '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A OUTPUT -p tcp --dport 443 -j ACCEPT', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      for (const d of result.diagnostics.filter((x) => x.code === 'dns-tcp-blocked')) {
        claims++;
        const chain = (d.data as { chain: string }).chain;
        const words = text.split('\n')[d.range.start.line];
        // The same queries over TCP, worked out here from the rule's text: its address and interface, else eth0.
        const space = new Space(4);
        const q = space.full.slice();
        const iface = (name: string) => IntervalSet.point(BigInt('0x' + Buffer.from(name).toString('hex').padEnd(32, '0')));
        const named = /-[io] (\S+)/.exec(words)?.[1];
        q[chain === 'INPUT' ? Dim.In : Dim.Out] = iface(named ?? 'eth0');
        if (/-[sd] 10\.0\.0\.0\/8/.test(words)) q[chain === 'INPUT' ? Dim.Src : Dim.Dst] = IntervalSet.of(0x0a000000n, 0x0affffffn);
        q[Dim.Proto] = IntervalSet.point(6n);
        q[Dim.Dport] = IntervalSet.point(53n);
        q[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
        q[Dim.Frag] = IntervalSet.point(0n);
        assert.equal(noneAccepted(result, chain, q, rnd), undefined, `dns-tcp-blocked on line ${d.range.start.line + 1} is wrong\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261130 },
  );
  t.diagnostic(`${claims} DNS-over-TCP claims confirmed`);
  assert.ok(claims > 30, `${claims}`);
});

/** Random NAT gateways: source NAT in POSTROUTING, and FORWARD rules that may or may not let its connections out. */
const snatRule = fc.tuple(fc.constantFrom('-s 192.168.1.0/24 ', '-s 192.168.1.10 ', '', '-s 10.0.0.0/8 '), fc.constantFrom('-o eth0 ', '-o eth1 ', ''), fc.constantFrom('', '-p tcp ', '-p udp '), fc.constantFrom('MASQUERADE', 'SNAT --to-source 203.0.113.1'))
  .map(([s, o, p, t]) => `-A POSTROUTING ${s}${o}${p}-j ${t}`);

test(`property: source NAT called dropped by FORWARD is, packet by packet (${RUNS} rulesets)`, (t) => {
  const rnd = mulberry(23);
  let claims = 0;
  fc.assert(
    fc.property(fc.array(snatRule, { minLength: 1, maxLength: 2 }), fc.array(gwRule, { maxLength: 6 }), (snats, rules) => {
      const text = ['*nat', ':POSTROUTING ACCEPT [0:0]', ...snats, 'COMMIT', '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
      const result = lint(text);
      const model = new AnalysisModel(result.ruleset, result.state);
      for (const d of result.diagnostics.filter((x) => x.code === 'snat-dropped')) {
        claims++;
        const cmd = result.ruleset.commands.find((c) => c.range.start.line === d.range.start.line)!;
        const box = model.ruleInfo(cmd, result.state.get(4, 'nat', 'POSTROUTING')!).box.slice();
        box[Dim.State] = IntervalSet.point(BigInt(STATES.indexOf('NEW')));
        const refuted = noneAccepted(result, 'FORWARD', box, rnd);
        assert.equal(refuted, undefined, `snat-dropped on line ${d.range.start.line + 1} is wrong: ${refuted}\n${text}`);
      }
    }),
    { numRuns: RUNS, seed: 20261128 },
  );
  t.diagnostic(`${claims} snat-dropped claims confirmed`);
  assert.ok(claims > 50, `only ${claims} claims`);
});
