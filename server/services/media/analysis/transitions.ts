// From every frame's difference and luma to the transitions between shots: hard cuts (scdet's, and spikes that stand
// out from their neighbours, such as a cut between two dark scenes), passages through black (fade-out, black, fade-in,
// each possibly absent) and cross-dissolves. A gradual transition is one entry with its start and end, so a fade
// never reads as several cuts. Pure: unit tests drive it with made-up frames.
import type { Cut } from '#shared/analysis'
import type { FrameSample } from './parse'

/** 90th-percentile luma (8-bit) at or under which a frame is black: limited-range black is 16, plus noise. */
export const BLACK_LUMA = 20
/** Mean luma within this much of a black run's darkest frame is still black (sensor and encoder noise). */
const BLACK_NOISE = 0.12
/** A spike (a cut scdet scored under its threshold) differs from the frame before by at least this much (scdet's 0–100). */
const SPIKE_MIN_DIFFERENCE = 1
const NEIGHBOURS = 5
const DISSOLVE_MIN_FRAMES = 4
const DISSOLVE_MAX_FRAMES = 90
const BASELINE_WINDOW = 45
const BASELINE_STEP = 5
/** Luma levels (mean, 10th and 90th percentile moves added up) a dissolve changes at least. */
const DISSOLVE_MIN_LOOK_CHANGE = 12
/** Most a dissolve's middle spreads its luma (10th to 90th percentile), as a share of its two ends' average. */
const DISSOLVE_SPREAD_DIP = 0.92

export interface DetectedTransitions {
  cuts: Cut[]
  /** Where the picture first shows after an opening black or fade-in (0 when it opens on a picture). */
  openingEnd: number
}

const round = (value: number) => Math.round(value * 1e6) / 1e6

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

interface Span { start: number, end: number }

// Steps are luma differences, so they hold for limited-range black (16) and full-range black (0) alike.
const level = (frame: FrameSample) => frame.luma

/**
 * Runs of black frames and the fades on either side: walks out from the black while each step keeps at least a
 * third of the step that entered (or left) it, which a linear or eased fade does and a steady picture does not.
 */
function blackPassages(frames: FrameSample[]): { run: Span, span: Span }[] {
  const passages: { run: Span, span: Span }[] = []
  for (let index = 0; index < frames.length; index++) {
    if (frames[index]!.high > BLACK_LUMA) continue
    const runStart = index
    while (index + 1 < frames.length && frames[index + 1]!.high <= BLACK_LUMA) index++
    // The black itself is the darkest frames of the run; the faint first steps of a fade into a dark scene are not.
    const run = frames.slice(runStart, index + 1)
    const darkest = Math.min(...run.map(frame => frame.luma)) + BLACK_NOISE
    const first = runStart + run.findIndex(frame => frame.luma <= darkest)
    const last = runStart + run.findLastIndex(frame => frame.luma <= darkest)
    let start = first
    if (first > 0) {
      const step = level(frames[first - 1]!) - level(frames[first]!)
      const floor = Math.max(0.1, step / 3)
      // Ends on the first dimmed frame: the one darker than the frame before it by a fade's step.
      while (start - 2 >= 0 && level(frames[start - 2]!) - level(frames[start - 1]!) >= floor) start--
    }
    let end = last
    if (last + 1 < frames.length) {
      end = last + 1
      const step = level(frames[last + 1]!) - level(frames[last]!)
      const floor = Math.max(0.1, step / 3)
      while (end + 1 < frames.length && level(frames[end + 1]!) - level(frames[end]!) >= floor) end++
    }
    passages.push({ run: { start: first, end: last }, span: { start, end } })
  }
  return passages
}

/** Sum of the moves in mean, 10th and 90th percentile luma between two frames: how different two pictures look. */
const lookChange = (a: FrameSample, b: FrameSample) => Math.abs(a.luma - b.luma) + Math.abs(a.low - b.low) + Math.abs(a.high - b.high)

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, offset) => from + offset)

/** Frames whose difference stands out: ratio to the median of the frames around them (the frame after excluded). */
function spikes(frames: FrameSample[], ratio: number): { index: number, score: number }[] {
  const found: { index: number, score: number }[] = []
  for (let index = 1; index < frames.length; index++) {
    const difference = frames[index]!.difference
    if (difference < SPIKE_MIN_DIFFERENCE) continue
    // A flash lights two frames in a row (on, then off); a cut changes once.
    const next = frames[index + 1]?.difference ?? 0
    const previous = frames[index - 1]!.difference
    if (next > difference / 2 || previous > difference / 2) continue
    const around = [
      ...range(Math.max(1, index - NEIGHBOURS), index),
      ...range(index + 2, Math.min(frames.length, index + 2 + NEIGHBOURS)),
    ]
    const score = difference / Math.max(0.1, median(around.map(at => frames[at]!.difference)))
    // A cut between look-alike shots (one scene, another colour or angle) moves little, but moves the whole luma
    // distribution in one step, which motion and fades do a little at a time.
    const step = lookChange(frames[index - 1]!, frames[index]!)
    const stepScore = step / Math.max(0.2, median(around.map(at => lookChange(frames[at - 1]!, frames[at]!))))
    if (score >= ratio || (score >= ratio / 2 && step >= 3 && stepScore >= ratio * 2)) found.push({ index, score })
  }
  return found
}

/**
 * Cross-dissolves: a run of frames that each differ a little more than the shot around them (the twin comparison),
 * widened to where the brightness stops moving one way, that adds up to a change of picture and dips in contrast
 * halfway (two pictures mixed), which a camera move does not.
 */
function dissolves(frames: FrameSample[], cutThreshold: number, excluded: Span[]): Span[] {
  const found: Span[] = []
  // The shot's own frame difference around each frame: a median over three seconds, which a dissolve of up to a
  // second and a half cannot move; worked out every few frames, as it changes slowly.
  const baselines: number[] = []
  const baselineAt = (at: number) => {
    const slot = Math.floor(at / BASELINE_STEP)
    baselines[slot] ??= median(frames.slice(Math.max(1, slot * BASELINE_STEP - BASELINE_WINDOW), slot * BASELINE_STEP + BASELINE_WINDOW).map(frame => frame.difference))
    return baselines[slot]!
  }
  const raised = (at: number) => frames[at]!.difference > Math.max(baselineAt(at) + 0.25, baselineAt(at) * 1.25)
  let index = 1
  while (index < frames.length) {
    if (!raised(index)) {
      index++
      continue
    }
    let start = index
    while (index + 1 < frames.length && raised(index + 1)) index++
    let end = index
    index++
    if (end - start + 1 < DISSOLVE_MIN_FRAMES) continue
    // Widened along the brightness ramp: each step at least a third of the run's median step, the same way.
    const steps = frames.slice(start + 1, end + 1).map((frame, at) => frame.luma - frames[start + at]!.luma)
    const typical = median(steps)
    const floor = Math.abs(typical) / 3
    const along = (from: FrameSample, to: FrameSample) => Math.sign(to.luma - from.luma) === Math.sign(typical) && Math.abs(to.luma - from.luma) >= floor
    while (start - 1 >= 1 && along(frames[start - 1]!, frames[start]!) && end - start < DISSOLVE_MAX_FRAMES) start--
    while (end + 1 < frames.length && along(frames[end]!, frames[end + 1]!) && end - start < DISSOLVE_MAX_FRAMES) end++
    index = Math.max(index, end + 1)
    if (end - start + 1 > DISSOLVE_MAX_FRAMES || start < 1) continue
    const run = frames.slice(start, end + 1)
    const floorDifference = baselineAt(start)
    const excess = run.reduce((sum, frame) => sum + Math.max(0, frame.difference - floorDifference), 0)
    if (excess < cutThreshold / 2) continue
    // Steady: no frame carries the change alone (that is a cut, with motion around it).
    if (Math.max(...run.map(frame => frame.difference - floorDifference)) > excess / 2) continue
    const rising = steps.filter(step => step > 0).length
    if (Math.max(rising, steps.length - rising) < steps.length * 0.75) continue
    if (lookChange(frames[start - 1]!, frames[end]!) < DISSOLVE_MIN_LOOK_CHANGE) continue
    // Halfway, a mix of two unrelated pictures spreads its luma less than either (their details average out);
    // a camera move shows a whole picture at every step.
    const spread = (frame: FrameSample) => frame.high - frame.low
    const middle = frames[Math.round((start + end) / 2)]!
    if (spread(middle) > DISSOLVE_SPREAD_DIP * (spread(frames[start - 1]!) + spread(frames[end]!)) / 2) continue
    if (excluded.some(span => start <= span.end + 1 && end >= span.start - 1)) continue
    found.push({ start, end })
  }
  return found
}

/** Every transition, in time order. `scdetCuts` are scdet's (score at or above the threshold). */
export function detectTransitions(frames: FrameSample[], scdetCuts: Cut[], cutThreshold: number): DetectedTransitions {
  if (frames.length < 2) return { cuts: scdetCuts.map(cut => ({ ...cut, kind: 'cut' })), openingEnd: 0 }
  const frameSeconds = median(frames.slice(1, 50).map((frame, index) => frame.time - frames[index]!.time)) || 1 / 30
  const indexAt = (time: number) => {
    let best = 0
    for (let index = 0; index < frames.length; index++) if (Math.abs(frames[index]!.time - time) < Math.abs(frames[best]!.time - time)) best = index
    return best
  }
  const passages = blackPassages(frames)
  const transitions: Cut[] = []
  const taken: Span[] = []
  let openingEnd = 0
  for (const { run, span } of passages) {
    taken.push(span)
    if (run.start === 0) {
      openingEnd = frames[span.end]!.time
      continue
    }
    // Black at the end closes the video; only black with pictures on both sides joins two shots.
    if (run.end >= frames.length - 1) continue
    const difference = frames.slice(span.start, span.end + 1).reduce((sum, frame) => sum + frame.difference, 0)
    transitions.push({
      time: round(frames[run.end + 1]!.time),
      score: Math.round(Math.min(100, difference) * 1000) / 1000,
      kind: 'fade',
      start: round(frames[span.start]!.time),
      end: round(frames[span.end]!.time),
    })
  }
  for (const span of dissolves(frames, cutThreshold, taken)) {
    taken.push(span)
    const difference = frames.slice(span.start, span.end + 1).reduce((sum, frame) => sum + frame.difference, 0)
    transitions.push({
      time: round(frames[Math.round((span.start + span.end) / 2)]!.time),
      score: Math.round(Math.min(100, difference) * 1000) / 1000,
      kind: 'dissolve',
      start: round(frames[span.start]!.time),
      end: round(frames[span.end]!.time),
    })
  }
  // A hard cut inside a fade or a dissolve (into black, or a fast fade's first step) belongs to it.
  const inside = (index: number) => taken.some(span => index >= span.start - 1 && index <= span.end + 1)
  const hard: Cut[] = []
  for (const cut of scdetCuts) {
    if (!inside(indexAt(cut.time))) hard.push({ ...cut, kind: 'cut' })
  }
  const hardIndexes = new Set(hard.map(cut => indexAt(cut.time)))
  for (const spike of spikes(frames, cutThreshold / 2)) {
    if (inside(spike.index) || [-1, 0, 1].some(offset => hardIndexes.has(spike.index + offset))) continue
    hard.push({ time: round(frames[spike.index]!.time), score: Math.round(frames[spike.index]!.difference * 1000) / 1000, kind: 'cut' })
  }
  const cuts = [...transitions, ...hard].sort((a, b) => a.time - b.time)
  // Two transitions within a frame of each other are one.
  const merged = cuts.filter((cut, index) => index === 0 || cut.time - cuts[index - 1]!.time > frameSeconds * 1.5)
  return { cuts: merged, openingEnd }
}
