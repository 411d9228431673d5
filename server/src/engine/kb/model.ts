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
  /** The option takes one more argument only when the next word does not start with '-'. */
  optionalArg?: ValueKind;
  /** `!` may precede the option. */
  invert: boolean;
  doc: string;
  /** Only in this family's ruleset. */
  family?: Family;
  /** Set when current iptables no longer knows the option: the message says what to use. */
  removed?: string;
  /** Used only on the command line of `iptables` itself (not a rule match). */
  commandLineOnly?: boolean;
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
