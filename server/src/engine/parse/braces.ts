/**
 * bash's brace expansion of one unquoted word, as `for p in {8000..8010}` or `web{1,2}.lan` use it: lists
 * (`{80,443}`, nested `{a,b{c,d}}`), sequences of numbers (`{1..254}`, `{01..10}` padded, `{10..1..3}` with a step)
 * and of single letters (`{a..e}`), with text around them and several in one word (every combination, in bash's
 * order). A brace that is none of these (`{80}`, `{}`, `{1..b}`) stays as it is. POSIX sh expands none of it.
 */

/** The index of the first `}` from `from` that closes a brace opened before it (nested pairs skipped), or -1. */
function nextClose(word: string, from: number): number {
  let depth = 0;
  for (let k = from; k < word.length; k++) {
    if (word[k] === '{') depth++;
    else if (word[k] === '}') {
      if (depth === 0) return k;
      depth--;
    }
  }
  return -1;
}

/** The parts of a list's content split at its own commas (not those of a nested list); one part when it has none. */
function listParts(content: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let k = 0; k < content.length; k++) {
    const ch = content[k];
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(content.slice(from, k));
      from = k + 1;
    }
  }
  parts.push(content.slice(from));
  return parts;
}

const NUMBERS = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/;
const LETTERS = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/;

/** The words of a sequence (`1..5`, `01..10`, `a..e`, with an optional step), or undefined when it is not one. */
function sequence(content: string, max: number): string[] | undefined {
  const num = NUMBERS.exec(content);
  const letters = num ? undefined : LETTERS.exec(content);
  const m = num ?? letters;
  if (!m) return undefined;
  const from = num ? Number(m[1]) : m[1].charCodeAt(0);
  const to = num ? Number(m[2]) : m[2].charCodeAt(0);
  const step = Math.abs(Number(m[3] ?? 1)) || 1;
  if (Math.abs(to - from) / step + 1 > max) return [];
  // A leading zero on either end pads every number to the wider end's width.
  const padded = num !== null && (/^-?0\d/.test(m[1]) || /^-?0\d/.test(m[2]));
  const width = padded ? Math.max(m[1].length, m[2].length) : 0;
  const out: string[] = [];
  for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? step : -step) {
    if (!num) out.push(String.fromCharCode(v));
    else out.push(width ? (v < 0 ? '-' + String(-v).padStart(width - 1, '0') : String(v).padStart(width, '0')) : String(v));
  }
  return out;
}

/** The words `word` expands to, or undefined when they would be more than `max`. */
export function braceExpand(word: string, max = 256): string[] | undefined {
  for (let open = word.indexOf('{'); open >= 0; open = word.indexOf('{', open + 1)) {
    // A word that starts with `{}` keeps that pair as text, as bash leaves it.
    if (open === 0 && word[1] === '}') continue;
    // As bash reads it: a brace with neither a comma nor a sequence inside reaches on to the next closing brace.
    let close = nextClose(word, open + 1);
    let parts: string[] = [];
    let alternatives: string[] | undefined;
    for (; close >= 0 && !alternatives; close = alternatives ? close : nextClose(word, close + 1)) {
      parts = listParts(word.slice(open + 1, close));
      alternatives = parts.length > 1 ? parts : sequence(parts[0], max);
    }
    if (!alternatives) continue;
    if (!alternatives.length) return undefined;
    const prefix = word.slice(0, open);
    const rest = braceExpand(word.slice(close + 1), max);
    if (!rest) return undefined;
    const out: string[] = [];
    for (const alt of alternatives) {
      const inner = parts.length > 1 ? braceExpand(alt, max) : [alt];
      if (!inner) return undefined;
      for (const a of inner) for (const r of rest) {
        out.push(prefix + a + r);
        if (out.length > max) return undefined;
      }
    }
    return out;
  }
  return [word];
}

/**
 * What bash makes of a word's braces, when it makes something of them (so that the shell running it matters): the
 * words, undefined when they would be more than `max`. Undefined for a word bash leaves as it is.
 */
export function braceExpansion(word: string, max = 256): { words: string[] | undefined } | undefined {
  const words = braceExpand(word, max);
  return words?.length === 1 && words[0] === word ? undefined : { words };
}
