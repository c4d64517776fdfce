// One analysis of one local file: probe, the single ffmpeg pass, then features and pattern buckets.
// The worker (media.analyse), the CLI (npm run analyse) and the bench all call analyseFile.
import { access } from 'node:fs/promises'
import type { MediaTools } from '../ffmpeg'
import { runMediaTool } from '../ffmpeg'
import { probeVideo } from '../probe'
import type { VideoProbe } from '../probe'
import { buildAnalysisCommand } from './command'
import { deriveFeatures, matchPatterns } from './features'
import type { PatternMatch, Timeline, VideoFeatures } from './features'
import { AnalysisLogParser } from './parse'
import { analysisThresholdsSchema } from './thresholds'
import type { AnalysisThresholds, ThresholdOverrides } from './thresholds'

export const ANALYSER_VERSION = 'reelwise-analysis/1'

export interface AnalysisArtifacts {
  thumbnail: string | null
  contactSheet: string | null
  /** One keyframe per shot, in shot order (null where ffmpeg produced none). */
  shotKeyframes: (string | null)[]
}

export interface AnalysisReport {
  probe: VideoProbe
  features: VideoFeatures
  timeline: Timeline
  patterns: PatternMatch[]
  artifacts: AnalysisArtifacts
  provenance: {
    analyser: string
    ffmpegVersion: string
    thresholds: AnalysisThresholds
    singlePass: true
    elapsedMs: number
  }
}

export interface AnalyseOptions {
  tools: MediaTools
  /** A private, empty folder for the pictures this pass writes. */
  workDir: string
  thresholds?: ThresholdOverrides
  /** Already probed (the upload did it); probed again when absent. */
  probe?: VideoProbe
  /** Fraction done, 0–1, as the pass reads through the file. */
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

const exists = (path: string) => access(path).then(() => path, () => null)

export async function analyseFile(path: string, options: AnalyseOptions): Promise<AnalysisReport> {
  const started = performance.now()
  const thresholds = analysisThresholdsSchema.parse(options.thresholds ?? {})
  const probe = options.probe ?? await probeVideo(path, options.tools)
  const hasAudio = probe.audio !== null
  const command = buildAnalysisCommand(path, options.workDir, { durationSeconds: probe.durationSeconds, hasAudio, thresholds })
  const parser = new AnalysisLogParser()
  let reported = 0
  const progress = () => {
    const fraction = Math.min(1, parser.position / probe.durationSeconds)
    if (fraction - reported >= 0.01) {
      reported = fraction
      options.onProgress?.(fraction)
    }
  }
  await runMediaTool(options.tools.ffmpeg, command.args, {
    signal: options.signal,
    onStdoutLine: (line) => {
      parser.stdoutLine(line)
      progress()
    },
    onStderrLine: line => parser.stderrLine(line),
  })
  const measurements = parser.finish(probe.durationSeconds, hasAudio)
  const { features, timeline } = deriveFeatures(measurements, { durationSeconds: probe.durationSeconds, displayAspect: probe.video.displayAspect, hasAudio }, thresholds.hookWindowSeconds)
  const cutShots = await Promise.all(timeline.cuts.map((_, index) => exists(command.outputs.cutShots.replace('%04d', String(index + 1).padStart(4, '0')))))
  return {
    probe,
    features,
    timeline,
    patterns: matchPatterns(features),
    artifacts: {
      thumbnail: await exists(command.outputs.thumbnail),
      contactSheet: await exists(command.outputs.contactSheet),
      shotKeyframes: [await exists(command.outputs.firstShot), ...cutShots],
    },
    provenance: {
      analyser: ANALYSER_VERSION,
      ffmpegVersion: options.tools.version,
      thresholds,
      singlePass: true,
      elapsedMs: Math.round(performance.now() - started),
    },
  }
}
