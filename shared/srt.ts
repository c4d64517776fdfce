// SubRip (.srt) subtitles to caption cues, for the Studio's "paste SRT". Lenient like a player: index lines are
// optional, commas or dots before the milliseconds, CRLF or LF, and formatting tags dropped.

export interface SrtCue {
  start: number
  end: number
  text: string
}

export interface SrtResult {
  cues: SrtCue[]
  /** Blocks that were not cues, or cues the clip cannot show, each said in words (a person fixes them in the pasted text). */
  problems: string[]
  /** Cues that ran past the clip's end and were cut to end with it, said so the change is never silent. */
  notes: string[]
}

/** 90 → "1:30", 42 → "0:42", 3725.5 → "1:02:05.5": the way a player shows a time. */
export function clockTime(seconds: number): string {
  const tenths = Math.round(seconds * 10) / 10
  const whole = Math.floor(tenths)
  const fraction = tenths - whole > 0 ? `.${Math.round((tenths - whole) * 10)}` : ''
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const secondsPart = `${String(whole % 60).padStart(2, '0')}${fraction}`
  return hours ? `${hours}:${String(minutes).padStart(2, '0')}:${secondsPart}` : `${minutes}:${secondsPart}`
}

/**
 * A caption the clip can never show: it starts at or after the clip's end (a file for another video, or an offset).
 * `label` is how the page counts it: "Cue 3" in pasted SRT, "Caption 3" in the editor's rows.
 */
export function cueAfterClip(cue: { start: number }, label: string, durationSeconds: number): string | null {
  if (!(durationSeconds > 0) || cue.start < durationSeconds) return null
  return `${label} starts at ${clockTime(cue.start)}, after the clip ends at ${clockTime(durationSeconds)}.`
}

const timing = /^\s*(\d{1,2}:)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(\d{1,2}:)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})/

function toSeconds(hours: string | undefined, minutes: string, seconds: string, fraction: string): number {
  // "5" after the comma means 500 ms, as players read it.
  const milliseconds = Number(fraction.padEnd(3, '0'))
  return Number(hours?.slice(0, -1) ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds) + milliseconds / 1000
}

/** Drops <i>, <font …> and {\an8}-style tags, and joins a cue's lines with a space. */
function plainText(lines: string[]): string {
  return lines.join(' ').replace(/<[^>]*>/g, '').replace(/\{\\[^}]*\}/g, '').replace(/\s+/g, ' ').trim()
}

// A cue is called by its own number line when it has one ("3"), else by its place among the blocks.
function cueLabel(lines: string[], timingAt: number, index: number): string {
  const number = timingAt === 1 ? lines[0]!.trim() : ''
  return `Cue ${/^\d+$/.test(number) ? Number(number) : index + 1}`
}

/**
 * With `durationSeconds` (the clip's length), a cue that starts after the clip ends is a problem, and one that only
 * runs past the end is cut to end with the clip, with a note: players drop the rest anyway, and tools often pad the
 * last cue past the end of the speech.
 */
export function parseSrt(input: string, { durationSeconds }: { durationSeconds?: number } = {}): SrtResult {
  const cues: SrtCue[] = []
  const problems: string[] = []
  const notes: string[] = []
  const blocks = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n\s*\n/)
  blocks.forEach((block, index) => {
    const lines = block.split('\n').filter(line => line.trim() !== '')
    if (lines.length === 0) return
    const timingAt = lines.findIndex(line => timing.test(line))
    const label = `Block ${index + 1}`
    if (timingAt < 0 || timingAt > 1) {
      problems.push(`${label} has no "00:00:01,000 --> 00:00:02,000" line.`)
      return
    }
    const match = timing.exec(lines[timingAt]!)!
    const start = toSeconds(match[1], match[2]!, match[3]!, match[4]!)
    const end = toSeconds(match[5], match[6]!, match[7]!, match[8]!)
    const text = plainText(lines.slice(timingAt + 1))
    if (!text) problems.push(`${label} has a time but no text.`)
    else if (end <= start) problems.push(`${label} ends before it starts.`)
    else if (durationSeconds && start >= durationSeconds) problems.push(cueAfterClip({ start }, cueLabel(lines, timingAt, index), durationSeconds)!)
    else if (durationSeconds && end > durationSeconds) {
      notes.push(`${cueLabel(lines, timingAt, index)} ran to ${clockTime(end)}; it now ends with the clip at ${clockTime(durationSeconds)}.`)
      cues.push({ start, end: durationSeconds, text })
    }
    else cues.push({ start, end, text })
  })
  cues.sort((first, second) => first.start - second.start)
  return { cues, problems, notes }
}
