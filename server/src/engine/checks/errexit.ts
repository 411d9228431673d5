/**
 * A script run with `set -e` (or `#!/bin/sh -e`) stops at the first command that fails. When iptables refuses one
 * of its commands, every command after it is left undone: the firewall stands half built (a DROP policy already
 * set, the SSH accept not added yet). The error on the first such command says so.
 */
import { LineIndex } from '../lineIndex';
import { Command, commandsInRunOrder, holdsFinding, runLine, Ruleset } from '../model';
import { Diagnostic } from '../types';
import { shellList } from '../locate';

/** `set -e`, `set -eu`, `set -euo pipefail`, `set -o errexit`; and `set +e`, `set +o errexit`, which turn it off. */
const SET = /^\s*set\s+(?:([-+])[a-zA-Z]*e[a-zA-Z]*(?:\s|$)|.*?([-+])o\s+errexit\b)/;
/** A first line that runs the shell with -e: `#!/bin/sh -e`, `#!/bin/bash -eu`. */
const SHEBANG = /^#!\S+(?:\s+-[a-zA-Z]+)*\s+-[a-zA-Z]*e[a-zA-Z]*\s*$/;

/** The line of the `set -e` in force at `line` (-1 for the first line's), or undefined when it is not. */
function errexitAt(index: LineIndex, line: number): number | undefined {
  let on: number | undefined = SHEBANG.test(index.lineText(0)) ? -1 : undefined;
  for (let l = 1; l < line; l++) {
    const m = SET.exec(index.lineText(l));
    if (m) on = (m[1] ?? m[2]) === '-' ? l : undefined;
  }
  return on;
}

/**
 * Adds to the error of the first command iptables refuses (one with an error of its own, or a rule the kernel
 * checks refuse) that the script stops there, when it runs with `set -e`. A command after `&&` or `||`, or in an
 * arm the analysis does not follow, stops nothing.
 */
export function noteErrexitStop(rs: Ruleset, index: LineIndex, items: Diagnostic[], refused: ReadonlyMap<Command, string> | undefined): void {
  // `set -e` lets a command fail without stopping before `&&` or `||`, after them, after `!`, or as a condition.
  const failing = commandsInRunOrder(rs).find((c) => (c.broken || refused?.has(c)) && !c.conditional && !rs.otherArms?.has(c) && !shellList(index, c).guarded);
  if (!failing) return;
  const from = errexitAt(index, runLine(rs, failing));
  if (from === undefined) return;
  const k = items.findIndex((d) => d.severity === 'error' && holdsFinding(failing, d));
  if (k < 0) return;
  const where = from < 0 ? 'the first line runs the shell with -e' : `\`set -e\` on line ${from + 1}`;
  // A copy: the finding may be kept from an earlier analysis of the same lines.
  items[k] = { ...items[k], message: `${items[k].message} The script stops here (${where}): nothing after this command runs, and the firewall stays as far as it got.` };
}
