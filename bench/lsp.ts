/** Through a real LSP client over stdio: open to first diagnostics, keystroke to updated diagnostics, start time. */
import { generateRuleset, generateScript } from './generate';
import { TestClient } from '../test/helpers/lspClient';

/** In a rules file, or (`script`) in the same rules written as a firewall script. */
export async function lsp(rules: number, edits: number, script = false): Promise<{ rules: number; edits: number; open: number; keys: number[]; start: number }> {
  let t0 = performance.now();
  const c = new TestClient();
  await c.initialize();
  const start = performance.now() - t0;
  try {
    const text = script ? generateScript(rules) : generateRuleset(rules);
    const uri = script ? 'file:///tmp/bench/firewall.sh' : 'file:///tmp/bench/rules.v4';
    t0 = performance.now();
    await c.open(uri, text, script ? 'shellscript' : 'iptables');
    await c.diagnosticsFor(uri, (p) => p.version === 1, 120000);
    const open = performance.now() - t0;
    const lines = text.split('\n');
    const target = lines.findIndex((l) => l.includes('-A SVC0 -p tcp -m tcp --dport'));
    const col = lines[target].indexOf('--dport ') + 8;
    const keys: number[] = [];
    for (let k = 0; k < edits; k++) {
      t0 = performance.now();
      // Typing a digit into a port number, then the next keystroke replaces it.
      const v = await c.change(uri, [{ range: { start: { line: target, character: col }, end: { line: target, character: col + 1 } }, text: String((k % 9) + 1) }]);
      await c.diagnosticsFor(uri, (p) => p.version === v, 60000);
      keys.push(performance.now() - t0);
    }
    return { rules, edits, open, keys, start };
  } finally {
    await c.close();
  }
}
