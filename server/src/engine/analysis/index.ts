/** The policy analysis: what rules mean, rather than how they are written. */
import { CheckContext } from '../checks/context';
import { AnalysisModel } from './model';
import { checkDnat } from './dnat';
import { checkDnatBypass } from './dnatBypass';
import { checkDnsTcp } from './dnsTcp';
import { checkIpv6Unfiltered } from './ipv6';
import { checkLoopback } from './loopback';
import { checkNeighbourDiscovery } from './neighbour';
import { checkPathMtu } from './pmtu';
import { checkPolicies } from './policy';
import { checkRateLimits } from './rateLimit';
import { checkSnat } from './snat';
import { reportDeadRules } from './shadow';
import { checkStyle } from './style';
import { checkUntracked } from './untracked';
import { checkRepeatedValues } from './repeatedValue';

export function runAnalysis(ctx: CheckContext): AnalysisModel {
  const model = ctx.model;
  checkStyle(model, ctx);
  const dead = reportDeadRules(model, ctx);
  checkRepeatedValues(model, ctx, dead);
  checkPolicies(model, ctx);
  checkDnat(model, ctx);
  checkSnat(model, ctx);
  checkDnatBypass(model, ctx);
  checkNeighbourDiscovery(model, ctx);
  checkLoopback(model, ctx);
  checkPathMtu(model, ctx);
  checkRateLimits(model, ctx, dead);
  checkDnsTcp(model, ctx);
  checkIpv6Unfiltered(model, ctx);
  checkUntracked(model, ctx);
  return model;
}
