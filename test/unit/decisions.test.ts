// The pure side of the decisions: slots drawn by Thompson sampling from a seed (the same seed, the same draws), the
// words a recommendation cites, and the batch's balance sentence.
import { describe, expect, it } from 'vitest'
import { decideSlots, drawOrder, type DecisionArm } from '../../server/services/analytics/decisions'
import { drawDistinct } from '../../server/services/studio/suggestions'
import { emptyStats, statsOf, summarise } from '../../server/services/analytics/posterior'
import { batchBalance, type ScriptDecision } from '#shared/scripts'
import { evidenceLink, evidenceWords, times } from '#shared/decisions'

function arm(key: string, values: number[]): DecisionArm {
  const stats = values.length ? statsOf(values.map(value => ({ value, source: 'post' as const }))) : emptyStats()
  return { key, posterior: summarise(stats).posterior, stats }
}

describe('decideSlots', () => {
  const clear = [arm('fast', [1.2, 0.8, 1.1, 0.9, 1, 1.2, 0.8, 1]), arm('slow', [-0.6, -0.4, -0.5, -0.5, -0.7, -0.3])]
  const close = [arm('a', [0.4, -0.2]), arm('b', [0.2, 0]), arm('c', [])]

  it('exploits the clear leader on every slot at exploration 0', () => {
    const decision = decideSlots(clear, 5, 'seed', 0)
    expect(decision).toMatchObject({ best: 'fast', exploit: 5, explore: 0 })
    expect(decision.slots.every(slot => slot.key === 'fast' && slot.role === 'exploit')).toBe(true)
  })

  it('draws the same slots from the same seed whatever the arms\' order, and others from another seed', () => {
    const first = decideSlots(close, 12, 'workspace:2026-12-01:12', 1)
    expect(decideSlots([...close].reverse(), 12, 'workspace:2026-12-01:12', 1)).toEqual(first)
    expect(first.slots.map(slot => slot.key).join('')).toBe(EXPECTED_DRAWS)
    expect(first.exploit + first.explore).toBe(12)
    expect(first.slots.filter(slot => slot.role === 'exploit').every(slot => slot.key === first.best)).toBe(true)
    expect(decideSlots(close, 12, 'workspace:2026-12-02:12', 1).slots).not.toEqual(first.slots)
  })
})

describe('drawOrder and drawDistinct', () => {
  const arms = [arm('lead', [1, 1.2, 0.8, 1, 1.1, 0.9]), arm('mid', [0.2, 0.4, 0.3, 0.1]), arm('low', [-1, -0.8, -1.2, -0.9])]

  it('rank by posterior mean at exploration 0, and every arm once', () => {
    expect(drawOrder(arms, 'seed', 0)).toEqual(['lead', 'mid', 'low'])
    expect(drawDistinct(arms, 2, 'seed', 0)).toEqual(['lead', 'mid'])
    expect(drawDistinct(arms, 5, 'seed', 1).sort()).toEqual(['lead', 'low', 'mid'])
    expect(drawOrder([], 'seed', 1)).toEqual([])
  })

  it('give the same order for the same seed, and sometimes lift an uncertain arm at exploration 1', () => {
    const thin = [arm('known', [0.3, 0.2, 0.4, 0.3, 0.2, 0.4, 0.3, 0.3]), arm('new', [])]
    expect(drawOrder(thin, 'day-1', 1)).toEqual(drawOrder([...thin].reverse(), 'day-1', 1))
    const firsts = Array.from({ length: 40 }, (_, day) => drawOrder(thin, `day-${day}`, 1)[0])
    expect(firsts).toContain('known')
    expect(firsts).toContain('new')
  })
})

// Recorded from the seeded generator (mt19937): a change here means the draws changed, and replays of old batches with them.
const EXPECTED_DRAWS = 'baabaacbabba'

describe('the words of a recommendation', () => {
  it('writes log outcomes as multiples of the usual post, with the interval and the count', () => {
    expect(times(Math.log(1.8))).toBe('×1.8')
    expect(times(Math.log(12.4))).toBe('×12')
    expect(evidenceWords({ mean: Math.log(1.6), lower80: Math.log(1.2), upper80: Math.log(2.1), posts: 8, references: 0, metric: 'views' }))
      .toBe('×1.6 views (80 %: ×1.2–×2.1, n 8)')
    expect(evidenceWords({ mean: 0, lower80: -0.2, upper80: 0.2, posts: 1, references: 4, metric: 'saves per view' }))
      .toBe('×1.0 saves per view (80 %: ×0.8–×1.2, n 5: 1 post, 4 references)')
    expect(evidenceLink('hook.first_cut<=1s')).toBe('/analytics#pattern-hook.first_cut%3C%3D1s')
  })
})

describe('batchBalance', () => {
  const figures = (role: 'exploit' | 'explore', mean: number) => ({ role, mean, lower80: mean - 0.2, upper80: mean + 0.2, posts: 8, references: 0, metric: 'views' })
  const best = { key: 'hook.first_cut<=1s', label: 'First cut within 1 s', figures: figures('exploit', Math.log(1.6)) }
  const decision = (key: string, role: 'exploit' | 'explore'): ScriptDecision => ({ family: 'first cut', key, label: key, role, figures: figures(role, 0), best })

  it('counts the scripts that exploit the family\'s best pattern and those that test others', () => {
    const scripts = [
      ...Array.from({ length: 3 }, () => ({ decisions: [decision('hook.first_cut<=1s', 'exploit')] })),
      { decisions: [decision('hook.first_cut=1-3s', 'explore')] },
      { decisions: [decision('hook.first_cut>3s', 'explore')] },
    ]
    expect(batchBalance(scripts)).toEqual({
      sentence: '3 of 5 scripts exploit your best first cut (First cut within 1 s, ×1.6 views (80 %: ×1.3–×2.0, n 8)); 2 test new ones.',
      patternKey: 'hook.first_cut<=1s',
    })
    expect(batchBalance(scripts.slice(0, 4))!.sentence).toMatch(/^3 of 4 scripts exploit .*; 1 tests a new one\.$/)
  })

  it('says when the leader is untried because every tried pattern did worse than usual', () => {
    const untried = { ...best, figures: { ...best.figures, mean: 0, posts: 0 } }
    expect(batchBalance([{ decisions: [{ ...decision('hook.first_cut<=1s', 'exploit'), best: untried }] }])!.sentence)
      .toBe('1 of 1 script exploits your best first cut (First cut within 1 s, not tried yet: the ones tried did worse than your usual post).')
  })

  it('says nothing without decisions (no outcomes yet), and that none leads when none does', () => {
    expect(batchBalance([{ decisions: [] }, { decisions: [] }])).toBeNull()
    const tied = { ...decision('hook.first_cut<=1s', 'explore'), best: null }
    expect(batchBalance([{ decisions: [tied] }, { decisions: [tied] }])!.sentence).toBe('No first cut leads yet: 2 of 2 scripts test first cut patterns to find out.')
  })
})
