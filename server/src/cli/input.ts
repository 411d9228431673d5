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
