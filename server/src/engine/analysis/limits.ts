/**
 * How much work the packet-space analysis may do. Past a limit it stops claiming (a rule is not called dead, a
 * chain's decision is not recorded), never stops being right: the property tests run the analysis with every limit
 * tiny to hold it to that.
 */
export interface AnalysisLimits {
  /** Decisions one user chain may record, and pieces one of its rules may fall into (AnalysisModel.decisions). */
  decisions: number;
  /** Earlier decisions one rule may be compared with (dead rules). */
  candidates: number;
  /** Index entries one chain's dead-rule check may look at in all. */
  chainWork: number;
  /** Subtractions one test of a box against the union of others may make (Space.covered). */
  cover: number;
  /**
   * Following packets down a chain (SSH lockout): what is left of them is cut down by each rule while it is at most
   * this many boxes of at most `followIntervals` intervals per dimension.
   */
  followPieces: number;
  followIntervals: number;
}

export const DEFAULT_LIMITS: Readonly<AnalysisLimits> = Object.freeze({
  decisions: 200,
  candidates: 5000,
  chainWork: 4_000_000,
  cover: 20000,
  followPieces: 500,
  followIntervals: 64,
});
