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

/**
 * How much work suggestions may still take in one analysis, counted in candidates looked at and cells of the edit
 * distance table. A document with thousands of misspelt jumps among thousands of chains would otherwise spend
 * minutes on "did you mean"; past the budget its findings simply come without a suggestion.
 */
export class SuggestBudget {
  constructor(public left = 20_000_000) {}
}

const UNBOUNDED = new SuggestBudget(Infinity);

/** Candidates close to `word`: a different case only, or a small edit distance. Best first, at most `max`. */
export function suggest(word: string, candidates: Iterable<string>, max = 3, budget = UNBOUNDED): string[] {
  const scored: Array<[string, number]> = [];
  const lower = word.toLowerCase();
  for (const c of new Set(candidates)) {
    if (--budget.left < 0) return [];
    if (c === word) continue;
    const limit = Math.max(1, Math.min(3, Math.floor(Math.max(word.length, c.length) / 3)));
    // The distance is at least the difference in length.
    if (Math.abs(c.length - word.length) > limit) continue;
    if (c.toLowerCase() === lower) {
      scored.push([c, 0]);
      continue;
    }
    budget.left -= word.length * c.length;
    const d = editDistance(lower, c.toLowerCase());
    if (d <= limit) scored.push([c, d]);
  }
  scored.sort((x, y) => x[1] - y[1] || x[0].localeCompare(y[0]));
  return scored.slice(0, max).map((s) => s[0]);
}
