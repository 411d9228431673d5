/** One test (or more) per diagnostic code of the parser: expected code, range and message. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, errors, expectNone, expectOne, filter, table } from '../helpers/lint';
import { lint } from '../../server/src/engine/lint';
import { fixAll, quickFixes } from '../../server/src/engine/fixes';

test('syntax: a stray word', () => {
  const d = expectOne(filter('-A INPUT -p tcp 22 -j ACCEPT'), 'syntax', 4, '22');
  assert.match(d.message, /Unexpected word '22'/);
});

test('syntax: a comment at the end of a rule line is one finding over all of it, in restore files only', () => {
  const d = expectOne(filter('-A INPUT -p tcp --dport 22 -j ACCEPT # ssh, office'), 'syntax', 4, '# ssh, office');
  assert.match(d.message, /no comments at the end of a line: '# ssh, office' is read as words of the rule/);
  assert.equal(d.data?.trailingComment, 'ssh, office');
  // In a script the shell drops it first.
  expectNone('iptables -A INPUT -p tcp --dport 22 -j ACCEPT # ssh\n', 'syntax');
  // A quoted '#' is a word like any other.
  assert.match(expectOne(filter('-A INPUT -j ACCEPT "#x"'), 'syntax', 4, '"#x"').message, /Unexpected word/);
});

test('syntax: free text with a space, unquoted, is one finding over the words iptables refuses, and the fix quotes it all', () => {
  const d = expectOne(filter('-A INPUT -p tcp -m comment --comment web  server two -j ACCEPT'), 'syntax', 4, 'server two');
  assert.match(d.message, /^--comment takes one word: 'server two' after 'web' is read as more words of the rule, and iptables refuses them \("Bad argument 'server'"\)\. Quote the whole text: --comment "web server two"\.$/);
  // Fixed as written (both spaces kept), by fix-all too.
  assert.equal(fixAll(filter('-A INPUT -m comment --comment web  server -j ACCEPT'), {}).text, filter('-A INPUT -m comment --comment "web  server" -j ACCEPT'));
  assert.equal(fixAll('iptables -A INPUT -j LOG --log-prefix DROP: in\n', { fileName: 'fw.sh' }).text, 'iptables -A INPUT -j LOG --log-prefix "DROP: in"\n');
  // Text that was quoted already, a name that takes no spaces, or quotes inside: the plain finding, no fix.
  assert.match(expectOne(filter('-A INPUT -m comment --comment "web" server -j ACCEPT'), 'syntax', 4, 'server').message, /^Unexpected word/);
  assert.match(expectOne(filter('-A INPUT -m hashlimit --hashlimit-name web server --hashlimit-upto 1/s -j ACCEPT'), 'syntax', 4, 'server').message, /^Unexpected word/);
  const quoted = expectOne(filter('-A INPUT -m comment --comment it\'s here -j ACCEPT'), 'syntax', 4, 'here');
  assert.equal(quoted.data, undefined);
});

test('syntax: an iptables command pasted into a rules file is said to be one, and the fix takes the name away', () => {
  const d = expectOne(filter('sudo iptables -A INPUT -i lo -j ACCEPT'), 'syntax', 4, 'sudo iptables');
  assert.match(d.message, /^A rules file holds what follows the command's name: iptables-restore reads '-A INPUT \.\.\.', not 'sudo iptables -A INPUT \.\.\.'/);
  assert.equal(fixAll(filter('/sbin/iptables -A INPUT -i lo -j ACCEPT'), {}).text, filter('-A INPUT -i lo -j ACCEPT'));
  // In a script the command's name is the command.
  expectNone('iptables -A INPUT -j ACCEPT\n', 'syntax');
});

test('a one-letter option in the other case is said so once, and the rest of the rule is read with the letter meant', () => {
  const j = expectOne(filter('-A INPUT -p tcp --dport 22 -J ACCPET'), 'unknown-option', 4, '-J');
  assert.equal(j.message, 'Options are case-sensitive: iptables has no option -J. Did you mean -j (--jump)?');
  // Read as -j: the rule has its target.
  assert.equal(lint(filter('-A INPUT -J DROP')).ruleset.commands.find((c) => c.startLine === 4)?.target?.name, 'DROP');
  assert.match(expectOne(filter('-a INPUT -j ACCEPT'), 'unknown-option', 4, '-a').message, /Did you mean the command -A \(--append\)\?$/);
  expectNone(filter('-a INPUT -j ACCEPT'), 'syntax');
  // A command where the line has one: the option of that letter.
  const p = expectOne(filter('-A INPUT -P tcp --dport 22 -j ACCEPT'), 'syntax', 4, '-P');
  assert.equal(p.message, 'Options are case-sensitive: -P is a command (--policy), and this line has -A already. Did you mean -p (--protocol)?');
  expectNone(filter('-A INPUT -P tcp --dport 22 -j ACCEPT'), 'protocol-required');
  assert.equal(fixAll(filter('-A INPUT -I eth0 -j ACCEPT'), {}).text, filter('-A INPUT -I eth0 -j ACCEPT'), 'a guess is not applied by fix-all');
  assert.deepEqual(quickFixes(lint(filter('-A INPUT -I eth0 -j ACCEPT')), expectOne(filter('-A INPUT -I eth0 -j ACCEPT'), 'syntax', 4, '-I')).map((f) => f.title).filter((t) => !/disable/i.test(t)), ["Change to '-i'"]);
  // -L -Z and friends stay commands; a letter known in its own case is left alone.
  expectNone('iptables -L -Z INPUT\n', 'syntax');
  expectNone(filter('-A INPUT -s 10.0.0.1 -j ACCEPT'), 'unknown-option');
});

test('a long option with one dash is said so, and read as the option', () => {
  const d = expectOne(filter('-A INPUT -p tcp ! -dport 22 -j ACCEPT'), 'unknown-option', 4, '-dport');
  assert.equal(d.message, "'-dport' has one dash, and iptables reads it as -d followed by 'port'. Did you mean '--dport'?");
  assert.deepEqual(d.data?.suggestions, ['--dport']);
  expectNone(filter('-A INPUT -p tcp ! -dport 22 -j ACCEPT'), 'syntax');
});

test('a space after a list\'s comma is one finding over both words, with a safe fix', () => {
  const d = expectOne(filter('-A INPUT -m conntrack --ctstate NEW, ESTABLISHED -j ACCEPT'), 'syntax', 4, 'NEW, ESTABLISHED');
  assert.equal(d.message, "A space after the comma makes two words of the list 'NEW, ESTABLISHED': iptables reads 'NEW,' alone (its last item empty) and refuses it. Write 'NEW,ESTABLISHED'.");
  expectNone(filter('-A INPUT -m conntrack --ctstate NEW, ESTABLISHED -j ACCEPT'), 'invalid-value');
  assert.equal(fixAll(filter('-A INPUT -s 10.0.0.1,  10.0.0.2 -j ACCEPT'), {}).text, filter('-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT'));
  // Not a list's end: the first of two values (iptables takes SYN,ACK, as SYN,ACK).
  expectNone(filter('-A INPUT -p tcp --tcp-flags SYN,ACK, SYN -j DROP'), 'syntax');
});

test('an option\'s name written with a blank inside is one finding, and the rule is read with the option', () => {
  const d = expectOne(filter('-A INPUT -p tcp -- dport 22 -j ACCEPT'), 'syntax', 4, '-- dport');
  assert.equal(d.message, "'-- dport' is one option written with a blank: iptables reads '--' (the end of its options) and 'dport' as words of their own, and refuses them. Write '--dport'.");
  const r = lint(filter('-A INPUT -p tcp ! --d port 22 - j ACCEPT'));
  assert.deepEqual(r.diagnostics.filter((x) => x.severity === 'error').map((x) => r.index.lineText(4).slice(x.range.start.character, x.range.end.character)), ['--d port', '- j']);
  const c = r.ruleset.commands.find((x) => x.startLine === 4)!;
  assert.equal(c.target?.name, 'ACCEPT');
  assert.equal(c.options.find((o) => o.spec.names[0] === '--dport')?.negated, true);
  assert.deepEqual(quickFixes(r, r.diagnostics.find((x) => x.code === 'syntax')!).map((f) => f.title).filter((t) => !/disable/i.test(t)), ["Write '--dport'"]);
});

test('a value written with a blank inside is one finding, with the value joined where the option takes it so', () => {
  const d = expectOne(table('nat', '-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.2 8080'), 'syntax', 1, '8080');
  assert.equal(d.message, `'10.0.0.2 8080' is one value written with a blank: iptables takes '10.0.0.2' as the value of --to-destination and refuses '8080' ("Bad argument"). Write '10.0.0.2:8080'.`);
  const r = lint(filter('-A INPUT -m iprange --src-range 10.0.0.1 - 10.0.0.5 -j ACCEPT'));
  const range = r.diagnostics.find((x) => x.code === 'syntax')!;
  assert.deepEqual([range.range.start.character, range.range.end.character], [41, 51]);
  const fix = quickFixes(r, range).find((f) => f.title === "Write '10.0.0.1-10.0.0.5'")!;
  assert.deepEqual(fix.edits, [{ range: { start: { line: 4, character: 32 }, end: { line: 4, character: 51 } }, newText: '10.0.0.1-10.0.0.5' }]);
  assert.match(expectOne(filter('-A INPUT -s 192.168.1.0 /24 -j ACCEPT'), 'syntax', 4, '/24').message, /Write '192\.168\.1\.0\/24'/);
  // A guess it cannot make: two ports (a range or a list?), an address and a port of a match.
  assert.match(expectOne(filter('-A INPUT -p tcp --dport 80 443 -j ACCEPT'), 'syntax', 4, '443').message, /^Unexpected word '443'/);
  assert.match(expectOne(filter('-A INPUT -s 10.0.0.1 22 -j ACCEPT'), 'syntax', 4, '22').message, /^Unexpected word '22'/);
});

test('syntax: text before the first table', () => {
  const d = expectOne('root@host:~# iptables-save\n*filter\nCOMMIT\n', 'syntax', 0, 'root@host:~# iptables-save');
  assert.match(d.message, /before any \*table/);
});

test('unknown-option: misspelt option with a suggestion', () => {
  const d = expectOne(filter('-A INPUT -p tcp --dprot 22 -j ACCEPT'), 'unknown-option', 4, '--dprot');
  assert.match(d.message, /Did you mean '--dport'/);
  assert.deepEqual(d.data?.suggestions, ['--dport']);
});

test('unknown-option: a shortened option that begins several of the loaded modules\' options names them', () => {
  // iptables takes `--ctst` for nothing: it begins --ctstate and --ctstatus alike (its own words: unknown option).
  const d = expectOne(filter('-A FORWARD -m conntrack --ctst NEW -j ACCEPT'), 'unknown-option', 4, '--ctst');
  assert.match(d.message, /^Unknown option '--ctst': it begins two options of the modules this rule loads \(--ctstate, --ctstatus\), and iptables takes a shortened option only where it begins just one\./);
  assert.deepEqual(d.data?.suggestions, ['--ctstate', '--ctstatus']);
  // One it begins alone is that option, as iptables reads it.
  expectNone(filter('-A FORWARD -m conntrack --ctstatu ASSURED -j ACCEPT'), 'unknown-option');
});

test('unknown-option: an option named without its module\'s prefix is the loaded module\'s (--name with -m hashlimit is not recent\'s)', () => {
  const d = expectOne(filter('-A INPUT -m hashlimit --name ssh --hashlimit-upto 5/min -j ACCEPT'), 'unknown-option', 4, '--name');
  assert.equal(d.message, "Unknown option '--name': this rule's modules call it --hashlimit-name.");
  assert.deepEqual(d.data?.suggestions, ['--hashlimit-name']);
  assert.match(expectOne(filter('-A INPUT -j LOG --prefix "in: "'), 'unknown-option', 4, '--prefix').message, /call it --log-prefix\.$/);
  // Without such a module, the module that has the option is named, as before.
  assert.match(expectOne(filter('-A INPUT --name ssh -j ACCEPT'), 'unknown-option', 4, '--name').message, /^--name belongs to the match recent; it needs -m recent before it\.$/);
});

test('unknown-option: an option of a module that is not loaded', () => {
  const d = expectOne(filter('-A INPUT --ctstate NEW -j ACCEPT'), 'unknown-option', 4, '--ctstate');
  assert.match(d.message, /-m conntrack/);
});

test('unknown-option: removed options say what replaced them', () => {
  const d = expectOne(filter('-A INPUT -m time --days Mon -j ACCEPT'), 'unknown-option', 4, '--days');
  assert.match(d.message, /--weekdays/);
  assert.equal(errors(filter('-A INPUT -m time --days Mon -j ACCEPT')).length, 1);
});

test('missing-argument: option at the end, option followed by an option, -P without policy', () => {
  expectOne(filter('-A INPUT -p tcp --dport'), 'missing-argument', 4, '--dport');
  const d = expectOne(filter('-A INPUT -p tcp --dport -j ACCEPT'), 'missing-argument', 4, '--dport');
  assert.match(d.message, /next word is the option '-j'/);
  expectOne('*filter\n-P DROP\nCOMMIT\n', 'missing-argument', 1, '-P');
  expectNone('*filter\n-P DROP\nCOMMIT\n', 'undefined-chain');
});

test('missing-argument: a module without its required option', () => {
  const d = expectOne(filter('-A INPUT -p tcp -m multiport -j ACCEPT'), 'missing-argument', 4, 'multiport');
  assert.match(d.message, /--sports, --dports, --ports/);
});

test('invalid-value: ports, addresses, states, rates, MACs, log levels, reject types', () => {
  expectOne(filter('-A INPUT -p tcp --dport 70000 -j ACCEPT'), 'invalid-value', 4, '70000');
  // A list where one port or range is taken: the message names the multiport match.
  assert.match(expectOne(filter('-A INPUT -p tcp --dport 22,80 -j ACCEPT'), 'invalid-value', 4, '22,80').message, /lists several ports.*-m multiport --dports 22,80/);
  assert.match(expectOne(filter('-A INPUT -p udp --sport 1:5,x -j ACCEPT'), 'invalid-value', 4, '1:5,x').message, /not a port number or service name/);
  expectOne(filter('-A INPUT -s 10.0.0.300 -j ACCEPT'), 'invalid-value', 4, '10.0.0.300');
  expectOne(filter('-A INPUT -s 10.0.0.0/33 -j ACCEPT'), 'invalid-value', 4, '10.0.0.0/33');
  expectOne(filter('-A INPUT -m conntrack --ctstate NEW,ESTABLISHD -j ACCEPT'), 'invalid-value', 4, 'NEW,ESTABLISHD');
  expectOne(filter('-A INPUT -m limit --limit 3/fortnight -j ACCEPT'), 'invalid-value', 4, '3/fortnight');
  expectOne(filter('-A INPUT -m mac --mac-source XX:XX:XX:XX:XX:XX -j ACCEPT'), 'invalid-value', 4, 'XX:XX:XX:XX:XX:XX');
  expectOne(filter('-A INPUT -j LOG --log-level loud'), 'invalid-value', 4, 'loud');
  expectOne(filter('-A INPUT -j REJECT --reject-with icmp-go-away'), 'invalid-value', 4, 'icmp-go-away');
  expectOne(filter('-A INPUT -p tcp --dport 600:29 -j ACCEPT'), 'invalid-value', 4, '600:29');
  expectOne(filter('-A INPUT -j LOG --log-prefix "this prefix is much longer than allowed"'), 'invalid-value', 4, '"this prefix is much longer than allowed"');
  expectOne(filter('-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j ACCEPT'), 'invalid-value', 4, '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16');
});

test('invalid-value: a misspelt name says the nearest one and offers it, never applied unasked', () => {
  const text = filter('-A INPUT -m conntrack --ctstate RELATED,ESTABLISED -j ACCEPT', '-A INPUT -p icmp --icmp-type echo_request -j ACCEPT', '-A INPUT -j LOG --log-level warnning', '-A INPUT -j REJECT --reject-with icmp-port-unreachble');
  const r = lint(text);
  const found = r.diagnostics.filter((d) => d.code === 'invalid-value');
  assert.deepEqual(found.map((d) => [d.range.start.line, / Did you mean '([^']+)'\?/.exec(d.message)?.[1]]), [[4, 'ESTABLISHED'], [5, 'echo-request'], [6, 'warning'], [7, 'icmp-port-unreachable']]);
  const fixed = found.map((d) => quickFixes(r, d).filter((f) => !/disable|silence/i.test(f.title)).map((f) => f.edits[0].newText));
  // The fix mends the whole value: a list keeps its other items.
  assert.deepEqual(fixed, [['RELATED,ESTABLISHED'], ['echo-request'], ['warning'], ['icmp-port-unreachable']]);
  assert.equal(fixAll(text, {}).text, text);
  // Nothing near: no guess.
  assert.doesNotMatch(expectOne(filter('-A INPUT -m conntrack --ctstate BOGUSWORD -j ACCEPT'), 'invalid-value', 4, 'BOGUSWORD').message, /Did you mean/);
});

test('invalid-value: shortened addresses and dotted masks are valid, as iptables reads them', () => {
  assert.deepEqual(errors(filter('-A INPUT -s 0/0 -d 10.1 -j ACCEPT', '-A INPUT -s 1.2.3.0/255.255.255.0 -j ACCEPT')), []);
});

test('hostname: host names load but are resolved once (info)', () => {
  const d = expectOne(filter('-A INPUT -s ntp.example.net -j ACCEPT'), 'hostname', 4, 'ntp.example.net');
  assert.equal(d.severity, 'info');
});

test('unknown-match with suggestion', () => {
  const d = expectOne(filter('-A INPUT -m conntrak --ctstate NEW -j ACCEPT'), 'unknown-match', 4, 'conntrak');
  assert.match(d.message, /conntrack/);
});

test('unknown-table, and -t refused inside restore files', () => {
  expectOne('*filtre\nCOMMIT\n', 'unknown-table', 0, 'filtre');
  expectOne('iptables -t filtre -A INPUT -j ACCEPT\n', 'unknown-table', 0, 'filtre');
  const d = expectOne(filter('-t nat -A INPUT -j ACCEPT'), 'syntax', 4, '-t');
  assert.match(d.message, /\*table/);
});

test('missing-commit: a table without COMMIT, and a table opened inside another', () => {
  const d = expectOne('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n', 'missing-commit', 2, '-A INPUT -j ACCEPT');
  assert.match(d.message, /COMMIT/);
  expectOne('*nat\n-A POSTROUTING -j MASQUERADE\n*filter\nCOMMIT\n', 'missing-commit', 1, '-A POSTROUTING -j MASQUERADE');
});

test('commit-format: trailing space, CRLF, whitespace-only line, no final newline', () => {
  expectOne('*filter\nCOMMIT \n', 'commit-format', 1, 'COMMIT ');
  const crlf = diagnose('# x\r\n*filter\r\nCOMMIT\r\n').filter((d) => d.code === 'commit-format');
  assert.equal(crlf.length, 1);
  assert.equal(crlf[0].range.start.line, 1);
  expectOne('*filter\n \nCOMMIT\n', 'commit-format', 1, ' ');
  expectOne('*filter\nCOMMIT', 'commit-format', 1, 'COMMIT');
});

test('a byte-order mark at the start of a file is one error, and the file is read as it would be without it', () => {
  const only = (text: string, fileName: string) => lint(text, { fileName }).diagnostics.filter((d) => d.severity === 'error');
  // iptables-restore refuses the file (the mark is no *table line); nothing else on it is an error.
  for (const text of ['\ufeff*filter\n-A INPUT -j ACCEPT\nCOMMIT\n', '\ufeff# Generated by iptables-save\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n']) {
    const errs = only(text, 'rules.v4');
    assert.deepEqual(errs.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.character]), [['lookalike-character', 0, 0, 1]], text);
    assert.equal(fixAll(text, { fileName: 'rules.v4' }).text, text.slice(1));
  }
  assert.equal(lint('\ufeff*filter\n-A INPUT -j ACCPET\nCOMMIT\n', { fileName: 'rules.v4' }).diagnostics.filter((d) => d.code === 'unknown-target').length, 1);
  // A script: the shell takes the mark as part of the first word; its commands are read all the same.
  const script = '\ufeff#!/bin/sh\niptables -A INPUT -j ACCPET\n';
  assert.deepEqual(only(script, 'fw.sh').map((d) => [d.code, d.range.start.line]), [['lookalike-character', 0], ['unknown-target', 1]]);
  assert.equal(fixAll(script, { fileName: 'fw.sh' }).text.charCodeAt(0), 35);
});

test('lookalike-character: en dash, curly quotes, non-breaking space; but not inside quoted comments', () => {
  const d = expectOne(filter('-A INPUT -p tcp \u2013dport 22 -j ACCEPT'), 'lookalike-character', 4, '\u2013');
  assert.match(d.message, /en dash/);
  assert.equal(d.data?.replacement, '--');
  const single = expectOne(filter('-A INPUT \u2013p tcp -j ACCEPT'), 'lookalike-character', 4, '\u2013');
  assert.equal(single.data?.replacement, '-');
  const quotes = diagnose(filter('-A INPUT -m comment --comment \u201Chello\u201D -j ACCEPT')).filter((x) => x.code === 'lookalike-character');
  assert.deepEqual(quotes.map((q) => [q.range.start.character, q.data?.replacement]), [[30, '"'], [36, '"']]);
  expectOne(filter('-A INPUT\u00A0-j ACCEPT'), 'lookalike-character', 4, '\u00A0');
  expectNone(filter('-A INPUT -m comment --comment "caf\u00E9 \u2013 bar" -j ACCEPT'), 'lookalike-character');
});

test('obsolete-syntax: bang after the option', () => {
  const d = expectOne(filter('-A INPUT -s ! 10.0.0.0/8 -j DROP'), 'obsolete-syntax', 4, '!');
  assert.match(d.message, /! -s/);
});

test('address-family: IPv4 in ip6tables, IPv6 in iptables, icmp in the wrong family', () => {
  expectOne(filter('-A INPUT -s 127.0.0.1 -j ACCEPT'), 'address-family', 4, '127.0.0.1', { family: 6 });
  expectOne(filter('-A INPUT -d 2001:db8::1 -j ACCEPT'), 'address-family', 4, '2001:db8::1');
  // The kernel accepts ICMPv6 as a protocol number in IPv4 rules; the rule just never matches.
  assert.equal(expectOne(filter('-A INPUT -p ipv6-icmp -j ACCEPT'), 'address-family', 4, 'ipv6-icmp', { fileName: 'rules.v4' }).severity, 'warning');
  expectOne(filter('-A INPUT -j REJECT --reject-with icmp6-adm-prohibited'), 'address-family', 4, 'icmp6-adm-prohibited');
  expectOne(filter('-A INPUT -j REJECT --reject-with icmp-host-prohibited'), 'address-family', 4, 'icmp-host-prohibited', { family: 6 });
});

test('every error names a code the registry knows', async () => {
  const { CODE_INFO } = await import('../../server/src/engine/checks/codes');
  const sample = filter('-A INPUT -p tcp --dprot 22 -j ACCPET', '-A NOPE -j DROP', '-A INPUT -m foo -j ACCEPT');
  for (const d of diagnose(sample)) assert.ok(CODE_INFO.has(d.code), d.code);
});

test('restore-file lines iptables-restore takes anyway: warnings, and the rules and policies it loads', () => {
  const warn = (text: string) => diagnose(text).filter((d) => d.severity !== 'info' && d.severity !== 'hint').map((d) => `${d.severity} ${d.code}@${d.range.start.line}`);
  assert.deepEqual(warn('*filter\n:INPUT ACCEPT [0:0] extra\nCOMMIT\n'), ['warning syntax@1']);
  assert.deepEqual(warn('*filter\n:INPUT ACCEPT [x:y]\nCOMMIT\n'), ['warning syntax@1']);
  assert.deepEqual(warn('*filter\n[a:b] -A INPUT -j ACCEPT\nCOMMIT\n'), ['warning syntax@1']);
  assert.deepEqual(warn('*filter\n-L\nCOMMIT\n'), ['warning syntax@1']);
  // Counters against the command word are two words to iptables-restore.
  const joined = lint('*filter\n[1:2]-A INPUT -j ACCEPT\nCOMMIT\n');
  assert.deepEqual(joined.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.equal(joined.state.get(4, 'filter', 'INPUT')!.rules.length, 1);
  // A built-in chain declared twice takes the second policy; '-' keeps one the file does not know.
  const twice = lint('*filter\n:INPUT DROP [0:0]\n:INPUT ACCEPT [0:0]\nCOMMIT\n');
  assert.deepEqual(twice.diagnostics.filter((d) => d.code === 'duplicate-chain').map((d) => d.severity), ['warning']);
  assert.equal(twice.state.get(4, 'filter', 'INPUT')!.policy, 'ACCEPT');
  const kept = lint('*filter\n:INPUT - [0:0]\nCOMMIT\n');
  assert.deepEqual(kept.diagnostics.filter((d) => d.code === 'invalid-policy').map((d) => d.severity), ['warning']);
  assert.equal(kept.state.get(4, 'filter', 'INPUT')!.policy, undefined);
});

test('a rule marked for the other family: the words before the mark are read (addresses excepted), those after it are not', () => {
  const found = (rule: string) => diagnose(`*filter\n${rule}\nCOMMIT\n`).filter((d) => d.severity === 'error' || d.code === 'address-family').map((d) => `${d.severity} ${d.code}`);
  assert.deepEqual(found('-A INPUT -p tpc -6 -j ACCEPT'), ['error invalid-value', 'warning address-family']);
  assert.deepEqual(found('-A INPUT -6 -p tpc -j ACCEPT'), ['warning address-family']);
  assert.deepEqual(found('-A INPUT -d 2001:db8::1 -6 -j ACCEPT'), ['warning address-family']);
  assert.deepEqual(found('-A INPUT -s -6 -j ACCEPT'), ['error missing-argument']);
  assert.equal(lint('*filter\n-A INPUT -p tcp -6 -j ACCEPT\nCOMMIT\n').ruleset.commands.length, 0, 'the rule is never loaded');
});

test('syntax: a rule line of more words than iptables-restore reads, from the first word too many to the last', () => {
  const groups = (n: number) => Array.from({ length: n }, () => '-m comment --comment x').join(' ');
  // 2 + 62 * 4 + 2 = 252 words: one too many.
  const line = `-A INPUT ${groups(62)} -j ACCEPT`;
  const found = errors(filter(line)).filter((d) => d.code === 'syntax');
  assert.equal(found.length, 1);
  assert.equal(found[0].range.start.line, 4);
  assert.equal(found[0].range.start.character, line.split(' ').slice(0, 251).join(' ').length + 1);
  assert.equal(found[0].range.end.character, line.length);
  assert.match(found[0].message, /This line has 252 words; iptables-restore reads at most 251 .*"Parser cannot handle more arguments"/);
  // Counters before the words are not among them.
  assert.deepEqual(errors(filter(`[0:0] -A INPUT -f -i eth0 ${groups(61)} -j ACCEPT`)).filter((d) => d.code === 'syntax'), []);
});

test('syntax: -Z with -L or -S is one command (list, then zero); -W needs -w', () => {
  const run = (line: string) => lint(`#!/bin/sh\niptables -A INPUT -j ACCEPT\n${line}\n`, { fileName: 'fw.sh' });
  for (const line of ['iptables -L -Z', 'iptables -Z INPUT -L', 'iptables -L INPUT -Z', 'iptables -nvL -Z', 'iptables -S -Z']) {
    assert.deepEqual(run(line).diagnostics.filter((d) => d.severity === 'error'), [], line);
  }
  assert.equal(run('iptables -Z INPUT -L').ruleset.commands[1].chainName, 'INPUT');
  assert.match(run('iptables -L -F').diagnostics.find((d) => d.code === 'syntax')!.message, /Only one command per line: '-L' already given, then '-F'/);
  const w = run('iptables -W 100 -A INPUT -j DROP').diagnostics.find((d) => d.code === 'missing-argument')!;
  assert.match(w.message, /-W also needs --wait/);
  assert.deepEqual(run('iptables -w -W 100 -A INPUT -j DROP').diagnostics.filter((d) => d.code === 'missing-argument'), []);
});

test('a table line: the first word after the star is the table, the rest of the line is ignored (and said so)', () => {
  const extra = diagnose('*nat x y\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', { fileName: 'rules.v4' });
  const note = extra.find((d) => d.code === 'syntax');
  assert.deepEqual([note?.severity, note?.range.start.character, note?.range.end.character], ['warning', 5, 8]);
  assert.match(note!.message, /ignores 'x y'/);
  assert.equal(extra.filter((d) => d.severity === 'error').length, 0);
  // `* nat`: the name after blanks; `*` alone is refused.
  assert.equal(diagnose('* nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n', { fileName: 'rules.v4' }).filter((d) => d.severity === 'error' || d.code === 'syntax').length, 0);
  const none = diagnose('*\nCOMMIT\n', { fileName: 'rules.v4' }).find((d) => d.code === 'unknown-table');
  assert.match(none!.message, /'\*' without a table's name/);
});

test('counters with no command after them are refused, whatever they hold', () => {
  for (const counters of ['[1:2]', '[x:0]']) {
    const d = expectOne(filter(counters), 'syntax', 4, counters);
    assert.equal(d.severity, 'error');
    assert.match(d.message, /with no command after it: iptables-restore refuses the line \("no command specified"\)/);
  }
});
