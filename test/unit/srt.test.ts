import { describe, expect, it } from 'vitest'
import { captionCueSchema } from '#shared/recipe'
import { clockTime, cueAfterClip, parseSrt } from '#shared/srt'

describe('pasting SRT captions', () => {
  it('reads numbered cues with their times and joins multi-line text', () => {
    const { cues, problems } = parseSrt([
      '1',
      '00:00:00,500 --> 00:00:02,250',
      'Three mistakes',
      'everyone makes',
      '',
      '2',
      '00:00:02,250 --> 00:01:03,000',
      'and how to fix them',
      '',
    ].join('\n'))
    expect(problems).toEqual([])
    expect(cues).toEqual([
      { start: 0.5, end: 2.25, text: 'Three mistakes everyone makes' },
      { start: 2.25, end: 63, text: 'and how to fix them' },
    ])
    // What it gives is what the recipe takes.
    for (const cue of cues) expect(captionCueSchema.safeParse(cue).success).toBe(true)
  })

  it('takes CRLF, a byte-order mark, dots before milliseconds, hours, no index lines and formatting tags', () => {
    const { cues, problems } = parseSrt('\uFEFF01:00:01.5 --> 01:00:03.25\r\n<i>Hello</i> {\\an8}there\r\n\r\n\r\n00:00:04,000 --> 00:00:05,000\r\n<font color="#fff">Bye</font>\r\n')
    expect(problems).toEqual([])
    expect(cues).toEqual([
      { start: 4, end: 5, text: 'Bye' },
      { start: 3601.5, end: 3603.25, text: 'Hello there' },
    ])
  })

  it('says which blocks it could not use, and keeps the rest', () => {
    const { cues, problems } = parseSrt([
      '1', 'not a time', 'text', '',
      '2', '00:00:03,000 --> 00:00:02,000', 'backwards', '',
      '3', '00:00:04,000 --> 00:00:05,000', '',
      '4', '00:00:06,000 --> 00:00:07,000', 'kept',
    ].join('\n'))
    expect(cues).toEqual([{ start: 6, end: 7, text: 'kept' }])
    expect(problems).toEqual([
      'Block 1 has no "00:00:01,000 --> 00:00:02,000" line.',
      'Block 2 ends before it starts.',
      'Block 3 has a time but no text.',
    ])
  })

  it('finds nothing in empty text', () => {
    expect(parseSrt('  \n\n ')).toEqual({ cues: [], problems: [], notes: [] })
  })
})

describe('pasted SRT against the clip it captions', () => {
  const pasted = [
    '1', '00:00:01,000 --> 00:00:03,000', 'Hello',
    '',
    '2', '00:00:40,000 --> 00:00:45,500', 'runs past the end',
    '',
    '3', '00:01:30,000 --> 00:01:35,000', 'after the end',
  ].join('\n')

  it('names a cue that starts after the clip ends, by its number and both times, and leaves it out', () => {
    const { cues, problems } = parseSrt(pasted, { durationSeconds: 42 })
    expect(problems).toEqual(['Cue 3 starts at 1:30, after the clip ends at 0:42.'])
    expect(cues.map(cue => cue.text)).toEqual(['Hello', 'runs past the end'])
  })

  it('cuts a cue that runs past the end to end with the clip, and says so', () => {
    const { cues, notes } = parseSrt(pasted, { durationSeconds: 42 })
    expect(cues[1]).toEqual({ start: 40, end: 42, text: 'runs past the end' })
    expect(notes).toEqual(['Cue 2 ran to 0:45.5; it now ends with the clip at 0:42.'])
  })

  it('checks nothing against the clip when its length is not known', () => {
    expect(parseSrt(pasted).cues).toHaveLength(3)
  })

  it('says times the way a player shows them, and checks an edited caption row the same way', () => {
    expect([clockTime(90), clockTime(42), clockTime(3725.5), clockTime(0.25)]).toEqual(['1:30', '0:42', '1:02:05.5', '0:00.3'])
    expect(cueAfterClip({ start: 90 }, 'Caption 3', 42)).toBe('Caption 3 starts at 1:30, after the clip ends at 0:42.')
    expect(cueAfterClip({ start: 41.9 }, 'Caption 3', 42)).toBeNull()
  })
})
