import { describe, expect, it } from 'vitest'
import { escapeGraphValue, escapeOptionValue, filterValue } from '../../server/services/media/filter-escape'
import { compileRecipe, cropFor, keptSegments, RecipeError } from '../../server/services/media/render/compile'
import { editRecipeSchema } from '../../shared/recipe'

const source = { path: '/in/footage.mp4', width: 1920, height: 1080, durationSeconds: 20, fps: 30, hasAudio: true }
const recipe = (input: object) => editRecipeSchema.parse(input)

describe('the recipe compiler', () => {
  it('keeps the cut list inside the trim, in order, and refuses a recipe that keeps nothing', () => {
    expect(keptSegments(recipe({}), 20)).toEqual([{ start: 0, end: 20 }])
    expect(keptSegments(recipe({ trim: { start: 2, end: 12 }, keep: [{ start: 0, end: 3 }, { start: 5, end: 6 }, { start: 11, end: 30 }] }), 20))
      .toEqual([{ start: 2, end: 3 }, { start: 5, end: 6 }, { start: 11, end: 12 }])
    expect(() => keptSegments(recipe({ trim: { start: 25 } }), 20)).toThrow(RecipeError)
    expect(editRecipeSchema.safeParse({ keep: [{ start: 3, end: 2 }] }).success).toBe(false)
    expect(editRecipeSchema.safeParse({ speed: 3 }).success).toBe(false)
  })

  it('crops to an aspect around the subject, inside the frame', () => {
    expect(cropFor(1920, 1080, '9:16', 0.5)).toEqual({ width: 608, height: 1080, x: 656, y: 0 })
    expect(cropFor(1920, 1080, '9:16', 0)).toMatchObject({ x: 0 })
    expect(cropFor(1920, 1080, '9:16', 1)).toMatchObject({ x: 1920 - 608 })
    expect(cropFor(1080, 1920, '16:9', 0.5)).toEqual({ width: 1080, height: 608, x: 0, y: 656 })
  })

  it('compiles to one ffmpeg command with the expected length and frame', () => {
    const compiled = compileRecipe(source, recipe({ keep: [{ start: 1, end: 3 }, { start: 10, end: 11.5 }], speed: 1.25, reframe: { mode: 'crop', aspect: '9:16' } }), '/out/render.mp4')
    expect(compiled.expectedDurationSeconds).toBeCloseTo(3.5 / 1.25, 6)
    expect(compiled).toMatchObject({ width: 1080, height: 1920 })
    expect(compiled.graph).toContain('concat=n=2:v=1:a=1')
    expect(compiled.graph).toContain('atempo=1.25')
    expect(compiled.args.filter(arg => arg === '-i')).toHaveLength(1)
    expect(compiled.args.at(-1)).toBe('/out/render.mp4')
    const silent = compileRecipe({ ...source, hasAudio: false }, recipe({ reframe: { mode: 'blur', aspect: '1:1' } }), '/out/x.mp4')
    expect(silent.graph).not.toContain('0:a')
    expect(silent.args).not.toContain('[aout]')
  })
})

describe('escaping user text for a filtergraph', () => {
  it('quotes for the option level, then escapes for the graph level', () => {
    expect(escapeOptionValue('it\'s: 50%')).toBe(`'it'\\''s: 50%'`)
    expect(escapeGraphValue(`a,b;[c]`)).toBe('a\\,b\\;\\[c\\]')
    expect(filterValue('Stop scrolling: 3 tips, [free]; it\'s 100% true')).not.toMatch(/(^|[^\\])[;,[\]]/)
  })
})
