/** One input, measured in a process of its own so that the peak memory is this input's alone. */
import { readFileSync } from 'node:fs';
import { lint } from '../server/src/engine/lint';
import { parseRestore } from '../server/src/engine/parse/restore';
import { detectFamily, detectFormat } from '../server/src/engine/lint';
import { parseScript } from '../server/src/engine/parse/script';
import { tuneHeap } from '../server/src/heap';

// The heap is set up as the language server and the linter set it up.
tuneHeap();

const [file, reps, minMs] = [process.argv[2], Number(process.argv[3] ?? 5), Number(process.argv[5] ?? 1500)];
const text = readFileSync(file, 'utf8');
if (process.argv[4] === 'memory') {
  // One analysis in a fresh process: the peak memory a server holding this document needs.
  lint(text, { fileName: file });
  process.stdout.write(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }));
  process.exit(0);
}
const family = detectFamily(text, { fileName: file });
const parseOnce = detectFormat(text, { fileName: file }) === 'script' ? () => parseScript(text, family) : () => parseRestore(text, family);
const parse: number[] = [];
const full: number[] = [];
// Warm-up as a long-running server would be: at least one run, and at least a second of work, before measuring.
const warmUntil = performance.now() + 1000;
let warm = 0;
while (warm < 1 || performance.now() < warmUntil) {
  parseOnce();
  lint(text, { fileName: file });
  warm++;
}
// Parsing alone and the full analysis are timed in loops of their own, so that the garbage of a parse made only
// to be timed is not left for the analyses to collect (a server never parses twice).
// At least `reps` runs and at least `minMs` of them (a small input is measured many more times: its median would
// otherwise move with whatever else the machine does).
const enough = (times: number[]) => times.length >= reps && (times.length >= 200 || times.reduce((a, b) => a + b, 0) >= minMs);
while (!enough(parse)) {
  const t0 = performance.now();
  parseOnce();
  parse.push(performance.now() - t0);
}
while (!enough(full)) {
  const t0 = performance.now();
  lint(text, { fileName: file });
  full.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ parse, full, maxRSS: process.resourceUsage().maxRSS }));
