// What a Studio draft may hold before it renders, and when the word-by-word style has to estimate its timing.
import { describe, expect, it } from 'vitest'
import { draftRecipeSchema, editRecipeSchema, usesApproximateWordTiming, wordTimingIsEstimated } from '#shared/recipe'

describe('Studio drafts', () => {
  it('keeps captions without cues in a draft, which a render refuses', () => {
    const recipe = { hook: { text: 'Three knife mistakes' }, captions: { style: 'highlight', cues: [] } }
    expect(draftRecipeSchema.parse(recipe).captions).toEqual({ style: 'highlight', position: 'bottom', cues: [] })
    expect(editRecipeSchema.safeParse(recipe).success).toBe(false)
    // Every other rule still holds: a 500-character hook is not saved.
    expect(draftRecipeSchema.safeParse({ hook: { text: 'x'.repeat(500) } }).success).toBe(false)
  })

  it('calls the word-by-word timing approximate until every caption has word times', () => {
    const timed = { start: 0, end: 1, text: 'Sharp knives', words: [{ start: 0, end: 0.4, text: 'Sharp' }, { start: 0.5, end: 1, text: 'knives' }] }
    const untimed = { start: 1, end: 2, text: 'cut cleaner' }
    expect(wordTimingIsEstimated({ cues: [timed, untimed] })).toBe(true)
    expect(wordTimingIsEstimated({ cues: [timed] })).toBe(false)
    expect(wordTimingIsEstimated(null)).toBe(false)
    expect(usesApproximateWordTiming({ captions: { style: 'highlight', cues: [untimed] } })).toBe(true)
    expect(usesApproximateWordTiming({ captions: { style: 'highlight', cues: [timed] } })).toBe(false)
    // Only the word-by-word style lights words up; the others show the whole caption at once.
    expect(usesApproximateWordTiming({ captions: { style: 'bold', cues: [untimed] } })).toBe(false)
  })
})
