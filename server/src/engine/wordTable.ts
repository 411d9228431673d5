/**
 * A table looked up by words someone typed (protocol and service names, ICMP types, helpers, setting values). Its
 * entries have no prototype behind them, so a word such as `constructor` or `toString` finds nothing instead of one
 * of Object.prototype's functions.
 */
export function wordTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
