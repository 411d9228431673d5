/**
 * Which commands of a shell script the analysis follows. A script is read top to bottom, but not every command in it
 * runs: the arms of an if or case statement are alternatives (an init script's `start)` and `stop)`), and a function
 * body runs where the function is called, if it is. The analysis follows, in each statement, the arm that sets up
 * the most, and a function's body when some call to it is followed, at the place of that call (see runOrder); a
 * function nothing calls is followed where it stands when it may be called all the same (a script of functions that
 * another one calls, see uncalledRuns in script.ts). The commands it does not follow still get every
 * check of their own, but leave the chains as they are.
 */
import { Token } from '../lexer';
import { ArmRef, Command } from '../model';

/** An if, case or function being read: the arm at hand (-1: an if's condition, or a case's words before `in`). */
interface Statement {
  kind: 'if' | 'case' | 'function' | 'brace';
  id: number;
  arm: number;
  /** A case statement: reading its patterns, or an arm's commands. */
  reading?: 'patterns' | 'arm';
}

/** What a finished simple command is, as far as the statements are concerned. */
export interface Begun {
  /** The words of a case pattern (`start|restart)`), not a command. */
  pattern: boolean;
  /** Leading words that are a function's header (`function name {`), not the command. */
  skip: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** How many statements deep arms are told apart (deeper, a script is read top to bottom as written). */
const MAX_NESTING = 64;
/** Words that open or close compound commands without arms; read through. */
const THROUGH = new Set(['do', 'while', 'until', '!', 'done', 'then', 'else', 'elif']);

/**
 * Follows if, case and function statements through a script's simple commands, to say which arms each command
 * stands in. Keywords count at the start of a command only (`echo fi` ends nothing); loops have no arms and are read
 * through.
 */
export class ScriptStatements {
  private readonly open: Statement[] = [];
  /** The open statements whose arms are told (the outermost MAX_NESTING; deeper ones are read as written). */
  private readonly tracked: Statement[] = [];
  private next = 0;
  /** The function defined by each name (the last definition), by statement id. */
  readonly functions = new Map<string, number>();
  /** The name's word in the first definition of each function (a call above it finds no such command). */
  readonly firstDefined = new Map<string, Token>();
  /** The kind of each statement, by id. */
  readonly kinds = new Map<number, Statement['kind']>();
  /** A function's name, once `name` `(` `)` has been read and its `{` is awaited. */
  private header?: { name: Token; stage: 'open' | 'closed' };
  private lastWords: Token[] = [];

  private top(kind: Statement['kind']): Statement | undefined {
    const s = this.open[this.open.length - 1];
    return s?.kind === kind ? s : undefined;
  }

  private push(kind: Statement['kind'], arm: number): Statement {
    const s: Statement = { kind, id: this.next++, arm };
    this.open.push(s);
    this.kinds.set(s.id, kind);
    if (this.tracked.length < MAX_NESTING) this.tracked.push(s);
    return s;
  }

  private pop(): void {
    const s = this.open.pop();
    if (s && this.tracked[this.tracked.length - 1] === s) this.tracked.pop();
  }

  private openFunction(name: Token): void {
    this.functions.set(name.value, this.push('function', 0).id);
    if (!this.firstDefined.has(name.value)) this.firstDefined.set(name.value, name);
    this.header = undefined;
  }

  /** Takes in a finished simple command's leading keywords. */
  begin(words: Token[]): Begun {
    this.lastWords = words;
    const pending = this.header?.stage === 'closed' ? this.header.name : undefined;
    if (this.header?.stage === 'closed' && words[0]?.value !== '{') this.header = undefined;
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      if (w.quoted || w.dynamic) break;
      const v = w.value;
      const open = this.top('if');
      if (this.top('case')?.reading === 'patterns' && v !== 'esac') return { pattern: true, skip: 0 };
      if (v === 'if') this.push('if', -1);
      else if (v === 'then' && open) open.arm = Math.max(open.arm, 0);
      else if ((v === 'elif' || v === 'else') && open) open.arm++;
      else if (v === 'fi' && open) this.pop();
      else if (v === 'esac' && this.top('case')) this.pop();
      else if (v === 'case') {
        const c = this.push('case', -1);
        // The patterns start after `in` (the first may stand on the same line).
        if (words.slice(k + 1).some((x) => x.value === 'in' && !x.quoted)) c.reading = 'patterns';
        return { pattern: false, skip: 0 };
      } else if (v === 'function' && k === 0 && words[1] && NAME.test(words[1].value)) {
        // `function name {` (or `function name` then `()`, read by operator()).
        if (words[2]?.value === '{') {
          this.openFunction(words[1]);
          return { pattern: false, skip: 3 };
        }
        this.header = { name: words[1], stage: 'open' };
        return { pattern: false, skip: words.length };
      } else if (v === '{') {
        if (pending !== undefined && k === 0) this.openFunction(pending);
        else this.push('brace', -1);
      } else if (v === '}') {
        const s = this.open[this.open.length - 1];
        if (s?.kind === 'function' || s?.kind === 'brace') this.pop();
      } else if (!THROUGH.has(v)) break;
    }
    return { pattern: false, skip: 0 };
  }

  /**
   * An operator after a simple command: `)` ends a case pattern, `;;` an arm; `name ( )` is a function's header.
   * Returns true when the simple command just finished was the name of a function being defined (not a command).
   */
  operator(op: string): boolean {
    const c = this.top('case');
    const last = this.lastWords;
    this.lastWords = [];
    if (c && op === ')' && c.reading === 'patterns') {
      c.arm++;
      c.reading = 'arm';
      return false;
    }
    if (c && op === ';;' && c.reading === 'arm') {
      c.reading = 'patterns';
      return false;
    }
    if (op === '(' && last.length === 1 && !last[0].quoted && !last[0].dynamic && NAME.test(last[0].value)) {
      this.header = { name: last[0], stage: 'open' };
      return true;
    }
    if (op === ')' && this.header?.stage === 'open') this.header.stage = 'closed';
    // `function name ( )`: the name is known already; a newline may come before the `{`.
    else if (op !== '\n' && !(op === '(' && this.header?.stage === 'open')) this.header = undefined;
    return false;
  }

  /** Whether a command or call standing in these arms is in a function's body (it runs when the function does). */
  inFunction(arms: readonly ArmRef[] | undefined): boolean {
    return arms?.some((r) => this.kinds.get(r.statement) === 'function') ?? false;
  }

  /** The arms (and function bodies) the next command stands in, outermost first; a condition is in no arm of its own. */
  arms(): ArmRef[] {
    const out: ArmRef[] = [];
    for (const s of this.tracked) if (s.arm >= 0 && s.kind !== 'brace') out.push({ statement: s.id, arm: s.arm });
    // The commands of one arm share one list (none changes it): a script has thousands of commands, in few arms.
    const last = this.lastArms;
    if (out.length === last.length && out.every((r, k) => r.statement === last[k].statement && r.arm === last[k].arm)) return last;
    return (this.lastArms = out);
  }

  private lastArms: ArmRef[] = [];
}

/**
 * A call of a function the script defines: the function's statement, and the arms the call stands in; where it is
 * (its line, and how many of the script's commands come before it in the text).
 */
export interface FunctionCall {
  statement: number;
  arms: readonly ArmRef[];
  line: number;
  at: number;
  /** The call itself may run other than once (after `&&` or `||`, in a pipeline, a template's block or a loop). */
  unsure?: boolean;
}

/** What a command does to the chains: [added (rules, chains), taken away (flush, delete, open policy), commands]. */
type Score = [number, number, number];

function effect(c: Command): Score {
  const op = c.spec?.short ?? '';
  if (op === '-A' || op === '-I' || op === '-N' || op === '-R') return [1, 0, 1];
  if (op === '-F' || op === '-X' || op === '-D' || (op === '-P' && c.extra?.value === 'ACCEPT')) return [0, -1, 1];
  return [0, 0, 1];
}

function add(a: Score, b: Score): Score {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

/** More added first, then less taken away, then more commands. */
function better(a: Score, b: Score): boolean {
  for (let k = 0; k < 3; k++) if (a[k] !== b[k]) return a[k] > b[k];
  return false;
}

const key = (r: ArmRef) => `${r.statement}:${r.arm}`;

/** How deep calls of functions are followed (a script that nests deeper is read as written). */
const MAX_DEPTH = 200;

/**
 * Which arms the analysis follows (see the top of this file), as a test of a command's arms. In each if or case
 * statement it follows the arm that sets up the most: rules added and chains made (a call counts what the function does), then the least
 * taken away (flushes, deletions, ACCEPT policies), then the most iptables commands, then the first; or none of them
 * when running none sets up more (an `if` whose only arm flushes).
 */
export function followedArms(armsOf: ReadonlyMap<Command, readonly ArmRef[]>, calls: readonly FunctionCall[], kinds: ReadonlyMap<number, string>, uncalledRuns: (fn: number) => boolean = () => true): (path: readonly ArmRef[]) => boolean {
  // What each function does when called, its calls included (a call back into a function being worked out adds nothing).
  const direct = new Map<string, Score>();
  for (const [c, path] of armsOf) for (const r of path) direct.set(key(r), add(direct.get(key(r)) ?? [0, 0, 0], effect(c)));
  // The calls made inside each function's body, and the calls of each function.
  const inside = new Map<number, FunctionCall[]>();
  const callers = new Map<number, FunctionCall[]>();
  const put = (m: Map<number, FunctionCall[]>, k: number, c: FunctionCall) => (m.get(k) ?? m.set(k, []).get(k)!).push(c);
  for (const c of calls) {
    put(callers, c.statement, c);
    for (const r of c.arms) if (kinds.get(r.statement) === 'function') put(inside, r.statement, c);
  }
  const totals = new Map<number, Score>();
  const total = (fn: number, seen: Set<number>): Score => {
    const known = totals.get(fn);
    if (known) return known;
    if (seen.has(fn) || seen.size > MAX_DEPTH) return [0, 0, 0];
    seen.add(fn);
    let s = direct.get(`${fn}:0`) ?? [0, 0, 0];
    for (const c of inside.get(fn) ?? []) s = add(s, total(c.statement, seen));
    seen.delete(fn);
    totals.set(fn, s);
    return s;
  };
  const score = new Map(direct);
  for (const c of calls) for (const r of c.arms) score.set(key(r), add(score.get(key(r)) ?? [0, 0, 0], total(c.statement, new Set())));
  // Per if or case statement, the arm followed; -1 (no arm runs) to begin with.
  const chosen = new Map<number, { arm: number; s: Score }>();
  for (const [k, s] of score) {
    const [statement, arm] = k.split(':').map(Number);
    if (kinds.get(statement) === 'function') continue;
    const best = chosen.get(statement) ?? { arm: -1, s: [0, 0, 0] as Score };
    chosen.set(statement, better(s, best.s) || (!better(best.s, s) && best.arm >= 0 && arm < best.arm) ? { arm, s } : best);
  }
  // A function's body is followed when some call to it is followed, or when nothing calls it and it may run all the
  // same (`uncalledRuns`: a script of functions that another one calls).
  const followedFn = new Map<number, boolean>();
  const pathFollowed = (path: readonly ArmRef[], seen: Set<number>): boolean =>
    path.every((r) => (kinds.get(r.statement) === 'function' ? fnFollowed(r.statement, seen) : chosen.get(r.statement)?.arm === r.arm));
  const fnFollowed = (fn: number, seen: Set<number>): boolean => {
    const known = followedFn.get(fn);
    if (known !== undefined) return known;
    if (seen.has(fn)) return false;
    // Calls nested deeper than this are taken to run (as the script reads, top to bottom).
    if (seen.size > MAX_DEPTH) return true;
    seen.add(fn);
    const of = callers.get(fn) ?? [];
    const yes = of.length === 0 ? uncalledRuns(fn) : of.some((c) => pathFollowed(c.arms, seen));
    seen.delete(fn);
    followedFn.set(fn, yes);
    return yes;
  };
  return (path) => pathFollowed(path, new Set());
}

/**
 * The commands that may run other than once where the analysis applies them: those `local` names (after `&&` or
 * `||`, in a pipeline, a template's block, a loop not followed value by value), those in an arm of an if or case
 * statement, and those in a function that is not called exactly once from a place that runs once (a function whose
 * calls are followed as a loop, `looped`, counts its rules per call). How many rules a chain they add to or delete
 * from holds is then not known. Undefined when there are none.
 */
export function unsureCommands(local: ReadonlySet<Command>, armsOf: ReadonlyMap<Command, readonly ArmRef[]>, calls: readonly FunctionCall[], kinds: ReadonlyMap<number, string>, looped: (c: Command) => boolean): Set<Command> | undefined {
  const callers = new Map<number, FunctionCall[]>();
  for (const c of calls) (callers.get(c.statement) ?? callers.set(c.statement, []).get(c.statement)!).push(c);
  const once = new Map<number, boolean>();
  const pathOnce = (path: readonly ArmRef[], seen: Set<number>, skipFunctions: boolean): boolean =>
    path.every((r) => kinds.get(r.statement) === 'function' && (skipFunctions || calledOnce(r.statement, seen)));
  const calledOnce = (fn: number, seen: Set<number>): boolean => {
    const known = once.get(fn);
    if (known !== undefined) return known;
    if (seen.has(fn) || seen.size > MAX_DEPTH) return false;
    seen.add(fn);
    const of = callers.get(fn) ?? [];
    const yes = of.length === 1 && !of[0].unsure && pathOnce(of[0].arms, seen, false);
    seen.delete(fn);
    once.set(fn, yes);
    return yes;
  };
  const out = new Set(local);
  for (const [c, path] of armsOf) if (!out.has(c) && !pathOnce(path, new Set(), looped(c))) out.add(c);
  return out.size ? out : undefined;
}

/** The commands standing in arms (or functions) the analysis does not follow; undefined when there are none. */
export function notFollowed(armsOf: ReadonlyMap<Command, readonly ArmRef[]>, follows: (path: readonly ArmRef[]) => boolean): Set<Command> | undefined {
  const out = new Set<Command>();
  for (const [c, path] of armsOf) if (!follows(path)) out.add(c);
  return out.size ? out : undefined;
}

/**
 * The order in which a script runs its commands; for each moved command, the line it runs at (its call's) and the
 * arms it runs in there (those of the call, then its own inside the function).
 */
export interface RunOrder {
  order: Command[];
  line: ReadonlyMap<Command, number>;
  arms: ReadonlyMap<Command, readonly ArmRef[]>;
}

/** Where the innermost function a command or call stands in is among its arms; -1 at the top of the script. */
function innermostFunction(arms: readonly ArmRef[] | undefined, kinds: ReadonlyMap<number, string>): number {
  for (let k = (arms?.length ?? 0) - 1; k >= 0; k--) if (kinds.get(arms![k].statement) === 'function') return k;
  return -1;
}

type RunEvent = { command: Command } | { call: FunctionCall };

/**
 * The commands in the order the script runs them, when that is not the order of the text: a function's body runs
 * where the function is called (the first call the analysis follows), not where it is written, so that a flush
 * before the call does not take away what the function adds. A body no followed call reaches stays where it is
 * written. Undefined when no body runs from a call, or when it cannot be told (a function that only calls reach
 * from inside one another, or a here-document's restore file in a moved body, whose tables are placed by line).
 */
export function runOrder(commands: readonly Command[], armsOf: ReadonlyMap<Command, readonly ArmRef[]>, calls: readonly FunctionCall[], kinds: ReadonlyMap<number, string>, follows: (path: readonly ArmRef[]) => boolean, pinned: ReadonlySet<Command>): RunOrder | undefined {
  const placement = new Map<number, FunctionCall>();
  for (const c of calls) if (!placement.has(c.statement) && follows(c.arms)) placement.set(c.statement, c);
  if (!placement.size) return undefined;
  // Every command and call in the order of the text, each with the body it belongs to when that body moves.
  const top: RunEvent[] = [];
  const bodies = new Map<number, RunEvent[]>();
  /** The arms of a command or call inside the body it moves with (after that function's own). */
  const within = new Map<RunEvent, readonly ArmRef[]>();
  const put = (e: RunEvent, arms: readonly ArmRef[] | undefined) => {
    const k = innermostFunction(arms, kinds);
    const fn = k < 0 ? undefined : arms![k].statement;
    if (fn === undefined || !placement.has(fn)) {
      top.push(e);
      return;
    }
    within.set(e, arms!.slice(k + 1));
    (bodies.get(fn) ?? bodies.set(fn, []).get(fn)!).push(e);
  };
  let ci = 0;
  for (const call of calls) {
    for (; ci < call.at; ci++) put({ command: commands[ci] }, armsOf.get(commands[ci]));
    put({ call }, call.arms);
  }
  for (; ci < commands.length; ci++) put({ command: commands[ci] }, armsOf.get(commands[ci]));
  const order: Command[] = [];
  const line = new Map<Command, number>();
  const armsAt = new Map<Command, readonly ArmRef[]>();
  const inside = new Set<number>();
  /** `at` and `base`: the line of the outermost call the events run from, and the arms they run in (undefined: as written). */
  const emit = (events: readonly RunEvent[], at: number | undefined, base: readonly ArmRef[] | undefined): void => {
    for (const e of events) {
      const arms = base && [...base, ...within.get(e)!];
      if ('command' in e) {
        order.push(e.command);
        if (at !== undefined) line.set(e.command, at);
        if (arms) armsAt.set(e.command, arms);
        continue;
      }
      const fn = e.call.statement;
      if (placement.get(fn) !== e.call || inside.has(fn) || inside.size > MAX_DEPTH) continue;
      inside.add(fn);
      emit(bodies.get(fn) ?? [], at ?? e.call.line, arms ?? e.call.arms);
      inside.delete(fn);
    }
  };
  emit(top, undefined, undefined);
  if (order.length !== commands.length || [...line.keys()].some((c) => pinned.has(c))) return undefined;
  // A body that runs where it is written may still run at its call's line, in its call's arms.
  return line.size ? { order, line, arms: armsAt } : undefined;
}
