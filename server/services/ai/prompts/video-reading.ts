// video.reading: what a video is (hook, topic, format, call to action, on-screen text, emotional arc), read from its
// measurements and transcript, and from the video itself when the provider can watch it (Gemini). The local answer
// fills only what the measurements support and leaves every meaning unread, saying why.
import type { PromptTemplate } from '../types'
import { NEEDS_PROVIDER, readingContentSchema, type ReadingContent } from '#shared/semantics'

export interface ReadingWord { word: string, start: number, end: number }

export interface VideoReadingInput {
  title: string
  kind: 'reference' | 'footage'
  durationSeconds: number
  /** The latest analysis's measurements; null when the video has none yet. */
  measured: {
    aspectClass: string
    hasAudio: boolean
    cutCount: number
    cutsPerMinute: number
    firstCutSeconds: number | null
    hookCutCount: number
    medianShotSeconds: number
    /** Transition times (seconds), the first 40. */
    cuts: number[]
    /** Shot lengths (seconds), the first 40. */
    shotSeconds: number[]
    /** Stretches with sound above the silence floor, the first 30: speech or music, not told apart. */
    soundSpans: { start: number, end: number }[]
    silenceRatio: number | null
    integratedLufs: number | null
    hookLoudnessDeltaLu: number | null
    meanMotion: number
    hookMotionRatio: number | null
    blackRatio: number
  } | null
  /** Spoken words with timings, when a transcript exists (the first 400). */
  transcript: { approximate: boolean, words: ReadingWord[] } | null
  /** The provider is sent the video itself. */
  withVideo: boolean
}

const HOOK_WINDOW_SECONDS = 3
const seconds = (value: number) => `${value.toFixed(1)} s`

/** The words of the first seconds, as spoken; null without a transcript or with nothing said then. */
export function hookWords(transcript: VideoReadingInput['transcript'], windowSeconds = HOOK_WINDOW_SECONDS): string | null {
  const words = transcript?.words.filter(word => word.start < windowSeconds).map(word => word.word.trim()).filter(Boolean) ?? []
  return words.length ? words.join(' ') : null
}

/** The measured facts of the opening, in words: "first cut at 0.8 s; 2 cuts in the first 3 s; the opening is 3.1 LU louder". */
export function openingFacts(measured: VideoReadingInput['measured']): string | null {
  if (!measured) return null
  const facts = [measured.firstCutSeconds === null ? 'one continuous shot' : `first visual cut at ${seconds(measured.firstCutSeconds)}`]
  if (measured.hookCutCount >= 2) facts.push(`${measured.hookCutCount} cuts in the first ${HOOK_WINDOW_SECONDS} s`)
  if (measured.hookLoudnessDeltaLu !== null && Math.abs(measured.hookLoudnessDeltaLu) >= 2) {
    facts.push(`the first ${HOOK_WINDOW_SECONDS} s are ${Math.abs(measured.hookLoudnessDeltaLu).toFixed(1)} LU ${measured.hookLoudnessDeltaLu > 0 ? 'louder' : 'quieter'} than the rest`)
  }
  if (measured.hookMotionRatio !== null && (measured.hookMotionRatio >= 1.3 || measured.hookMotionRatio <= 0.77)) {
    facts.push(`${measured.hookMotionRatio >= 1.3 ? 'more' : 'less'} motion in the first ${HOOK_WINDOW_SECONDS} s than after`)
  }
  const firstSound = measured.soundSpans[0]
  if (measured.hasAudio && firstSound) facts.push(firstSound.start < 0.3 ? 'sound from the first frame' : `sound starts at ${seconds(firstSound.start)}`)
  return facts.join('; ')
}

function local(input: VideoReadingInput): ReadingContent {
  const facts = openingFacts(input.measured)
  const line = hookWords(input.transcript)
  const spoken = line ? `the words are the transcript's first ${HOOK_WINDOW_SECONDS} s${input.transcript?.approximate ? ' (approximate timing)' : ''}` : null
  const hookNote = [facts && `Measured: ${facts}.`, spoken && `${spoken[0]!.toUpperCase()}${spoken.slice(1)}.`, 'What kind of hook it is needs an AI provider.'].filter(Boolean).join(' ')
  const unread = { source: null, note: NEEDS_PROVIDER }
  return {
    hook: facts || line
      ? { type: 'unknown', line, source: 'measured', note: hookNote }
      : { type: null, line: null, ...unread },
    topic: { value: null, ...unread },
    format: { value: null, ...unread },
    callToAction: { type: null, words: null, ...unread },
    // Spoken words are not on-screen text: only a provider that sees the frames can read that.
    onScreenText: { lines: null, source: null, note: 'Not read: text on screen is not measured, and reading it needs an AI provider that watches the video (Gemini). Choose one in Settings → AI.' },
    emotionalArc: { beats: null, ...unread },
  }
}

function render(input: VideoReadingInput): string {
  const parts = [
    `Title: ${JSON.stringify(input.title)}`,
    `Kind: ${input.kind === 'reference' ? 'a reference video by another creator' : 'the creator\'s own footage'}`,
    `Duration: ${input.durationSeconds.toFixed(1)} s`,
    input.withVideo ? 'The video file is attached: watch it, including any text on screen.' : 'You cannot see the video: read it from the measurements and the transcript only, and leave what they cannot tell null.',
    `Measurements (ffmpeg; times in seconds): ${input.measured ? JSON.stringify(input.measured) : 'none yet'}`,
    'Text coverage on screen is not measured.',
    input.transcript
      ? `Transcript words${input.transcript.approximate ? ' (approximate timings)' : ''} as [word, start, end]: ${JSON.stringify(input.transcript.words.map(word => [word.word, word.start, word.end]))}`
      : 'No transcript.',
  ]
  return parts.join('\n')
}

export const videoReadingPrompt: PromptTemplate<VideoReadingInput, ReadingContent> = {
  purpose: 'video.reading',
  version: 'video-reading/1',
  schema: readingContentSchema,
  instructions: [
    'You read short-form videos (Reels, TikTok, Shorts) for a creator who wants to learn what works.',
    'Answer with JSON that fits the schema. For each field give the value, its source and a short note.',
    'source is "measured" only when the value is copied from the measurements or transcript you were given, "read" when it is your reading, null when the value is null.',
    'Never guess: when you cannot tell a field from what you were given, set its value null (hook type "unknown") and say why in the note.',
    'hook.line and callToAction.words are verbatim words said or shown; on-screen text lines carry their times when you can see them.',
    'topic is two to four plain words. emotionalArc is two to four one-word beats in order.',
    'Do not invent numbers (views, percentages, durations) that are not in the input.',
  ].join('\n'),
  render,
  local,
}
