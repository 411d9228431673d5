/** A short fingerprint of a list of strings (two 32-bit FNV-1a hashes with different seeds), for memo keys. */
export function fingerprint(parts: readonly string[]): string {
  // `| 0` keeps both as 32-bit integers from the start (0x811c9dc5 alone is a double, and V8 would keep
  // re-optimising the loop as the type changes).
  let a = 0x811c9dc5 | 0;
  let b = (0x01000193 ^ parts.length) | 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    a = Math.imul(a ^ 44, 0x01000193);
    b = Math.imul(b ^ 44, 0x5bd1e995);
  }
  return `${(a >>> 0).toString(36)}${(b >>> 0).toString(36)}:${parts.length}`;
}
