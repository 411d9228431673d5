/**
 * Results computed from a word, kept by the word: rulesets repeat the same addresses, ports and states thousands
 * of times. Bounded: past `bound` entries it starts again empty, so one-off words (a blocklist's addresses) cannot pile up.
 * An undefined result is kept too.
 */
export class TextCache<V> {
  /** An undefined result is kept as NOTHING, so that one lookup tells a miss from a hit. */
  private readonly map = new Map<string, V | typeof NOTHING>();

  constructor(private readonly bound: number) {}

  /** `make` is given the key: a function that needs nothing else allocates nothing per lookup. */
  get(key: string, make: (key: string) => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) return (hit === NOTHING ? undefined : hit) as V;
    if (this.map.size > this.bound) this.map.clear();
    const v = make(key);
    this.map.set(key, v === undefined ? NOTHING : v);
    return v;
  }
}

const NOTHING: unique symbol = Symbol('nothing');
