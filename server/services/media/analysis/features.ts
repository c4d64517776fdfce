// From measurements to the features a strategy can use, and from features to named pattern buckets
// ("hook.first_cut<=1s") with a sentence a creator understands. Pure: the worker, the CLI and tests share it.
import type { Curve, Interval, Shot, Timeline, VideoFeatures } from '#shared/analysis'
import { formatRatio } from '#shared/measurements'
import type { Cut, LoudnessSample, Measurements, MotionSample } from './parse'
import { detectTransitions } from './transitions'

export type { Curve, Shot, Timeline, VideoFeatures }

export interface PatternMatch {
  key: string
  kind: 'hook' | 'pacing' | 'audio' | 'duration' | 'format' | 'visual'
  label: string
  /** The plain sentence for this video, e.g. "first cut at 0.8 s: a fast hook". */
  note: string
  value: Record<string, number | string | boolean | null>
}

const MOMENTARY_WINDOW_SECONDS = 0.4
const SHORT_TERM_WINDOW_SECONDS = 3

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const mean = (values: number[]) => values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0

// Loudness is averaged as energy, not as decibels.
function energyMeanDb(levels: number[]): number | null {
  if (levels.length === 0) return null
  return 10 * Math.log10(mean(levels.map(level => 10 ** (level / 10))))
}

const aspectClasses: [string, number][] = [['9:16', 9 / 16], ['3:4', 3 / 4], ['4:5', 4 / 5], ['1:1', 1], ['4:3', 4 / 3], ['16:9', 16 / 9]]

export function aspectClassOf(ratio: number): string {
  const [name, target] = aspectClasses.reduce((best, candidate) => Math.abs(candidate[1] - ratio) < Math.abs(best[1] - ratio) ? candidate : best)
  return Math.abs(target - ratio) / target <= 0.06 ? name : 'other'
}

export function durationBucketOf(seconds: number): string {
  if (seconds < 15) return '<15s'
  if (seconds < 30) return '15-30s'
  if (seconds < 60) return '30-60s'
  if (seconds < 90) return '60-90s'
  return '90s+'
}

/** Shots between the transitions; each after the first says how it began (absent before reelwise-analysis/2). */
export function shotsOf(cuts: Cut[], durationSeconds: number): Shot[] {
  const inside = cuts.filter(cut => cut.time > 0 && cut.time < durationSeconds)
  const bounds = [0, ...inside.map(cut => cut.time), durationSeconds]
  return bounds.slice(0, -1).map((start, index) => {
    const shot: Shot = { index, start: round(start), end: round(bounds[index + 1]!) }
    const kind = inside[index - 1]?.kind
    if (kind) shot.transition = kind
    return shot
  })
}

function totalLength(intervals: Interval[]): number {
  return intervals.reduce((sum, interval) => sum + Math.max(0, interval.end - interval.start), 0)
}

/** Averages samples into at most `maxPoints` buckets, so a long video still draws a light chart. */
export function resample<T extends { time: number }>(samples: T[], durationSeconds: number, value: (sample: T) => number, options: { maxPoints: number, minInterval: number, energy?: boolean }): Curve {
  const interval = round(Math.max(options.minInterval, durationSeconds / options.maxPoints), 4)
  const buckets: number[][] = Array.from({ length: Math.max(1, Math.ceil(durationSeconds / interval)) }, () => [])
  for (const sample of samples) {
    const index = Math.min(buckets.length - 1, Math.max(0, Math.floor(sample.time / interval)))
    buckets[index]!.push(value(sample))
  }
  return {
    interval,
    values: buckets.map((bucket) => {
      if (bucket.length === 0) return null
      return round((options.energy ? energyMeanDb(bucket)! : mean(bucket)), 2)
    }),
  }
}

export function deriveFeatures(measurements: Measurements, video: { durationSeconds: number, displayAspect: number, hasAudio: boolean }, hookWindowSeconds: number, cutThreshold = 10): { features: VideoFeatures, timeline: Timeline, openingEnd: number } {
  const duration = video.durationSeconds
  // Fades and dissolves come from every frame's figures; scdet's cuts are kept unless a gradual transition holds them.
  const detected = detectTransitions(measurements.frames, measurements.cuts, cutThreshold)
  const cuts = detected.cuts.filter(cut => cut.time > 0 && cut.time < duration)
  const shots = shotsOf(cuts, duration)
  const hookCuts = cuts.filter(cut => cut.time < hookWindowSeconds)
  const inHook = (sample: { time: number }) => sample.time <= hookWindowSeconds
  const loudness = measurements.loudness
  const motion: MotionSample[] = measurements.motion

  // ebur128 prints a floor value until a window has filled; those samples measure nothing.
  const momentary = loudness?.samples.filter(sample => sample.time >= MOMENTARY_WINDOW_SECONDS) ?? []
  const shortTerm = loudness?.samples.filter(sample => sample.time >= SHORT_TERM_WINDOW_SECONDS) ?? []
  let hookLoudnessDeltaLu: number | null = null
  if (loudness && duration > hookWindowSeconds + 1) {
    const hook = energyMeanDb(momentary.filter(inHook).map(sample => sample.momentary))
    const rest = energyMeanDb(momentary.filter(sample => !inHook(sample)).map(sample => sample.momentary))
    if (hook !== null && rest !== null && hook > -70 && rest > -70) hookLoudnessDeltaLu = round(hook - rest, 2)
  }
  const hookMotion = mean(motion.filter(inHook).map(sample => sample.motion))
  const restMotion = mean(motion.filter(sample => !inHook(sample)).map(sample => sample.motion))

  const features: VideoFeatures = {
    durationSeconds: round(duration),
    durationBucket: durationBucketOf(duration),
    aspectRatio: round(video.displayAspect, 4),
    aspectClass: aspectClassOf(video.displayAspect),
    hasAudio: video.hasAudio,
    cutCount: cuts.length,
    shotCount: shots.length,
    cutsPerMinute: round(cuts.length / (duration / 60), 2),
    medianShotSeconds: round(median(shots.map(shot => shot.end - shot.start))),
    firstCutSeconds: cuts[0] ? round(cuts[0].time) : null,
    hookCutCount: hookCuts.length,
    hookCutsPerSecond: round(hookCuts.length / Math.min(hookWindowSeconds, duration), 3),
    integratedLufs: loudness?.integratedLufs ?? null,
    loudnessRangeLu: loudness?.rangeLu ?? null,
    truePeakDbtp: loudness?.truePeakDbtp ?? null,
    hookLoudnessDeltaLu,
    silenceRatio: video.hasAudio ? round(totalLength(measurements.silences) / duration, 4) : null,
    silenceCount: measurements.silences.length,
    longestSilenceSeconds: round(Math.max(0, ...measurements.silences.map(silence => silence.end - silence.start))),
    meanMotion: round(mean(motion.map(sample => sample.motion))),
    hookMotionRatio: restMotion > 0 && duration > hookWindowSeconds + 1 ? round(hookMotion / restMotion, 3) : null,
    blackRatio: round(totalLength(measurements.blackIntervals) / duration, 4),
  }
  const curveOptions = { maxPoints: 600, minInterval: 0.2 }
  const timeline: Timeline = {
    cuts,
    shots,
    silences: measurements.silences,
    blackIntervals: measurements.blackIntervals,
    loudnessCurve: loudness
      ? resample<LoudnessSample>(momentary, duration, sample => sample.momentary, { ...curveOptions, energy: true })
      : null,
    shortTermCurve: loudness
      ? resample<LoudnessSample>(shortTerm, duration, sample => sample.shortTerm, { ...curveOptions, energy: true })
      : null,
    motionCurve: resample(motion, duration, sample => sample.motion, curveOptions),
  }
  return { features, timeline, openingEnd: detected.openingEnd }
}

const seconds = (value: number) => `${value.toFixed(1)} s`

/** The pattern buckets a video falls in. Bucket edges are fixed, so buckets compare across videos and thresholds. */
export function matchPatterns(features: VideoFeatures): PatternMatch[] {
  const matches: PatternMatch[] = []
  const first = features.firstCutSeconds
  if (first !== null && first <= 1) {
    matches.push({ key: 'hook.first_cut<=1s', kind: 'hook', label: 'First cut within 1 s', note: `first cut at ${seconds(first)}: a fast hook`, value: { firstCutSeconds: first } })
  }
  else if (first !== null && first <= 3) {
    matches.push({ key: 'hook.first_cut=1-3s', kind: 'hook', label: 'First cut at 1–3 s', note: `first cut at ${seconds(first)}: a steady hook`, value: { firstCutSeconds: first } })
  }
  else {
    matches.push({ key: 'hook.first_cut>3s', kind: 'hook', label: 'No cut in the first 3 s', note: first === null ? 'one continuous shot: the opening has to hold attention by itself' : `first cut at ${seconds(first)}: a slow, single-shot opening`, value: { firstCutSeconds: first } })
  }
  if (features.hookCutCount >= 2) {
    matches.push({ key: 'hook.cuts_3s>=2', kind: 'hook', label: 'Two or more cuts in the first 3 s', note: `${features.hookCutCount} cuts in the first 3 s: a rapid-fire opening`, value: { hookCutCount: features.hookCutCount } })
  }

  const pace = features.cutsPerMinute
  const [paceKey, paceWords] = pace < 10 ? ['<10', 'slow pacing, long takes'] : pace < 20 ? ['10-20', 'steady pacing'] : pace < 40 ? ['20-40', 'fast pacing'] : ['40+', 'very fast, montage-like pacing']
  matches.push({ key: `pacing.cuts_per_min=${paceKey}`, kind: 'pacing', label: `${paceKey} cuts per minute`, note: `${pace.toFixed(1)} cuts per minute: ${paceWords}`, value: { cutsPerMinute: pace } })
  const shot = features.medianShotSeconds
  const [shotKey, shotLabel] = shot <= 1.5 ? ['<=1.5s', '≤ 1.5 s'] : shot <= 3 ? ['=1.5-3s', '1.5–3 s'] : shot <= 6 ? ['=3-6s', '3–6 s'] : ['>6s', '> 6 s']
  matches.push({ key: `pacing.median_shot${shotKey}`, kind: 'pacing', label: `Median shot ${shotLabel}`, note: `shots last ${seconds(shot)} at the median`, value: { medianShotSeconds: shot } })

  if (!features.hasAudio) {
    matches.push({ key: 'audio.none', kind: 'audio', label: 'No audio track', note: 'no audio track: it relies on on-screen text or added music', value: { hasAudio: false } })
  }
  else {
    const ratio = features.silenceRatio ?? 0
    const [silenceKey, silenceLabel, silenceWords] = ratio < 0.05
      ? ['<5%', 'under 5 %', 'tight audio with almost no dead air']
      : ratio < 0.15 ? ['=5-15%', '5–15 %', 'some pauses'] : ['>=15%', '15 % or more', 'long pauses: room for jump cuts']
    matches.push({ key: `audio.silence${silenceKey}`, kind: 'audio', label: `Silence ${silenceLabel} of the time`, note: `${(ratio * 100).toFixed(0)} % silence: ${silenceWords}`, value: { silenceRatio: ratio } })
    const lufs = features.integratedLufs
    if (lufs !== null) {
      const [loudKey, loudWords] = lufs >= -16 ? ['loud', 'as loud as platforms play (about −14 LUFS)'] : lufs >= -23 ? ['moderate', 'quieter than platforms normalise to'] : ['quiet', 'quiet: it will sound weak next to other videos']
      matches.push({ key: `audio.loudness=${loudKey}`, kind: 'audio', label: `Loudness: ${loudKey}`, note: `${lufs.toFixed(1)} LUFS integrated: ${loudWords}`, value: { integratedLufs: lufs } })
    }
    const delta = features.hookLoudnessDeltaLu
    if (delta !== null && Math.abs(delta) >= 2) {
      const louder = delta > 0
      matches.push({ key: `audio.hook_${louder ? 'louder' : 'quieter'}`, kind: 'audio', label: `${louder ? 'Louder' : 'Quieter'} opening`, note: `the first 3 s are ${Math.abs(delta).toFixed(1)} LU ${louder ? 'louder' : 'quieter'} than the rest`, value: { hookLoudnessDeltaLu: delta } })
    }
  }

  const motionRatio = features.hookMotionRatio
  if (motionRatio !== null && (motionRatio >= 1.3 || motionRatio <= 0.77)) {
    const busier = motionRatio >= 1.3
    matches.push({ key: `visual.hook_motion=${busier ? 'higher' : 'lower'}`, kind: 'visual', label: `${busier ? 'More' : 'Less'} motion in the opening`, note: `the first 3 s move ${formatRatio(motionRatio)} as much as the rest: ${busier ? 'a visually busy hook' : 'a calm opening'}`, value: { hookMotionRatio: motionRatio } })
  }

  matches.push({ key: `duration=${features.durationBucket}`, kind: 'duration', label: `Length ${features.durationBucket}`, note: `${seconds(features.durationSeconds)} long`, value: { durationSeconds: features.durationSeconds } })
  matches.push({ key: `format.aspect=${features.aspectClass}`, kind: 'format', label: `Aspect ${features.aspectClass}`, note: features.aspectClass === '9:16' ? 'vertical 9:16: native to Reels, TikTok and Shorts' : features.aspectClass === 'other' ? `an unusual aspect (${features.aspectRatio.toFixed(2)}:1)` : `${features.aspectClass} frame`, value: { aspectRatio: features.aspectRatio } })
  return matches
}
