/**
 * The bpf match's bytecode (`-m bpf --bytecode`), as iptables reads it and as the kernel checks the program.
 *
 * iptables reads `N,code jt jf k,code jt jf k,...` (what `nfbpf_compile` or `tcpdump -ddd` prints, with the lines
 * joined by commas): N, a decimal number followed at once by a comma, is how many instructions follow (1 to 64);
 * each instruction is four decimal numbers with optional blanks between them, read as C's sscanf reads them (a sign
 * allowed, anything after the fourth ignored, each number kept in the bits its field has: 16, 8, 8 and 32). A comma
 * at the very end is allowed; N must equal the number of instructions.
 *
 * The kernel then checks the program as it checks every classic BPF filter: each instruction's code must be one it
 * knows, jumps must land inside the program, a division or remainder by the constant 0 and a shift by 32 or more are
 * refused, the scratch memory has 16 cells (and a cell must be written before it is read, on every path), an
 * ancillary load (an offset from 0xfffff000 on) must name a field the kernel has, and the last instruction must return.
 */

/** One instruction, with each field already cut to its width. */
export interface BpfInstruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

/** The most instructions the bpf match holds (XT_BPF_MAX_NUM_INSTR). */
export const BPF_MAX_INSTRUCTIONS = 64;
/** Cells of scratch memory (BPF_MEMWORDS). */
const MEMORY_CELLS = 16;
/** Where the ancillary fields start (SKF_AD_OFF, -0x1000 as an unsigned 32-bit number) and how many the kernel has. */
const ANCILLARY = 0xfffff000;
const ANCILLARY_FIELDS = ['protocol', 'pkttype', 'ifindex', 'nlattr', 'nlattr_nest', 'mark', 'queue', 'hatype', 'rxhash', 'cpu', 'alu_xor_x', 'vlan_tci', 'vlan_avail', 'pay_offset', 'random', 'vlan_tpid'];

const LD_ABS = new Set([0x20, 0x28, 0x30]);
const MEMORY = new Set([0x60, 0x61, 0x02, 0x03]);
const CONDITIONAL = new Set([0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d]);
const ALU_NAMES = ['add', 'sub', 'mul', 'div', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'xor'];
const JUMP_NAMES = ['ja', 'jeq', 'jgt', 'jge', 'jset'];

/** Every code the kernel takes (its table of allowed classic BPF instructions). */
const KNOWN_CODES = new Set([
  // 32-bit arithmetic on A, with the constant k or X: add sub mul div or and lsh rsh mod xor; and neg.
  ...[0x04, 0x14, 0x24, 0x34, 0x44, 0x54, 0x64, 0x74, 0x94, 0xa4].flatMap((c) => [c, c | 0x08]),
  0x84,
  // Loads into A: a word, half-word or byte at an absolute or X-relative offset; the constant; memory; the length.
  0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x00, 0x60, 0x80,
  // Loads into X: the length, the IP header length (4*([k]&0xf)), the constant, memory.
  0x81, 0xb1, 0x01, 0x61,
  // Stores of A and X; tax, txa; return k or A.
  0x02, 0x03, 0x07, 0x87, 0x06, 0x16,
  // Jumps: always, and on =, >, >= and & with k or X.
  0x05, ...CONDITIONAL,
]);

/** A number as sscanf's %u family reads it at `at`: blanks, a sign, decimal digits; its value kept in `bits` bits. */
function readNumber(s: string, at: number, bits: number): { value: number; end: number } | undefined {
  while (s[at] === ' ' || s[at] === '\t' || s[at] === '\n' || s[at] === '\r' || s[at] === '\v' || s[at] === '\f') at++;
  let negative = false;
  if (s[at] === '+' || s[at] === '-') negative = s[at++] === '-';
  const start = at;
  while (s[at] >= '0' && s[at] <= '9') at++;
  if (at === start) return undefined;
  const ULONG_MAX = (1n << 64n) - 1n;
  let n = BigInt(s.slice(start, at));
  if (n > ULONG_MAX) n = ULONG_MAX;
  else if (negative) n = (ULONG_MAX + 1n - n) & ULONG_MAX;
  return { value: Number(n & ((1n << BigInt(bits)) - 1n)), end: at };
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** The instructions of a bytecode, or what iptables says is wrong with it (its own message in quotes). */
export function readBytecode(s: string): BpfInstruction[] | { problem: string } {
  const n = readNumber(s, 0, 16);
  if (!n || s[n.end] !== ',') return { problem: 'it does not begin with the number of instructions and a comma ("bpf: error parsing program length")' };
  if (n.value > BPF_MAX_INSTRUCTIONS) return { problem: `it says it has ${n.value} instructions: the match holds at most ${BPF_MAX_INSTRUCTIONS} ("bpf: number of instructions exceeds maximum")` };
  if (n.value === 0) return { problem: 'it says it has no instructions ("bpf: illegal zero length program")' };
  const program: BpfInstruction[] = [];
  for (let comma = n.end; comma !== -1 && comma + 1 < s.length; comma = s.indexOf(',', comma + 1)) {
    const i = program.length;
    if (i >= n.value) return { problem: `it says it has ${counted(n.value, 'instruction')} and has more ("bpf: real program length exceeds the encoded length parameter")` };
    const code = readNumber(s, comma + 1, 16);
    const jt = code && readNumber(s, code.end, 8);
    const jf = jt && readNumber(s, jt.end, 8);
    const k = jf && readNumber(s, jf.end, 32);
    if (!k) return { problem: `its ${ordinal(i + 1)} instruction is not four numbers (code jt jf k) ("bpf: error at instr ${i}")` };
    program.push({ code: code!.value, jt: jt!.value, jf: jf!.value, k: k.value });
  }
  if (program.length < n.value) return { problem: `it says it has ${counted(n.value, 'instruction')} and has ${program.length} ("bpf: parsed program length is less than the encoded length parameter")` };
  return program;
}

/** What the kernel refuses in a program (as its check of classic BPF filters does), or undefined. */
export function kernelProblem(program: readonly BpfInstruction[]): string | undefined {
  const len = program.length;
  for (let pc = 0; pc < len; pc++) {
    const { code, jt, jf, k } = program[pc];
    const which = `its ${ordinal(pc + 1)} instruction`;
    if (!KNOWN_CODES.has(code)) return `${which} has the code ${code} (0x${code.toString(16)}), which is no classic BPF instruction`;
    if ((code === 0x34 || code === 0x94) && k === 0) return `${which} divides by the constant 0`;
    if ((code === 0x64 || code === 0x74) && k >= 32) return `${which} shifts by ${k} (at most 31)`;
    if (MEMORY.has(code) && k >= MEMORY_CELLS) return `${which} names memory cell ${k} (there are ${MEMORY_CELLS}, from 0)`;
    if (code === 0x05 && k >= len - pc - 1) return `${which} jumps past the last instruction`;
    if (CONDITIONAL.has(code) && (pc + jt + 1 >= len || pc + jf + 1 >= len)) return `${which} jumps past the last instruction`;
    if (LD_ABS.has(code) && k >= ANCILLARY && ancillaryField(k) === undefined) return `${which} loads an ancillary field (offset 0x${k.toString(16)}) the kernel does not have`;
  }
  const last = program[len - 1].code;
  if (last !== 0x06 && last !== 0x16) return 'its last instruction does not return (ret)';
  return memoryProblem(program);
}

/** A memory cell read before some path to the read has written it (the kernel follows every jump). */
function memoryProblem(program: readonly BpfInstruction[]): string | undefined {
  const ALL = 0xffff;
  const valid = new Array<number>(program.length).fill(ALL);
  let written = 0;
  for (let pc = 0; pc < program.length; pc++) {
    written &= valid[pc];
    const { code, jt, jf, k } = program[pc];
    if (code === 0x02 || code === 0x03) written |= 1 << k;
    else if ((code === 0x60 || code === 0x61) && !(written & (1 << k))) return `its ${ordinal(pc + 1)} instruction reads memory cell ${k}, which may not have been written yet`;
    else if (code === 0x05) {
      valid[pc + 1 + k] &= written;
      written = ALL;
    } else if (CONDITIONAL.has(code)) {
      valid[pc + 1 + jt] &= written;
      valid[pc + 1 + jf] &= written;
      written = ALL;
    }
  }
  return undefined;
}

/** What is wrong with a bytecode, as a sentence that says who refuses it; undefined when both take it. */
export function bytecodeProblem(s: string): string | undefined {
  const program = readBytecode(s);
  if (!Array.isArray(program)) return `iptables refuses the BPF program: ${program.problem}`;
  const problem = kernelProblem(program);
  return problem && `The kernel refuses the BPF program: ${problem} (iptables says "Invalid argument")`;
}

/** The ancillary field an absolute load's offset names (the packet's protocol, mark, ...), if it names one. */
function ancillaryField(k: number): string | undefined {
  return k >= ANCILLARY && (k - ANCILLARY) % 4 === 0 ? ANCILLARY_FIELDS[(k - ANCILLARY) / 4] : undefined;
}

function ordinal(n: number): string {
  const words = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
  if (n <= words.length) return words[n - 1];
  const s = n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th';
  return `${n}${s}`;
}

/** One instruction in the assembler's notation (as bpf_asm and tcpdump -d write it); `pc` numbers the jumps' targets. */
export function disassemble(ins: BpfInstruction, pc: number): string {
  const { code, jt, jf, k } = ins;
  const hex = `#0x${k.toString(16)}`;
  const operand = code & 0x08 ? 'x' : hex;
  const at = (offset: number) => (LD_ABS.has(code) ? ancillaryField(offset) : undefined) ?? `[${offset}]`;
  switch (code) {
    case 0x00: return `ld ${hex}`;
    case 0x20: return `ld ${at(k)}`;
    case 0x28: return `ldh ${at(k)}`;
    case 0x30: return `ldb ${at(k)}`;
    case 0x40: return `ld [x + ${k}]`;
    case 0x48: return `ldh [x + ${k}]`;
    case 0x50: return `ldb [x + ${k}]`;
    case 0x60: return `ld M[${k}]`;
    case 0x80: return 'ld #len';
    case 0x01: return `ldx ${hex}`;
    case 0x61: return `ldx M[${k}]`;
    case 0x81: return 'ldx #len';
    case 0xb1: return `ldxb 4*([${k}]&0xf)`;
    case 0x02: return `st M[${k}]`;
    case 0x03: return `stx M[${k}]`;
    case 0x07: return 'tax';
    case 0x87: return 'txa';
    case 0x06: return `ret #${k}`;
    case 0x16: return 'ret a';
    case 0x84: return 'neg';
    case 0x05: return `ja ${pc + 1 + k}`;
  }
  if ((code & 0x07) === 0x04 && KNOWN_CODES.has(code)) return `${ALU_NAMES[code >> 4]} ${operand}`;
  if ((code & 0x07) === 0x05 && KNOWN_CODES.has(code)) return `${JUMP_NAMES[code >> 4]} ${operand}, ${pc + 1 + jt}, ${pc + 1 + jf}`;
  return `(code ${code})`;
}
