/**
 * A list for work done again and again, one piece at a time (the words of the option being parsed, the conditions of
 * the box being built): emptied and filled anew for each piece. An emptied JavaScript list gives up its room and
 * grows again, leaving garbage, every time; this one keeps its room and a count instead, and the entries past the
 * count are stale.
 */
export class Scratch<T> {
  readonly items: T[] = [];
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(item: T): void {
    this.items[this.length++] = item;
  }

  /** Whether one of the current entries is `item`. */
  has(item: T): boolean {
    for (let k = 0; k < this.length; k++) if (this.items[k] === item) return true;
    return false;
  }
}
