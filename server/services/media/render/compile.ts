// Turns an edit recipe into one ffmpeg command: an argument array and a filtergraph, no shell. Pure, so every
// operation is unit-tested here and measured on real renders in test/integration/media-render.test.ts.
// Only numbers computed here enter the graph; user text goes through filter-escape.ts (hook text, captions).
import { aspectSizes } from '../../../../shared/recipe'
import type { Aspect, EditRecipe } from '../../../../shared/recipe'

export interface RenderSource {
  path: string
  /** The picture as players show it (ffmpeg turns rotated input before filters see it). */
  width: number
  height: number
  durationSeconds: number
  /** Frames per second of the render: the source's, so a speed change re-times frames instead of stretching them. */
  fps: number
  hasAudio: boolean
}

export interface Span { start: number, end: number }

export interface CompiledRender {
  args: string[]
  graph: string
  /** The parts of the source that are kept, in order, in source seconds. */
  segments: Span[]
  expectedDurationSeconds: number
  width: number
  height: number
}

export class RecipeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RecipeError'
  }
}

const number = (value: number) => {
  if (!Number.isFinite(value)) throw new RecipeError(`not a finite number: ${value}`)
  return String(Math.round(value * 1e6) / 1e6)
}
const even = (value: number) => Math.max(2, Math.round(value / 2) * 2)

/** The kept parts: the cut list clipped to the trim, or the trimmed footage. */
export function keptSegments(recipe: EditRecipe, durationSeconds: number): Span[] {
  const start = Math.min(recipe.trim.start, durationSeconds)
  const end = Math.min(recipe.trim.end ?? durationSeconds, durationSeconds)
  const wanted = recipe.keep.length > 0 ? recipe.keep : [{ start, end }]
  const segments = wanted
    .map(span => ({ start: Math.max(span.start, start), end: Math.min(span.end, end) }))
    .filter(span => span.end - span.start > 0.001)
  if (segments.length === 0) throw new RecipeError('Nothing is left to render: the trim and the kept parts do not overlap the footage.')
  return segments
}

/** The crop that gives `aspect` from a width×height frame, around `centerX` (0–1). */
export function cropFor(width: number, height: number, aspect: Aspect, centerX: number) {
  const target = aspectSizes[aspect].width / aspectSizes[aspect].height
  if (width / height > target) {
    const cropWidth = Math.min(width, even(height * target))
    const x = Math.min(width - cropWidth, Math.max(0, Math.round(width * centerX - cropWidth / 2)))
    return { width: cropWidth, height, x, y: 0 }
  }
  const cropHeight = Math.min(height, even(width / target))
  return { width, height: cropHeight, x: 0, y: Math.round((height - cropHeight) / 2) }
}

function frameFilters(source: RenderSource, recipe: EditRecipe, input: string, output: string): { filters: string[], width: number, height: number } {
  const reframe = recipe.reframe
  if (reframe.mode === 'none') {
    const width = even(source.width - 1)
    const height = even(source.height - 1)
    return { filters: [`[${input}]scale=${width}:${height},setsar=1,format=yuv420p[${output}]`], width, height }
  }
  const { width, height } = aspectSizes[reframe.aspect]
  if (reframe.mode === 'crop') {
    const crop = cropFor(source.width, source.height, reframe.aspect, reframe.centerX)
    return { filters: [`[${input}]crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},scale=${width}:${height},setsar=1,format=yuv420p[${output}]`], width, height }
  }
  return {
    filters: [
      `[${input}]split=2[fit][fill]`,
      `[fill]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},boxblur=20:2[backdrop]`,
      `[fit]scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2[front]`,
      `[backdrop][front]overlay=(W-w)/2:(H-h)/2,setsar=1,format=yuv420p[${output}]`,
    ],
    width,
    height,
  }
}

/** What loudnorm's first pass measured, as it prints it (print_format=json). */
export interface LoudnessMeasurement {
  input_i: string
  input_tp: string
  input_lra: string
  input_thresh: string
  target_offset: string
}

// The kept parts joined and re-timed: the same in the measuring pass and the render, so the first pass measures
// exactly the audio the second one normalises.
function timelineFilters(source: RenderSource, recipe: EditRecipe, segments: Span[], video: boolean): string[] {
  const audio = source.hasAudio
  const graph: string[] = []
  segments.forEach((segment, index) => {
    if (video) graph.push(`[0:v:0]trim=start=${number(segment.start)}:end=${number(segment.end)},setpts=PTS-STARTPTS[v${index}]`)
    if (audio) graph.push(`[0:a:0]atrim=start=${number(segment.start)}:end=${number(segment.end)},asetpts=PTS-STARTPTS[a${index}]`)
  })
  const pairs = segments.map((_, index) => `${video ? `[v${index}]` : ''}${audio ? `[a${index}]` : ''}`).join('')
  const outputs = `${video ? '[joined]' : ''}${audio ? '[joineda]' : ''}`
  graph.push(`${pairs}concat=n=${segments.length}:v=${video ? 1 : 0}:a=${audio ? 1 : 0}${outputs}`)
  // Speed changes both streams alike; atempo covers 0.5–2× in one step.
  if (video) graph.push(`[joined]setpts=PTS/${number(recipe.speed)},fps=${number(source.fps)}[timed]`)
  if (audio) graph.push(`[joineda]atempo=${number(recipe.speed)}[tempo]`)
  return graph
}

function loudnormOptions(recipe: EditRecipe): string {
  const target = recipe.loudness!
  return `loudnorm=I=${number(target.targetLufs)}:TP=${number(target.truePeakDb)}:LRA=${number(target.rangeLu)}`
}

/** The first loudnorm pass: reads the edited audio and prints what it measured. Null when there is nothing to measure. */
export function loudnessMeasureCommand(source: RenderSource, recipe: EditRecipe): string[] | null {
  if (!source.hasAudio || !recipe.loudness) return null
  const graph = [...timelineFilters(source, recipe, keptSegments(recipe, source.durationSeconds), false), `[tempo]${loudnormOptions(recipe)}:print_format=json[measured]`]
  return ['-hide_banner', '-nostdin', '-nostats', '-i', source.path, '-filter_complex', graph.join(';'), '-map', '[measured]', '-f', 'null', '-']
}

/** The JSON block loudnorm prints at the end of its first pass. */
export function parseLoudnessMeasurement(stderr: string): LoudnessMeasurement {
  const start = stderr.lastIndexOf('{')
  const end = stderr.lastIndexOf('}')
  if (start < 0 || end < start) throw new RecipeError('The loudness measurement printed nothing; the audio may be empty.')
  const parsed = JSON.parse(stderr.slice(start, end + 1)) as LoudnessMeasurement
  for (const field of ['input_i', 'input_tp', 'input_lra', 'input_thresh', 'target_offset'] as const) {
    if (!Number.isFinite(Number(parsed[field]))) throw new RecipeError(`The loudness measurement has no usable ${field} (${parsed[field]}); the audio may be silent.`)
  }
  return parsed
}

export function compileRecipe(source: RenderSource, recipe: EditRecipe, outputPath: string, measured?: LoudnessMeasurement): CompiledRender {
  const segments = keptSegments(recipe, source.durationSeconds)
  const audio = source.hasAudio
  const graph = timelineFilters(source, recipe, segments, true)
  if (audio) {
    // The second pass applies the first pass's figures, so the whole render lands on the target (linear when it can).
    const normalise = recipe.loudness && measured
      ? `${loudnormOptions(recipe)}:measured_I=${number(Number(measured.input_i))}:measured_TP=${number(Number(measured.input_tp))}`
      + `:measured_LRA=${number(Number(measured.input_lra))}:measured_thresh=${number(Number(measured.input_thresh))}`
      + `:offset=${number(Number(measured.target_offset))}:linear=true,`
      : ''
    if (recipe.loudness && !measured) throw new RecipeError('Loudness normalisation needs the first pass: run loudnessMeasureCommand first.')
    // loudnorm works at 192 kHz; platforms want 48 kHz stereo (a mono source is copied to both sides).
    graph.push(`[tempo]${normalise}aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo[aout]`)
  }
  const frame = frameFilters(source, recipe, 'timed', 'vout')
  graph.push(...frame.filters)

  const kept = segments.reduce((sum, segment) => sum + segment.end - segment.start, 0)
  const args = [
    '-hide_banner', '-nostdin', '-y', '-i', source.path,
    '-filter_complex', graph.join(';'),
    '-map', '[vout]', ...(audio ? ['-map', '[aout]'] : []),
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
    ...(audio ? ['-c:a', 'aac', '-b:a', '160k', '-ar', '48000'] : []),
    '-movflags', '+faststart', outputPath,
  ]
  return { args, graph: graph.join(';'), segments, expectedDurationSeconds: kept / recipe.speed, width: frame.width, height: frame.height }
}
