/** Completion that knows its context: chains after -A, targets after -j, values after options, options of loaded matches. */
import { CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { BUILTIN_CHAINS, COMMANDS, GENERIC_OPTIONS, MATCHES, ModuleSpec, OptionSpec, TABLES, TARGETS, findTable, isAvailable, protocolMatch } from '../engine/kb';
import { ValueKind } from '../engine/kb/values';
import { PORT_DESCRIPTIONS } from '../engine/kb/services';
import { LintResult } from '../engine/lint';
import { Command, counted } from '../engine/model';
import { Position } from '../engine/types';
import { Context, cursorContext, parsePrefix } from './cursor';
import { moduleMarkdown, optionMarkdown } from './hover';

const doc = (value: string) => ({ kind: MarkupKind.Markdown, value });

function chainItems(result: LintResult, ctx: Context, builtins = true): CompletionItem[] {
  const items: CompletionItem[] = [];
  const table = findTable(ctx.table);
  if (builtins) {
    for (const name of table?.chains ?? []) {
      const b = BUILTIN_CHAINS.find((c) => c.name === name)!;
      items.push({ label: name, kind: CompletionItemKind.Class, detail: `built-in chain of ${ctx.table}`, documentation: doc(b.doc) });
    }
  }
  for (const cs of result.state.inTable(ctx.family, ctx.table)) {
    if (cs.builtin) continue;
    items.push({ label: cs.name, kind: CompletionItemKind.Function, detail: `user chain, ${counted(cs.rules.length, 'rule')}`, documentation: doc(`Declared on line ${cs.declRange.start.line + 1}.`) });
  }
  return items;
}

function targetItems(result: LintResult, ctx: Context, chain: string | undefined): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const t of TARGETS) {
    if (t.removed || !isAvailable(t, ctx.family)) continue;
    if (t.tables && !t.tables.includes(ctx.table)) continue;
    if (t.forbiddenTables?.includes(ctx.table)) continue;
    if (t.chains && chain && BUILTIN_CHAINS.some((c) => c.name === chain) && !t.chains.includes(chain)) continue;
    items.push({ label: t.name, kind: t.terminating || t.name === 'RETURN' ? CompletionItemKind.Keyword : CompletionItemKind.Event, detail: t.terminating ? 'verdict' : 'target', documentation: doc(moduleMarkdown(t)), sortText: `${['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'LOG'].includes(t.name) ? 0 : 1}${t.name}` });
  }
  return [...items, ...chainItems(result, ctx, false).map((i) => ({ ...i, sortText: `2${i.label}` }))];
}

function optionItems(cmd: Command | undefined, ctx: Context): CompletionItem[] {
  const used = new Set(cmd?.options.map((o) => o.spec) ?? []);
  const items: CompletionItem[] = [];
  const add = (spec: OptionSpec, owner?: ModuleSpec) => {
    if (spec.removed || (spec.family && spec.family !== ctx.family) || (spec.commandLineOnly && ctx.format === 'restore')) return;
    // A match's option once per match; iptables' own options once per rule, but for -m (any number of matches).
    if (used.has(spec) && (owner || spec.short !== '-m')) return;
    const names = spec.short && !owner ? [spec.short, spec.names[0]] : [spec.names[0]];
    for (const name of names) {
      items.push({ label: name, kind: CompletionItemKind.Property, detail: owner ? `${owner.kind === 'match' ? '-m' : '-j'} ${owner.name}` : 'iptables', documentation: doc(optionMarkdown(spec, owner, ctx.family)), insertText: `${name} `, sortText: `${owner ? 0 : 1}${name}` });
    }
  };
  for (const m of cmd?.matches ?? []) if (m.spec) for (const o of m.spec.options) add(o, m.spec);
  if (cmd?.target?.spec) for (const o of cmd.target.spec.options) add(o, cmd.target.spec);
  const proto = cmd?.protocol;
  if (proto && !proto.negated) {
    const pm = protocolMatch(proto.value, ctx.family);
    if (pm && !cmd!.matches.some((m) => m.spec === pm)) for (const o of pm.options) add(o, pm);
  }
  for (const o of GENERIC_OPTIONS) if (o.short !== '-t' || ctx.format === 'script') add(o);
  if (!cmd?.spec) {
    for (const c of COMMANDS) if (c.inRestore || ctx.format === 'script') items.push({ label: c.short, kind: CompletionItemKind.Keyword, detail: c.long, documentation: doc(c.doc), insertText: `${c.short} `, sortText: `0${c.short}` });
  }
  return items;
}

/** The values the document already gives options of this kind: its interfaces and its ipsets, by use. */
function usedValues(result: LintResult, kind: ValueKind): CompletionItem[] {
  const which = kind.name === 'interface' ? 'interface' : kind.name === 'set name' ? 'set' : undefined;
  if (!which) return [];
  const counts = new Map<string, number>();
  for (const c of result.ruleset.commands) {
    for (const o of c.options) {
      const v = o.argText;
      if (v !== undefined && o.spec.args[0] === kind) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
  }
  if (which === 'interface' && !counts.has('lo')) counts.set('lo', 0);
  // A script's own sets, as it makes them.
  const made = new Map((which === 'set' ? result.ruleset.ipsets?.made ?? [] : []).map((m) => [m.name, m]));
  for (const name of made.keys()) if (!counts.has(name)) counts.set(name, 0);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([v, n], i) => {
    const m = made.get(v);
    const where = m && `made on line ${m.line + 1}${m.type ? ` (${m.type}${m.family === 6 ? ', IPv6' : ''})` : ''}`;
    return {
      label: v,
      kind: which === 'interface' ? CompletionItemKind.Interface : CompletionItemKind.Variable,
      detail: [n ? `used ${n} time(s) in this file` : which === 'interface' ? 'the loopback interface' : '', where].filter(Boolean).join('; '),
      sortText: String(i).padStart(4, '0'),
    };
  });
}

/** The option kinds that take ports, where the well-known services are offered. */
const PORT_KINDS = new Set(['port', 'port-range', 'strict-port-range', 'port-list']);

/**
 * In a comma-separated list being typed: the items given so far (`prefix`, up to the last comma, kept before every
 * completion) and those items, not to be offered again. Outside a list, nothing.
 */
function listSoFar(isList: boolean | undefined, partial: string): { prefix: string; chosen: Set<string> } {
  const prefix = isList && partial.includes(',') ? partial.slice(0, partial.lastIndexOf(',') + 1) : '';
  return { prefix, chosen: new Set(prefix.split(',').filter(Boolean)) };
}

/** Well-known ports with what runs there; in a list, after the ports already given. */
function portItems(kind: ValueKind, partial: string): CompletionItem[] {
  const { prefix, chosen } = listSoFar(kind.name === 'port-list', partial);
  return Object.entries(PORT_DESCRIPTIONS)
    .filter(([port]) => !chosen.has(port))
    .map(([port, what]) => ({ label: port, kind: CompletionItemKind.Value, detail: what, filterText: prefix + port, insertText: prefix + port, sortText: port.padStart(5, '0') }));
}

function valueItems(kind: ValueKind, partial: string, ctx: Context, result?: LintResult): CompletionItem[] {
  if (PORT_KINDS.has(kind.name)) return portItems(kind, partial);
  if (result && !kind.choices) return usedValues(result, kind);
  if (!kind.choices) return [];
  const { prefix, chosen } = listSoFar(kind.list, partial);
  return kind.choices
    .filter((c) => (!c.family || c.family === ctx.family) && !chosen.has(c.label))
    .map((c, i) => ({ label: c.label, kind: CompletionItemKind.EnumMember, documentation: doc(c.doc), filterText: prefix + c.label, insertText: prefix + c.label, sortText: String(i).padStart(3, '0') }));
}

function lineStartItems(ctx: Context): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const t of TABLES) items.push({ label: `*${t.name}`, kind: CompletionItemKind.Module, documentation: doc(`**${t.name}** table\n\n${t.doc}`), sortText: `3${t.name}` });
  for (const name of findTable(ctx.table)?.chains ?? []) {
    items.push({ label: `:${name}`, kind: CompletionItemKind.Class, detail: 'built-in chain declaration', insertText: `:${name} \${1|ACCEPT,DROP|} [0:0]`, insertTextFormat: InsertTextFormat.Snippet, documentation: doc(BUILTIN_CHAINS.find((c) => c.name === name)!.doc), sortText: `2${name}` });
  }
  items.push({ label: ':CHAIN - [0:0]', kind: CompletionItemKind.Class, detail: 'user chain declaration', insertText: ':${1:NAME} - [0:0]', insertTextFormat: InsertTextFormat.Snippet, documentation: doc('Declares a user chain. Rules enter it with `-j NAME`.'), sortText: '2~' });
  items.push({ label: 'COMMIT', kind: CompletionItemKind.Keyword, documentation: doc('Ends the table block: iptables-restore applies it now, or nothing at all.'), sortText: '4' });
  return [...items, ...optionItems(undefined, ctx)];
}

export function complete(docu: TextDocument, result: LintResult, pos: Position): CompletionItem[] {
  const ctx = cursorContext(docu, result, pos);
  if (!ctx) return [];
  if (ctx.lineStart && ctx.format === 'restore') {
    return ctx.partial.startsWith('-') ? optionItems(undefined, ctx) : lineStartItems(ctx);
  }
  const last = ctx.words[ctx.words.length - 1];
  const before = ctx.words[ctx.words.length - 2];
  const cmd = parsePrefix(ctx);
  const chain = cmd?.chain?.value;
  if (last) {
    const w = last.value;
    if (COMMANDS.some((c) => (c.short === w || c.long === w) && c.chain !== 'none')) return chainItems(result, ctx);
    if (before && (before.value === '-P' || before.value === '--policy')) {
      return ['ACCEPT', 'DROP'].map((p) => ({ label: p, kind: CompletionItemKind.Keyword, documentation: doc(p === 'DROP' ? 'Drop packets that reach the end of the chain.' : 'Accept packets that reach the end of the chain.') }));
    }
    if (w === '-j' || w === '--jump') return targetItems(result, ctx, chain);
    if (w === '-g' || w === '--goto') return chainItems(result, ctx, false);
    if (w === '-t' || w === '--table') return TABLES.map((t) => ({ label: t.name, kind: CompletionItemKind.Module, documentation: doc(t.doc) }));
    if (w === '-m' || w === '--match') {
      return MATCHES.filter((m) => !m.removed && isAvailable(m, ctx.family)).map((m) => ({ label: m.name, kind: CompletionItemKind.Module, documentation: doc(moduleMarkdown(m)) }));
    }
    const use = cmd?.options.find((o) => o.nameToken.range.start.character === last.range.start.character && o.nameToken.range.start.line === last.range.start.line);
    if (use && use.args.length < use.spec.args.length) return valueItems(use.spec.args[use.args.length], ctx.partial, ctx, result);
    if (use && use.args.length && use.args[use.args.length - 1] === last && use.spec.args.length > use.args.length) return valueItems(use.spec.args[use.args.length], ctx.partial, ctx, result);
  }
  return optionItems(cmd, ctx);
}
