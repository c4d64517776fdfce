import { describe, expect, it } from 'vitest'
import { RecipeError } from '../../server/services/media/render/compile'
import { parsePeakLevel, parseSilences, peakLevelCommand, removeSilences, silenceDetectCommand, silenceRange } from '../../server/services/media/render/silence'
import { editRecipeSchema, silenceSchema } from '#shared/recipe'

const source = { path: '/in/footage.mp4', width: 1920, height: 1080, durationSeconds: 20, fps: 30, hasAudio: true }
const recipe = (input: object) => editRecipeSchema.parse(input)
const defaults = silenceSchema.parse({})
const FRAME = 1 / 30
const rounded = (spans: { start: number, end: number }[]) => spans.map(span => ({ start: Number(span.start.toFixed(6)), end: Number(span.end.toFixed(6)) }))

describe('silence detection command', () => {
  it('reads the first audio stream within the trim, at the threshold and shortest silence asked, with no shell', () => {
    const args = silenceDetectCommand(source, recipe({ trim: { start: 2.5, end: 12 }, silence: { thresholdDb: -30, minSilenceSeconds: 0.6 } }))!
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 6)).toEqual(['-ss', '2.5', '-t', '9.5', '-i', '/in/footage.mp4'])
    expect(args).toContain('0:a:0')
    expect(args[args.indexOf('-af') + 1]).toBe('silencedetect=noise=-30dB:duration=0.6')
    expect(args.slice(-3)).toEqual(['-f', 'null', '-'])
  })

  it('makes the threshold relative to the measured peak, as auto-editor does, and runs to the end of the footage without a trim end', () => {
    const args = silenceDetectCommand(source, recipe({ silence: {} }), -6.5)!
    expect(args[args.indexOf('-af') + 1]).toBe('silencedetect=noise=-34.5dB:duration=0.6')
    expect(args.slice(args.indexOf('-ss'), args.indexOf('-ss') + 4)).toEqual(['-ss', '0', '-t', '20'])
    // A peak above full scale (float audio) or none at all (digital silence) falls back to full scale.
    expect(silenceDetectCommand(source, recipe({ silence: {} }), -Infinity)).toContain('silencedetect=noise=-28dB:duration=0.6')
    expect(silenceDetectCommand(source, recipe({ silence: {} }), 1.5)).toContain('silencedetect=noise=-28dB:duration=0.6')
  })

  it('is null when silence removal is off or there is no audio', () => {
    expect(silenceDetectCommand(source, recipe({}))).toBeNull()
    expect(silenceDetectCommand({ ...source, hasAudio: false }, recipe({ silence: {} }))).toBeNull()
    expect(peakLevelCommand(source, recipe({}))).toBeNull()
    expect(() => silenceDetectCommand(source, recipe({ trim: { start: 25 }, silence: {} }))).toThrow(RecipeError)
  })

  it('measures the peak of the same range and reads it back', () => {
    const args = peakLevelCommand(source, recipe({ trim: { start: 1, end: 4 }, silence: {} }))!
    expect(args).toEqual(expect.arrayContaining(['-ss', '1', '-t', '3', 'astats=measure_perchannel=none:measure_overall=Peak_level']))
    expect(parsePeakLevel(['[Parsed_astats_0 @ 0x5631] Overall', '[Parsed_astats_0 @ 0x5631] Peak level dB: -4.281906'])).toBeCloseTo(-4.281906, 6)
    expect(parsePeakLevel(['[Parsed_astats_0 @ 0x5631] Peak level dB: -inf'])).toBe(-Infinity)
    expect(() => parsePeakLevel(['size=N/A time=00:00:03.00'])).toThrow(RecipeError)
  })
})

describe('parsing silencedetect', () => {
  const lines = [
    'Input #0, mov,mp4,m4a,3gp,3g2,mj2, from \'/in/footage.mp4\':',
    '[silencedetect @ 0x55891c19a000] silence_start: 0',
    '[silencedetect @ 0x55891c19a000] silence_end: 1.00002 | silence_duration: 1.00002',
    '[silencedetect @ 0x55891c19a000] silence_start: 3.99998',
    '[silencedetect @ 0x55891c19a000] silence_end: 5.50012 | silence_duration: 1.50015',
    'size=N/A time=00:00:09.50 bitrate=N/A speed= 412x',
    '[silencedetect @ 0x55891c19a000] silence_start: 8.4999',
  ]

  it('gives source seconds: the trim start added back, a silence left open running to the end of the range', () => {
    expect(rounded(parseSilences(lines, { start: 2.5, end: 12 }))).toEqual([
      { start: 2.5, end: 3.50002 },
      { start: 6.49998, end: 8.00012 },
      { start: 10.9999, end: 12 },
    ])
  })

  it('clips to the range: AAC padding can run a closing silence_end past the end', () => {
    const closed = [...lines, '[silencedetect @ 0x55891c19a000] silence_end: 9.50667 | silence_duration: 1.00677']
    expect(parseSilences(closed, { start: 0, end: 9.5 }).at(-1)).toEqual({ start: 8.4999, end: 9.5 })
    expect(parseSilences(['silence_start: 1e-05', 'silence_end: 2.5'], { start: 0, end: 4 })).toEqual([{ start: 1e-5, end: 2.5 }])
    expect(parseSilences([], { start: 0, end: 4 })).toEqual([])
  })
})

describe('removing silences', () => {
  it('cuts each silence with the margin kept next to the sound, on frame boundaries', () => {
    const kept = removeSilences([{ start: 0, end: 10 }], [{ start: 2, end: 4 }, { start: 6, end: 7.5 }], defaults)
    expect(rounded(kept)).toEqual([{ start: 0, end: 2.2 }, { start: 3.8, end: 6.2 }, { start: 7.3, end: 10 }])
    // A margin as wide as the silence leaves nothing to cut.
    expect(removeSilences([{ start: 0, end: 10 }], [{ start: 2, end: 3 }], { ...defaults, marginSeconds: 0.5 })).toEqual([{ start: 0, end: 10 }])
  })

  it('rounds cuts towards the silence, so the margin is never less than asked', () => {
    const kept = removeSilences([{ start: 0, end: 10 }], [{ start: 2.01, end: 4.01 }], defaults, FRAME)
    expect(kept[0]!.end).toBeGreaterThanOrEqual(2.21)
    expect(kept[1]!.start).toBeLessThanOrEqual(3.81)
    expect(Math.abs(kept[0]!.end * 30 - Math.round(kept[0]!.end * 30))).toBeLessThan(1e-6)
    // At 25 fps the grid is 40 ms.
    expect(rounded(removeSilences([{ start: 0, end: 10 }], [{ start: 2.01, end: 4.01 }], defaults, 1 / 25))).toEqual([{ start: 0, end: 2.24 }, { start: 3.8, end: 10 }])
  })

  it('leaves silences shorter than the minimum in, allowing for silencedetect rounding the length', () => {
    const kept = removeSilences([{ start: 0, end: 10 }], [{ start: 2, end: 2.55 }, { start: 5, end: 5.599995 }], defaults)
    expect(rounded(kept)).toEqual([{ start: 0, end: 5.2 }, { start: 5.366667, end: 10 }])
    expect(removeSilences([{ start: 0, end: 10 }], [{ start: 2, end: 2.45 }], { ...defaults, minSilenceSeconds: 0.5 })).toEqual([{ start: 0, end: 10 }])
  })

  it('cuts a leading and a trailing silence up to the edge: there is no sound on that side to keep a margin for', () => {
    const kept = removeSilences([{ start: 0, end: 10 }], [{ start: 0, end: 1.5 }, { start: 8.5, end: 10 }], defaults)
    expect(rounded(kept)).toEqual([{ start: 1.3, end: 8.7 }])
  })

  it('cuts within each part of a cut list, in order', () => {
    // What the compiler keeps of trim 1–15 and the cut list 0–4, 13.01–14, 9–12 (played in that order).
    const segments = [{ start: 1, end: 4 }, { start: 13.01, end: 14 }, { start: 9, end: 12 }]
    const silences = [{ start: 3, end: 9.5 }, { start: 11.2, end: 11.95 }, { start: 13.02, end: 14.5 }]
    // The silence across the first part's end is cut to that end, and from the third part's start; the second part
    // keeps its 10 ms of sound and the margin after it, rounded out to a frame.
    expect(rounded(removeSilences(segments, silences, defaults))).toEqual([
      { start: 1, end: 3.2 },
      { start: 13.01, end: 13.233333 },
      { start: 9.3, end: 11.4 },
      { start: 11.733333, end: 12 },
    ])
  })

  it('drops what is left shorter than a frame', () => {
    const kept = removeSilences([{ start: 0, end: 2 }, { start: 5.01, end: 6 }], [{ start: 5.02, end: 6 }], { ...defaults, marginSeconds: 0 })
    expect(kept).toEqual([{ start: 0, end: 2 }])
  })

  it('refuses to return nothing: all silent is an error a user can act on', () => {
    expect(() => removeSilences([{ start: 0, end: 10 }], [{ start: 0, end: 10 }], defaults)).toThrow(new RecipeError('The footage is silent at −28 dB: lower the threshold or turn silence removal off.'))
    expect(() => removeSilences([{ start: 0, end: 4 }, { start: 6, end: 8 }], [{ start: 0, end: 4.02 }, { start: 5.9, end: 8 }], { ...defaults, thresholdDb: -40 })).toThrow(/silent at −40 dB/)
  })
})

describe('the analysed range', () => {
  it('is the trim within the footage', () => {
    expect(silenceRange(source, recipe({ trim: { start: 3 } }))).toEqual({ start: 3, end: 20 })
    expect(silenceRange(source, recipe({ trim: { start: 3, end: 40 } }))).toEqual({ start: 3, end: 20 })
  })
})
