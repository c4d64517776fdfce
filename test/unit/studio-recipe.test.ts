import { describe, expect, it } from 'vitest'
import { checkRender, checkRenderEverywhere } from '#shared/platforms'
import { describeVariant, editRecipeSchema, expandVariations, VariationError } from '#shared/recipe'

const facts = { durationSeconds: 20, width: 1080, height: 1920, fps: 30, sizeBytes: 20e6, videoCodec: 'h264', audioSampleRate: 48000 }

describe('variations', () => {
  it('renders every combination of the alternatives, each a plain recipe that records its keys', () => {
    const recipe = editRecipeSchema.parse({
      hook: { text: 'Hook one' },
      captions: { cues: [{ start: 0, end: 1, text: 'Hi' }] },
      variations: { hookText: ['Hook one', 'Hook two'], captionStyle: ['bold', 'highlight'] },
    })
    const variants = expandVariations(recipe)
    expect(variants.map(variant => variant.label)).toEqual(['A', 'B', 'C', 'D'])
    expect(variants[3]!.keys).toEqual({ hookText: 'Hook two', captionStyle: 'highlight' })
    expect(variants[3]!.recipe.hook!.text).toBe('Hook two')
    expect(variants[3]!.recipe.captions!.style).toBe('highlight')
    expect(variants[3]!.recipe.variations.hookText).toEqual([])
    expect(expandVariations(editRecipeSchema.parse({}))).toHaveLength(1)
  })

  it('refuses alternatives that vary something the recipe lacks, or make too many renders', () => {
    expect(() => expandVariations(editRecipeSchema.parse({ variations: { hookText: ['a', 'b'] } }))).toThrow(VariationError)
    const many = editRecipeSchema.parse({ hook: { text: 'x' }, variations: { hookText: ['a', 'b', 'c'], maxSeconds: [10, 20, 30] } })
    expect(() => expandVariations(many)).toThrow(/16 variants; at most 8/)
    const openings = expandVariations(editRecipeSchema.parse({ variations: { opening: [{ start: 4, end: 5 }], maxSeconds: [15, 30] } }))
    expect(openings).toHaveLength(6)
    expect(openings[5]!.recipe).toMatchObject({ opening: { start: 4, end: 5 }, maxSeconds: 30 })
  })

  // Issue 12, item 6: a ticked length replaced the full-length render, while a hook line was added next to the main one.
  it('keeps the main version in every dimension, and adds a variant for each alternative', () => {
    const expand = (input: object) => expandVariations(editRecipeSchema.parse(input))
    const lengths = expand({ variations: { maxSeconds: [15] } })
    expect(lengths.map(variant => variant.recipe.maxSeconds)).toEqual([null, 15])
    const openings = expand({ variations: { opening: [{ start: 4, end: 5 }] } })
    expect(openings.map(variant => variant.recipe.opening)).toEqual([null, { start: 4, end: 5 }])
    const hooks = expand({ hook: { text: 'Main line' }, variations: { hookText: ['Other line'] } })
    expect(hooks.map(variant => variant.recipe.hook!.text)).toEqual(['Main line', 'Other line'])
    const styles = expand({ captions: { style: 'bold', cues: [{ start: 0, end: 1, text: 'Hi' }] }, variations: { captionStyle: ['clean'] } })
    expect(styles.map(variant => variant.recipe.captions!.style)).toEqual(['bold', 'clean'])
    // The main version named again among the alternatives is the same variant, not a second copy.
    expect(expand({ hook: { text: 'Main line' }, variations: { hookText: ['Main line', 'Other line'] } })).toHaveLength(2)
    expect(expand({ maxSeconds: 30, variations: { maxSeconds: [30, 15] } }).map(variant => variant.recipe.maxSeconds)).toEqual([30, 15])
  })

  it('names each variant by what it took, the main version included', () => {
    const variants = expandVariations(editRecipeSchema.parse({ hook: { text: 'Main line' }, variations: { hookText: ['Other line'], maxSeconds: [15] } }))
    expect(variants.map(variant => `${variant.label}: ${describeVariant(variant.keys)}`)).toEqual([
      'A: “Main line”, full length',
      'B: “Main line”, at most 15 s',
      'C: “Other line”, full length',
      'D: “Other line”, at most 15 s',
    ])
    expect(variants[3]!.recipe).toMatchObject({ hook: { text: 'Other line' }, maxSeconds: 15 })
    expect(describeVariant(expandVariations(editRecipeSchema.parse({}))[0]!.keys)).toBe('as edited')
  })
})

describe('platform checks', () => {
  it('passes a 20 s 1080×1920 H.264 render everywhere', () => {
    expect(checkRenderEverywhere(facts).every(check => check.ok)).toBe(true)
  })

  it('explains each violation in words the creator can act on', () => {
    const facebook = checkRender('facebook', { ...facts, durationSeconds: 120, fps: 20 })
    expect(facebook.ok).toBe(false)
    expect(facebook.problems).toEqual([
      'Facebook Reels takes at most 90 s; this render is 120 s. Render a shorter length variant.',
      'Facebook Reels takes 24–60 fps; this render is 20 fps. Render it with the Facebook Reels preset.',
    ])
    expect(checkRender('instagram', { ...facts, width: 1920, height: 1080 }).problems.join(' ')).toMatch(/wants 9:16; this render is 1920×1080. Reframe it to 9:16/)
    expect(checkRender('youtube', { ...facts, width: 1080, height: 1080 }).ok).toBe(true)
    expect(checkRender('youtube', { ...facts, durationSeconds: 200 }).problems[0]).toMatch(/at most 180 s/)
    expect(checkRender('tiktok', { ...facts, durationSeconds: 2 }).problems[0]).toMatch(/at least 3 s/)
  })
})
