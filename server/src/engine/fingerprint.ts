/** Short fingerprints of text for memo keys and hash tables: FNV-1a, 32 bits at a time. */

/** The prime of a second, independent hash beside FNV's own (two together make collisions negligible). */
export const SECOND_PRIME = 0x5bd1e995;

/** Folds a text into a running 32-bit FNV-1a hash, with a separator after it (so ["ab", "c"] differs from ["a", "bc"]). */
export function hashText(h: number, text: string, prime = 0x01000193): number {
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), prime);
  return Math.imul(h ^ 44, prime);
}

/** Two hashes as one short key. */
export function hashKey(a: number, b: number): string {
  return `${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}`;
}

/** A short fingerprint of a list of strings (two 32-bit FNV-1a hashes with different seeds and primes). */
export function fingerprint(parts: readonly string[]): string {
  // `| 0` keeps both as 32-bit integers from the start (0x811c9dc5 alone is a double, and V8 would keep
  // re-optimising the loop as the type changes).
  let a = 0x811c9dc5 | 0;
  let b = (0x01000193 ^ parts.length) | 0;
  for (const p of parts) {
    a = hashText(a, p);
    b = hashText(b, p, SECOND_PRIME);
  }
  return `${hashKey(a, b)}:${parts.length}`;
}
