// Ground truth for shot detection: clips whose transitions are known to the frame (made by generateClip), and
// the score of what an analysis found against them. Shared by the integration test and bench/shots.ts.
import type { ClipSpec, GeneratedTransition } from './media'

export interface ShotScore {
  truePositives: number
  falsePositives: number
  falseNegatives: number
  precision: number
  recall: number
  f1: number
  /** Each truth that was missed, and each find that matched nothing, for the report. */
  missed: GeneratedTransition[]
  extra: number[]
}

/**
 * Matches found boundaries to true ones one to one, each within `toleranceFrames` frames of a true transition's
 * `time` (where the incoming shot starts), nearest first.
 */
export function scoreTransitions(truth: GeneratedTransition[], found: number[], fps: number, toleranceFrames = 1): ShotScore {
  // ffmpeg prints frame times to 6 significant digits; a millisecond covers that rounding, not another frame.
  const tolerance = toleranceFrames / fps + 1e-3
  const pairs = truth.flatMap((expected, truthIndex) => found.map((time, foundIndex) => ({ truthIndex, foundIndex, distance: Math.abs(time - expected.time) })))
    .filter(pair => pair.distance <= tolerance)
    .sort((a, b) => a.distance - b.distance)
  const matchedTruth = new Set<number>()
  const matchedFound = new Set<number>()
  for (const pair of pairs) {
    if (matchedTruth.has(pair.truthIndex) || matchedFound.has(pair.foundIndex)) continue
    matchedTruth.add(pair.truthIndex)
    matchedFound.add(pair.foundIndex)
  }
  const truePositives = matchedTruth.size
  const falsePositives = found.length - matchedFound.size
  const falseNegatives = truth.length - truePositives
  const precision = found.length ? truePositives / found.length : 1
  const recall = truth.length ? truePositives / truth.length : 1
  return {
    truePositives,
    falsePositives,
    falseNegatives,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    missed: truth.filter((_, index) => !matchedTruth.has(index)),
    extra: found.filter((_, index) => !matchedFound.has(index)),
  }
}

/** Adds up scores over several clips (micro-averaged: every transition counts once). */
export function totalScore(scores: ShotScore[]): Omit<ShotScore, 'missed' | 'extra'> {
  const truePositives = scores.reduce((sum, score) => sum + score.truePositives, 0)
  const falsePositives = scores.reduce((sum, score) => sum + score.falsePositives, 0)
  const falseNegatives = scores.reduce((sum, score) => sum + score.falseNegatives, 0)
  const precision = truePositives + falsePositives ? truePositives / (truePositives + falsePositives) : 1
  const recall = truePositives + falseNegatives ? truePositives / (truePositives + falseNegatives) : 1
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0 }
}

export type ShotCase = { name: string, spec: Omit<ClipSpec, 'width' | 'height' | 'fps'> }

const DARK = { dark: true }
// Two looks of one source: a cut between them is a real cut that changes little.
const SIMILAR_A = 'testsrc2=s={size}:r={fps}'
const SIMILAR_B = 'testsrc2=s={size}:r={fps},hue=h=35,eq=brightness=0.04'
// A slow push-in on one picture: steady motion that must not read as a transition.
const PUSH_IN = 'mandelbrot=s={size}:r={fps}'
// A camera pan that starts and stops between 1 s and 3 s, across a picture twice the frame's size.
const PAN = 'testsrc2=s=1280x720:r={fps},crop=w=640:h=360:x=\'min(max(t-1,0),2)*300\':y=180,scale={size}'

/**
 * The clips transitions are scored on. `small` is the integration test's subset; the bench runs them all.
 * Every kind is here: hard cuts, fades through black of several lengths (with and without a black hold, a
 * fade on one side only), dissolves, cuts out of black into a dark, flat scene, and cuts between look-alikes.
 */
export function shotCases(size: 'small' | 'all'): ShotCase[] {
  const cases: (ShotCase & { small?: boolean })[] = [
    { name: 'hard cuts', small: true, spec: { shots: [1.2, 0.7, 1.6, 1, 1.3, 0.9] } },
    {
      name: 'four shots joined by fades through black', small: true,
      spec: { shots: [2, 2, 2, { seconds: 2, ...DARK }], transitions: [{ kind: 'fade', out: 0.5, in: 0.5 }, { kind: 'fade', out: 0.3, hold: 0.2, in: 0.3 }, { kind: 'fade', out: 0.5, hold: 0.1, in: 0.5 }] },
    },
    {
      name: 'short and long fades', spec: { shots: [1.5, 2, 2.5, 1.5], transitions: [{ kind: 'fade', out: 0.1, in: 0.1 }, { kind: 'fade', out: 1, hold: 0.3, in: 1 }, { kind: 'fade', out: 0.2, in: 0.6 }] },
    },
    {
      name: 'fades on one side only', spec: { shots: [1.5, 1.5, 1.5], transitions: [{ kind: 'fade', out: 0.4, hold: 0.2 }, { kind: 'fade', hold: 0.3, in: 0.4 }] },
    },
    {
      name: 'out of black into a dark, flat scene', small: true,
      spec: { shots: [1.5, { seconds: 1.5, ...DARK }, 1, { seconds: 1.5, ...DARK }], transitions: [{ kind: 'fade', hold: 1 / 30 }, { kind: 'cut' }, { kind: 'fade', out: 0.3, hold: 0.5 }] },
    },
    { name: 'a cross-dissolve', small: true, spec: { shots: [1.5, 1.5, 1.5], transitions: [{ kind: 'dissolve', seconds: 0.5 }, { kind: 'cut' }] } },
    { name: 'a long dissolve', spec: { shots: [2, 2.5], transitions: [{ kind: 'dissolve', seconds: 1 }] } },
    {
      name: 'cuts between look-alike shots', small: true,
      spec: { shots: [{ seconds: 1, source: SIMILAR_A }, { seconds: 1, source: SIMILAR_B }, { seconds: 1, source: SIMILAR_A }, { seconds: 1, source: SIMILAR_B }] },
    },
    { name: 'one moving shot', spec: { shots: [{ seconds: 4, source: PUSH_IN }] } },
    { name: 'a pan that starts and stops', spec: { shots: [{ seconds: 4, source: PAN }] } },
    {
      name: 'dark scenes cut together', spec: { shots: [{ seconds: 1, ...DARK }, { seconds: 1.2, ...DARK }, { seconds: 1, ...DARK }] },
    },
  ]
  return cases.filter(entry => size === 'all' || entry.small).map(({ name, spec }) => ({ name, spec }))
}
