import { readFileSync } from 'node:fs';
import { lint } from '../server/src/engine/lint';
import { tuneHeap } from '../server/src/heap';
tuneHeap();
const text = readFileSync('/tmp/prof/100k.rules', 'utf8');
for (let i = 0; i < 3; i++) lint(text, { fileName: 'x.rules' });
const t: number[] = [];
for (let i = 0; i < 6; i++) { const t0 = performance.now(); lint(text, { fileName: 'x.rules' }); t.push(performance.now() - t0); }
console.log(t.map(x => x.toFixed(0)).join(' '));
