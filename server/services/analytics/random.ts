// A seeded source of random draws for the learning loop: one 32-bit Mersenne Twister (@stdlib's mt19937) feeds
// @stdlib's uniform, normal, gamma and Student-t samplers, so every draw a decision makes comes from one stream and the
// same seed gives the same decisions (a test, and what lets a recommendation be replayed from its seed).
//
// Interface (pure, no I/O):
//   createGenerator(seed)       seed: an integer in [1, 2^32 − 1]; other integers are folded into that range.
//   seedFromText(text)          a seed from a stable text (e.g. `${workspaceId}:${date}`), via SHA-256.
//   generator.uniform()         a number in [0, 1)
//   generator.normal(mean, sd)  generator.gamma(shape, rate)  generator.studentT(df)
import { createHash } from 'node:crypto'
import mt19937 from '@stdlib/random-base-mt19937'
import gammaSampler from '@stdlib/random-base-gamma'
import normalSampler from '@stdlib/random-base-normal'
import tSampler from '@stdlib/random-base-t'

export interface Generator {
  readonly seed: number
  uniform(): number
  normal(mean: number, standardDeviation: number): number
  /** Gamma with shape and *rate* (mean shape / rate), as @stdlib parametrises it. */
  gamma(shape: number, rate: number): number
  studentT(degreesOfFreedom: number): number
}

const MAX_SEED = 0xFFFFFFFF

/** A seed mt19937 accepts: a whole number in [1, 2^32 − 1] (0 and negatives are folded in, never refused). */
export function validSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`A seed must be a finite number (got ${seed}).`)
  const folded = Math.abs(Math.trunc(seed)) % MAX_SEED
  return folded === 0 ? MAX_SEED : folded
}

/** A seed from a stable text, so a decision can be replayed from what it was about. */
export function seedFromText(text: string): number {
  return validSeed(createHash('sha256').update(text).digest().readUInt32BE(0))
}

export function createGenerator(seed: number): Generator {
  const validated = validSeed(seed)
  // `normalized` (uniform on [0, 1) from the same state) exists at run time; @stdlib's types leave it out.
  const base = mt19937.factory({ seed: validated }) as ReturnType<typeof mt19937.factory> & { normalized: () => number }
  const unit = base.normalized
  const normal = normalSampler.factory({ prng: unit })
  const gamma = gammaSampler.factory({ prng: unit })
  const studentT = tSampler.factory({ prng: unit })
  return {
    seed: validated,
    uniform: () => unit(),
    normal: (mean, standardDeviation) => normal(mean, standardDeviation),
    gamma: (shape, rate) => gamma(shape, rate),
    studentT: degreesOfFreedom => studentT(degreesOfFreedom),
  }
}
