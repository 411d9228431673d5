/**
 * The u32 match's little language, as iptables reads it before the kernel sees it: tests joined by `&&`, each a
 * location (a number, then `&`, `<<`, `>>` or `@` and a number, up to ten numbers), `=`, and up to ten values or
 * ranges (`a:b`) joined by `,`; at most ten tests. Numbers are read as C's strtoul reads them with base 0 (a sign,
 * 0x hexadecimal, a leading 0 octal), up to 32 bits. Blanks may stand between the parts. The kernel refuses a
 * shift by 32 or more. Each problem says where it is, as iptables does (the place of the character, from 0).
 */

/** The most numbers in a location, values in a test, and tests in an expression. */
const MAX = 10;
const MAX_U32 = 0xffffffff;

/** A number at `at` as strtoul reads it: its value and where it ends, or undefined when there is none or it is too large. */
function readNumber(s: string, at: number): { value: number; end: number } | undefined {
  let i = skipBlanks(s, at);
  let negative = false;
  if (s[i] === '+' || s[i] === '-') negative = s[i++] === '-';
  let digits: RegExpExecArray | null;
  let base = 10;
  if (/^0[xX][0-9a-fA-F]/.test(s.slice(i, i + 3))) {
    digits = /^[0-9a-fA-F]+/.exec(s.slice(i + 2));
    i += 2;
    base = 16;
  } else if (s[i] === '0') {
    digits = /^[0-7]+/.exec(s.slice(i));
    base = 8;
  } else digits = /^[0-9]+/.exec(s.slice(i));
  if (!digits) return undefined;
  const n = base === 10 ? Number(digits[0]) : parseInt(digits[0], base);
  // A minus sign wraps round, past what 32 bits hold (but for -0).
  if (n > MAX_U32 || (negative && n !== 0)) return undefined;
  return { value: n, end: i + digits[0].length };
}

function skipBlanks(s: string, at: number): number {
  while (s[at] === ' ' || s[at] === '\t') at++;
  return at;
}

/** What is wrong with a u32 expression, as a sentence; undefined when iptables and the kernel take it. */
export function u32Problem(s: string): string | undefined {
  let at = 0;
  for (let test = 1; ; test++) {
    if (test > MAX) return `at character ${at}: more than ${MAX} tests joined by "&&"`;
    // The location: numbers joined by operators.
    let numbers = 0;
    for (let op = ''; ; ) {
      const n = readNumber(s, at);
      if (!n) return `at character ${at}: a number (up to 32 bits) is missing or too large`;
      if ((op === '<<' || op === '>>') && n.value > 31) return `at character ${at}: a shift by ${n.value}, which the kernel refuses (at most 31)`;
      if (++numbers > MAX) return `at character ${at}: more than ${MAX} numbers in one location`;
      at = skipBlanks(s, n.end);
      if (s[at] === '=') break;
      op = s.startsWith('<<', at) || s.startsWith('>>', at) ? s.slice(at, at + 2) : s[at] === '&' || s[at] === '@' ? s[at] : '';
      if (!op) return `at character ${at}: an operator (&, <<, >> or @) or = is expected`;
      at += op.length;
    }
    at++;
    // The values: numbers or ranges joined by commas.
    for (let values = 1; ; values++) {
      if (values > MAX) return `at character ${at}: more than ${MAX} values in one test`;
      const from = readNumber(s, at);
      if (!from) return `at character ${at}: a number (up to 32 bits) is missing or too large`;
      at = skipBlanks(s, from.end);
      if (s[at] === ':') {
        const to = readNumber(s, at + 1);
        if (!to) return `at character ${at + 1}: a number (up to 32 bits) is missing or too large`;
        at = skipBlanks(s, to.end);
      }
      if (s[at] !== ',') break;
      at++;
    }
    if (at >= s.length) return undefined;
    if (!s.startsWith('&&', at)) return `at character ${at}: "," or "&&" is expected`;
    at += 2;
  }
}
