import { generateCases } from './kernel/generate';
import { compareWithKernel, formatDisagreements } from './kernel/oracle-report';
const seed = Number(process.argv[2]); const n = Number(process.argv[3] ?? 4000);
const r = compareWithKernel(generateCases(n, seed));
console.log(`seed ${seed}: total ${r.total} refused ${r.refused} falseErrors ${r.falseErrors.length} misses ${r.misses.length}`);
if (r.falseErrors.length) console.log('FALSE ERRORS\n' + formatDisagreements(r.falseErrors));
if (r.misses.length) console.log('MISSES\n' + formatDisagreements(r.misses));
