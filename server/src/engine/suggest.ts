/** Nearest-name suggestions for misspelt options, targets and chains. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const row = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) row[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = above;
    }
  }
  return row[b.length];
}

/** Candidates close to `word`: a different case only, or a small edit distance. Best first, at most `max`. */
export function suggest(word: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<[string, number]> = [];
  const lower = word.toLowerCase();
  for (const c of new Set(candidates)) {
    if (c === word) continue;
    if (c.toLowerCase() === lower) {
      scored.push([c, 0]);
      continue;
    }
    const d = editDistance(lower, c.toLowerCase());
    const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, c.length) / 3)));
    if (d <= limit) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  return scored.slice(0, max).map((s) => s[0]);
}
