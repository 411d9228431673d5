/**
 * The slips people make in a command's words, each said as one finding that names it (with the word meant as its
 * fix) instead of the errors iptables gives for the words it leaves (`Bad argument`, `unknown option`): free text or
 * a value with a blank inside, a list split after a comma, an option's name cut in two or in the wrong case, a long
 * option with one dash, a command's name pasted into a rules file. Each reads on as the command meant, so that the
 * rest of the rule is checked. Called by the command parser where a word is already an error, never on its way.
 */
import { CommandSpec, findCommand, GENERIC_OPTIONS, OptionSpec } from '../kb';
import { ValueKind } from '../kb/values';
import { Token } from '../lexer';
import { Range } from '../types';
import type { CommandContext } from './command';
import { looksLikeOption } from './words';

/** What the slip readers need of the command parser reading the words. */
export interface SlipHost {
  readonly tokens: Token[];
  /** The place of the next word. */
  i: number;
  readonly ctx: CommandContext;
  readonly valueCtx: { family: 4 | 6 };
  readonly cmd: { readonly spec: CommandSpec | undefined; readonly commandToken: Token };
  /** A `!` read and not yet given to an option. */
  pendingNeg: Token | undefined;
  next(): Token | undefined;
  fail(code: string, range: Range, message: string, data?: Record<string, unknown>): void;
  resolve(word: string): { spec: OptionSpec } | undefined;
  readOption(word: Token): void;
  readCommand(t: Token, spec: CommandSpec): void;
}

/**
 * `--ctstate NEW, ESTABLISHED`, `-s 10.0.0.0/8, 192.168.0.0/16`: a space after a list's comma makes two words.
 * iptables reads the first as the whole list (ending in an empty item, which it refuses) and the second as a stray
 * word. One finding over both, with the space to take out; the value is not checked further.
 */
export function splitList(p: SlipHost, a: Token): boolean {
  const n = p.next();
  if (a.dynamic || a.value.length < 2 || !a.value.endsWith(',') || !n || n.dynamic || looksLikeOption(n) || n.value === '!' || n.line !== a.endLine) return false;
  p.i++;
  p.fail('syntax', { start: a.range.start, end: n.range.end },
    `A space after the comma makes two words of the list '${a.raw} ${n.raw}': iptables reads '${a.raw}' alone (its last item empty) and refuses it. Write '${a.raw}${n.raw}'.`,
    { join: { start: a.range.end, end: n.range.start } });
  return true;
}

/**
 * `-- dport 22`, `--d port 22`, `- j ACCEPT`: an option's name with a blank inside. iptables reads two words (`--`
 * ends its options) and refuses them. Said as one finding, and read as the option meant.
 */
export function blankInName(p: SlipHost, t: Token, neg: Token | undefined): boolean {
  const n = p.next();
  if (!n || n.dynamic || n.quoted || t.quoted || n.line !== t.endLine || looksLikeOption(n) || n.value === '!') return false;
  const joined = `${t.value}${n.value}`;
  const spec = p.resolve(joined)?.spec;
  if (!spec || (spec.short !== joined && !spec.names.includes(joined))) return false;
  p.i++;
  p.fail('syntax', { start: t.range.start, end: n.range.end },
    `'${t.raw} ${n.raw}' is one option written with a blank: iptables reads '${t.raw}'${t.value === '--' ? ' (the end of its options)' : ''} and '${n.raw}' as words of their own, and refuses them. Write '${joined}'.`,
    { rejoin: { range: { start: t.range.start, end: n.range.end }, text: joined } });
  p.pendingNeg = neg;
  p.readOption(new Token(joined, joined, t.line, t.start, n.endLine, n.end));
  return true;
}

/** `-dport 22`: a long option written with one dash. Said so, and read as the option meant. */
export function oneDash(p: SlipHost, t: Token, neg: Token | undefined): boolean {
  const w = t.value;
  if (!/^-[a-z][a-z0-9-]+$/.test(w) || !p.resolve(`-${w}`)) return false;
  p.fail('unknown-option', t.range, `'${w}' has one dash, and iptables reads it as -${w[1]} followed by '${w.slice(2)}'. Did you mean '-${w}'?`, { suggestions: [`-${w}`] });
  p.pendingNeg = neg;
  p.readOption(t.part(`-${w}`, t.raw, 0, t.end - t.start));
  return true;
}

/**
 * A value written with a blank inside (`--to-destination 10.0.0.2 8080`, `-s 192.168.1.0 /24`,
 * `--src-range 10.0.0.1 - 10.0.0.5`): iptables takes the first word as the value and refuses the next. Said as one
 * finding, with the value joined, where the joined value is one the option takes.
 */
export function blankInValue(p: SlipHost, t: Token, prev: Token, kind: ValueKind, option: string): boolean {
  if (t.dynamic || t.quoted || prev.quoted) return false;
  const after = p.next();
  // A port after a NAT target's address is its port; any other join needs a separator at the blank.
  const joins: Array<[string, Token]> = [[`${prev.raw}${t.raw}`, t]];
  if (kind.name === 'nat-target' && /^\d+(-\d+)?$/.test(t.raw)) joins.push([`${prev.raw}:${t.raw}`, t]);
  if (/^[-:/,]$/.test(t.raw) && after && !after.dynamic && !looksLikeOption(after)) joins.unshift([`${prev.raw}${t.raw}${after.raw}`, after]);
  // The blank stood beside a separator (`10.0.0.1 -`, `1000: 2000`, `192.168.1.0 /24`), or is a NAT target's `:`.
  const atBlank = (text: string) => /[-:/,]$|^[-:/,]/.test(text.slice(prev.raw.length - 1, prev.raw.length + 1));
  const found = joins.find(([text, last]) => last.line === prev.endLine && atBlank(text) && kind.validate(text, p.valueCtx) === undefined);
  if (!found) return false;
  const [text, last] = found;
  if (last !== t) p.i++;
  const words = p.tokens.slice(p.tokens.indexOf(prev), p.i).map((x) => x.raw).join(' ');
  p.fail('syntax', { start: t.range.start, end: last.range.end },
    `'${words}' is one value written with a blank: iptables takes '${prev.raw}' as the value of ${option} and refuses '${t.raw}' ("Bad argument"). Write '${text}'.`,
    { rejoin: { range: { start: prev.range.start, end: last.range.end }, text } });
  return true;
}

/**
 * A one-letter option in the other case (`-J ACCEPT`, `-a INPUT`, `-A INPUT -I eth0`, `-P tcp` after -A): iptables
 * knows only the one it names (an unknown option, or a second command), and the rule means the other. One finding
 * with the letter to write, and the rest of the rule read with that letter.
 */
export function caseSlip(p: SlipHost, t: Token, command: CommandSpec | undefined): boolean {
  const w = t.value;
  const other = w === w.toLowerCase() ? w.toUpperCase() : w.toLowerCase();
  if (other === w) return false;
  const otherCommand = findCommand(other);
  const otherOption = otherCommand ? undefined : GENERIC_OPTIONS.find((o) => o.short === other);
  // A command is a slip only where the line has a rule's command already (and the other letter is an option); a letter
  // iptables does not know, where the other is known (a command only while the line has none).
  if (command) {
    if (!p.cmd.spec?.ruleSpec || !otherOption) return false;
  } else if (!(otherOption || (otherCommand && !p.cmd.spec)) || p.resolve(w)) return false;
  const meant = otherCommand ? `the command ${other} (${otherCommand.long})` : `${other} (${otherOption!.names[0]})`;
  const known = command ? `${w} is a command (${command.long}), and this line has ${p.cmd.commandToken.raw} already` : `iptables has no option ${w}`;
  p.fail(command ? 'syntax' : 'unknown-option', t.range, `Options are case-sensitive: ${known}. Did you mean ${meant}?`, { suggestions: [other] });
  const as = t.part(other, other, 0, t.end - t.start);
  if (otherCommand) p.readCommand(as, otherCommand);
  else p.readOption(as);
  return true;
}

/**
 * `--comment web server`: free text with a space, unquoted. The shell (or iptables-restore) splits it, and iptables
 * refuses the words after the first ("Bad argument"). One finding for all of them.
 */
export function unquotedText(p: SlipHost, t: Token, value: Token, option: string): void {
  let last = t;
  while (p.next() && !looksLikeOption(p.next()!) && p.next()!.value !== '!' && !p.next()!.dynamic && !p.next()!.raw.startsWith('#')) last = p.tokens[p.i++];
  const words = p.tokens.slice(p.tokens.indexOf(t), p.i).map((x) => x.raw).join(' ');
  const whole = { start: value.range.start, end: last.range.end };
  const quotable = whole.start.line === whole.end.line && !/["'\\]/.test(`${value.raw} ${words}`);
  p.fail('syntax', { start: t.range.start, end: last.range.end },
    `${option} takes one word: '${words}' after '${value.raw}' is read as more words of the rule, and iptables refuses them ("Bad argument '${t.raw}'"). Quote the whole text: ${option} "${value.raw} ${words}".`,
    quotable ? { quote: whole } : undefined);
}

/** `iptables -A INPUT ...` pasted into a rules file, whose lines are what follows the command's name. */
export function pastedCommand(p: SlipHost, t: Token): void {
  let last = t;
  if (t.value === 'sudo' && p.next() && /^(\S*\/)?ip6?tables(-legacy|-nft)?$/.test(p.next()!.value)) last = p.tokens[p.i++];
  const words = t === last ? t.raw : `${t.raw} ${last.raw}`;
  p.fail('syntax', { start: t.range.start, end: last.range.end },
    `A rules file holds what follows the command's name: iptables-restore reads '-A INPUT ...', not '${words} -A INPUT ...', and refuses the line ("Bad argument '${t.raw}'"). Remove '${words}'.`,
    { pasted: { start: t.range.start, end: p.next()?.range.start ?? last.range.end } });
}
