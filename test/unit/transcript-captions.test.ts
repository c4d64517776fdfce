import { describe, expect, it } from 'vitest'
import { captionCueSchema, draftRecipeSchema } from '#shared/recipe'
import { cuesFromWords, punctuateWords, type TranscriptWord } from '#shared/transcript'
import { alignToSpeech, speechSpans, wordsOf } from '../../server/services/ai/speech/align'
import { parseWordTimes } from '../../server/services/ai/speech/pocketsphinx'
import { spokenLinesOf } from '../../server/services/ai/transcribe'

// Words said one after another at a steady pace: 0.3 s each with 0.05 s between.
function steady(text: string, start = 0, step = 0.35): TranscriptWord[] {
  return text.split(' ').map((word, index) => ({ word, start: start + index * step, end: start + index * step + 0.3 }))
}

describe('grouping words into caption cues', () => {
  it('keeps a cue to two lines of about 32 characters and three seconds, each with its word times', () => {
    const words = steady('so here is the thing nobody tells you about lighting a small room with one lamp and a white wall behind you')
    const cues = cuesFromWords(words)
    for (const cue of cues) {
      expect(cue.text.length).toBeLessThanOrEqual(64)
      expect(cue.end - cue.start).toBeLessThanOrEqual(3)
      expect(captionCueSchema.safeParse(cue).success).toBe(true)
      expect(cue.words!.map(word => word.text).join(' ')).toBe(cue.text)
      expect(cue.start).toBe(cue.words![0]!.start)
    }
    // Nothing lost, nothing repeated, in order.
    expect(cues.map(cue => cue.text).join(' ')).toBe(words.map(word => word.word).join(' '))
    expect(cues.length).toBeGreaterThanOrEqual(3)
  })

  it('starts a new cue after a pause of more than 0.4 s and after a sentence ends', () => {
    const words = [
      ...steady('Stop scrolling.'),
      ...steady('This is the trick', 0.7),
      // 0.6 s of silence after "trick" (ends at 0.7 + 3 × 0.35 + 0.3 = 2.05).
      ...steady('that pros use', 2.65),
    ]
    expect(cuesFromWords(words).map(cue => cue.text)).toEqual(['Stop scrolling.', 'This is the trick', 'that pros use'])
    // A short pause keeps the words together.
    expect(cuesFromWords(steady('one two three four')).map(cue => cue.text)).toEqual(['one two three four'])
  })

  it('holds a one-word cue on screen long enough to read, without running into the next', () => {
    const cues = cuesFromWords([
      { word: 'Wow.', start: 1, end: 1.2 },
      { word: 'Look', start: 1.5, end: 1.7 },
      { word: 'here.', start: 1.75, end: 2 },
      { word: 'Done.', start: 5, end: 5.2 },
    ])
    expect(cues.map(cue => [cue.text, cue.start, cue.end])).toEqual([['Wow.', 1, 1.5], ['Look here.', 1.5, 2.3], ['Done.', 5, 5.8]])
  })

  it('gives cues a draft can save, and nothing for no words', () => {
    const cues = cuesFromWords(steady('a b c d e f g h'))
    expect(draftRecipeSchema.safeParse({ captions: { style: 'highlight', cues } }).success).toBe(true)
    expect(cuesFromWords([])).toEqual([])
  })

  it('puts back the punctuation and capitals Whisper leaves out of its word list', () => {
    const words = [{ word: 'three', start: 0, end: 0.3 }, { word: 'ways', start: 0.3, end: 0.6 }, { word: 'to', start: 0.6, end: 0.7 }, { word: 'win', start: 0.7, end: 1 }, { word: 'Go', start: 1.5, end: 1.7 }]
    expect(punctuateWords(words, 'Three ways to win. Go!').map(word => word.word)).toEqual(['Three', 'ways', 'to', 'win.', 'Go!'])
    expect(cuesFromWords(punctuateWords(words, 'Three ways to win. Go!')).map(cue => cue.text)).toEqual(['Three ways to win.', 'Go!'])
  })
})

describe('timing a script over the measured speech', () => {
  it('finds the speech between the silences, leaving out slivers', () => {
    expect(speechSpans([{ start: 0, end: 1 }, { start: 3, end: 3.1 }, { start: 3.15, end: 4 }, { start: 6, end: 8 }], 8)).toEqual([
      { start: 1, end: 3 },
      { start: 4, end: 6 },
    ])
    expect(speechSpans([], 5)).toEqual([{ start: 0, end: 5 }])
    expect(speechSpans([{ start: 0, end: 5 }], 5)).toEqual([])
  })

  it('spreads the words over the speech by length and never into a silence', () => {
    const spans = [{ start: 0.5, end: 2.5 }, { start: 3.5, end: 6 }]
    const words = alignToSpeech(wordsOf('Stop scrolling. Here are three lighting tricks for tiny rooms.'), spans)
    expect(words.map(word => word.word)).toEqual(['Stop', 'scrolling.', 'Here', 'are', 'three', 'lighting', 'tricks', 'for', 'tiny', 'rooms.'])
    const inside = (time: number) => spans.some(span => time >= span.start - 1e-9 && time <= span.end + 1e-9)
    for (const word of words) {
      expect(inside(word.start) && inside(word.end), `${word.word} ${word.start}–${word.end}`).toBe(true)
      // Within one span.
      expect(spans.findIndex(span => word.start >= span.start && word.start < span.end)).toBe(spans.findIndex(span => word.end > span.start && word.end <= span.end))
      expect(word.end).toBeGreaterThan(word.start)
    }
    // In order, starting where the speech starts, and the long word takes longer than the short one.
    expect(words.map(word => word.start)).toEqual([...words.map(word => word.start)].sort((a, b) => a - b))
    expect(words[0]!.start).toBe(0.5)
    const length = (text: string) => words.find(word => word.word === text)!
    expect(length('lighting').end - length('lighting').start).toBeGreaterThan(length('for').end - length('for').start)
    // The speech is used up: the last word ends near the end of the last span.
    expect(words.at(-1)!.end).toBeGreaterThan(5.7)
  })

  it('gives nothing without words or without speech', () => {
    expect(alignToSpeech([], [{ start: 0, end: 3 }])).toEqual([])
    expect(alignToSpeech(['hello'], [])).toEqual([])
    expect(wordsOf('  — \n ... ok, go! ')).toEqual(['ok,', 'go!'])
  })

  it('makes cues whose times sit inside the speech spans', () => {
    const spans = speechSpans([{ start: 2, end: 3 }, { start: 7, end: 7.8 }], 10)
    const cues = cuesFromWords(alignToSpeech(wordsOf('First line of the script here. Then the second idea comes after a pause and runs on for a while.'), spans))
    for (const cue of cues) {
      expect(spans.some(span => cue.start >= span.start && cue.start < span.end), `${cue.text} starts at ${cue.start}`).toBe(true)
      expect(spans.some(span => cue.words!.at(-1)!.end > span.start && cue.words!.at(-1)!.end <= span.end + 1e-9)).toBe(true)
    }
  })
})

describe('reading PocketSphinx word times', () => {
  it('keeps the words with their times and drops silences, noises and alternate-pronunciation marks', () => {
    const lines = [
      'stop scrolling this is',
      '<s> 0.060 0.140 0.999700',
      'stop 0.150 0.650 0.936498',
      '<sil> 0.660 0.700 1.000000',
      'scrolling 0.710 1.330 0.175064',
      '[NOISE] 1.340 1.400 1.000000',
      'to(2) 1.410 1.590 0.940911',
      '</s> 3.070 3.380 1.000000',
    ]
    expect(parseWordTimes(lines)).toEqual([
      { word: 'stop', start: 0.15, end: 0.65, confidence: 0.936498 },
      { word: 'scrolling', start: 0.71, end: 1.33, confidence: 0.175064 },
      { word: 'to', start: 1.41, end: 1.59, confidence: 0.940911 },
    ])
  })
})

describe('the spoken lines of a script', () => {
  it('reads each shot\'s spoken line in order and leaves out the placeholders the templates write', () => {
    expect(spokenLinesOf([{ shot: 'Face', spoken: 'Stop scrolling.' }, { shot: 'Hands', spoken: '[Your one-line promise]' }, { shot: 'B-roll', spoken: '' }, { spoken: ' Follow for more. ' }]))
      .toEqual({ text: 'Stop scrolling.\nFollow for more.', placeholders: 1 })
    expect(spokenLinesOf(null)).toEqual({ text: '', placeholders: 0 })
  })
})

describe('sentence ends and silences', () => {
  it('moves a break the lengths put near a silence to the sentence end, so a sentence is not split across the pause', () => {
    // Spans as the analysis measured the test clip: speech, a 1.6 s pause, speech.
    const spans = [{ start: 1.18, end: 4.9 }, { start: 6.5, end: 8.1 }]
    const words = alignToSpeech(wordsOf('Stop scrolling. This is the fastest way to edit, really. Follow for part two.'), spans)
    const follow = words.find(word => word.word === 'Follow')!
    expect(follow.start).toBe(6.5)
    expect(words.find(word => word.word === 'really.')!.end).toBeLessThanOrEqual(4.9)
    expect(cuesFromWords(words).map(cue => cue.text)).toEqual(['Stop scrolling.', 'This is the fastest way to edit, really.', 'Follow for part two.'])
  })
})
