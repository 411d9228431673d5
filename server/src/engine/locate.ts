/** What is under a position: the word, and what it means in its command. Shared by hover, navigation and completion. */
import { ModuleSpec } from './kb';
import { Token } from './lexer';
import { ChainDecl, Command, OptionUse, Ruleset, TableBlock } from './model';
import { LintResult } from './lint';
import { LineIndex } from './lineIndex';
import { comparePos, Position, Range } from './types';

export type Located =
  | { kind: 'command'; command: Command; token: Token }
  | { kind: 'option'; command: Command; use: OptionUse; token: Token }
  | { kind: 'negation'; command: Command; use: OptionUse; token: Token }
  | { kind: 'value'; command: Command; use: OptionUse; token: Token; index: number }
  | { kind: 'match'; command: Command; token: Token; spec?: ModuleSpec }
  | { kind: 'target'; command: Command; token: Token; spec: ModuleSpec }
  | { kind: 'chain'; name: string; table: string; range: Range; command?: Command; decl?: ChainDecl; role: 'rule' | 'jump' | 'goto' | 'declaration' | 'command' }
  | { kind: 'table'; name: string; range: Range; block?: TableBlock }
  | { kind: 'policy'; value: string; range: Range; decl?: ChainDecl; command?: Command }
  | { kind: 'counters'; range: Range }
  | { kind: 'rulenum'; command: Command; token: Token };

export function inRange(pos: Position, r: Range): boolean {
  return comparePos(pos, r.start) >= 0 && comparePos(pos, r.end) <= 0;
}

/**
 * How a script runs iptables for command `c`, as written before its first word on its line: from the start of its
 * shell command (after `;`, `&&`, `|`, `do`, `then`, `else`, `{`) to that word (`iptables `, `sudo iptables `,
 * `$IPT `), without the loop or condition around it. The command's family's name when nothing stands there (the
 * word is on a line of its own).
 */
export function invocationWords(lineText: string, c: Command): string {
  const before = c.range.start.line === c.startLine ? lineText.slice(0, c.range.start.character) : '';
  const words = /[^;&|{(]*$/.exec(before)![0].replace(/^\s*(?:(?:do|then|else|elif|if|while|until|!)\s+)*/, '');
  return /\S/.test(words) ? words : c.commandFamily === 6 ? 'ip6tables ' : 'iptables ';
}

/**
 * Where a script's command stands in a shell list, read from the words around it on its lines (and those a backslash
 * joins to them): after `&&` or `||` (it runs as the command before it turns out), and whether it is guarded, so
 * that a failure does not stop a script run with `set -e`: before `&&` or `||`, after them, after `!`, or as the
 * condition of an if, while or until.
 */
export function shellList(index: LineIndex, c: Command): { after: boolean; guarded: boolean } {
  // The words before it, and after it, on its lines and on the lines a backslash joins to them.
  let before = index.lineText(c.range.start.line).slice(0, c.range.start.character);
  // A list also goes on after `&&` or `||` at the end of a line, when the command starts the next.
  for (let l = c.range.start.line - 1; l >= 0; l--) {
    const prev = index.lineText(l);
    if (!/\\\s*$/.test(prev) && !(/(&&|\|\|)\s*$/.test(prev) && !/[;&|]/.test(before))) break;
    before = `${prev.replace(/\\\s*$/, ' ')} ${before}`;
  }
  let rest = index.lineText(c.range.end.line).slice(c.range.end.character);
  for (let l = c.range.end.line + 1; l < index.lineCount && /\\\s*$/.test(rest); l++) rest = `${rest.replace(/\\\s*$/, ' ')}${index.lineText(l)}`;
  // The shell command the words belong to starts after the last `;`, `&`, `|`, `{` or `(` before them.
  const start = before.length - /[^;&|{(]*$/.exec(before)![0].length;
  const after = /(&&|\|\|)\s*$/.test(before.slice(0, start));
  const condition = /^\s*(?:(?:do|then|else|elif|\{)\s+)*(?:if|while|until|!)\s/.test(before.slice(start));
  return { after, guarded: after || condition || /^\s*(&&|\|\|)/.test(rest) };
}

/**
 * The first command whose lines include `line` (a command may run over several lines in a script, and a script
 * line may hold several commands). Commands are in the order of their lines: found by halving, then stepping back
 * over the other commands of the same line.
 */
export function commandOnLine(rs: Ruleset, line: number): Command | undefined {
  const list = rs.commands;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].startLine <= line) lo = mid + 1;
    else hi = mid - 1;
  }
  if (hi < 0 || list[hi].endLine < line) return undefined;
  while (hi > 0 && list[hi - 1].endLine >= line) hi--;
  return list[hi];
}

function commandAt(result: LintResult, pos: Position): Command | undefined {
  const list = result.ruleset.commands;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = list[mid];
    if (comparePos(pos, c.range.start) < 0) hi = mid - 1;
    else if (comparePos(pos, c.range.end) > 0) lo = mid + 1;
    else return c;
  }
  return undefined;
}

function locateInCommand(c: Command, pos: Position): Located | undefined {
  if (inRange(pos, c.commandToken.range)) return { kind: 'command', command: c, token: c.commandToken };
  if (c.chain && inRange(pos, c.chain.range)) {
    const role = c.spec.ruleSpec ? 'rule' : 'command';
    return { kind: 'chain', name: c.chain.value, table: c.table, range: c.chain.range, command: c, role };
  }
  if (c.extra && c.spec.short === '-P' && inRange(pos, c.extra.range)) return { kind: 'policy', value: c.extra.value, range: c.extra.range, command: c };
  if (c.extra && c.spec.short === '-E' && inRange(pos, c.extra.range)) return { kind: 'chain', name: c.extra.value, table: c.table, range: c.extra.range, command: c, role: 'command' };
  if (c.counters && inRange(pos, c.counters.range)) return { kind: 'counters', range: c.counters.range };
  if (c.rulenum && inRange(pos, c.rulenum.range)) return { kind: 'rulenum', command: c, token: c.rulenum };
  if (c.tableToken && inRange(pos, c.tableToken.range)) return { kind: 'table', name: c.tableToken.value, range: c.tableToken.range };
  for (const use of c.options) {
    if (inRange(pos, use.nameToken.range)) return { kind: 'option', command: c, use, token: use.nameToken };
    if (use.negToken && inRange(pos, use.negToken.range)) return { kind: 'negation', command: c, use, token: use.negToken };
    const k = use.args.findIndex((a) => inRange(pos, a.range));
    if (k < 0) continue;
    const token = use.args[k];
    if (use.spec.short === '-m') return { kind: 'match', command: c, token, spec: c.matches.find((m) => m.token === token)?.spec };
    if (use.spec.short === '-j' || use.spec.short === '-g') {
      const t = c.target;
      if (t?.spec && t.token === token) return { kind: 'target', command: c, token, spec: t.spec };
      return { kind: 'chain', name: token.value, table: c.table, range: token.range, command: c, role: use.spec.short === '-g' ? 'goto' : 'jump' };
    }
    return { kind: 'value', command: c, use, token, index: k };
  }
  return undefined;
}

export function locate(result: LintResult, pos: Position): Located | undefined {
  const rs = result.ruleset;
  for (const t of rs.tables) {
    if ((rs.format === 'restore' || t.restore) && inRange(pos, t.range)) return { kind: 'table', name: t.name, range: t.nameRange, block: t };
  }
  for (const d of rs.chains) {
    if (d.via !== 'declaration') continue;
    if (inRange(pos, d.nameRange)) return { kind: 'chain', name: d.name, table: d.table, range: d.nameRange, decl: d, role: 'declaration' };
    if (d.policyRange && d.policy !== undefined && inRange(pos, d.policyRange)) return { kind: 'policy', value: d.policy, decl: d, range: d.policyRange };
  }
  const c = commandAt(result, pos);
  return c ? locateInCommand(c, pos) : undefined;
}
