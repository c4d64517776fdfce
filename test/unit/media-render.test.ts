import { describe, expect, it } from 'vitest'
import { escapeGraphValue, escapeOptionValue, filterValue } from '../../server/services/media/filter-escape'
import { compileRecipe, cropFor, keptSegments, loudnessMeasureCommand, parseLoudnessMeasurement, RecipeError } from '../../server/services/media/render/compile'
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
    const compiled = compileRecipe(source, recipe({ keep: [{ start: 1, end: 3 }, { start: 10, end: 11.5 }], speed: 1.25, reframe: { mode: 'crop', aspect: '9:16' }, loudness: null }), '/out/render.mp4')
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

describe('two-pass loudness normalisation', () => {
  const printed = `[Parsed_loudnorm_3 @ 0x1] \n{\n\t"input_i" : "-21.42",\n\t"input_tp" : "-17.96",\n\t"input_lra" : "0.00",\n\t"input_thresh" : "-31.42",\n\t"output_i" : "-14.02",\n\t"target_offset" : "0.02"\n}`

  it('measures the edited audio first, then applies what it measured, aiming at −14 LUFS and −1 dBTP by default', () => {
    const edit = recipe({ keep: [{ start: 1, end: 3 }] })
    const first = loudnessMeasureCommand(source, edit)!
    expect(first.join(' ')).toContain('loudnorm=I=-14:TP=-1:LRA=11:print_format=json')
    expect(first.join(' ')).not.toContain('0:v')
    const measured = parseLoudnessMeasurement(printed)
    expect(measured.input_i).toBe('-21.42')
    const compiled = compileRecipe(source, edit, '/out/x.mp4', measured)
    expect(compiled.graph).toContain('measured_I=-21.42:measured_TP=-17.96:measured_LRA=0:measured_thresh=-31.42:offset=0.02:linear=true,aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo')
    expect(() => compileRecipe(source, edit, '/out/x.mp4')).toThrow(/first pass/)
    expect(loudnessMeasureCommand({ ...source, hasAudio: false }, edit)).toBeNull()
    expect(() => parseLoudnessMeasurement('{ "input_i": "-inf", "input_tp": "-inf", "input_lra": "0", "input_thresh": "-70", "target_offset": "0" }')).toThrow(/silent/)
  })
})

describe('escaping user text for a filtergraph', () => {
  it('quotes for the option level, then escapes for the graph level', () => {
    expect(escapeOptionValue('it\'s: 50%')).toBe(`'it'\\''s: 50%'`)
    expect(escapeGraphValue(`a,b;[c]`)).toBe('a\\,b\\;\\[c\\]')
    expect(filterValue('Stop scrolling: 3 tips, [free]; it\'s 100% true')).not.toMatch(/(^|[^\\])[;,[\]]/)
  })
})
