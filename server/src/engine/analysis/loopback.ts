/**
 * Local traffic denied (loopback-blocked): programs on the host talk to each other over the loopback interface (a
 * database on 127.0.0.1, the local DNS resolver, a proxy in front of an application). An INPUT or OUTPUT that ends in
 * a deny without accepting all of `lo` breaks those no rule happens to open, though nothing from outside is involved.
 * The claim is proved on an example: a common local service whose new connections over lo are surely denied.
 */
import { CheckContext } from '../checks/context';
import { ChainState } from '../state';
import { IntervalSet } from './intervals';
import { AnalysisModel } from './model';
import { denier, follow, selectiveDenyEnd } from './policy';
import { Dim, LOOPBACK, stateSet, withDims } from './space';

const TCP = IntervalSet.point(6n);
/** Services that commonly listen on the loopback interface only. */
const EXAMPLES: ReadonlyArray<[number, string]> = [[5432, 'PostgreSQL'], [3306, 'MySQL'], [6379, 'Redis'], [53, 'a local DNS resolver'], [8080, 'an application server']];

function checkChain(model: AnalysisModel, ctx: CheckContext, cs: ChainState): void {
  const end = selectiveDenyEnd(model, cs);
  if (!end) return;
  const rules = model.rules(cs);
  // Proved on examples: the first of these local services whose new connections over lo are surely denied.
  let deniedBy: string | undefined;
  const example = EXAMPLES.find(([port]) => {
    const local = withDims(model.space(cs), [[cs.name === 'INPUT' ? Dim.In : Dim.Out, LOOPBACK], [Dim.State, stateSet('NEW')], [Dim.Proto, TCP],
      [Dim.Dport, IntervalSet.point(BigInt(port))], [Dim.Frag, IntervalSet.point(0n)]]);
    const r = follow(model, cs, local, end.rule);
    deniedBy = denier(r, end).by;
    return !r.mayAccept;
  });
  if (!example) return;
  const flag = cs.name === 'INPUT' ? '-i' : '-o';
  ctx.sink.add('loopback-blocked', 'warning', end.range,
    `${cs.name} does not accept all traffic on the loopback interface: local services no rule opens cannot be reached from this host itself (a new connection over lo to TCP port ${example[0]}, ${example[1]}, is denied by ${deniedBy}). Accept loopback traffic first: '-A ${cs.name} ${flag} lo -j ACCEPT'.`,
    { chain: cs.name, table: cs.table, rule: `-A ${cs.name} ${flag} lo -j ACCEPT`, insertBefore: rules[0].rule.range.start.line, port: example[0] });
}

/** The INPUT and OUTPUT chains of every filter table. */
export function checkLoopback(model: AnalysisModel, ctx: CheckContext): void {
  for (const cs of ctx.state.all()) {
    if (cs.table === 'filter' && cs.builtin && (cs.name === 'INPUT' || cs.name === 'OUTPUT')) checkChain(model, ctx, cs);
  }
}
