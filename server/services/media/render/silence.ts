// Silence removal ("jump cuts"): find the quiet stretches with ffmpeg's silencedetect, then cut them out of the
// kept parts, leaving a margin of sound around every cut. Pure: the commands are argument arrays, no shell.
//
// How this maps onto auto-editor 22w52a's audio mode (auto_editor/analyze.py, make_layers.py, utils/func.py):
// - auto-editor splits the audio into chunks of one video frame and calls a chunk loud when its peak is at least
//   `threshold` (0.04 by default) times the file's loudest sample. silencedetect works per sample against a level in
//   dBFS, so the threshold is `thresholdDb` (20·log10 0.04 = −27.96 ≈ −28) plus the peak of the analysed audio:
//   measure it first with `peakLevelCommand` and pass it as `peakDb`. Without it the threshold is against full scale,
//   which cuts more than auto-editor on footage that peaks well below 0 dBFS.
// - auto-editor's --margin (0.2 s) turns `margin` of silence on each side of every sound back into sound: here a
//   silence is shrunk by `marginSeconds` on each side that has sound next to it. A silence at the edge of a kept part
//   (the leading and trailing silence) has no sound on that side and is cut up to the edge, as auto-editor does.
// - auto-editor drops cuts shorter than --min-cut-length (6 frames, 0.2 s at 30 fps) before and after adding the
//   margins, so it cuts only silences of at least min-cut + 2·margin (0.6 s at its defaults). `minSilenceSeconds`
//   is the shortest silence cut, before the margins; set it to 0.6 s for the same result.
// - auto-editor also drops sounds shorter than --min-clip-length (3 frames): a click in a silence. silencedetect
//   ends the silence at the click instead; the parts left shorter than one frame are dropped here.
// - Cuts fall on frame boundaries, rounded towards the silence, as auto-editor's per-frame chunks do.
import type { EditRecipe, SilenceRemoval } from '#shared/recipe'
import { guardInput } from '../input-guard'
import { RecipeError } from './types'
import type { RenderSource, Span } from './types'

const number = (value: number) => {
  if (!Number.isFinite(value)) throw new RecipeError(`not a finite number: ${value}`)
  return String(Math.round(value * 1e6) / 1e6)
}

// silencedetect prints times with 6 significant digits, so a 0.5 s silence can read as 0.499995 s.
const printed = 0.001

/** The part of the source that silence detection reads: the recipe's trim, in source seconds. */
export function silenceRange(source: RenderSource, recipe: EditRecipe): Span {
  const start = Math.min(recipe.trim.start, source.durationSeconds)
  const end = Math.min(recipe.trim.end ?? source.durationSeconds, source.durationSeconds)
  if (end - start <= printed) throw new RecipeError('Nothing is left to render: the trim does not overlap the footage.')
  return { start, end }
}

// Input seeking (-ss before -i) decodes only the range and starts its timestamps at zero: parseSilences adds the
// range's start back, which gives the same source seconds the compiler's trim and atrim filters use.
function audioInput(source: RenderSource, range: Span): string[] {
  return ['-hide_banner', '-nostdin', '-nostats', ...guardInput('video'), '-ss', number(range.start), '-t', number(range.end - range.start), '-i', source.path, '-map', '0:a:0']
}

/** Measures the peak (dBFS) of the audio silence detection will read. Null when there is nothing to measure. */
export function peakLevelCommand(source: RenderSource, recipe: EditRecipe): string[] | null {
  if (!recipe.silence || !source.hasAudio) return null
  return [...audioInput(source, silenceRange(source, recipe)), '-af', 'astats=measure_perchannel=none:measure_overall=Peak_level', '-f', 'null', '-']
}

/** The peak astats prints ("Peak level dB: -6.02"); −Infinity for digital silence. */
export function parsePeakLevel(lines: string[]): number {
  for (const line of lines.toReversed()) {
    const match = /Peak level dB:\s*(-?(?:inf|[\d.]+))/i.exec(line)
    if (match) return /inf/i.test(match[1]!) ? -Infinity : Number(match[1])
  }
  throw new RecipeError('The peak measurement printed nothing; the footage may have no readable audio.')
}

/**
 * silencedetect over the first audio stream within the trim; it prints silence_start/silence_end lines on stderr,
 * in seconds from the trim's start (parseSilences adds it back). `peakDb` makes the threshold relative to the
 * audio's peak, as auto-editor's is. Null when silence removal is off or the footage has no audio.
 */
export function silenceDetectCommand(source: RenderSource, recipe: EditRecipe, peakDb = 0): string[] | null {
  if (!recipe.silence || !source.hasAudio) return null
  // Digital silence has no peak: every sample is under any threshold, so full scale will do.
  const reference = Number.isFinite(peakDb) ? Math.min(0, peakDb) : 0
  const noise = recipe.silence.thresholdDb + reference
  const filter = `silencedetect=noise=${number(noise)}dB:duration=${number(recipe.silence.minSilenceSeconds)}`
  return [...audioInput(source, silenceRange(source, recipe)), '-af', filter, '-f', 'null', '-']
}

/**
 * The silences silencedetect printed, in source seconds within `range`. A silence still open at the end (older
 * ffmpeg prints no silence_end then) runs to the end of the range.
 */
export function parseSilences(lines: string[], range: Span): Span[] {
  const silences: Span[] = []
  let open: number | null = null
  const add = (start: number, end: number) => {
    const clipped = { start: Math.max(range.start, start), end: Math.min(range.end, end) }
    if (clipped.end > clipped.start) silences.push(clipped)
  }
  for (const line of lines) {
    const match = /silence_(start|end):\s*(-?[\d.]+(?:e[-+]?\d+)?)/.exec(line)
    if (!match) continue
    const at = range.start + Number(match[2])
    if (!Number.isFinite(at)) continue
    if (match[1] === 'start') open = at
    else if (open !== null) {
      add(open, at)
      open = null
    }
  }
  if (open !== null) add(open, range.end)
  return silences
}

/** Cuts each silence out of the kept parts (source seconds, in order), keeping `marginSeconds` of it next to sound. */
export function removeSilences(segments: Span[], silences: Span[], settings: SilenceRemoval, frameSeconds = 1 / 30): Span[] {
  const cuttable = silences
    .filter(silence => silence.end - silence.start >= settings.minSilenceSeconds - printed)
    .toSorted((a, b) => a.start - b.start)
  const edge = 1e-6
  const kept: Span[] = []
  for (const segment of segments) {
    let pieces: Span[] = [segment]
    for (const silence of cuttable) {
      if (silence.end <= segment.start || silence.start >= segment.end) continue
      // The margin goes on the sides with sound next to them; a side at the segment's edge is cut to the edge.
      const start = silence.start <= segment.start + edge
        ? segment.start
        : Math.ceil((silence.start + settings.marginSeconds) / frameSeconds - edge) * frameSeconds
      const end = silence.end >= segment.end - edge
        ? segment.end
        : Math.floor((silence.end - settings.marginSeconds) / frameSeconds + edge) * frameSeconds
      if (end - start <= edge) continue
      pieces = pieces.flatMap(piece => [
        { start: piece.start, end: Math.min(piece.end, start) },
        { start: Math.max(piece.start, end), end: piece.end },
      ].filter(part => part.end - part.start > edge))
    }
    kept.push(...pieces.filter(piece => piece.end - piece.start >= frameSeconds - edge))
  }
  if (kept.length === 0) {
    const level = `${settings.thresholdDb}`.replace('-', '−')
    throw new RecipeError(`The footage is silent at ${level} dB: lower the threshold or turn silence removal off.`)
  }
  return kept
}
