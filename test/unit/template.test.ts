/** Rules files written as Jinja templates (rules.v4.j2): template syntax read as such, rules around it checked. */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lint } from '../../server/src/engine/lint';
import { lexTemplateLine, outsideBlocks, templateLine } from '../../server/src/engine/parse/template';
import { quickFixes } from '../../server/src/engine/fixes';
import { applyEdits, formatEdits } from '../../server/src/engine/format';
import { hover } from '../../server/src/features/hover';
import { complete } from '../../server/src/features/completion';
import { signatureHelp } from '../../server/src/features/signature';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { foldingRanges } from '../../server/src/features/symbols';
import { explainRule } from '../../server/src/engine/explain';
import { refuteDead } from '../../server/src/engine/trace/confirm';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
import { scriptToRestore } from '../../server/src/engine/toRestore';

const ROOT = path.resolve(__dirname, '..', '..');
const doc = (...lines: string[]) => `${lines.join('\n')}\n`;
const found = (text: string, fileName = 'rules.v4.j2') => lint(text, { fileName }).diagnostics.map((d) => `${d.range.start.line + 1} ${d.code}`);

test('template lexing: a span is part of its word, blanks inside it too, and makes the word unknown', () => {
  const line = '-A INPUT -s {{ host }} -m comment --comment "port {{ port }}" -j {{ target | default("DROP") }}';
  const words = lexTemplateLine(line, 0, 0, line.length, 0, []).tokens;
  assert.deepEqual(words.map((w) => [w.raw, w.dynamic]), [
    ['-A', false], ['INPUT', false], ['-s', false], ['{{ host }}', true], ['-m', false], ['comment', false],
    ['--comment', false], ['"port {{ port }}"', true], ['-j', false], ['{{ target | default("DROP") }}', true],
  ]);
  assert.deepEqual(words[3].range, { start: { line: 0, character: 12 }, end: { line: 0, character: 22 } });
  // A quoted word without a span loses its quotes, as iptables-restore reads it.
  const plain = lexTemplateLine('-A X --comment "a b" -s 10.{{ n }}.0.0/16', 3, 0, 41, 0, []).tokens;
  assert.deepEqual(plain.map((w) => [w.value, w.dynamic]), [['-A', false], ['X', false], ['--comment', false], ['a b', false], ['-s', false], ['10.{{ n }}.0.0/16', true]]);
  // A statement that starts a word is a word of its own; a value glued to text is part of its word.
  assert.deepEqual(lexTemplateLine('{% for p in ports %}-A INPUT -j ACCEPT{% endfor %}', 0, 0, 50, 0, []).tokens.map((w) => w.raw), ['{% for p in ports %}', '-A', 'INPUT', '-j', 'ACCEPT{% endfor %}']);
  // A span left open runs to the end of the line.
  assert.deepEqual(lexTemplateLine('-A X -s {{ oops', 0, 0, 15, 0, []).tokens.map((w) => w.raw), ['-A', 'X', '-s', '{{ oops']);
});

test('template lines: what each statement does to the lines after it', () => {
  assert.deepEqual(templateLine('{% for h in hosts %}')?.effects, ['open']);
  assert.deepEqual(templateLine('  {%- if x -%}  ')?.effects, ['open']);
  assert.deepEqual(templateLine('{% elif y %}')?.effects, ['middle']);
  assert.deepEqual(templateLine('{% else %}{% endif %}')?.effects, ['middle', 'close']);
  assert.deepEqual(templateLine('{% set port = 22 %}')?.effects, ['none']);
  assert.deepEqual(templateLine('{% set block %}')?.effects, ['open']);
  assert.deepEqual(templateLine('{# a note #}')?.effects, ['none']);
  assert.deepEqual(templateLine('{# a note that goes on'), { effects: [], openComment: true });
  assert.equal(templateLine('-A INPUT -s {{ h }} -j ACCEPT'), undefined);
  assert.equal(templateLine('{% if x %} -A INPUT -j ACCEPT'), undefined);
  assert.equal(templateLine('   '), undefined);
  assert.equal(outsideBlocks([{ start: 4, end: 8 }], 6, 'before'), 4);
  assert.equal(outsideBlocks([{ start: 4, end: 8 }], 8, 'after'), 9);
  assert.equal(outsideBlocks([{ start: 4, end: 8 }], 4, 'before'), 4);
  assert.equal(outsideBlocks(undefined, 6, 'before'), 6);
});

test('a template is read as one: no error for its syntax, its values taken as any value', () => {
  const text = doc(
    '{# Managed by Ansible',
    '   -A INPUT -j ACCEPT (a comment, not a rule) #}',
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '-A INPUT -p tcp --dport {{ ssh_port }} -j ACCEPT',
    '-A INPUT -s {{ net }}/{{ prefix }} -p tcp --dport {{ port }} -m comment --comment "{{ name }}" -j ACCEPT',
    'COMMIT',
  );
  assert.deepEqual(found(text), []);
  const r = lint(text, { fileName: 'rules.v4.j2' });
  assert.equal(r.ruleset.commands.length, 3);
  assert.ok(r.ruleset.commands.slice(1).every((c) => c.dynamic && !c.conditional));
  // The rendered name says what the file is: rules.v6.j2 holds IPv6 rules.
  assert.equal(lint(text, { fileName: '/srv/roles/fw/templates/rules.v6.j2' }).ruleset.family, 6);
});

test('under a name that is not a template, iptables-restore would refuse the file: one error, where the template starts', () => {
  const text = doc('*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -i lo -j ACCEPT', '{% for h in hosts %}', '-A INPUT -s {{ h }} -j ACCEPT', '{% endfor %}', 'COMMIT');
  const r = lint(text, { fileName: 'rules.v4' });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].code, 'syntax');
  assert.deepEqual(errors[0].range, { start: { line: 3, character: 0 }, end: { line: 3, character: 20 } });
  assert.match(errors[0].message, /Render the template first/);
  // Named as a template, the same text has no error; the analysis of its rules goes on either way.
  assert.deepEqual(found(text), ['2 no-default-deny']);
  assert.ok(r.diagnostics.some((d) => d.code === 'no-default-deny'));
  // In a comment, template syntax is nothing to iptables-restore: the error goes to the first rule line that has it.
  const commented = doc('# {{ ansible_managed }}', '*filter', '# {% for h in hosts %} is below', ':INPUT ACCEPT [0:0]', '-A INPUT -s {{ admin }} -j ACCEPT', 'COMMIT');
  assert.deepEqual(lint(commented, { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.range.start.line}`), ['syntax 4']);
  assert.deepEqual(lint(commented.replace('-A INPUT -s {{ admin }} -j ACCEPT', '-A INPUT -j ACCEPT'), { fileName: 'rules.v4' }).diagnostics.filter((d) => d.severity === 'error'), []);
});

test('a rule a template block may repeat or leave out never makes a later rule dead, but may itself be dead', () => {
  const rules = ['-A INPUT -j ACCEPT', '-A INPUT -p tcp --dport 22 -j DROP', '-A INPUT -p udp --dport 53 -j ACCEPT'];
  // Rendered without the block: the catch-all ACCEPT takes everything after it.
  const plain = found(doc('*filter', ':INPUT DROP [0:0]', ...rules, 'COMMIT'), 'rules.v4');
  assert.deepEqual(plain, ['4 shadowed-rule', '5 redundant-rule']);
  // In a block: the catch-all may not be there.
  assert.deepEqual(found(doc('*filter', ':INPUT DROP [0:0]', '{% if open_all %}', rules[0], '{% endif %}', rules[1], rules[2], 'COMMIT')), []);
  // A rule in a block after a catch-all is dead whenever it is there.
  assert.deepEqual(found(doc('*filter', ':INPUT DROP [0:0]', rules[0], '{% if dns %}', rules[2], '{% endif %}', 'COMMIT')), ['5 redundant-rule']);
  // A statement inside the rule's line: the rule may say more or less than it seems.
  assert.deepEqual(found(doc('*filter', ':INPUT DROP [0:0]', '-A INPUT {% if x %}-s 10.0.0.0/8{% endif %} -j ACCEPT', rules[2], 'COMMIT')), []);
});

test('statements on a rule line open and close blocks: the rule and those up to the end of its block may not be there', () => {
  const text = doc('*filter', ':INPUT DROP [0:0]', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '{% for p in ports %}-A INPUT -p tcp --dport {{ p }} -j ACCEPT', '-A INPUT -p tcp --dport 80 -j ACCEPT', '{% endfor %}',
    '{% if all %}-A INPUT -j ACCEPT{% endif %}', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j DROP', 'COMMIT');
  const r = lint(text, { fileName: 'rules.v4.j2' });
  assert.deepEqual(r.ruleset.commands.map((c) => `${c.startLine + 1}${c.conditional ? '?' : ''}`), ['3', '4?', '5?', '7?', '8', '9']);
  assert.deepEqual(r.ruleset.template?.blocks, [{ start: 3, end: 5 }, { start: 6, end: 6 }]);
  assert.deepEqual(found(text), []);
});

test('declarations in the arms of a template block are alternatives, not a chain declared twice', () => {
  const text = doc('*filter', '{% if strict %}', ':INPUT DROP [0:0]', '{% else %}', ':INPUT ACCEPT [0:0]', '{% endif %}', ':LOG_DROP - [0:0]', '{% if x %}', ':LOG_DROP - [0:0]', '{% endif %}',
    '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', '-A INPUT -j LOG_DROP', '-A LOG_DROP -j DROP', 'COMMIT');
  assert.deepEqual(found(text), []);
  // Outside a template the same declarations are twice.
  const plain = text.split('\n').filter((l) => !l.startsWith('{%')).join('\n');
  assert.deepEqual(found(plain, 'rules.v4').filter((f) => f.endsWith('duplicate-chain')), ['3 duplicate-chain', '5 duplicate-chain']);
});

test('fixes that add rules put them outside template blocks; a rule in a block is not moved out of it', () => {
  const text = doc(
    '*filter',
    ':INPUT DROP [0:0]',
    '{% if web %}',
    '-A INPUT -p tcp --dport 80 -j ACCEPT',
    '{% endif %}',
    '-A INPUT -j DROP',
    '{% for p in ports %}',
    '-A INPUT -p tcp --dport 443 -j ACCEPT',
    '{% endfor %}',
    'COMMIT',
  );
  const r = lint(text, { fileName: 'rules.v4.j2' });
  const fix = (code: string) => {
    const d = r.diagnostics.find((x) => x.code === code);
    assert.ok(d, `${code} in ${r.diagnostics.map((x) => x.code)}`);
    return quickFixes(r, d).filter((f) => !f.title.startsWith('Disable'));
  };
  const established = fix('missing-established');
  assert.equal(established.length, 1);
  assert.equal(applyEdits(text, established[0].edits).split('\n')[2], '-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT');
  assert.deepEqual(fix('reject-before-accept'), []);
  // SSH goes before the final deny, outside the blocks.
  const ssh = fix('ssh-lockout');
  assert.equal(ssh.length, 1);
  assert.equal(applyEdits(text, ssh[0].edits).split('\n')[5], '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT');
  // Formatting leaves the template's lines and words as they are.
  assert.deepEqual(formatEdits(lint(doc('*filter', '{%  if x  %}', '-A INPUT  -s {{ a }}   -j ACCEPT', '{% endif %}', 'COMMIT'), { fileName: 'rules.v4.j2' })), []);
});

test('a rule explained in words says when a template may render it several times or not at all', () => {
  const r = lint(doc('*filter', ':INPUT DROP [0:0]', '{% for h in admins %}', '-A INPUT -s {{ h }} -p tcp --dport 22 -j ACCEPT', '{% endfor %}', '-A INPUT -j {{ final }}', 'COMMIT'), { fileName: 'rules.v4.j2' });
  const [looped, last] = r.ruleset.commands;
  assert.equal(explainRule(looped), 'Accepts TCP packets with `-s {{ h }}` to port 22 (SSH). A template may render it several times, or not at all.');
  assert.equal(explainRule(last), 'Hands every packet to `{{ final }}`, a target known only once the template is rendered.');
});

test('template blocks fold, nested ones too, with their closing statement left in sight', () => {
  const r = lint(doc('*filter', ':INPUT DROP [0:0]', '{% if web %}', '{% for p in ports %}', '-A INPUT -p tcp --dport {{ p }} -j ACCEPT', '-A INPUT -p udp --dport {{ p }} -j ACCEPT', '{% endfor %}', '{% endif %}', 'COMMIT'), { fileName: 'rules.v4.j2' });
  const folds = foldingRanges(r).filter((f) => f.kind === 'region' && f.startLine > 0).map((f) => [f.startLine, f.endLine]);
  assert.deepEqual(folds, [[3, 5], [2, 6]]);
  assert.deepEqual(r.ruleset.template?.blocks, [{ start: 2, end: 7 }]);
});

test('completion and signature help keep out of template syntax being written, and come back after it', () => {
  const at = (text: string, line: number, character: number, fileName = 'rules.v4.j2') => {
    const doc = TextDocument.create(`file:///t/${fileName}`, fileName.includes('.sh') ? 'shellscript' : 'iptables', 1, text);
    const r = lint(text, { fileName });
    return { items: complete(doc, r, { line, character }).map((i) => i.label), help: signatureHelp(doc, r, { line, character }) };
  };
  const rules = doc('*filter', ':INPUT DROP [0:0]', '{% if web ', '-A INPUT -s {{ admin ', '-A INPUT -s {{ admin }} ', '-A INPUT -p tcp --dport {{ p', 'COMMIT');
  assert.deepEqual(at(rules, 2, 10).items, []);
  assert.deepEqual(at(rules, 3, 20).items, []);
  assert.ok(at(rules, 4, 24).items.includes('-p'));
  assert.equal(at(rules, 5, 28).help, null);
  assert.deepEqual(at(doc('#!/bin/sh', 'iptables -A INPUT -s {{ admin '), 1, 30, 'fw.sh.j2').items, []);
});

test('hover explains template values and statements', () => {
  const text = doc('*filter', ':INPUT DROP [0:0]', '{% for h in hosts %}', '-A INPUT -s {{ h }} -j ACCEPT', '{% endfor %}', 'COMMIT');
  const r = lint(text, { fileName: 'rules.v4.j2' });
  assert.match(hover(r, { line: 3, character: 14 })!.markdown, /template value: known only once the template is rendered/);
  const statement = hover(r, { line: 2, character: 4 })!;
  assert.match(statement.markdown, /may appear several times or not at all/);
  assert.deepEqual(statement.range, { start: { line: 2, character: 0 }, end: { line: 2, character: 20 } });
});

test('the bundled template example: its blocks and values read as the template says, and a rule appended after its REJECT found', () => {
  const file = path.join(ROOT, 'examples', 'ansible-rules.v4.j2');
  const text = readFileSync(file, 'utf8');
  const r = lint(text, { fileName: file });
  assert.deepEqual(r.ruleset.template?.blocks, [{ start: 8, end: 10 }, { start: 11, end: 13 }]);
  assert.deepEqual(r.ruleset.commands.filter((c) => c.conditional).map((c) => c.startLine + 1), [10, 13]);
  assert.deepEqual(found(text, file), []);
  // The classic mistake: a port opened by a line appended at the end, after the final REJECT.
  const appended = text.replace('COMMIT', '-A INPUT -p tcp -m tcp --dport 8443 -j ACCEPT\nCOMMIT');
  assert.deepEqual(found(appended, file), ['18 reject-before-accept']);
});

test('a shell script template (firewall.sh.j2): template values are words, statement lines are no commands, block commands may not run', () => {
  const text = doc(
    '#!/bin/sh',
    '# {{ ansible_managed }}',
    'iptables -F',
    'iptables -A INPUT -i lo -j ACCEPT',
    'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT',
    '{# one rule per port',
    '   iptables -A INPUT -j ACCEPT (in the comment: not a command) #}',
    '{% for port in allowed_tcp_ports %}',
    'iptables -A INPUT -p tcp --dport {{ port }} -j ACCEPT',
    '{% endfor %}',
    '{% if open_all %}',
    'iptables -A INPUT -j ACCEPT',
    '{% endif %}',
    'iptables -A INPUT -p tcp --dport 22 -j ACCEPT',
    'iptables -A INPUT -j DROP',
    'iptables -A INPUT -p udp --dport 53 -j ACCEPT',
  );
  const r = lint(text, { fileName: 'roles/fw/templates/firewall.sh.j2' });
  assert.equal(r.ruleset.format, 'script');
  assert.deepEqual(r.ruleset.commands.map((c) => `${c.startLine + 1}${c.conditional ? '?' : ''}`), ['3', '4', '5', '9?', '12?', '14', '15', '16']);
  assert.deepEqual(r.ruleset.template?.blocks, [{ start: 7, end: 9 }, { start: 10, end: 12 }]);
  // The catch-all ACCEPT may not be rendered: the SSH rule is not dead; the rule after the DROP is.
  assert.deepEqual(found(text, 'firewall.sh.j2').filter((f) => !f.endsWith('ipv6-unfiltered')), ['16 reject-before-accept']);
  assert.match(hover(r, { line: 8, character: 36 })!.markdown, /template value/);
  assert.match(hover(r, { line: 7, character: 3 })!.markdown, /Template statement/);
  // Under a script's own name the shell would run the template syntax as it stands.
  const plain = lint(text, { fileName: 'firewall.sh' }).diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(plain.map((d) => [d.range.start.line, d.code]), [[5, 'syntax']]);
  assert.match(plain[0].message, /the shell runs it as it stands/);
});

test('a restore file in a here-document, loaded inside a template block, may be loaded several times or not at all', () => {
  const text = doc('#!/bin/sh', 'iptables -P INPUT DROP', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', '{% if open_all %}', "iptables-restore -n <<'EOF'", '*filter', '-A INPUT -j ACCEPT', 'COMMIT', 'EOF', '{% endif %}', 'iptables -A INPUT -p udp --dport 53 -j ACCEPT');
  const r = lint(text, { fileName: 'fw.sh.j2' });
  assert.deepEqual(r.ruleset.commands.map((c) => `${c.startLine + 1}${c.conditional ? '?' : ''}`), ['2', '3', '7?', '11']);
  // The catch-all ACCEPT it loads may not be there: the DNS rule after it is not dead.
  assert.deepEqual(found(text, 'fw.sh.j2').filter((f) => /redundant|shadowed/.test(f)), []);
  assert.ok(found(text.replace(/\{%.*%\}\n/g, ''), 'fw.sh').some((f) => f.endsWith('redundant-rule')));
});

test('a template value as a whole command may be any iptables or ip6tables command: nothing is claimed across it', () => {
  const head = ['#!/bin/sh', 'iptables -P INPUT DROP', 'iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT'];
  const tail = ['iptables -A INPUT -p tcp --dport 22 -j ACCEPT'];
  assert.ok(found(doc(...head, ...tail), 'fw.sh.j2').includes('5 redundant-rule'));
  for (const middle of ['{{ extra_rule }}', 'iptables {{ extra_args }}']) {
    const text = doc(...head, '{% for extra_rule in extra_rules %}', middle, '{% endfor %}', ...tail);
    // It may delete the SSH accept before the second one: that one is not called redundant.
    assert.deepEqual(found(text, 'fw.sh.j2').filter((f) => f.endsWith('redundant-rule')), [], middle);
  }
});

test('shell words that only look like template syntax (${#list[@]}, a brace group) leave a script a script', () => {
  const text = doc('#!/bin/bash', 'PORTS=(22 80)', 'echo "${#PORTS[@]} ports"', 'n=${#PORTS}', '{ echo grouped; }', 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT');
  const r = lint(text, { fileName: 'firewall.sh' });
  assert.equal(r.ruleset.template, undefined);
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  // `{#` that no `#}` closes is the shell's text, not a template comment running to the end of the file.
  for (const line of ['echo {#', 'n={#', 'echo "{#"']) {
    const s = lint(doc('#!/bin/bash', line, 'iptables -A INPUT -p tcp --dport 22 -j ACCEPT', 'iptables -P INPUT DROP'), { fileName: 'firewall.sh' });
    assert.equal(s.ruleset.template, undefined, line);
    assert.deepEqual(s.ruleset.commands.map((c) => c.startLine), [2, 3], line);
  }
});

test('a restore file with `{#` that no `#}` closes is no template: a chain may be named `{#` (iptables-restore takes it)', () => {
  const plain = lint(doc('*filter', ':{# - [0:0]', '-A INPUT -j {#', 'COMMIT'), { fileName: 'rules.v4' });
  assert.equal(plain.ruleset.template, undefined);
  assert.deepEqual(plain.diagnostics.filter((d) => d.severity === 'error'), []);
  // Closed, it is a template comment: the file is an unrendered template.
  const closed = lint(doc('*filter', '{# managed #}', '-A INPUT -j ACCEPT', 'COMMIT'), { fileName: 'rules.v4' });
  assert.deepEqual(closed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.range.start.line), [1]);
});

test('converting a script template says what it cannot write: template values, the template commands, the block rules written once', () => {
  const text = doc('#!/bin/sh', 'iptables -A INPUT -i lo -j ACCEPT', '{% for port in ports %}', 'iptables -A INPUT -p tcp --dport {{ port }} -j ACCEPT', '{% endfor %}',
    '{% if web %}', 'iptables -A INPUT -p tcp --dport 80 -j ACCEPT', '{% endif %}', '{{ extra_rule }}', 'iptables -A INPUT -j DROP');
  const [v4] = scriptToRestore(lint(text, { fileName: 'firewall.sh.j2' }));
  const lines = v4.text.split('\n');
  assert.ok(lines.includes('# The template puts commands of its own in the script (line 9): what they do is not written here.'), v4.text);
  assert.ok(lines.some((l) => l.startsWith('# The script is a Jinja template: the rules in its blocks (lines 4, 7) are written once each')), v4.text);
  assert.deepEqual(lines.filter((l) => l.startsWith('-A')), ['-A INPUT -i lo -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT', '-A INPUT -j DROP']);
  assert.deepEqual(v4.skipped, [{ line: 3, why: 'it holds a template value, known only once the template is rendered' }]);
});

/** Random rules for INPUT and a user chain X, as the dead-rule property draws them. */
const ruleArb = fc.tuple(
  fc.constantFrom('INPUT', 'INPUT', 'X'),
  fc.constantFrom('', '', '-s 10.0.0.0/8', '-s 10.1.0.0/16', '! -s 10.0.0.0/8', '-d 10.1.2.0/24'),
  fc.constantFrom('', '-p tcp', '-p tcp --dport 22', '-p tcp --dport 1000:2000', '-p udp --dport 53', '-p icmp'),
  fc.constantFrom('', '', '-i eth0', '-m conntrack --ctstate NEW', '-m limit --limit 5/min'),
  fc.constantFrom('ACCEPT', 'ACCEPT', 'DROP', 'REJECT', 'X', 'RETURN'),
).map(([chain, s, p, x, t]) => `-A ${chain} ${[s, p, x].filter(Boolean).join(' ')} -j ${chain === 'X' && t === 'X' ? 'DROP' : chain === 'INPUT' && t === 'RETURN' ? 'ACCEPT' : t}`.replace(/ +/g, ' '));

test(`property: a rule the template analysis calls dead is dead in every rendering that has it, packet by packet (${RUNS} templates)`, (t) => {
  let claims = 0;
  fc.assert(
    fc.property(fc.array(ruleArb, { minLength: 3, maxLength: 10 }), fc.array(fc.tuple(fc.nat(9), fc.nat(2)), { maxLength: 3 }), (rules, wraps) => {
      // Up to three blocks, each around a run of one to three rules (runs that would overlap are skipped).
      const lines = ['*filter', ':INPUT DROP [0:0]', ':X - [0:0]'];
      const blockOf = new Map<number, number>();
      let k = 0;
      let block = 0;
      const sorted = [...wraps].sort((a, b) => a[0] - b[0]);
      for (const [at, len] of sorted) {
        if (at < k || at >= rules.length) continue;
        while (k < at) lines.push(rules[k++]);
        lines.push(`{% if c${block} %}`);
        for (const end = Math.min(rules.length, at + len + 1); k < end; k++) {
          blockOf.set(lines.length, block);
          lines.push(rules[k]);
        }
        lines.push('{% endif %}');
        block++;
      }
      while (k < rules.length) lines.push(rules[k++]);
      lines.push('COMMIT', '');
      const text = lines.join('\n');
      const result = lint(text, { fileName: 'rules.v4.j2' });
      for (const d of result.diagnostics.filter((x) => ['shadowed-rule', 'redundant-rule', 'reject-before-accept'].includes(x.code))) {
        const line = d.range.start.line;
        // Every rendering: each block in or out, its lines kept as comments when out (the lines keep their numbers).
        for (let mask = 0; mask < 1 << block; mask++) {
          const own = blockOf.get(line);
          if (own !== undefined && !(mask & (1 << own))) continue;
          const rendered = lines.map((l, i) => (l.startsWith('{%') || (blockOf.has(i) && !(mask & (1 << blockOf.get(i)!))) ? '#' : l)).join('\n');
          const r = lint(rendered, { fileName: 'rules.v4' });
          const cmd = r.ruleset.commands.find((c) => c.startLine === line)!;
          claims++;
          const refuted = refuteDead(r, cmd, 80);
          assert.equal(refuted, undefined, `${d.code} on line ${line + 1} is wrong when rendered with blocks ${mask.toString(2)}: ${refuted}\n${text}`);
        }
      }
    }),
    { numRuns: RUNS, seed: 20261127 },
  );
  t.diagnostic(`${claims} claims confirmed in their renderings`);
  assert.ok(claims > 50, `the property exercised the claims (${claims})`);
});
