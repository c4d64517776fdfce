// The pure step from every frame's figures to transitions, on made-up frames whose fades, black and dissolves sit on
// known frames. Real clips with real ffmpeg: test/integration/media-analysis.test.ts and bench/shots.ts.
import { describe, expect, it } from 'vitest'
import { shotsOf } from '../../server/services/media/analysis/features'
import type { FrameSample } from '../../server/services/media/analysis/parse'
import { detectTransitions } from '../../server/services/media/analysis/transitions'

const FPS = 30
const at = (frame: number) => Math.round((frame / FPS) * 1e6) / 1e6

/** A picture as the analysis sees it: mean luma, its spread, and how much it moves from frame to frame. */
interface Look { luma: number, spread: number, motion: number }
const bright: Look = { luma: 125, spread: 80, motion: 0.8 }
const other: Look = { luma: 100, spread: 60, motion: 0.5 }
const dark: Look = { luma: 28, spread: 10, motion: 0.1 }
const black: Look = { luma: 16, spread: 0, motion: 0 }

/** Frames of `looks`, one per frame, with scdet's difference worked out from one frame to the next. */
function framesOf(looks: Look[]): FrameSample[] {
  return looks.map((look, index) => {
    const previous = looks[index - 1]
    // Luma moves as scdet sees them (two thirds of the samples are luma, 0–100 scale), plus the picture's own motion.
    const change = previous ? (Math.abs(look.luma - previous.luma) + Math.abs(look.spread - previous.spread) / 2) * (2 / 3) * (100 / 256) : 0
    const wobble = index % 3 === 0 ? 0.05 : 0
    return { time: at(index), difference: index === 0 ? 0 : change + look.motion + wobble, luma: look.luma + wobble, low: Math.max(16, look.luma - look.spread / 2), high: look.luma + look.spread / 2 }
  })
}

const hold = (look: Look, frames: number) => Array.from({ length: frames }, () => look)
/** `frames` steps from one look to another, linear, neither end included. */
function ramp(from: Look, to: Look, frames: number): Look[] {
  return Array.from({ length: frames }, (_, step) => {
    const weight = (step + 1) / (frames + 1)
    const mix = (key: keyof Look) => from[key] * (1 - weight) + to[key] * weight
    return { luma: mix('luma'), spread: mix('spread'), motion: mix('motion') }
  })
}

/** A cross-dissolve: a mix of two unrelated pictures, whose luma spreads less halfway than at either end. */
function dissolve(from: Look, to: Look, frames: number): Look[] {
  return ramp(from, to, frames).map((look, step) => {
    const weight = (step + 1) / (frames + 1)
    return { ...look, spread: Math.hypot((1 - weight) * from.spread, weight * to.spread) }
  })
}

describe('transitions from every frame', () => {
  it('makes a fade through black one transition, from the first dimmed frame to the first whole one', () => {
    // Bright 0–59, fade-out 60–68, black 69–74, fade-in 75–83, other from 84.
    const frames = framesOf([...hold(bright, 60), ...ramp(bright, black, 9), ...hold(black, 6), ...ramp(black, other, 9), ...hold(other, 60)])
    // scdet flagged a fast fade's first step and the last dim step: both belong to the fade.
    const { cuts } = detectTransitions(frames, [{ time: at(60), score: 12 }, { time: at(83), score: 11 }], 10)
    expect(cuts).toEqual([{ time: at(75), score: expect.any(Number), kind: 'fade', start: at(60), end: at(84) }])
    expect(shotsOf(cuts, at(frames.length))).toMatchObject([{ index: 0, start: 0 }, { index: 1, start: at(75), transition: 'fade' }])
  })

  it('measures a fade the same in full-range video, whose black is 0', () => {
    const fullBlack: Look = { luma: 0, spread: 0, motion: 0 }
    const frames = framesOf([...hold(bright, 40), ...ramp(bright, fullBlack, 12), ...hold(fullBlack, 3), ...ramp(fullBlack, other, 6), ...hold(other, 40)])
    expect(detectTransitions(frames, [], 10).cuts).toEqual([{ time: at(55), score: expect.any(Number), kind: 'fade', start: at(40), end: at(61) }])
  })

  it('finds a cut out of black into a dark, flat scene, even out of a single black frame', () => {
    const frames = framesOf([...hold(bright, 40), ...hold(black, 1), ...hold(dark, 40), ...hold(black, 20), ...hold(dark, 40)])
    const { cuts } = detectTransitions(frames, [{ time: at(40), score: 48 }], 10)
    expect(cuts.map(cut => [cut.time, cut.kind])).toEqual([[at(41), 'fade'], [at(101), 'fade']])
    // The second passage is a cut to black and a cut out of it: no fade steps either side.
    expect(cuts[1]).toMatchObject({ start: at(81), end: at(101) })
  })

  it('takes an opening from black and a closing fade as no transition, and says where the picture first shows', () => {
    const frames = framesOf([...hold(black, 10), ...ramp(black, bright, 14), ...hold(bright, 60), ...ramp(bright, black, 14), ...hold(black, 10)])
    const detected = detectTransitions(frames, [{ time: at(10), score: 10.5 }], 10)
    expect(detected.cuts).toEqual([])
    expect(detected.openingEnd).toBe(at(24))
  })

  it('makes a cross-dissolve one transition at its middle', () => {
    // Other 0–59, dissolve 60–74 (15 frames), bright from 75.
    const frames = framesOf([...hold(other, 60), ...dissolve(other, bright, 15), ...hold(bright, 60)])
    const { cuts } = detectTransitions(frames, [], 10)
    expect(cuts).toHaveLength(1)
    expect(cuts[0]).toMatchObject({ kind: 'dissolve', time: at(67) })
    expect(Math.abs(cuts[0]!.start! - at(60))).toBeLessThanOrEqual(1 / FPS + 1e-6)
    expect(Math.abs(cuts[0]!.end! - at(75))).toBeLessThanOrEqual(1 / FPS + 1e-6)
  })

  it('finds a cut between two dark scenes by how it stands out, under the threshold it is given', () => {
    const frames = framesOf([...hold(dark, 40), ...hold({ ...dark, luma: 24, spread: 6 }, 40)])
    expect(detectTransitions(frames, [], 10).cuts).toMatchObject([{ time: at(40), kind: 'cut' }])
    // A strict threshold asks for a difference many more times the frames around it.
    expect(detectTransitions(frames, [], 99).cuts).toEqual([])
  })

  it('reads a camera move that brightens the picture steadily as no dissolve: its contrast never dips', () => {
    const frames = framesOf([...hold(other, 60), ...ramp(other, { ...bright, motion: 0.5 }, 20).map(look => ({ ...look, motion: 2 })), ...hold(bright, 60)])
    expect(detectTransitions(frames, [], 10).cuts).toEqual([])
  })

  it('reads steady motion and a flash (two frames out of line: on, then off) as no cut', () => {
    const moving = Array.from({ length: 120 }, (_, index) => ({ ...bright, motion: 2 + Math.sin(index / 5) }))
    expect(detectTransitions(framesOf(moving), [], 10).cuts).toEqual([])
    const flashed = framesOf([...hold(bright, 40), { ...bright, luma: 200 }, ...hold(bright, 40)])
    expect(detectTransitions(flashed, [], 10).cuts).toEqual([])
  })

  it('keeps scdet\'s cuts as they are when no frame figures came (and analyses stored before kinds read as cuts)', () => {
    expect(detectTransitions([], [{ time: 2, score: 30 }], 10).cuts).toEqual([{ time: 2, score: 30, kind: 'cut' }])
    expect(shotsOf([{ time: 2, score: 30 }], 4)).toEqual([{ index: 0, start: 0, end: 2 }, { index: 1, start: 2, end: 4 }])
  })
})
