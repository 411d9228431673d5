/** The shape of the knowledge base: every option, match module and target iptables knows. */
import { Family } from './addresses';
import { ValueKind } from './values';

export interface OptionSpec {
  /** Long names, the first being the one iptables-save prints (`--dport`, `--destination-port`). */
  names: string[];
  /** The one-letter form, where there is one (`-p`). */
  short?: string;
  /** One value kind per argument the option takes. */
  args: ValueKind[];
  /** What each argument is, where the kinds alone do not tell them apart (both of --tcp-flags are flag lists). */
  argNames?: string[];
  /** The option takes one more argument only when the next word does not start with '-'. */
  optionalArg?: ValueKind;
  /** `!` may precede the option. */
  invert: boolean;
  doc: string;
  /** Only in this family's ruleset. */
  family?: Family;
  /** Set when current iptables no longer knows the option: the message says what to use. */
  removed?: string;
  /** An option of the iptables command itself that iptables-restore refuses on a rule line. */
  commandLineOnly?: boolean;
  /** The commands iptables takes the option with (listing options with -L alone); any when not given. */
  commands?: string[];
  /** The kernel refuses the option unless the rule has `-p` with one of these protocols. */
  protocols?: string[];
  /** Other options of the same module that must be given with this one. */
  requires?: string[];
  /** The kernel refuses the option outside these built-in chains (hooks), followed through user chains. */
  chains?: string[];
  /** Options of the same module it cannot be combined with. */
  conflicts?: string[];
  /** The options after this one describe a new element (policy's --next): they may repeat those before it. */
  startsElement: boolean | undefined;
  /** The module the option belongs to (none for the generic options): each option belongs to one module only. */
  module?: ModuleSpec;
}

export interface ModuleSpec {
  name: string;
  aliases?: string[];
  kind: 'match' | 'target';
  doc: string;
  options: OptionSpec[];
  family?: Family;
  /** The kernel accepts it only in these tables. */
  tables?: string[];
  /** The kernel accepts it only in these built-in chains (hooks). */
  chains?: string[];
  /** The kernel refuses it unless the rule has `-p` with one of these protocols. */
  protocols?: string[];
  /** The protocol requirement holds only in this family's ruleset. */
  protocolsFamily?: Family;
  /** Tables in which the kernel refuses it although it is allowed elsewhere (DROP in nat). */
  forbiddenTables?: string[];
  /** For targets: the packet's fate is decided here (no later rule sees it). */
  terminating?: boolean;
  /** For matches: the analysis models it exactly; others are "may or may not match". */
  exact?: boolean;
  /** Current iptables does not know it: the message says what to use instead. */
  removed?: string;
}

export interface TableSpec {
  name: string;
  doc: string;
  chains: string[];
}

export interface ChainSpec {
  name: string;
  doc: string;
}
