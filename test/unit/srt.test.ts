import { describe, expect, it } from 'vitest'
import { captionCueSchema } from '../../shared/recipe'
import { parseSrt } from '../../shared/srt'

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
    expect(parseSrt('  \n\n ')).toEqual({ cues: [], problems: [] })
  })
})
