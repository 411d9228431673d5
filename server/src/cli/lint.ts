/** iptables-lint: the engine on the command line. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixAll } from '../engine/fixes';
import { VERSION } from '../version';
import { fixDiff, sarifLog } from './formats';
import { lint, LintOptions } from '../engine/lint';
import { Diagnostic } from '../engine/types';
import { runTrace } from './trace';
import { runConvert } from './convert';
import { runExplain } from './explain';

const USAGE = `Usage: iptables-lint [--format text|json|sarif|diff] [--ipv4|--ipv6] [--script|--restore] [--fix] FILE...
       iptables-lint trace FILE [packet options]   (iptables-lint trace --help)
       iptables-lint convert SCRIPT [--ipv6]         (a script's rules as an iptables-restore file)
       iptables-lint explain FILE                    (every rule in plain words, chain by chain)
Checks iptables-save/restore files and shell scripts that run iptables. Use - to read standard input.
--format text (file:line:column: severity: message [code]), json, sarif (SARIF 2.1.0, for code scanning), or
diff (the safe fixes as a unified diff, for patch or git apply; nothing is written).
--fix applies the safe fixes (look-alike characters, COMMIT and line endings, host bits, -m state, '! --opt')
to each file in place, says what it changed, then reports what is left; with - the fixed text goes to standard
output and everything else to standard error.
Exit status: 0 no error, 1 an error-severity diagnostic, 2 usage error or unreadable file.`;

const FORMATS = ['text', 'json', 'sarif', 'diff'];

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: string;
  code: string;
  message: string;
}

export function toJson(file: string, d: Diagnostic): JsonDiagnostic {
  return {
    file,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
}

/** Where --fix writes a fixed file (the tests give their own, and their own files to read). */
export type WriteFile = (file: string, text: string) => void;

export function main(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string,
  writeFile: WriteFile = writeFileSync, readFile: (file: string) => string = (f) => readFileSync(f, 'utf8')): number {
  if (argv[0] === 'trace') return runTrace(argv.slice(1), out, errOut, readStdin);
  if (argv[0] === 'convert') return runConvert(argv.slice(1), out, errOut, readStdin);
  if (argv[0] === 'explain') return runExplain(argv.slice(1), out, errOut, readStdin);
  let format = 'text';
  let fix = false;
  const files: string[] = [];
  const opts: LintOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--format' || a.startsWith('--format=')) {
      format = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (!FORMATS.includes(format)) {
        errOut(`iptables-lint: --format must be text, json, sarif or diff, not '${format ?? ''}'.\n${USAGE}`);
        return 2;
      }
    } else if (a === '--fix') fix = true;
    else if (a === '--ipv6' || a === '-6') opts.family = 6;
    else if (a === '--ipv4' || a === '-4') opts.family = 4;
    else if (a === '--script') opts.format = 'script';
    else if (a === '--restore') opts.format = 'restore';
    else if (a === '-h' || a === '--help') {
      out(USAGE + '\n');
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      errOut(`iptables-lint: unknown option '${a}'.\n${USAGE}`);
      return 2;
    } else files.push(a);
  }
  if (files.length === 0) {
    errOut(`iptables-lint: no file given.\n${USAGE}`);
    return 2;
  }
  if (fix && format === 'diff') {
    errOut(`iptables-lint: --fix writes the fixes and --format diff shows them without writing: give one of the two.\n${USAGE}`);
    return 2;
  }
  const all: JsonDiagnostic[] = [];
  const sarif: Array<{ file: string; diagnostics: Diagnostic[] }> = [];
  let anyError = false;
  let unreadable = false;
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? readStdin() : readFile(file);
    } catch (e) {
      errOut(`iptables-lint: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      unreadable = true;
      continue;
    }
    const fileOpts = { ...opts, fileName: file === '-' ? undefined : file };
    let result = lint(text, fileOpts);
    // With --fix on standard input, standard output carries the fixed text alone.
    let report = out;
    if (fix) {
      const fixed = fixAll(text, fileOpts, result);
      result = fixed.result;
      if (file === '-') {
        out(fixed.text);
        report = (s) => errOut(s.replace(/\n$/, ''));
      } else if (fixed.fixes.length) {
        try {
          writeFile(file, fixed.text);
        } catch (e) {
          errOut(`iptables-lint: cannot write ${file}: ${(e as Error).message}`);
          unreadable = true;
          continue;
        }
      }
      for (const f of fixed.fixes) errOut(`${file === '-' ? '<stdin>' : file}: fixed: ${f}`);
    }
    const shown = file === '-' ? '<stdin>' : file;
    if (format === 'diff') out(fixDiff(shown, text, fixAll(text, fileOpts, result).text));
    if (format === 'sarif') sarif.push({ file: shown, diagnostics: result.diagnostics });
    for (const d of result.diagnostics) {
      if (d.severity === 'error') anyError = true;
      const j = toJson(shown, d);
      if (format === 'json') all.push(j);
      else if (format === 'text') report(`${j.file}:${j.line}:${j.column}: ${j.severity}: ${j.message} [${j.code}]\n`);
    }
  }
  // With --fix on standard input, standard output is the fixed text: a report goes to standard error.
  const document = fix && files.includes('-') ? (s: string) => errOut(s.replace(/\n$/, '')) : out;
  if (format === 'json') document(JSON.stringify(all, null, 2) + '\n');
  if (format === 'sarif') document(JSON.stringify(sarifLog(sarif, VERSION), null, 2) + '\n');
  if (unreadable) return 2;
  return anyError ? 1 : 0;
}

/** Runs the linter as a process: arguments from argv, exit status set. */
export function run(): void {
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s + '\n'), () => readFileSync(0, 'utf8'));
}
