import { describe, expect, it } from 'vitest'
import { escapeGraphValue, escapeOptionValue, filterValue } from '../../server/services/media/filter-escape'
import { compileRecipe, cropFor, keptSegments, loudnessMeasureCommand, parseLoudnessMeasurement, outputSize, RecipeError, wrapText } from '../../server/services/media/render/compile'
import { editRecipeSchema } from '#shared/recipe'

const source = { path: '/in/footage.mp4', width: 1920, height: 1080, durationSeconds: 20, fps: 30, hasAudio: true }
const recipe = (input: object) => editRecipeSchema.parse(input)

describe('the recipe compiler', () => {
  it('keeps the cut list inside the trim, in order, and refuses a recipe that keeps nothing', () => {
    expect(keptSegments(recipe({}), { durationSeconds: 20, fps: 30 })).toEqual([{ start: 0, end: 20 }])
    expect(keptSegments(recipe({ trim: { start: 2, end: 12 }, keep: [{ start: 0, end: 3 }, { start: 5, end: 6 }, { start: 11, end: 30 }] }), { durationSeconds: 20, fps: 30 }))
      .toEqual([{ start: 2, end: 3 }, { start: 5, end: 6 }, { start: 11, end: 12 }])
    expect(() => keptSegments(recipe({ trim: { start: 25 } }), { durationSeconds: 20, fps: 30 })).toThrow(RecipeError)
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
    const compiled = compileRecipe(source, recipe({ keep: [{ start: 1, end: 3 }, { start: 10, end: 11.5 }], speed: 1.25, reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard', loudness: null }), '/out/render.mp4')
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
  // What ebur128 prints when the first pass ends (ffmpeg 5.1).
  const summary = (integrated: string, peak: string) => `[Parsed_ebur128_5 @ 0x1] Summary:\n\n  Integrated loudness:\n    I:         ${integrated} LUFS\n    Threshold: -31.4 LUFS\n\n`
    + `  Loudness range:\n    LRA:         0.0 LU\n    Threshold: -41.4 LUFS\n    LRA low:   -21.4 LUFS\n    LRA high:  -21.4 LUFS\n\n  True peak:\n    Peak:      ${peak} dBFS`

  it('measures the edited audio first, then applies what it measured, aiming at −14 LUFS and −1 dBTP by default', () => {
    const edit = recipe({ keep: [{ start: 1, end: 3 }] })
    const first = loudnessMeasureCommand(source, edit)!
    expect(first.join(' ')).toContain('[voiced]ebur128=peak=true:framelog=verbose[measured]')
    expect(first.join(' ')).not.toContain('0:v')
    const measured = parseLoudnessMeasurement(`frame lines…\n${summary('-21.4', '-18.0')}`)
    expect(measured).toEqual({ input_i: '-21.4', input_tp: '-18', input_lra: '0', input_thresh: '-31.4', target_offset: '0' })
    const compiled = compileRecipe(source, edit, '/out/x.mp4', { measured })
    // −21.4 LUFS with peaks at −18 dBTP: +7.4 dB reaches −14 LUFS with the peak at −10.6, so a plain gain does it.
    expect(compiled.graph).toContain('[voiced]volume=7.4dB,aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo[aout]')
    // Peaks at −3 dBTP would pass −1 after the gain: loudnorm limits them, from the measured figures.
    const peaky = compileRecipe(source, edit, '/out/x.mp4', { measured: parseLoudnessMeasurement(summary('-21.4', '-3.0')) })
    expect(peaky.graph).toContain('loudnorm=I=-14:TP=-1:LRA=11:measured_I=-21.4:measured_TP=-3:measured_LRA=0:measured_thresh=-31.4:offset=0:linear=true,aresample=48000')
    expect(() => compileRecipe(source, edit, '/out/x.mp4')).toThrow(/first pass/)
    expect(loudnessMeasureCommand({ ...source, hasAudio: false }, edit)).toBeNull()
    expect(() => parseLoudnessMeasurement('no summary here')).toThrow(/printed nothing/)
  })

  it('leaves silent footage silent instead of failing the render', () => {
    const silent = parseLoudnessMeasurement(summary('-70.0', '-inf'))
    expect(compileRecipe(source, recipe({}), '/out/x.mp4', { measured: silent }).graph).toContain('[voiced]aresample=48000')
    expect(parseLoudnessMeasurement(summary('nan', '-inf')).input_i).toBe('-70')
  })
})

describe('escaping user text for a filtergraph', () => {
  it('quotes for the option level, then escapes for the graph level', () => {
    expect(escapeOptionValue('it\'s: 50%')).toBe(`'it'\\''s: 50%'`)
    expect(escapeGraphValue(`a,b;[c]`)).toBe('a\\,b\\;\\[c\\]')
    expect(filterValue('Stop scrolling: 3 tips, [free]; it\'s 100% true')).not.toMatch(/(^|[^\\])[;,[\]]/)
  })
})

describe('the timeline: opening, longest length, frame grid', () => {
  it('moves the opening part to the front and takes it out of where it was', () => {
    expect(keptSegments(recipe({ opening: { start: 8, end: 10 } }), { durationSeconds: 20, fps: 30 }))
      .toEqual([{ start: 8, end: 10 }, { start: 0, end: 8 }, { start: 10, end: 20 }])
    expect(() => keptSegments(recipe({ opening: { start: 25, end: 26 } }), { durationSeconds: 20, fps: 30 })).toThrow(/outside the footage/)
  })

  it('caps the footage at the longest length, in output seconds at the chosen speed', () => {
    const capped = keptSegments(recipe({ keep: [{ start: 0, end: 4 }, { start: 6, end: 12 }], maxSeconds: 3, speed: 2 }), { durationSeconds: 20, fps: 30 })
    expect(capped).toEqual([{ start: 0, end: 4 }, { start: 6, end: 8 }])
    expect(compileRecipe(source, recipe({ keep: [{ start: 0, end: 4 }, { start: 6, end: 12 }], maxSeconds: 3, speed: 2, loudness: null }), '/o.mp4').expectedDurationSeconds).toBeCloseTo(3, 6)
  })

  it('puts every edge on the source\'s frame grid, so sound and pictures keep the same length', () => {
    const [first] = keptSegments(recipe({ keep: [{ start: 1.01, end: 2.02 }] }), { durationSeconds: 20, fps: 30 })
    expect(first!.start * 30).toBeCloseTo(30, 9)
    expect(first!.end * 30).toBeCloseTo(61, 9)
  })
})

describe('text, overlays and the end card', () => {
  it('wraps text into even lines, splitting only words longer than a line', () => {
    expect(wrapText('Follow for part 2', 16)).toEqual(['Follow for', 'part 2'])
    expect(wrapText('one two three four five six', 30)).toEqual(['one two three four five six'])
    expect(wrapText('Supercalifragilistic', 8)).toEqual(['Supercal', 'ifragili', 'stic'])
  })

  it('draws the hook for its seconds only, escaped, and adds the end card after the footage', () => {
    const compiled = compileRecipe(source, recipe({ loudness: null, reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard', hook: { text: 'Wait: 3 things, [really]; it\'s 100% true', seconds: 2.5 }, endCard: { text: 'Follow for more', seconds: 2 } }), '/o.mp4')
    expect(compiled.graph).toContain('enable=between(t\\,0\\,2.5)')
    expect(compiled.graph).toContain('expansion=none')
    expect(compiled.graph).not.toMatch(/text='[^']*'[^\\]*\[really\]/)
    expect(compiled.graph).toContain('color=c=0x111111:s=1080x1920:r=30:d=2')
    expect(compiled.expectedDurationSeconds).toBeCloseTo(22, 6)
    expect(compiled.graph).toContain('apad=pad_dur=2')
  })

  it('puts the logo in its corner, clear of the platform bands on a tall frame', () => {
    const logo = '00000000-0000-4000-8000-000000000000'
    const compiled = compileRecipe(source, recipe({ loudness: null, reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard', watermark: { assetId: logo, corner: 'bottom-left' } }), '/o.mp4', { assets: { logo: { path: '/in/logo.png' } } })
    expect(compiled.args).toEqual(expect.arrayContaining(['-i', '/in/logo.png']))
    expect(compiled.graph).toContain('overlay=x=43:y=H-h-422')
    expect(() => compileRecipe(source, recipe({ watermark: { assetId: logo } }), '/o.mp4')).toThrow(/logo/)
  })

  it('loops the music to length and ducks it with a sidechain keyed from the voice', () => {
    const track = '00000000-0000-4000-8000-000000000000'
    const edit = recipe({ music: { assetId: track, volumeDb: -10, duckDb: 15 } })
    const compiled = compileRecipe(source, edit, '/o.mp4', { assets: { music: { path: '/in/music.mp3' } }, measured: { input_i: '-20', input_tp: '-3', input_lra: '4', input_thresh: '-30', target_offset: '0' } })
    expect(compiled.args.join(' ')).toContain('-stream_loop -1 -i /in/music.mp3')
    expect(compiled.graph).toContain('volume=-10dB[music]')
    expect(compiled.graph).toMatch(/\[music\]\[keyed\]sidechaincompress=threshold=[\d.]+:ratio=20/)
    // The measuring pass hears the same mix, music included.
    expect(loudnessMeasureCommand(source, edit, { assets: { music: { path: '/in/music.mp3' } } })!.join(' ')).toContain('sidechaincompress')
  })
})

describe('output size', () => {
  it('keeps the footage\'s own detail: never enlarged, never below 540×960, standard when asked or for Instagram', () => {
    const size = (input: object, from = source) => outputSize(from, recipe(input))
    expect(size({ reframe: { mode: 'crop', aspect: '9:16' } })).toEqual({ width: 608, height: 1080 })
    expect(size({ reframe: { mode: 'crop', aspect: '9:16' } }, { ...source, width: 3840, height: 2160 })).toEqual({ width: 1080, height: 1920 })
    expect(size({ reframe: { mode: 'crop', aspect: '9:16' } }, { ...source, width: 640, height: 360 })).toEqual({ width: 540, height: 960 })
    expect(size({ reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard' })).toEqual({ width: 1080, height: 1920 })
    expect(size({ reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram' })).toEqual({ width: 1080, height: 1920 })
    expect(size({ reframe: { mode: 'blur', aspect: '9:16' } })).toEqual({ width: 1080, height: 1920 })
    expect(size({ reframe: { mode: 'blur', aspect: '1:1' } }, { ...source, width: 360, height: 640 })).toEqual({ width: 640, height: 640 })
    expect(size({})).toEqual({ width: 1920, height: 1080 })
  })
})

describe('output presets', () => {
  it('encodes H.264 High 4:2:0 with closed two-second GOPs, capped for the platform', () => {
    const compiled = compileRecipe({ ...source, fps: 15 }, recipe({ loudness: null, platform: 'facebook', reframe: { mode: 'crop', aspect: '9:16' } }), '/o.mp4')
    expect(compiled.fps).toBe(24)
    expect(compiled.args.join(' ')).toContain('-profile:v high -pix_fmt yuv420p -g 48 -flags +cgop -maxrate 8000k -bufsize 16000k')
    expect(compiled.args.join(' ')).toContain('-c:a aac -b:a 160k -ar 48000 -movflags +faststart')
    expect(compileRecipe({ ...source, fps: 120 }, recipe({ loudness: null, platform: 'tiktok' }), '/o.mp4').fps).toBe(60)
  })

  it('makes a preview at a third of the size, at most 30 fps, without the loudness pass', () => {
    const compiled = compileRecipe({ ...source, fps: 60 }, recipe({ reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard' }), '/o.mp4', { preview: true })
    expect(compiled).toMatchObject({ width: 360, height: 640, fps: 30 })
    expect(compiled.args).toContain('ultrafast')
    expect(compiled.graph).toContain('loudnorm=I=-14:TP=-1:LRA=11,aresample')
  })
})
