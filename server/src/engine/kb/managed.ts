/**
 * User chains that other software creates and jumps to itself: a rules file for such a chain (ufw's user.rules, the
 * DOCKER-USER rules of a Docker host, a fail2ban jail) holds no jump to it, and need not.
 */

/** Chain names of a piece of software, and how it reaches them, in words that follow "but". */
const MANAGERS: Array<{ pattern: RegExp; note: string }> = [
  {
    pattern: /^DOCKER(-USER|-INGRESS|-FORWARD|-BRIDGE|-CT|-ISOLATION-STAGE-[12])?$/,
    note: 'Docker jumps to its chains itself once it has started (FORWARD to DOCKER-USER first)',
  },
  { pattern: /^ufw6?-/, note: 'ufw wires its chains into INPUT, OUTPUT and FORWARD itself when it starts' },
  { pattern: /^(f2b|fail2ban)-/, note: 'fail2ban adds the jump from INPUT itself when the jail starts' },
  { pattern: /^KUBE-/, note: 'kube-proxy adds the jumps to its chains itself' },
  { pattern: /^cali-/, note: 'Calico adds the jumps to its chains itself' },
  { pattern: /^(CNI|FLANNEL)-/, note: 'the container network plugin adds the jumps to its chains itself' },
];

/** How the software that owns a chain of this name reaches it, if the name is one of its own. */
export function managedChainNote(name: string): string | undefined {
  for (const m of MANAGERS) if (m.pattern.test(name)) return m.note;
  return undefined;
}
