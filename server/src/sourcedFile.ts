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

/** Documents larger than this are not parsed at all (a single notice says so), nor rules files read beside one. */
export const MAX_PARSE_SIZE = 20 * 1024 * 1024;

/** A rules file beside the one analysed (rules.v6 beside rules.v4): its text, null when there is none, undefined when it cannot be read. */
export function readRulesFile(path: string): string | null | undefined {
  try {
    const st = statSync(path);
    return st.isFile() && st.size <= MAX_PARSE_SIZE ? readFileSync(path, 'utf8') : undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined;
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
