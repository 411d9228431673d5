/** Rules that differ only by port, merged into one multiport rule: offered only where it means the same. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { lint } from '../../server/src/engine/lint';
import { refactorsAt } from '../../server/src/engine/refactors';
import { applyEdits } from '../../server/src/engine/format';
import { packetFrom, tracePacket } from '../../server/src/engine/trace/tracer';

const restore = (...rules: string[]) => ['*filter', ':INPUT DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 0 } });
const merged = (text: string, line: number, fileName = 'rules.v4') => {
  const [r] = refactorsAt(lint(text, { fileName }), at(line));
  return r && { title: r.title, text: applyEdits(text, r.edits) };
};

test('rules one after another that differ only by port become one multiport rule', () => {
  const text = restore('-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT', '-A INPUT -p tcp --dport 8000:8010 -j ACCEPT', '-A INPUT -p udp --dport 53 -j ACCEPT');
  const m = merged(text, 4)!;
  assert.equal(m.title, 'Merge 3 rules into one multiport rule (destination ports 22, 80, 8000:8010)');
  assert.equal(m.text, restore('-A INPUT -p tcp -m multiport --dports 22,80,8000:8010 -j ACCEPT', '-A INPUT -p udp --dport 53 -j ACCEPT'));
  // A range open at one end gets both (multiport needs them).
  assert.equal(merged(restore('-A INPUT -p tcp --dport 8000: -j DROP', '-A INPUT -p tcp --dport :100 -j DROP'), 3)!.text, restore('-A INPUT -p tcp -m multiport --dports 8000:65535,0:100 -j DROP'));
  // Other options of the protocol's match stay with it; source ports too; a script keeps its way of running iptables.
  assert.equal(merged(restore('-A INPUT -p tcp --syn --dport 80 -j ACCEPT', '-A INPUT -p tcp --syn --dport 443 -j ACCEPT'), 3)!.text, restore('-A INPUT -p tcp -m tcp --syn -m multiport --dports 80,443 -j ACCEPT'));
  const script = '#!/bin/sh\nsudo iptables -t mangle -A PREROUTING -p udp --sport 53 -j MARK --set-mark 1\nsudo iptables -t mangle -A PREROUTING -p udp --sport 123 -j MARK --set-mark 1\n';
  assert.equal(merged(script, 2, 'fw.sh')!.text, '#!/bin/sh\nsudo iptables -t mangle -A PREROUTING -p udp -m multiport --sports 53,123 -j MARK --set-mark 1\n');
});

test('not offered where it would not mean the same, or cannot be written so', () => {
  const none = (text: string, line: number, fileName?: string) => assert.equal(merged(text, line, fileName), undefined, text);
  // Another condition differs, a port is negated, another protocol, already multiport, a lone rule.
  none(restore('-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT'), 3);
  none(restore('-A INPUT -p tcp ! --dport 22 -j ACCEPT', '-A INPUT -p tcp ! --dport 80 -j ACCEPT'), 3);
  none(restore('-A INPUT -p icmp -j ACCEPT', '-A INPUT -p icmp -j ACCEPT'), 3);
  none(restore('-A INPUT -p tcp -m multiport --dports 22,23 -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT'), 3);
  none(restore('-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -p udp --dport 22 -j ACCEPT'), 3);
  // A target that lets the packet go on, with ports that overlap: the packet would be logged once, not twice.
  none(restore('-A INPUT -p tcp --dport 20:30 -j LOG', '-A INPUT -p tcp --dport 25 -j LOG'), 3);
  // Sixteen ports do not fit one match: fifteen are merged.
  const many = restore(...Array.from({ length: 16 }, (_, k) => `-A INPUT -p tcp --dport ${1000 + k} -j ACCEPT`));
  assert.match(merged(many, 3)!.title, /^Merge 15 rules/);
  // In a script: a rule in an if, in a loop, on a line with another command, with a shell value, or a comment that would go.
  none('#!/bin/sh\nif true; then iptables -A INPUT -p tcp --dport 22 -j ACCEPT; fi\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\n', 2, 'fw.sh');
  none('#!/bin/sh\nP=22\niptables -A INPUT -p tcp --dport $P -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\n', 3, 'fw.sh');
  none('#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT # web\n', 1, 'fw.sh');
  none('#!/bin/sh\nfor p in 22; do iptables -A INPUT -p tcp --dport $p -j ACCEPT; done\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\n', 2, 'fw.sh');
});

test('property: the merged chain decides every packet as the rules did', () => {
  // Rules mostly alike (one target and condition for the ruleset), now and then another.
  const target = fc.constantFrom('ACCEPT', 'DROP', 'LOG');
  const other = fc.constantFrom('', '-s 10.0.0.0/8 ', '--syn ');
  const rule = fc.record({ port: fc.integer({ min: 20, max: 30 }), span: fc.integer({ min: 0, max: 2 }), odd: fc.option(fc.record({ target, other }), { freq: 5 }) });
  let offered = 0;
  fc.assert(fc.property(fc.array(rule, { minLength: 2, maxLength: 6 }), fc.nat(5), target, other, (rules, pick, t, o) => {
    const lines = rules.map((r) => `-A INPUT -p tcp ${r.odd?.other ?? o}--dport ${r.span ? `${r.port}:${r.port + r.span}` : r.port} -j ${r.odd?.target ?? t}`);
    const text = restore(...lines);
    const m = merged(text, 3 + (pick % lines.length));
    if (!m) return;
    offered++;
    const before = lint(text, { fileName: 'rules.v4' });
    const after = lint(m.text, { fileName: 'rules.v4' });
    assert.deepEqual(after.diagnostics.filter((d) => d.severity === 'error'), [], m.text);
    for (let port = 18; port <= 34; port++) {
      for (const src of ['10.1.2.3', '192.0.2.1']) {
        for (const syn of [true, false]) {
          const p = packetFrom({ proto: 'tcp', src, dport: port, in: 'eth0', ...(syn ? {} : { state: 'ESTABLISHED' }) }, 4);
          // The verdict, and how often the packet is logged on its way.
          const trace = (r: typeof before) => tracePacket(r, p, 'input').branches.map((b) => `${b.verdict} ${b.stages.flatMap((st) => st.matched).filter((c) => c.target?.name === 'LOG').length}`).join();
          assert.equal(trace(after), trace(before), `${text}\n->\n${m.text}\nport ${port} from ${src}`);
        }
      }
    }
  }), { numRuns: 400, seed: 5 });
  assert.ok(offered > 50, `offered ${offered} times`);
});
