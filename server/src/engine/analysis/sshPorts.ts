/**
 * The port SSH listens on, as the ruleset itself tells: an ACCEPT for one TCP port whose comment names SSH
 * (`--dport 2222 -m comment --comment "SSH"`), or in a script whose port word is a variable named for SSH
 * (`--dport $SSH_PORT` with SSH_PORT=2222). A server moved off port 22 then gets no false lockout for closing 22;
 * the setting iptables.sshPorts, where the user has set it, is taken as it is (see lint). A rule that drops such a
 * port (a decoy "ssh" port) names none: SSH is what the ruleset lets in.
 */
import { Command, Ruleset } from '../model';

const SAYS_SSH = /\bsshd?\b/i;
const SSH_VARIABLE = /\$\{?\w*ssh\w*\}?/i;

export interface SshPorts {
  ports: number[];
  /** Where the first of them is named (`the comment on line 5`, `$SSH_PORT on line 7`). */
  from: string;
}

export function sshPortsOf(rs: Ruleset): SshPorts | undefined {
  const ports: number[] = [];
  let from: string | undefined;
  for (const c of rs.commands) {
    if ((c.spec.short !== '-A' && c.spec.short !== '-I') || c.target?.name !== 'ACCEPT') continue;
    const found = namedSshPort(c, rs.format === 'script');
    if (!found) continue;
    if (!ports.includes(found.port)) ports.push(found.port);
    from ??= `${found.how} on line ${c.startLine + 1}`;
  }
  return from ? { ports, from } : undefined;
}

/** The one TCP destination port of a rule that names SSH, and how it names it. */
function namedSshPort(c: Command, script: boolean): { port: number; how: string } | undefined {
  let commented = false;
  let port: number | undefined;
  let variable: string | undefined;
  for (let k = 0; k < c.options.length; k++) {
    const o = c.options[k];
    const name = o.spec.names[0];
    if (name === '--comment') commented ||= SAYS_SSH.test(o.argValue ?? '');
    else if (name === '--dport' && !o.negated && o.owner?.name === 'tcp') {
      const v = o.argValue;
      if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) > 65535) return undefined;
      port = Number(v);
      if (script && o.arg && SSH_VARIABLE.test(o.arg.raw)) variable = SSH_VARIABLE.exec(o.arg.raw)![0];
    }
  }
  if (port === undefined || (!commented && !variable)) return undefined;
  return { port, how: commented ? 'the comment' : variable! };
}
