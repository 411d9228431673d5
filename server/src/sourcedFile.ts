/**
 * Files on disk that a shell script names, for the linter and the language server: a file the script sources
 * (`. /etc/default/firewall`) is read when it is a small regular file, and a file it loads or saves is linked when
 * it is there. The engine itself reads no files; it is handed this.
 */
import { readFileSync, statSync } from 'node:fs';

/** A configuration of assignments is small: larger files are not read. */
const MAX_SIZE = 256 * 1024;

export function readSourcedFile(path: string): string | undefined {
  try {
    const st = statSync(path);
    return st.isFile() && st.size <= MAX_SIZE ? readFileSync(path, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a file a script names (a rules file it loads, a configuration it sources) is there to open. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
