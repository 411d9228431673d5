/** The VS Code client: starts the bundled language server and passes settings through. Nothing else lives here. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from 'vscode-languageclient/node';
import { Tracer } from './trace';

let client: LanguageClient | undefined;
let status: vscode.StatusBarItem | undefined;

function documentSelector(): LanguageClientOptions['documentSelector'] {
  const selector: { language: string; scheme?: string }[] = [{ language: 'iptables' }];
  if (vscode.workspace.getConfiguration('iptables').get<boolean>('analyzeShellScripts', true)) selector.push({ language: 'shellscript' });
  return selector;
}

function createClient(context: vscode.ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    synchronize: { configurationSection: 'iptables' },
    initializationOptions: { settings: vscode.workspace.getConfiguration('iptables') },
    outputChannelName: 'iptables Language Server',
  };
  return new LanguageClient('iptables', 'iptables Language Server', serverOptions, clientOptions);
}

function showState(state: State): void {
  if (!status) return;
  if (state === State.Stopped) {
    status.text = '$(error) iptables';
    status.tooltip = 'The iptables language server stopped. Click to restart it.';
    status.command = 'iptables.restartServer';
    status.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    status.show();
  } else {
    status.hide();
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  client = createClient(context);
  client.onDidChangeState((e) => showState(e.newState));
  await client.start();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  const tracer = new Tracer(() => client);
  context.subscriptions.push(
    status,
    tracer,
    vscode.commands.registerCommand('iptables.tracePacket', (query?: string) => tracer.trace(query)),
    vscode.commands.registerCommand('iptables.retrace', () => tracer.rerun()),
    vscode.commands.registerCommand('iptables.clearTrace', () => tracer.clear()),
    vscode.commands.registerCommand('iptables.restartServer', async () => {
      if (client) await client.stop().catch(() => undefined);
      await start(context);
    }),
    vscode.commands.registerCommand('iptables.showOutput', () => client?.outputChannel.show()),
    vscode.commands.registerCommand('iptables.convertToRestore', () => convertToRestore()),
    // The server's code lenses list the jumps to a chain: its plain locations become the editor's references view.
    vscode.commands.registerCommand('iptables.showReferences', (uri: string, position: { line: number; character: number }, locations: Array<{ uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }>) => {
      const c = client?.protocol2CodeConverter;
      if (!c) return undefined;
      return vscode.commands.executeCommand('editor.action.showReferences', c.asUri(uri), c.asPosition(position), locations.map((l) => c.asLocation(l)));
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('iptables.analyzeShellScripts')) await vscode.commands.executeCommand('iptables.restartServer');
    }),
  );
  await start(context);
}

/**
 * The active shell script's rules as iptables-restore files (one per family), each opened as a new document to
 * review and save: the server does the work.
 */
async function convertToRestore(): Promise<vscode.TextDocument[]> {
  const editor = vscode.window.activeTextEditor;
  if (!client || !editor) return [];
  const reply = await client.sendRequest<{ files: Array<{ family: 4 | 6; text: string; skipped: Array<{ line: number; why: string }> }>; error?: string }>('iptables/toRestore', { textDocument: { uri: editor.document.uri.toString() } });
  if (reply.error) {
    void vscode.window.showWarningMessage(reply.error);
    return [];
  }
  const docs: vscode.TextDocument[] = [];
  for (const f of reply.files) {
    const doc = await vscode.workspace.openTextDocument({ language: 'iptables', content: f.text });
    await vscode.window.showTextDocument(doc, { preview: false });
    docs.push(doc);
    const skipped = f.skipped.length;
    if (skipped) void vscode.window.showWarningMessage(`${skipped} rule${skipped === 1 ? '' : 's'} of the script ${skipped === 1 ? 'holds' : 'hold'} shell values or errors and ${skipped === 1 ? 'is' : 'are'} left in the IPv${f.family} file as comments: fill them in before loading it.`);
  }
  return docs;
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
