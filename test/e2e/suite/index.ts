/**
 * Extension-host tests with the real `vscode` API. This module is what a launcher loads as `extensionTestsPath`:
 * the code-server runner (CI) and the @vscode/test-electron launcher (desktop) both call its run().
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

type Case = [string, () => Promise<void>];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, fn: () => T | undefined | PromiseLike<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
    await sleep(100);
  }
}

function file(name: string): vscode.Uri {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!root) throw new Error('no workspace folder');
  return vscode.Uri.joinPath(root, name);
}

async function open(name: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(file(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

async function diagnostics(doc: vscode.TextDocument, ok: (d: vscode.Diagnostic[]) => boolean = (d) => d.length > 0): Promise<vscode.Diagnostic[]> {
  return waitFor(`diagnostics of ${doc.uri.path}`, () => {
    const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'iptables');
    return ok(d) ? d : undefined;
  });
}

const code = (d: vscode.Diagnostic) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

const cases: Case[] = [
  ['the language is detected from file names and from the first line', async () => {
    for (const name of ['rules.v4', 'rules.v6', 'etc/sysconfig/iptables', 'firewall.iptables', 'dump-without-extension']) {
      assert.equal((await open(name)).languageId, 'iptables', name);
    }
    assert.notEqual((await open('99-usb.rules')).languageId, 'iptables', 'udev rules are not claimed');
    // ufw's rules files are found by where they live; the jump to ufw's own chain is information there, not an error.
    const ufw = await open('etc/ufw/before.rules');
    assert.equal(ufw.languageId, 'iptables');
    const jump = (await diagnostics(ufw, (d) => d.some((x) => code(x) === 'unknown-target'))).find((x) => code(x) === 'unknown-target')!;
    assert.equal(jump.severity, vscode.DiagnosticSeverity.Information, jump.message);
    assert.match(jump.message, /ufw creates its chains itself/);
    // Jinja templates: a rules file's opens as iptables, a script's as a shell script, each read as a template.
    const rules = await open('ansible-rules.v4.j2');
    assert.equal(rules.languageId, 'iptables');
    const script = await open('roles/fw/templates/firewall.sh.j2');
    assert.equal(script.languageId, 'shellscript');
    const typo = await diagnostics(script, (d) => d.some((x) => code(x) === 'unknown-target'));
    assert.deepEqual(typo.filter((x) => x.severity === vscode.DiagnosticSeverity.Error).map((x) => `${x.range.start.line} ${code(x)}`), ['2 unknown-target']);
  }],
  ['diagnostics arrive with codes, ranges and documentation links', async () => {
    const doc = await open('common-mistakes.iptables');
    const d = await diagnostics(doc, (x) => x.some((y) => code(y) === 'unknown-target'));
    const target = d.find((x) => code(x) === 'unknown-target')!;
    assert.equal(target.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(doc.getText(target.range), 'ACCPET');
    const link = (target.code as { target: vscode.Uri }).target;
    assert.match(link.toString(), /docs\/diagnostics\/unknown-target\.md$/);
    for (const c of ['lookalike-character', 'protocol-required', 'target-not-allowed', 'reject-before-accept', 'host-bits-set']) assert.ok(d.some((x) => code(x) === c), c);
  }],
  ['hover explains a target and its restrictions', async () => {
    const doc = await open('nat-gateway.iptables');
    const line = doc.getText().split('\n').findIndex((l) => l.includes('MASQUERADE'));
    const col = doc.lineAt(line).text.indexOf('MASQUERADE') + 2;
    const hovers = await waitFor('hover', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(line, col));
      return h.length ? h : undefined;
    });
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /nat table, POSTROUTING only/);
  }],
  ['completion offers targets after -j, and the snippets at a line start', async () => {
    const doc = await open('scratch.rules');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(2, 0), '-A INPUT -p tcp -j \n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 19));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('ACCEPT') && labels.includes('REJECT'), labels.slice(0, 30).join());
    const start = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(3, 0));
    const snippets = start.items.filter((i) => i.kind === vscode.CompletionItemKind.Snippet).map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(snippets.includes('plex') && snippets.includes('nat-gateway'), `snippets: ${snippets.join()}`);
  }],
  ['a quick-fix applied through the code action provider removes its diagnostic', async () => {
    const doc = await open('fixme.rules');
    const d = (await diagnostics(doc, (x) => x.some((y) => code(y) === 'unknown-target'))).find((x) => code(x) === 'unknown-target')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Change to 'ACCEPT'");
    assert.ok(fix?.edit, actions.map((a) => a.title).join(' | '));
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    await diagnostics(doc, (x) => !x.some((y) => code(y) === 'unknown-target'));
    assert.ok(doc.getText().includes('-j ACCEPT'));
  }],
  ['fix all safe problems runs on save through editor.codeActionsOnSave', async () => {
    const doc = await open('fixonsave.rules');
    await diagnostics(doc, (x) => x.some((y) => code(y) === 'host-bits-set') && x.some((y) => code(y) === 'deprecated-match'));
    const editor = vscode.workspace.getConfiguration('editor', { languageId: 'iptables' });
    await editor.update('codeActionsOnSave', { 'source.fixAll.iptables': true }, vscode.ConfigurationTarget.Global, true);
    await waitFor('the setting to apply', () => (vscode.workspace.getConfiguration('editor', { languageId: 'iptables' }).get<Record<string, unknown>>('codeActionsOnSave') ?? {})['source.fixAll.iptables'] === true);
    try {
      // A save applies the actions when the document has changes: add a comment line, then save. VS Code gives the
      // actions a short time on save and saves without them when it runs out, or gives the save up (a busy machine):
      // then once more.
      const fixed = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate NEW -s 10.0.0.0/8 -j ACCEPT\nCOMMIT\n';
      for (let attempt = 1; ; attempt++) {
        const we = new vscode.WorkspaceEdit();
        we.insert(doc.uri, new vscode.Position(0, 0), '# edited\n');
        assert.ok(await vscode.workspace.applyEdit(we));
        const saved = await doc.save();
        if ((saved && doc.getText().endsWith(fixed)) || attempt === 3) break;
        await sleep(1000);
      }
      if (doc.isDirty) assert.ok(await doc.save(), 'the document saves');
      assert.match(doc.getText(), /^(# edited\n)+\*filter\n/, `after saving: ${JSON.stringify(doc.getText())}`);
      assert.ok(doc.getText().endsWith(fixed), `after saving: ${JSON.stringify(doc.getText())}`);
      await diagnostics(doc, (x) => !x.some((y) => code(y) === 'host-bits-set' || code(y) === 'deprecated-match'));
    } finally {
      await editor.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Global, true);
    }
  }],
  ['signature help shows what the option being given takes', async () => {
    const doc = await open('fixme.rules');
    const line = doc.getText().split('\n').findIndex((l) => l.includes('--dport 22'));
    const col = doc.lineAt(line).text.indexOf('--dport') + '--dport '.length;
    const help = await vscode.commands.executeCommand<vscode.SignatureHelp>('vscode.executeSignatureHelpProvider', doc.uri, new vscode.Position(line, col), ' ');
    assert.equal(help?.signatures[0]?.label, '--dport port[:port]');
    assert.equal(help.activeParameter, 0);
  }],
  ['a code lens above a user chain lists the rules that jump to it', async () => {
    const doc = await open('ssh-safe-baseline.iptables');
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l?.length ? l : undefined;
    });
    const lens = lenses.find((l) => l.command?.title.startsWith('jumped to from'));
    assert.ok(lens?.command, lenses.map((l) => l.command?.title).join(' | '));
    assert.equal(lens.command.command, 'iptables.showReferences');
    // The click opens the references view; the command must accept what the server sent.
    await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
  }],
  ['inlay hints number each rule in its chain', async () => {
    const doc = await open('ssh-safe-baseline.iptables');
    const hints = await waitFor('inlay hints', async () => {
      const h = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
      return h?.length ? h : undefined;
    });
    const first = doc.getText().split('\n').findIndex((l) => l.startsWith('-A INPUT'));
    const hint = hints.find((h) => h.position.line === first);
    assert.equal(hint?.label, '#1');
  }],
  ['a script converts to an iptables-restore file, opened as a new document', async () => {
    const script = await open('firewall.sh');
    await diagnostics(script, () => true);
    const before = vscode.workspace.textDocuments.length;
    await vscode.commands.executeCommand('iptables.convertToRestore');
    const made = await waitFor('the converted document', () => vscode.workspace.textDocuments.find((d) => d.isUntitled && d.languageId === 'iptables' && d.getText().includes('*filter')));
    assert.ok(vscode.workspace.textDocuments.length > before);
    assert.match(made.getText(), /^-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT$/m);
    // The new document is analysed like any restore file.
    await diagnostics(made, () => true);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }],
  ['call hierarchy: the chains that jump to a user chain', async () => {
    const doc = await open('ssh-safe-baseline.iptables');
    await diagnostics(doc, () => true);
    const line = doc.getText().split('\n').findIndex((l) => l.includes('-j SSH_BRAKE'));
    const col = doc.lineAt(line).text.indexOf('SSH_BRAKE') + 1;
    const items = await vscode.commands.executeCommand<vscode.CallHierarchyItem[]>('vscode.prepareCallHierarchy', doc.uri, new vscode.Position(line, col));
    assert.equal(items?.[0]?.name, 'SSH_BRAKE');
    const incoming = await vscode.commands.executeCommand<vscode.CallHierarchyIncomingCall[]>('vscode.provideIncomingCalls', items[0]);
    assert.deepEqual(incoming.map((c) => c.from.name), ['INPUT']);
  }],
  ['document symbols: tables, chains, rules', async () => {
    const doc = await open('rules.v4');
    const syms = await waitFor('symbols', async () => (await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri)) ?? undefined);
    assert.equal(syms[0].name, '*filter');
    assert.ok(syms[0].children.some((c) => c.name === 'INPUT' && c.detail === 'policy DROP'));
  }],
  ['semantic tokens: a user chain declared and jumped to, a built-in chain', async () => {
    const doc = await open('ssh-safe-baseline.iptables');
    const legend = await vscode.commands.executeCommand<vscode.SemanticTokensLegend>('vscode.provideDocumentSemanticTokensLegend', doc.uri);
    const tokens = await waitFor('semantic tokens', () => vscode.commands.executeCommand<vscode.SemanticTokens | undefined>('vscode.provideDocumentSemanticTokens', doc.uri));
    const found = new Map<string, string>();
    for (let i = 0, line = 0, col = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      col = tokens.data[i] === 0 ? col + tokens.data[i + 1] : tokens.data[i + 1];
      const mods = legend.tokenModifiers.filter((_, b) => tokens.data[i + 4] & (1 << b));
      found.set(`${line}:${col}`, [legend.tokenTypes[tokens.data[i + 3]], ...mods].join('.'));
    }
    const lines = doc.getText().split('\n');
    const at = (re: RegExp, word: string) => { const line = lines.findIndex((l) => re.test(l)); return found.get(`${line}:${lines[line].indexOf(word)}`); };
    assert.equal(at(/^:SSH_BRAKE /, 'SSH_BRAKE'), 'function.declaration');
    assert.equal(at(/-j SSH_BRAKE/, 'SSH_BRAKE'), 'function');
    assert.equal(at(/^-A INPUT /, 'INPUT'), 'function.defaultLibrary');
  }],
  ['go to definition and rename of a user chain', async () => {
    const doc = await open('ssh-safe-baseline.iptables');
    const line = doc.getText().split('\n').findIndex((l) => l.includes('-j SSH_BRAKE'));
    const col = doc.lineAt(line).text.indexOf('SSH_BRAKE') + 1;
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', doc.uri, new vscode.Position(line, col));
    const target = defs[0] as vscode.Location;
    assert.equal(doc.lineAt(target.range.start.line).text, ':SSH_BRAKE - [0:0]');
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', doc.uri, new vscode.Position(line, col), 'SSH_LIMIT');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal((doc.getText().match(/SSH_LIMIT/g) ?? []).length, 5);
  }],
  ['formatting rewrites rules into the iptables-save form', async () => {
    const doc = await open('unformatted.rules');
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    const we = new vscode.WorkspaceEdit();
    we.set(doc.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(we));
    assert.ok(doc.getText().includes('-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT'), doc.getText());
  }],
  ['a settings change that turns a check off takes effect at once', async () => {
    const doc = await open('hostbits.rules');
    await diagnostics(doc, (x) => x.some((y) => code(y) === 'host-bits-set'));
    const config = vscode.workspace.getConfiguration('iptables');
    await config.update('diagnostics', { 'host-bits-set': 'off' }, vscode.ConfigurationTarget.Global);
    try {
      await diagnostics(doc, (x) => !x.some((y) => code(y) === 'host-bits-set'));
    } finally {
      await config.update('diagnostics', undefined, vscode.ConfigurationTarget.Global);
    }
    await diagnostics(doc, (x) => x.some((y) => code(y) === 'host-bits-set'));
  }],
  ['the example setups (Plex, WordPress script, NAT gateway) open without an error', async () => {
    for (const name of ['plex-media-server.iptables', 'wordpress-server.sh', 'nat-gateway.iptables']) {
      const doc = await open(name);
      // The examples are clean, so no finding says the server has read them: its outline does (it answers after it
      // has taken the document in, and publishes the findings as it does). Then watch for an error for a second.
      await waitFor(`the outline of ${name}`, async () => ((await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri)) ?? []).length > 0 || undefined);
      for (const until = Date.now() + 1000; Date.now() < until; await sleep(100)) {
        const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'iptables' && d.severity === vscode.DiagnosticSeverity.Error);
        assert.deepEqual(errors.map((e) => e.message), [], name);
      }
    }
    assert.equal((await open('wordpress-server.sh')).languageId, 'shellscript');
  }],
  ['a configuration a script sources is read from disk, linked, and the script analysed again when the file changes there', async () => {
    const doc = await open('conf/sourcing.sh');
    await diagnostics(doc, (d) => d.some((x) => code(x) === 'redundant-rule'));
    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri);
    assert.deepEqual(links.map((l) => [doc.getText(l.range), l.target?.fsPath]), [['./firewall.conf', file('conf/firewall.conf').fsPath]]);
    // Written on disk, not through an editor: the file watcher tells the server.
    await vscode.workspace.fs.writeFile(file('conf/firewall.conf'), Buffer.from('WAN=eth1\n'));
    await diagnostics(doc, (d) => !d.some((x) => code(x) === 'redundant-rule'));
  }],
  ['shell scripts: iptables lines are checked, the rest is left alone', async () => {
    const doc = await open('broken-firewall.sh');
    assert.equal(doc.languageId, 'shellscript');
    const d = await diagnostics(doc, (x) => x.some((y) => code(y) === 'unknown-target'));
    assert.ok(d.every((x) => doc.lineAt(x.range.start.line).text.includes('iptables')));
  }],
  ['Trace a packet shows the deciding rule, and re-runs after an edit', async () => {
    const doc = await open('trace.iptables');
    await diagnostics(doc, () => true);
    const first = await vscode.commands.executeCommand<{ text: string; branches: Array<{ verdict: string }> }>('iptables.tracePacket', '--proto tcp --src 203.0.113.5 --dport 80 --in eth0');
    assert.ok(first, 'the command answers');
    assert.deepEqual(first.branches.map((b) => b.verdict), ['DROP']);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(2, 0), '-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const again = await waitFor('the re-run trace', async () => {
      const r = await vscode.commands.executeCommand<{ branches: Array<{ verdict: string }>; text: string }>('iptables.retrace');
      return r && r.branches[0]?.verdict === 'ACCEPT' ? r : undefined;
    });
    assert.match(again.text, /deciding rule: line 3/);
  }],
];

export async function run(): Promise<void> {
  const failures: string[] = [];
  const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'iptables-language');
  assert.ok(ext, 'the extension is installed');
  for (const [name, fn] of cases) {
    const t0 = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      failures.push(name);
      console.log(`not ok - ${name}: ${(e as Error).stack ?? e}`);
    }
  }
  console.log(`${cases.length - failures.length} passed, ${failures.length} failed`);
  if (failures.length) throw new Error(`${failures.length} extension test(s) failed: ${failures.join('; ')}`);
}
