/**
 * Reads a file a shell script sources (`. /etc/default/firewall`), for the linter and the language server: a small
 * regular file, or nothing. The engine itself reads no files; it is handed this.
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
