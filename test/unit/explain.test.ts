/** Rules in plain words, as the hover on a rule's command word shows them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { explainRule } from '../../server/src/engine/explain';
import { lint } from '../../server/src/engine/lint';
import { isRuleCommand } from '../../server/src/engine/model';
import { hover } from '../../server/src/features/hover';
import { CORPUS, corpusSkip } from '../helpers/env';

function explain(rule: string, table = 'filter', name = 'rules.v4'): string {
  const r = lint(`*${table}\n${rule}\nCOMMIT\n`, { fileName: name });
  const c = r.ruleset.commands.find(isRuleCommand);
  assert.ok(c, rule);
  return explainRule(c);
}

test('verdicts and conditions read as a sentence, in the order written', () => {
  const cases: Array<[string, string, string?, string?]> = [
    ['-A INPUT -i lo -j ACCEPT', 'Accepts packets arriving on `lo`.'],
    ['-A INPUT -j DROP', 'Drops every packet without an answer.'],
    ['-A INPUT -p tcp -s 10.0.0.0/8 --dport 22 -m conntrack --ctstate NEW -j ACCEPT', 'Accepts TCP packets from `10.0.0.0/8` to port 22 (SSH) in connection state NEW.'],
    ['-A INPUT ! -s 192.168.0.0/16 -p udp -m multiport --dports 53,123 -j REJECT --reject-with icmp-port-unreachable', 'Rejects UDP packets not from `192.168.0.0/16` to ports 53 (DNS) or 123 (NTP time sync), answering with `icmp-port-unreachable`.'],
    ['-A INPUT -p udp -m multiport --dports 32410,32412,32413,32414 -j ACCEPT', 'Accepts UDP packets to ports 32410, 32412, 32413 or 32414 (Plex GDM network discovery).'],
    ['-A INPUT -p tcp --dport 6000:6063 -j DROP', 'Drops TCP packets to ports 6000–6063 without an answer.'],
    ['-A INPUT -i eth+ ! -o wg0 -j LOG --log-prefix "in: "', 'Logs packets arriving on any interface whose name starts with `eth` not leaving by `wg0` with the prefix `in: ` and lets them go on to the next rule.'],
    ['-A INPUT -p icmp --icmp-type 8 -m limit --limit 5/sec --limit-burst 10 -j ACCEPT', 'Accepts ICMP packets of type `8` (echo-request) while within the rate limit 5/sec (bursts of up to 10).'],
    ['-A INPUT -p tcp --tcp-flags SYN,RST,ACK,FIN SYN -j ACCEPT', 'Accepts TCP packets with TCP flags SYN set and RST, ACK and FIN clear.'],
    ['-A INPUT -p tcp ! --syn -m state --state NEW -j DROP', 'Drops TCP packets that do not open a TCP connection in connection state NEW without an answer.'],
    ['-A INPUT -m set --match-set blocklist src,dst -j DROP', 'Drops packets whose source or destination is in the ipset `blocklist` without an answer.'],
    ['-A INPUT -m recent --update --seconds 60 --hitcount 8 --name ssh -j DROP', 'Drops packets with `-m recent --update --seconds 60 --hitcount 8 --name ssh` without an answer.'],
    ['-A INPUT -p tcp --dport 22 -j SSH_BRAKE', 'Sends TCP packets to port 22 (SSH) through chain `SSH_BRAKE`; those it does not decide come back to the next rule here.'],
    ['-A INPUT -g WEB', 'Sends every packet on to chain `WEB` for good (-g: they do not come back here).'],
    ['-A INPUT -s 10.1.1.1', 'Counts packets from `10.1.1.1` (no target: the packets go on to the next rule).'],
    ['-A INPUT -p tcp --dport 443 -m comment --comment "web server" -j ACCEPT', 'Accepts TCP packets to port 443 (HTTPS).\n\nComment: “web server”'],
    ['-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080', 'Redirects TCP packets arriving on `eth0` to port 80 (HTTP), sending them to `10.0.0.5:8080` instead (destination NAT).', 'nat'],
    ['-A POSTROUTING -o eth0 -j MASQUERADE', 'Rewrites the source address of packets leaving by `eth0` to the address of the interface they leave by (masquerading).', 'nat'],
    ['-A POSTROUTING -s 10.0.0.0/24 -j SNAT --to-source 203.0.113.1', 'Rewrites the source address of packets from `10.0.0.0/24` to `203.0.113.1` (source NAT).', 'nat'],
    ['-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128', 'Redirects TCP packets to port 80 (HTTP) to port 3128 of this machine.', 'nat'],
    ['-A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu', 'Applies `TCPMSS --clamp-mss-to-pmtu` to TCP packets with TCP flags SYN set and RST clear, then lets them go on to the next rule.', 'mangle'],
    ['-A INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT', 'Accepts ICMPv6 packets of type `135` (neighbour-solicitation).', 'filter', 'rules.v6'],
    ['-A INPUT -p 6 --dport 22 -j ACCEPT', 'Accepts TCP packets to port 22 (SSH).'],
    ['-A INPUT -p 47 -j ACCEPT', 'Accepts GRE packets.'],
    ['-A INPUT -p all -s 10.0.0.0/8 -j ACCEPT', 'Accepts packets from `10.0.0.0/8`.'],
    ['-A OUTPUT -m owner --uid-owner 104 -j RETURN', 'Returns packets sent by user `104` to the chain that jumped here (in a built-in chain: to its policy).'],
  ];
  for (const [rule, want, table, name] of cases) assert.equal(explain(rule, table, name), want, rule);
});

test('shell values and broken rules are quoted as written, never explained away', () => {
  const r = lint('#!/bin/sh\niptables -A INPUT -p tcp -s "$ADMIN" --dport "$PORT" -j "$VERDICT"\n', { fileName: 'fw.sh' });
  assert.equal(explainRule(r.ruleset.commands[0]), 'Hands TCP packets with `-s $ADMIN` with `-m tcp --dport $PORT` to `$VERDICT`, a target known only when the script runs.');
});

test('the hover on a rule\'s command word says where the rule stands and what it does', () => {
  const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  const h = hover(lint(text), { line: 3, character: 1 })!;
  assert.match(h.markdown, /^\*\*Rule 2 of 2 in INPUT\*\* \(`filter` table\)\n\nAccepts TCP packets to port 22 \(SSH\)\.\n\n---\n\n\*\*-A, --append\*\*: /);
  // Other commands keep their own description.
  const p = hover(lint('iptables -P INPUT DROP\n', { fileName: 'fw.sh' }), { line: 0, character: 10 })!;
  assert.match(p.markdown, /^\*\*-P, --policy\*\*/);
});

test('the hover on the word that runs a script\'s command names the program and family, then says what the command does', () => {
  const script = ['#!/bin/sh', 'IPT=/sbin/iptables', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '$IPT -A INPUT -p tcp --dport 80 -j ACCEPT', '$IPT6 -A INPUT -j DROP', 'for ipt in iptables ip6tables; do', '  $ipt -A INPUT -i lo -j ACCEPT', 'done', 'sudo /usr/sbin/ip6tables -P INPUT DROP', ''].join('\n');
  const r = lint(script, { fileName: 'fw.sh' });
  const at = (line: number, character: number) => hover(r, { line, character })!;
  const plain = at(2, 3);
  assert.deepEqual(plain.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 8 } });
  assert.match(plain.markdown, /^`iptables` sets up the IPv4 rules \(ip6tables, the IPv6 rules\)\.\n\n\*\*Rule 1 of 3 in INPUT\*\* \(`filter` table\)\n\nAccepts TCP packets to port 22 \(SSH\)\./);
  assert.match(at(3, 1).markdown, /^`\$IPT` is iptables here \(set before this line\): it sets up the IPv4 rules\.\n\n\*\*Rule 2 of 3 in INPUT/);
  assert.match(at(4, 4).markdown, /^`\$IPT6` is taken to be ip6tables, by its name \(the script does not set it\): the IPv6 rules\./);
  assert.match(at(6, 3).markdown, /^`\$ipt` is iptables, then ip6tables: the command runs once for each value of its loop/);
  assert.match(at(8, 10).markdown, /^`\/usr\/sbin\/ip6tables` sets up the IPv6 rules.*\n\n\*\*-P, --policy\*\*/s);
  // `sudo` is not the program; a rules file has no such word.
  assert.equal(hover(r, { line: 8, character: 2 }), undefined);
});

test('every rule of the corpus is explained without a failure or an empty part', { skip: corpusSkip() }, () => {
  let n = 0;
  for (const dir of ['save', 'scripts']) {
    for (const f of readdirSync(path.join(CORPUS, dir))) {
      const r = lint(readFileSync(path.join(CORPUS, dir, f), 'utf8'), { fileName: f });
      for (const c of r.ruleset.commands) {
        if (!isRuleCommand(c)) continue;
        const s = explainRule(c);
        assert.match(s, /^[A-Z][^\n]* [a-z][^\n]*\.(\n\nComment: “.*”)?$/s, `${f}:${c.range.start.line + 1}: ${s}`);
        // Outside what the rule itself says (quoted), no gap and nothing missing.
        assert.doesNotMatch(s.replace(/`[^`]+`|“.*”/g, 'Q'), /undefined|NaN|``|  | [,.]/, `${f}:${c.range.start.line + 1}: ${s}`);
        n++;
      }
    }
  }
  assert.ok(n > 20000, `${n} rules`);
});

test('the hover on an ipset name says which rules use it, and where a script makes it', () => {
  const script = "#!/bin/sh\nipset restore -exist <<'EOF'\ncreate china hash:net family inet\nadd china 1.2.0.0/16\nEOF\niptables -A INPUT -m set --match-set china src -j DROP\niptables -A OUTPUT -m set --match-set china dst -j DROP\n";
  assert.equal(hover(lint(script, { fileName: 'fw.sh' }), { line: 5, character: 39 })!.markdown, '**ipset `china`**: 2 rules of this file use it (lines 6, 7).\n\nMade on line 3 (hash:net, IPv4).');
  // A set used by a target (--add-set, --map-set) counts too.
  const mapped = "#!/bin/sh\nipset create prio hash:ip\niptables -t mangle -A POSTROUTING -j SET --map-set prio dst --map-mark\niptables -A INPUT -m set --match-set prio src -j DROP\n";
  assert.match(hover(lint(mapped, { fileName: 'fw.sh' }), { line: 3, character: 39 })!.markdown, /^\*\*ipset `prio`\*\*: 2 rules of this file use it \(lines 3, 4\)\./);
  const restore = '*filter\n-A INPUT -m set --match-set blocklist src -j DROP\nCOMMIT\n';
  assert.match(hover(lint(restore), { line: 1, character: 30 })!.markdown, /1 rule of this file uses it \(line 2\)\.\n\nIts addresses live in the set, outside iptables: `ipset list blocklist`/);
});
