// Choosing among arms (hook variants, caption styles, script patterns, strategy pillars) by Thompson sampling over
// their posteriors (posterior.ts): draw each arm's mean from its posterior, take the arm with the highest draw. Arms
// that are clearly good win most draws (exploit); arms whose intervals are still wide win some (explore), and fewer as
// their evidence grows. Pure and seeded: the same seed and posteriors give the same choices.
//
// Exploration control: `exploration` scales each draw's distance from its arm's posterior mean. 1 is Thompson sampling
// itself; 0 always takes the best posterior mean (greedy); above 1 tries uncertain arms more often. It is bounded to
// [EXPLORATION_MIN, EXPLORATION_MAX]: beyond 3× the posterior's spread, choices are close to uniform and say nothing
// the data supports.
//
// Interface:
//   createGenerator(seed), seedFromText(text)                       (from random.ts)
//   chooseArm(arms, generator, exploration = 1)                     → { key, draws }
//   planChoices(arms, count, generator, exploration = 1)            → { choices, best, exploit, explore }
//     for "3 of 5 scripts exploit your best hook; 2 test new ones": `best` is the arm with the highest posterior mean
//     (null while no arm is ahead, e.g. before any evidence: then every choice explores).
//   probabilityBest(arms, generator, draws = 4000)                  → each arm's posterior probability of being best
//   bestMeanArm(arms)                                               → the greedy choice, or null on a tie at the top
import { sampleMean, type NigPosterior } from './posterior'
import type { Generator } from './random'

export { createGenerator, seedFromText, type Generator } from './random'

export const EXPLORATION_MIN = 0
export const EXPLORATION_MAX = 3
export const DEFAULT_EXPLORATION = 1
// Enough draws that a probability of being best is within about ±0.01 (binomial SD at 0.5 is 0.008).
export const PROBABILITY_DRAWS = 4000

export interface Arm<Key> {
  readonly key: Key
  readonly posterior: NigPosterior
}

export interface Choice<Key> {
  readonly key: Key
  /** Each arm's draw, in the order of the arms given. */
  readonly draws: number[]
}

export interface Plan<Key> {
  readonly choices: Key[]
  readonly best: Key | null
  readonly exploit: number
  readonly explore: number
}

function checkArms<Key>(arms: readonly Arm<Key>[]) {
  if (!arms.length) throw new RangeError('There is nothing to choose from: no arms.')
}

function checkExploration(exploration: number) {
  if (!(exploration >= EXPLORATION_MIN && exploration <= EXPLORATION_MAX)) {
    throw new RangeError(`Exploration lies between ${EXPLORATION_MIN} and ${EXPLORATION_MAX} (got ${exploration}).`)
  }
}

// The index of the highest value; a tie is settled by the generator, so no arm wins ties by its place in the list.
function argmaxRandomTies(values: readonly number[], generator: Generator): number {
  const top = Math.max(...values)
  const tied = values.flatMap((value, index) => value === top ? [index] : [])
  return tied.length === 1 ? tied[0]! : tied[Math.floor(generator.uniform() * tied.length)]!
}

export function chooseArm<Key>(arms: readonly Arm<Key>[], generator: Generator, exploration = DEFAULT_EXPLORATION): Choice<Key> {
  checkArms(arms)
  checkExploration(exploration)
  const draws = arms.map(arm => sampleMean(arm.posterior, generator, exploration))
  return { key: arms[argmaxRandomTies(draws, generator)]!.key, draws }
}

/** The arm with the highest posterior mean, or null when two or more share it. */
export function bestMeanArm<Key>(arms: readonly Arm<Key>[]): Key | null {
  checkArms(arms)
  const means = arms.map(arm => arm.posterior.mu)
  const top = Math.max(...means)
  const leaders = arms.filter(arm => arm.posterior.mu === top)
  return leaders.length === 1 ? leaders[0]!.key : null
}

/** `count` choices by Thompson sampling, and how many of them exploit the best-mean arm. */
export function planChoices<Key>(arms: readonly Arm<Key>[], count: number, generator: Generator, exploration = DEFAULT_EXPLORATION): Plan<Key> {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`A number of choices is a whole number ≥ 0 (got ${count}).`)
  const best = bestMeanArm(arms)
  const choices = Array.from({ length: count }, () => chooseArm(arms, generator, exploration).key)
  const exploit = best === null ? 0 : choices.filter(key => key === best).length
  return { choices, best, exploit, explore: count - exploit }
}

/** Each arm's posterior probability of having the highest mean, by `draws` joint draws. */
export function probabilityBest<Key>(arms: readonly Arm<Key>[], generator: Generator, draws = PROBABILITY_DRAWS): Map<Key, number> {
  checkArms(arms)
  const wins = new Array<number>(arms.length).fill(0)
  for (let round = 0; round < draws; round++) {
    const sample = arms.map(arm => sampleMean(arm.posterior, generator))
    wins[argmaxRandomTies(sample, generator)]! += 1
  }
  return new Map(arms.map((arm, index) => [arm.key, wins[index]! / draws]))
}
