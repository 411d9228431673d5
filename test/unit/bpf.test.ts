/** The bpf match's bytecode: read as iptables reads it, checked as the kernel checks it, shown as instructions on hover. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, filter } from '../helpers/lint';
import { disassemble, kernelProblem, readBytecode } from '../../server/src/engine/kb/bpf';
import { lint } from '../../server/src/engine/lint';
import { hover } from '../../server/src/features/hover';

/** Accept TCP: load the protocol byte, compare it with 6, return 1 or 0 (what nfbpf_compile prints for "ip proto 6"). */
const TCP = '4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0';
const msg = (bytecode: string) => diagnose(filter(`-A INPUT -m bpf --bytecode "${bytecode}" -j ACCEPT`)).find((d) => d.code === 'invalid-value')?.message;

test('bytecode is read as iptables reads it: the count, then four numbers an instruction, each cut to its field', () => {
  assert.deepEqual(readBytecode(TCP), [{ code: 48, jt: 0, jf: 0, k: 9 }, { code: 21, jt: 0, jf: 1, k: 6 }, { code: 6, jt: 0, jf: 0, k: 1 }, { code: 6, jt: 0, jf: 0, k: 0 }]);
  // A comma at the end, blanks, a sign, words after the fourth number: all read.
  assert.deepEqual(readBytecode('1, 6  0 0 +7 junk,'), [{ code: 6, jt: 0, jf: 0, k: 7 }]);
  // Numbers wrap round into their fields, as C stores them: 256 in a byte is 0, -1 in 32 bits is 0xffffffff.
  assert.deepEqual(readBytecode('1,6 256 -1 -1'), [{ code: 6, jt: 0, jf: 255, k: 0xffffffff }]);
  assert.deepEqual(readBytecode('1,6 0 0 18446744073709551616'), [{ code: 6, jt: 0, jf: 0, k: 0xffffffff }]);
});

test('a bytecode iptables refuses says why, with the message iptables prints', () => {
  assert.equal(msg(TCP), undefined);
  assert.match(msg('3,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0')!, /says it has 3 instructions and has more \("bpf: real program length exceeds/);
  assert.match(msg('5,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0')!, /says it has 5 instructions and has 4 \("bpf: parsed program length is less/);
  assert.match(msg('1,6 0 0')!, /^iptables refuses the BPF program: its first instruction is not four numbers .*"bpf: error at instr 0"/);
  assert.match(msg('2,6 0 0 0,,6 0 0 0')!, /its second instruction is not four numbers/);
  assert.match(msg('1,0x6 0 0 0')!, /first instruction is not four numbers/);
  assert.match(msg('1 ,6 0 0 0')!, /does not begin with the number of instructions and a comma/);
  assert.match(msg('')!, /does not begin with the number of instructions/);
  assert.match(msg('0,')!, /no instructions \("bpf: illegal zero length program"\)/);
  assert.match(msg('1,')!, /says it has 1 instruction and has 0/);
  assert.match(msg('65,6 0 0 0')!, /at most 64 \("bpf: number of instructions exceeds maximum"\)/);
});

test('a program the kernel refuses says which instruction and why', () => {
  const problem = (bytecode: string) => {
    const p = readBytecode(bytecode);
    assert.ok(Array.isArray(p), bytecode);
    return kernelProblem(p);
  };
  assert.equal(problem(TCP), undefined);
  assert.match(problem('1,48 0 0 9')!, /last instruction does not return/);
  assert.match(problem('2,21 0 1 6,6 0 0 0')!, /first instruction jumps past the last/);
  assert.match(problem('2,5 0 0 1,6 0 0 0')!, /first instruction jumps past the last/);
  assert.equal(problem('2,5 0 0 0,6 0 0 0'), undefined);
  assert.match(problem('2,52 0 0 0,6 0 0 0')!, /divides by the constant 0/);
  assert.match(problem('2,100 0 0 32,6 0 0 0')!, /shifts by 32/);
  assert.equal(problem('2,100 0 0 31,6 0 0 0'), undefined);
  assert.match(problem('2,2 0 0 16,6 0 0 0')!, /memory cell 16 \(there are 16, from 0\)/);
  assert.match(problem('2,153 0 0 0,6 0 0 0')!, /code 153 \(0x99\), which is no classic BPF instruction/);
  // Memory is read only once every path to the read has written it.
  assert.match(problem('2,96 0 0 1,6 0 0 0')!, /first instruction reads memory cell 1, which may not have been written/);
  assert.equal(problem('3,2 0 0 1,96 0 0 1,22 0 0 0'), undefined);
  assert.match(problem('4,21 0 1 6,2 0 0 1,96 0 0 1,22 0 0 0')!, /third instruction reads memory cell 1/);
  // Ancillary loads: the packet's protocol (offset 0xfffff000) is known; an offset between two fields is not.
  assert.equal(problem(`2,40 0 0 ${0xfffff000},22 0 0 0`), undefined);
  assert.match(problem(`2,40 0 0 ${0xfffff002},22 0 0 0`)!, /ancillary field \(offset 0xfffff002\)/);
  assert.match(msg('1,48 0 0 9')!, /^The kernel refuses the BPF program: .*\(iptables says "Invalid argument"\)/);
});

test('hover shows the program as instructions, jumps by their targets', () => {
  const text = `*filter\n-A INPUT -m bpf --bytecode "${TCP}" -j ACCEPT\nCOMMIT\n`;
  const md = hover(lint(text), { line: 1, character: text.split('\n')[1].indexOf(TCP) + 3 })!.markdown;
  assert.match(md, /A BPF program of 4 instructions/);
  assert.match(md, / 0: ldb \[9\]\n 1: jeq #0x6, 2, 3\n 2: ret #1\n 3: ret #0/);
  assert.equal(disassemble({ code: 0x20, jt: 0, jf: 0, k: 0xfffff000 }, 0), 'ld protocol');
  assert.equal(disassemble({ code: 0x0c, jt: 0, jf: 0, k: 0 }, 0), 'add x');
  assert.equal(disassemble({ code: 0xb1, jt: 0, jf: 0, k: 14 }, 0), 'ldxb 4*([14]&0xf)');
});
