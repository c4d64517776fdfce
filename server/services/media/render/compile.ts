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

export function compileRecipe(source: RenderSource, recipe: EditRecipe, outputPath: string): CompiledRender {
  const segments = keptSegments(recipe, source.durationSeconds)
  const audio = source.hasAudio
  const graph: string[] = []
  segments.forEach((segment, index) => {
    graph.push(`[0:v:0]trim=start=${number(segment.start)}:end=${number(segment.end)},setpts=PTS-STARTPTS[v${index}]`)
    if (audio) graph.push(`[0:a:0]atrim=start=${number(segment.start)}:end=${number(segment.end)},asetpts=PTS-STARTPTS[a${index}]`)
  })
  const pairs = segments.map((_, index) => audio ? `[v${index}][a${index}]` : `[v${index}]`).join('')
  graph.push(`${pairs}concat=n=${segments.length}:v=1:a=${audio ? 1 : 0}${audio ? '[joined][joineda]' : '[joined]'}`)
  // Speed changes both streams alike; atempo covers 0.5–2× in one step.
  graph.push(`[joined]setpts=PTS/${number(recipe.speed)},fps=${number(source.fps)}[timed]`)
  if (audio) graph.push(`[joineda]atempo=${number(recipe.speed)},aresample=48000[aout]`)
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
