/** What every check receives: the parsed ruleset, its final state, the jump graph and the settings. */
import type { SiblingFile } from '../sibling';
import { JumpGraph } from '../graph';
import { Command, Ruleset } from '../model';
import { DiagnosticSink } from '../parse/diagnostics';
import { RulesetState, familyOf } from '../state';
import { Family } from '../kb/addresses';
import { AnalysisMemo } from '../memo';
import type { AnalysisModel } from '../analysis/model';

export interface LintSettings {
  /** TCP ports that must stay reachable (ssh-lockout). */
  sshPorts: number[];
  /** Where the ruleset names them, when they are its own and not the setting's (see sshPortsOf). */
  sshPortsFrom?: string;
  /** How many address-only variants make prefer-ipset speak. */
  ipsetThreshold: number;
}

export const DEFAULT_SETTINGS: LintSettings = { sshPorts: [22], ipsetThreshold: 20 };

export interface CheckContext {
  rs: Ruleset;
  state: RulesetState;
  graph: JumpGraph;
  sink: DiagnosticSink;
  settings: LintSettings;
  memo?: AnalysisMemo;
  /** The packet-space model (rule matches, chain signatures), shared by the checks that need it. */
  model: AnalysisModel;
  /** The program that loads the file into a ruleset it has set up first (see loaderOf), if the file is one of its. */
  loader?: 'ufw';
  /** For an IPv4 rules file: the IPv6 one beside it (see sibling.ts), read when asked for. */
  sibling?: () => SiblingFile | undefined;
}

export function ruleFamily(ctx: CheckContext, c: Command): Family {
  return familyOf(ctx.rs, c);
}
