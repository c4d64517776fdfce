// An experiment's verdict in words: a winner only with enough posts on every side and a clear chance; otherwise what
// is missing.
import { describe, expect, it } from 'vitest'
import { chanceWords, horizonWords, judgeExperiment } from '../../server/services/analytics/experiment-verdict'

describe('experiment verdicts', () => {
  it('names the leader with its chance and the posts behind it', () => {
    expect(judgeExperiment([{ label: 'A', scored: 5, probabilityBest: 0.94 }, { label: 'B', scored: 5, probabilityBest: 0.06 }], 48))
      .toEqual({ status: 'leader', leader: 'A', verdict: 'A is best with a 94% chance (5 posts each).' })
    // Unequal counts: the fewest is what every arm has at least.
    expect(judgeExperiment([{ label: 'A', scored: 4, probabilityBest: 0.03 }, { label: 'B', scored: 7, probabilityBest: 0.9 }, { label: 'C', scored: 6, probabilityBest: 0.07 }], 48))
      .toEqual({ status: 'leader', leader: 'B', verdict: 'B is best with a 90% chance (at least 4 posts each).' })
  })

  it('says too early while a variant has fewer than 3 posts with numbers, whatever the chances', () => {
    expect(judgeExperiment([{ label: 'A', scored: 6, probabilityBest: 0.97 }, { label: 'B', scored: 1, probabilityBest: 0.03 }], 48))
      .toEqual({ status: 'too-thin', leader: null, verdict: 'Too early to say: B has 1 post with numbers at 48 h; each variant needs 3.' })
    expect(judgeExperiment([{ label: 'A', scored: 2, probabilityBest: null }, { label: 'B', scored: 0, probabilityBest: null }, { label: 'C', scored: 1, probabilityBest: null }], 24).verdict)
      .toBe('Too early to say: A has 2 posts with numbers at 24 h, B has none and C has 1; each variant needs 3.')
    expect(judgeExperiment([{ label: 'A', scored: 0, probabilityBest: null }, { label: 'B', scored: 4, probabilityBest: null }], 168).verdict)
      .toBe('Too early to say: A has no posts with numbers at 7 days; each variant needs 3.')
  })

  it('says no clear winner when every variant has enough posts but none is clearly best', () => {
    expect(judgeExperiment([{ label: 'A', scored: 3, probabilityBest: 0.28 }, { label: 'B', scored: 4, probabilityBest: 0.72 }], 72))
      .toEqual({ status: 'too-thin', leader: null, verdict: 'No clear winner yet: B is ahead with a 72% chance of being best; more posts will tell.' })
    // Just short of the threshold never reads as it.
    expect(judgeExperiment([{ label: 'A', scored: 3, probabilityBest: 0.8999 }, { label: 'B', scored: 3, probabilityBest: 0.1001 }], 48).verdict)
      .toBe('No clear winner yet: A is ahead with an 89% chance of being best; more posts will tell.')
    // A tie names the first arm, so the same numbers always give the same words.
    expect(judgeExperiment([{ label: 'A', scored: 3, probabilityBest: 0.5 }, { label: 'B', scored: 3, probabilityBest: 0.5 }], 48).verdict)
      .toMatch(/^No clear winner yet: A is ahead/)
  })

  it('words chances and horizons plainly', () => {
    expect(chanceWords(0.57)).toBe('a 57% chance')
    expect(chanceWords(0.99)).toBe('a 99% chance')
    expect(chanceWords(0.08)).toBe('an 8% chance')
    expect(chanceWords(0.18)).toBe('an 18% chance')
    expect(chanceWords(0.8)).toBe('an 80% chance')
    expect(chanceWords(0.9)).toBe('a 90% chance')
    expect(chanceWords(0.9995)).toBe('a better than 99% chance')
    expect(chanceWords(1)).toBe('a better than 99% chance')
    expect(horizonWords(48)).toBe('48 h')
    expect(horizonWords(168)).toBe('7 days')
  })

  it('refuses an experiment of one variant', () => {
    expect(() => judgeExperiment([{ label: 'A', scored: 3, probabilityBest: 1 }], 48)).toThrow(/at least two variants/)
  })
})
