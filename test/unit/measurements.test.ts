import { describe, expect, it } from 'vitest'
import { formatRatio, restateRatio } from '#shared/measurements'
import { matchPatterns } from '../../server/services/media/analysis/features'
import type { VideoFeatures } from '#shared/analysis'

describe('formatRatio', () => {
  it('never shows a small ratio as zero', () => {
    expect(formatRatio(0.038)).toBe('0.038×')
    expect(formatRatio(0.004)).toBe('0.004×')
    expect(formatRatio(0.5)).toBe('0.5×')
    expect(formatRatio(0.77)).toBe('0.77×')
  })

  it('keeps one decimal from 1 and none from 10, as a person rounds', () => {
    expect(formatRatio(1)).toBe('1.0×')
    expect(formatRatio(2.449)).toBe('2.4×')
    expect(formatRatio(12.6)).toBe('13×')
    expect(formatRatio(0)).toBe('0×')
  })
})

describe('the pattern note for a calm opening', () => {
  it('says how much calmer with a number that is not zero', () => {
    const features = {
      durationSeconds: 20, durationBucket: '15-30s', aspectRatio: 0.5625, aspectClass: '9:16', shotCount: 1, cutCount: 0,
      cutsPerMinute: 0, medianShotSeconds: 20, firstCutSeconds: null, hookCutCount: 0, hasAudio: false, integratedLufs: null,
      loudnessRangeLu: null, truePeakDbtp: null, hookLoudnessDeltaLu: null, silenceRatio: null, silenceCount: 0,
      longestSilenceSeconds: 0, meanMotion: 3, hookMotionRatio: 0.038, blackRatio: 0,
    } as unknown as VideoFeatures
    const note = matchPatterns(features).find(match => match.key === 'visual.hook_motion=lower')?.note
    expect(note).toContain('0.038× as much')
  })
})

describe('a pattern note stored before the fix', () => {
  it('is read with its ratio written again from the stored value', () => {
    expect(restateRatio('the first 3 s move 0.0× as much as the rest: a calm opening', { hookMotionRatio: 0.038 })).toBe('the first 3 s move 0.038× as much as the rest: a calm opening')
    expect(restateRatio('21.7 cuts per minute: fast pacing', { cutsPerMinute: 21.7 })).toBe('21.7 cuts per minute: fast pacing')
  })
})
