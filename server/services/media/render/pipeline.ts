// Runs one variant of an edit recipe on a local file: probe, the measuring passes (silences, loudness), the
// compiled render, then ffprobe of the result. No database and no storage: the worker job and `npm run render`
// both call this. Every ffmpeg run is an argument array (runMediaTool); aborting the signal kills ffmpeg.
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import type { EditRecipe } from '#shared/recipe'
import type { RenderFacts } from '#shared/platforms'
import { runMediaTool } from '../ffmpeg'
import type { MediaTools } from '../ffmpeg'
import { guardInput } from '../input-guard'
import { interpretProbe, probeVideo } from '../probe'
import { compileRecipe, keptSegments, loudnessMeasureCommand, parseLoudnessMeasurement } from './compile'
import type { LoudnessMeasurement, RenderAssets, RenderSource, Span } from './compile'
import { assertRenderFonts } from './fonts'
import { parsePeakLevel, parseSilences, peakLevelCommand, silenceDetectCommand, silenceRange } from './silence'

const run = promisify(execFile)

export type RenderProgressStage = 'measuring' | 'rendering'

/** What the measuring passes found; hand them to a later render of the same recipe (the full one after the preview). */
export interface RenderMeasurements {
  silences?: Span[]
  loudness?: LoudnessMeasurement
}

export interface RenderRequest {
  tools: MediaTools
  /** The source video, a local path. */
  input: string
  /** One variant (see expandVariations). */
  recipe: EditRecipe
  /** A local .mp4 path. */
  output: string
  assets?: RenderAssets
  preview?: boolean
  /** The passes of an earlier run of the same recipe on the same source, so they are not run again. */
  measurements?: RenderMeasurements
  /** A fresh directory for the render's files is made in here and always removed. */
  scratchDir: string
  signal?: AbortSignal
  /** 0..1 within each stage, rising, at most about four calls a second. */
  onProgress?: (stage: RenderProgressStage, fraction: number) => void
}

export interface RenderResult extends RenderFacts {
  output: string
  /** What the cut list, speed and end card add up to; ffprobe's `durationSeconds` should be within a frame of it. */
  expectedDurationSeconds: number
  measurements: RenderMeasurements
}

export class RenderCanceledError extends Error {
  constructor() {
    super('The render was canceled.')
    this.name = 'RenderCanceledError'
  }
}

/** The source as the compiler needs it: the picture as players show it, after rotation. */
export async function probeRenderSource(tools: Pick<MediaTools, 'ffmpeg' | 'ffprobe'>, path: string): Promise<RenderSource> {
  const probe = await probeVideo(path, tools)
  return {
    path,
    width: probe.video.displayWidth,
    height: probe.video.displayHeight,
    durationSeconds: probe.durationSeconds,
    fps: probe.video.fps > 0 ? probe.video.fps : 30,
    hasAudio: probe.audio !== null,
  }
}

// Flags that take no value and may lead the command; -progress goes right after them, with the other globals.
const leadingGlobals = new Set(['-hide_banner', '-nostdin', '-nostats', '-y', '-n'])

/** The command with ffmpeg's machine-readable progress on stdout (four updates a second) and no stats on stderr. */
export function withProgress(args: string[]): string[] {
  let at = 0
  while (at < args.length && leadingGlobals.has(args[at]!)) at++
  const extra = ['-progress', 'pipe:1', '-stats_period', '0.25', ...(args.includes('-nostats') ? [] : ['-nostats'])]
  return [...args.slice(0, at), ...extra, ...args.slice(at)]
}

/**
 * Reads `-progress` lines into a fraction of `durationSeconds`. ffmpeg 5 prints out_time_ms in microseconds
 * too (a known misnomer), so both keys are read the same way.
 */
export function progressReader(durationSeconds: number, onFraction: (fraction: number) => void): (line: string) => void {
  return (line) => {
    if (line === 'progress=end') return onFraction(1)
    const match = /^out_time_(?:us|ms)=(-?\d+)$/.exec(line)
    if (!match || !(durationSeconds > 0)) return
    onFraction(Math.min(1, Math.max(0, Number(match[1]) / 1e6 / durationSeconds)))
  }
}

/** Passes progress on rising only, at most every `intervalMs` within a stage; a stage's first value and 1 always go through. */
function throttledProgress(onProgress: RenderRequest['onProgress'], intervalMs = 250) {
  let stage: RenderProgressStage | null = null
  let last = -1
  let lastAt = 0
  return (next: RenderProgressStage, fraction: number) => {
    if (!onProgress) return
    const value = Math.min(1, Math.max(0, fraction))
    const now = performance.now()
    if (next === stage) {
      if (value <= last) return
      if (value < 1 && now - lastAt < intervalMs) return
    }
    stage = next
    last = value
    lastAt = now
    onProgress(next, value)
  }
}

async function probeOutput(tools: Pick<MediaTools, 'ffprobe'>, path: string): Promise<RenderFacts> {
  const { stdout } = await run(tools.ffprobe, ['-v', 'error', ...guardInput('video'), '-print_format', 'json', '-show_format', '-show_streams', path], { timeout: 60_000, maxBuffer: 8 * 1024 * 1024 })
  const probe = interpretProbe(JSON.parse(stdout))
  return {
    durationSeconds: probe.durationSeconds,
    width: probe.video.displayWidth,
    height: probe.video.displayHeight,
    fps: probe.video.fps,
    sizeBytes: (await stat(path)).size,
    videoCodec: probe.video.codec,
    ...(probe.audio ? { audioSampleRate: probe.audio.sampleRate } : {}),
  }
}

interface Pass {
  args: string[]
  seconds: number
  /** Reads the pass's log once it has finished. */
  read: (lines: string[]) => void
}

/** Renders one variant to `request.output`. Rejects with RenderCanceledError when the signal aborts, FfmpegError when ffmpeg fails. */
export async function renderRecipe(request: RenderRequest): Promise<RenderResult> {
  const { tools, recipe, output, signal } = request
  const report = throttledProgress(request.onProgress)
  const checkpoint = () => {
    if (signal?.aborted) throw new RenderCanceledError()
  }
  checkpoint()
  await mkdir(request.scratchDir, { recursive: true })
  const workDir = await mkdtemp(join(request.scratchDir, 'render-'))
  let outputStarted = false
  try {
    if (recipe.hook || recipe.captions || recipe.endCard) await assertRenderFonts()
    const source = await probeRenderSource(tools, request.input)
    checkpoint()
    const measurements: RenderMeasurements = { ...request.measurements }

    // The passes run one after the other (the loudness pass reads the cut list the silences make); progress
    // spreads over the passes still to run.
    const passes: Pass[] = []
    let peakDb = 0
    const detect = silenceDetectCommand(source, recipe)
    if (detect && !measurements.silences) {
      const range = silenceRange(source, recipe)
      const peak = peakLevelCommand(source, recipe)
      if (peak) {
        passes.push({
          args: peak,
          seconds: range.end - range.start,
          read: (lines) => { peakDb = parsePeakLevel(lines) },
        })
      }
      passes.push({
        // Built when it runs: the threshold follows the peak just measured.
        get args() { return silenceDetectCommand(source, recipe, peakDb)! },
        seconds: range.end - range.start,
        read: (lines) => { measurements.silences = parseSilences(lines, range) },
      })
    }
    const needsLoudness = !measurements.loudness && loudnessMeasureCommand(source, recipe, { assets: request.assets }) !== null
    if (needsLoudness) {
      passes.push({
        get args() { return loudnessMeasureCommand(source, recipe, { silences: measurements.silences, assets: request.assets })! },
        get seconds() { return measuredSoundSeconds(source, recipe, measurements.silences) },
        read: (lines) => { measurements.loudness = parseLoudnessMeasurement(lines.join('\n')) },
      })
    }
    for (const [index, pass] of passes.entries()) {
      report('measuring', index / passes.length)
      const lines: string[] = []
      await runPass(tools.ffmpeg, pass.args, signal, lines, pass.seconds, fraction => report('measuring', (index + fraction) / passes.length))
      pass.read(lines)
      checkpoint()
    }
    if (passes.length > 0) report('measuring', 1)

    const compiled = compileRecipe(source, recipe, output, {
      measured: measurements.loudness,
      silences: measurements.silences,
      assets: request.assets,
      workDir,
      preview: request.preview ?? false,
    })
    for (const file of compiled.files) {
      await mkdir(dirname(file.path), { recursive: true })
      await writeFile(file.path, file.content)
    }
    await mkdir(dirname(output), { recursive: true })
    checkpoint()
    report('rendering', 0)
    outputStarted = true
    await runPass(tools.ffmpeg, compiled.args, signal, null, compiled.expectedDurationSeconds, fraction => report('rendering', fraction))
    checkpoint()
    report('rendering', 1)
    const facts = await probeOutput(tools, output)
    checkpoint()
    return { output, expectedDurationSeconds: compiled.expectedDurationSeconds, ...facts, measurements }
  }
  catch (error) {
    if (outputStarted) await rm(output, { force: true })
    if (signal?.aborted) throw new RenderCanceledError()
    throw error
  }
  finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

/** The length of the sound the loudness pass reads: the kept parts re-timed, and the end card. */
function measuredSoundSeconds(source: RenderSource, recipe: EditRecipe, silences?: Span[]): number {
  const kept = keptSegments(recipe, source, silences).reduce((sum, span) => sum + span.end - span.start, 0)
  return kept / recipe.speed + (recipe.endCard?.seconds ?? 0)
}

async function runPass(ffmpeg: string, args: string[], signal: AbortSignal | undefined, log: string[] | null, seconds: number, onFraction: (fraction: number) => void): Promise<void> {
  await runMediaTool(ffmpeg, withProgress(args), {
    signal,
    onStdoutLine: progressReader(seconds, onFraction),
    onStderrLine: log ? line => log.push(line) : undefined,
  })
}

/** One JPEG frame of `video` at `atSeconds` (the first frame when that is past the end), at most 540 px wide. */
export async function renderThumbnail(tools: Pick<MediaTools, 'ffmpeg'>, video: string, outputJpg: string, atSeconds: number): Promise<string> {
  const grab = (at: number) => runMediaTool(tools.ffmpeg, [
    '-hide_banner', '-nostdin', '-nostats', '-y', '-ss', String(Math.max(0, at)), ...guardInput('video'), '-i', video,
    '-map', '0:v:0', '-frames:v', '1', '-vf', 'scale=w=\'min(540,iw)\':h=-2', '-q:v', '3', '-f', 'image2', outputJpg,
  ])
  await rm(outputJpg, { force: true })
  await grab(atSeconds)
  // Seeking past the last frame writes nothing and still exits 0.
  const written = await stat(outputJpg).then(file => file.size > 0, () => false)
  if (!written && atSeconds > 0) await grab(0)
  const retried = await stat(outputJpg).then(file => file.size > 0, () => false)
  if (!retried) throw new Error(`No frame could be read from ${video} for its thumbnail.`)
  return outputJpg
}
