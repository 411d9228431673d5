/** The policy analysis: what rules mean, rather than how they are written. */
import { CheckContext } from '../checks/context';

export function runAnalysis(ctx: CheckContext): void {
  void ctx;
}
