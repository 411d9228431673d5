/**
 * The fixes the engine knows for its own findings: a precise edit for every diagnostic where a sure fix exists, and
 * for every diagnostic the choice to silence its check on that line or in the whole file. The editor offers them
 * as quick-fixes; the safe ones (below) are also what "fix all" and `iptables-lint --fix` apply without asking.
 */
import { TARGETS } from './kb';
import { protocolNumber } from './kb/services';
import { lint, LintOptions, LintResult } from './lint';
import { LineIndex } from './lineIndex';
import { commandOnLine, invocationWords } from './locate';
import { Command, Ruleset } from './model';
import { applyEdits, quote, TextEdit } from './format';
import { ipsetRewrite } from './ipsetFix';
import { ipv6Counterpart } from './ipv6Fix';
import { comparePos, Range } from './types';
import { turnedPortWord } from './analysis/policy';
import { outsideBlocks } from './parse/template';

/** A finding as the fixes need it: an engine diagnostic, or the same finding back from an editor. */
export interface FixTarget {
  code: string;
  range: Range;
  data?: unknown;
}

interface FixContext {
  doc: FixDocument;
  result: LintResult;
  diag: FixTarget;
  data: Record<string, unknown>;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix to apply when the editor is asked for the preferred one. */
  preferred?: boolean;
  /**
   * Applied without asking by "fix all" and `iptables-lint --fix`: the edit either changes nothing the kernel
   * loads (the network address for an address with host bits, -m conntrack for -m state) or makes a file the
   * kernel refuses load as plainly meant (ASCII for a pasted look-alike, COMMIT, line endings, `! --opt`, a log level in lower case).
   */
  safe?: boolean;
}

/** The document text, read as the fixes read it. */
export class FixDocument {
  constructor(private readonly result: LintResult) {}

  getText(r?: Range): string {
    const { index } = this.result;
    return r ? index.text.slice(index.offset(r.start), index.offset(r.end)) : index.text;
  }

  positionAt(offset: number): { line: number; character: number } {
    return this.result.index.position(offset);
  }

  get lineCount(): number {
    return this.result.index.lineCount;
  }

  /** A line without its line break (`\r\n` or `\n`; a carriage return at the very end of the text stays). */
  lineText(line: number): string {
    const { text, starts } = this.result.index;
    const start = starts[line] ?? text.length;
    const next = starts[line + 1];
    if (next === undefined) return text.slice(start);
    const end = next - 1 > start && text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
    return text.slice(start, end);
  }
}

const lineText = (doc: FixDocument, line: number) => doc.lineText(line);
const at = (line: number, character = 0) => ({ line, character });
/** Removes a whole line, its line break included (the last line: the break before it). */
export function deleteLine(doc: FixDocument, line: number): TextEdit {
  if (line + 1 < doc.lineCount) return { range: { start: at(line), end: at(line + 1) }, newText: '' };
  const start = line > 0 ? at(line - 1, doc.lineText(line - 1).length) : at(line);
  return { range: { start, end: at(line, doc.lineText(line).length) }, newText: '' };
}

/**
 * Inserts `text` as a line of its own before line `line`; past the last line, at the end of the text (after a line
 * break, when the last line has none), so that the new line never lands inside another.
 */
function insertLine(doc: FixDocument, line: number, text: string): TextEdit {
  if (line < doc.lineCount) return { range: { start: at(line), end: at(line) }, newText: `${text}\n` };
  const last = doc.lineCount - 1;
  const end = at(last, doc.lineText(last).length);
  return { range: { start: end, end }, newText: `${doc.lineText(last) === '' ? '' : '\n'}${text}\n` };
}

/** The words that start a rule of this command in its own style: `-A` in restore files, `$IPT -A` in scripts. */
function rulePrefix(fc: FixContext, c: Command | undefined, chain: string): string {
  if (fc.result.ruleset.format === 'restore' || !c) return `-A ${chain}`;
  return `${invocationWords(lineText(fc.doc, c.startLine), c)}-A ${chain}`;
}

/** A fix inserting rules into a chain before line `before`, each written `-A CHAIN ` + its text as the rules there are. */
/**
 * A rule a loop adds, written in the body of a loop of several lines or of several commands, or one value's
 * command of its own: no fix takes it out alone (deleting its line would take the loop, the rest of the body or
 * the other values' commands with it).
 */
function inLoopBody(result: LintResult, c: Command): boolean {
  const loop = result.ruleset.loops?.get(c);
  return loop !== undefined && (loop.line !== c.startLine || loop.loop.size > 1 || (loop.each?.length ?? 0) > 1);
}

/** The nearest line in direction `step` that holds more than blanks and a comment, trimmed; '' past the ends. */
function nearestText(doc: FixDocument, line: number, step: 1 | -1): string {
  for (let l = line + step; l >= 0 && l < doc.lineCount; l += step) {
    const t = lineText(doc, l).replace(/(^|\s)#.*$/, '').trim();
    if (t) return t;
  }
  return '';
}

/**
 * In a script, a command that is the whole body of an if, case arm, loop or function (`then` before it, `fi` after):
 * deleting it would leave a body the shell refuses.
 */
function aloneInBody(doc: FixDocument, c: Command): boolean {
  const before = nearestText(doc, c.startLine, -1);
  const after = nearestText(doc, c.endLine, 1);
  return /(\bthen|\bdo|\belse|\{|\))$/.test(before) && /^(fi|done|else|elif|esac|\}|;;)(?=[\s;]|$)/.test(after);
}

/** Where a rule inserted before `line` goes in a script: before the loop (its `for` line) whose rule is there. */
function beforeLoops(rs: Ruleset, line: number): number {
  for (const [c, loop] of rs.loops ?? []) if (c.startLine <= line && line <= c.endLine) return loop.line;
  return line;
}

/**
 * A chain command of a script (`-N X`, `-F X`) on a line of its own before the command `c` (before the loop `c` is
 * in, not inside it), run the way `c` runs iptables, in `table`.
 */
function scriptCommandBefore(doc: FixDocument, rs: Ruleset, c: Command, table: string, words: string): TextEdit {
  const tableArg = table === 'filter' ? '' : `-t ${table} `;
  return insertLine(doc, beforeLoops(rs, c.startLine), `${invocationWords(lineText(doc, c.startLine), c)}${tableArg}${words}`);
}

function insertRules(fc: FixContext, chain: string, at: number, texts: string[], title: string): Fix {
  const before = beforeLoops(fc.result.ruleset, outsideBlocks(fc.result.ruleset.template?.blocks, at, 'before'));
  const prefix = rulePrefix(fc, commandOnLine(fc.result.ruleset, before), chain);
  return { title, edits: [insertLine(fc.doc, before, texts.map((t) => `${prefix} ${t}`).join('\n'))], preferred: true };
}

/**
 * Where a fix adds rules to a chain: before the line the finding names, or else (in a restore file, where the
 * chain's rules are together) after the chain's last rule.
 */
function insertionLine(fc: FixContext, chain: string): number | undefined {
  const before = fc.data.insertBefore as number | undefined;
  return before !== undefined || fc.result.ruleset.format === 'script' ? before : lastRuleLine(fc.result, chain);
}

/** The text of a suggested `-A CHAIN ...` rule after `-A CHAIN`, when the finding's data holds one for that chain. */
function ruleText(fc: FixContext, chain: string): string | undefined {
  const rule = fc.data.rule as string | undefined;
  return rule?.startsWith(`-A ${chain} `) ? rule.slice(`-A ${chain} `.length) : undefined;
}

function replaceWith(fc: FixContext, word: string, title = `Change to '${word}'`): Fix {
  return { title, edits: [{ range: fc.diag.range, newText: word }] };
}

/** A script's first line made `#!/bin/bash`, where it names another interpreter. */
function withBash(doc: FixDocument, preferred: boolean): Fix[] {
  const first = lineText(doc, 0);
  return first.startsWith('#!') ? [{ title: 'Run the script with bash (#!/bin/bash)', edits: [{ range: { start: at(0), end: at(0, first.length) }, newText: '#!/bin/bash' }], preferred }] : [];
}

/**
 * `--icmp-type echo-request` in an ip6tables rule (or `--icmpv6-type` in an iptables one): the family's own option,
 * with its protocol put in or put right (`-p icmp` becomes `-p ipv6-icmp`). Offered only where the type is a name
 * both families have (see otherFamilyIcmp), and not on a negated or unknown protocol.
 */
function otherFamilyIcmpFix({ result, diag, data }: FixContext): Fix[] {
  const option = data.option as string | undefined;
  const protocol = data.protocol as string | undefined;
  const c = option && protocol ? commandOnLine(result.ruleset, diag.range.start.line) : undefined;
  if (!option || !protocol || !c?.chain) return [];
  const edits: TextEdit[] = [{ range: diag.range, newText: option }];
  const p = c.protocol;
  // ICMP is protocol 1, ICMPv6 58: the rule's protocol is the family's own, the other family's, or neither.
  const [wanted, other] = protocol === 'icmp' ? [1, 58] : [58, 1];
  const given = p && !p.dynamic ? protocolNumber(p.value) : undefined;
  if (!p) edits.push({ range: { start: c.chain.range.end, end: c.chain.range.end }, newText: ` -p ${protocol}` });
  // (A protocol a variable gives is mended where the variable is set, not by writing its value over it.)
  else if (p.negated || (given !== wanted && given !== other) || p.token.raw !== p.value) return [];
  else if (given === other) edits.push({ range: p.token.range, newText: protocol });
  return [{ title: `Write -p ${protocol} ${option}`, edits, preferred: true }];
}

function suggestions(fc: FixContext): Fix[] {
  const list = (fc.data.suggestions as string[] | undefined) ?? [];
  return list.map((s, i) => ({ ...replaceWith(fc, s), preferred: i === 0 }));
}

function declareChain(fc: FixContext, chain: string, table: string): Fix | undefined {
  const { result } = fc;
  if (result.ruleset.format === 'script') {
    const c = commandOnLine(result.ruleset, fc.diag.range.start.line);
    if (!c) return undefined;
    return { title: `Create chain ${chain} (iptables -N)`, edits: [scriptCommandBefore(fc.doc, result.ruleset, c, table, `-N ${chain}`)] };
  }
  const block = result.ruleset.tables.find((t) => t.name === table && t.range.start.line <= fc.diag.range.start.line && t.endLine >= fc.diag.range.start.line - 1);
  if (!block) return undefined;
  const decls = result.ruleset.chains.filter((d) => d.via === 'declaration' && d.range.start.line > block.range.start.line && d.range.start.line <= block.endLine);
  const after = decls.length ? decls[decls.length - 1].range.start.line + 1 : block.range.start.line + 1;
  return { title: `Declare chain ${chain} (:${chain} - [0:0])`, edits: [insertLine(fc.doc, after, `:${chain} - [0:0]`)] };
}

/** The fixes for one diagnostic code: one small function per code. */
const FIXES: Record<string, (fc: FixContext) => Fix[]> = {
  'unknown-target': (fc) => {
    if (fc.data.above !== undefined) return madeLaterFix(fc);
    // A chain other software makes (a fail2ban jail) is not this script's to make.
    if (fc.data.managedBy) return [];
    const fixes = suggestions(fc);
    const chain = fc.data.chain as string | undefined;
    // A near-miss of a target name is a typo, not a chain to create.
    const typo = ((fc.data.suggestions as string[] | undefined) ?? []).some((s) => TARGETS.some((t) => t.name === s));
    if (chain && !typo && /^[A-Za-z_][\w-]*$/.test(chain)) {
      const d = declareChain(fc, chain, fc.data.table as string);
      if (d) fixes.push(d);
    }
    return fixes;
  },
  'unknown-option': (fc) => nameFixes(fc),
  'unknown-ipset': (fc) => {
    const { doc, data } = fc;
    const [from, above] = [data.makeLine as number | undefined, data.above as number | undefined];
    if (from === undefined || above === undefined) return suggestions(fc);
    // The line that makes the set, when it is a plain ipset command of its own (not one of several, not continued).
    const text = lineText(doc, from);
    if (!/^\s*(sudo\s+)?\S*ipset\s[^;&|`$]*$/.test(text) || /\\\s*$/.test(text) || (from > 0 && /\\\s*$/.test(lineText(doc, from - 1)))) return [];
    return [{ title: `Make the set first: move line ${from + 1} above this rule`, edits: [insertLine(doc, above, text), { range: { start: at(from), end: at(from + 1) }, newText: '' }], preferred: true }];
  },
  'unknown-match': (fc) => nameFixes(fc),
  'unknown-table': (fc) => nameFixes(fc),
  'invalid-policy': (fc) => nameFixes(fc),
  'undefined-chain': (fc) => {
    // A chain other software makes (Docker's DOCKER-USER) is not this script's to make.
    if (fc.data.managedBy) return [];
    const fixes = suggestions(fc);
    const d = declareChain(fc, fc.data.chain as string, fc.data.table as string);
    return d ? [...fixes, { ...d, preferred: !fixes.length }] : fixes;
  },
  'invalid-value': (fc) => (typeof fc.data.replacement === 'string' ? [{ ...replaceWith(fc, fc.data.replacement), preferred: true, safe: true }] : suggestions(fc)),
  'lookalike-character': ({ diag, data }) => [{ title: `Replace with ${data.replacement === '' ? 'nothing' : `'${data.replacement}'`}`, edits: [{ range: diag.range, newText: data.replacement as string }], preferred: true, safe: true }],
  'address-family': (fc) => (typeof fc.data.replacement === 'string' ? [{ ...replaceWith(fc, fc.data.replacement), preferred: true }] : otherFamilyIcmpFix(fc)),
  'chain-not-in-table': ({ result, diag, data }) => {
    // A script's `iptables -A PREROUTING ... -j DNAT` without -t nat: the table its target allows (see tableOfChain).
    const table = data.table as string | undefined;
    const c = table ? commandOnLine(result.ruleset, diag.range.start.line) : undefined;
    if (!table || !c) return [];
    const written = c.partRange('table');
    const edit = written ? { range: written, newText: table } : { range: { start: c.commandRange.start, end: c.commandRange.start }, newText: `-t ${table} ` };
    return [{ title: `Use the ${table} table (-t ${table})`, edits: [edit], preferred: true }];
  },
  'protocol-required': ({ result, diag, data }) => {
    const c = commandOnLine(result.ruleset, diag.range.start.line);
    const insert = data.insert as string | undefined;
    if (!c || !insert || !c.chain || c.protocol) return [];
    return [{ title: `Add '${insert}'`, edits: [{ range: { start: c.chain.range.end, end: c.chain.range.end }, newText: ` ${insert}` }], preferred: true }];
  },
  'missing-commit': ({ diag, data, doc }) => [{ title: 'Add COMMIT', edits: [insertLine(doc, ((data.line as number | undefined) ?? diag.range.start.line) + 1, 'COMMIT')], preferred: true, safe: true }],
  'commit-format': (fc) => commitFormatFixes(fc),
  syntax: (fc) => [...addTableFix(fc), ...trailingCommentFixes(fc), ...flushFirstFix(fc), ...flushByNameFix(fc), ...quoteTextFix(fc), ...pastedCommandFix(fc), ...joinListFix(fc), ...rejoinFix(fc), ...suggestions(fc)],
  // Refusals that only the rules a -F without a chain name leaves to iptables-nft-restore cause (see flushKept.ts).
  'jump-loop': (fc) => flushByNameFix(fc),
  'target-not-allowed': (fc) => flushByNameFix(fc),
  'obsolete-syntax': ({ result, diag }) => {
    const line = diag.range.start.line;
    const c = commandOnLine(result.ruleset, line);
    const use = c?.options.find((o) => o.negToken && o.negToken.range.start.character === diag.range.start.character && o.negToken.range.start.line === line);
    if (!use) return [];
    return [{ title: `Write '! ${use.nameToken.value}'`, edits: [
      { range: { start: use.nameToken.range.end, end: diag.range.end }, newText: '' },
      { range: { start: use.nameToken.range.start, end: use.nameToken.range.start }, newText: '! ' },
    ], preferred: true, safe: true }];
  },
  'untracked-state': (fc) => [{ ...replaceWith(fc, fc.data.replacement as string, `Match UNTRACKED too (${fc.data.replacement})`), preferred: true }],
  'sh-brace-expansion': (fc) => {
    const list = fc.data.replacement as string | undefined;
    // A short list in place of the word; a long sequence reads better as it was, run by bash.
    const short = list !== undefined && list.split(' ').length <= 16;
    const fixes: Fix[] = list ? [{ ...replaceWith(fc, list, `List the values: ${list.length > 40 ? `${list.slice(0, 40)}...` : list}`), preferred: short, safe: short }] : [];
    return [...fixes, ...withBash(fc.doc, !short)];
  },
  'sh-array': (fc) => withBash(fc.doc, true),
  'host-bits-set': (fc) => [{ ...replaceWith(fc, fc.data.replacement as string, `Use the network address ${fc.data.replacement}`), preferred: true, safe: true }],
  'loop-variable-unused': ({ data }) => renameFix(data, (r) => `Read $${r.to} where the body reads $${r.from}`),
  'unset-variable': ({ data }) => renameFix(data, (r) => `Read $${r.to} instead${r.ranges.length > 1 ? ` (${r.ranges.length} places)` : ''}`),
  'duplicate-list-item': ({ diag, data, doc }) => {
    if (!data.comma) return [];
    const { start, end } = diag.range;
    const range = data.comma === 'before' ? { start: { line: start.line, character: start.character - 1 }, end } : { start, end: { line: end.line, character: end.character + 1 } };
    if (doc.getText(range).replace(doc.getText(diag.range), '') !== ',') return [];
    return [{ title: `Remove '${doc.getText(diag.range)}' from the list`, edits: [{ range, newText: '' }], preferred: true, safe: data.safe === true }];
  },
  'deprecated-match': ({ result, diag }) => {
    const c = commandOnLine(result.ruleset, diag.range.start.line);
    const m = c?.matches.find((x) => x.token && x.token.range.start.character === diag.range.start.character);
    if (!m?.token) return [];
    const edits: TextEdit[] = [{ range: m.token.range, newText: 'conntrack' }];
    for (const o of m.options) if (o.spec.names[0] === '--state') edits.push({ range: o.nameToken.range, newText: '--ctstate' });
    return [{ title: 'Use -m conntrack --ctstate', edits, preferred: true, safe: true }];
  },
  'redundant-rule': ({ result, diag, doc }) => {
    const c = commandOnLine(result.ruleset, diag.range.start.line);
    if (!c || inLoopBody(result, c) || (result.ruleset.format === 'script' && aloneInBody(doc, c))) return [];
    return [{ title: 'Delete this redundant rule', edits: [{ range: { start: at(c.startLine), end: at(c.endLine + 1) }, newText: '' }] }];
  },
  'reject-before-accept': ({ result, diag, data, doc }) => {
    const line = diag.range.start.line;
    const c = commandOnLine(result.ruleset, line);
    const above = data.moveAbove as number | undefined;
    // A rule a template repeats or leaves out would leave its block: no move.
    if (!c || above === undefined || c.startLine !== c.endLine || c.conditional || inLoopBody(result, c)) return [];
    const target = beforeLoops(result.ruleset, outsideBlocks(result.ruleset.template?.blocks, above, 'before'));
    return [{ title: `Move this rule above line ${target + 1}`, edits: [insertLine(doc, target, lineText(doc, line)), { range: { start: at(line), end: at(line + 1) }, newText: '' }], preferred: true }];
  },
  'missing-established': (fc) => {
    const chain = fc.data.chain as string;
    const before = (fc.data.insertBefore as number | undefined) ?? fc.diag.range.start.line + 1;
    return [insertRules(fc, chain, before, ['-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'], `Accept ESTABLISHED,RELATED at the top of ${chain}`)];
  },
  'ssh-lockout': (fc) => sshFixes(fc),
  'not-rerunnable': (fc) => {
    const c = commandOnLine(fc.result.ruleset, fc.diag.range.start.line);
    if (!c) return [];
    return [{ title: `Flush ${fc.data.chain as string} first`, edits: [scriptCommandBefore(fc.doc, fc.result.ruleset, c, fc.data.table as string, `-F ${fc.data.chain as string}`)] }];
  },
  'loopback-blocked': (fc) => {
    const chain = fc.data.chain as string;
    const text = ruleText(fc, chain);
    const before = fc.data.insertBefore as number | undefined;
    return text === undefined || before === undefined ? [] : [insertRules(fc, chain, before, [text], `Accept loopback traffic at the top of ${chain}`)];
  },
  'nd-blocked': (fc) => {
    const chain = fc.data.chain as string;
    const before = insertionLine(fc, chain);
    const types = (fc.data.types as string[] | undefined) ?? ['neighbour-solicitation', 'neighbour-advertisement'];
    const texts = types.map((t) => `-p ipv6-icmp -m icmp6 --icmpv6-type ${t} -j ACCEPT`);
    const what = types.length === 1 ? `neighbour ${types[0].split('-')[1]}s` : 'neighbour discovery';
    return before === undefined ? [] : [insertRules(fc, chain, before, texts, `Accept ${what} in ${chain}`)];
  },
  'limit-ineffective': (fc) => afterRule(fc, 'Drop what the rate limit leaves, right after it'),
  'prefer-ipset': (fc) => {
    const rewrite = ipsetRewrite(fc.result, (fc.data.lines as number[] | undefined) ?? []);
    if (!rewrite) return [];
    const [first, ...others] = rewrite.lines;
    const edits = [{ range: { start: at(first), end: at(first, lineText(fc.doc, first).length) }, newText: rewrite.text }, ...others.map((l) => deleteLine(fc.doc, l))];
    return [{ title: `Put the ${rewrite.lines.length} addresses in one ipset (${rewrite.setName})`, edits }];
  },
  'ipv6-unfiltered': (fc) => {
    // Said of a rules file, about the IPv6 file beside it: the edit belongs in that file. Said of a script with
    // ip6tables rules of its own: where its IPv6 INPUT should end is the author's to choose among them.
    if (fc.data.sibling || fc.data.ipv6Rules) return [];
    const block = ipv6Counterpart(fc.result, { endLine: fc.data.endLine as number | undefined, verdict: (fc.data.verdict as string | undefined) ?? 'DROP', sshPorts: (fc.data.sshPorts as number[] | undefined) ?? [22] });
    if (!block) return [];
    const of = block.carried + block.left.length;
    return [{ title: `Filter IPv6 too: INPUT again for ip6tables (${block.carried} of ${of} rule${of === 1 ? '' : 's'} carried over)`, edits: [insertLine(fc.doc, block.before, block.text)], preferred: true }];
  },
  'dns-tcp-blocked': (fc) => afterRule(fc, 'Accept the same DNS queries over TCP, right after this rule'),
  'pmtu-blocked': (fc) => insertSuggested(fc, fc.data.chain as string, `Accept the ICMP errors path MTU discovery needs in ${fc.data.chain}`),
  'dnat-bypassed': (fc) => {
    // A move: the rule leaves INPUT (where it never meets these connections) for DOCKER-USER.
    const c = commandOnLine(fc.result.ruleset, fc.diag.range.start.line);
    const added = insertSuggested(fc, 'DOCKER-USER', 'Move it to DOCKER-USER, matching the port the connections were sent to');
    return !c || c.startLine !== c.endLine || c.conditional || inLoopBody(fc.result, c) ? [] : added.map((f) => ({ ...f, edits: [...f.edits, deleteLine(fc.doc, c.startLine)], preferred: false }));
  },
  'snat-dropped': (fc) => insertSuggested(fc, 'FORWARD', 'Accept the forwarded connections in FORWARD'),
  'dnat-dropped': (fc) => {
    const chain = fc.data.chain as string;
    const title = chain === 'INPUT' ? 'Accept the redirected connections in INPUT' : chain === 'OUTPUT' ? 'Accept the rewritten connections in OUTPUT' : 'Accept the forwarded connections in FORWARD';
    return insertSuggested(fc, chain, title);
  },
};

/** Inserts the finding's suggested rule into `chain` where the finding says (see insertionLine). */
function insertSuggested(fc: FixContext, chain: string, title: string): Fix[] {
  const text = ruleText(fc, chain);
  const before = insertionLine(fc, chain);
  return text === undefined || before === undefined ? [] : [insertRules(fc, chain, before, [text], title)];
}

/** Inserts the finding's suggested rule right after the rule it is about, written the way that rule is (`$IPT -A ...`). */
function afterRule(fc: FixContext, title: string): Fix[] {
  const chain = fc.data.chain as string;
  const text = ruleText(fc, chain);
  const c = commandOnLine(fc.result.ruleset, fc.diag.range.start.line);
  return text === undefined || !c ? [] : [{ title, edits: [insertLine(fc.doc, c.endLine + 1, `${rulePrefix(fc, c, chain)} ${text}`)], preferred: true }];
}

/** Replace a misspelt name, or load the module an option belongs to. */
function nameFixes(fc: FixContext): Fix[] {
  const { diag, data } = fc;
  if (data.expected) return [replaceWith(fc, data.expected as string)];
  if (data.module && data.kind === 'match') return [{ title: `Load the match first (-m ${data.module})`, edits: [{ range: { start: diag.range.start, end: diag.range.start }, newText: `-m ${data.module} ` }], preferred: true }];
  return suggestions(fc);
}

/** `--comment web server`: the words in one pair of quotes, as they stand (spaces included). */
function quoteTextFix({ data, doc }: FixContext): Fix[] {
  const range = data.quote as Range | undefined;
  if (!range) return [];
  return [{ title: 'Quote the whole text', edits: [{ range, newText: `"${doc.getText(range)}"` }], preferred: true, safe: true }];
}

/** `--ctstate NEW, ESTABLISHED`: the space after the comma taken out. */
function joinListFix({ data }: FixContext): Fix[] {
  const range = data.join as Range | undefined;
  return range ? [{ title: 'Remove the space after the comma', edits: [{ range, newText: '' }], preferred: true, safe: true }] : [];
}

/** `--to-destination 10.0.0.2 8080`: the value written as one word (`10.0.0.2:8080`). */
function rejoinFix({ data }: FixContext): Fix[] {
  const r = data.rejoin as { range: Range; text: string } | undefined;
  return r ? [{ title: `Write '${r.text}'`, edits: [{ range: r.range, newText: r.text }], preferred: true }] : [];
}

/** `iptables -A INPUT ...` in a rules file: the command's name taken away. */
function pastedCommandFix({ data }: FixContext): Fix[] {
  const range = data.pasted as Range | undefined;
  return range ? [{ title: "Remove the command's name", edits: [{ range, newText: '' }], preferred: true, safe: true }] : [];
}

/** The longest text the comment match keeps (longer is refused). */
const COMMENT_MAX = 256;

/** `... -j ACCEPT # ssh` in a restore file: the comment on a line of its own above, or kept in the rule by -m comment. */
function trailingCommentFixes({ data, doc, diag }: FixContext): Fix[] {
  const text = data.trailingComment;
  if (typeof text !== 'string') return [];
  const line = diag.range.start.line;
  const before = lineText(doc, line).slice(0, diag.range.start.character);
  // From the end of the rule's last word, so that no blanks are left at the end of the line.
  const cut = { start: at(line, before.trimEnd().length), end: diag.range.end };
  const fixes: Fix[] = [{ title: 'Put the comment on a line of its own above', edits: [insertLine(doc, line, `# ${text}`), { range: cut, newText: '' }], preferred: true }];
  if (text !== '' && text.length <= COMMENT_MAX) fixes.push({ title: 'Keep it in the rule (-m comment --comment)', edits: [{ range: cut, newText: ` -m comment --comment ${quote(text)}` }] });
  return fixes;
}

/**
 * A jump to a chain a restore file declares only on a later line: that declaration moved above the rule (a chain line
 * may stand anywhere in its table). A script's -N is left where it is: it may belong to a function or a branch.
 */
function madeLaterFix({ doc, data, result }: FixContext): Fix[] {
  const [from, above, chain] = [data.madeOn as number | undefined, data.above as number, data.chain as string];
  if (from === undefined || result.ruleset.format !== 'restore') return [];
  const text = lineText(doc, from);
  if (!text.startsWith(`:${chain} `)) return [];
  return [{ title: `Declare ${chain} first: move line ${from + 1} above this rule`, edits: [insertLine(doc, above, text), deleteLine(doc, from)], preferred: true }];
}

/** -X of a chain that still holds rules: flush it (or the table, for -X alone) on the line before. */
function flushFirstFix({ data, doc, result, diag }: FixContext): Fix[] {
  if (data.fix !== 'flush-first') return [];
  const c = commandOnLine(result.ruleset, diag.range.start.line);
  if (!c) return [];
  const chain = data.chain as string | undefined;
  const flush = `-F${chain ? ` ${chain}` : ''}`;
  const edit = result.ruleset.format === 'script' ? scriptCommandBefore(doc, result.ruleset, c, data.table as string, flush) : insertLine(doc, c.startLine, flush);
  return [{ title: chain ? `Flush ${chain} first` : `Flush the ${data.table as string} table first`, edits: [edit], preferred: true }];
}

/**
 * A load's -F without a chain name (a restore file's, or a here-document's), written as a flush of each chain that
 * held rules (see flushKeptByNft): from its own finding, or from one it causes elsewhere (`flushLine`, see flushKept.ts).
 */
function flushByNameFix({ data, result, diag }: FixContext): Fix[] {
  const chains = data.chains as string[] | undefined;
  const c = commandOnLine(result.ruleset, (data.flushLine as number | undefined) ?? diag.range.start.line);
  if (data.fix !== 'flush-by-name' || !chains?.length || !c) return [];
  return [{ title: `Flush ${chains.join(', ')} by name`, edits: [{ range: c.range, newText: chains.map((n) => `-F ${n}`).join('\n') }], preferred: true }];
}

function addTableFix({ data, doc }: FixContext): Fix[] {
  if (data.fix !== 'add-table') return [];
  const text = doc.getText();
  let first = 0;
  while (first < doc.lineCount - 1 && lineText(doc, first).startsWith('#')) first++;
  const edits: TextEdit[] = [insertLine(doc, first, '*filter')];
  if (!/^COMMIT$/m.test(text)) edits.push({ range: { start: doc.positionAt(text.length), end: doc.positionAt(text.length) }, newText: `${text.endsWith('\n') || text === '' ? '' : '\n'}COMMIT\n` });
  return [{ title: 'Put the rules in a *filter table (and end it with COMMIT)', edits, preferred: true }];
}

function sshFixes(fc: FixContext): Fix[] {
  const { result, diag, data, doc } = fc;
  if (data.insertPolicyBefore !== undefined) {
    const c = commandOnLine(result.ruleset, data.insertPolicyBefore as number);
    const prefix = c ? invocationWords(lineText(doc, c.startLine), c) : 'iptables ';
    // Before a loop that flushes each table (`for t in filter nat; do iptables -t $t -F; done`), not inside it.
    const line = beforeLoops(result.ruleset, data.insertPolicyBefore as number);
    return [{ title: 'Set the ACCEPT policy before flushing', edits: [insertLine(doc, line, `${prefix}-P INPUT ACCEPT`)], preferred: true }];
  }
  // A rule for packets from the SSH port (--sport written for --dport; in OUTPUT the other way): its word turned
  // round, offered first.
  const slip = data.portSlip as { range: Range; word: string } | undefined;
  const turned = slip && turnedPortWord(slip.word);
  const slipFix: Fix[] = slip ? [{ title: `Change ${slip.word} to ${turned} on line ${slip.range.start.line + 1}`, edits: [{ range: slip.range, newText: turned! }], preferred: true }] : [];
  if (data.insertBefore === undefined && result.ruleset.format === 'script') return slipFix;
  if (data.replies) {
    const before = insertionLine(fc, 'OUTPUT') ?? diag.range.start.line + 1;
    return [...slipFix, insertRules(fc, 'OUTPUT', before, ['-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT'], 'Accept ESTABLISHED,RELATED in OUTPUT')];
  }
  const port = (data.port as number | undefined) ?? 22;
  const before = insertionLine(fc, data.chain as string) ?? diag.range.start.line + 1;
  return [...slipFix, insertRules(fc, 'INPUT', before, [`-p tcp -m tcp --dport ${port} -j ACCEPT`], `Accept SSH (TCP ${port}) before the deny`)];
}

/** A finding's `data.rename` (a variable's name written in place of another, at these ranges) as its fix. */
function renameFix(data: Record<string, unknown>, title: (r: { from?: string; to: string; ranges: Range[] }) => string): Fix[] {
  const rename = data.rename as { from?: string; to: string; ranges: Range[] } | undefined;
  if (!rename?.ranges.length) return [];
  return [{ title: title(rename), edits: rename.ranges.map((range) => ({ range, newText: rename.to })), preferred: true }];
}

function fixesFor(fc: FixContext): Fix[] {
  // Diagnostics of other tools come here too: only our own codes have fixes (and no code reaches Object.prototype).
  const code = String(fc.diag.code);
  // Said of a variable's value where a command uses it: the edit belongs where the variable is set.
  if (fc.data.ofVariable) return [];
  const fixes = Object.hasOwn(FIXES, code) ? FIXES[code](fc) : [];
  return fc.result.ruleset.format === 'script' ? fixes.filter((f) => !f.edits.some((e) => readsVariable(fc.result.ruleset, e.range))) : fixes;
}

/**
 * An edit that would write over or into a word a script's command reads through a variable (`$OPTS`, read as the
 * words of its value): what the fix means to change is the variable's value, not the word.
 */
function readsVariable(rs: Ruleset, range: Range): boolean {
  // (An edit of whole lines, as deleting or moving the rule's lines, takes the word with it unchanged.)
  if (range.start.character === 0 && range.end.character === 0 && range.end.line > range.start.line) return false;
  for (const c of rs.commands) {
    if (!c.substituted || c.endLine < range.start.line || c.startLine > range.end.line) continue;
    for (const t of c.tokens) {
      if (t.raw === t.value || !t.raw.includes('$')) continue;
      const r = t.range;
      const before = comparePos(r.end, range.start) <= 0;
      const after = comparePos(r.start, range.end) >= 0;
      if (!before && !after) return true;
    }
  }
  return false;
}

function lastRuleLine(result: LintResult, chain: string): number | undefined {
  const cs = result.state.all().find((c) => c.table === 'filter' && c.name === chain);
  const last = cs?.rules[cs.rules.length - 1];
  if (last) return outsideBlocks(result.ruleset.template?.blocks, last.endLine + 1, 'after');
  const block = result.ruleset.tables.find((t) => t.name === 'filter');
  return block?.commitRange?.start.line;
}

function commitFormatFixes(fc: FixContext): Fix[] {
  const { doc, diag, data } = fc;
  const line = diag.range.start.line;
  switch (data.fix) {
    case 'crlf': {
      const text = doc.getText();
      return [{ title: 'Convert the whole file to LF line endings', edits: [{ range: { start: at(0), end: doc.positionAt(text.length) }, newText: text.replace(/\r\n?/g, '\n') }], preferred: true, safe: true }];
    }
    case 'commit':
      return [{ title: "Make the line exactly 'COMMIT'", edits: [{ range: { start: at(line), end: at(line, lineText(doc, line).length) }, newText: 'COMMIT' }], preferred: true, safe: true }];
    case 'blank':
      return [{ title: 'Make the line empty', edits: [{ range: { start: at(line), end: at(line, lineText(doc, line).length) }, newText: '' }], preferred: true, safe: true }];
    case 'eol':
      return [{ title: 'End the file with a line break', edits: [{ range: { start: at(line, lineText(doc, line).length), end: at(line, lineText(doc, line).length) }, newText: '\n' }], preferred: true, safe: true }];
  }
  return [];
}

/** The comment that silences a check: on its own line before the rule, or at the end of a shell line. */
function disableFixes(fc: FixContext): Fix[] {
  const { diag, result, doc } = fc;
  const code = String(diag.code);
  const c = commandOnLine(result.ruleset, diag.range.start.line);
  const line = c ? c.startLine : diag.range.start.line;
  const indent = result.ruleset.format === 'script' ? (/^\s*/.exec(lineText(doc, line))?.[0] ?? '') : '';
  const fixes: Fix[] = [{ title: `Disable ${code} for this line`, edits: [insertLine(doc, line, `${indent}# iptables-lint disable=${code}`)] }];
  const first = result.ruleset.format === 'script' && lineText(doc, 0).startsWith('#!') ? 1 : 0;
  fixes.push({ title: `Disable ${code} for this file`, edits: [insertLine(doc, first, `# iptables-lint disable-file=${code}`)] });
  return fixes;
}


function context(result: LintResult, diag: FixTarget): FixContext {
  return { doc: new FixDocument(result), result, diag, data: (diag.data as Record<string, unknown> | undefined) ?? {} };
}

/** Every fix for one finding: its own, if it has any, then silencing its check on the line or in the whole file. */
export function quickFixes(result: LintResult, diag: FixTarget): Fix[] {
  const fc = context(result, diag);
  return [...fixesFor(fc), ...disableFixes(fc)];
}

/**
 * The safe fixes of every finding of an analysis, as edits that do not meet: a fix whose edits would touch the
 * edits of one taken before it is left for the next pass (`waiting` counts them; a whole-file fix, the line
 * endings, goes alone).
 */
export function safeEdits(result: LintResult): { edits: TextEdit[]; fixes: string[]; waiting: number } {
  const { index } = result;
  /** The spans taken, sorted by start; they never meet one another, so their ends are sorted too. */
  const taken: Array<[number, number]> = [];
  const edits: TextEdit[] = [];
  const fixes: string[] = [];
  let waiting = 0;
  /** The first span that ends at `a` or later: the only one that can meet [a, b]. */
  const firstEndingFrom = (a: number) => {
    let lo = 0;
    let hi = taken.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (taken[mid][1] < a) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const meets = (a: number, b: number) => {
    const k = firstEndingFrom(a);
    return k < taken.length && taken[k][0] <= b;
  };
  for (const d of result.diagnostics) {
    for (const fix of fixesFor(context(result, d))) {
      if (!fix.safe) continue;
      const spans = fix.edits.map((e): [number, number] => [index.offset(e.range.start), index.offset(e.range.end)]);
      if (spans.some(([a, b]) => meets(a, b))) {
        waiting++;
        continue;
      }
      for (const sp of spans) taken.splice(firstEndingFrom(sp[0]), 0, sp);
      edits.push(...fix.edits);
      fixes.push(`${d.code}: ${fix.title}`);
    }
  }
  return { edits, fixes, waiting };
}

/** Whether the findings have at least `n` safe fixes between them (stops counting there). */
export function hasSafeFixes(result: LintResult, n: number): boolean {
  let found = 0;
  for (const d of result.diagnostics) {
    for (const fix of fixesFor(context(result, d))) if (fix.safe && ++found >= n) return true;
  }
  return false;
}

export interface FixAllResult {
  text: string;
  /** What was done, one line per fix ("code: title"), in the order of the passes. */
  fixes: string[];
  /** The analysis of the fixed text. */
  result: LintResult;
}

/**
 * Applies the safe fixes until none is left (one fix may make another possible, and fixes that touched each
 * other wait for a pass of their own), at most `passes` times. `first` is the analysis of `text`, when known.
 */
export function fixAll(text: string, opts: LintOptions, first?: LintResult, passes = 8): FixAllResult {
  let result = first ?? lint(text, opts);
  const fixes: string[] = [];
  for (let pass = 0; pass < passes; pass++) {
    const found = safeEdits(result);
    if (!found.edits.length) break;
    text = applyEdits(text, found.edits);
    fixes.push(...found.fixes);
    result = lint(text, opts);
  }
  return { text, fixes, result };
}

/** One edit that turns `before` into `after`: the part between what they share at the start and at the end. */
export function differenceEdit(before: string, after: string): TextEdit | undefined {
  if (before === after) return undefined;
  let start = 0;
  const shorter = Math.min(before.length, after.length);
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (end < shorter - start && before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)) end++;
  // Never between the two characters of a CRLF line break: an editor has no position there.
  if (start > 0 && before.charCodeAt(start - 1) === 13 && before.charCodeAt(start) === 10) start--;
  if (end > 0 && before.charCodeAt(before.length - end - 1) === 13 && before.charCodeAt(before.length - end) === 10) end--;
  const index = new LineIndex(before);
  return { range: index.range(start, before.length - end), newText: after.slice(start, after.length - end) };
}
