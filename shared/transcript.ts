import { z } from 'zod'
import type { CaptionCue } from './recipe'

// Captions from speech: the transcript a "Transcribe" makes, and how its words become caption cues.

/** One spoken word, in source seconds. */
export interface TranscriptWord {
  word: string
  start: number
  end: number
}

/**
 * How the words were found. `openai`: Whisper (whisper-1) heard them, with word times. `gemini`: Gemini heard them;
 * its times are coarser. `offline`: PocketSphinx on this server heard them: a draft, check the words. `script`: the
 * script's (or pasted) lines laid over the speech the analysis measured: the words are right, the times approximate.
 */
export const transcribeMethods = ['openai', 'gemini', 'offline', 'script'] as const
export type TranscribeMethod = typeof transcribeMethods[number]

export const transcribeRequestSchema = z.object({
  // `auto`: the workspace's AI provider when it has a key, else the offline recogniser, else the script.
  method: z.enum(['auto', ...transcribeMethods]).default('auto'),
  // Lines to time instead of the linked script's (method `script`).
  text: z.string().trim().max(20_000, { error: issue => `At most 20000 characters (this one has ${String(issue.input).length}).` }).optional(),
})
export type TranscribeRequest = z.input<typeof transcribeRequestSchema>

export interface TranscriptSummary {
  id: string
  videoId: string
  method: TranscribeMethod
  provider: string
  model: string
  /** The times are estimated (script lines over measured speech), not heard. */
  approximate: boolean
  language: string | null
  text: string
  words: TranscriptWord[]
  createdAt: string
  /** What a person should know about these words and times, in a sentence. */
  note: string
}

export interface TranscribeStarted {
  jobId: string
}

/** Which method a stored transcript came from, from its provider and model. */
export function methodOf(provider: string, model: string): TranscribeMethod {
  if (provider === 'openai') return 'openai'
  if (provider === 'gemini') return 'gemini'
  return model === SCRIPT_ALIGNMENT_MODEL ? 'script' : 'offline'
}

export const SCRIPT_ALIGNMENT_MODEL = 'script-alignment'
export const OFFLINE_MODEL = 'pocketsphinx-en-us'

/** Who made the words, provider and model named: "OpenAI whisper-1", "PocketSphinx on this server (pocketsphinx-en-us)". */
export function transcriptSource(transcript: { method: TranscribeMethod, model: string }): string {
  switch (transcript.method) {
    case 'openai': return `OpenAI ${transcript.model}`
    case 'gemini': return `Gemini ${transcript.model}`
    case 'offline': return `PocketSphinx on this server (${transcript.model})`
    case 'script': return `your script (${transcript.model}, on this server)`
  }
}

/** The sentence shown next to a transcript's captions. */
export function transcriptNote(method: TranscribeMethod, model: string): string {
  switch (method) {
    case 'openai': return `Heard by OpenAI ${model}, with a time for every word.`
    case 'gemini': return `Heard by Gemini ${model}. Its word times are coarser than Whisper's: check where the captions start.`
    case 'offline': return 'Recognised offline by PocketSphinx: a draft, check the words.'
    case 'script': return 'Timed from your script over the measured speech: the times are approximate, check them.'
  }
}

export interface CueOptions {
  /** Characters per caption line; a cue holds at most two lines. */
  lineCharacters: number
  /** The longest a cue stays on screen. */
  maxSeconds: number
  /** A pause longer than this between two words starts a new cue. */
  pauseSeconds: number
  /** A short cue stays up this long, when the next one leaves room. */
  minSeconds: number
}

export const defaultCueOptions: CueOptions = { lineCharacters: 32, maxSeconds: 3, pauseSeconds: 0.4, minSeconds: 0.8 }

const round = (value: number) => Math.round(value * 1000) / 1000
const endsSentence = (word: string) => /[.!?…]["”’)]*$/.test(word)
// The recipe keeps at most 40 characters per word and 60 words per cue.
const MAX_WORD_CHARACTERS = 40
const MAX_CUE_WORDS = 60

/**
 * Groups words into caption cues a viewer can read: at most two lines of `lineCharacters`, at most `maxSeconds`, a new
 * cue after a pause or a sentence's end. Each cue keeps its words' times (the word-by-word style lights them up).
 */
export function cuesFromWords(words: TranscriptWord[], options: Partial<CueOptions> = {}): CaptionCue[] {
  const { lineCharacters, maxSeconds, pauseSeconds, minSeconds } = { ...defaultCueOptions, ...options }
  const maxCharacters = lineCharacters * 2
  const cues: CaptionCue[] = []
  let current: TranscriptWord[] = []
  const flush = () => {
    if (!current.length) return
    const start = current[0]!.start
    const end = Math.max(current.at(-1)!.end, start + 0.05)
    cues.push({
      start: round(start),
      end: round(end),
      text: current.map(word => word.word).join(' '),
      words: current.map(word => ({ start: round(word.start), end: round(Math.max(word.end, word.start + 0.01)), text: word.word })),
    })
    current = []
  }
  const clean = words
    .map(word => ({ ...word, word: word.word.trim().slice(0, MAX_WORD_CHARACTERS) }))
    .filter(word => word.word && Number.isFinite(word.start) && Number.isFinite(word.end))
    .sort((first, second) => first.start - second.start)
  for (const word of clean) {
    const previous = current.at(-1)
    if (previous) {
      const characters = current.map(each => each.word).join(' ').length + 1 + word.word.length
      const tooLong = characters > maxCharacters || word.end - current[0]!.start > maxSeconds || current.length >= MAX_CUE_WORDS
      const paused = word.start - previous.end > pauseSeconds
      if (tooLong || paused || endsSentence(previous.word)) flush()
    }
    current.push(word)
  }
  flush()
  // A one-word cue flashes by: it stays up to `minSeconds` when the next cue starts later.
  cues.forEach((cue, index) => {
    const next = cues[index + 1]
    if (cue.end - cue.start >= minSeconds) return
    cue.end = round(Math.max(cue.end, Math.min(cue.start + minSeconds, next ? next.start : cue.start + minSeconds)))
  })
  return cues
}

/** Display words (with their punctuation and capitals, from the full text) for recognised words that lack them (Whisper's `words`). */
export function punctuateWords(words: TranscriptWord[], text: string): TranscriptWord[] {
  const tokens = text.split(/\s+/).filter(Boolean)
  const bare = (value: string) => value.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '')
  let at = 0
  return words.map((word) => {
    const wanted = bare(word.word)
    // A short look ahead: the text may hold a token the words skipped (a number written out, a stray symbol).
    for (let index = at; index < Math.min(tokens.length, at + 4); index++) {
      if (bare(tokens[index]!) === wanted && wanted) {
        at = index + 1
        return { ...word, word: tokens[index]! }
      }
    }
    return { ...word, word: word.word.trim() }
  })
}
