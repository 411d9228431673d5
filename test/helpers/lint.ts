import assert from 'node:assert/strict';
import { lint, LintOptions } from '../../server/src/engine/lint';
import { CODE_INFO } from '../../server/src/engine/checks/codes';
import { TABLES } from '../../server/src/engine/kb';
import { Diagnostic } from '../../server/src/engine/types';

export function diagnose(text: string, opts: LintOptions = {}): Diagnostic[] {
  return lint(text, opts).diagnostics;
}

/** A restore file with the given filter rules. */
export function filter(...lines: string[]): string {
  return ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...lines, 'COMMIT', ''].join('\n');
}

export function table(name: string, ...lines: string[]): string {
  return [`*${name}`, ...lines, 'COMMIT', ''].join('\n');
}

export function codes(text: string, opts: LintOptions = {}): string[] {
  return diagnose(text, opts).map((d) => d.code);
}

export function errors(text: string, opts: LintOptions = {}): Diagnostic[] {
  return diagnose(text, opts).filter((d) => d.severity === 'error');
}

/** Asserts exactly one diagnostic with this code, on `line` (0-based) covering `word` (first occurrence on that line). */
export function expectOne(text: string, code: string, line: number, word: string, opts: LintOptions = {}, nth = 0): Diagnostic {
  const found = diagnose(text, opts).filter((d) => d.code === code);
  assert.equal(found.length, 1, `expected one ${code}, got ${JSON.stringify(diagnose(text, opts).map((d) => [d.code, d.message]))}`);
  const d = found[0];
  const lineText = text.split('\n')[line];
  let start = -1;
  for (let k = 0; k <= nth; k++) start = lineText.indexOf(word, start + 1);
  assert.ok(start >= 0, `'${word}' not on line ${line}`);
  assert.deepEqual(d.range, { start: { line, character: start }, end: { line, character: start + word.length } }, `range of ${code}: ${d.message}`);
  return d;
}

export function expectNone(text: string, code: string, opts: LintOptions = {}): void {
  const found = diagnose(text, opts).filter((d) => d.code === code);
  assert.deepEqual(found.map((d) => d.message), [], `expected no ${code}`);
}

export type Backend = 'legacy' | 'nft';

/** The iptables the kernel tests load with: iptables-legacy, or iptables-nft with IPTABLES_BACKEND=nft. */
export const BACKEND: Backend = process.env.IPTABLES_BACKEND === 'nft' ? 'nft' : 'legacy';

/** What the linter says that iptables refuses: its errors, and the warnings that name it as the one that refuses. */
export function refusals(diags: Diagnostic[], backend: Backend = BACKEND): Diagnostic[] {
  return diags.filter((d) => d.severity === 'error' || (d.data as { refusedBy?: string } | undefined)?.refusedBy === `iptables-${backend}`);
}

/**
 * What the linter says that this backend's iptables refuses, in a script as in a restore file: the findings of the
 * checks whose code is an error by default, shown as an error or as a warning (a script goes on without a refused
 * command, so there they are warnings), except those that name another backend as the one that refuses. The
 * policy analysis's warnings are not among them.
 */
export function refusedCommands(diags: Diagnostic[], backend: Backend = BACKEND): Diagnostic[] {
  return diags.filter((d) => CODE_INFO.get(d.code)?.severity === 'error' && (d.severity === 'error' || d.severity === 'warning')
    && ((d.data as { refusedBy?: string } | undefined)?.refusedBy ?? `iptables-${backend}`) === `iptables-${backend}`);
}

/** The tables the kernel tests edit (not security, whose module not every kernel has). */
const TESTED_TABLES = ['filter', 'nat', 'mangle', 'raw'];

/**
 * A shell command that makes every table's built-in chains with `tool` (policy ACCEPT), as on a machine in use:
 * in a fresh namespace iptables-nft makes a built-in chain only when something needs it. Fails if one cannot be made.
 */
export function makeBuiltins(tool: string): string {
  return TABLES.filter((t) => TESTED_TABLES.includes(t.name)).flatMap((t) => t.chains.map((c) => `${tool} -t ${t.name} -P ${c} ACCEPT`)).join(' && ');
}
