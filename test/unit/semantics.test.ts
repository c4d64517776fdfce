// The reading's pure parts: topic slugs (one bucket however a topic is written), the pattern keys a reading files a
// video under (only what was read; null, unknown and measured make none), the clipping of what a model sent, and the
// local answer, which states only measured facts and leaves every meaning unread.
import { describe, expect, it } from 'vitest'
import { videoReadingPrompt, type VideoReadingInput } from '../../server/services/ai/prompts/video-reading'
import { soundSpans } from '../../server/services/library/reading'
import { clipReading, NEEDS_PROVIDER, readingContentSchema, semanticPatterns, topicSlug, type ReadingContent } from '#shared/semantics'

const unread = { source: null, note: null }
const empty: ReadingContent = {
  hook: { type: null, line: null, ...unread },
  topic: { value: null, ...unread },
  format: { value: null, ...unread },
  callToAction: { type: null, words: null, ...unread },
  onScreenText: { lines: null, ...unread },
  emotionalArc: { beats: null, ...unread },
}

const measured: NonNullable<VideoReadingInput['measured']> = {
  aspectClass: '9:16', hasAudio: true, cutCount: 6, cutsPerMinute: 24, firstCutSeconds: 0.8, hookCutCount: 2, medianShotSeconds: 2.1,
  cuts: [0.8, 2.4, 5, 8, 11, 13], shotSeconds: [0.8, 1.6, 2.6, 3, 3, 2, 2], soundSpans: [{ start: 0, end: 4.2 }, { start: 5, end: 15 }],
  silenceRatio: 0.05, integratedLufs: -15, hookLoudnessDeltaLu: 3.1, meanMotion: 4, hookMotionRatio: 1, blackRatio: 0,
}
const input = (extra: Partial<VideoReadingInput> = {}): VideoReadingInput => ({ title: 'Knife skills 101', kind: 'reference', durationSeconds: 15, measured, transcript: null, withVideo: false, ...extra })

describe('topicSlug', () => {
  it('puts "Knife skills", "knife-skills" and other spellings of one topic in one bucket', () => {
    const slugs = ['Knife skills', 'knife-skills', ' KNIFE_SKILLS! ', 'Knife   Skills', 'knife skills.'].map(topicSlug)
    expect(new Set(slugs)).toEqual(new Set(['knife-skills']))
    expect(topicSlug('Crème brûlée')).toBe('creme-brulee')
    expect(topicSlug('Salt & pepper')).toBe('salt-and-pepper')
    expect(topicSlug('!!!')).toBe('')
    expect(topicSlug('a'.repeat(100))).toHaveLength(60)
  })
})

describe('semanticPatterns', () => {
  it('files a read video under hook type, topic, format, call to action, on-screen text and arc', () => {
    const content = clipReading({
      hook: { type: 'question', line: 'Why is your knife dull?', source: 'read', note: null },
      topic: { value: 'Knife Skills', source: 'read', note: null },
      format: { value: 'tutorial', source: 'read', note: null },
      callToAction: { type: 'follow', words: 'Follow for part two', source: 'read', note: null },
      onScreenText: { lines: [{ text: '3 cuts every cook needs', start: 0.2, end: 2 }], source: 'read', note: null },
      emotionalArc: { beats: ['Curiosity', 'tension', 'Payoff'], source: 'read', note: null },
    })
    const matches = semanticPatterns(content)
    expect(matches.map(match => [match.key, match.kind])).toEqual([
      ['hook.type=question', 'hook'],
      ['topic=knife-skills', 'topic'],
      ['format=tutorial', 'format'],
      ['cta.type=follow', 'cta'],
      ['visual.on_screen_text=yes', 'visual'],
      ['arc=curiosity-to-payoff', 'format'],
    ])
    expect(matches[0]).toMatchObject({ label: 'Hook: a question', note: 'opens with a question (“Why is your knife dull?”)' })
    expect(matches[1]!.label).toBe('Topic: Knife Skills')
    expect(matches[5]!.value).toEqual({ arc: 'Curiosity → tension → Payoff' })
  })

  it('makes no bucket from a null field, an unknown hook, a measured fact or a one-beat arc', () => {
    expect(semanticPatterns(empty)).toEqual([])
    const content = clipReading({
      ...empty,
      hook: { type: 'unknown', line: 'Stop doing this', source: 'measured', note: 'first cut at 0.8 s' },
      onScreenText: { lines: [{ text: 'from the transcript', start: 0, end: 1 }], source: 'measured', note: null },
      emotionalArc: { beats: ['calm'], source: 'read', note: null },
      topic: { value: '  ', source: 'read', note: null },
    })
    expect(semanticPatterns(content)).toEqual([])
  })

  it('counts "no call to action" and "no text on screen" as findings, since they compare with their opposites', () => {
    const content = clipReading({ ...empty, callToAction: { type: 'none', words: null, source: 'read', note: null }, onScreenText: { lines: [], source: 'read', note: null } })
    expect(semanticPatterns(content).map(match => match.key)).toEqual(['cta.type=none', 'visual.on_screen_text=no'])
  })
})

describe('clipReading', () => {
  it('marks meaning as read whatever the model called it, clears the source of empty fields, and bounds lengths', () => {
    const content = clipReading({
      ...empty,
      topic: { value: 'Knife skills', source: 'measured', note: 'x'.repeat(1000) },
      format: { value: null, source: 'read', note: 'could not tell' },
      hook: { type: null, line: 'y'.repeat(500), source: null, note: null },
      onScreenText: { lines: Array.from({ length: 50 }, (_, index) => ({ text: ` line ${index} `, start: index, end: null })), source: 'read', note: null },
    })
    expect(content.topic).toMatchObject({ source: 'read', value: 'Knife skills' })
    expect(content.topic.note).toHaveLength(400)
    expect(content.format).toEqual({ value: null, source: null, note: 'could not tell' })
    expect(content.hook).toMatchObject({ source: 'read', line: 'y'.repeat(300) })
    expect(content.onScreenText.lines).toHaveLength(30)
    expect(content.onScreenText.lines![0]!.text).toBe('line 0')
  })
})

describe('the local reading', () => {
  it('states the measured opening and leaves every meaning unread, saying it needs an AI provider', () => {
    const reading = readingContentSchema.parse(videoReadingPrompt.local(input()))
    expect(reading.hook).toEqual({ type: 'unknown', line: null, source: 'measured', note: expect.stringContaining('first visual cut at 0.8 s; 2 cuts in the first 3 s; the first 3 s are 3.1 LU louder than the rest') })
    expect(reading.hook.note).toContain('needs an AI provider')
    for (const field of [reading.topic, reading.format, reading.callToAction, reading.emotionalArc]) expect(field).toMatchObject({ source: null, note: NEEDS_PROVIDER })
    expect([reading.topic.value, reading.format.value, reading.callToAction.type, reading.emotionalArc.beats, reading.onScreenText.lines]).toEqual([null, null, null, null, null])
    // It says nothing about the title's words: a title is not a topic anyone read.
    expect(JSON.stringify(reading)).not.toMatch(/knife/i)
    expect(semanticPatterns(clipReading(reading))).toEqual([])
  })

  it('takes the hook line from the transcript\'s first 3 s when there is one, and says the timing is approximate when it is', () => {
    const words = [{ word: 'Stop', start: 0.2, end: 0.5 }, { word: 'dulling', start: 0.6, end: 1 }, { word: 'knives', start: 1.1, end: 1.6 }, { word: 'later', start: 3.4, end: 3.8 }]
    const reading = videoReadingPrompt.local(input({ transcript: { approximate: true, words } }))
    expect(reading.hook).toMatchObject({ type: 'unknown', line: 'Stop dulling knives', source: 'measured' })
    expect(reading.hook.note).toContain('approximate timing')
    expect(reading.onScreenText.lines).toBeNull()
  })

  it('knows nothing of a video without measurements', () => {
    const reading = videoReadingPrompt.local(input({ measured: null }))
    expect(reading.hook).toEqual({ type: null, line: null, source: null, note: NEEDS_PROVIDER })
  })

  it('renders the measurements and transcript for a model, and tells it whether it sees the video', () => {
    const text = videoReadingPrompt.render(input({ transcript: { approximate: false, words: [{ word: 'Hi', start: 0.1, end: 0.3 }] } }))
    expect(text).toContain('"firstCutSeconds":0.8')
    expect(text).toContain('[["Hi",0.1,0.3]]')
    expect(text).toContain('You cannot see the video')
    expect(videoReadingPrompt.render(input({ withVideo: true }))).toContain('The video file is attached')
  })
})

describe('soundSpans', () => {
  it('is the time between the measured silences', () => {
    expect(soundSpans([{ start: 4.2, end: 5 }, { start: 14.95, end: 15 }], 15)).toEqual([{ start: 0, end: 4.2 }, { start: 5, end: 14.95 }])
    expect(soundSpans([], 3)).toEqual([{ start: 0, end: 3 }])
    expect(soundSpans([{ start: 0, end: 3 }], 3)).toEqual([])
  })
})
