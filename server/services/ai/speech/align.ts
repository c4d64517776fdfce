// With no recogniser: the words of the script (or pasted lines) laid over the speech the analysis measured.
// Speech is the complement of the measured silences; the words share it in proportion to their length, so a long
// word takes longer than a short one and no word lands in a silence. The times are estimates, and are labelled so.
import type { TranscriptWord } from '#shared/transcript'

export interface Span {
  start: number
  end: number
}

// Shorter bits of sound between two silences are clicks and breaths, not speech.
const MIN_SPEECH_SECONDS = 0.15
// What a word weighs besides its letters: the gap after it.
const WORD_GAP_WEIGHT = 1

/** Where someone speaks: [0, duration] minus the silences, without slivers. */
export function speechSpans(silences: Span[], durationSeconds: number): Span[] {
  const sorted = [...silences].filter(span => span.end > span.start).sort((first, second) => first.start - second.start)
  const spans: Span[] = []
  let at = 0
  for (const silence of sorted) {
    if (silence.start > at) spans.push({ start: at, end: Math.min(silence.start, durationSeconds) })
    at = Math.max(at, silence.end)
  }
  if (durationSeconds > at) spans.push({ start: at, end: durationSeconds })
  return spans.filter(span => span.end - span.start >= MIN_SPEECH_SECONDS)
}

/** The words of spoken lines, as a person reads them (punctuation kept on its word). */
export function wordsOf(text: string): string[] {
  return text.split(/\s+/).map(word => word.trim()).filter(word => /[\p{L}\p{N}]/u.test(word))
}

const round = (value: number) => Math.round(value * 1000) / 1000

/**
 * Spreads the words over the speech spans by their length. A word that would run past the end of its span ends
 * there; the next word starts in the next span. Returns nothing when there are no words or no speech.
 */
export function alignToSpeech(words: string[], spans: Span[]): TranscriptWord[] {
  const speech = spans.reduce((total, span) => total + (span.end - span.start), 0)
  if (!words.length || speech <= 0) return []
  const weights = words.map(word => word.replace(/[^\p{L}\p{N}]/gu, '').length + WORD_GAP_WEIGHT)
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  // Maps seconds of speech (0…speech) to a time in the footage, and says which span it falls in.
  const locate = (offset: number, preferEarlier: boolean): { time: number, span: number } => {
    let passed = 0
    for (let index = 0; index < spans.length; index++) {
      const span = spans[index]!
      const length = span.end - span.start
      const inside = preferEarlier ? offset <= passed + length : offset < passed + length
      if (inside) return { time: span.start + Math.max(0, offset - passed), span: index }
      passed += length
    }
    return { time: spans.at(-1)!.end, span: spans.length - 1 }
  }
  const result: TranscriptWord[] = []
  let cumulative = 0
  words.forEach((word, index) => {
    const from = (cumulative / total) * speech
    cumulative += weights[index]!
    const to = (cumulative / total) * speech
    const start = locate(from, false)
    const end = locate(to, true)
    // Never across a silence: the word ends where its span does.
    const endTime = end.span === start.span ? end.time : spans[start.span]!.end
    // The gap weight is the pause after the word: the word itself ends a little before the next starts.
    const spoken = start.time + (endTime - start.time) * (weights[index]! - WORD_GAP_WEIGHT * 0.5) / weights[index]!
    result.push({ word, start: round(start.time), end: round(Math.max(spoken, start.time + 0.01)) })
  })
  return result
}
