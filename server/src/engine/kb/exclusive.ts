/**
 * Options of one module that iptables takes only one of (each a different operation, or one value said two ways):
 * given together, the rule is refused. Each group becomes the options' `conflicts`, which the parser checks.
 */
import { ModuleSpec } from './model';

export const EXCLUSIVE: Record<string, string[][]> = {
  'target MARK': [['--set-mark', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark']],
  'target CONNMARK': [['--set-mark', '--set-xmark', '--and-mark', '--or-mark', '--xor-mark', '--save-mark', '--restore-mark']],
  'target TOS': [['--set-tos', '--and-tos', '--or-tos', '--xor-tos']],
  'target TTL': [['--ttl-set', '--ttl-dec', '--ttl-inc']],
  'target HL': [['--hl-set', '--hl-dec', '--hl-inc']],
  'target DSCP': [['--set-dscp', '--set-dscp-class']],
  'target CONNSECMARK': [['--save', '--restore']],
  'target NFLOG': [['--nflog-range', '--nflog-size']],
  'target NFQUEUE': [['--queue-num', '--queue-balance']],
  'target ECN': [['--ecn-tcp-remove', '--ecn-tcp-cwr'], ['--ecn-tcp-remove', '--ecn-tcp-ece']],
  'target SET': [['--add-set', '--map-set'], ['--del-set', '--map-set']],
  'match ttl': [['--ttl-eq', '--ttl-gt', '--ttl-lt']],
  'match hl': [['--hl-eq', '--hl-gt', '--hl-lt']],
  'match dscp': [['--dscp', '--dscp-class']],
  'match connlimit': [['--connlimit-upto', '--connlimit-above'], ['--connlimit-saddr', '--connlimit-daddr']],
  'match string': [['--string', '--hex-string']],
  'match cluster': [['--cluster-local-node', '--cluster-local-nodemask']],
  'match statistic': [['--probability', '--every'], ['--probability', '--packet']],
  // --hashlimit is the old name of --hashlimit-upto.
  'match hashlimit': [['--hashlimit-upto', '--hashlimit-above', '--hashlimit']],
  // The tests of an entry's age, hits and TTL only go with --rcheck or --update.
  'match recent': [['--set', '--rcheck', '--update', '--remove'], ...['--seconds', '--hitcount', '--rttl', '--reap'].flatMap((t) => [[t, '--set'], [t, '--remove']])],
  'match bpf': [['--bytecode', '--object-pinned']],
  'match cgroup': [['--cgroup', '--path']],
  'match addrtype': [['--limit-iface-in', '--limit-iface-out']],
  // --localtz and --kerneltz are two names of one option.
  'match time': [['--utc', '--localtz'], ['--utc', '--kerneltz']],
};

/** Adds each group to its options' conflicts (a group naming an option the module lacks is a mistake here, and throws). */
export function applyExclusive(modules: readonly ModuleSpec[]): void {
  for (const m of modules) {
    for (const group of EXCLUSIVE[`${m.kind} ${m.name}`] ?? []) {
      for (const name of group) {
        const o = m.options.find((x) => x.names.includes(name));
        if (!o) throw new Error(`${m.kind} ${m.name} has no option ${name}`);
        o.conflicts = [...new Set([...(o.conflicts ?? []), ...group.filter((g) => g !== name)])];
      }
    }
  }
}
