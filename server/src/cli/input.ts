/** Reading the one file a subcommand takes (`-` for standard input), with the error a user sees when it fails. */
import { readFileSync } from 'node:fs';

export function readInput(file: string, readStdin: () => string, errOut: (s: string) => void, command: string): string | undefined {
  try {
    return file === '-' ? readStdin() : readFileSync(file, 'utf8');
  } catch (e) {
    errOut(`iptables-lint ${command}: cannot read ${file}: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * The arguments of a subcommand that takes one file and an address family: the file and the family, or the exit
 * status (help shown, or a usage error told).
 */
function oneFileArgs(argv: string[], command: string, usage: string, what: string, out: (s: string) => void, errOut: (s: string) => void): { file: string; family?: 4 | 6 } | number {
  let family: 4 | 6 | undefined;
  const files: string[] = [];
  for (const a of argv) {
    if (a === '--ipv4' || a === '-4') family = 4;
    else if (a === '--ipv6' || a === '-6') family = 6;
    else if (a === '-h' || a === '--help') {
      out(`${usage}\n`);
      return 0;
    } else if (a.startsWith('-') && a !== '-') {
      errOut(`iptables-lint ${command}: unknown option '${a}'.\n${usage}`);
      return 2;
    } else files.push(a);
  }
  if (files.length !== 1) {
    errOut(`iptables-lint ${command}: give one ${what}.\n${usage}`);
    return 2;
  }
  return { file: files[0], family };
}

/**
 * The one file of such a subcommand, read: its name, the family asked for and its text, or the exit status (help
 * shown, a usage error told, or the file unreadable).
 */
export function oneFileInput(argv: string[], command: string, usage: string, what: string, io: { out: (s: string) => void; errOut: (s: string) => void; readStdin: () => string }): { file: string; family?: 4 | 6; text: string } | number {
  const args = oneFileArgs(argv, command, usage, what, io.out, io.errOut);
  if (typeof args === 'number') return args;
  const text = readInput(args.file, io.readStdin, io.errOut, command);
  return text === undefined ? 2 : { ...args, text };
}
