/**
 * User chains that other software creates and jumps to itself: a rules file for such a chain (ufw's user.rules, the
 * DOCKER-USER rules of a Docker host, a fail2ban jail) holds no jump to it, and need not.
 */

/** Chain names of a piece of software, the software, and how it reaches them, in words that follow "but". */
const MANAGERS: Array<{ pattern: RegExp; owner: string; note: string }> = [
  {
    pattern: /^DOCKER(-USER|-INGRESS|-FORWARD|-BRIDGE|-CT|-ISOLATION-STAGE-[12])?$/,
    owner: 'Docker',
    note: 'Docker jumps to its chains itself once it has started (FORWARD to DOCKER-USER first)',
  },
  { pattern: /^ufw6?-/, owner: 'ufw', note: 'ufw wires its chains into INPUT, OUTPUT and FORWARD itself when it starts' },
  { pattern: /^(f2b|fail2ban)-/, owner: 'fail2ban', note: 'fail2ban adds the jump from INPUT itself when the jail starts' },
  { pattern: /^KUBE-/, owner: 'kube-proxy', note: 'kube-proxy adds the jumps to its chains itself' },
  { pattern: /^cali-/, owner: 'Calico', note: 'Calico adds the jumps to its chains itself' },
  { pattern: /^(CNI|FLANNEL)-/, owner: 'the container network plugin', note: 'the container network plugin adds the jumps to its chains itself' },
];

/** How the software that owns a chain of this name reaches it, if the name is one of its own. */
export function managedChainNote(name: string): string | undefined {
  for (const m of MANAGERS) if (m.pattern.test(name)) return m.note;
  return undefined;
}

/** The software that makes a chain of this name itself (Docker for DOCKER-USER), if the name is one of its own. */
export function managedChainOwner(name: string): string | undefined {
  return MANAGERS.find((m) => m.pattern.test(name))?.owner;
}
