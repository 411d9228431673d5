/** The engine's entry point: text in, ruleset, state and diagnostics out. No editor or LSP types. */
import { checkKernel } from './checks/kernel';
import { checkIpsets } from './checks/ipsets';
import { CheckContext, DEFAULT_SETTINGS, LintSettings } from './checks/context';
import { sshPortsOf } from './analysis/sshPorts';
import { checkLookalikes, reportByteOrderMark } from './checks/lookalike';
import { noteErrexitStop } from './checks/errexit';
import { checkRerun } from './checks/rerun';
import { runAnalysis } from './analysis';
import { AnalysisModel } from './analysis/model';
import { AnalysisLimits, DEFAULT_LIMITS } from './analysis/limits';
import { CODE_INFO } from './checks/codes';
import { JumpGraph } from './graph';
import { Family } from './kb/addresses';
import { LineIndex } from './lineIndex';
import { Command, holdsFinding, inHereDoc, Ruleset } from './model';
import { DiagnosticSink } from './parse/diagnostics';
import { parseRestore } from './parse/restore';
import { parseScript } from './parse/script';
import { ChainState, familyOf, RulesetState } from './state';
import { buildState } from './chainState/build';
import { collectSuppressions, isSuppressed } from './suppress';
import { Diagnostic, Severity } from './types';
import { AnalysisMemo } from './memo';
import { ipv6Sibling } from './sibling';
import { isTemplateName, renderedName } from './parse/template';

export type Format = 'restore' | 'script';

export interface LintOptions {
  fileName?: string;
  languageId?: string;
  format?: Format;
  family?: Family;
  settings?: Partial<LintSettings>;
  /** Per-code severity override, or 'off'. */
  severities?: Record<string, Severity | 'off'>;
  /**
   * Above this many characters only parsing checks run (the policy analysis is skipped); no limit when not given.
   * The editor sets one (the setting iptables.maxAnalysisSizeMB) so that it stays responsive.
   */
  maxAnalysisSize?: number;
  /** Results of the previous analysis of the same document, to reuse what did not change. */
  memo?: AnalysisMemo;
  /** Work limits of the packet-space analysis (the defaults serve everyone; the tests make them tiny). */
  limits?: Partial<AnalysisLimits>;
  /**
   * Reads a file a script sources (`. /etc/default/firewall`), so that the variables it sets are known; undefined
   * when it cannot. Without it a script that sources a file has no known variables after that.
   */
  readFile?: (path: string) => string | undefined;
  /**
   * Reads the IPv6 rules file beside an IPv4 one (rules.v6 beside rules.v4): its text, null when there is no such
   * file, undefined when it cannot be read. Without it nothing is said of the IPv6 file.
   */
  readBeside?: (path: string) => string | null | undefined;
}

export interface LintResult {
  ruleset: Ruleset;
  state: RulesetState;
  graph: JumpGraph;
  index: LineIndex;
  diagnostics: Diagnostic[];
  /** In a script: the rules iptables refuses (the command fails, and adds nothing), each with why. */
  refused?: ReadonlyMap<Command, string>;
}

/** The rules of a chain the kernel holds once the file has loaded: in a script, those iptables refuses left out. */
export function heldRules(result: LintResult, cs: ChainState): readonly Command[] {
  const { refused } = result;
  return refused ? cs.rules.filter((r) => !refused.has(r)) : cs.rules;
}

/** In a script, the commands iptables refuses that would have added a rule to `cs` (not among its rules), by line. */
export function refusedRulesOf(result: LintResult, cs: ChainState): Command[] {
  const out: Command[] = [];
  for (const r of result.refused?.keys() ?? []) {
    if (r.chainName === cs.name && r.table === cs.table && familyOf(result.ruleset, r) === cs.family && !cs.rules.includes(r)) out.push(r);
  }
  return out.sort((a, b) => a.startLine - b.startLine);
}

export function detectFormat(text: string, opts: LintOptions = {}): Format {
  if (opts.format) return opts.format;
  if (opts.languageId === 'shellscript') return 'script';
  if (opts.languageId === 'iptables') return 'restore';
  if (opts.fileName && /\.(sh|bash)$/.test(renderedName(opts.fileName))) return 'script';
  const head = text.slice(0, 20000);
  if (head.startsWith('#!')) return 'script';
  if (/^[ \t]*\*(filter|nat|mangle|raw|security)[ \t\r]*$/m.test(head)) return 'restore';
  if (/^[ \t]*(sudo[ \t]+)?(\S*\/)?(ip6?tables(-legacy|-nft)?|\$\{?IP6?T\w*\}?)[ \t]+-/m.test(head)) return 'script';
  return 'restore';
}

export function detectFamily(text: string, opts: LintOptions = {}): Family {
  return opts.family ?? familyByName(opts.fileName) ?? contentFamily(text)?.family ?? 4;
}

/** The family a file's name gives it (`rules.v6`, `ip6tables.rules`, `iptables.up.rules`), if any. */
function familyByName(fileName: string | undefined): Family | undefined {
  const base = renderedName(fileName ?? '').split(/[\\/]/).pop() ?? '';
  if (/(^|[._-])v6$|ip6tables|6\.rules$|6tables/.test(base)) return 6;
  if (/(^|[._-])v4$|^iptables|4\.rules$/.test(base)) return 4;
  return undefined;
}

const IPV6_WORDS = /(-p|--protocol) (ipv6-icmp|icmpv6)|--icmpv6-type|-m (rt|frag|hbh|ipv6header|icmp6)\b/;
const IPV4_ADDRESS = /\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/;
/** An address option with an IPv6 address (two colons or more: `2001:db8::/32`, `::1`, `fe80::1`). */
const IPV6_ADDRESS = /\s(-[sd]|--source|--destination|--src|--dst)\s+(!\s+)?[0-9a-fA-F]*:[0-9a-fA-F]*:\S*/;

/**
 * The family a ruleset's own text gives it, and where: the header iptables-save or ip6tables-save wrote, else (where
 * a name gives none) words only IPv6 rules have (ICMPv6, the IPv6 extension header matches) where there is no IPv4
 * address; `strict`, to say a named file holds the other family's rules, IPv6 addresses where there is no IPv4 one
 * (a stray ICMPv6 rule in an IPv4 file is a finding of its own).
 */
function contentFamily(text: string, strict = false): { family: Family; at: number; length: number; header: boolean; why: string } | undefined {
  const top = text.slice(0, 2000);
  const header = /^#.*?\b(ip6?tables)(-nft|-legacy)?-save\b.*/m.exec(top);
  if (header) return { family: header[1] === 'ip6tables' ? 6 : 4, at: header.index, length: header[0].length, header: true, why: `its header says ${header[1]}${header[2] ?? ''}-save wrote it` };
  const head = text.slice(0, 200000);
  const v6 = (strict ? IPV6_ADDRESS : IPV6_WORDS).exec(head);
  if (!v6 || IPV4_ADDRESS.test(head)) return undefined;
  return { family: 6, at: v6.index, length: v6[0].length, header: false, why: strict ? `it has IPv6 addresses ('${v6[0].trim()}') and no IPv4 address` : '' };
}

/**
 * A rules file named for one family whose text is the other's (ip6tables-save output saved as rules.v4): loaded as
 * its name says, every rule for the other family is refused or never matches. One finding where the text shows it.
 */
function familyMismatch(text: string, opts: LintOptions, index: LineIndex, sink: DiagnosticSink): void {
  const named = opts.family ? undefined : familyByName(opts.fileName);
  const found = named && contentFamily(text, true);
  if (!found || found.family === named) return;
  // At the header, or else on the first line (the word that shows it has a finding of its own).
  const start = found.header ? index.position(found.at) : { line: 0, character: 0 };
  const length = found.header ? found.length : index.lineText(0).length;
  const loader = named === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const other = named === 4 ? 'ip6tables-restore' : 'iptables-restore';
  sink.add('address-family', 'warning', { start, end: { line: start.line, character: start.character + length } },
    `This file is named for IPv${named} rules, but holds IPv${found.family} rules: ${found.why}. A file of this name is loaded with ${loader} (as netfilter-persistent does), which refuses them or loads rules that never match. Name it for IPv${found.family} (rules.v${found.family}), or load it with ${other}.`);
}

/**
 * The commands of a script that the kernel checks' errors (the findings from `from` on) say iptables refuses: those
 * that add rules, found by the line an error starts on.
 */
function refusedRules(rs: Ruleset, items: readonly Diagnostic[], from: number): Map<Command, string> {
  const errors = new Map<number, Diagnostic[]>();
  for (let k = from; k < items.length; k++) {
    const d = items[k];
    if (d.severity === 'error') (errors.get(d.range.start.line) ?? errors.set(d.range.start.line, []).get(d.range.start.line)!).push(d);
  }
  const out = new Map<Command, string>();
  if (!errors.size) return out;
  // A line may hold several commands (`iptables ...; iptables ...`): an error is the command's whose words hold it.
  for (const c of rs.commands) {
    const op = c.spec?.short;
    if (op !== '-A' && op !== '-I' && op !== '-R') continue;
    for (let l = c.startLine; l <= c.endLine && !out.has(c); l++) {
      const d = errors.get(l)?.find((x) => holdsFinding(c, x));
      if (d) out.set(c, d.message);
    }
  }
  return out;
}

/**
 * The script's commands that iptables refuses, each of which adds nothing. A here-document's restore file is refused
 * whole, not line by line: its rules stay, read as they are meant (as a rules file's are).
 */
function commandsNotAdded(rs: Ruleset, refused: ReadonlyMap<Command, string>): Set<Command> {
  const out = new Set<Command>();
  for (const c of refused.keys()) if (!inHereDoc(rs, c)) out.add(c);
  return out;
}

/** The lines of a script that hold iptables commands (those of a here-document were checked as restore lines). */
function commandLines(rs: Ruleset): Iterable<number> {
  const lines = new Set<number>();
  for (const c of rs.commands) for (let l = c.startLine; l <= c.endLine; l++) lines.add(l);
  for (const e of rs.embedded ?? []) for (let l = e.fromLine; l < e.toLine; l++) lines.delete(l);
  return lines;
}

/**
 * The program that loads this file into a ruleset it has set up first, by where the file lives: ufw reads its rules
 * files (/etc/ufw/before.rules, user.rules, ...) with iptables-restore -n, after creating its own chains.
 */
export function loaderOf(fileName: string | undefined): 'ufw' | undefined {
  return fileName && /(^|[\\/])ufw[\\/][^\\/]+\.rules$/.test(fileName) ? 'ufw' : undefined;
}

export function lint(text: string, opts: LintOptions = {}): LintResult {
  const memo = opts.memo;
  memo?.begin();
  const index = memo ? memo.lineIndex(text) : new LineIndex(text);
  const format = detectFormat(text, opts);
  const family = detectFamily(text, opts);
  // A script that begins with a byte-order mark: the shell takes it as part of the first word (`#!` is then no
  // interpreter line, `iptables` no command). Said once; the script is read as it would be without it.
  const marked = format === 'script' && text.charCodeAt(0) === 0xfeff;
  const ruleset = format === 'script' ? parseScript(marked ? ` ${text.slice(1)}` : text, family, index, { family: opts.family, fileName: opts.fileName, readFile: opts.readFile }) : parseRestore(text, family, index, memo);
  const sink = new DiagnosticSink();
  if (marked) reportByteOrderMark(sink);
  sink.addAll(ruleset.diagnostics);
  if (ruleset.template && !isTemplateName(opts.fileName)) {
    const how = ruleset.format === 'script' ? 'the shell runs it as it stands: iptables is given `{{` as a word, and `{%` is a command that does not exist' : 'iptables-restore reads it as words of the ruleset and refuses the file';
    sink.error('syntax', ruleset.template.first, `Template syntax ({% ... %}, {{ ... }}, {# ... #}): ${how}. Render the template first; a file named *.j2 is read as a template, the rules around its template syntax checked.`, { template: true });
  }
  if (ruleset.format === 'restore') familyMismatch(text, opts, index, sink);
  // Restore files are checked line by line while parsing (and the result kept with each parsed line).
  if (ruleset.format === 'script') checkLookalikes(index, commandLines(ruleset), sink);
  const limits = opts.limits ? { ...DEFAULT_LIMITS, ...opts.limits } : DEFAULT_LIMITS;
  const built = sink.items.length;
  let state = buildState(ruleset, sink);
  let graph = new JumpGraph(ruleset, state);
  let model = new AnalysisModel(ruleset, state, memo, limits);
  const sibling = ruleset.format === 'restore' && ruleset.family === 4 ? () => ipv6Sibling(opts.fileName, opts.readBeside) : undefined;
  let ctx: CheckContext = { rs: ruleset, state, graph, sink, settings: settingsFor(ruleset, opts.settings), memo, model, loader: loaderOf(opts.fileName), sibling };
  const checked = sink.items.length;
  checkKernel(ctx);
  let refused: Map<Command, string> | undefined;
  if (ruleset.format === 'script') {
    refused = refusedRules(ruleset, sink.items, checked);
    const notAdded = commandsNotAdded(ruleset, refused);
    if (notAdded.size) {
      // The commands iptables refuses add no rule: the chains are built again without them, so that the rule numbers
      // after them (-D 3, -I 2, -R 1), a -D of the same rule, and a -X of a chain only they filled count as the kernel
      // does. The kernel checks stand as they are (they found the refusals); the building's findings are replaced.
      const again = new DiagnosticSink();
      state = buildState(ruleset, again, notAdded);
      const after = sink.items.slice(checked);
      sink.items.length = built;
      for (const d of again.items) sink.items.push(d);
      for (const d of after) sink.items.push(d);
      graph = new JumpGraph(ruleset, state);
      model = new AnalysisModel(ruleset, state, memo, limits);
      ctx = { ...ctx, state, graph, model };
    }
    model.refuse(refused);
    noteErrexitStop(ruleset, index, sink.items, refused);
  }
  checkIpsets(ctx);
  checkRerun(ctx, index);
  const limit = opts.maxAnalysisSize ?? Infinity;
  if (text.length <= limit) {
    runAnalysis(ctx);
  } else {
    sink.add('too-large', 'info', { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      `This document is ${(text.length / 1048576).toFixed(1)} MB, above the ${+(limit / 1048576).toFixed(2)} MB up to which the editor analyses policies (setting iptables.maxAnalysisSizeMB): only syntax and kernel checks ran; the policy analysis (shadowed rules, lockout) was skipped.`);
  }
  memo?.end();
  const suppressions = collectSuppressions(ruleset);
  const diagnostics = finalize(sink.items, opts.severities ?? {}).filter((d) => !isSuppressed(d, suppressions));
  return { ruleset, state, graph, index, diagnostics, refused: refused?.size ? refused : undefined };
}

/** Whether the look-alike `l` stands inside the span of the finding `d` (on one line). */
function holdsLookalike(d: Diagnostic, l: Diagnostic): boolean {
  const c = l.range.start.character;
  return l.range.start.line === d.range.start.line && c >= d.range.start.character && c < Math.max(d.range.end.character, d.range.start.character + 1);
}

/**
 * A look-alike that breaks the word it sits in is the error, and the errors it causes on that word (its echoes)
 * are dropped; one that iptables reads as part of a harmless word (a quote inside a one-word comment) is a warning.
 * Look-alikes are looked up by line, so a document full of them costs no more than one with a few.
 */
function rankLookalikes(items: Diagnostic[]): Diagnostic[] {
  const byLine = new Map<number, Diagnostic[]>();
  const broke = new Set<Diagnostic>();
  for (const d of items) {
    if (d.code !== 'lookalike-character') continue;
    if (d.data?.byItself) broke.add(d);
    const list = byLine.get(d.range.start.line);
    if (list) list.push(d);
    else byLine.set(d.range.start.line, [d]);
  }
  if (!byLine.size) return items;
  const echoes = new Set<Diagnostic>();
  for (const d of items) {
    if (d.code === 'lookalike-character' || d.severity !== 'error') continue;
    for (const l of byLine.get(d.range.start.line) ?? []) {
      if (!holdsLookalike(d, l)) continue;
      broke.add(l);
      echoes.add(d);
    }
  }
  for (const list of byLine.values()) for (const l of list) l.severity = broke.has(l) ? 'error' : 'warning';
  return items.filter((d) => !echoes.has(d));
}

/** The same finding twice (same code, range and message), among the findings already kept that start where it does. */
function isRepeat(d: Diagnostic, kept: Diagnostic[]): boolean {
  const { start, end } = d.range;
  for (let k = kept.length - 1; k >= 0; k--) {
    const o = kept[k];
    if (o.range.start.line !== start.line || o.range.start.character !== start.character) return false;
    if (o.code === d.code && o.message === d.message && o.range.end.line === end.line && o.range.end.character === end.character) return true;
  }
  return false;
}

function finalize(all: Diagnostic[], severities: Record<string, Severity | 'off'>): Diagnostic[] {
  const out: Diagnostic[] = [];
  // In order of position (a stable sort: findings at one place keep the order they were made in).
  const items = rankLookalikes(all).sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  for (const d of items) {
    if (isRepeat(d, out)) continue;
    const override = severities[d.code];
    if (override === 'off') continue;
    if (override) d.severity = override;
    else if (!CODE_INFO.has(d.code)) d.severity = d.severity ?? 'error';
    out.push(d);
  }
  return out;
}

/**
 * The settings the checks read. SSH's port is the setting's where it names another than 22; otherwise the port the
 * ruleset names for SSH, if it names one (see sshPortsOf), else 22.
 */
function settingsFor(rs: Ruleset, given: Partial<LintSettings> | undefined): LintSettings {
  const settings = { ...DEFAULT_SETTINGS, ...given };
  if (settings.sshPorts.length !== 1 || settings.sshPorts[0] !== 22) return settings;
  const own = sshPortsOf(rs);
  return own ? { ...settings, sshPorts: own.ports, sshPortsFrom: own.from } : settings;
}
