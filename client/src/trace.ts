/**
 * "Trace a packet": asks for the packet, shows the server's answer in a panel and on the rules themselves (the
 * rules on the path highlighted, the deciding one marked), and re-runs the last trace as the document changes.
 */
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';

interface RangeJson {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

interface TraceReply {
  text: string;
  error?: string;
  branches: Array<{ verdict: string; decidedBy?: RangeJson; matched: RangeJson[]; assumptions: Array<{ range: RangeJson; matched: boolean }> }>;
}

const toRange = (r: RangeJson) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

export class Tracer implements vscode.Disposable {
  private readonly output = vscode.window.createOutputChannel('iptables Trace');
  private readonly onPath = vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'), isWholeLine: true });
  private readonly decides = vscode.window.createTextEditorDecorationType({ backgroundColor: new vscode.ThemeColor('editor.findMatchBackground'), isWholeLine: true, fontWeight: 'bold' });
  private last?: { uri: string; query: string };
  private timer?: NodeJS.Timeout;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.last && e.document.uri.toString() === this.last.uri) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => void this.rerun(), 500);
        }
      }),
    );
  }

  /** Asks for the packet (unless given, as other extensions and tests may) and shows the trace; returns it. */
  async trace(given?: string): Promise<TraceReply | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Open an iptables ruleset to trace a packet through it.');
      return undefined;
    }
    const query = typeof given === 'string' ? given : await vscode.window.showInputBox({
      title: 'Trace a packet',
      prompt: 'The packet: --proto tcp|udp|icmp --src ADDR --dst ADDR --sport N --dport N --in IF --out IF --state NEW|ESTABLISHED [--input|--forward|--output]',
      value: this.last?.query ?? '--proto tcp --src 203.0.113.5 --dst 192.0.2.1 --dport 22 --in eth0',
      ignoreFocusOut: true,
    });
    if (query === undefined) return undefined;
    this.last = { uri: editor.document.uri.toString(), query };
    return this.rerun();
  }

  async rerun(): Promise<TraceReply | undefined> {
    const client = this.client();
    if (!this.last || !client) return undefined;
    const reply = await client.sendRequest<TraceReply>('iptables/tracePacket', { textDocument: { uri: this.last.uri }, query: this.last.query });
    if (reply.error) {
      void vscode.window.showErrorMessage(`Trace a packet: ${reply.error}`);
      return reply;
    }
    this.output.clear();
    this.output.appendLine(reply.text);
    this.output.show(true);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.last!.uri);
    if (!editor) return reply;
    const path = reply.branches.flatMap((b) => b.matched.map(toRange));
    const deciding = reply.branches.filter((b) => b.decidedBy).map((b) => ({
      range: toRange(b.decidedBy!),
      renderOptions: { after: { contentText: `  ← ${b.verdict}${reply.branches.length > 1 ? ' (one branch)' : ''}`, color: new vscode.ThemeColor('editorCodeLens.foreground') } },
    }));
    editor.setDecorations(this.onPath, path);
    editor.setDecorations(this.decides, deciding);
    return reply;
  }

  clear(): void {
    this.last = undefined;
    for (const e of vscode.window.visibleTextEditors) {
      e.setDecorations(this.onPath, []);
      e.setDecorations(this.decides, []);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of [this.output, this.onPath, this.decides, ...this.subscriptions]) d.dispose();
  }
}
