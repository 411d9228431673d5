/** Hover: what each word means, from the knowledge base and the analysis. Markdown, short. */
import { Token } from '../engine/lexer';
import { holdsTemplateValue, templateLine } from '../engine/parse/template';
import { assignedAt, fixedValue, isLoopWord, loopPlace, varyingNames, varyingValue } from '../engine/parse/scriptLoops';
import { Family, formatAddress, parseNet } from '../engine/kb/addresses';
import { BUILTIN_CHAINS, isBuiltinChainOf, ModuleSpec, OptionSpec, TABLES } from '../engine/kb';
import { PORT_DESCRIPTIONS, PORT_NAMES, protocolNumber, SERVICES, strtoulBase0 } from '../engine/kb/services';
import { PortBase, portBaseOf, readPortRange, setNameKind, ValueKind } from '../engine/kb/values';
import { disassemble, readBytecode } from '../engine/kb/bpf';
import { heldRules, LintResult } from '../engine/lint';
import { explainRule } from '../engine/explain';
import { commandOnLine, locate, Located } from '../engine/locate';
import { Command, counted, isRuleCommand, ProgramWord } from '../engine/model';
import { familyOf } from '../engine/state';
import { Position, Range, trimmedLineRange } from '../engine/types';

export interface HoverResult {
  markdown: string;
  range: Range;
}

function restrictions(spec: ModuleSpec): string {
  const parts: string[] = [];
  if (spec.tables) parts.push(`${spec.tables.join('/')} table${spec.tables.length > 1 ? 's' : ''}`);
  if (spec.forbiddenTables) parts.push(`not in ${spec.forbiddenTables.join('/')}`);
  if (spec.chains) parts.push(`${spec.chains.join(', ')} only`);
  if (spec.protocols) parts.push(`needs \`-p ${spec.protocols[0]}\``);
  if (spec.family) parts.push(`${spec.family === 4 ? 'iptables (IPv4)' : 'ip6tables (IPv6)'} only`);
  return parts.length ? `\n\n*${spec.name}: ${parts.join(', ')}.*` : '';
}

/** What a value of this kind is; for `family`, as that family's rulesets take it. */
function whatIn(kind: ValueKind, family: Family | undefined): string {
  return family && kind.whatIn ? kind.whatIn(family) : kind.what;
}

/** An option's hover text; with `family`, its values as that family's rulesets take them. */
export function optionMarkdown(spec: OptionSpec, owner?: ModuleSpec, family?: Family): string {
  const names = [spec.short, ...spec.names].filter(Boolean).map((n) => `\`${n}\``).join(', ');
  const where = owner ? ` — ${owner.kind === 'match' ? `match \`${owner.name}\`` : `target \`${owner.name}\``}` : '';
  const takes = spec.args.length ? `\n\nTakes ${spec.args.map((a) => whatIn(a, family)).join(', then ')}.` : spec.optionalArg ? `\n\nOptionally followed by ${whatIn(spec.optionalArg, family)}.` : '';
  const inv = spec.invert ? ' May be negated: `! ' + (spec.short ?? spec.names[0]) + '`.' : '';
  const extra = [spec.protocols ? `Needs \`-p ${spec.protocols[0]}\`.` : '', spec.chains ? `Only in ${spec.chains.join(', ')}.` : '', spec.family ? `${spec.family === 4 ? 'IPv4' : 'IPv6'} only.` : ''].filter(Boolean).join(' ');
  return `**${names}**${where}\n\n${spec.doc}${takes}${inv}${extra ? `\n\n${extra}` : ''}`;
}

export function moduleMarkdown(spec: ModuleSpec): string {
  const opts = spec.options.filter((o) => !o.removed).map((o) => `\`${o.names[0]}\``).join(' ');
  return `**${spec.kind === 'match' ? '-m ' : '-j '}${spec.name}** — ${spec.kind === 'match' ? 'match module' : spec.terminating ? 'terminating target' : 'target (the packet goes on to the next rule)'}\n\n${spec.doc}${restrictions(spec)}${opts ? `\n\nOptions: ${opts}` : ''}`;
}

function addressMarkdown(text: string): string | undefined {
  const items = text.split(',');
  const out: string[] = [];
  for (const item of items) {
    const r = parseNet(item);
    if (!r?.ok) return undefined;
    const n = r.net;
    const bits = n.family === 4 ? 32 : 128;
    if (!n.contiguous) {
      out.push(`\`${item}\`: addresses whose masked bits equal ${formatAddress(n.network, n.family)} (mask ${formatAddress(n.mask, n.family)}, not a prefix)`);
      continue;
    }
    const count = 1n << BigInt(bits - n.prefix);
    const net = `${formatAddress(n.network, n.family)}/${n.prefix}`;
    const span = count === 1n ? 'one address' : `${formatAddress(n.lo, n.family)} – ${formatAddress(n.hi, n.family)} (${count.toLocaleString('en-US')} addresses)`;
    const note = n.hostBitsSet ? ` ⚠ host bits set: iptables uses ${net}` : '';
    out.push(`\`${item}\`: network ${net}, ${span}${note}`);
  }
  return out.join('\n\n');
}

function portMarkdown(text: string, base: PortBase): string {
  return text.split(',').map((item) => {
    const r = readPortRange(item, base);
    if (r === undefined) return `\`${item}\``;
    const [lo, hi] = r;
    if (lo === hi) {
      const a = item.split(':')[0];
      const desc = PORT_DESCRIPTIONS[lo] ?? PORT_NAMES.get(lo)?.join(', ');
      return `port **${lo}**${desc ? `: ${desc}` : ''}${SERVICES[a] !== undefined ? ` (service name \`${a}\`)` : ''}`;
    }
    if (lo > hi) return `\`${item}\`: a reversed range, which matches nothing`;
    return `ports **${lo}–${hi}** (${hi - lo + 1} ports)${lo >= 1024 && hi === 65535 ? ': the unprivileged ports, where client connections come from' : ''}`;
  }).join('\n\n');
}

function choiceMarkdown(kind: ValueKind, value: string, family: Family): string | undefined {
  if (!kind.choices) return undefined;
  const items = kind.list ? value.split(',') : [value];
  const lines = items.map((v) => {
    const c = kind.choiceOf ? kind.choiceOf(v, family) : kind.choices!.find((x) => x.label.toLowerCase() === v.toLowerCase());
    // A word iptables reads as another (`est`, `ECHO-REQ`) says which.
    return c ? `**${c.label}**${c.label === v ? '' : ` (iptables reads \`${v}\` as ${c.label})`}: ${c.doc}` : undefined;
  }).filter(Boolean);
  return lines.length ? lines.join('\n\n') : undefined;
}

/** An ipset by name: the rules of this file that look addresses up in it, and where a script makes it. */
function setMarkdown(result: LintResult, name: string): string {
  // Every option whose value is a set's name (--match-set, --add-set, --del-set, --map-set), as the knowledge base says.
  const uses = result.ruleset.commands.filter((c) => c.options.some((o) => o.spec.args[0] === setNameKind && o.argValue === name));
  // Made by the script (`ipset create NAME TYPE`, a `create` line of an `ipset restore` here-document).
  const made = result.ruleset.ipsets?.made.filter((m) => m.name === name) ?? [];
  const kind = (m: (typeof made)[number]) => (m.type ? ` (${m.type}${m.family ? `, IPv${m.family}` : ''})` : '');
  const where = made.length ? `Made on line ${made.map((m) => `${m.line + 1}${kind(m)}`).join(', line ')}.` : 'Its addresses live in the set, outside iptables: `ipset list ' + name + '` shows them; the set must exist before the rules load.';
  return `**ipset \`${name}\`**: ${counted(uses.length, 'rule')} of this file ${uses.length === 1 ? 'uses' : 'use'} it (line${uses.length === 1 ? '' : 's'} ${uses.slice(0, 8).map((c) => c.startLine + 1).join(', ')}${uses.length > 8 ? ', ...' : ''}).\n\n${where}`;
}


/**
 * The word of a loop's variable: each of the loop's values in turn, and what the loop makes of them (one rule whose
 * packets are any value's, or each value's command one of its own: another chain, table, target or policy).
 */
function loopWord(result: LintResult, loc: Located): string | undefined {
  const range = 'token' in loc ? loc.token.range : loc.range;
  const c = ('command' in loc && loc.command) || commandOnLine(result.ruleset, range.start.line);
  const loop = c ? result.ruleset.loops?.get(c) : undefined;
  if (!loop || range.start.line !== range.end.line) return undefined;
  const raw = result.index.lineText(range.start.line).slice(range.start.character, range.end.character);
  if (!isLoopWord(raw, loop.name)) return undefined;
  const list = loop.values.slice(0, 12).map((v) => `\`${v}\``).join(', ') + (loop.values.length > 12 ? ', ...' : '');
  const what = loop.each
    ? 'the command runs once for each, each time a command of its own (another chain, table, target or policy), and each is checked and analysed as such.'
    : 'the rule is added once for each, and the analysis takes the packets of any of them.';
  return `\`${raw}\` is each of ${list} in turn (${loopPlace(loop.loop)}): ${what}`;
}

/** A word of a script read through its variables (`$LAN/24`) or a function's argument: what it was read as, before what that value is or does. */
function withVariables(result: LintResult, command: Command, token: Token, markdown: string | undefined): string | undefined {
  const note = variableNote(result, command, token);
  // Where the value makes several options, the note says what each does: the hover of the first alone would mislead.
  if (note?.includes(WORDS_MADE)) return note;
  return note && markdown ? `${note}\n\n${markdown}` : (note ?? markdown);
}

/** What a word that names variables was read as (undefined for another word). */
function variableNote(result: LintResult, command: Command, token: Token): string | undefined {
  if (token.dynamic || !token.raw.includes('$') || token.raw === token.value) return undefined;
  const loop = result.ruleset.loops?.get(command)?.loop;
  if (fixedValue(token.raw, loop?.fixed) !== undefined) return `\`${token.raw}\` is \`${token.value}\` in every call of its function (${loopPlace(loop!)}).`;
  // Another parameter that differs from call to call, beside the loop's own.
  const other = loop?.others && varyingNames(loop).find((name) => name !== loop.name && isLoopWord(token.raw, name));
  if (other) {
    const words = loop!.values.slice(0, 12).map((_, n) => `\`${varyingValue(loop!, other, n)}\``).join(', ') + (loop!.values.length > 12 ? ', ...' : '');
    return `\`${token.raw}\` is each call's own word in turn: ${words} (${loopPlace(loop!)}); the rule is read for each call with the words it passes.`;
  }
  // An unquoted value with blanks: the shell makes several words of it, each read where it falls.
  const parts = command.tokens.filter((t) => t.line === token.line && t.start === token.start && t.raw === token.raw);
  const read = parts.length > 1 ? `split by the shell into the words ${parts.map((t) => `\`${t.value}\``).join(', ')} (it is not quoted)` : token.value === '' ? 'empty here' : `read as \`${token.value}\``;
  return `\`${token.raw}\` is ${read}: each variable in it is set once, plainly, before this line (in the script, or in a file it sources).${partsRead(command, parts)}`;
}

/** How the list of what a split value's words make begins (see partsRead). */
const WORDS_MADE = '\n\nThe words it makes:\n';

/**
 * What the words of a split value make, where they make more than one option or module (`-p tcp --dport 25`): each
 * with the first sentence of what it does, in place of the hover of any one of them.
 */
function partsRead(command: Command, parts: readonly Token[]): string {
  if (parts.length < 2) return '';
  const ofParts = (t: Token | undefined) => t !== undefined && parts.includes(t);
  const items: Array<{ at: number; text: string }> = [];
  for (const m of command.matches) if (!m.implicit && ofParts(m.token) && m.spec) items.push({ at: parts.indexOf(m.token!), text: `\`-m ${m.name}\`: ${firstSentence(m.spec.doc)}` });
  for (const o of command.options) {
    // (`-m NAME` is said as its module, above.)
    if (!ofParts(o.nameToken) || o.spec.short === '-m') continue;
    const written = [o.negated ? '!' : '', o.nameToken.value, ...o.args.map((a) => a.value)].filter(Boolean).join(' ');
    items.push({ at: parts.indexOf(o.nameToken), text: `\`${written}\`: ${firstSentence(o.spec.doc)}` });
  }
  if (items.length < 2) return '';
  return `${WORDS_MADE}${items.sort((a, b) => a.at - b.at).map((i) => `- ${i.text}`).join('\n')}`;
}

/** The first sentence of a text of the knowledge base (up to its first full stop followed by a blank). */
function firstSentence(doc: string): string {
  const end = doc.search(/\.(\s|$)/);
  return end < 0 ? doc : doc.slice(0, end + 1);
}

function valueMarkdown(result: LintResult, loc: Extract<Located, { kind: 'value' }>): string | undefined {
  const { use, token, index } = loc;
  if (token.dynamic && (result.ruleset.format === 'restore' || holdsTemplateValue(token.raw))) return `\`${token.value}\` is a template value: known only once the template is rendered. The checks that need it take it as any value.`;
  if (token.dynamic) return `\`${token.value}\` is a shell value: known only when the script runs.`;
  const family = familyOf(result.ruleset, loc.command);
  const kind = use.spec.args[index] ?? use.spec.optionalArg;
  const head = `\`${use.spec.short ?? use.spec.names[0]}\` value`;
  if (!kind) return undefined;
  switch (kind.name) {
    case 'address-list':
    case 'address': {
      const a = addressMarkdown(token.value);
      return a ?? `\`${token.value}\` is a host name: iptables resolves it once, when the rules are loaded.`;
    }
    case 'port':
    case 'port-range':
    case 'strict-port-range':
    case 'port-list':
      return portMarkdown(token.value, portBaseOf(kind));
    case 'protocol': {
      const n = protocolNumber(token.value);
      const c = choiceMarkdown(kind, token.value, family);
      return `${c ?? `**${token.value}**`}${n !== undefined ? ` (protocol number ${n}${n === 0 ? ': every protocol' : ''})` : ''}`;
    }
    case 'set name':
      return setMarkdown(result, token.value);
    case 'string:bpf':
      return bytecodeMarkdown(token.value) ?? `${head}: ${kind.what}.`;
    case 'interface':
      return token.value.endsWith('+') ? `Every interface whose name starts with \`${token.value.slice(0, -1)}\`.` : `The interface \`${token.value}\`${token.value === 'lo' ? ' (loopback: traffic from this machine to itself)' : ''}.`;
  }
  return choiceMarkdown(kind, token.value, family) ?? `${head}: ${kind.what}.`;
}

/** A BPF program as its instructions, numbered from 0 as its jumps count them. */
function bytecodeMarkdown(text: string): string | undefined {
  const program = readBytecode(text);
  if (!Array.isArray(program)) return undefined;
  const lines = program.map((ins, pc) => `${String(pc).padStart(2)}: ${disassemble(ins, pc)}`);
  return `A BPF program of ${counted(program.length, 'instruction')} (a packet matches when it returns a value other than 0):\n\n\`\`\`\n${lines.join('\n')}\n\`\`\``;
}

function chainMarkdown(result: LintResult, loc: Extract<Located, { kind: 'chain' }>): string {
  const builtin = BUILTIN_CHAINS.find((c) => c.name === loc.name);
  const family = loc.command ? familyOf(result.ruleset, loc.command) : result.ruleset.family;
  const cs = result.state.get(family, loc.table, loc.name);
  if (builtin && isBuiltinChainOf(loc.table, loc.name)) {
    const policy = cs?.policy ? `\n\nPolicy here: **${cs.policy}**${cs.policy === 'DROP' ? ' (packets that reach the end are dropped)' : ' (packets that reach the end are accepted)'}.` : '';
    return `**${loc.name}** — built-in chain of \`${loc.table}\`\n\n${builtin.doc}${policy}${cs ? `\n\n${counted(cs.rules.length, 'rule')}.` : ''}`;
  }
  if (!cs) return `**${loc.name}** — no such chain in \`${loc.table}\`.`;
  // Followed through the jump graph, as the kernel follows it (a jump made before an -E rename, not a deleted rule).
  const callers = result.graph.jumpsInto(cs).sort((a, b) => a.startLine - b.startLine);
  const lines = callers.slice(0, 8).map((c) => `line ${c.startLine + 1}`).join(', ');
  const paths = result.graph.hooks(cs).map((h) => result.graph.path(cs, h).join(' → ')).join('; ');
  return `**${loc.name}** — user chain of \`${loc.table}\`, declared on line ${cs.declRange.start.line + 1}\n\n${counted(cs.rules.length, 'rule')}. ${callers.length ? `Jumped to from ${lines}${callers.length > 8 ? ', ...' : ''}.` : 'Nothing jumps to it.'}${paths ? `\n\nReached as ${paths}.` : ''}\n\nWhen a packet reaches its end it returns to the rule after the jump.`;
}

/**
 * Where a script's command stands on the way the analysis follows, said on its hover: why it is left out of the
 * chains (the loop around it goes over nothing, the script exits before it, only a trap or nothing calls its function,
 * another arm sets up more rules), or where its function's call runs it.
 */
function pathNote(result: LintResult, c: Command): string {
  const { neverRun, exitAt, trapped, neverCalled, otherArms, run, loops } = result.ruleset;
  const apart = (why: string) => `\n\n*${why} It is checked on its own, but the chains are analysed without it.*`;
  if (neverRun?.has(c)) {
    return apart(exitAt !== undefined && c.startLine > exitAt ? `Never runs: the script exits on line ${exitAt + 1}, before it.` : 'Never runs: the loop around it has nothing to go over (see its empty-loop finding).');
  }
  const trap = trapped?.get(c);
  if (trap !== undefined) return apart(`Runs only when the trap set on line ${trap + 1} fires (a signal, an error or the script's exit, as it names), which the analysis does not follow.`);
  if (neverCalled?.has(c)) return apart('Not run by this script: nothing in it calls the function this command is in (nor a function that is called).');
  if (otherArms?.has(c)) return apart('Not on the way the analysis follows: another arm of the `if` or `case` around it (or around the call of its function) sets up more rules.');
  const called = run?.line.get(c);
  if (called === undefined) return '';
  // A function called once per value: its rules stand where the first of those calls is.
  const each = (loops?.get(c)?.loop.calls?.length ?? 0) > 1 ? ', once per call, the first' : ',';
  return `\n\n*Runs where its function is called${each} on line ${called + 1}: the analysis takes it there, after what comes before that call.*`;
}

/** A rule a loop adds once per value: what each value's rule does (the first few). */
function loopExplained(result: LintResult, c: Command): string | undefined {
  const loop = result.ruleset.loops?.get(c);
  if (!loop) return undefined;
  if (loop.each) {
    const each = loop.each.slice(0, 4).map((v) => `- ${assignedAt(loop.loop, result.ruleset.loops!.get(v)!.valueAt[0], true)}: ${explainRule(v)}`);
    return `Run once for each value of ${loopPlace(loop.loop)} (${loop.values.length}), each time a rule of its own:\n\n${each.join('\n')}${loop.each.length > 4 ? `\n- ... and ${loop.each.length - 4} more` : ''}`;
  }
  const shown = loop.variants.slice(0, 3).map((v, k) => `- ${assignedAt(loop.loop, loop.valueAt[k], true)}: ${explainRule(v)}`);
  const more = loop.variants.length > 3 ? `\n- ... and ${loop.variants.length - 3} more` : '';
  const order = loop.loop.size > 1 ? `value by value with the other commands of its body` : 'one after the other';
  return `Added once for each value of ${loopPlace(loop.loop)} (${loop.values.length}), ${order}:\n\n${shown.join('\n')}${more}`;
}

/** The command word: for a rule, where it stands and what it does, in words; for any command, what it is. */
function commandMarkdown(result: LintResult, c: Command): string {
  const path = pathNote(result, c);
  const what = `**${c.spec.short}, ${c.spec.long}**: ${c.spec.doc}`;
  if (!isRuleCommand(c) || c.broken || c.spec.short === '-D') return `${what}${path}`;
  const cs = c.chainName === undefined ? undefined : result.state.get(familyOf(result.ruleset, c), c.table, c.chainName);
  // The rules iptables refuses in a script are never in the chain: not counted.
  const rules = cs && heldRules(result, cs);
  const at = rules ? rules.indexOf(c) : -1;
  const refused = result.refused?.has(c);
  const place = refused ? `**Not added to ${c.chainName}**` : at >= 0 ? `**Rule ${at + 1} of ${rules!.length} in ${c.chainName}**` : `**A rule of ${c.chainName ?? 'a chain'}**`;
  const note = refused ? ': iptables refuses this command (see its error), and the script goes on without the rule.' : '';
  return `${place} (\`${c.table}\` table)${note}\n\n${loopExplained(result, c) ?? explainRule(c)}${path}\n\n---\n\n${what}`;
}

function describe(result: LintResult, loc: Located): string | undefined {
  switch (loc.kind) {
    case 'command':
      return commandMarkdown(result, loc.command);
    case 'option':
      return withVariables(result, loc.command, loc.use.nameToken, optionMarkdown(loc.use.spec, loc.use.owner, familyOf(result.ruleset, loc.command)));
    case 'negation':
      return `**!** negates the condition that follows: \`! ${loc.use.nameToken.value}\` matches packets for which it does not hold.`;
    case 'value':
      return withVariables(result, loc.command, loc.token, valueMarkdown(result, loc));
    case 'match':
      return loc.spec ? moduleMarkdown(loc.spec) : `\`${loc.token.value}\`: not a match module iptables knows.`;
    case 'target':
      return moduleMarkdown(loc.spec);
    case 'chain':
      return chainMarkdown(result, loc);
    case 'table': {
      const t = TABLES.find((x) => x.name === loc.name);
      return t ? `**${t.name}** table\n\n${t.doc}\n\nBuilt-in chains: ${t.chains.join(', ')}.` : undefined;
    }
    case 'policy':
      return loc.value === '-' ? 'User chains have no policy (`-`): a packet that reaches the end returns to the calling chain.' : `**Policy ${loc.value}**: what happens to a packet that reaches the end of this built-in chain without a rule deciding. Only ACCEPT or DROP.`;
    case 'counters':
      return 'Packet and byte counters `[packets:bytes]`, restored with the rule (iptables-save prints them with `-c`).';
    case 'rulenum':
      return ruleNumberMarkdown(result, loc.command, loc.token);
  }
}

/** A rule number (`-D INPUT 3`): the rule at that place when the command runs. */
function ruleNumberMarkdown(result: LintResult, c: Command, token: Token): string {
  const n = token.value;
  const chain = c.chainName ?? 'the chain';
  const at = result.state.numbered.get(c);
  const does = c.spec.short === '-I' ? 'inserts its rule before' : c.spec.short === '-R' ? 'replaces' : 'deletes';
  const head = `**Rule ${n} of ${chain}**, counted from 1 when this command runs (\`iptables -L ${chain} --line-numbers\` shows the numbers).`;
  if (!at) return head;
  if (at.amid) return `${head}\n\nIt falls among the rules a loop of this script adds, one per value: which of them is not known here.`;
  if (at.rule) return `${head}\n\nThis command ${does} the rule of line ${at.rule.startLine + 1}:\n\n\`\`\`\n${result.index.lineText(at.rule.startLine).trim()}\n\`\`\``;
  return `${head}\n\n${chain} holds ${counted(at.count, 'rule')} then: ${c.spec.short === '-I' && strtoulBase0(n) === at.count + 1 ? 'the rule goes at its end.' : `there is no rule ${n}.`}`;
}

/** A line of a template's own syntax: what the analysis makes of the rules it governs. */
function templateHover(result: LintResult, pos: Position): HoverResult | undefined {
  if (!result.ruleset.template) return undefined;
  const text = result.index.lineText(pos.line);
  const t = templateLine(text);
  if (!t) return undefined;
  const range = trimmedLineRange(pos.line, text);
  const markdown = t.effects.some((e) => e !== 'none')
    ? 'Template statement. Once the template is rendered, the rules of its block may appear several times or not at all: the analysis takes each as a rule that may or may not be there (never as one that makes a later rule dead), and a fix that adds rules puts them outside the block.'
    : 'Template syntax (a comment or a statement without a block): it leaves no line in the rendered rules.';
  return { markdown, range };
}

/** A word of a script's iptables command that the shell leaves out: what iptables gets there (nothing). */
function vanishedHover(result: LintResult, pos: Position): HoverResult | undefined {
  const w = result.ruleset.vanished?.find((t) => t.line === pos.line && t.start <= pos.character && pos.character <= t.end);
  if (!w) return undefined;
  return { markdown: `\`${w.raw}\` is empty here: not quoted, the shell leaves the word out, and iptables reads the words around it as they come. Each variable in it is set once, plainly, before this line.`, range: w.range };
}

/** The commands a script's program word runs on this line (one, or one per family for `for ipt in iptables ip6tables`). */
function programAt(result: LintResult, pos: Position): { word: ProgramWord; commands: Command[] } | undefined {
  let word: ProgramWord | undefined;
  const commands: Command[] = [];
  for (const [c, p] of result.ruleset.programs ?? []) {
    const w = p.word;
    if (w.line !== pos.line || pos.character < w.start || pos.character > w.end || (word && w !== word.word)) continue;
    word = p;
    commands.push(c);
  }
  return word && { word, commands };
}

/** The word that runs a script's iptables command (`iptables`, `$IPT`): the program it is, then what the command does. */
function programHover(result: LintResult, pos: Position): HoverResult | undefined {
  const at = programAt(result, pos);
  if (!at) return undefined;
  const { word: { word: w, known }, commands } = at;
  const families = [...new Set(commands.map((c) => c.commandFamily ?? 4))];
  const program = (f: Family) => (f === 6 ? 'ip6tables' : 'iptables');
  const rules = (f: Family) => `the IPv${f} rules`;
  const head = !w.dynamic
    ? `\`${w.value}\` sets up ${rules(families[0])} (${program(families[0] === 6 ? 4 : 6)}, ${rules(families[0] === 6 ? 4 : 6)}).`
    : families.length > 1
    ? `\`${w.raw}\` is ${families.map(program).join(', then ')}: the command runs once for each value of its loop, for ${families.map(rules).join(', then ')}.`
    : known
    ? `\`${w.raw}\` is ${program(families[0])} here (set before this line): it sets up ${rules(families[0])}.`
    : `\`${w.raw}\` is taken to be ${program(families[0])}, by its name (the script does not set it): ${rules(families[0])}.`;
  return { markdown: `${head}\n\n${commandMarkdown(result, commands[0])}`, range: w.range };
}

/** A word of a loop's list that stands for values (`$PORTS`, `"${ADMINS[@]}"`, `{80,443}`): the values it gives. */
function loopListHover(result: LintResult, pos: Position): HoverResult | undefined {
  const at = result.ruleset.loopLists?.find(({ word: t }) => t.line === pos.line && t.start <= pos.character && pos.character <= t.end);
  if (!at) return undefined;
  const { word, values } = at;
  const shown = values.length > 12 ? [...values.slice(0, 12).map((v) => `\`${v}\``), `and ${values.length - 12} more`] : values.map((v) => `\`${v}\``);
  const how = !word.dynamic ? ' (bash expands the braces)' : '';
  return { markdown: `\`${word.raw}\` gives the loop ${values.length === 1 ? 'one value' : `${values.length} values`}${how}: ${shown.join(', ')}.`, range: word.range };
}

export function hover(result: LintResult, pos: Position): HoverResult | undefined {
  const loc = locate(result, pos);
  if (!loc) return templateHover(result, pos) ?? vanishedHover(result, pos) ?? programHover(result, pos) ?? loopListHover(result, pos);
  const markdown = loopWord(result, loc) ?? describe(result, loc);
  if (!markdown) return undefined;
  const range = 'token' in loc ? loc.token.range : loc.range;
  return { markdown, range };
}
