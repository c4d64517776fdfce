// What an analysis measured, as the API returns it and the Library pages draw it
// (made by server/services/media/analysis/features.ts).

export interface TimeInterval { start: number, end: number }
export type Interval = TimeInterval
export interface Cut { time: number, score: number }

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

export interface Shot { index: number, start: number, end: number }

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
