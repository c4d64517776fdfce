// SubRip (.srt) subtitles to caption cues, for the Studio's "paste SRT". Lenient like a player: index lines are
// optional, commas or dots before the milliseconds, CRLF or LF, and formatting tags dropped.

export interface SrtCue {
  start: number
  end: number
  text: string
}

export interface SrtResult {
  cues: SrtCue[]
  /** Blocks that were not cues, each said in words (a person fixes them in the pasted text). */
  problems: string[]
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

export function parseSrt(input: string): SrtResult {
  const cues: SrtCue[] = []
  const problems: string[] = []
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
    else cues.push({ start, end, text })
  })
  cues.sort((first, second) => first.start - second.start)
  return { cues, problems }
}
