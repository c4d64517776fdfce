// Reads what the analysis pass prints: detector lines on stderr, every frame's metadata on stdout.
// Pure and line-by-line, so memory stays flat however long the video is.

import type { Cut, Interval } from '#shared/analysis'

export type { Cut, Interval }
export interface LoudnessSample { time: number, momentary: number, shortTerm: number }
export interface MotionSample { time: number, motion: number }
/** One decoded frame: scdet's difference from the previous frame, and its luma (8-bit) mean and 10th/90th percentiles. */
export interface FrameSample { time: number, difference: number, luma: number, low: number, high: number }

export interface Measurements {
  cuts: Cut[]
  silences: Interval[]
  blackIntervals: Interval[]
  loudness: {
    integratedLufs: number | null
    rangeLu: number | null
    truePeakDbtp: number | null
    samples: LoudnessSample[]
  } | null
  motion: MotionSample[]
  frames: FrameSample[]
}

const patterns = {
  cut: /lavfi\.scd\.score:\s*([\d.]+),\s*lavfi\.scd\.time:\s*([\d.]+)/,
  silenceStart: /silence_start:\s*(-?[\d.]+)/,
  silenceEnd: /silence_end:\s*([\d.]+)/,
  black: /black_start:\s*([\d.]+)\s+black_end:\s*([\d.]+)/,
  loudnessFrame: /\bt:\s*([\d.]+)\s+TARGET:.*?M:\s*(-?[\d.]+|-inf|nan)\s+S:\s*(-?[\d.]+|-inf|nan)/,
  summaryIntegrated: /^\s+I:\s+(-?[\d.]+|-inf)\s+LUFS/,
  summaryRange: /^\s+LRA:\s+(-?[\d.]+)\s+LU/,
  summaryPeak: /^\s+Peak:\s+(-?[\d.]+|-inf)\s+dBFS/,
  frame: /^frame:\d+\s+pts:-?\d+\s+pts_time:(-?[\d.]+)/,
  frameValue: /^lavfi\.(scd\.mafd|signalstats\.YAVG|signalstats\.YLOW|signalstats\.YHIGH)=([\d.]+)/,
}

const frameFields = { 'scd.mafd': 'difference', 'signalstats.YAVG': 'luma', 'signalstats.YLOW': 'low', 'signalstats.YHIGH': 'high' } as const

function level(text: string): number {
  const value = Number(text)
  return Number.isFinite(value) ? value : -120
}

export class AnalysisLogParser {
  private readonly cuts: Cut[] = []
  private readonly silences: Interval[] = []
  private readonly blackIntervals: Interval[] = []
  private readonly loudnessSamples: LoudnessSample[] = []
  private readonly frames: FrameSample[] = []
  private frame: FrameSample | undefined
  private openSilence: number | undefined
  private inSummary = false
  private summary: { integrated: number | null, range: number | null, peak: number | null } = { integrated: null, range: null, peak: null }
  private sawLoudness = false
  /** The latest media time seen, for progress. */
  position = 0

  stderrLine(line: string): void {
    let match: RegExpExecArray | null
    if ((match = patterns.loudnessFrame.exec(line))) {
      this.sawLoudness = true
      const time = Number(match[1])
      this.position = Math.max(this.position, time)
      this.loudnessSamples.push({ time, momentary: level(match[2]!), shortTerm: level(match[3]!) })
    }
    else if ((match = patterns.cut.exec(line))) this.cuts.push({ time: Number(match[2]), score: Number(match[1]) })
    else if ((match = patterns.silenceStart.exec(line))) this.openSilence = Math.max(0, Number(match[1]))
    else if ((match = patterns.silenceEnd.exec(line))) {
      this.silences.push({ start: this.openSilence ?? 0, end: Number(match[1]) })
      this.openSilence = undefined
    }
    else if ((match = patterns.black.exec(line))) this.blackIntervals.push({ start: Number(match[1]), end: Number(match[2]) })
    else if (line.includes('Summary:')) {
      // ffmpeg may configure the graph twice and print a summary for each; the last one is the real one.
      this.inSummary = true
      this.summary = { integrated: null, range: null, peak: null }
    }
    else if (this.inSummary) {
      if ((match = patterns.summaryIntegrated.exec(line))) this.summary.integrated = level(match[1]!)
      else if ((match = patterns.summaryRange.exec(line))) this.summary.range = Number(match[1])
      else if ((match = patterns.summaryPeak.exec(line))) this.summary.peak = match[1] === '-inf' ? null : Number(match[1])
    }
  }

  stdoutLine(line: string): void {
    let match: RegExpExecArray | null
    if ((match = patterns.frame.exec(line))) {
      this.closeFrame()
      const time = Number(match[1])
      this.frame = { time, difference: 0, luma: Number.NaN, low: Number.NaN, high: Number.NaN }
      this.position = Math.max(this.position, time)
    }
    else if ((match = patterns.frameValue.exec(line)) && this.frame) {
      this.frame[frameFields[match[1] as keyof typeof frameFields]] = Number(match[2])
    }
  }

  // A frame counts once all its luma figures arrived (a line cut short at exit leaves it out).
  private closeFrame(): void {
    const frame = this.frame
    if (frame && Number.isFinite(frame.luma) && Number.isFinite(frame.low) && Number.isFinite(frame.high)) this.frames.push(frame)
    this.frame = undefined
  }

  /** What was measured; `durationSeconds` closes a silence still open when the file ended. */
  finish(durationSeconds: number, hasAudio: boolean): Measurements {
    this.closeFrame()
    const silences = [...this.silences]
    if (this.openSilence !== undefined && durationSeconds - this.openSilence > 0) silences.push({ start: this.openSilence, end: durationSeconds })
    return {
      cuts: this.cuts.sort((a, b) => a.time - b.time),
      silences,
      blackIntervals: this.blackIntervals,
      loudness: hasAudio && this.sawLoudness
        ? {
            // ebur128 reports -70 LUFS (its gate) for silence; that is "no measurable loudness".
            integratedLufs: this.summary.integrated !== null && this.summary.integrated > -70 ? this.summary.integrated : null,
            rangeLu: this.summary.range,
            truePeakDbtp: this.summary.peak,
            samples: this.loudnessSamples,
          }
        : null,
      motion: this.frames.map(frame => ({ time: frame.time, motion: frame.difference })),
      frames: this.frames,
    }
  }
}
