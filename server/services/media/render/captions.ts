// Burned captions: cues (source seconds) mapped through the cuts and the speed into output seconds, then written
// as an ASS document that ffmpeg's subtitles filter draws with libass. Pure, no database: unit-tested in
// test/unit/media-render-captions.test.ts and measured on real renders in test/integration/media-render-captions.test.ts.
import type { CaptionCue, CaptionStyle } from '#shared/recipe'
import type { Span } from './types'

/** A word on the output timeline. */
export interface TimedWord {
  start: number
  end: number
  text: string
}

/** A caption on the output timeline (seconds of the rendered video), with its words in order. */
export interface TimedCue {
  start: number
  end: number
  text: string
  /** Every word shown, in order; without word timings in the recipe their times are shared out by length. */
  words: TimedWord[]
}

// Parts shorter than this are dropped, as keptSegments drops kept parts shorter than a millisecond.
const EPSILON = 1e-3
const TOUCHING = 1e-6

interface Piece { sourceStart: number, sourceEnd: number, outputStart: number, outputEnd: number }

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value))
const splitWords = (text: string) => text.split(/\s+/).filter(Boolean)
const characters = (text: string) => Math.max(1, Array.from(text).length)

/** Shares [start, end] between the words in proportion to their length in characters. */
function shareByLength(words: string[], start: number, end: number): TimedWord[] {
  const total = words.reduce((sum, word) => sum + characters(word), 0)
  let used = 0
  return words.map((text) => {
    const wordStart = start + (end - start) * used / total
    used += characters(text)
    return { start: wordStart, end: start + (end - start) * used / total, text }
  })
}

function overlap(start: number, end: number, piece: Piece): number {
  return Math.max(0, Math.min(end, piece.sourceEnd) - Math.max(start, piece.sourceStart))
}

// A source time inside a run of pieces that touch on the output: a time in a cut between two of them lands on the
// junction, a time outside the run on its nearer end.
function mapIntoGroup(group: Piece[], time: number, speed: number): number {
  if (time <= group[0]!.sourceStart) return group[0]!.outputStart
  for (const piece of group) {
    if (time <= piece.sourceStart) return piece.outputStart
    if (time <= piece.sourceEnd) return piece.outputStart + (time - piece.sourceStart) / speed
  }
  return group.at(-1)!.outputEnd
}

/**
 * Maps caption cues from source seconds to output seconds: through the kept segments, joined in order, and the
 * speed. A cue across a cut keeps what survives: the parts that stay next to each other on the output (a removed
 * silence) stay one cue; parts that end up apart become separate cues, each with the words spoken in it. A cue cut
 * out entirely disappears. Words without timings share the cue's surviving time by their length in characters.
 */
export function mapCuesToOutput(cues: CaptionCue[], segments: Span[], speed: number): TimedCue[] {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, not ${speed}`)
  let offset = 0
  const timeline = segments.map((segment) => {
    const placed = { ...segment, offset }
    offset += (segment.end - segment.start) / speed
    return placed
  })

  const mapped: TimedCue[] = []
  for (const cue of cues) {
    const pieces: Piece[] = timeline.flatMap((segment) => {
      const sourceStart = Math.max(cue.start, segment.start)
      const sourceEnd = Math.min(cue.end, segment.end)
      if (sourceEnd - sourceStart <= EPSILON) return []
      return [{
        sourceStart,
        sourceEnd,
        outputStart: segment.offset + (sourceStart - segment.start) / speed,
        outputEnd: segment.offset + (sourceEnd - segment.start) / speed,
      }]
    })
    // Pieces that follow each other on the output and in the source are one stretch of speech.
    const groups: Piece[][] = []
    for (const piece of pieces) {
      const last = groups.at(-1)?.at(-1)
      if (last && Math.abs(piece.outputStart - last.outputEnd) < TOUCHING && piece.sourceStart >= last.sourceEnd - TOUCHING) groups.at(-1)!.push(piece)
      else groups.push([piece])
    }
    if (groups.length === 0) continue

    const estimated = !cue.words?.length
    const words: TimedWord[] = estimated
      ? shareByLength(splitWords(cue.text), cue.start, cue.end)
      : [...cue.words!]
          .sort((a, b) => a.start - b.start)
          .map(word => ({ text: word.text, start: clamp(word.start, cue.start, cue.end), end: clamp(Math.max(word.start, word.end), cue.start, cue.end) }))

    // Each word goes to the stretch that holds most of it; a word said only in a cut part is not shown.
    const assigned: TimedWord[][] = groups.map(() => [])
    for (const word of words) {
      let best = -1
      let bestOverlap = 0
      groups.forEach((group, index) => {
        const shared = group.reduce((sum, piece) => sum + overlap(word.start, word.end, piece), 0)
        if (shared > bestOverlap) {
          best = index
          bestOverlap = shared
        }
      })
      if (best < 0) {
        const middle = (word.start + word.end) / 2
        best = groups.findIndex(group => middle >= group[0]!.sourceStart && middle <= group.at(-1)!.sourceEnd)
      }
      if (best >= 0) assigned[best]!.push(word)
    }

    groups.forEach((group, index) => {
      const kept = assigned[index]!
      if (kept.length === 0) return
      const start = group[0]!.outputStart
      const end = group.at(-1)!.outputEnd
      const text = kept.length === words.length ? cue.text : kept.map(word => word.text).join(' ')
      const timedWords = estimated
        // Estimates are re-shared over the time that survives: the cut took silence, not speech.
        ? shareByLength(kept.map(word => word.text), start, end)
        : kept.map(word => ({ text: word.text, start: mapIntoGroup(group, word.start, speed), end: mapIntoGroup(group, word.end, speed) }))
      mapped.push({ start, end, text, words: timedWords })
    })
  }
  return mapped.sort((a, b) => a.start - b.start)
}

// The small nudge keeps 1.005 (stored as 1.00499…) rounding up, as written.
const centiseconds = (seconds: number) => Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 100 + 1e-7) : 0

/** An ASS time, H:MM:SS.cc, rounded to the nearest centisecond and never negative. */
export function formatAssTime(seconds: number): string {
  const total = centiseconds(seconds)
  const fraction = total % 100
  const wholeSeconds = Math.floor(total / 100) % 60
  const minutes = Math.floor(total / 6000) % 60
  const hours = Math.floor(total / 360000)
  const pad = (value: number) => String(value).padStart(2, '0')
  return `${hours}:${pad(minutes)}:${pad(wholeSeconds)}.${pad(fraction)}`
}

// U+2060 WORD JOINER: invisible and zero-width, it parts a user's backslash from the letter after it.
const WORD_JOINER = '\u2060'

/**
 * User text made safe for an ASS Dialogue line: it shows as written and cannot add tags or events. Braces become
 * libass's literal-brace escapes; a backslash is parted from what follows, so `\N`, `\n`, `\h` (and a backslash
 * before our own override blocks) stay text; line breaks become `\N`; other control characters go.
 */
export function escapeAssText(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F]/g, character => character === '\t' ? ' ' : '')
    .replace(/[\\{}\n]/g, (character) => {
      if (character === '\\') return `\\${WORD_JOINER}`
      if (character === '\n') return '\\N'
      return `\\${character}`
    })
}

export type CaptionPosition = 'bottom' | 'middle' | 'top'

export interface AssDocumentOptions {
  cues: TimedCue[]
  style: CaptionStyle
  position: CaptionPosition
  /** The output frame, which is also the script's coordinate space (PlayResX/PlayResY). */
  width: number
  height: number
  /** A family libass can find, e.g. 'DejaVu Sans' with fontsdir=/usr/share/fonts/truetype/dejavu. */
  fontFamily: string
}

interface StyleLook {
  /** Font size as a share of the frame's shorter side. */
  size: number
  bold: boolean
  uppercase: boolean
  text: string
  outlineColour: string
  backColour: string
  backAlpha: number
  /** 1: outline and drop shadow; 4: one box behind the whole caption (libass), padded by `shadow`. */
  borderStyle: 1 | 4
  /** Outline and shadow (box padding for style 4), as shares of the frame's shorter side. */
  outline: number
  shadow: number
  /** The colour of the word being spoken (word-by-word style only). */
  highlight?: string
}

/** What each style looks like; sizes are shares of the frame's shorter side (1080 on every platform size). */
export const captionLooks: Record<CaptionStyle, StyleLook> = {
  // Plain subtitles: white, regular weight, a thin outline and a soft shadow to read on bright footage.
  clean: { size: 0.06, bold: false, uppercase: false, text: '#FFFFFF', outlineColour: '#000000', backColour: '#000000', backAlpha: 0x80, borderStyle: 1, outline: 0.0028, shadow: 0.0019 },
  // Short-form "creator" captions: big, bold, upper case, a heavy black outline.
  bold: { size: 0.078, bold: true, uppercase: true, text: '#FFFFFF', outlineColour: '#000000', backColour: '#000000', backAlpha: 0x60, borderStyle: 1, outline: 0.0065, shadow: 0.0028 },
  // Word by word: the whole line in white, the word being said in yellow.
  highlight: { size: 0.072, bold: true, uppercase: true, text: '#FFFFFF', outlineColour: '#000000', backColour: '#000000', backAlpha: 0x60, borderStyle: 1, outline: 0.0056, shadow: 0.0028, highlight: '#FFE000' },
  // White text on one dark, slightly see-through box, like the platforms' own text backgrounds.
  boxed: { size: 0.06, bold: false, uppercase: false, text: '#FFFFFF', outlineColour: '#000000', backColour: '#101010', backAlpha: 0x33, borderStyle: 4, outline: 0, shadow: 0.013 },
}

/** `#RRGGBB` as an ASS style colour, &HAABBGGRR (alpha 0 is opaque). */
export function assColour(hex: string, alpha = 0): string {
  const value = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex)
  if (!value) throw new RangeError(`not a #rrggbb colour: ${hex}`)
  const byte = (number: number) => number.toString(16).toUpperCase().padStart(2, '0')
  return `&H${byte(alpha)}${value[3]}${value[2]}${value[1]}`.toUpperCase()
}

/** `#RRGGBB` as an override colour, &HBBGGRR&. */
const overrideColour = (hex: string) => `${assColour(hex).replace('&H00', '&H')}&`

/**
 * Where captions sit. Tall frames keep clear of the platforms' overlays (TikTok/Reels/Shorts: the caption and
 * buttons over the bottom fifth, the tabs over the top tenth, the action column on the right); wide and square
 * frames only keep clear of the player's controls.
 */
export function captionLayout(width: number, height: number, position: CaptionPosition) {
  const tall = height >= width * 1.3
  const alignment = { bottom: 2, middle: 5, top: 8 }[position]
  const marginV = position === 'middle' ? 0 : Math.round(height * (position === 'bottom' ? (tall ? 0.2 : 0.08) : (tall ? 0.12 : 0.07)))
  const marginSide = Math.round(width * (tall ? 0.1 : 0.08))
  return { alignment, marginV, marginLeft: marginSide, marginRight: marginSide }
}

// A cue's text split around its words, so the word-by-word style keeps the text's own spacing and punctuation.
function splitAroundWords(cue: TimedCue): { parts: string[], wordIndex: number[] } {
  const parts: string[] = []
  const wordIndex: number[] = []
  let cursor = 0
  for (const word of cue.words) {
    const at = cue.text.indexOf(word.text, cursor)
    // Word texts that are not in the line (a transcript's own spelling): the words joined by spaces instead.
    if (at < 0) return { parts: cue.words.flatMap((each, index) => index === 0 ? [each.text] : [' ', each.text]), wordIndex: cue.words.map((_, index) => index * 2) }
    parts.push(cue.text.slice(cursor, at))
    wordIndex.push(parts.length)
    parts.push(word.text)
    cursor = at + word.text.length
  }
  parts.push(cue.text.slice(cursor))
  return { parts, wordIndex }
}

function dialogue(start: number, end: number, text: string): string | null {
  // Shorter than a centisecond after rounding: libass would never show it.
  if (centiseconds(end) <= centiseconds(start)) return null
  return `Dialogue: 0,${formatAssTime(start)},${formatAssTime(end)},Caption,,0,0,0,,${text}`
}

/** A complete ASS script for the subtitles filter: the frame's coordinates, one style, one event per caption (per word for `highlight`). */
export function buildAssDocument(options: AssDocumentOptions): string {
  const { width, height, style, position, fontFamily } = options
  const look = captionLooks[style]
  const base = Math.min(width, height)
  const layout = captionLayout(width, height, position)
  const px = (share: number) => Math.round(share * base * 100) / 100
  const transform = (text: string) => look.uppercase ? text.toUpperCase() : text
  const fontName = fontFamily.replace(/[,\r\n]/g, ' ').trim()

  const header = [
    '[Script Info]',
    '; Made by Reelwise for the subtitles filter (libass).',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    // Smart wrapping: long captions break into lines of even width.
    'WrapStyle: 0',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: None',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    `Style: Caption,${fontName},${px(look.size)},${assColour(look.text)},${assColour(look.highlight ?? look.text)},${assColour(look.outlineColour)},${assColour(look.backColour, look.backAlpha)},`
    + `${look.bold ? -1 : 0},0,0,0,100,100,0,0,${look.borderStyle},${px(look.outline)},${px(look.shadow)},${layout.alignment},${layout.marginLeft},${layout.marginRight},${layout.marginV},1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
  ]

  const events: string[] = []
  for (const cue of options.cues) {
    if (!look.highlight || cue.words.length === 0) {
      const line = dialogue(cue.start, cue.end, escapeAssText(transform(cue.text)))
      if (line) events.push(line)
      continue
    }
    // One event per word: the same line each time, the current word in the highlight colour. Each slice runs from
    // its word's start to the next word's, so the line never blinks and one word is always lit.
    const { parts, wordIndex } = splitAroundWords(cue)
    cue.words.forEach((word, index) => {
      const start = index === 0 ? cue.start : Math.max(cue.start, word.start)
      const end = index === cue.words.length - 1 ? cue.end : Math.min(cue.end, cue.words[index + 1]!.start)
      if (end <= start) return
      const text = parts.map((part, partIndex) => {
        const escaped = escapeAssText(transform(part))
        return partIndex === wordIndex[index] ? `{\\c${overrideColour(look.highlight!)}}${escaped}{\\r}` : escaped
      }).join('')
      const line = dialogue(start, end, text)
      if (line) events.push(line)
    })
  }
  return `${[...header, ...events].join('\n')}\n`
}
