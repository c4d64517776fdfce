// Turns an edit recipe into ffmpeg commands: argument arrays and filtergraphs, no shell. Pure, so every
// operation is unit-tested here and measured on real renders in test/integration/media-render*.test.ts.
// Only numbers computed here enter a graph; user text goes through filter-escape.ts (hook, end card) or into
// an ASS file (captions). A render may need up to two measuring passes first: silences (silence.ts) and
// loudness (loudnessMeasureCommand); the pipeline (pipeline.ts) runs them and hands their results in.
import { join } from 'node:path'
import { aspectSizes } from '#shared/recipe'
import type { Aspect, EditRecipe } from '#shared/recipe'
import { platformProfiles } from '#shared/platforms'
import { filterValue } from '../filter-escape'
import { guardInput } from '../input-guard'
import { renderFonts } from './fonts'
import type { RenderFonts } from './fonts'
import { buildAssDocument, mapCuesToOutput } from './captions'
import { removeSilences } from './silence'
import { RecipeError } from './types'
import type { RenderSource, Span } from './types'

export { RecipeError } from './types'
export type { RenderSource, Span } from './types'

/** Local files the recipe names by asset id, resolved by the caller. */
export interface RenderAssets {
  music?: { path: string }
  logo?: { path: string }
}

export interface CompileOptions {
  /** What the loudness pass measured; needed when the recipe normalises loudness and there is audio. */
  measured?: LoudnessMeasurement
  /** What the silence pass found (source seconds); needed when the recipe removes silences. */
  silences?: Span[]
  assets?: RenderAssets
  /** Where the caller writes `files` (the captions) before it runs the command. */
  workDir?: string
  /** A fast, small draft: a third of the size, at most 30 fps, ultrafast. */
  preview?: boolean
  fonts?: RenderFonts
}

export interface CompiledRender {
  args: string[]
  graph: string
  /** The parts of the source that are kept, in order, in source seconds. */
  segments: Span[]
  /** The footage part (without the end card), in output seconds. */
  footageSeconds: number
  expectedDurationSeconds: number
  width: number
  height: number
  fps: number
  /** Files the command reads, to be written first (path → content). */
  files: { path: string, content: string }[]
}

const number = (value: number) => {
  if (!Number.isFinite(value)) throw new RecipeError(`not a finite number: ${value}`)
  return String(Math.round(value * 1e6) / 1e6)
}
const even = (value: number) => Math.max(2, Math.round(value / 2) * 2)
const snap = (value: number, fps: number) => Math.round(value * fps) / fps

/** Removes `cut` from each span. */
function subtract(spans: Span[], cut: Span): Span[] {
  return spans.flatMap((span) => {
    if (cut.end <= span.start || cut.start >= span.end) return [span]
    return [{ start: span.start, end: cut.start }, { start: cut.end, end: span.end }].filter(part => part.end - part.start > 1e-6)
  })
}

/** The first `seconds` of source time across the spans. */
function capLength(spans: Span[], seconds: number): Span[] {
  const kept: Span[] = []
  let left = seconds
  for (const span of spans) {
    if (left <= 1e-6) break
    const length = Math.min(span.end - span.start, left)
    kept.push({ start: span.start, end: span.start + length })
    left -= length
  }
  return kept
}

/**
 * The kept parts of the source, in order: the cut list (or the trimmed footage), the opening moved to the front,
 * capped at the longest length. Edges sit on the source's frame grid, so every part has as much sound as pictures
 * and many jump cuts do not drift the audio away from the mouth.
 */
export function keptSegments(recipe: EditRecipe, source: Pick<RenderSource, 'durationSeconds' | 'fps'>, silences?: Span[]): Span[] {
  const { durationSeconds, fps } = source
  const start = Math.min(recipe.trim.start, durationSeconds)
  const end = Math.min(recipe.trim.end ?? durationSeconds, durationSeconds)
  const wanted = recipe.keep.length > 0 ? recipe.keep : [{ start, end }]
  let segments = wanted.map(span => ({ start: Math.max(span.start, start), end: Math.min(span.end, end) }))
  if (recipe.opening) {
    const opening = { start: Math.max(0, recipe.opening.start), end: Math.min(durationSeconds, recipe.opening.end) }
    if (opening.end - opening.start < 1 / fps) throw new RecipeError('The opening part lies outside the footage.')
    segments = [opening, ...segments.flatMap(span => subtract([span], opening))]
  }
  if (recipe.silence && silences) segments = removeSilences(segments, silences, recipe.silence, 1 / fps)
  if (recipe.maxSeconds) segments = capLength(segments, recipe.maxSeconds * recipe.speed)
  segments = segments
    .map(span => ({ start: snap(span.start, fps), end: snap(span.end, fps) }))
    .filter(span => span.end - span.start >= 1 / fps - 1e-9)
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

/**
 * The output frame. Without a reframe, the source's (even) size. With one, the aspect's standard size scaled to the
 * detail the footage has: the crop's own pixels, or the whole frame fitted, never enlarged past them, never below
 * half the standard size (540×960), and the standard size itself when the recipe or its platform asks for it.
 * A preview is a third of that.
 */
export function outputSize(source: Pick<RenderSource, 'width' | 'height'>, recipe: EditRecipe, preview = false) {
  let full: { width: number, height: number }
  const reframe = recipe.reframe
  if (reframe.mode === 'none') full = { width: even(source.width - 1), height: even(source.height - 1) }
  else {
    const standard = aspectSizes[reframe.aspect]
    const wantsStandard = recipe.resolution === 'standard' || (recipe.platform !== null && platformProfiles[recipe.platform].preset.standardFrame)
    const detail = reframe.mode === 'crop'
      ? cropFor(source.width, source.height, reframe.aspect, reframe.centerX).width / standard.width
      // Fitted inside the frame, the footage is enlarged by min(W/w, H/h) unless the frame shrinks by as much.
      : Math.max(source.width / standard.width, source.height / standard.height)
    const scale = wantsStandard ? 1 : Math.min(1, Math.max(0.5, detail))
    full = { width: even(standard.width * scale), height: even(standard.height * scale) }
  }
  return preview ? { width: even(full.width / 3), height: even(full.height / 3) } : full
}

/** The output frame rate: the source's, inside the platform's range, at most 30 for a preview. */
export function outputFps(source: Pick<RenderSource, 'fps'>, recipe: EditRecipe, preview = false): number {
  let fps = source.fps > 0 && Number.isFinite(source.fps) ? source.fps : 30
  if (recipe.platform) {
    const { constraints, preset } = platformProfiles[recipe.platform]
    fps = Math.min(Math.max(fps, constraints.minFps), preset.fpsCap)
  }
  return preview ? Math.min(fps, 30) : fps
}

function frameFilters(source: RenderSource, recipe: EditRecipe, size: { width: number, height: number }, input: string, output: string): string[] {
  const reframe = recipe.reframe
  const { width, height } = size
  if (reframe.mode === 'none') return [`[${input}]scale=${width}:${height},setsar=1[${output}]`]
  if (reframe.mode === 'crop') {
    const crop = cropFor(source.width, source.height, reframe.aspect, reframe.centerX)
    return [`[${input}]crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},scale=${width}:${height},setsar=1[${output}]`]
  }
  return [
    `[${input}]split=2[fit][fill]`,
    `[fill]scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},boxblur=${Math.max(2, Math.round(width / 54))}:2[backdrop]`,
    `[fit]scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2[front]`,
    `[backdrop][front]overlay=(W-w)/2:(H-h)/2,setsar=1[${output}]`,
  ]
}

/** Breaks text into lines of at most `perLine` characters at spaces (a longer word is split). */
function greedyWrap(text: string, perLine: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      for (let piece = word; piece.length > 0; piece = piece.slice(perLine)) {
        const part = piece.slice(0, perLine)
        if (!line) line = part
        else if (line.length + 1 + part.length <= perLine) line += ` ${part}`
        else {
          lines.push(line)
          line = part
        }
      }
    }
    if (line) lines.push(line)
  }
  return lines
}

/** The fewest lines of at most `perLine` characters, as even in length as they can be (no one-word last line). */
export function wrapText(text: string, perLine: number): string[] {
  const fewest = greedyWrap(text, perLine)
  const longest = Math.max(...text.split(/\s+/).map(word => Math.min(word.length, perLine)))
  for (let width = Math.max(longest, Math.ceil(text.length / fewest.length)); width < perLine; width++) {
    const lines = greedyWrap(text, width)
    if (lines.length === fewest.length) return lines
  }
  return fewest
}

/**
 * Centred lines of text drawn with drawtext, one filter per line (ffmpeg 5 cannot centre lines inside a block).
 * The size shrinks until the text fits in `maxLines`. DejaVu Sans Bold averages about 0.6 em per character.
 */
function textBlock(text: string, frame: { width: number, height: number }, options: { fontFile: string, size: number, maxLines: number, top: (blockHeight: number) => number, enable?: string }): string[] {
  let size = options.size
  let lines = wrapText(text, Math.max(4, Math.floor(frame.width * 0.88 / (size * 0.6))))
  while (lines.length > options.maxLines && size > options.size * 0.5) {
    size *= 0.88
    lines = wrapText(text, Math.max(4, Math.floor(frame.width * 0.88 / (size * 0.6))))
  }
  const fontSize = Math.round(size)
  const lineHeight = Math.round(fontSize * 1.28)
  const top = Math.round(options.top(lines.length * lineHeight))
  const enable = options.enable ? `:enable=${options.enable}` : ''
  return lines.map((line, index) => `drawtext=fontfile=${filterValue(options.fontFile)}:expansion=none:text=${filterValue(line)}`
    + `:fontsize=${fontSize}:fontcolor=white:borderw=${Math.max(2, Math.round(fontSize / 11))}:bordercolor=black@0.9`
    + `:shadowx=0:shadowy=${Math.max(1, Math.round(fontSize / 20))}:shadowcolor=black@0.5`
    + `:x=(w-text_w)/2:y=${top + index * lineHeight}${enable}`)
}

/** What the first pass measured of the finished sound (EBU R128), named as loudnorm's second pass takes it. */
export interface LoudnessMeasurement {
  input_i: string
  input_tp: string
  input_lra: string
  input_thresh: string
  target_offset: string
}

interface Inputs {
  args: string[]
  music?: number
  logo?: number
}

// Input 0 is the footage; music loops forever and is cut to length in the graph; a logo is one picture,
// which overlay repeats to the end.
function inputs(source: RenderSource, recipe: EditRecipe, options: CompileOptions, video: boolean): Inputs {
  const result: Inputs = { args: [...guardInput('video'), '-i', source.path] }
  // Each -i adds one input; its index is the count of -i before it.
  const nextIndex = () => result.args.filter(arg => arg === '-i').length
  if (recipe.music) {
    if (!options.assets?.music) throw new RecipeError('The recipe has music, but its file was not given.')
    result.music = nextIndex()
    result.args.push(...guardInput('music'), '-stream_loop', '-1', '-i', options.assets.music.path)
  }
  if (video && recipe.watermark) {
    if (!options.assets?.logo) throw new RecipeError('The recipe has a logo, but its file was not given.')
    result.logo = nextIndex()
    result.args.push(...guardInput('logo'), '-i', options.assets.logo.path)
  }
  return result
}

// The kept parts joined and re-timed: the same in the measuring pass and the render, so the first pass
// measures exactly the audio the second one normalises. Video edges sit half a frame early, so each part
// takes exactly the frames whose times fall inside it.
function timelineFilters(source: RenderSource, recipe: EditRecipe, segments: Span[], fps: number | null): string[] {
  const video = fps !== null
  const audio = source.hasAudio
  const graph: string[] = []
  const half = 0.5 / source.fps
  segments.forEach((segment, index) => {
    if (video) graph.push(`[0:v:0]trim=start=${number(Math.max(0, segment.start - half))}:end=${number(segment.end - half)},setpts=PTS-STARTPTS[v${index}]`)
    if (audio) graph.push(`[0:a:0]atrim=start=${number(segment.start)}:end=${number(segment.end)},asetpts=PTS-STARTPTS[a${index}]`)
  })
  if (!video && !audio) return graph
  const pairs = segments.map((_, index) => `${video ? `[v${index}]` : ''}${audio ? `[a${index}]` : ''}`).join('')
  const outputs = `${video ? '[joined]' : ''}${audio ? '[joineda]' : ''}`
  graph.push(`${pairs}concat=n=${segments.length}:v=${video ? 1 : 0}:a=${audio ? 1 : 0}${outputs}`)
  // Speed changes both streams alike; atempo covers 0.5–2× in one step.
  if (video) graph.push(`[joined]setpts=PTS/${number(recipe.speed)},fps=${number(fps)}[timed]`)
  if (audio) graph.push(`[joineda]atempo=${number(recipe.speed)},aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[voice]`)
  return graph
}

/**
 * The sound before loudness: the voice, padded under the end card, with the music looped to length and ducked
 * by a sidechain compressor keyed from the voice. The key is levelled first (a gate, then a hard compressor with
 * make-up gain), so any speech drives it to about the same level and the music drops by `duckDb` whether the
 * speaker whispers or shouts. Returns the label of the mix, or null when there is no sound.
 */
function soundFilters(source: RenderSource, recipe: EditRecipe, input: Inputs, footageSeconds: number, graph: string[]): string | null {
  const card = recipe.endCard?.seconds ?? 0
  const total = footageSeconds + card
  let voice: string | null = null
  if (source.hasAudio) {
    graph.push(`[voice]${card ? `apad=pad_dur=${number(card)},` : ''}atrim=duration=${number(total)}[voiced]`)
    voice = 'voiced'
  }
  if (!recipe.music || input.music === undefined) return voice
  const music = recipe.music
  graph.push(`[${input.music}:a:0]atrim=duration=${number(total)},asetpts=PTS-STARTPTS,aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=${number(music.volumeDb)}dB[music]`)
  if (!voice) return 'music'
  // The levelled key sits between −23 and −21.5 dBFS for speech between −40 and −10 dBFS; a 20:1 compressor
  // removes 0.95 dB per dB over its threshold, so a threshold (duck + 1) / 0.95 dB under −23 ducks by at least
  // `duckDb` (the extra dB pays for the detector's smoothing), and by up to 2.5 dB more for loud speech.
  const threshold = 10 ** ((-23 - (music.duckDb + 1) / 0.95) / 20)
  graph.push(
    `[${voice}]asplit=2[speech][key]`,
    `[key]agate=threshold=0.01:range=0.001:attack=5:release=80,acompressor=threshold=0.001:ratio=20:attack=5:release=120:makeup=64[keyed]`,
    `[music][keyed]sidechaincompress=threshold=${number(Math.max(0.000976563, threshold))}:ratio=20:attack=30:release=350:knee=1[ducked]`,
    `[speech][ducked]amix=inputs=2:duration=first:normalize=0[mixed]`,
  )
  return 'mixed'
}

function loudnormOptions(target: NonNullable<EditRecipe['loudness']>): string {
  return `loudnorm=I=${number(target.targetLufs)}:TP=${number(target.truePeakDb)}:LRA=${number(target.rangeLu)}`
}

function footageLength(segments: Span[], recipe: EditRecipe, fps: number): number {
  // Each part becomes whole frames; the speed change then re-times them.
  const frames = segments.reduce((sum, span) => sum + Math.round((span.end - span.start) * fps), 0)
  return frames / fps / recipe.speed
}

/**
 * The first pass: reads the finished sound (cuts, tempo, music, end card) and prints its integrated loudness, range and
 * true peak. ebur128 does it at 48 kHz (true peak oversampled on its own), about five times faster than loudnorm's
 * measuring pass, which runs everything at 192 kHz; its per-frame lines go to the verbose log, only the summary prints.
 */
export function loudnessMeasureCommand(source: RenderSource, recipe: EditRecipe, options: Pick<CompileOptions, 'silences' | 'assets'> = {}): string[] | null {
  if ((!source.hasAudio && !recipe.music) || !recipe.loudness) return null
  const segments = keptSegments(recipe, source, options.silences)
  const input = inputs(source, recipe, options, false)
  const graph = timelineFilters(source, recipe, segments, null)
  const sound = soundFilters(source, recipe, input, footageLength(segments, recipe, source.fps), graph)!
  graph.push(`[${sound}]ebur128=peak=true:framelog=verbose[measured]`)
  return ['-hide_banner', '-nostdin', '-nostats', ...input.args, '-filter_complex', graph.join(';'), '-map', '[measured]', '-f', 'null', '-']
}

/**
 * The second loudness pass, or null when the sound is silent (nothing to raise). When a plain gain reaches the
 * target without pushing the true peak over its ceiling, it is that gain: what loudnorm's linear mode does, without
 * its 192 kHz round trip in ffmpeg's filtering thread. Otherwise loudnorm, dynamic, from the measured figures.
 */
export function secondPass(target: NonNullable<EditRecipe['loudness']>, measured: LoudnessMeasurement): string | null {
  const integrated = Number(measured.input_i)
  if (!(integrated > -70)) return null
  const gain = target.targetLufs - integrated
  if (Number(measured.input_tp) + gain <= target.truePeakDb) return `volume=${number(gain)}dB`
  return `${loudnormOptions(target)}:measured_I=${number(integrated)}:measured_TP=${number(Number(measured.input_tp))}:measured_LRA=${number(Number(measured.input_lra))}`
    + `:measured_thresh=${number(Number(measured.input_thresh))}:offset=${number(Number(measured.target_offset))}:linear=true`
}

/** The summary ebur128 prints when the first pass ends. Silence reads as −70 LUFS. */
export function parseLoudnessMeasurement(stderr: string): LoudnessMeasurement {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'))
  const read = (pattern: RegExp) => {
    const value = Number(pattern.exec(summary)?.[1])
    return Number.isFinite(value) ? String(value) : null
  }
  const integrated = read(/I:\s+(-?[\d.]+) LUFS/)
  if (!stderr.includes('Summary:') || integrated === null) {
    if (stderr.includes('Summary:')) return { input_i: '-70', input_tp: '-70', input_lra: '0', input_thresh: '-70', target_offset: '0' }
    throw new RecipeError('The loudness measurement printed nothing; the audio may be empty.')
  }
  return {
    input_i: integrated,
    input_tp: read(/Peak:\s+(-?[\d.]+) dBFS/) ?? '-70',
    input_lra: read(/LRA:\s+(-?[\d.]+) LU/) ?? '0',
    input_thresh: read(/Threshold:\s+(-?[\d.]+) LUFS/) ?? '-70',
    target_offset: '0',
  }
}

function logoFilters(recipe: EditRecipe, input: Inputs, frame: { width: number, height: number }, current: string): string[] {
  const mark = recipe.watermark!
  const tall = frame.height > frame.width
  const marginX = Math.round(frame.width * 0.04)
  // Tall frames keep clear of the platforms' top bar and the caption and button band at the bottom.
  const marginTop = Math.round(frame.height * (tall ? 0.07 : 0.04))
  const marginBottom = Math.round(frame.height * (tall ? 0.22 : 0.04))
  const x = mark.corner.endsWith('left') ? String(marginX) : `W-w-${marginX}`
  const y = mark.corner.startsWith('top') ? String(marginTop) : `H-h-${marginBottom}`
  return [
    `[${input.logo}:v:0]scale=${even(frame.width * mark.widthFraction)}:-2,format=rgba,colorchannelmixer=aa=${number(mark.opacity)}[logo]`,
    `[${current}][logo]overlay=x=${x}:y=${y}:format=auto[marked]`,
  ]
}

export function compileRecipe(source: RenderSource, recipe: EditRecipe, outputPath: string, options: CompileOptions = {}): CompiledRender {
  const preview = options.preview ?? false
  const fonts = options.fonts ?? renderFonts
  const fps = outputFps(source, recipe, preview)
  const frame = outputSize(source, recipe, preview)
  const segments = keptSegments(recipe, source, options.silences)
  const footageSeconds = footageLength(segments, recipe, source.fps)
  const input = inputs(source, recipe, options, true)
  const files: CompiledRender['files'] = []

  const graph = timelineFilters(source, recipe, segments, fps)
  graph.push(...frameFilters(source, recipe, frame, 'timed', 'framed'))
  let current = 'framed'
  if (recipe.watermark) {
    graph.push(...logoFilters(recipe, input, frame, current))
    current = 'marked'
  }
  if (recipe.hook) {
    const hook = recipe.hook
    const size = Math.min(frame.width, frame.height) * 0.075
    const top = (block: number) => hook.position === 'top' ? frame.height * 0.14 : hook.position === 'center' ? (frame.height - block) / 2 : frame.height * 0.7 - block
    const lines = textBlock(hook.text, frame, { fontFile: fonts.bold, size, maxLines: 4, top, enable: `between(t\\,0\\,${number(hook.seconds)})` })
    graph.push(`[${current}]${lines.join(',')}[hooked]`)
    current = 'hooked'
  }
  if (recipe.captions) {
    const file = captionsFile(recipe, segments, frame, options, fonts)
    if (file) {
      files.push(file)
      graph.push(`[${current}]subtitles=filename=${filterValue(file.path)}:fontsdir=${filterValue(fonts.dir)}[captioned]`)
      current = 'captioned'
    }
  }
  if (recipe.endCard) {
    const card = recipe.endCard
    const lines = textBlock(card.text, frame, { fontFile: fonts.bold, size: Math.min(frame.width, frame.height) * 0.085, maxLines: 4, top: block => (frame.height - block) / 2 })
    graph.push(
      `color=c=0x${card.background.slice(1)}:s=${frame.width}x${frame.height}:r=${number(fps)}:d=${number(card.seconds)},setsar=1,${lines.join(',')}[card]`,
      `[${current}][card]concat=n=2:v=1:a=0[carded]`,
    )
    current = 'carded'
  }
  graph.push(`[${current}]format=yuv420p[vout]`)

  const sound = soundFilters(source, recipe, input, footageSeconds, graph)
  if (sound) {
    // The second pass applies the first pass's figures, so the whole render lands on the target.
    let normalise = ''
    if (recipe.loudness && options.measured) {
      const pass = secondPass(recipe.loudness, options.measured)
      normalise = pass ? `${pass},` : ''
    }
    else if (recipe.loudness && preview) normalise = `${loudnormOptions(recipe.loudness)},`
    else if (recipe.loudness) throw new RecipeError('Loudness normalisation needs the first pass: run loudnessMeasureCommand first.')
    // loudnorm works at 192 kHz; platforms want 48 kHz stereo (a mono source is copied to both sides).
    graph.push(`[${sound}]${normalise}aresample=48000,aformat=sample_rates=48000:channel_layouts=stereo[aout]`)
  }

  const preset = recipe.platform ? platformProfiles[recipe.platform].preset : null
  const caps = preset && !preview ? ['-maxrate', `${preset.maxBitrateKbps}k`, '-bufsize', `${preset.maxBitrateKbps * 2}k`] : []
  const args = [
    '-hide_banner', '-nostdin', '-y', ...input.args,
    '-filter_complex', graph.join(';'),
    '-map', '[vout]', ...(sound ? ['-map', '[aout]'] : []),
    // H.264 High 4:2:0 with closed GOPs of two seconds: what every platform ingests without re-encoding trouble.
    '-c:v', 'libx264', '-preset', preview ? 'ultrafast' : 'veryfast', '-crf', preview ? '30' : '20', '-profile:v', 'high', '-pix_fmt', 'yuv420p',
    '-g', String(Math.max(1, Math.round(fps * 2))), '-flags', '+cgop', ...caps,
    ...(sound ? ['-c:a', 'aac', '-b:a', `${preview ? 96 : preset?.audioBitrateKbps ?? 160}k`, '-ar', '48000'] : []),
    '-movflags', '+faststart', outputPath,
  ]
  const card = recipe.endCard?.seconds ?? 0
  return { args, graph: graph.join(';'), segments, footageSeconds, expectedDurationSeconds: footageSeconds + card, width: frame.width, height: frame.height, fps, files }
}

/** The captions as an ASS file for libass, on the output timeline; null when every cue fell in a cut. */
function captionsFile(recipe: EditRecipe, segments: Span[], frame: { width: number, height: number }, options: CompileOptions, fonts: RenderFonts) {
  const captions = recipe.captions!
  const cues = mapCuesToOutput(captions.cues, segments, recipe.speed)
  if (cues.length === 0) return null
  if (!options.workDir) throw new RecipeError('Captions need a working folder for their subtitle file.')
  const content = buildAssDocument({ cues, style: captions.style, position: captions.position, width: frame.width, height: frame.height, fontFamily: fonts.family })
  return { path: join(options.workDir, 'captions.ass'), content }
}
