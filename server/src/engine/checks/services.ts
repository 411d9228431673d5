/**
 * Service names in port options, looked up as iptables looks them up: the tcp match and multiport ask /etc/services
 * for the name under the rule's protocol (`-p tcp --dport ntp` fails where ntp is listed for UDP only), the udp and
 * dccp matches for any protocol. What fails on Debian and Ubuntu, whose list has most names for one protocol only,
 * is a warning that says so; a name no list has, or a protocol no list names services for, is an error.
 */
import { CheckContext } from './context';
import { Command, OptionUse } from '../model';
import { DEBIAN_SERVICE_PROTOCOLS, SCTP_SERVICES, SERVICES, UNREGISTERED_SERVICES } from '../kb/services';

const PORT_OPTIONS = new Set(['--sport', '--dport', '--sports', '--dports', '--ports']);
/** The protocol iptables looks a multiport name up for, by the number of the rule's -p. */
const LOOKUP: Record<number, string> = { 6: 'tcp', 17: 'udp', 136: 'udplite', 132: 'sctp', 33: 'dccp' };

/**
 * The protocol a port option's names are looked up for ('any'), or none to skip: `proto` is the rule's protocol
 * as the kernel checks read it (a number, 'dynamic', or undefined for none or a negated one).
 */
function lookupOf(o: OptionUse, proto: number | 'dynamic' | undefined): string | undefined {
  const module = o.owner?.name;
  if (module === 'udp' || module === 'dccp') return 'any';
  if (module === 'tcp') return 'tcp';
  return module === 'multiport' && typeof proto === 'number' ? LOOKUP[proto] : undefined;
}

/** What is wrong with looking `name` up for `proto` (by `who`): [severity, why], or undefined when it is found. */
function problemOf(name: string, proto: string, who: string): ['error' | 'warning', string] | undefined {
  const known = UNREGISTERED_SERVICES[name];
  if (known) return ['error', `no /etc/services lists '${name}' (it calls port ${SERVICES[name]} '${known}')`];
  if (proto === 'udplite' || proto === 'dccp') return ['error', `${who} looks '${name}' up as a ${proto.toUpperCase()} service, and /etc/services lists none`];
  if (proto === 'sctp') return SCTP_SERVICES[name] === undefined ? ['error', `${who} looks '${name}' up as an SCTP service, which /etc/services (on Debian and Ubuntu) does not list`] : undefined;
  const debian = DEBIAN_SERVICE_PROTOCOLS[name];
  if (debian === 'none') return ['warning', `/etc/services on Debian and Ubuntu does not list '${name}'`];
  if (debian === undefined || proto === 'any' || debian === proto) return undefined;
  return ['warning', `/etc/services on Debian and Ubuntu lists '${name}' for ${debian.toUpperCase()} only, and ${who} looks it up for ${proto.toUpperCase()}`];
}

function checkOption(ctx: CheckContext, o: OptionUse, ruleProto: number | 'dynamic' | undefined): void {
  if (!PORT_OPTIONS.has(o.spec.names[0])) return;
  const value = o.argValue;
  if (value === undefined || o.argDynamic || !/[a-z]/i.test(value)) return;
  const proto = lookupOf(o, ruleProto);
  if (!proto) return;
  const who = o.owner!.name === 'multiport' ? "multiport (by the rule's -p)" : `the ${o.owner!.name} match`;
  const items = value.split(/([,:])/);
  let worst: ['error' | 'warning', string] | undefined;
  for (let k = 0; k < items.length; k += 2) {
    const name = items[k];
    if (SERVICES[name] === undefined && !(proto === 'sctp' && SCTP_SERVICES[name] !== undefined)) continue;
    const found = problemOf(name, proto, who);
    if (!found) continue;
    items[k] = String(SERVICES[name] ?? SCTP_SERVICES[name]);
    if (!worst || (found[0] === 'error' && worst[0] === 'warning')) worst = found;
  }
  if (!worst) return;
  const fixed = items.join('');
  const where = worst[0] === 'error' ? 'iptables refuses the rule ("invalid port/service")' : 'there iptables refuses the rule ("invalid port/service"), where a system with a longer list may not';
  ctx.sink.add('invalid-value', worst[0], o.arg!.range, `${worst[1]}: ${where}. Write ${fixed}, which reads the same everywhere.`, { replacement: fixed });
}

/** `proto`: the rule's protocol as the kernel checks read it (its number; 'dynamic'; undefined for none or `! -p`). */
export function checkServiceNames(ctx: CheckContext, rule: Command, proto: number | 'dynamic' | undefined): void {
  for (const o of rule.options) if (o.owner) checkOption(ctx, o, proto);
}
