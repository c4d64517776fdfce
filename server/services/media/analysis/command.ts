// The single ffmpeg pass behind an analysis: one decode feeds every detector and every picture.
// Video: scdet on every frame (cuts) → a per-frame branch (frame difference and luma on a 64×36 copy: motion,
// fades, black), a sampled branch (black frames, thumbnail, contact sheet) and a cut branch (keyframes). Audio: silencedetect and ebur128 side by side.
// Only numbers from validated thresholds and server-made paths go into the graph.
import { join } from 'node:path'
import { guardInput } from '../input-guard'
import type { AnalysisThresholds } from './thresholds'

export interface AnalysisOutputs {
  thumbnail: string
  contactSheet: string
  /** The first frame: the keyframe of the first shot. */
  firstShot: string
  /** printf pattern of the keyframes of later shots, numbered from 1 in cut order. */
  cutShots: string
}

export interface AnalysisCommand {
  args: string[]
  outputs: AnalysisOutputs
}

export const CONTACT_SHEET_TILES = { columns: 4, rows: 4 }
export const KEYFRAME_WIDTH = 480
const FRAME_STATS_SIZE = { width: 64, height: 36 }
const SHEET_TILE_HEIGHT = 180

function decimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`)
  return String(Math.round(value * 1e6) / 1e6)
}

export function buildAnalysisCommand(input: string, workDir: string, options: {
  durationSeconds: number
  hasAudio: boolean
  thresholds: AnalysisThresholds
}): AnalysisCommand {
  const { thresholds, durationSeconds } = options
  const outputs: AnalysisOutputs = {
    thumbnail: join(workDir, 'thumbnail.jpg'),
    contactSheet: join(workDir, 'contact-sheet.jpg'),
    firstShot: join(workDir, 'shot-0000.jpg'),
    cutShots: join(workDir, 'shot-%04d.jpg'),
  }
  const tiles = CONTACT_SHEET_TILES.columns * CONTACT_SHEET_TILES.rows
  const sheetRate = Math.min(thresholds.sampleFps, tiles / Math.max(durationSeconds, 0.1))
  // A thumbnail a second in (past a fade from black), or a third of the way into a very short clip.
  const thumbnailAt = Math.min(1, durationSeconds / 3)
  const keyframe = `scale=w=${KEYFRAME_WIDTH}:h=-2`
  const graph = [
    `[0:v:0]scdet=threshold=${decimal(thresholds.cutThreshold)},split=4[sampled][cuts][first][frames]`,
    // Luma statistics of a tiny copy cost little next to the decode; they see a fade the frame it happens.
    `[frames]scale=w=${FRAME_STATS_SIZE.width}:h=${FRAME_STATS_SIZE.height}:flags=neighbor:threads=1,signalstats,metadata=mode=print:file='pipe\\:1',nullsink`,
    `[sampled]fps=${decimal(thresholds.sampleFps)},`
    + `scale=w=${KEYFRAME_WIDTH}:h=-2:flags=fast_bilinear,`
    + `blackdetect=d=${decimal(thresholds.blackMinSeconds)}:pix_th=${decimal(thresholds.blackPixelThreshold)},split=2[thumb][sheet]`,
    `[thumb]trim=start=${decimal(thumbnailAt)},setpts=PTS-STARTPTS[thumbnail]`,
    `[sheet]fps=${decimal(sheetRate)},scale=w=-2:h=${SHEET_TILE_HEIGHT},tile=${CONTACT_SHEET_TILES.columns}x${CONTACT_SHEET_TILES.rows}[contact]`,
    `[cuts]metadata=mode=select:key=lavfi.scd.time,${keyframe}[cutshots]`,
    `[first]trim=end_frame=1,${keyframe}[firstshot]`,
  ]
  if (options.hasAudio) {
    graph.push(
      `[0:a:0]asplit=2[silence][loudness]`,
      `[silence]silencedetect=n=${decimal(thresholds.silenceNoiseDb)}dB:d=${decimal(thresholds.silenceMinSeconds)},anullsink`,
      `[loudness]ebur128=peak=true,anullsink`,
    )
  }
  const jpeg = ['-c:v', 'mjpeg', '-q:v', '4']
  const single = [...jpeg, '-frames:v', '1', '-update', '1']
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-y',
    ...guardInput('video'), '-i', input,
    '-filter_complex', graph.join(';'),
    '-map', '[cutshots]', ...jpeg, '-fps_mode', 'passthrough', '-start_number', '1', '-f', 'image2', outputs.cutShots,
    '-map', '[thumbnail]', ...single, '-f', 'image2', outputs.thumbnail,
    '-map', '[contact]', ...single, '-f', 'image2', outputs.contactSheet,
    '-map', '[firstshot]', ...single, '-f', 'image2', outputs.firstShot,
  ]
  return { args, outputs }
}

/** One picture at each time (a seek per picture, each a few frames' decode), written to `files` in order. */
export function buildShotPictureCommand(input: string, times: number[], files: string[]): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y']
  for (const time of times) args.push('-ss', decimal(Math.max(0, time)), ...guardInput('video'), '-i', input)
  times.forEach((_, index) => {
    args.push('-map', `${index}:v:0`, '-frames:v', '1', '-vf', `scale=w=${KEYFRAME_WIDTH}:h=-2`, '-c:v', 'mjpeg', '-q:v', '4', '-update', '1', '-f', 'image2', files[index]!)
  })
  return args
}

/** The same detectors as separate passes (one decode each), for the bench's comparison. */
export function buildSeparatePassCommands(input: string, options: { hasAudio: boolean, thresholds: AnalysisThresholds }): string[][] {
  const { thresholds } = options
  const base = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', ...guardInput('video'), '-i', input]
  const passes = [
    [...base, '-map', '0:v:0', '-vf', `scdet=threshold=${decimal(thresholds.cutThreshold)}`, '-f', 'null', '-'],
    [...base, '-map', '0:v:0', '-vf', `fps=${decimal(thresholds.sampleFps)},blackdetect=d=${decimal(thresholds.blackMinSeconds)}:pix_th=${decimal(thresholds.blackPixelThreshold)}`, '-f', 'null', '-'],
    [...base, '-map', '0:v:0', '-vf', `fps=1,scale=w=-2:h=${SHEET_TILE_HEIGHT},tile=4x4`, '-frames:v', '1', '-f', 'null', '-'],
  ]
  if (options.hasAudio) {
    passes.push(
      [...base, '-map', '0:a:0', '-af', `silencedetect=n=${decimal(thresholds.silenceNoiseDb)}dB:d=${decimal(thresholds.silenceMinSeconds)}`, '-f', 'null', '-'],
      [...base, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    )
  }
  return passes
}
