/**
 * loop-variable-unused: `for ip in $(cat blocklist); do iptables -A INPUT -s $IP -j DROP; done`. The loop sets $ip
 * and its body never reads it (here it reads $IP, another variable: names are case-sensitive), so every pass runs
 * the same commands: the same rule, once per value, instead of one rule per value. The same for a function called
 * with different arguments whose body reads none of them (`allow 80`, `allow 443`, and a body without `$1`).
 *
 * Said only where the whole body can be seen: every command of it runs iptables or ip6tables, or only prints or
 * waits (a function or another program might read the variable), and nothing in it could name the variable other
 * than as `$name` or `${name...}` (arithmetic, eval, read, indirection).
 */
import { LineIndex } from '../lineIndex';
import { Range } from '../types';
import { DiagnosticSink } from './diagnostics';
import { SimpleWords } from './shellValues';
import { bodyOfLoop, commandWord, ForLoop, FunctionUses, InArms, leading } from './scriptLoops';

/** A body longer than this (in characters, or in commands) is not looked through. */
const MAX_BODY = 100_000;
const MAX_COMMANDS = 200;
/** Ways a body may read a variable without writing `$name`. */
const INDIRECT = /\(\(|\$\[|\$\{!|\beval\b|\bread\b|\bdeclare\b|\btypeset\b|\blocal\b|\bexport\b|\blet\b|\bprintf\s+-v\b/;

/**
 * Reports each `for` loop whose body never reads its variable. `kind(c)`: whether the command runs iptables or
 * ip6tables, or only prints or waits (undefined for any other).
 */
export function checkLoopVariables<C extends SimpleWords>(commands: readonly C[], loops: readonly ForLoop[], index: LineIndex, kind: (c: C) => 'iptables' | 'prints' | undefined, sink: DiagnosticSink): void {
  for (const loop of loops) {
    // Where its body starts and ends: after `do`, before `done`.
    const [from, to] = [index.offset(loop.doWord.range.end), index.offset(loop.doneWord.range.start)];
    if (to - from > MAX_BODY || loop.last - loop.first > MAX_COMMANDS) continue;
    const body = bodyOfLoop(commands, loop).filter((c) => commandWord(c.words) !== undefined);
    const kinds = body.map(kind);
    if (!kinds.includes('iptables') || kinds.includes(undefined)) continue;
    const text = index.text.slice(from, to);
    const name = loop.name.value;
    if (INDIRECT.test(text) || new RegExp(`\\$\\{?#?${name}(?![A-Za-z0-9_])`).test(text)) continue;
    // A variable of the body whose name differs from the loop's only by case.
    const other = [...new Set([...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].find((v) => v.toLowerCase() === name.toLowerCase());
    const hint = other ? ` The body reads $${other}, another variable (shell variable names are case-sensitive).` : '';
    const uses = other ? usesOf(text, other, from, index) : [];
    sink.add('loop-variable-unused', 'warning', loop.name.range, `This loop sets $${name}, but its body never reads it: every pass runs the same commands, adding the same rules again for each value.${hint}`, other ? { rename: { from: other, to: name, ranges: uses } } : undefined);
  }
}

/** A positional parameter, or all of them, or their count, however written (`$1`, `${2}`, `"$@"`, `$*`, `$#`). */
const ARGUMENTS = /\$\{?[#!]?[0-9@*#]/;

/**
 * Reports each function called with different arguments whose body reads none: its every command runs iptables or
 * ip6tables, or only prints or waits, and none names a positional parameter, shifts or could read one out of sight.
 */
export function checkFunctionArguments<C extends InArms>(commands: readonly C[], functions: ReadonlyMap<string, number>, uses: FunctionUses<C>, kind: (c: C) => 'iptables' | 'prints' | undefined, sink: DiagnosticSink): void {
  const byId = new Map([...functions].map(([name, id]) => [id, name]));
  for (const [id, places] of uses.calls) {
    const at = places.map((i) => commands[i]);
    const body = (uses.bodies.get(id) ?? []).filter((c) => commandWord(c.words) !== undefined);
    const args = at.map((c) => c.words.slice(leading(c.words) + 1).map((w) => w.raw).join(' '));
    if (new Set(args).size < 2 || body.length > MAX_COMMANDS || at.some((c) => body.includes(c))) continue;
    const kinds = body.map(kind);
    if (!kinds.includes('iptables') || kinds.includes(undefined)) continue;
    if (body.some((c) => c.words.some((w) => ARGUMENTS.test(w.raw) || INDIRECT.test(w.raw) || w.value === 'shift'))) continue;
    const first = body[kinds.indexOf('iptables')];
    const shown = [...new Set(args)].filter(Boolean).slice(0, 4).map((a) => `'${a}'`).join(', ');
    sink.add('loop-variable-unused', 'warning', commandWord(first.words)!.range, `${byId.get(id)} is called with different arguments (${shown}), but its body reads none of them ($1, $2, ...): every call runs the same commands, adding the same rules again.`);
  }
}

/** Where the body reads `$from` or `${from}`: the ranges of the names, to be written as the loop's own. */
function usesOf(text: string, from: string, start: number, index: LineIndex): Range[] {
  return [...text.matchAll(new RegExp(`\\$\\{?(${from})(?![A-Za-z0-9_])`, 'g'))].map((m) => {
    const at = start + m.index! + m[0].length - from.length;
    return { start: index.position(at), end: index.position(at + from.length) };
  });
}
