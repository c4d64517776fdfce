// What an analysis measured, as the API returns it and the Library pages draw it
// (made by server/services/media/analysis/features.ts).

export interface TimeInterval { start: number, end: number }
export type Interval = TimeInterval
/** How one shot gives way to the next: a hard cut, a passage through black (fade-out, black, fade-in), a dissolve. */
export type TransitionKind = 'cut' | 'fade' | 'dissolve'

/**
 * A transition between two shots (the name is older than fades). `time` is where the next shot starts: its first
 * visible frame after black, a dissolve's middle. Analyses before reelwise-analysis/2 hold hard cuts with no kind.
 */
export interface Cut {
  time: number
  /** scdet's score for a cut (0–100); for a fade or dissolve, the frame differences added up across it. */
  score: number
  kind?: TransitionKind
  /** A fade's or dissolve's first and last frame (the first dimmed one, the first at full strength). */
  start?: number
  end?: number
}

export interface VideoFeatures {
  durationSeconds: number
  durationBucket: string
  aspectRatio: number
  aspectClass: string
  hasAudio: boolean
  cutCount: number
  shotCount: number
  cutsPerMinute: number
  medianShotSeconds: number
  /** Null when the video is one shot. */
  firstCutSeconds: number | null
  hookCutCount: number
  hookCutsPerSecond: number
  integratedLufs: number | null
  loudnessRangeLu: number | null
  truePeakDbtp: number | null
  /** Loudness of the hook window minus the rest, in LU. */
  hookLoudnessDeltaLu: number | null
  silenceRatio: number | null
  silenceCount: number
  longestSilenceSeconds: number
  meanMotion: number
  /** Mean frame difference in the hook window over the rest's. */
  hookMotionRatio: number | null
  blackRatio: number
}

export interface Shot {
  index: number
  start: number
  end: number
  /** How this shot began; absent for the first shot, and in analyses before reelwise-analysis/2. */
  transition?: TransitionKind
}

export interface Curve {
  /** Seconds between points. */
  interval: number
  values: (number | null)[]
}

export interface Timeline {
  cuts: Cut[]
  shots: Shot[]
  silences: Interval[]
  blackIntervals: Interval[]
  /** Momentary loudness (EBU R128 M, 400 ms window) in LUFS: responsive enough to draw under a short video. */
  loudnessCurve: Curve | null
  /** Short-term loudness (EBU R128 S, 3 s window) in LUFS; null until the first window fills. */
  shortTermCurve: Curve | null
  motionCurve: Curve
}
