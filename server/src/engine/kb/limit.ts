/**
 * What the kernel makes of a `-m limit` (and `-m hashlimit`) rate and burst. libxt_limit stores the rate as the
 * time between packets, in ten-thousandths of a second; the kernel turns that, times the burst, into credits in
 * 32-bit arithmetic, and refuses the rule ("Numerical result out of range") when the product overflows, which a
 * slow rate with a burst of a few does (1/day with the default burst of 5). The credits depend on the kernel's
 * timer frequency (HZ).
 */
const SCALE = 10000;
const UNITS: Array<[string, number]> = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]];

/**
 * A rate as libxt_limit reads it: the number at the start (atoi), what follows the number before a `/`, and the unit
 * after the `/` (absent: per second).
 */
export const RATE = /^[ \t]*\+?(\d+)([^/]*)(?:\/(.*))?$/;

/** The seconds of a unit written as the beginning of one, in any case (`s`, `min`, `HOUR`); undefined for another word. */
export function unitSeconds(unit: string): number | undefined {
  const u = unit.toLowerCase();
  return u === '' ? undefined : UNITS.find(([name]) => name.startsWith(u))?.[1];
}
/** Timer frequencies kernels are built with. */
const HZS = [100, 250, 300, 1000];
const U32 = 2n ** 32n;

/** The time between packets a rate stands for, as libxt_limit stores it; undefined when it cannot be read. */
export function limitAverage(rate: string): number | undefined {
  const parts = rateParts(rate);
  return parts && Math.floor((SCALE * parts.seconds) / Number(parts.count));
}

/** A rate's count of packets (not 0) and the seconds they are spread over; undefined when it cannot be read. */
function rateParts(rate: string): { count: bigint; seconds: number } | undefined {
  const m = RATE.exec(rate);
  if (!m || BigInt(m[1]) === 0n) return undefined;
  const seconds = m[3] === undefined ? 1 : unitSeconds(m[3]);
  return seconds === undefined ? undefined : { count: BigInt(m[1]), seconds };
}

/**
 * Distributions build their kernels with a timer of 250 Hz (Debian, Ubuntu) or 1000 Hz (Fedora, RHEL, Arch): a
 * limit is said to be refused when both of them refuse it.
 */
export function refusedByCommonKernels(refusedAt: number[]): boolean {
  return refusedAt.includes(250) && refusedAt.includes(1000);
}

/** The credits the kernel makes of `user` (ten-thousandths of a second) at a timer frequency, in 32-bit arithmetic. */
function credits(user: number, hz: number): bigint {
  const cpj = 2 ** Math.floor(Math.log2(Math.floor(0xffffffff / (hz * 86400))));
  if (user > Math.floor(0xffffffff / (hz * cpj))) return (BigInt(Math.floor(user / SCALE)) * BigInt(hz * cpj)) % U32;
  return BigInt(Math.floor((user * hz * cpj) / SCALE));
}

/** The timer frequencies at which the kernel refuses a limit with this average and burst (none: it takes it). */
export function limitRefusedAt(avg: number, burst: number): number[] {
  const product = Number((BigInt(avg) * BigInt(burst)) % U32);
  return HZS.filter((hz) => burst === 0 || credits(product, hz) < credits(avg, hz));
}

/**
 * `-m hashlimit` counts in 64 bits, from the time between packets in millionths of a second: the kernel multiplies
 * that, times the burst, by a constant of the timer frequency, and refuses the rule ("Numerical result out of
 * range") when the product wraps round below the cost of one packet (1/day with the default burst of 5 does).
 */
const HASHLIMIT_SCALE = 1000000n;
const U64 = 2n ** 64n;

/** The time between packets a packet rate stands for, as libxt_hashlimit stores it; undefined when it cannot be read. */
export function hashlimitAverage(rate: string): bigint | undefined {
  const parts = rateParts(rate);
  return parts && (HASHLIMIT_SCALE * BigInt(parts.seconds)) / parts.count;
}

/** The largest power of two at or below `x`. */
function powerOfTwoBelow(x: bigint): bigint {
  let p = 1n;
  while (p * 2n <= x) p *= 2n;
  return p;
}

/** The credits the kernel makes of `user` (millionths of a second) at a timer frequency, in 64-bit arithmetic. */
function hashlimitCredits(user: bigint, hz: number): bigint {
  const perJiffy = powerOfTwoBelow((U64 - 1n) / BigInt(hz * 86400)) * BigInt(hz);
  if (HASHLIMIT_SCALE >= perJiffy) return user / (HASHLIMIT_SCALE / perJiffy);
  return (user * (perJiffy / HASHLIMIT_SCALE)) % U64;
}

/** The timer frequencies at which the kernel refuses a hashlimit with this average and burst (none: it takes it). */
export function hashlimitRefusedAt(avg: bigint, burst: number): number[] {
  const product = (avg * BigInt(burst)) % U64;
  return HZS.filter((hz) => burst === 0 || hashlimitCredits(product, hz) < hashlimitCredits(avg, hz));
}
