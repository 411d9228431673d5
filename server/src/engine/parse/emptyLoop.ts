/**
 * empty-loop: `ADMIN_IPS=""` at the top of a script, left to be filled in, and further down
 * `for ip in $ADMIN_IPS; do iptables -A INPUT -s $ip -p tcp --dport 22 -j ACCEPT; done`. Unquoted, an empty value is
 * no word at all: the loop has nothing to go over, makes no pass, and none of the commands of its body runs. The SSH
 * accept is never added, and the DROP policy after it locks everyone out.
 *
 * The analysis leaves such a body out (as it leaves out an arm of an `if` it does not follow); this check says why,
 * where the body runs iptables.
 */
import { Token } from '../lexer';
import { DiagnosticSink } from './diagnostics';
import { ShellValues, SimpleWords } from './shellValues';
import { bodyOfLoop, ForLoop, loopHead } from './scriptLoops';

/** A `for` loop whose list the shell expands to no word at all, with the list's words. */
export interface EmptyLoop {
  loop: ForLoop;
  list: readonly Token[];
}

/**
 * The loops whose every word is a known variable, unquoted, whose value is empty or blanks only (`$A $B` with `A=`
 * and `B=" "`), but those inside another such loop. A quoted one (`"$A"`) is one pass with an empty word; an unknown
 * one may hold anything.
 */
export function emptyLoops(commands: readonly SimpleWords[], loops: readonly ForLoop[], values: ShellValues): EmptyLoop[] {
  const out: EmptyLoop[] = [];
  for (const loop of loops) {
    // A loop inside one that makes no pass never runs at all (and the bodies stay apart: each is read once).
    const outer = out[out.length - 1]?.loop;
    if (outer && loop.head >= outer.first && loop.head <= outer.last) continue;
    const list = loopHead(commands[loop.head].words)?.list;
    if (list?.length && list.every((w) => w.dynamic && !w.quoted && isBlank(values.text(w), values))) out.push({ loop, list });
  }
  return out;
}

/** Empty, or blanks only where the shell splits at blanks alone (a script that sets IFS may split elsewhere). */
function isBlank(value: string | undefined, values: ShellValues): boolean {
  return value === '' || (values.plainSplitting && value?.trim() === '');
}

/** Reports each empty loop whose body runs iptables or ip6tables (`runsIptables(c)`), on its list, naming where the values are set. */
export function checkEmptyLoops<C extends SimpleWords>(commands: readonly C[], empty: readonly EmptyLoop[], values: ShellValues, runsIptables: (c: C) => boolean, sink: DiagnosticSink): void {
  for (const { loop, list } of empty) {
    if (!bodyOfLoop(commands, loop).some(runsIptables)) continue;
    const setters = list.flatMap((w) => values.settersOf(w));
    const names = [...new Set(list.map((w) => w.raw))];
    const lines = [...new Set(setters.map((s) => s.word.line + 1))];
    const what = names.length === 1 ? `${names[0]} is empty` : `${names.join(', ')} are empty`;
    const where = lines.length ? ` (as set on line${lines.length > 1 ? 's' : ''} ${lines.join(', ')})` : '';
    const range = { start: list[0].range.start, end: list[list.length - 1].range.end };
    const said = sink.add('empty-loop', 'warning', range, `This loop makes no pass: ${what} here${where}, and unquoted it is no word at all, so none of the commands of its body runs and none of its rules is added. Fill in the list, or remove the loop.`);
    said.related = setters.map((s) => ({ range: s.word.range, message: `$${s.name} is set here` }));
  }
}
