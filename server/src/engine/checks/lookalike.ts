/** Typographic characters that web pages and word processors put in place of the ASCII iptables needs. */
import { LineIndex } from '../lineIndex';
import { DiagnosticSink } from '../parse/diagnostics';
import { lineRange } from '../types';

interface Lookalike {
  name: string;
  replacement: string;
  /** Only a problem outside double quotes (inside a quoted comment it is just text). */
  outsideQuotesOnly: boolean;
}

export const LOOKALIKES: Record<string, Lookalike> = {
  '\u2013': { name: 'an en dash (U+2013)', replacement: '--', outsideQuotesOnly: true },
  '\u2014': { name: 'an em dash (U+2014)', replacement: '--', outsideQuotesOnly: true },
  '\u2212': { name: 'a minus sign (U+2212)', replacement: '-', outsideQuotesOnly: true },
  '\u2010': { name: 'a hyphen (U+2010)', replacement: '-', outsideQuotesOnly: true },
  '\u2011': { name: 'a non-breaking hyphen (U+2011)', replacement: '-', outsideQuotesOnly: true },
  '\u201C': { name: 'a curly opening quote (U+201C)', replacement: '"', outsideQuotesOnly: true },
  '\u201D': { name: 'a curly closing quote (U+201D)', replacement: '"', outsideQuotesOnly: true },
  '\u201E': { name: 'a low double quote (U+201E)', replacement: '"', outsideQuotesOnly: true },
  '\u2018': { name: 'a curly opening single quote (U+2018)', replacement: "'", outsideQuotesOnly: true },
  '\u2019': { name: 'a curly closing single quote (U+2019)', replacement: "'", outsideQuotesOnly: true },
  '\u00A0': { name: 'a non-breaking space (U+00A0)', replacement: ' ', outsideQuotesOnly: true },
  '\u2009': { name: 'a thin space (U+2009)', replacement: ' ', outsideQuotesOnly: true },
  '\u202F': { name: 'a narrow non-breaking space (U+202F)', replacement: ' ', outsideQuotesOnly: true },
  '\u200B': { name: 'a zero-width space (U+200B)', replacement: '', outsideQuotesOnly: false },
  '\uFEFF': { name: 'a byte-order mark (U+FEFF)', replacement: '', outsideQuotesOnly: false },
};

const RE = new RegExp(`[${Object.keys(LOOKALIKES).join('')}]`);

/** Reports look-alike characters on the given lines (those that hold iptables words). */
export function checkLookalikes(index: LineIndex, lines: Iterable<number>, sink: DiagnosticSink): void {
  for (const line of lines) checkLookalikeLine(index.lineText(line), line, sink);
}

/**
 * A byte-order mark that begins the file: its finding stands by itself (see rankLookalikes), as iptables-restore
 * refuses the file for it and the shell its first word, though no other finding on the line comes of it.
 */
export function reportByteOrderMark(sink: DiagnosticSink): void {
  checkLookalikeLine('\uFEFF', 0, sink);
  const mark = sink.items[sink.items.length - 1];
  mark.data = { ...mark.data, byItself: true };
}

/** Reports look-alike characters on one line of text. */
export function checkLookalikeLine(text: string, line: number, sink: DiagnosticSink): void {
  {
    if (!RE.test(text)) return;
    let inQuotes = false;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') inQuotes = !inQuotes;
      const l = LOOKALIKES[ch];
      if (!l || (inQuotes && l.outsideQuotesOnly)) continue;
      if (ch === '#' && !inQuotes) break;
      let end = i + 1;
      // A run of the same character (e.g. two en dashes) is one diagnostic.
      while (end < text.length && text[end] === ch) end++;
      const replacement = ch === '\u2013' || ch === '\u2014' ? dashReplacement(text, i, end) : l.replacement;
      const shown = replacement === '' ? 'nothing (delete it)' : l.replacement === ' ' ? 'a plain space' : `'${l.replacement}'`;
      sink.error('lookalike-character', lineRange(line, i, end),
        `This is ${l.name}, not ASCII: iptables does not read it as intended ("Bad argument"). It should be ${shown}.`,
        { replacement });
      i = end - 1;
    }
  }
}


/** An en/em dash stands for '--' before a long option, '-' before a one-letter option or inside a range. */
function dashReplacement(text: string, start: number, end: number): string {
  const atWordStart = start === 0 || text[start - 1] === ' ' || text[start - 1] === '\t';
  if (!atWordStart || end - start > 1) return '-'.repeat(atWordStart ? 2 : 1);
  const rest = text.slice(end);
  return /^[A-Za-z0-9](\s|$)/.test(rest) ? '-' : '--';
}
