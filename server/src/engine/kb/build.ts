/**
 * Small helpers that keep the knowledge-base tables readable. Every option and every module is built with all of
 * its fields, in one order, so that they all share one shape: the parser and the checks read them for every word.
 */
import { ModuleSpec, OptionSpec } from './model';
import { ValueKind } from './values';

/** The optional parts of an option, as the tables write them (`optional` is the spec's optionalArg). */
export type OptFlags = Partial<Omit<OptionSpec, 'names' | 'args' | 'doc' | 'optionalArg'>> & { optional?: ValueKind };

/** An option: its names (canonical first), argument kinds, explanation and flags. */
export function opt(names: string | string[], args: ValueKind[] | ValueKind | null, doc: string, flags: OptFlags = {}): OptionSpec {
  return {
    names: Array.isArray(names) ? names : [names],
    short: flags.short,
    args: args === null ? [] : Array.isArray(args) ? args : [args],
    argNames: flags.argNames,
    optionalArg: flags.optional,
    invert: flags.invert ?? false,
    doc,
    family: flags.family,
    removed: flags.removed,
    commandLineOnly: flags.commandLineOnly,
    commands: flags.commands,
    protocols: flags.protocols,
    requires: flags.requires,
    chains: flags.chains,
    conflicts: flags.conflicts,
    startsElement: flags.startsElement,
    module: undefined,
  };
}

/** Another module's option under the same names and explanation (an option belongs to one module). */
export function copyOpt(o: OptionSpec): OptionSpec {
  return opt(o.names, o.args, o.doc, { ...o, optional: o.optionalArg });
}

/** The same as opt, with `!` allowed. */
export function neg(names: string | string[], args: ValueKind[] | ValueKind | null, doc: string, flags: OptFlags = {}): OptionSpec {
  return opt(names, args, doc, { ...flags, invert: true });
}

function module(name: string, kind: ModuleSpec['kind'], doc: string, options: OptionSpec[], extra: Partial<ModuleSpec>): ModuleSpec {
  const spec: ModuleSpec = {
    name,
    aliases: extra.aliases,
    kind,
    doc,
    options,
    family: extra.family,
    tables: extra.tables,
    chains: extra.chains,
    protocols: extra.protocols,
    protocolsFamily: extra.protocolsFamily,
    forbiddenTables: extra.forbiddenTables,
    terminating: extra.terminating,
    exact: extra.exact,
    removed: extra.removed,
  };
  // A parsed option finds its module through its spec, so that it need not keep it itself.
  for (const o of options) {
    if (o.module) throw new Error(`${o.names[0]} belongs to both ${o.module.name} and ${name}`);
    o.module = spec;
  }
  return spec;
}

export function match(name: string, doc: string, options: OptionSpec[], extra: Partial<ModuleSpec> = {}): ModuleSpec {
  return module(name, 'match', doc, options, extra);
}

export function target(name: string, doc: string, options: OptionSpec[], extra: Partial<ModuleSpec> = {}): ModuleSpec {
  return module(name, 'target', doc, options, extra);
}
