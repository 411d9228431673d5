/** `iptables-lint convert SCRIPT [--ipv4|--ipv6]`: a shell script's rules as an iptables-restore file. */
import { lint } from '../engine/lint';
import { scriptToRestore } from '../engine/toRestore';
import { oneFileInput } from './input';
import { readSourcedFile } from '../sourcedFile';
import { unseenLoadsNote } from '../engine/model';

export const CONVERT_USAGE = `Usage: iptables-lint convert SCRIPT [--ipv4|--ipv6]
Prints the rules the shell script leaves in the kernel (from empty tables) as an iptables-restore file:
iptables-lint convert firewall.sh > /etc/iptables/rules.v4. A script with ip6tables commands has an IPv6 file too
(--ipv6). Rules holding shell values are left in it as comments, and named on standard error.
Exit status: 0 converted, 1 some rules were left out, 2 usage error, unreadable file or nothing to convert.`;

export function runConvert(argv: string[], out: (s: string) => void, errOut: (s: string) => void, readStdin: () => string): number {
  const input = oneFileInput(argv, 'convert', CONVERT_USAGE, 'script', { out, errOut, readStdin });
  if (typeof input === 'number') return input;
  const { file, family, text } = input;
  const result = lint(text, { fileName: file === '-' ? undefined : file, format: 'script', readFile: readSourcedFile });
  const made = scriptToRestore(result, file === '-' ? 'the script' : file);
  const chosen = made.find((f) => f.family === (family ?? made[0]?.family));
  if (!chosen) {
    errOut(`iptables-lint convert: ${file} has no ${family ? (family === 4 ? 'iptables' : 'ip6tables') + ' ' : 'iptables or ip6tables '}commands to convert.${unseenLoadsNote(result.ruleset, family)}`);
    return 2;
  }
  out(chosen.text);
  for (const s of chosen.skipped) errOut(`${file}:${s.line + 1}: not converted: ${s.why}`);
  const other = made.find((f) => f !== chosen);
  if (other) errOut(`iptables-lint convert: ${file} also has ${other.family === 6 ? 'ip6tables' : 'iptables'} rules: convert them with --ipv${other.family}.`);
  return chosen.skipped.length ? 1 : 0;
}
