import { describe, expect, it } from 'vitest'
import { assColour, buildAssDocument, captionLayout, captionLooks, escapeAssText, formatAssTime, mapCuesToOutput } from '../../server/services/media/render/captions'
import type { TimedCue } from '../../server/services/media/render/captions'
import { captionStyles } from '#shared/recipe'
import type { CaptionStyle } from '#shared/recipe'

const WORD_JOINER = '\u2060'

describe('caption times through the cuts and the speed', () => {
  it('keeps times on an uncut timeline and divides them by the speed', () => {
    expect(mapCuesToOutput([{ start: 1, end: 2, text: 'Hello world' }], [{ start: 0, end: 10 }], 1)).toEqual([
      { start: 1, end: 2, text: 'Hello world', words: [{ start: 1, end: 1.5, text: 'Hello' }, { start: 1.5, end: 2, text: 'world' }] },
    ])
    const [fast] = mapCuesToOutput([{ start: 2, end: 4, text: 'Quick' }], [{ start: 0, end: 10 }], 2)
    expect(fast).toMatchObject({ start: 1, end: 2, words: [{ start: 1, end: 2 }] })
    // A trim shifts everything by where the kept part starts.
    expect(mapCuesToOutput([{ start: 5, end: 6, text: 'Later' }], [{ start: 4, end: 10 }], 1)[0]).toMatchObject({ start: 1, end: 2 })
  })

  it('joins a cue across a removed silence into one cue, its words on their new times', () => {
    const cue = { start: 1.5, end: 3.5, text: 'one two', words: [{ start: 1.5, end: 1.9, text: 'one' }, { start: 3.1, end: 3.5, text: 'two' }] }
    const [joined, ...rest] = mapCuesToOutput([cue], [{ start: 0, end: 2 }, { start: 3, end: 6 }], 1)
    expect(rest).toEqual([])
    expect(joined!.start).toBeCloseTo(1.5, 9)
    expect(joined!.end).toBeCloseTo(2.5, 9)
    expect(joined!.text).toBe('one two')
    expect(joined!.words.map(word => [word.text, +word.start.toFixed(6), +word.end.toFixed(6)])).toEqual([['one', 1.5, 1.9], ['two', 2.1, 2.5]])
    // At 2× everything halves, cut included.
    const [fast] = mapCuesToOutput([cue], [{ start: 0, end: 2 }, { start: 3, end: 6 }], 2)
    expect([fast!.start, fast!.end, ...fast!.words.flatMap(word => [word.start, word.end])].map(value => +value.toFixed(6))).toEqual([0.75, 1.25, 0.75, 0.95, 1.05, 1.25])
  })

  it('drops a cue that was cut out entirely, and one that only grazes a kept part', () => {
    const segments = [{ start: 0, end: 2 }, { start: 3, end: 6 }]
    expect(mapCuesToOutput([{ start: 2.2, end: 2.8, text: 'gone' }], segments, 1)).toEqual([])
    expect(mapCuesToOutput([{ start: 6, end: 7, text: 'after the end' }], segments, 1)).toEqual([])
    expect(mapCuesToOutput([{ start: 1.9995, end: 2.9, text: 'a sliver' }], segments, 1)).toEqual([])
    expect(mapCuesToOutput([{ start: 1, end: 1.5, text: 'kept' }, { start: 2.2, end: 2.8, text: 'gone' }], segments, 1).map(cue => cue.text)).toEqual(['kept'])
  })

  it('splits a cue whose parts end up apart, each part with the words said in it', () => {
    // The opening shot [4, 5] is moved to the front; the cue straddles where it was taken from.
    const cue = { start: 3.5, end: 4.5, text: 'before after', words: [{ start: 3.5, end: 3.9, text: 'before' }, { start: 4.1, end: 4.5, text: 'after' }] }
    const mapped = mapCuesToOutput([cue], [{ start: 4, end: 5 }, { start: 0, end: 4 }], 1)
    expect(mapped.map(part => ({ ...part, start: +part.start.toFixed(6), end: +part.end.toFixed(6), words: part.words.map(word => [word.text, +word.start.toFixed(6), +word.end.toFixed(6)]) }))).toEqual([
      { start: 0, end: 0.5, text: 'after', words: [['after', 0.1, 0.5]] },
      { start: 4.5, end: 5, text: 'before', words: [['before', 4.5, 4.9]] },
    ])
  })

  it('shares a cue among untimed words by length, over the time that survives the cuts', () => {
    // 'aa' and 'bbbb': a third and two thirds of the 1.5 s that remain after the cut of [2, 2.5].
    const [cue] = mapCuesToOutput([{ start: 1, end: 3, text: 'aa bbbb' }], [{ start: 0, end: 2 }, { start: 2.5, end: 10 }], 1)
    expect(cue).toMatchObject({ start: 1, end: 2.5, text: 'aa bbbb' })
    expect(cue!.words.map(word => [word.text, +word.start.toFixed(6), +word.end.toFixed(6)])).toEqual([['aa', 1, 1.5], ['bbbb', 1.5, 2.5]])
    // Words estimated inside a trimmed-off part are not shown.
    const [trimmed] = mapCuesToOutput([{ start: 0, end: 4, text: 'aaaa bbbb' }], [{ start: 2, end: 10 }], 1)
    expect(trimmed).toEqual({ start: 0, end: 2, text: 'bbbb', words: [{ start: 0, end: 2, text: 'bbbb' }] })
    // A line break or punctuation in the text survives when every word does.
    expect(mapCuesToOutput([{ start: 0, end: 1, text: 'Wait…\nwhat?' }], [{ start: 0, end: 5 }], 1)[0]!.text).toBe('Wait…\nwhat?')
  })

  it('keeps word timings inside their cue and in order', () => {
    const [cue] = mapCuesToOutput([{ start: 1, end: 2, text: 'b a', words: [{ start: 1.6, end: 2.4, text: 'a' }, { start: 0.8, end: 1.5, text: 'b' }] }], [{ start: 0, end: 10 }], 1)
    expect(cue!.words).toEqual([{ start: 1, end: 1.5, text: 'b' }, { start: 1.6, end: 2, text: 'a' }])
    expect(() => mapCuesToOutput([], [{ start: 0, end: 1 }], 0)).toThrow(RangeError)
  })
})

describe('ASS times and text', () => {
  it('writes H:MM:SS.cc, rounded to the nearest centisecond, never negative', () => {
    expect(formatAssTime(0)).toBe('0:00:00.00')
    expect(formatAssTime(0.125)).toBe('0:00:00.13')
    expect(formatAssTime(1.004)).toBe('0:00:01.00')
    expect(formatAssTime(1.005)).toBe('0:00:01.01')
    expect(formatAssTime(2.675)).toBe('0:00:02.68')
    expect(formatAssTime(59.999)).toBe('0:01:00.00')
    expect(formatAssTime(3661.5)).toBe('1:01:01.50')
    expect(formatAssTime(6 * 3600)).toBe('6:00:00.00')
    expect(formatAssTime(-3)).toBe('0:00:00.00')
    expect(formatAssTime(-0.001)).toBe('0:00:00.00')
    expect(formatAssTime(Number.NaN)).toBe('0:00:00.00')
  })

  it('escapes braces, backslashes and line breaks', () => {
    expect(escapeAssText('a{b}c')).toBe('a\\{b\\}c')
    expect(escapeAssText('\\N')).toBe(`\\${WORD_JOINER}N`)
    expect(escapeAssText('one\ntwo\r\nthree\rfour\u2028five')).toBe('one\\Ntwo\\Nthree\\Nfour\\Nfive')
    expect(escapeAssText('tab\there\u0000\u0007\u001B')).toBe('tab here')
    expect(escapeAssText('Stop: it\'s 100% [free], "really"; ok')).toBe('Stop: it\'s 100% [free], "really"; ok')
  })

  // How libass reads event text (ass_render.c: override blocks, then get_next_char), enough to check the escaping:
  // it returns the characters shown and the override blocks found.
  function libassReads(text: string): { shown: string, overrides: string[] } {
    let shown = ''
    const overrides: string[] = []
    for (let at = 0; at < text.length;) {
      const close = text.indexOf('}', at)
      if (text[at] === '{' && close > 0) {
        overrides.push(text.slice(at, close + 1))
        at = close + 1
      }
      else if (text[at] === '\\' && 'Nnh{}'.includes(text[at + 1] ?? '')) {
        shown += { 'N': '\n', 'n': ' ', 'h': '\u00A0', '{': '{', '}': '}' }[text[at + 1]!]
        at += 2
      }
      else shown += text[at++]
    }
    return { shown: shown.replaceAll(WORD_JOINER, ''), overrides }
  }

  it.each([
    '{\\fs200\\c&H0000FF&}big red',
    'a \\N b \\n c \\h d',
    'ends with a backslash \\',
    '\\{not a block\\}',
    'unclosed { brace',
    '}{}{',
    '{\\an8}{\\pos(0,0)}moved? {\\r}',
    '\\\\N double',
    'Dialogue: 0,0:00:00.00,0:00:09.00,Caption,,0,0,0,,injected',
    'C:\\new\\folder\\h1 100% [x]; "q", \'s\'',
  ])('shows hostile text %j as written, with no override block', (hostile) => {
    const reading = libassReads(escapeAssText(hostile))
    expect(reading.overrides).toEqual([])
    expect(reading.shown).toBe(hostile)
  })

  it('keeps a user\'s trailing backslash from swallowing the override after it', () => {
    const reading = libassReads(`${escapeAssText('word\\')}{\\r}`)
    expect(reading).toEqual({ shown: 'word\\', overrides: ['{\\r}'] })
  })
})

function parseDocument(document: string) {
  const lines = document.split('\n')
  const fields = (line: string, names: string[]) => {
    const values = line.slice(line.indexOf(':') + 1).trim().split(',')
    // The last field (Text) may hold commas.
    const record: Record<string, string> = {}
    names.forEach((name, index) => record[name] = index === names.length - 1 ? values.slice(index).join(',') : values[index]!.trim())
    return record
  }
  const styleFormat = lines.find(line => line.startsWith('Format: Name'))!.slice(8).split(', ')
  const eventFormat = lines.find(line => line.startsWith('Format: Layer'))!.slice(8).split(', ')
  return {
    lines,
    sections: lines.filter(line => /^\[.+\]$/.test(line)),
    info: Object.fromEntries(lines.filter(line => /^(PlayRes[XY]|WrapStyle|ScaledBorderAndShadow|ScriptType): /.test(line)).map(line => line.split(': '))),
    styles: lines.filter(line => line.startsWith('Style: ')).map(line => fields(line, styleFormat)),
    events: lines.filter(line => line.startsWith('Dialogue: ')).map(line => fields(line, eventFormat)),
  }
}

const cues: TimedCue[] = [
  { start: 0.5, end: 1.5, text: 'Hello there, world', words: [{ start: 0.5, end: 0.8, text: 'Hello' }, { start: 0.8, end: 1.2, text: 'there,' }, { start: 1.2, end: 1.5, text: 'world' }] },
  { start: 2, end: 3.004, text: 'Second one', words: [{ start: 2, end: 2.5, text: 'Second' }, { start: 2.5, end: 3, text: 'one' }] },
]
const documentFor = (style: CaptionStyle, options: Partial<Parameters<typeof buildAssDocument>[0]> = {}) =>
  parseDocument(buildAssDocument({ cues, style, position: 'bottom', width: 1080, height: 1920, fontFamily: 'DejaVu Sans', ...options }))

describe('the ASS document', () => {
  it.each(captionStyles)('%s: script info in frame coordinates, one style, events in order', (style) => {
    const document = documentFor(style)
    expect(document.sections).toEqual(['[Script Info]', '[V4+ Styles]', '[Events]'])
    expect(document.info).toEqual({ ScriptType: 'v4.00+', PlayResX: '1080', PlayResY: '1920', WrapStyle: '0', ScaledBorderAndShadow: 'yes' })
    expect(document.styles).toHaveLength(1)
    expect(document.styles[0]).toMatchObject({ Name: 'Caption', Fontname: 'DejaVu Sans', Alignment: '2', Encoding: '1' })
    expect(Object.keys(document.styles[0]!)).toHaveLength(23)
    expect(document.events.every(event => event.Style === 'Caption' && event.Layer === '0')).toBe(true)
    expect(document.events[0]!.Start).toBe('0:00:00.50')
    expect(document.events.at(-1)!.End).toBe('0:00:03.00')
    expect(document.lines.at(-1)).toBe('')
  })

  it('clean: white, regular weight, a thin outline', () => {
    const [style] = documentFor('clean').styles
    expect(style).toMatchObject({ PrimaryColour: '&H00FFFFFF', OutlineColour: '&H00000000', Bold: '0', BorderStyle: '1' })
    expect(Number(style!.Fontsize)).toBeCloseTo(1080 * 0.06, 1)
    expect(Number(style!.Outline)).toBeLessThanOrEqual(4)
    expect(documentFor('clean').events.map(event => event.Text)).toEqual(['Hello there, world', 'Second one'])
  })

  it('bold: larger, bold, a heavy outline, upper case', () => {
    const clean = documentFor('clean').styles[0]!
    const bold = documentFor('bold')
    expect(bold.styles[0]).toMatchObject({ Bold: '-1', BorderStyle: '1', OutlineColour: '&H00000000' })
    expect(Number(bold.styles[0]!.Fontsize)).toBeGreaterThan(Number(clean.Fontsize) * 1.2)
    expect(Number(bold.styles[0]!.Outline)).toBeGreaterThan(Number(clean.Outline) * 2)
    expect(bold.events.map(event => event.Text)).toEqual(['HELLO THERE, WORLD', 'SECOND ONE'])
  })

  it('highlight: one event per word, the current word yellow, the slices back to back', () => {
    const document = documentFor('highlight')
    expect(document.styles[0]).toMatchObject({ Bold: '-1', PrimaryColour: '&H00FFFFFF' })
    expect(document.events.map(event => [event.Start, event.End, event.Text])).toEqual([
      ['0:00:00.50', '0:00:00.80', '{\\c&H00E0FF&}HELLO{\\r} THERE, WORLD'],
      ['0:00:00.80', '0:00:01.20', 'HELLO {\\c&H00E0FF&}THERE,{\\r} WORLD'],
      ['0:00:01.20', '0:00:01.50', 'HELLO THERE, {\\c&H00E0FF&}WORLD{\\r}'],
      ['0:00:02.00', '0:00:02.50', '{\\c&H00E0FF&}SECOND{\\r} ONE'],
      ['0:00:02.50', '0:00:03.00', 'SECOND {\\c&H00E0FF&}ONE{\\r}'],
    ])
  })

  it('highlight: a gap before the first word or after the last stays lit; hostile words stay text', () => {
    const document = documentFor('highlight', { cues: [{ start: 1, end: 3, text: 'a {b} \\N', words: [{ start: 1.5, end: 1.7, text: 'a' }, { start: 1.8, end: 2, text: '{b}' }, { start: 2.1, end: 2.2, text: '\\N' }] }] })
    expect(document.events.map(event => [event.Start, event.End])).toEqual([['0:00:01.00', '0:00:01.80'], ['0:00:01.80', '0:00:02.10'], ['0:00:02.10', '0:00:03.00']])
    expect(document.events[1]!.Text).toBe(`A {\\c&H00E0FF&}\\{B\\}{\\r} \\${WORD_JOINER}N`)
    // Word texts that are not in the line: the words, joined by spaces.
    const joined = documentFor('highlight', { cues: [{ start: 0, end: 1, text: 'gonna go', words: [{ start: 0, end: 0.5, text: 'going' }, { start: 0.5, end: 1, text: 'to' }] }] })
    expect(joined.events.map(event => event.Text)).toEqual(['{\\c&H00E0FF&}GOING{\\r} TO', 'GOING {\\c&H00E0FF&}TO{\\r}'])
  })

  it('boxed: one dark, mostly opaque box behind the whole caption', () => {
    const [style] = documentFor('boxed').styles
    expect(style).toMatchObject({ BorderStyle: '4', Bold: '0', PrimaryColour: '&H00FFFFFF', Outline: '0' })
    const alpha = Number.parseInt(style!.BackColour!.slice(2, 4), 16)
    expect(alpha).toBeLessThan(0x60)
    expect(Number(style!.Shadow)).toBeGreaterThan(8)
  })

  it('sizes text by the frame\'s shorter side and keeps it out of the platforms\' overlays', () => {
    const size = (width: number, height: number) => Number(documentFor('bold', { width, height }).styles[0]!.Fontsize)
    expect(size(1080, 1920)).toBe(size(1920, 1080))
    expect(size(540, 960)).toBeCloseTo(size(1080, 1920) / 2, 1)
    const tall = documentFor('bold').styles[0]!
    expect(Number(tall.MarginV)).toBeGreaterThanOrEqual(1920 * 0.15)
    expect(Number(tall.MarginL)).toBeGreaterThanOrEqual(1080 * 0.08)
    expect(tall.MarginL).toBe(tall.MarginR)
    expect(documentFor('bold', { position: 'top' }).styles[0]).toMatchObject({ Alignment: '8', MarginV: String(Math.round(1920 * 0.12)) })
    expect(documentFor('bold', { position: 'middle' }).styles[0]).toMatchObject({ Alignment: '5' })
    expect(captionLayout(1920, 1080, 'bottom').marginV).toBeLessThan(1080 * 0.1)
  })

  it('writes colours as &HAABBGGRR and keeps the font name from breaking the style line', () => {
    expect(assColour('#FFE000')).toBe('&H0000E0FF')
    expect(assColour('#102030', 0x33)).toBe('&H33302010')
    expect(() => assColour('yellow')).toThrow(RangeError)
    expect(captionLooks.highlight.highlight).toBe('#FFE000')
    expect(documentFor('clean', { fontFamily: 'Evil, Font\nStyle: x' }).styles).toHaveLength(1)
  })

  it('keeps a hostile caption on its own Dialogue line', () => {
    const hostile = 'line one\nDialogue: 0,0:00:00.00,0:09:00.00,Caption,,0,0,0,,{\\fs400}owned'
    const document = documentFor('clean', { cues: [{ start: 0, end: 1, text: hostile, words: [] }] })
    expect(document.events).toHaveLength(1)
    expect(document.events[0]!.Text).toBe(escapeAssText(hostile))
    expect(document.events[0]!.End).toBe('0:00:01.00')
  })

  it('leaves out what would be shorter than a centisecond', () => {
    const document = documentFor('clean', { cues: [{ start: 1, end: 1.004, text: 'blink', words: [] }, { start: 2, end: 3, text: 'kept', words: [] }] })
    expect(document.events.map(event => event.Text)).toEqual(['kept'])
  })
})
