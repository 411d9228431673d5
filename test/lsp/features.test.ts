/** Every editor feature through the built server and a real LSP client over stdio. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeAction, CodeActionRequest, CodeActionResolveRequest, CodeLensRequest, CompletionItem, InlayHintRequest, CallHierarchyPrepareRequest, CallHierarchyIncomingCallsRequest, CallHierarchyOutgoingCallsRequest, WorkspaceSymbolRequest, CompletionRequest, DefinitionRequest, DocumentFormattingRequest, DocumentHighlightRequest,
  DocumentSymbol, DocumentSymbolRequest, FoldingRangeRequest, HoverRequest, Location, MarkupContent, PrepareRenameRequest, ReferencesRequest, RenameRequest,
  TextEdit, WorkspaceEdit, DocumentLinkRequest, SemanticTokensRequest, SemanticTokensRangeRequest, DocumentRangeFormattingRequest, DidChangeWatchedFilesNotification, FileChangeType, SignatureHelp, SignatureHelpRequest, SelectionRange, SelectionRangeRequest,
} from 'vscode-languageserver-protocol/node';
import { lint } from '../../server/src/engine/lint';
import { applyTextEdits } from '../helpers/edits';
import { TestClient } from '../helpers/lspClient';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

let c: TestClient;
let n = 0;
before(async () => {
  c = new TestClient();
  await c.initialize();
});
after(async () => c.close());

async function open(text: string, languageId = 'iptables', name = 'rules.v4'): Promise<string> {
  const uri = `file:///tmp/t${n++}/${name}`;
  await c.open(uri, text, languageId);
  return uri;
}

/** Opens a document and waits for its first diagnostics: the server has analysed it. */
async function opened(text: string, languageId = 'iptables', name = 'rules.v4'): Promise<string> {
  const uri = await open(text, languageId, name);
  await c.diagnosticsFor(uri);
  return uri;
}

const pos = (line: number, character: number) => ({ line, character });

async function hoverText(uri: string, line: number, character: number): Promise<string> {
  const h = await c.conn.sendRequest(HoverRequest.type, { textDocument: { uri }, position: pos(line, character) });
  return h ? (h.contents as MarkupContent).value : '';
}

async function completionAt(uri: string, line: number, character: number): Promise<CompletionItem[]> {
  const r = await c.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos(line, character) });
  return (Array.isArray(r) ? r : r?.items) ?? [];
}

async function labels(uri: string, line: number, character: number): Promise<string[]> {
  return (await completionAt(uri, line, character)).map((i) => i.label);
}

const RULES = [
  '*filter',
  ':INPUT DROP [0:0]',
  ':FORWARD DROP [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  ':LOGDROP - [0:0]',
  '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT',
  '-A INPUT -j LOGDROP',
  '-A LOGDROP -j LOG --log-prefix "drop: "',
  '-A LOGDROP -j DROP',
  'COMMIT',
  '*nat',
  ':POSTROUTING ACCEPT [0:0]',
  '-A POSTROUTING -o eth0 -j MASQUERADE',
  'COMMIT',
  '',
].join('\n');

test('hover explains options, values, targets, chains, tables and policies', async () => {
  const uri = await open(RULES);
  assert.match(await hoverText(uri, 6, 38), /--dport[\s\S]*Destination port/);
  assert.match(await hoverText(uri, 6, 45), /port \*\*22\*\*: SSH/);
  assert.match(await hoverText(uri, 6, 12), /network 10\.0\.0\.0\/8, 10\.0\.0\.0 – 10\.255\.255\.255 \(16,777,216 addresses\)/);
  assert.match(await hoverText(uri, 5, 40), /ESTABLISHED\*\*: /);
  assert.match(await hoverText(uri, 13, 30), /MASQUERADE[\s\S]*nat table, POSTROUTING only/);
  assert.match(await hoverText(uri, 7, 14), /LOGDROP\*\* — user chain[\s\S]*declared on line 5[\s\S]*Jumped to from line 8/);
  assert.match(await hoverText(uri, 7, 4), /INPUT\*\* — built-in chain[\s\S]*Policy here: \*\*DROP\*\*/);
  assert.match(await hoverText(uri, 0, 2), /filter\*\* table/);
  assert.match(await hoverText(uri, 1, 8), /Policy DROP/);
  assert.match(await hoverText(uri, 6, 1), /--append/);
  assert.match(await hoverText(uri, 6, 34), /-m tcp\*\* — match module/);
  assert.match(await hoverText(uri, 6, 26), /\*\*tcp\*\*: Transmission Control Protocol/);
});

test('hover of a script command the analysis does not follow says so', async () => {
  const text = '#!/bin/sh\ncase "$1" in\n  start) iptables -A INPUT -p tcp --dport 22 -j ACCEPT; iptables -P INPUT DROP ;;\n  stop) iptables -F INPUT ;;\nesac\n';
  const uri = await opened(text, 'shellscript', 'fw.sh');
  assert.match(await hoverText(uri, 3, 18), /--flush[\s\S]*Not on the way the analysis follows/);
  assert.doesNotMatch(await hoverText(uri, 2, 18), /Not on the way/);
});

test("hover of an option lists only the values the document's address family takes", async () => {
  const text = '*filter\n-A INPUT -p tcp -j REJECT --reject-with tcp-reset\nCOMMIT\n';
  const v4 = await hoverText(await opened(text), 1, 35);
  assert.match(v4, /Takes one of [^.]*tcp-reset/);
  assert.doesNotMatch(v4, /Takes one of [^.]*icmp6-port-unreachable/);
  const v6 = await hoverText(await opened(text, 'iptables', 'rules.v6'), 1, 35);
  assert.match(v6, /Takes one of [^.]*icmp6-port-unreachable/);
  assert.doesNotMatch(v6, /Takes one of [^.]*icmp-host-prohibited/);
});

test('completion: chains after -A, targets after -j, matches after -m, values, options of loaded matches, line starts', async () => {
  const uri = await open('*filter\n:INPUT DROP [0:0]\n:WEB - [0:0]\n-A \n-A INPUT -j \n-A INPUT -m \n-A INPUT -p tcp --\n-A INPUT -m conntrack --ctstate NEW,\n-A INPUT -p tcp -j REJECT --reject-with \n\nCOMMIT\n');
  const chains = await labels(uri, 3, 3);
  assert.ok(chains.includes('INPUT') && chains.includes('WEB') && !chains.includes('PREROUTING'), chains.join());
  const targets = await labels(uri, 4, 12);
  assert.ok(targets.includes('ACCEPT') && targets.includes('WEB') && targets.includes('REJECT'), targets.join());
  assert.ok(!targets.includes('MASQUERADE') && !targets.includes('DNAT'), 'nat targets are not offered in filter');
  const matches = await labels(uri, 5, 12);
  assert.ok(matches.includes('conntrack') && matches.includes('multiport') && !matches.includes('icmp6'));
  const opts = await labels(uri, 6, 18);
  assert.ok(opts.includes('--dport') && opts.includes('--syn') && opts.includes('-j'), opts.join());
  const states = await labels(uri, 7, 36);
  assert.ok(states.includes('ESTABLISHED') && !states.includes('NEW'), states.join());
  const rejects = await labels(uri, 8, 40);
  assert.ok(rejects.includes('tcp-reset') && rejects.includes('icmp-host-prohibited') && !rejects.includes('icmp6-adm-prohibited'));
  const starts = await labels(uri, 9, 0);
  assert.ok(starts.includes('*nat') && starts.includes('COMMIT') && starts.includes(':INPUT'), starts.join());
});

test('completion of ports: the well-known services with what runs there; in a list, after those given', async () => {
  const uri = await opened('*filter\n-A INPUT -p tcp --dport \n-A INPUT -p tcp -m multiport --dports 22,\n-A INPUT -p tcp --\nCOMMIT\n');
  const items = await completionAt(uri, 1, 24);
  const ssh = items.find((i) => i.label === '22');
  assert.equal(ssh?.detail, 'SSH');
  assert.ok(items.some((i) => i.label === '443' && i.detail === 'HTTPS'));
  const more = await labels(uri, 2, 41);
  assert.ok(more.includes('443') && !more.includes('22'), more.join());
  // iptables' own options once per rule: -p is given already (-m may come again).
  const opts = await labels(uri, 3, 18);
  assert.ok(!opts.includes('-p') && !opts.includes('--protocol') && opts.includes('-m') && opts.includes('-s'), opts.join());
});

test('completion of interfaces and ipsets from the ones the file already uses, most used first', async () => {
  const text = '*filter\n-A INPUT -i wg0 -j ACCEPT\n-A INPUT -i eth1 -j ACCEPT\n-A FORWARD -i eth1 -o eth0 -j ACCEPT\n-A INPUT -m set --match-set blocklist src -j DROP\n-A INPUT -i \n-A INPUT -m set --match-set \nCOMMIT\n';
  const uri = await opened(text);
  assert.deepEqual(await labels(uri, 5, 12), ['eth1', 'wg0', 'eth0', 'lo']);
  assert.deepEqual(await labels(uri, 6, 28), ['blocklist']);
});

test('completion in shell scripts, after the iptables command only', async () => {
  const uri = await open('#!/bin/sh\nIPT=/sbin/iptables\n$IPT -t nat -A POSTROUTING -j \necho -\n', 'shellscript', 'fw.sh');
  const targets = await labels(uri, 2, 30);
  assert.ok(targets.includes('MASQUERADE') && targets.includes('SNAT'), targets.join());
  assert.deepEqual(await labels(uri, 3, 6), []);
  // In a here-document fed to iptables-restore, a line is a restore file's: its table is the body's own.
  const heredoc = await opened("#!/bin/sh\niptables-restore <<'EOF'\n*nat\n-A POSTROUTING -o eth0 -j \nCOMMIT\nEOF\n", 'shellscript', 'fw.sh');
  const inBody = await labels(heredoc, 3, 26);
  assert.ok(inBody.includes('MASQUERADE'), inBody.join());
  const lineStart = await labels(heredoc, 4, 0);
  assert.ok(lineStart.includes('COMMIT') && lineStart.includes('*filter'), lineStart.join());
  const sig = await c.conn.sendRequest(SignatureHelpRequest.type, { textDocument: { uri: heredoc }, position: pos(3, 26) });
  assert.equal(sig, null, 'after -j, the completion lists the targets: no signature');
});

async function actionsFor(uri: string, text: string): Promise<CodeAction[]> {
  const diags = (await c.diagnosticsFor(uri)).diagnostics;
  const res = await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: pos(0, 0), end: pos(text.split('\n').length, 0) }, context: { diagnostics: diags } });
  return (res ?? []) as CodeAction[];
}

function applyAction(text: string, uri: string, a: CodeAction): string {
  return applyTextEdits(text, (a.edit as WorkspaceEdit).changes![uri]);
}

const errorCount = (text: string, name: string) => lint(text, { fileName: name }).diagnostics.filter((d) => d.severity === 'error').length;

test('quick-fixes: each applied fix removes its diagnostic and adds no error', async () => {
  const cases: Array<[string, string, string, string?]> = [
    ['*filter\n-A INPUT -p tcp --dport 22 -j ACCPET\nCOMMIT\n', 'unknown-target', "Change to 'ACCEPT'"],
    ['*filter\n-A INPUT -p tcp --dprot 22 -j ACCEPT\nCOMMIT\n', 'unknown-option', "Change to '--dport'"],
    ['*filter\n-A INPUT --ctstate NEW -j ACCEPT\nCOMMIT\n', 'unknown-option', 'Load the match first (-m conntrack)'],
    ['*filter\n-A INPUT -p tcp \u2013dport 22 -j ACCEPT\nCOMMIT\n', 'lookalike-character', "Replace with '--'"],
    ['*filter\n-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n', 'protocol-required', "Add '-p tcp'"],
    ['*filter\n-A INPUT -j ACCEPT\n', 'missing-commit', 'Add COMMIT'],
    ['*filter\n-A INPUT -j LOGDROP\nCOMMIT\n', 'unknown-target', 'Declare chain LOGDROP (:LOGDROP - [0:0])'],
    ['*filter\n-A WEB -j ACCEPT\nCOMMIT\n', 'undefined-chain', 'Declare chain WEB (:WEB - [0:0])'],
    ['*filter\n-A INPUT -s 10.1.2.3/8 -j ACCEPT\nCOMMIT\n', 'host-bits-set', 'Use the network address 10.0.0.0/8'],
    ['*filter\n-A INPUT -p tcp -m multiport --dports 22,80,22 -j ACCEPT\nCOMMIT\n', 'duplicate-list-item', "Remove '22' from the list"],
    ['#!/bin/sh\nfor ip in 203.0.113.7 198.51.100.23; do\n  iptables -A INPUT -s $IP -j DROP\ndone\n', 'loop-variable-unused', 'Read $ip where the body reads $IP', 'fw.sh'],
    ['#!/bin/sh\nLAN_IFACE=eth1\niptables -A INPUT -i $LAN_IF -j ACCEPT\n', 'unset-variable', 'Read $LAN_IFACE instead', 'fw.sh'],
    ['*filter\n-A INPUT -m state --state NEW -j ACCEPT\nCOMMIT\n', 'deprecated-match', 'Use -m conntrack --ctstate'],
    ['*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.0.0.1 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'redundant-rule', 'Delete this redundant rule'],
    ['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT\n-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT\n', 'reject-before-accept', 'Move this rule above line 3'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'missing-established', 'Accept ESTABLISHED,RELATED at the top of INPUT'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n', 'ssh-lockout', 'Accept SSH (TCP 22) before the deny'],
    ['*filter\n:OUTPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A OUTPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n', 'ssh-lockout', 'Accept ESTABLISHED,RELATED in OUTPUT'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'loopback-blocked', 'Accept loopback traffic at the top of INPUT'],
    ['iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n', 'loopback-blocked', 'Accept loopback traffic at the top of INPUT'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'nd-blocked', 'Accept neighbour discovery in INPUT', 'rules.v6'],
    ['ip6tables -P INPUT DROP\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\nip6tables -A INPUT -j DROP\n', 'nd-blocked', 'Accept neighbour discovery in INPUT', 'fw6.sh'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'nd-blocked', 'Accept neighbour advertisements in INPUT', 'rules.v6'],
    ['*filter\n-A INPUT -s ! 10.0.0.0/8 -j DROP\nCOMMIT\n', 'obsolete-syntax', "Write '! -s'"],
    ['*filter\n-A INPUT -p icmp -m limit --limit 1/s -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'limit-ineffective', 'Drop what the rate limit leaves, right after it'],
    [`#!/bin/sh\n${Array.from({ length: 25 }, (_, i) => `iptables -A INPUT -s 203.0.113.${i} -j DROP`).join('\n')}\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n`, 'prefer-ipset', 'Put the 25 addresses in one ipset (input_sources)', 'fw.sh'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.0.0.0/8 -p udp --dport 53 -j ACCEPT\nCOMMIT\n', 'dns-tcp-blocked', 'Accept the same DNS queries over TCP, right after this rule'],
    ['#!/bin/sh\nIPT=iptables\n$IPT -A INPUT -p icmp -m limit --limit 1/s -j ACCEPT\n\n$IPT -A INPUT -p tcp --dport 22 -j ACCEPT\n', 'limit-ineffective', 'Drop what the rate limit leaves, right after it', 'fw.sh'],
    ['*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'pmtu-blocked', 'Accept the ICMP errors path MTU discovery needs in INPUT'],
    ['ip6tables -P INPUT DROP\nip6tables -A INPUT -m state --state ESTABLISHED -j ACCEPT\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\nip6tables -A INPUT -p ipv6-icmp --icmpv6-type 135 -j ACCEPT\nip6tables -A INPUT -p ipv6-icmp --icmpv6-type 136 -j ACCEPT\nip6tables -A INPUT -i lo -j ACCEPT\n', 'pmtu-blocked', 'Accept the ICMP errors path MTU discovery needs in INPUT', 'fw6.sh'],
    ['*filter\n-A INPUT -j ACCEPT\nCOMMIT \n', 'commit-format', "Make the line exactly 'COMMIT'"],
    ['*filter\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n', 'commit-format', 'Convert the whole file to LF line endings'],
    ['*filter\n-A INPUT -j ACCEPT\nCOMMIT', 'commit-format', 'End the file with a line break'],
    ['*filter\n-A INPUT -j ACCEPT', 'missing-commit', 'Add COMMIT'],
    ['*filter\n:X ACCEPT [0:0]\nCOMMIT\n', 'invalid-policy', "Change to '-'"],
    ['iptables -F\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n', 'ssh-lockout', 'Set the ACCEPT policy before flushing'],
    ['# Generated by iptables-save\n-A INPUT -i lo -j ACCEPT\n-A INPUT -j DROP\n', 'syntax', 'Put the rules in a *filter table (and end it with COMMIT)'],
    ['*nat\n-A PREROUTING -i eth0 -p tcp --dport 32400 -j DNAT --to-destination 192.168.1.10\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nCOMMIT\n', 'dnat-dropped', 'Accept the forwarded connections in FORWARD'],
    ['*nat\n-A PREROUTING -i eth0 -p tcp --dport 80 -j DNAT --to-destination 192.168.1.10:8080\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A FORWARD -j REJECT\nCOMMIT\n', 'dnat-dropped', 'Accept the forwarded connections in FORWARD'],
    ['iptables -P INPUT DROP\niptables -P FORWARD DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -t nat -A PREROUTING -i eth0 -p tcp --dport 25565 -j DNAT --to-destination 10.0.0.5\niptables -A FORWARD -j DROP\n', 'dnat-dropped', 'Accept the forwarded connections in FORWARD'],
    ['*nat\n-A PREROUTING -i eth1 -p tcp --dport 80 -j REDIRECT --to-ports 3128\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n', 'dnat-dropped', 'Accept the redirected connections in INPUT'],
    ['iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -t nat -A PREROUTING -i eth1 -p tcp --dport 80 -j REDIRECT --to-port 3128\niptables -A INPUT -j DROP\n', 'dnat-dropped', 'Accept the redirected connections in INPUT'],
    ['*raw\n-A PREROUTING -p udp --dport 53 -j NOTRACK\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p udp --dport 53 -m state --state NEW -j ACCEPT\nCOMMIT\n', 'untracked-state', 'Match UNTRACKED too (NEW,UNTRACKED)'],
    ['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT   # ssh from the office\nCOMMIT\n', 'syntax', 'Put the comment on a line of its own above'],
    ['*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT # ssh "office"\nCOMMIT\n', 'syntax', 'Keep it in the rule (-m comment --comment)'],
    ['*nat\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A DOCKER -i docker0 -j RETURN\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:DOCKER-USER - [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 8080 -m conntrack --ctstate NEW -m comment --comment "no web from the office" -j REJECT --reject-with tcp-reset\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -j RETURN\nCOMMIT\n', 'dnat-bypassed', 'Move it to DOCKER-USER, matching the port the connections were sent to'],
    ['*filter\n-A INPUT -j LOG --log-level DEBUG\nCOMMIT\n', 'invalid-value', "Change to 'debug'"],
    ['*filter\n-A INPUT -p tcp --dport 80 -m comment --comment web server -j ACCEPT\nCOMMIT\n', 'syntax', 'Quote the whole text'],
    ['*filter\niptables -A INPUT -i lo -j ACCEPT\nCOMMIT\n', 'syntax', "Remove the command's name"],
    ['*filter\n-A INPUT -m conntrack --ctstate NEW, ESTABLISHED -j ACCEPT\nCOMMIT\n', 'syntax', 'Remove the space after the comma'],
    ['*filter\n-A INPUT -P tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'syntax', "Change to '-p'"],
    ['iptables -A INPUT -p tcp -dport 22 -J ACCEPT\n', 'unknown-option', "Change to '--dport'"],
    ['#!/bin/sh\niptables -A INPUT -i lo -j ACCEPT\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\necho done\n', 'ipv6-unfiltered', 'Filter IPv6 too: INPUT again for ip6tables (3 of 3 rules carried over)', 'fw.sh'],
  ];
  for (const [text, code, title, fileName] of cases) {
    const script = /^(ip6?tables|#!)/.test(text);
    const name = fileName ?? (script ? 'fw.sh' : 'rules.v4');
    const uri = await open(text, script ? 'shellscript' : 'iptables', name);
    const actions = await actionsFor(uri, text);
    const a = actions.find((x) => x.title === title && x.diagnostics?.[0].code === code);
    assert.ok(a, `${code}: '${title}' among ${actions.map((x) => x.title).join(' | ')}`);
    const fixed = applyAction(text, uri, a);
    const after = lint(fixed, { fileName: name }).diagnostics;
    assert.ok(!after.some((d) => d.code === code && d.range.start.line === a.diagnostics![0].range.start.line && d.message === a.diagnostics![0].message), `${code} still there after '${title}':\n${fixed}`);
    assert.ok(errorCount(fixed, name) <= errorCount(text, name) - (a.diagnostics![0].severity === 1 ? 1 : 0), `'${title}' left errors:\n${fixed}\n${JSON.stringify(after.filter((d) => d.severity === 'error'))}`);
  }
});

test('every diagnostic offers "disable this check on this line", and the comment silences it', async () => {
  const text = '*filter\n-A INPUT -s 10.1.2.3/8 -j ACCEPT\nCOMMIT\n';
  const uri = await open(text);
  const a = (await actionsFor(uri, text)).find((x) => x.title === 'Disable host-bits-set for this line')!;
  const fixed = applyAction(text, uri, a);
  assert.equal(fixed, '*filter\n# iptables-lint disable=host-bits-set\n-A INPUT -s 10.1.2.3/8 -j ACCEPT\nCOMMIT\n');
  assert.ok(!lint(fixed).diagnostics.some((d) => d.code === 'host-bits-set'));
  const fileWide = applyAction(text, uri, (await actionsFor(uri, text)).find((x) => x.title === 'Disable host-bits-set for this file')!);
  assert.ok(!lint(fileWide).diagnostics.some((d) => d.code === 'host-bits-set'));
  // Trailing comment on a shell line.
  assert.ok(!lint('iptables -A INPUT -s 10.1.2.3/8 -j ACCEPT # iptables-lint disable=host-bits-set\n').diagnostics.some((d) => d.code === 'host-bits-set'));
});

test('outline: tables > chains (with policy) > rules with readable names', async () => {
  const uri = await open(RULES);
  const syms = (await c.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri } })) as DocumentSymbol[];
  assert.deepEqual(syms.map((s) => s.name), ['*filter', '*nat']);
  const chains = syms[0].children!;
  assert.deepEqual(chains.map((ch) => [ch.name, ch.detail]), [['INPUT', 'policy DROP'], ['FORWARD', 'policy DROP'], ['OUTPUT', 'policy ACCEPT'], ['LOGDROP', '2 rules']]);
  assert.equal(chains[0].children![1].name, 'tcp dpt:22 from 10.0.0.0/8 -> ACCEPT');
  const folds = await c.conn.sendRequest(FoldingRangeRequest.type, { textDocument: { uri } });
  assert.ok(folds!.some((f) => f.startLine === 0 && f.endLine === 10), 'the filter table folds');
});

test('chains: definition, references, highlight, rename', async () => {
  const uri = await open(RULES);
  const def = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: pos(7, 14) })) as Location;
  assert.deepEqual(def.range, { start: pos(4, 1), end: pos(4, 8) });
  const refs = (await c.conn.sendRequest(ReferencesRequest.type, { textDocument: { uri }, position: pos(4, 3), context: { includeDeclaration: true } })) as Location[];
  assert.deepEqual(refs.map((r) => r.range.start.line), [4, 7, 8, 9]);
  const hl = await c.conn.sendRequest(DocumentHighlightRequest.type, { textDocument: { uri }, position: pos(8, 5) });
  assert.equal(hl!.length, 4);
  const prep = await c.conn.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: pos(7, 14) });
  assert.ok(prep);
  const edit = (await c.conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: pos(7, 14), newName: 'LOG_AND_DROP' })) as WorkspaceEdit;
  const renamed = applyTextEdits(RULES, edit.changes![uri]);
  assert.equal((renamed.match(/LOG_AND_DROP/g) ?? []).length, 4);
  assert.ok(!renamed.includes('LOGDROP'));
  assert.deepEqual(lint(renamed).diagnostics.filter((d) => d.severity === 'error'), []);
  await assert.rejects(c.conn.sendRequest(RenameRequest.type, { textDocument: { uri }, position: pos(7, 14), newName: 'ACCEPT' }), /target/);
  await assert.rejects(c.conn.sendRequest(PrepareRenameRequest.type, { textDocument: { uri }, position: pos(7, 4) }), /built-in/);
});

test('formatting: canonical iptables-save form, keeps comments, formatting twice equals once', async () => {
  const text = '*filter\n# keep me\n:INPUT   ACCEPT [0:0]\n-A INPUT --protocol tcp --dport 22 --source 10.0.0.0/8 --jump ACCEPT\n\n-A INPUT -m state --state NEW ! -s 192.0.2.1 -j LOG --log-prefix "new: "\nCOMMIT\n';
  const uri = await open(text);
  const edits = (await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
  const once = applyTextEdits(text, edits);
  assert.equal(once, '*filter\n# keep me\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n\n-A INPUT ! -s 192.0.2.1 -m state --state NEW -j LOG --log-prefix "new: "\nCOMMIT\n');
  const uri2 = await open(once);
  const again = (await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri: uri2 }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
  assert.deepEqual(again, []);
  const ranged = (await c.conn.sendRequest(DocumentRangeFormattingRequest.type, { textDocument: { uri }, range: { start: pos(3, 0), end: pos(3, 5) }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
  assert.deepEqual(ranged.map((e) => e.range.start.line), [3]);
});

test('shell scripts: hover, definition and formatting touch only iptables lines', async () => {
  const text = '#!/bin/sh\nset -e\nIPT=/sbin/iptables\n$IPT -N WEB\n$IPT -A WEB --protocol tcp --dport 80 -j ACCEPT\n$IPT -A INPUT -j WEB\necho   "done"\n';
  const uri = await open(text, 'shellscript', 'fw.sh');
  assert.match(await hoverText(uri, 4, 35), /port \*\*80\*\*: HTTP/);
  const def = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri }, position: pos(5, 19) })) as Location;
  assert.equal(def.range.start.line, 3);
  const edits = (await c.conn.sendRequest(DocumentFormattingRequest.type, { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })) as TextEdit[];
  const out = applyTextEdits(text, edits);
  assert.equal(out, '#!/bin/sh\nset -e\nIPT=/sbin/iptables\n$IPT -N WEB\n$IPT -A WEB -p tcp -m tcp --dport 80 -j ACCEPT\n$IPT -A INPUT -j WEB\necho   "done"\n');
  // A rule number: hover and definition name the rule at that place when the command runs.
  const numbered = '#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\niptables -D INPUT 2\n';
  const nuri = await open(numbered, 'shellscript', 'numbered.sh');
  assert.match(await hoverText(nuri, 3, 18), /This command deletes the rule of line 3/);
  const ruleDef = (await c.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: nuri }, position: pos(3, 18) })) as Location;
  assert.equal(ruleDef.range.start.line, 2);
});

test('the custom request iptables/tracePacket answers other editors', async () => {
  const uri = await open(RULES);
  const reply = (await c.conn.sendRequest('iptables/tracePacket', { textDocument: { uri }, query: '--proto tcp --src 10.1.2.3 --dport 22 --in eth0' })) as { text: string; branches: Array<{ verdict: string; decidedBy?: { start: { line: number } } }> };
  assert.equal(reply.branches.length, 1);
  assert.equal(reply.branches[0].verdict, 'ACCEPT');
  assert.equal(reply.branches[0].decidedBy!.start.line, 6);
  assert.match(reply.text, /Verdict: ACCEPT/);
  const bad = (await c.conn.sendRequest('iptables/tracePacket', { textDocument: { uri }, query: '--dport nope' })) as { error?: string };
  assert.match(bad.error!, /takes a number/);
});

const FIXABLE = '*filter\r\n-A INPUT -m state --state ESTABLISHED -j ACCEPT\r\n-A INPUT -s 10.1.2.3/8 -p tcp \u2013dport 22 -j ACCEPT\r\n-A INPUT -j ACCPET\r\nCOMMIT\r\n';
const FIXED = '*filter\n-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\n-A INPUT -j ACCPET\nCOMMIT\n';

test('fix all: the source action source.fixAll.iptables applies every safe fix, passes included, and nothing else', async () => {
  const uri = await opened(FIXABLE);
  const only = async (kinds: string[]) => ((await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: pos(0, 0), end: pos(0, 0) }, context: { diagnostics: [], only: kinds } })) ?? []) as CodeAction[];
  // As editor.codeActionsOnSave asks for it: by the parent kind, with no diagnostics in the request.
  const [all, ...more] = await only(['source.fixAll']);
  assert.equal(more.length, 0);
  assert.equal(all.kind, 'source.fixAll.iptables');
  assert.equal(all.title, 'Fix all safe problems in this file');
  assert.equal(applyAction(FIXABLE, uri, all), FIXED);
  // Only asked for by name: the light bulb's request (no `only`) does not list it, and neither does a quick-fix request.
  assert.ok(!(await actionsFor(uri, FIXABLE)).some((a) => a.kind === 'source.fixAll.iptables'));
  assert.deepEqual(await only(['quickfix']).then((l) => l.filter((a) => a.kind !== 'quickfix')), []);
  // A clean file has nothing to fix all.
  const clean = await opened('*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
  assert.deepEqual(await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: clean }, range: { start: pos(0, 0), end: pos(0, 0) }, context: { diagnostics: [], only: ['source.fixAll'] } }), []);
});

test('fix all is offered beside a safe quick-fix, with its edit, to a client that does not resolve actions', async () => {
  const uri = await open(FIXABLE.replace(/\r/g, ''));
  const text = FIXABLE.replace(/\r/g, '');
  const actions = await actionsFor(uri, text);
  const all = actions.filter((a) => a.title === 'Fix all safe problems in this file');
  assert.equal(all.length, 1);
  assert.equal(all[0].kind, 'quickfix');
  assert.equal(applyAction(text, uri, all[0]), FIXED);
  // Beside a finding with no safe fix (the misspelt target) it is not offered.
  const typo = await open('*filter\n-A INPUT -j ACCPET\n-A INPUT -m state --state NEW -j ACCEPT\nCOMMIT\n');
  const diags = (await c.diagnosticsFor(typo)).diagnostics.filter((d) => d.code === 'unknown-target');
  const res = ((await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: typo }, range: diags[0].range, context: { diagnostics: diags } })) ?? []) as CodeAction[];
  assert.ok(res.length > 0 && !res.some((a) => a.title === 'Fix all safe problems in this file'), res.map((a) => a.title).join(' | '));
});

test('fix all: a client that resolves code actions gets the edit only when it picks the action', async () => {
  const r = new TestClient();
  try {
    await r.initialize(true, { codeAction: { resolveSupport: { properties: ['edit'] } } });
    const uri = 'file:///tmp/resolve/rules.v4';
    await r.open(uri, FIXABLE);
    const diags = (await r.diagnosticsFor(uri)).diagnostics;
    const listed = ((await r.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: pos(0, 0), end: pos(5, 0) }, context: { diagnostics: diags } })) ?? []) as CodeAction[];
    const lazy = listed.find((a) => a.title === 'Fix all safe problems in this file')!;
    assert.ok(lazy && !lazy.edit && lazy.data, 'offered without its edit');
    const resolved = await r.conn.sendRequest(CodeActionResolveRequest.type, lazy);
    assert.equal(applyTextEdits(FIXABLE, resolved.edit!.changes![uri]), FIXED);
    // A large quick fix (a blocklist turned into an ipset) is offered without its edit too, and resolves to it.
    const sh = 'file:///tmp/resolve/fw.sh';
    const script = `#!/bin/sh\n${Array.from({ length: 60 }, (_, i) => `iptables -A INPUT -s 203.0.113.${i} -j DROP`).join('\n')}\n`;
    await r.open(sh, script, 'shellscript');
    const blocklist = (await r.diagnosticsFor(sh)).diagnostics.filter((d) => d.code === 'prefer-ipset');
    const offered = ((await r.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri: sh }, range: blocklist[0].range, context: { diagnostics: blocklist } })) ?? []) as CodeAction[];
    const ipset = offered.find((a) => a.title === 'Put the 60 addresses in one ipset (input_sources)')!;
    assert.ok(ipset && !ipset.edit && ipset.data, 'the ipset rewrite is offered without its edit');
    const made = await r.conn.sendRequest(CodeActionResolveRequest.type, ipset);
    const fixed = applyTextEdits(script, made.edit!.changes![sh]);
    assert.match(fixed, /^iptables -A INPUT -m set --match-set input_sources src -j DROP$/m);
    assert.equal((fixed.match(/^add input_sources /gm) ?? []).length, 60);
    // After an edit the offer is stale: resolving it gives no edit rather than one for text that is gone.
    await r.change(uri, [{ range: { start: pos(3, 0), end: pos(3, 0) }, text: '-A INPUT -j DROP\n' }]);
    const stale = await r.conn.sendRequest(CodeActionResolveRequest.type, lazy);
    assert.equal(stale.edit, undefined);
  } finally {
    await r.close();
  }
});

test('signature help: what the option being given takes, value by value, the one being typed marked', async () => {
  const text = [
    '*filter',
    '-A INPUT -p tcp --tcp-flags SYN,ACK SYN -j DROP',
    '-A INPUT -p tcp --dport 22 -j ACCEPT',
    '-A INPUT -m set --match-set blocklist src -j DROP',
    '-A INPUT -m conntrack --ctstate NEW -j ACCEPT',
    'COMMIT',
    '*nat',
    '-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.5:8080',
    'COMMIT',
    '',
  ].join('\n');
  const uri = await opened(text);
  const at = async (line: number, col: number) => c.conn.sendRequest(SignatureHelpRequest.type, { textDocument: { uri }, position: pos(line, col) });
  const labelOf = (h: SignatureHelp | null) => {
    const s = h!.signatures[0];
    const p = s.parameters![h!.activeParameter!].label as [number, number];
    return { label: s.label, active: s.label.slice(p[0], p[1]) };
  };
  // After `--tcp-flags `: the first list; inside the second value: the second.
  assert.deepEqual(labelOf(await at(1, 28)), { label: '--tcp-flags examined set', active: 'examined' });
  assert.deepEqual(labelOf(await at(1, 38)), { label: '--tcp-flags examined set', active: 'set' });
  // The same while the word is half typed, and in the middle of a list.
  assert.deepEqual(labelOf(await at(1, 32)), { label: '--tcp-flags examined set', active: 'examined' });
  assert.deepEqual(labelOf(await at(2, 24)), { label: '--dport port[:port]', active: 'port[:port]' });
  assert.deepEqual(labelOf(await at(3, 38)), { label: '--match-set set src|dst[,…]', active: 'src|dst[,…]' });
  assert.deepEqual(labelOf(await at(7, 57)), { label: '--to-destination address[-address][:port[-port][/port]]', active: 'address[-address][:port[-port][/port]]' });
  // The documentation: the option's own, and the value's, with its choices when they are few.
  const ct = (await at(4, 32))!;
  assert.match((ct.signatures[0].documentation as MarkupContent).value, /--ctstate/);
  assert.match((ct.signatures[0].parameters![0].documentation as MarkupContent).value, /`ESTABLISHED`/);
  // Nothing once every value is given, after a name-taking option (completion lists those), or outside options.
  assert.equal(await at(2, 27), null);
  assert.equal(await at(1, 44), null);
  assert.equal(await at(0, 3), null);
  assert.equal(await at(1, 3), null);
  // Shell scripts too, after the iptables word.
  const sh = await opened('#!/bin/sh\niptables -A INPUT -p tcp --dport ', 'shellscript', 'fw.sh');
  const s = await c.conn.sendRequest(SignatureHelpRequest.type, { textDocument: { uri: sh }, position: pos(1, 38) });
  assert.equal(s!.signatures[0].label, '--dport port[:port]');
});

test('code lenses above user chains: the jumps to them (listed on a click) and the rules they hold', async () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':SSH - [0:0]',
    ':SPARE - [0:0]',
    '-A INPUT -p tcp --dport 22 -j SSH',
    '-A INPUT -p tcp --dport 2222 -g SSH',
    '-A SSH -s 10.0.0.0/8 -j ACCEPT',
    '-A SPARE -j DROP',
    'COMMIT',
    '*nat',
    ':SSH - [0:0]',
    'COMMIT',
    '',
  ].join('\n');
  const uri = await opened(text);
  const lenses = (await c.conn.sendRequest(CodeLensRequest.type, { textDocument: { uri } }))!;
  assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command!.title]), [
    [2, 'jumped to from 2 rules · holds 1 rule'],
    [3, 'nothing jumps here · holds 1 rule'],
    [10, 'nothing jumps here · holds 0 rules'],
  ]);
  const [, , from] = lenses[0].command!.arguments as [string, unknown, Location[]];
  assert.equal(lenses[0].command!.command, 'iptables.showReferences');
  assert.deepEqual(from.map((l) => [l.range.start.line, l.range.start.character]), [[4, 30], [5, 32]]);
  assert.equal(lenses[1].command!.command, '');
});

test('smart selection grows from the word to the option, the match, the rule, the chain\'s rules, the table, the file', async () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -p tcp -m multiport ! --dports 80,443 -m comment --comment "web" -j ACCEPT',
    '-A INPUT -j DROP',
    '-A OUTPUT -j ACCEPT',
    'COMMIT',
    '*nat',
    'COMMIT',
    '',
  ].join('\n');
  const uri = await opened(text);
  const chain = async (line: number, character: number) => {
    const [sel] = (await c.conn.sendRequest(SelectionRangeRequest.type, { textDocument: { uri }, positions: [pos(line, character)] }))!;
    const out: string[] = [];
    for (let s: SelectionRange | undefined = sel; s; s = s.parent) {
      const r = s.range;
      out.push(r.start.line === r.end.line ? text.split('\n')[r.start.line].slice(r.start.character, r.end.character) : `lines ${r.start.line + 1}-${r.end.line + 1}`);
    }
    return out;
  };
  // In `80,443`: the value, the negated option, the multiport match, the rule, INPUT's rules, *filter, the file.
  assert.deepEqual(await chain(3, 42), [
    '80,443', '! --dports 80,443', '-m multiport ! --dports 80,443',
    '-A INPUT -p tcp -m multiport ! --dports 80,443 -m comment --comment "web" -j ACCEPT',
    'lines 3-5', 'lines 1-7', 'lines 1-10',
  ]);
  // The target: -j ACCEPT is both the option and the target.
  assert.deepEqual((await chain(2, 19)).slice(0, 3), ['ACCEPT', '-j ACCEPT', '-A INPUT -i lo -j ACCEPT']);
  // A chain declaration: its word, its line, the table.
  assert.deepEqual(await chain(1, 3), ['INPUT', ':INPUT', ':INPUT DROP [0:0]', 'lines 1-7', 'lines 1-10']);
  // Several positions at once, each its own chain of ranges.
  const both = (await c.conn.sendRequest(SelectionRangeRequest.type, { textDocument: { uri }, positions: [pos(5, 4), pos(8, 2)] }))!;
  assert.equal(both.length, 2);
  assert.deepEqual(both[0].range, { start: pos(5, 3), end: pos(5, 9) });
  assert.deepEqual(both[1].range, { start: pos(8, 0), end: pos(8, 6) });
});

test('inlay hints: each rule\'s number in its chain, as the kernel will hold it, for the lines asked for', async () => {
  const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A OUTPUT -j ACCEPT', '-A INPUT -p tcp --dport 22 -j ACCEPT', 'COMMIT', ''].join('\n');
  const uri = await opened(text);
  const hints = async (u: string, from: number, to: number) => ((await c.conn.sendRequest(InlayHintRequest.type, { textDocument: { uri: u }, range: { start: pos(from, 0), end: pos(to, 0) } })) ?? []);
  const all = await hints(uri, 0, 7);
  assert.deepEqual(all.map((h) => [h.position.line, h.position.character, h.label]), [[2, 24, '#1'], [3, 19, '#1'], [4, 36, '#2']]);
  assert.match(String(all[2].tooltip), /Rule 2 of 2 in INPUT \(filter\): `-D INPUT 2` deletes it/);
  assert.deepEqual((await hints(uri, 4, 4)).map((h) => h.label), ['#2']);
  // A script: -I 1 puts its rule first, ahead of the rule appended before it.
  const sh = await opened('#!/bin/sh\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -I INPUT 1 -i lo -j ACCEPT\n', 'shellscript', 'fw.sh');
  assert.deepEqual((await hints(sh, 0, 3)).map((h) => [h.position.line, h.label]), [[1, '#2'], [2, '#1']]);
  // Turned off by the setting (the server asks for its settings again when told they changed: wait for that).
  const until = async (ok: (n: number) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const n = (await hints(uri, 0, 7)).length;
      if (ok(n)) return n;
      await new Promise((r) => setTimeout(r, 50));
    }
    return -1;
  };
  await c.setSettings({ inlayHints: { ruleNumbers: false } });
  try {
    assert.equal(await until((n) => n === 0), 0);
  } finally {
    await c.setSettings({});
  }
  assert.equal(await until((n) => n === 3), 3);
});

test('the custom request iptables/toRestore converts a script for any editor, and says why it cannot', async () => {
  const sh = await opened('#!/bin/sh\niptables -P INPUT DROP\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n', 'shellscript', 'fw.sh');
  const reply = (await c.conn.sendRequest('iptables/toRestore', { textDocument: { uri: sh } })) as { files: Array<{ family: number; text: string; skipped: unknown[] }>; error?: string };
  assert.equal(reply.error, undefined);
  assert.deepEqual(reply.files.map((f) => f.family), [4]);
  assert.match(reply.files[0].text, /rules of fw\.sh[\s\S]*:INPUT DROP \[0:0\][\s\S]*-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n$/);
  const restore = await opened('*filter\nCOMMIT\n');
  const no = (await c.conn.sendRequest('iptables/toRestore', { textDocument: { uri: restore } })) as { files: unknown[]; error?: string };
  assert.match(no.error!, /already/);
});

test('call hierarchy of chains: who jumps here, where this jumps, with the jumping rules', async () => {
  const text = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':SSH - [0:0]',
    ':BLOCK - [0:0]',
    '-A INPUT -j BLOCK',
    '-A INPUT -p tcp --dport 22 -j SSH',
    '-A INPUT -p tcp --dport 2222 -j SSH',
    '-A SSH -s 203.0.113.0/24 -j BLOCK',
    '-A SSH -j ACCEPT',
    '-A BLOCK -s 198.51.100.0/24 -j DROP',
    'COMMIT',
    '',
  ].join('\n');
  const uri = await opened(text);
  const [ssh] = (await c.conn.sendRequest(CallHierarchyPrepareRequest.type, { textDocument: { uri }, position: pos(5, 31) }))!;
  assert.equal(ssh.name, 'SSH');
  assert.match(ssh.detail!, /user chain of filter, 2 rules/);
  const incoming = (await c.conn.sendRequest(CallHierarchyIncomingCallsRequest.type, { item: ssh }))!;
  assert.deepEqual(incoming.map((x) => [x.from.name, x.fromRanges.map((r) => r.start.line)]), [['INPUT', [5, 6]]]);
  const outgoing = (await c.conn.sendRequest(CallHierarchyOutgoingCallsRequest.type, { item: ssh }))!;
  assert.deepEqual(outgoing.map((x) => [x.to.name, x.fromRanges.map((r) => r.start.line)]), [['BLOCK', [7]]]);
  // BLOCK is entered from INPUT and from SSH.
  const [block] = (await c.conn.sendRequest(CallHierarchyPrepareRequest.type, { textDocument: { uri }, position: pos(3, 2) }))!;
  const into = (await c.conn.sendRequest(CallHierarchyIncomingCallsRequest.type, { item: block }))!;
  assert.deepEqual(into.map((x) => x.from.name).sort(), ['INPUT', 'SSH']);
  // Not on a chain: nothing to show.
  assert.equal(await c.conn.sendRequest(CallHierarchyPrepareRequest.type, { textDocument: { uri }, position: pos(5, 12) }), null);
});

test('workspace symbols: the user chains of every open ruleset, by the letters of their name', async () => {
  const a = await opened('*filter\n:SSH_GUARD - [0:0]\n:WEB - [0:0]\n-A INPUT -j SSH_GUARD\n-A INPUT -j WEB\nCOMMIT\n');
  const b = await opened('#!/bin/sh\niptables -N SSH_LIMIT\niptables -A INPUT -j SSH_LIMIT\n', 'shellscript', 'fw.sh');
  const found = (await c.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'sshg' })) as Array<{ name: string; location: { uri: string } }>;
  assert.deepEqual(found.map((s) => [s.name, s.location.uri === a]), [['SSH_GUARD', true]]);
  const both = (await c.conn.sendRequest(WorkspaceSymbolRequest.type, { query: 'ssh' })) as Array<{ name: string; location: { uri: string } }>;
  assert.ok(both.some((s) => s.name === 'SSH_GUARD' && s.location.uri === a) && both.some((s) => s.name === 'SSH_LIMIT' && s.location.uri === b));
  assert.ok(!both.some((s) => s.name === 'INPUT'), 'built-in chains are in every ruleset: not listed');
});

test('a Jinja template of a rules file (rules.v4.j2): its rules checked, its template syntax explained, not refused', async () => {
  const text = ['*filter', ':INPUT DROP [0:0]', '-A INPUT -i lo -j ACCEPT', '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', '{% for h in admins %}', '-A INPUT -s {{ h }} -p tcp --dport 22 -j ACCEPT', '{% endfor %}', '-A INPUT -j REJECT', '-A INPUT -p tcp --dport 443 -j ACCEPT', 'COMMIT', ''].join('\n');
  const uri = await open(text, 'iptables', 'rules.v4.j2');
  const diags = (await c.diagnosticsFor(uri)).diagnostics;
  assert.deepEqual(diags.map((d) => `${d.range.start.line} ${d.code}`), ['8 reject-before-accept']);
  assert.match(await hoverText(uri, 5, 15), /template value/);
  assert.match(await hoverText(uri, 4, 2), /Template statement/);
  // The same text as a plain rules file: iptables-restore would refuse it, at the first template line.
  const plain = (await c.diagnosticsFor(await open(text, 'iptables', 'rules.v4'))).diagnostics;
  assert.deepEqual(plain.filter((d) => d.severity === 1).map((d) => `${d.range.start.line} ${d.code}`), ['4 syntax']);
});

/**
 * A document whose analysis reads another file: written on disk, the finding `code` is there; once that file is open
 * in the editor and changed there (unsaved) to `changed`, the document is analysed again and the finding goes.
 */
async function followsOtherFile(other: { name: string; text: string; changed: string; languageId: string }, main: { name: string; text: string; languageId: string }, code: string): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-lsp-other-'));
  try {
    writeFileSync(path.join(dir, other.name), other.text);
    const uri = pathToFileURL(path.join(dir, main.name)).toString();
    await c.open(uri, main.text, main.languageId);
    const has = (p: { diagnostics: Array<{ code?: string | number }> }) => p.diagnostics.some((d) => d.code === code);
    await c.diagnosticsFor(uri, has);
    const otherUri = pathToFileURL(path.join(dir, other.name)).toString();
    await c.open(otherUri, other.text, other.languageId);
    await c.change(otherUri, [{ text: other.changed }]);
    await c.diagnosticsFor(uri, (p) => !has(p));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a script that sources a configuration: its variables are read from disk, or from the editor while it is open there, and the script is analysed again when it changes', async () => {
  const text = '#!/bin/sh\n. ./firewall.conf\niptables -A INPUT -i $WAN -p tcp -j ACCEPT\niptables -A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT\n';
  await followsOtherFile({ name: 'firewall.conf', text: 'WAN=eth0\n', changed: 'WAN=eth1\n', languageId: 'shellscript' }, { name: 'firewall.sh', text, languageId: 'shellscript' }, 'redundant-rule');
});

test('rules.v4 beside a rules.v6 that denies nothing: read from disk, or from the editor while open there, and checked again when it changes', async () => {
  const v4 = '*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
  await followsOtherFile({ name: 'rules.v6', text: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', changed: '*filter\n:INPUT DROP [0:0]\nCOMMIT\n', languageId: 'iptables' }, { name: 'rules.v4', text: v4, languageId: 'iptables' }, 'ipv6-unfiltered');
});

test('semantic tokens over stdio, whole or by range, in the legend the server announced: chains, tables, modules', async () => {
  const probe = new TestClient();
  try {
    const init = (await probe.initialize()) as { capabilities: { semanticTokensProvider: { legend: { tokenTypes: string[]; tokenModifiers: string[] }; full: boolean; range: boolean } } };
    const { legend, full, range } = init.capabilities.semanticTokensProvider;
    assert.ok(full && range);
    const uri = 'file:///tmp/semantic/rules.v4';
    await probe.open(uri, '*filter\n:SSH - [0:0]\n-A INPUT -m state --state NEW -j SSH\nCOMMIT\n', 'iptables');
    const decode = (data: number[]) => {
      const out: string[] = [];
      for (let i = 0, line = 0, col = 0; i < data.length; i += 5) {
        line += data[i];
        col = data[i] === 0 ? col + data[i + 1] : data[i + 1];
        out.push(`${line}:${col}+${data[i + 2]} ${[legend.tokenTypes[data[i + 3]], ...legend.tokenModifiers.filter((_, b) => data[i + 4] & (1 << b))].join('.')}`);
      }
      return out;
    };
    const whole = await probe.conn.sendRequest(SemanticTokensRequest.type, { textDocument: { uri } });
    assert.deepEqual(decode(whole!.data), ['0:1+6 namespace', '1:1+3 function.declaration', '2:3+5 function.defaultLibrary', '2:12+5 type.deprecated', '2:33+3 function']);
    const part = await probe.conn.sendRequest(SemanticTokensRangeRequest.type, { textDocument: { uri }, range: { start: pos(2, 0), end: pos(2, 40) } });
    assert.deepEqual(decode(part!.data), ['2:3+5 function.defaultLibrary', '2:12+5 type.deprecated', '2:33+3 function']);
  } finally {
    await probe.close();
  }
});

test('document links: the configuration a script sources and the rules file it loads open with a click, when they are there', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-lsp-links-'));
  try {
    writeFileSync(path.join(dir, 'firewall.conf'), 'RULES=/nonexistent/rules.v4\n');
    writeFileSync(path.join(dir, 'rules.v4'), '*filter\nCOMMIT\n');
    const script = pathToFileURL(path.join(dir, 'firewall.sh')).toString();
    await c.open(script, '#!/bin/sh\n. ./firewall.conf\niptables-restore < rules.v4\niptables-save > "$RULES"\n', 'shellscript');
    const links = await c.conn.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: script } });
    assert.deepEqual(links?.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character, l.target]), [
      [1, 2, 17, pathToFileURL(path.join(dir, 'firewall.conf')).toString()],
      [2, 19, 27, pathToFileURL(path.join(dir, 'rules.v4')).toString()],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a configuration a script sources is watched on disk when the client can watch files: saved elsewhere, the script is analysed again', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ipt-lsp-watched-'));
  const watcher = new TestClient();
  try {
    await watcher.initialize(true, {}, { didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true } });
    const confPath = path.join(dir, 'firewall.conf');
    writeFileSync(confPath, 'WAN=eth0\n');
    const script = pathToFileURL(path.join(dir, 'firewall.sh')).toString();
    await watcher.open(script, '#!/bin/sh\n. ./firewall.conf\niptables -A INPUT -i $WAN -p tcp -j ACCEPT\niptables -A INPUT -i eth0 -p tcp --dport 80 -j ACCEPT\n', 'shellscript');
    const redundant = (p: { diagnostics: Array<{ code?: string | number }> }) => p.diagnostics.some((d) => d.code === 'redundant-rule');
    await watcher.diagnosticsFor(script, redundant);
    // The server asked to watch the file it read, by its folder and name.
    const deadline = Date.now() + 5000;
    const watches = () => watcher.registrations.filter((r) => r.method === 'workspace/didChangeWatchedFiles').flatMap((r) => (r.registerOptions as { watchers: Array<{ globPattern: unknown }> }).watchers.map((w) => w.globPattern));
    while (!watches().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(watches(), [{ baseUri: pathToFileURL(dir).toString(), pattern: 'firewall.conf' }]);
    // Changed on disk, as another editor or a tool would: the client says so, and the script follows it.
    writeFileSync(confPath, 'WAN=eth1\n');
    await watcher.conn.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(confPath).toString(), type: FileChangeType.Changed }] });
    await watcher.diagnosticsFor(script, (p) => !redundant(p));
  } finally {
    await watcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('refactor: rules that differ only by port merge into one multiport rule, offered where the cursor is', async () => {
  const text = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 443 -j ACCEPT\nCOMMIT\n';
  const uri = await opened(text);
  const at = async (line: number, only?: string[]) => ((await c.conn.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: { start: pos(line, 3), end: pos(line, 3) }, context: { diagnostics: [], ...(only ? { only } : {}) } })) ?? []) as CodeAction[];
  const [merge] = (await at(3)).filter((a) => a.kind === 'refactor.rewrite');
  assert.equal(merge.title, 'Merge 2 rules into one multiport rule (destination ports 22, 443)');
  assert.equal(applyAction(text, uri, merge), '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m multiport --dports 22,443 -j ACCEPT\nCOMMIT\n');
  // Asked for refactorings by kind it is there; asked for quick fixes, or on a line with no rule, it is not.
  assert.equal((await at(2, ['refactor'])).length, 1);
  assert.deepEqual((await at(2, ['quickfix'])).filter((a) => a.kind === 'refactor.rewrite'), []);
  assert.deepEqual((await at(1)).filter((a) => a.kind === 'refactor.rewrite'), []);
});
