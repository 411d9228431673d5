/**
 * npm run bench: speed and memory on the largest corpus files and on generated rulesets of 1,000 to 100,000 rules,
 * through the engine and through a real LSP client; side by side with iptables-restore-translate where installed.
 * Prints a table and writes BENCHMARKS.md. `--smoke` runs small sizes once and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../scripts/bundle-options.mjs';
import { generateRuleset, generateScript } from './generate';

const ROOT = path.resolve(__dirname, '..');
const SMOKE = process.argv.includes('--smoke');
const REPS = SMOKE ? 1 : 5;
/** The engine's figures are medians of at least this much running time per input, too. */
const MIN_MS = 1500;
const CORPUS = process.env.IPTABLES_SHARED ? path.join(process.env.IPTABLES_SHARED, 'corpus') : path.resolve(ROOT, '..', 'shared', 'corpus');

interface Input {
  name: string;
  file: string;
  lines: number;
}

function inputs(): Input[] {
  const dir = SCRATCH;
  const out: Input[] = [];
  const corpus = ['nn_tum-chair_iptables_20.10.2013', 'nn_tum-chair_iptables-save-2015-05-13_10-53-20', 'nn_tum-chair_iptables-save-2016-06-27_16-29-01', 'nn_tum-chair_ip6tables-save-2016-06-27_16-29-01'];
  for (const f of SMOKE ? corpus.slice(0, 1) : corpus) {
    const file = path.join(CORPUS, 'save', f);
    if (existsSync(file)) out.push({ name: f.replace('nn_tum-chair_', 'tum-chair '), file, lines: readFileSync(file, 'utf8').split('\n').length });
  }
  for (const n of SMOKE ? [1000] : [1000, 10000, 100000]) {
    const file = path.join(dir, `generated-${n}.rules`);
    writeFileSync(file, generateRuleset(n));
    out.push({ name: `generated ${n.toLocaleString('en-US')} rules`, file, lines: readFileSync(file, 'utf8').split('\n').length });
  }
  // A script is read afresh at every edit (its shell context does not allow reusing lines), so its size matters more.
  for (const n of SMOKE ? [1000] : [10000]) {
    const file = path.join(dir, `generated-${n}.sh`);
    writeFileSync(file, generateScript(n));
    out.push({ name: `generated script, ${n.toLocaleString('en-US')} rules`, file, lines: readFileSync(file, 'utf8').split('\n').length });
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

/** The engine as it ships: bundled with the options of the packaged dist/server.js, not run through a TypeScript loader. */
function engineBundle(): string {
  const out = path.join(SCRATCH, 'engine-child.js');
  buildSync({ ...bundleOptions(true), entryPoints: [path.join(__dirname, 'engine-child.ts')], outfile: out });
  return out;
}

let bundled: string | undefined;

/**
 * The engine is timed in this many fresh processes per input, each giving its medians; the figure is the median of
 * those. (One process now and then runs a tenth or more slower or faster throughout, whatever it runs.)
 */
const PROCESSES = SMOKE ? 1 : 3;

/** The generated inputs and the bundled engine, in one scratch directory removed when the run ends. */
const SCRATCH = mkdtempSync(path.join(os.tmpdir(), 'ipt-bench-'));
process.on('exit', () => rmSync(SCRATCH, { recursive: true, force: true }));

/** Parse and full-analysis times and the peak memory, measured in fresh processes per input. */
function engine(file: string): { parse: number; full: number; rssMB: number } {
  bundled ??= engineBundle();
  const parse: number[] = [];
  const full: number[] = [];
  for (let k = 0; k < PROCESSES; k++) {
    const r = spawnSync(process.execPath, [bundled, file, String(REPS), 'time', String(SMOKE ? 0 : MIN_MS)], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(r.stderr);
    const j = JSON.parse(r.stdout);
    parse.push(median(j.parse));
    full.push(median(j.full));
  }
  const m = spawnSync(process.execPath, [bundled, file, '1', 'memory'], { encoding: 'utf8' });
  if (m.status !== 0) throw new Error(m.stderr);
  return { parse: median(parse), full: median(full), rssMB: JSON.parse(m.stdout).maxRSS / 1024 };
}

function translate(file: string): number | undefined {
  // It reads restore files only.
  if (file.endsWith('.sh')) return undefined;
  if (spawnSync('sh', ['-c', 'command -v iptables-restore-translate']).status !== 0) return undefined;
  const tool = /ip6tables/.test(file) ? 'ip6tables-restore-translate' : 'iptables-restore-translate';
  const times: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    // Its output (the nft commands) goes to /dev/null: what is timed is the reading, not a pipe into this process.
    const r = spawnSync(tool, ['-f', file], { stdio: ['ignore', 'ignore', 'ignore'] });
    times.push(performance.now() - t0);
    if (r.status !== 0) return undefined;
  }
  return median(times);
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`;
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const measured: Array<{ name: string; lines: number; full: number; rss: number; translate?: number }> = [];
  const head = ['input', 'lines', 'parse ms', 'full analysis ms', 'peak RSS MB (one analysis)', 'iptables-restore-translate ms', 'ratio'];
  for (const inp of inputs()) {
    const e = engine(inp.file);
    const tr = translate(inp.file);
    measured.push({ name: inp.name, lines: inp.lines, full: e.full, rss: e.rssMB, translate: tr });
    rows.push([inp.name, String(inp.lines), e.parse.toFixed(1), e.full.toFixed(1), e.rssMB.toFixed(0), tr === undefined ? 'n/a' : tr.toFixed(1), tr === undefined ? '' : `${(tr / e.full).toFixed(2)}x`]);
    process.stderr.write(`measured ${inp.name}\n`);
  }
  const { lsp } = await import('./lsp');
  const l = await lsp(SMOKE ? 1000 : 10000, SMOKE ? 10 : 100);
  const ls = await lsp(SMOKE ? 1000 : 10000, SMOKE ? 10 : 30, true);
  const bundle = ['client.js', 'server.js', 'lint.js'].map((f) => path.join(ROOT, 'dist', f)).filter(existsSync).reduce((a, f) => a + statSync(f).size, 0);
  const vsix = path.join(ROOT, 'iptables-language.vsix');
  const table = [head, ...rows].map((r) => `| ${r.join(' | ')} |`);
  table.splice(1, 0, `|${head.map(() => '---').join('|')}|`);
  const lspLines = [
    `| open to first diagnostics (${l.rules.toLocaleString('en-US')}-rule document) | ${l.open.toFixed(0)} ms |`,
    `| keystroke to updated diagnostics, p50 over ${l.edits} edits | ${pct(l.keys, 50).toFixed(1)} ms |`,
    `| keystroke to updated diagnostics, p95 over ${l.edits} edits | ${pct(l.keys, 95).toFixed(1)} ms |`,
    `| keystroke to updated diagnostics in a script of ${ls.rules.toLocaleString('en-US')} rules (read afresh), p50 / p95 over ${ls.edits} edits | ${pct(ls.keys, 50).toFixed(0)} / ${pct(ls.keys, 95).toFixed(0)} ms |`,
    `| server start (spawn to initialize answered) | ${l.start.toFixed(0)} ms |`,
    `| bundled client + server + linter | ${(bundle / 1024).toFixed(0)} KiB |`,
    `| packaged .vsix | ${existsSync(vsix) ? `${(statSync(vsix).size / 1024).toFixed(0)} KiB` : 'not packaged'} |`,
  ];
  const largestCorpus = measured.filter((m) => m.name.startsWith('tum-chair')).sort((a, b) => b.lines - a.lines)[0];
  const big = measured.find((m) => m.name.includes('100,000'));
  const withTranslate = measured.filter((m) => m.translate !== undefined);
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
  const targets = [
    '| target | measured | |',
    '|---|---|---|',
    `| largest corpus file fully analysed in under 50 ms | ${largestCorpus ? `${largestCorpus.full.toFixed(0)} ms` : '-'} | ${mark(largestCorpus && largestCorpus.full < 50)} |`,
    `| 100,000 rules fully analysed in under 1 s | ${big ? `${big.full.toFixed(0)} ms` : '-'} | ${mark(big && big.full < 1000)} |`,
    `| ... and in under 300 MB (peak resident size of the process) | ${big ? `${big.rss.toFixed(0)} MB` : '-'} | ${mark(big && big.rss < 300)} |`,
    `| keystroke in the 10,000-rule document under 30 ms (p95) | ${pct(l.keys, 95).toFixed(1)} ms | ${mark(SMOKE ? undefined : pct(l.keys, 95) < 30)} |`,
    `| full analysis faster than iptables-restore-translate parses | ${withTranslate.map((m) => `${(m.translate! / m.full).toFixed(2)}x`).join(', ') || '-'} | ${mark(withTranslate.length ? withTranslate.every((m) => m.translate! > m.full) : undefined)} |`,
  ];
  const text = [`Machine: ${machine()}`, `Medians of at least ${REPS} runs per input; the engine's figures, of at least ${MIN_MS / 1000} s of runs (up to 200) in each of ${PROCESSES} fresh processes, the median of the processes' medians.`, '', ...table, '', '| through a real LSP client | |', '|---|---|', ...lspLines, '', ...targets].join('\n');
  process.stdout.write(`${text}\n`);
  if (!SMOKE) {
    const md = readFileSync(path.join(__dirname, 'BENCHMARKS.head.md'), 'utf8');
    writeFileSync(path.join(ROOT, 'BENCHMARKS.md'), `${md}\n## Results\n\n${text}\n`);
    process.stderr.write('wrote BENCHMARKS.md\n');
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
