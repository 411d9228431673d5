/** Small helpers that keep the knowledge-base tables readable. */
import { ModuleSpec, OptionSpec } from './model';
import { ValueKind } from './values';

export interface OptFlags {
  invert?: boolean;
  short?: string;
  optional?: ValueKind;
  family?: 4 | 6;
  removed?: string;
  commandLineOnly?: boolean;
  protocols?: string[];
  requires?: string[];
  chains?: string[];
  conflicts?: string[];
}

/** An option: its names (canonical first), argument kinds, explanation and flags. */
export function opt(names: string | string[], args: ValueKind[] | ValueKind | null, doc: string, flags: OptFlags = {}): OptionSpec {
  return {
    names: Array.isArray(names) ? names : [names],
    short: flags.short,
    args: args === null ? [] : Array.isArray(args) ? args : [args],
    optionalArg: flags.optional,
    invert: flags.invert ?? false,
    doc,
    family: flags.family,
    removed: flags.removed,
    commandLineOnly: flags.commandLineOnly,
    protocols: flags.protocols,
    requires: flags.requires,
    chains: flags.chains,
    conflicts: flags.conflicts,
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
