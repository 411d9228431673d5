/** Small helpers that keep the knowledge-base tables readable. */
import { ModuleSpec, OptionSpec } from './model';
import { ValueKind } from './values';

/** The optional parts of an option, as the tables write them (`optional` is the spec's optionalArg). */
export type OptFlags = Partial<Omit<OptionSpec, 'names' | 'args' | 'doc' | 'optionalArg'>> & { optional?: ValueKind };

/** An option: its names (canonical first), argument kinds, explanation and flags. */
export function opt(names: string | string[], args: ValueKind[] | ValueKind | null, doc: string, flags: OptFlags = {}): OptionSpec {
  const { optional, ...rest } = flags;
  return {
    ...rest,
    names: Array.isArray(names) ? names : [names],
    args: args === null ? [] : Array.isArray(args) ? args : [args],
    optionalArg: optional,
    invert: flags.invert ?? false,
    doc,
  };
}

/** The same as opt, with `!` allowed. */
export function neg(names: string | string[], args: ValueKind[] | ValueKind | null, doc: string, flags: OptFlags = {}): OptionSpec {
  return opt(names, args, doc, { ...flags, invert: true });
}

export function match(name: string, doc: string, options: OptionSpec[], extra: Partial<ModuleSpec> = {}): ModuleSpec {
  return { name, kind: 'match', doc, options, ...extra };
}

export function target(name: string, doc: string, options: OptionSpec[], extra: Partial<ModuleSpec> = {}): ModuleSpec {
  return { name, kind: 'target', doc, options, ...extra };
}
