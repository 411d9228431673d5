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
  const f = new Fingerprint();
  for (const p of parts) f.text(p);
  return f.key();
}

/** Folds a whole number (up to 2^53) into a running hash, 8 bits at a time, with a separator of its own after it. */
function hashNumber(h: number, n: number, prime: number): number {
  const low = n % 0x100000000;
  const high = Math.floor(n / 0x100000000);
  for (let s = 0; s < 32; s += 8) h = Math.imul(h ^ ((low >>> s) & 0xff), prime);
  for (let s = 0; s < 24; s += 8) h = Math.imul(h ^ ((high >>> s) & 0xff), prime);
  return Math.imul(h ^ 35, prime);
}

/**
 * A fingerprint built piece by piece, of texts and whole numbers: the same key as `fingerprint` of the texts, when
 * only texts are given, and numbers are folded in without being written out as text.
 */
export class Fingerprint {
  // `| 0` keeps both as 32-bit integers from the start (0x811c9dc5 alone is a double, and V8 would keep
  // re-optimising the loops as the type changes).
  private a = 0x811c9dc5 | 0;
  private b = 0x01000193 | 0;
  private count = 0;

  text(p: string): void {
    this.a = hashText(this.a, p);
    this.b = hashText(this.b, p, SECOND_PRIME);
    this.count++;
  }

  number(n: number): void {
    this.a = hashNumber(this.a, n, 0x01000193);
    this.b = hashNumber(this.b, n, SECOND_PRIME);
    this.count++;
  }

  key(): string {
    return `${hashKey(this.a, this.b ^ this.count)}:${this.count}`;
  }
}
