/**
 * The bpf match's bytecode against the real iptables and kernel: programs made at random from classic BPF
 * instructions (codes the kernel knows and some it does not, jumps inside and past the program, memory cells read
 * before and after they are written, ancillary loads, with and without a final return), and written the ways
 * people paste them (a wrong count, a comma at the end, blanks, a missing number, hexadecimal). The linter must
 * refuse exactly what iptables or the kernel refuses. Needs root; with CI=true it must run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requirement } from '../helpers/env';
import { BACKEND } from '../helpers/lint';
import { kernelUnavailable } from './oracle';
import { Case, disagreements, kernelVerdicts } from './verdicts';
import { mulberry } from '../../server/src/engine/trace/confirm';

const why = kernelUnavailable();
const skip = requirement(!why, `BPF programs cannot be checked against the kernel: ${why}`);

function programs(count: number, seed: number): string[] {
  const rnd = mulberry(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  // Loads, stores, arithmetic, jumps; then codes no classic BPF instruction has.
  const CODES = [0x00, 0x20, 0x28, 0x30, 0x40, 0x50, 0x60, 0x80, 0x01, 0x61, 0x81, 0xb1, 0x02, 0x03, 0x07, 0x87, 0x04, 0x0c, 0x34, 0x3c, 0x94, 0x64, 0x74, 0x84, 0x54, 0xa4, 0x05, 0x15, 0x1d, 0x25, 0x35, 0x45, 0x4d, 0x06, 0x16];
  const ODD_CODES = [0x08, 0x17, 0x99, 0xff, 0x100, 0x36];
  const K = ['0', '1', '2', '9', '12', '15', '16', '23', '31', '32', '65535', String(0xfffff000), String(0xfffff000 + 4), String(0xfffff000 + 60), String(0xfffff000 + 64), String(0xfffff000 + 2), '4294967295'];
  const instruction = (last: boolean) => {
    const code = last && chance(0.85) ? pick([0x06, 0x16]) : chance(0.06) ? pick(ODD_CODES) : pick(CODES);
    return [code, Math.floor(rnd() * 4), Math.floor(rnd() * 4), pick(K)].map(String);
  };
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(rnd() * 6);
    const ins = Array.from({ length: n }, (_, i) => instruction(i === n - 1));
    let count = String(n);
    let sep = ',';
    // The ways a pasted program goes wrong, or is written otherwise and still read.
    const slip = chance(0.35) ? Math.floor(rnd() * 9) : -1;
    if (slip === 0) count = String(n + pick([-1, 1]));
    if (slip === 1) ins[Math.floor(rnd() * n)].pop();
    if (slip === 2) ins[0][0] = `0x${Number(ins[0][0]).toString(16)}`;
    if (slip === 3) ins[Math.floor(rnd() * n)][3] = pick(['-1', '+4', '4294967296', '18446744073709551616']);
    if (slip === 4) sep = ', ';
    if (slip === 5) count = `${count} `;
    if (slip === 6) ins[Math.floor(rnd() * n)][1] = pick(['256', '257', '-1']);
    const body = ins.map((x) => x.join(slip === 7 ? '  ' : ' ')).join(sep);
    return `${count},${body}${slip === 8 ? pick([',', ';', ' 7', ',,']) : ''}`;
  });
}

test(`kernel (iptables-${BACKEND}): BPF programs made at random: the linter refuses what iptables and the kernel refuse`, { skip, timeout: 300000 }, () => {
  const all: Case[] = programs(400, 20261129).map((p) => ({ family: 4, module: 'match bpf', rule: `-A INPUT -m bpf --bytecode "${p}" -j ACCEPT` }));
  const verdicts = kernelVerdicts(all, '', true);
  const wrong = disagreements(all, verdicts);
  const refused = verdicts.filter((v) => v === false).length;
  assert.ok(refused > 100 && refused < 350, `the programs should be taken and refused in good numbers: ${refused} of ${all.length} refused`);
  assert.deepEqual(wrong, []);
});
