/** Chains: go to definition, find references, rename, document highlight. */
import { DocumentHighlight, DocumentHighlightKind, Location, ResponseError, TextEdit, WorkspaceEdit, ErrorCodes } from 'vscode-languageserver';
import { isBuiltinChain, TARGETS } from '../engine/kb';
import { LintResult } from '../engine/lint';
import { locate } from '../engine/locate';
import { familyOf } from '../engine/state';
import { Position, Range } from '../engine/types';
import { Command } from '../engine/model';
import { Token } from '../engine/lexer';

interface ChainRef {
  family: number;
  table: string;
  name: string;
}

export function chainAt(result: LintResult, pos: Position): (ChainRef & { range: Range }) | undefined {
  const loc = locate(result, pos);
  if (!loc || loc.kind !== 'chain') return undefined;
  const family = loc.command ? familyOf(result.ruleset, loc.command) : loc.decl?.family ?? result.ruleset.family;
  return { family, table: loc.table, name: loc.name, range: loc.range };
}

/** Where a chain is named: `through`, the word as written when it is a shell value read as the name (`$CHAIN`, a loop's `$c`). */
export interface ChainOccurrence {
  range: Range;
  write: boolean;
  through?: string;
}

/** The word as written, when a script's command reads it through a shell value (its Token is made only then). */
function throughValue(c: Command, word: () => Token | undefined): string | undefined {
  if (!c.substituted) return undefined;
  const t = word();
  return t && t.raw !== t.value && t.raw.includes('$') ? t.raw : undefined;
}

/** Every place that names the chain: declarations, -N/-X/-E/-P/-F, rules added to it, jumps to it. */
export function chainOccurrences(result: LintResult, ref: ChainRef): ChainOccurrence[] {
  const out: ChainOccurrence[] = [];
  const { ruleset } = result;
  for (const d of ruleset.chains) {
    if (d.via === 'declaration' && d.name === ref.name && d.table === ref.table && (d.family ?? ruleset.family) === ref.family) out.push({ range: d.nameRange, write: true });
  }
  for (const c of ruleset.commands) {
    if (c.table !== ref.table || familyOf(ruleset, c) !== ref.family) continue;
    // Words are read as text (a Token is made only for an occurrence): highlights are asked for at every cursor move.
    if (c.chainName === ref.name && !c.chainDynamic) out.push({ range: c.chainRange!, write: c.spec.short === '-N', through: throughValue(c, () => c.chain) });
    if (c.spec.short === '-E' && c.partText('extra') === ref.name) out.push({ range: c.extra!.range, write: true, through: throughValue(c, () => c.extra) });
    if (c.target && !c.target.spec && c.target.name === ref.name && !c.target.dynamic) out.push({ range: c.target.range, write: false, through: throughValue(c, () => c.target!.token) });
  }
  // A word several commands share (a loop's, once per value) is one occurrence.
  const seen = new Set<string>();
  return out.filter((o) => {
    const key = `${o.range.start.line}:${o.range.start.character}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

/** Why a chain cannot be renamed here: some of its names are shell values, whose text is not the name. */
function namedThroughValues(occurrences: readonly ChainOccurrence[], ref: ChainRef): string | undefined {
  const via = occurrences.find((o) => o.through !== undefined);
  return via && `${ref.name} is also named through a shell value (\`${via.through}\` on line ${via.range.start.line + 1}): rename it where that value is set, or write the name out, then rename.`;
}

/** An ipset named by a rule (`--match-set NAME`), where the script makes it. */
function setDefinition(result: LintResult, uri: string, pos: Position): Location | undefined {
  const loc = locate(result, pos);
  if (loc?.kind !== 'value' || loc.index !== 0 || loc.use.spec.args[0]?.name !== 'set name') return undefined;
  const made = result.ruleset.ipsets?.made.find((m) => m.name === loc.token.value);
  return made && { uri, range: made.range };
}

/** From a rule number (`-D INPUT 3`) to the rule at that place when the command runs. */
function ruleNumberDefinition(result: LintResult, uri: string, pos: Position): Location | undefined {
  const loc = locate(result, pos);
  const rule = loc?.kind === 'rulenum' ? result.state.numbered.get(loc.command)?.rule : undefined;
  return rule && { uri, range: rule.range };
}

export function definition(result: LintResult, uri: string, pos: Position): Location | undefined {
  const ref = chainAt(result, pos);
  if (!ref) return setDefinition(result, uri, pos) ?? ruleNumberDefinition(result, uri, pos);
  const decl = result.ruleset.chains.find((d) => d.via === 'declaration' && d.name === ref.name && d.table === ref.table && (d.family ?? result.ruleset.family) === ref.family);
  if (decl) return { uri, range: decl.nameRange };
  const created = result.ruleset.commands.find((c) => c.spec.short === '-N' && c.table === ref.table && c.chainName === ref.name);
  return created?.chainRange ? { uri, range: created.chainRange } : undefined;
}

export function references(result: LintResult, uri: string, pos: Position, includeDeclaration: boolean): Location[] {
  const ref = chainAt(result, pos);
  if (!ref) return [];
  return chainOccurrences(result, ref).filter((o) => includeDeclaration || !o.write).map((o) => ({ uri, range: o.range }));
}

export function highlights(result: LintResult, pos: Position): DocumentHighlight[] {
  const ref = chainAt(result, pos);
  if (!ref) return [];
  return chainOccurrences(result, ref).map((o) => ({ range: o.range, kind: o.write ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

export function prepareRename(result: LintResult, pos: Position): Range | ResponseError<void> | undefined {
  const ref = chainAt(result, pos);
  if (!ref) return undefined;
  if (isBuiltinChain(ref.name)) return new ResponseError(ErrorCodes.InvalidRequest, `${ref.name} is a built-in chain and cannot be renamed.`);
  if (TARGETS.some((t) => t.name === ref.name)) return undefined;
  const through = namedThroughValues(chainOccurrences(result, ref), ref);
  if (through) return new ResponseError(ErrorCodes.InvalidRequest, through);
  return ref.range;
}

export function rename(result: LintResult, uri: string, pos: Position, newName: string): WorkspaceEdit | ResponseError<void> | undefined {
  const ref = chainAt(result, pos);
  if (!ref) return undefined;
  if (isBuiltinChain(ref.name)) return new ResponseError(ErrorCodes.InvalidRequest, `${ref.name} is a built-in chain and cannot be renamed.`);
  const why = newName.length > 28 ? 'is longer than 28 characters' : /^[-!]/.test(newName) ? "starts with '-' or '!'" : /\s|"|'/.test(newName) || newName === '' ? 'contains white space or quotes' : isBuiltinChain(newName) ? 'is a built-in chain' : TARGETS.some((t) => t.name === newName) ? 'is the name of a target' : undefined;
  if (why) return new ResponseError(ErrorCodes.InvalidParams, `'${newName}' ${why}: not a valid chain name.`);
  if (result.state.get(ref.family as 4 | 6, ref.table, newName)) return new ResponseError(ErrorCodes.InvalidParams, `A chain named ${newName} already exists in ${ref.table}.`);
  const occurrences = chainOccurrences(result, ref);
  const through = namedThroughValues(occurrences, ref);
  if (through) return new ResponseError(ErrorCodes.InvalidRequest, through);
  const edits: TextEdit[] = occurrences.map((o) => ({ range: o.range, newText: newName }));
  return { changes: { [uri]: edits } };
}
