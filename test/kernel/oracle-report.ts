/** Compares the linter with the kernel on generated cases; prints disagreements. Used by the test and by hand. */
import { lint } from '../../server/src/engine/lint';
import { refusals } from '../helpers/lint';
import { generateCases } from './generate';
import { KernelCase, loadAll } from './oracle';

export interface Disagreement {
  kase: KernelCase;
  kernel: string;
  ours: string[];
}

export interface OracleReport {
  total: number;
  refused: number;
  accepted: number;
  falseErrors: Disagreement[];
  misses: Disagreement[];
}

export function compareWithKernel(cases: KernelCase[]): OracleReport {
  const verdicts = loadAll(cases);
  const report: OracleReport = { total: cases.length, refused: 0, accepted: 0, falseErrors: [], misses: [] };
  cases.forEach((kase, i) => {
    const errs = refusals(lint(kase.text, { family: kase.family }).diagnostics);
    const v = verdicts[i];
    const ours = errs.map((d) => `${d.range.start.line + 1}: ${d.code}: ${d.message}`);
    if (v.accepted) {
      report.accepted++;
      if (errs.length) report.falseErrors.push({ kase, kernel: 'accepted', ours });
    } else {
      report.refused++;
      if (!errs.length) report.misses.push({ kase, kernel: v.message, ours });
    }
  });
  return report;
}

export function formatDisagreements(list: Disagreement[]): string {
  return list.map((d) => `--- IPv${d.kase.family}\n${d.kase.text.trimEnd()}\n  kernel: ${d.kernel.split('\n')[0]}\n  linter: ${d.ours.join(' | ') || 'no error'}`).join('\n');
}

if (require.main === module) {
  const n = Number(process.argv[2] ?? 3000);
  const rep = compareWithKernel(generateCases(n, Number(process.argv[3] ?? 1)));
  console.log(`cases ${rep.total}, kernel refused ${rep.refused}, accepted ${rep.accepted}`);
  console.log(`FALSE ERRORS (${rep.falseErrors.length}):\n${formatDisagreements(rep.falseErrors)}`);
  console.log(`MISSES (${rep.misses.length}):\n${formatDisagreements(rep.misses)}`);
}
