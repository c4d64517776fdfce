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

// A silence is where a sentence (or a clause) most likely ends: a break this many words either side moves to it.
const SNAP_WORDS = 3
const sentenceEnd = (word: string) => /[.!?…]["”’)]*$/.test(word)
const clauseEnd = (word: string) => /[,;:—]["”’)]*$/.test(word)

/** Spreads `words` over one span by their length, each word ending a little before the next starts. */
function spread(words: string[], weights: number[], span: Span): TranscriptWord[] {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  const length = span.end - span.start
  let cumulative = 0
  return words.map((word, index) => {
    const start = span.start + (cumulative / total) * length
    cumulative += weights[index]!
    const end = span.start + (cumulative / total) * length
    // The gap weight is the pause after the word.
    const spoken = start + (end - start) * (weights[index]! - WORD_GAP_WEIGHT * 0.5) / weights[index]!
    return { word, start: round(start), end: round(Math.max(spoken, start + 0.01)) }
  })
}

/**
 * Spreads the words over the speech spans by their length, never into a silence. Each silence first takes the word
 * break the lengths put there; a sentence end (else a clause end) within three words moves the break to it, since
 * people pause between sentences. Returns nothing when there are no words or no speech.
 */
export function alignToSpeech(words: string[], spans: Span[]): TranscriptWord[] {
  const speech = spans.reduce((total, span) => total + (span.end - span.start), 0)
  if (!words.length || speech <= 0) return []
  const weights = words.map(word => word.replace(/[^\p{L}\p{N}]/gu, '').length + WORD_GAP_WEIGHT)
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  // Where each silence falls in the words: the first word whose middle comes after the speech before the silence.
  const breaks: number[] = []
  let before = 0
  for (const span of spans.slice(0, -1)) {
    before += span.end - span.start
    let cumulative = 0
    let index = 0
    while (index < words.length && (cumulative + weights[index]! / 2) / total * speech < before) cumulative += weights[index++]!
    breaks.push(index)
  }
  const snapped = breaks.map((index, position) => {
    const low = Math.max(position ? breaks[position - 1]! : 0, index - SNAP_WORDS)
    const candidates = (test: (word: string) => boolean) => words.map((word, at) => ({ at: at + 1, ok: test(word) }))
      .filter(candidate => candidate.ok && candidate.at >= low && candidate.at <= Math.min(words.length, index + SNAP_WORDS))
      .sort((first, second) => Math.abs(first.at - index) - Math.abs(second.at - index))
    return candidates(sentenceEnd)[0]?.at ?? candidates(clauseEnd)[0]?.at ?? index
  })
  // Keep them in order after snapping.
  for (let position = 1; position < snapped.length; position++) snapped[position] = Math.max(snapped[position]!, snapped[position - 1]!)
  const result: TranscriptWord[] = []
  const edges = [0, ...snapped, words.length]
  spans.forEach((span, position) => {
    const from = edges[position]!
    const to = edges[position + 1]!
    if (to > from) result.push(...spread(words.slice(from, to), weights.slice(from, to), span))
  })
  return result
}
