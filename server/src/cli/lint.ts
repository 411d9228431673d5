/** iptables-lint: the engine on the command line. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fixAll } from '../engine/fixes';
import { VERSION } from '../version';
import { fixDiff, githubAnnotation, sarifLog } from './formats';
import { lint, LintOptions, LintResult } from '../engine/lint';
import { Diagnostic, Severity, SEVERITIES, severityRank } from '../engine/types';
import { CODE_INFO } from '../engine/checks/codes';
import { suggest } from '../engine/suggest';
import { runTrace } from './trace';
import { runConvert } from './convert';
import { runExplain } from './explain';
import { readRulesFile, readSourcedFile } from '../sourcedFile';

const USAGE = `Usage: iptables-lint [--format text|json|sarif|github|diff] [--ipv4|--ipv6] [--script|--restore] [--fix]
                     [--severity LEVEL] [--exclude CODE,...] [--fail-on LEVEL] [--ssh-port PORT,...] FILE...
       iptables-lint trace FILE [packet options]   (iptables-lint trace --help)
       iptables-lint convert SCRIPT [--ipv6]         (a script's rules as an iptables-restore file)
       iptables-lint explain FILE                    (every rule in plain words, chain by chain)
Checks iptables-save/restore files and shell scripts that run iptables. Use - to read standard input.
--format text (file:line:column: severity: message [code]), json, sarif (SARIF 2.1.0, for code scanning), github
(GitHub Actions annotations), or diff (the safe fixes as a unified diff, for patch or git apply; nothing is written).
--fix applies the safe fixes (look-alike characters, COMMIT and line endings, host bits, -m state, '! --opt')
to each file in place, says what it changed, then reports what is left; with - the fixed text goes to standard
output and everything else to standard error.
--severity error|warning|info|hint reports only findings of that severity or a graver one (default: hint, all).
--exclude leaves the checks named out (the codes in brackets; as '# iptables-lint disable-file=CODE' does).
--fail-on error|warning|info|hint: the least grave finding reported that makes the exit status 1 (default: error).
--ssh-port the TCP ports SSH listens on, kept reachable (ssh-lockout); by default 22, or the port the rules name.
Exit status: 0 nothing to fail on, 1 a finding at --fail-on or graver, 2 usage error or unreadable file.`;

const FORMATS = ['text', 'json', 'sarif', 'github', 'diff'];

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

interface Io {
  out: (s: string) => void;
  errOut: (s: string) => void;
  readStdin: () => string;
  writeFile: WriteFile;
  readFile: (file: string) => string;
}

interface Args {
  format: string;
  fix: boolean;
  files: string[];
  opts: LintOptions;
  /** The least grave severity reported, and the least grave that fails the run. */
  severity: Severity;
  failOn: Severity;
}

/** A finding is reported when its severity is at or above --severity's (and fails the run at or above --fail-on's). */
const atLeast = (s: Severity, level: Severity) => severityRank(s) <= severityRank(level);

/** The options that take a value (as `--severity warning` or `--severity=warning`), but --format. */
const VALUED = ['--severity', '--exclude', '--fail-on', '--ssh-port'];

/** Sets what one of VALUED says; what is wrong with the value, if anything. */
function applyValued(args: Args, option: string, value: string): string | undefined {
  if (option === '--severity' || option === '--fail-on') {
    const level = SEVERITIES.find((x) => x === value);
    if (!level) return `${option} must be error, warning, info or hint, not '${value}'.`;
    if (option === '--severity') args.severity = level;
    else args.failOn = level;
    return undefined;
  }
  const items = value.split(',').map((x) => x.trim()).filter(Boolean);
  if (!items.length) return `${option} needs a value.`;
  if (option === '--exclude') {
    for (const code of items) {
      if (!CODE_INFO.has(code)) {
        const near = suggest(code, CODE_INFO.keys(), 1);
        return `--exclude: there is no check '${code}'${near.length ? ` (did you mean '${near[0]}'?)` : ''}.`;
      }
    }
    args.opts.severities = { ...args.opts.severities, ...Object.fromEntries(items.map((c) => [c, 'off' as const])) };
    return undefined;
  }
  const ports = items.map(Number);
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) return `--ssh-port takes TCP ports from 1 to 65535, not '${value}'.`;
  args.opts.settings = { ...args.opts.settings, sshPorts: ports };
  return undefined;
}

/** The command line, or the exit status when it is a usage error or asks for help. */
function parseArgs(argv: string[], io: Io): Args | number {
  const args: Args = { format: 'text', fix: false, files: [], opts: {}, severity: 'hint', failOn: 'error' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const valued = VALUED.find((v) => a === v || a.startsWith(`${v}=`));
    if (valued) {
      const value = a === valued ? argv[++i] : a.slice(valued.length + 1);
      const problem = applyValued(args, valued, value ?? '');
      if (problem) {
        io.errOut(`iptables-lint: ${problem}\n${USAGE}`);
        return 2;
      }
    } else if (a === '--format' || a.startsWith('--format=')) {
      args.format = a === '--format' ? argv[++i] : a.slice('--format='.length);
      if (!FORMATS.includes(args.format)) {
        io.errOut(`iptables-lint: --format must be text, json, sarif, github or diff, not '${args.format ?? ''}'.\n${USAGE}`);
        return 2;
      }
    } else if (a === '--fix') args.fix = true;
    else if (a === '--ipv6' || a === '-6') args.opts.family = 6;
    else if (a === '--ipv4' || a === '-4') args.opts.family = 4;
    else if (a === '--script') args.opts.format = 'script';
    else if (a === '--restore') args.opts.format = 'restore';
    else if (a === '-h' || a === '--help') {
      io.out(USAGE + '\n');
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      io.errOut(`iptables-lint: unknown option '${a}'.\n${USAGE}`);
      return 2;
    } else args.files.push(a);
  }
  if (args.files.length === 0) {
    io.errOut(`iptables-lint: no file given.\n${USAGE}`);
    return 2;
  }
  if (args.fix && args.format === 'diff') {
    io.errOut(`iptables-lint: --fix writes the fixes and --format diff shows them without writing: give one of the two.\n${USAGE}`);
    return 2;
  }
  return args;
}

/** --fix on one file: written back (standard input: to standard output), each fix named on standard error. */
function fixFile(file: string, text: string, opts: LintOptions, result: LintResult, io: Io): LintResult | undefined {
  const fixed = fixAll(text, opts, result);
  if (file === '-') io.out(fixed.text);
  else if (fixed.fixes.length) {
    try {
      io.writeFile(file, fixed.text);
    } catch (e) {
      io.errOut(`iptables-lint: cannot write ${file}: ${(e as Error).message}`);
      return undefined;
    }
  }
  for (const f of fixed.fixes) io.errOut(`${file === '-' ? '<stdin>' : file}: fixed: ${f}`);
  return fixed.result;
}

export function main(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string,
  writeFile: WriteFile = writeFileSync, readFile: (file: string) => string = (f) => readFileSync(f, 'utf8')): number {
  if (argv[0] === 'trace') return runTrace(argv.slice(1), out, errOut, readStdin);
  if (argv[0] === 'convert') return runConvert(argv.slice(1), out, errOut, readStdin);
  if (argv[0] === 'explain') return runExplain(argv.slice(1), out, errOut, readStdin);
  const io: Io = { out, errOut, readStdin, writeFile, readFile };
  const args = parseArgs(argv, io);
  if (typeof args === 'number') return args;
  const { format, fix, files, opts, severity, failOn } = args;
  // With --fix on standard input, standard output carries the fixed text alone: every report goes to standard error.
  const toErr = (s: string) => errOut(s.replace(/\n$/, ''));
  const report = fix && files.includes('-') ? toErr : out;
  const all: JsonDiagnostic[] = [];
  const sarif: Array<{ file: string; diagnostics: Diagnostic[] }> = [];
  let anyError = false;
  let failed = false;
  for (const file of files) {
    let text: string;
    try {
      text = file === '-' ? readStdin() : readFile(file);
    } catch (e) {
      errOut(`iptables-lint: cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      failed = true;
      continue;
    }
    const fileOpts = { ...opts, fileName: file === '-' ? undefined : file, readFile: readSourcedFile, readBeside: readRulesFile };
    const linted = lint(text, fileOpts);
    const fixedResult = fix ? fixFile(file, text, fileOpts, linted, io) : linted;
    if (!fixedResult) {
      failed = true;
      continue;
    }
    const result = severity === 'hint' ? fixedResult : { ...fixedResult, diagnostics: fixedResult.diagnostics.filter((d) => atLeast(d.severity, severity)) };
    const shown = file === '-' ? '<stdin>' : file;
    if (format === 'diff') out(fixDiff(shown, text, fixAll(text, fileOpts, fixedResult).text));
    if (format === 'sarif') sarif.push({ file: shown, diagnostics: result.diagnostics });
    for (const d of result.diagnostics) {
      if (atLeast(d.severity, failOn)) anyError = true;
      const j = toJson(shown, d);
      if (format === 'json') all.push(j);
      else if (format === 'text') report(`${j.file}:${j.line}:${j.column}: ${j.severity}: ${j.message} [${j.code}]\n`);
      else if (format === 'github') report(githubAnnotation(j));
    }
  }
  if (format === 'json') report(JSON.stringify(all, null, 2) + '\n');
  if (format === 'sarif') report(JSON.stringify(sarifLog(sarif, VERSION), null, 2) + '\n');
  if (failed) return 2;
  return anyError ? 1 : 0;
}

/** Runs the linter as a process: arguments from argv, exit status set. */
export function run(): void {
  // A reader that stops early (`iptables-lint ... | head`) closes the pipe: stop quietly, as other tools do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s), (s) => process.stderr.write(s + '\n'), () => readFileSync(0, 'utf8'));
}
