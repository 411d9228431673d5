/**
 * Signature help: while the values of an option are being typed, what the option takes, value by value, with the
 * one being typed marked (`--tcp-flags examined set`, `--to-destination address[-address][:port[-port][/port]]`).
 */
import { MarkupKind, ParameterInformation, SignatureHelp } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { OptionSpec } from '../engine/kb';
import { ValueKind } from '../engine/kb/values';
import { LintResult } from '../engine/lint';
import { OptionUse } from '../engine/model';
import { Position } from '../engine/types';
import { cursorContext, parsePrefix } from './cursor';
import { optionMarkdown } from './hover';

/** Options whose value is a name the completion lists (a target, a match, a table): no signature to show. */
const NAMED = new Set(['-j', '-g', '-m', '-t']);

/** The values an option takes, the optional one last. */
function params(spec: OptionSpec): Array<{ kind: ValueKind; name: string; optional: boolean }> {
  const list = spec.args.map((kind, k) => ({ kind, name: spec.argNames?.[k] ?? kind.label, optional: false }));
  if (spec.optionalArg) list.push({ kind: spec.optionalArg, name: spec.optionalArg.label, optional: true });
  return list;
}

function parameterDoc(kind: ValueKind): string {
  const few = kind.choices && kind.choices.length <= 12 ? `: ${kind.choices.map((c) => `\`${c.label}\``).join(', ')}` : '';
  return `${kind.what[0].toUpperCase()}${kind.what.slice(1)}${few}.`;
}

/** The option whose values end the words before the cursor, with how many of them are complete. */
function optionBeingGiven(options: readonly OptionUse[], lastWordStart: { line: number; character: number }): OptionUse | undefined {
  const at = (o: OptionUse) => {
    const args = o.args;
    const last = args.length ? args[args.length - 1] : o.nameToken;
    return last.range.start.line === lastWordStart.line && last.range.start.character === lastWordStart.character;
  };
  for (let k = options.length - 1; k >= 0; k--) if (at(options[k])) return options[k];
  return undefined;
}

export function signatureHelp(doc: TextDocument, result: LintResult, pos: Position): SignatureHelp | null {
  const ctx = cursorContext(doc, result, pos);
  const last = ctx?.words[ctx.words.length - 1];
  if (!ctx || !last) return null;
  const use = optionBeingGiven(parsePrefix(ctx)?.options ?? [], last.range.start);
  if (!use || NAMED.has(use.spec.short ?? '')) return null;
  const list = params(use.spec);
  const active = use.args.length;
  // Every value given: a new word is the next option, not a value.
  if (active >= list.length) return null;
  // A word starting with '-' after the required values is the next option, unless it may be the optional value.
  if (ctx.partial.startsWith('-') && active >= use.spec.args.length) return null;
  const name = use.nameToken.value;
  let label = name;
  const parameters: ParameterInformation[] = list.map((p) => {
    const text = p.optional ? `[${p.name}]` : p.name;
    label += ' ';
    const start = label.length;
    label += text;
    return { label: [start, label.length], documentation: { kind: MarkupKind.Markdown, value: parameterDoc(p.kind) } };
  });
  return {
    signatures: [{ label, documentation: { kind: MarkupKind.Markdown, value: optionMarkdown(use.spec, use.owner, ctx.family) }, parameters, activeParameter: active }],
    activeSignature: 0,
    activeParameter: active,
  };
}
