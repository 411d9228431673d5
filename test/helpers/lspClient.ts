/** A real LSP client over stdio, talking to the built server (dist/server.js). */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  createProtocolConnection, InitializeRequest, InitializedNotification, ProtocolConnection, PublishDiagnosticsNotification,
  PublishDiagnosticsParams, StreamMessageReader, StreamMessageWriter, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification,
  ExitNotification, ShutdownRequest, ConfigurationRequest, DidChangeConfigurationNotification, RegistrationRequest,
} from 'vscode-languageserver-protocol/node';
import { ROOT } from './env';

export const SERVER = path.join(ROOT, 'dist', 'server.js');

export class TestClient {
  readonly conn: ProtocolConnection;
  readonly proc: ChildProcess;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<() => void> = [];
  settings: Record<string, unknown> = {};
  /** What the server asked to register (file watchers, configuration). */
  readonly registrations: Array<{ method: string; registerOptions?: unknown }> = [];
  stderr = '';
  private versions = new Map<string, number>();

  constructor(args: string[] = ['--stdio'], env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, [SERVER, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onRequest(ConfigurationRequest.type, (p) => p.items.map(() => this.settings));
    this.conn.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      for (const w of this.waiters.splice(0)) w();
    });
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.listen();
  }

  /** `textDocument`: capabilities beyond diagnostics with related information (as a client that resolves code actions). */
  async initialize(configuration = true, textDocument: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): Promise<unknown> {
    const result = await this.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { configuration, ...workspace }, textDocument: { publishDiagnostics: { relatedInformation: true }, ...textDocument } },
      initializationOptions: {},
    });
    await this.conn.sendNotification(InitializedNotification.type, {});
    return result;
  }

  async open(uri: string, text: string, languageId = 'iptables'): Promise<void> {
    this.versions.set(uri, 1);
    this.diagnostics.delete(uri);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
  }

  async change(uri: string, changes: Array<{ range?: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string }>): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: changes.map((c) => (c.range ? { range: c.range, text: c.text } : { text: c.text })),
    });
    return version;
  }

  async setSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.conn.sendNotification(DidChangeConfigurationNotification.type, { settings: { iptables: settings } });
  }

  /** Waits for diagnostics of `uri` (of at least `version`, when given) that satisfy `ok`. */
  async diagnosticsFor(uri: string, ok: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10000): Promise<PublishDiagnosticsParams> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = this.diagnostics.get(uri);
      if (p && ok(p)) return p;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(p?.diagnostics.map((d) => d.code))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.conn.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.conn.dispose();
    await new Promise((r) => setTimeout(r, 50));
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

/** Runs `fn` against a freshly started and initialized server, and shuts the server down whatever happens. */
export async function withClient(fn: (c: TestClient) => Promise<void>): Promise<void> {
  const c = new TestClient();
  try {
    await c.initialize();
    await fn(c);
  } finally {
    await c.close();
  }
}
