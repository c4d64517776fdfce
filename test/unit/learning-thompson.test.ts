// Thompson sampling over pattern posteriors: the same seed makes the same choices, another seed others; the exploration
// control runs from greedy to wide; the split a creator sees ("3 of 5 scripts exploit your best hook; 2 test new ones").
import { describe, expect, it } from 'vitest'
import { posteriorOf, statsOf, type Observation } from '../../server/services/analytics/posterior'
import { seedFromText, validSeed } from '../../server/services/analytics/random'
import {
  EXPLORATION_MAX, bestMeanArm, chooseArm, createGenerator, planChoices, probabilityBest, type Arm,
} from '../../server/services/analytics/thompson'

const posts = (...values: number[]): Observation[] => values.map(value => ({ value, source: 'post' }))
const repeat = (value: number, count: number) => Array.from({ length: count }, (_, index) => value + (index % 2 ? 0.5 : -0.5))

// Three hooks: one clearly ahead after 40 posts, one behind after 40, one barely tried.
const hooks: Arm<string>[] = [
  { key: 'question', posterior: posteriorOf(statsOf(posts(...repeat(0.9, 40)))) },
  { key: 'statement', posterior: posteriorOf(statsOf(posts(...repeat(-0.2, 40)))) },
  { key: 'number', posterior: posteriorOf(statsOf(posts(0.1, -0.4))) },
]
const unknown: Arm<string>[] = ['a', 'b', 'c'].map(key => ({ key, posterior: posteriorOf(statsOf([])) }))

describe('a seeded generator', () => {
  it('makes the same choices from the same seed, and others from another seed', () => {
    const run = (seed: number) => {
      const generator = createGenerator(seed)
      return Array.from({ length: 60 }, () => chooseArm(hooks, generator).key)
    }
    expect(run(42)).toEqual(run(42))
    expect(run(43)).not.toEqual(run(42))
    const draws = (seed: number) => chooseArm(unknown, createGenerator(seed)).draws
    expect(draws(7)).toEqual(draws(7))
    expect(draws(7)).not.toEqual(draws(8))
  })

  it('takes any whole number as a seed, and a stable text', () => {
    expect(validSeed(0)).toBe(0xFFFFFFFF)
    expect(validSeed(-5)).toBe(5)
    expect(validSeed(2 ** 40 + 3)).toBeGreaterThan(0)
    expect(createGenerator(0).uniform()).toBe(createGenerator(0xFFFFFFFF).uniform())
    expect(seedFromText('workspace-1:2026-12-01')).toBe(seedFromText('workspace-1:2026-12-01'))
    expect(seedFromText('workspace-1:2026-12-01')).not.toBe(seedFromText('workspace-1:2026-12-02'))
    expect(() => createGenerator(Number.NaN)).toThrow(/finite/)
  })
})

describe('choosing an arm', () => {
  it('mostly exploits the arm that is clearly ahead, and still tries the one barely tested', () => {
    const generator = createGenerator(1)
    const counts = new Map<string, number>()
    for (let round = 0; round < 2000; round++) {
      const key = chooseArm(hooks, generator).key
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    expect(counts.get('question')! / 2000).toBeGreaterThan(0.8)
    expect(counts.get('number') ?? 0).toBeGreaterThan(20)
    // 40 posts 1.1 below the leader: hardly ever drawn above it.
    expect((counts.get('statement') ?? 0) / 2000).toBeLessThan(0.01)
  })

  it('is greedy at exploration 0, and settles a tie at the top by the generator', () => {
    const generator = createGenerator(5)
    for (let round = 0; round < 50; round++) expect(chooseArm(hooks, generator, 0).key).toBe('question')
    const picked = new Set(Array.from({ length: 60 }, () => chooseArm(unknown, generator, 0).key))
    expect(picked).toEqual(new Set(['a', 'b', 'c']))
  })

  it('refuses an exploration outside its bounds, and an empty list', () => {
    const generator = createGenerator(5)
    expect(() => chooseArm(hooks, generator, -0.1)).toThrow(/between 0 and 3/)
    expect(() => chooseArm(hooks, generator, EXPLORATION_MAX + 0.1)).toThrow(/between 0 and 3/)
    expect(() => chooseArm([], generator)).toThrow(/no arms/)
  })
})

describe('the explore/exploit split', () => {
  it('counts how many of N choices exploit the best-mean arm and how many test others', () => {
    const plan = planChoices(hooks, 5, createGenerator(11))
    expect(plan.best).toBe('question')
    expect(plan.choices).toHaveLength(5)
    expect(plan.exploit).toBe(plan.choices.filter(key => key === 'question').length)
    expect(plan.exploit + plan.explore).toBe(5)
    expect(planChoices(hooks, 5, createGenerator(11))).toEqual(plan)
    expect(planChoices(hooks, 5, createGenerator(11), 0)).toMatchObject({ exploit: 5, explore: 0 })
  })

  it('explores more as the control rises, and fully while no arm is ahead', () => {
    const explored = (exploration: number) => {
      const generator = createGenerator(3)
      let total = 0
      for (let plan = 0; plan < 400; plan++) total += planChoices(hooks, 5, generator, exploration).explore
      return total
    }
    const [greedy, thompson, wide] = [explored(0), explored(1), explored(3)]
    expect(greedy).toBe(0)
    expect(thompson).toBeGreaterThan(greedy)
    expect(wide).toBeGreaterThan(thompson * 1.5)
    expect(planChoices(unknown, 5, createGenerator(2))).toMatchObject({ best: null, exploit: 0, explore: 5 })
    expect(bestMeanArm(unknown)).toBeNull()
    expect(() => planChoices(hooks, 2.5, createGenerator(2))).toThrow(/whole number/)
  })
})

describe('the probability that each arm is best', () => {
  it('sums to 1, favours the leader, is even between arms with no evidence, and replays from its seed', () => {
    const probabilities = probabilityBest(hooks, createGenerator(21))
    expect([...probabilities.values()].reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12)
    expect(probabilities.get('question')!).toBeGreaterThan(0.8)
    expect(probabilityBest(hooks, createGenerator(21))).toEqual(probabilities)
    for (const value of probabilityBest(unknown, createGenerator(4)).values()) expect(value).toBeCloseTo(1 / 3, 1)
  })
})
