// One analysis of one local file: probe, the single ffmpeg pass, then features and pattern buckets.
// The worker (media.analyse), the CLI (npm run analyse) and the bench all call analyseFile.
import { access } from 'node:fs/promises'
import { join } from 'node:path'
import type { MediaTools } from '../ffmpeg'
import { runMediaTool } from '../ffmpeg'
import { probeVideo } from '../probe'
import type { VideoProbe } from '../probe'
import type { Cut } from '#shared/analysis'
import { buildAnalysisCommand, buildShotPictureCommand } from './command'
import type { AnalysisOutputs } from './command'
import { deriveFeatures, matchPatterns } from './features'
import type { PatternMatch, Timeline, VideoFeatures } from './features'
import { AnalysisLogParser } from './parse'
import { analysisThresholdsSchema } from './thresholds'
import type { AnalysisThresholds, ThresholdOverrides } from './thresholds'

// 2: fades, dissolves and cuts out of black are transitions with a kind (shared/analysis.ts); 1 had scdet's cuts only.
export const ANALYSER_VERSION = 'reelwise-analysis/2'

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

/**
 * One picture per shot. The pass wrote one for every frame scdet flagged; a shot that begins with a fade, a dissolve or
 * a cut scdet scored low (or a video that opens on black) gets its picture from a second, seeking run that decodes
 * only around those moments, taken where the shot is at full strength.
 */
async function shotPictures(path: string, outputs: AnalysisOutputs, scdetCuts: Cut[], timeline: Timeline, openingEnd: number, options: AnalyseOptions): Promise<(string | null)[]> {
  const written = (index: number) => outputs.cutShots.replace('%04d', String(index + 1).padStart(4, '0'))
  const pictures: (string | null)[] = []
  const wanted: { shot: number, time: number }[] = []
  if (openingEnd > 0) wanted.push({ shot: 0, time: openingEnd })
  else pictures[0] = await exists(outputs.firstShot)
  for (const [index, cut] of timeline.cuts.entries()) {
    const scdetIndex = cut.kind === 'cut' || !cut.kind ? scdetCuts.findIndex(candidate => candidate.time === cut.time) : -1
    if (scdetIndex >= 0) pictures[index + 1] = await exists(written(scdetIndex))
    else wanted.push({ shot: index + 1, time: cut.end ?? cut.time })
  }
  if (wanted.length > 0) {
    const files = wanted.map(({ shot }) => join(options.workDir, `shot-extra-${String(shot).padStart(4, '0')}.jpg`))
    const command = buildShotPictureCommand(path, wanted.map(({ time }) => time), files)
    await runMediaTool(options.tools.ffmpeg, command, { signal: options.signal })
    for (const [at, { shot }] of wanted.entries()) pictures[shot] = await exists(files[at]!)
  }
  return Array.from({ length: timeline.cuts.length + 1 }, (_, index) => pictures[index] ?? null)
}

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
  const { features, timeline, openingEnd } = deriveFeatures(measurements, { durationSeconds: probe.durationSeconds, displayAspect: probe.video.displayAspect, hasAudio }, thresholds.hookWindowSeconds, thresholds.cutThreshold)
  const shotKeyframes = await shotPictures(path, command.outputs, measurements.cuts, timeline, openingEnd, options)
  return {
    probe,
    features,
    timeline,
    patterns: matchPatterns(features),
    artifacts: {
      thumbnail: await exists(command.outputs.thumbnail),
      contactSheet: await exists(command.outputs.contactSheet),
      shotKeyframes,
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
