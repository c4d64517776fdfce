// Burned captions measured on real renders: the ASS document from captions.ts drawn by ffmpeg's subtitles filter
// (libass), as the compiler adds it at the end of the video chain. Encodes are lossless, so a frame without a caption
// is bit-for-bit the source frame and one with a caption differs exactly where the text is.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { locateMediaTools, runMediaTool } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { filterValue } from '../../server/services/media/filter-escape'
import { buildAssDocument, captionLayout, captionLooks, mapCuesToOutput } from '../../server/services/media/render/captions'
import type { CaptionPosition, TimedCue } from '../../server/services/media/render/captions'
import { captionStyles } from '#shared/recipe'
import type { CaptionCue, CaptionStyle } from '#shared/recipe'
import { generateClip } from '../support/media'
import { changedBounds, grabFrame, grabFrames, regionDifference, wholeFrame } from '../support/pixels'
import type { Frame, Region } from '../support/pixels'

const FONTS = '/usr/share/fonts/truetype/dejavu'
const FPS = 30
// A time between frames n-1 and n: grabFrame returns frame n.
const frame = (n: number) => (n - 0.5) / FPS

let dir: string
let tools: MediaTools
// testsrc2, moving: text over a busy picture.
let busy: string
// One flat colour, 540x960: colours and ink can be counted.
let flat: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelwise-captions-'))
  tools = await locateMediaTools()
  busy = (await generateClip(join(dir, 'busy.mp4'), { width: 360, height: 640, fps: FPS, shots: [4], extra: ['-qp', '0', '-g', '15'] })).path
  flat = join(dir, 'flat.mp4')
  await runMediaTool(tools.ffmpeg, ['-v', 'error', '-nostdin', '-y', '-f', 'lavfi', '-i', `color=c=0x203040:s=540x960:r=${FPS}:d=4.2`, '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '15', '-pix_fmt', 'yuv420p', flat])
})
afterAll(() => rm(dir, { recursive: true, force: true }))

/** Writes the document and burns it the way the compiler does: subtitles=filename=…:fontsdir=…, escaped with filterValue. */
async function burn(source: string, document: string, name: string, assName = `${name}.ass`): Promise<string> {
  const assPath = join(dir, assName)
  const output = join(dir, `${name}.mp4`)
  await writeFile(assPath, document)
  const errors: string[] = []
  await runMediaTool(tools.ffmpeg, [
    '-v', 'error', '-nostdin', '-y', '-i', source,
    '-vf', `format=yuv420p,subtitles=filename=${filterValue(assPath)}:fontsdir=${filterValue(FONTS)}`,
    // Short keyframe intervals keep each accurate seek of grabFrame short.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '15', '-pix_fmt', 'yuv420p', output,
  ], { onStderrLine: line => errors.push(line) })
  expect(errors).toEqual([])
  return output
}

function documentFor(cues: TimedCue[], style: CaptionStyle, width: number, height: number, position: CaptionPosition = 'bottom') {
  return buildAssDocument({ cues, style, position, width, height, fontFamily: 'DejaVu Sans' })
}

const timed = (cues: CaptionCue[], seconds = 10) => mapCuesToOutput(cues, [{ start: 0, end: seconds }], 1)

function countPixels(frame: Frame, test: (r: number, g: number, b: number) => boolean, region: Region = wholeFrame(frame)): { count: number, box: Region | null } {
  let count = 0
  let left = Infinity
  let right = -1
  let top = Infinity
  let bottom = -1
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) {
      const at = (y * frame.width + x) * 3
      if (!test(frame.data[at]!, frame.data[at + 1]!, frame.data[at + 2]!)) continue
      count++
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  return { count, box: count ? { x: left, y: top, width: right - left + 1, height: bottom - top + 1 } : null }
}
const yellow = (r: number, g: number, b: number) => r > 180 && g > 150 && b < 110

describe('captions burned with libass', () => {
  // Cue one on frames 15–44, cue two on frames 60–89 (30 fps).
  const cues = timed([{ start: 0.5, end: 1.5, text: 'First caption here' }, { start: 2, end: 3, text: 'And the second one' }])
  const present = [15, 30, 44, 60, 75, 89]
  const absent = [1, 14, 45, 52, 59, 90, 110]

  // The source's frames, decoded once for the four styles.
  let sourceFrames: Promise<Frame[]> | undefined

  it.each(captionStyles)('%s: the caption band changes exactly while a cue is on, inside the safe area', async (style) => {
    const video = await burn(busy, documentFor(cues, style, 360, 640), `timing-${style}`)
    const band = { x: 0, y: Math.round(640 * 0.45), width: 360, height: Math.round(640 * 0.4) }
    const frames = [...present, ...absent]
    sourceFrames ??= grabFrames(tools.ffmpeg, busy, frames.map(frame))
    const [burned, source] = await Promise.all([grabFrames(tools.ffmpeg, video, frames.map(frame)), sourceFrames])
    const differences = Object.fromEntries(frames.map((n, index) => [n, present.includes(n)
      ? regionDifference(burned[index]!, source[index]!, band)
      : regionDifference(burned[index]!, source[index]!)]))
    for (const n of present) expect(differences[n], `frame ${n} (cue on)`).toBeGreaterThan(1)
    for (const n of absent) expect(differences[n], `frame ${n} (no cue)`).toBe(0)

    // Above the bottom fifth (platform overlays), inside the side margins.
    const bounds = changedBounds(burned[1]!, source[1]!)!
    const layout = captionLayout(360, 640, 'bottom')
    const pad = Math.ceil((captionLooks[style].outline + captionLooks[style].shadow) * 360) + 1
    expect(bounds.y + bounds.height, `caption bottom at ${bounds.y + bounds.height}`).toBeLessThanOrEqual(640 - layout.marginV + pad)
    expect(bounds.y + bounds.height).toBeLessThan(640 * 0.85)
    expect(bounds.x).toBeGreaterThanOrEqual(layout.marginLeft - pad)
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(360 - layout.marginRight + pad)
  })

  it('highlight: the lit word moves along the line, word by word, and the line stays put', async () => {
    const cue = { start: 0.5, end: 2, text: 'Say it now', words: [{ start: 0.5, end: 1, text: 'Say' }, { start: 1, end: 1.5, text: 'it' }, { start: 1.5, end: 2, text: 'now' }] }
    const video = await burn(flat, documentFor(timed([cue]), 'highlight', 540, 960), 'highlight')
    const source = await grabFrame(tools.ffmpeg, flat, frame(30), 'rgb24')
    // Frames 22, 37, 52: the middle of each word.
    const frames = await grabFrames(tools.ffmpeg, video, [22, 37, 52].map(frame), 'rgb24')
    const lit = frames.map(each => countPixels(each, yellow))
    const boxes = lit.map(each => each.box!)
    for (const each of lit) expect(each.count).toBeGreaterThan(100)
    // Reading order: each lit word starts right of the one before, on the same line.
    expect(boxes[1]!.x).toBeGreaterThan(boxes[0]!.x + boxes[0]!.width)
    expect(boxes[2]!.x).toBeGreaterThan(boxes[1]!.x + boxes[1]!.width)
    expect(Math.abs(boxes[1]!.y - boxes[0]!.y)).toBeLessThan(4)
    // Word one changes colour from the first slice to the second; word three does not (white in both).
    const wordOne = regionDifference(frames[0]!, frames[1]!, boxes[0])
    const wordThree = regionDifference(frames[0]!, frames[1]!, boxes[2])
    expect(wordOne).toBeGreaterThan(20)
    expect(wordThree).toBe(0)
    expect(countPixels(frames[1]!, yellow, boxes[0]).count).toBe(0)
    // The whole line is on screen in every slice, in the same place.
    const lines = frames.map(each => changedBounds(each, source)!)
    for (const line of lines) expect(line).toMatchObject({ x: lines[0]!.x, y: lines[0]!.y, width: lines[0]!.width, height: lines[0]!.height })
    for (const box of boxes) expect(box.x >= lines[0]!.x && box.x + box.width <= lines[0]!.x + lines[0]!.width).toBe(true)
  })

  it('wraps a long caption onto several lines inside the margins', async () => {
    const text = 'This caption is far too long for a single line, so libass has to wrap it onto several lines'
    const video = await burn(flat, documentFor(timed([{ start: 0.2, end: 1, text }]), 'clean', 540, 960), 'wrap')
    const bounds = changedBounds(await grabFrame(tools.ffmpeg, video, frame(15)), await grabFrame(tools.ffmpeg, flat, frame(15)))!
    const layout = captionLayout(540, 960, 'bottom')
    const size = captionLooks.clean.size * 540
    expect(bounds.height).toBeGreaterThan(size * 2.5)
    expect(bounds.x).toBeGreaterThanOrEqual(layout.marginLeft - 4)
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(540 - layout.marginRight + 4)
    expect(bounds.y + bounds.height).toBeLessThanOrEqual(960 - layout.marginV + 4)
  })

  it.each(['top', 'middle'] as const)('places a %s caption where asked', async (position) => {
    const video = await burn(flat, documentFor(timed([{ start: 0.2, end: 1, text: 'Placed' }]), 'bold', 540, 960, position), `position-${position}`)
    const bounds = changedBounds(await grabFrame(tools.ffmpeg, video, frame(15)), await grabFrame(tools.ffmpeg, flat, frame(15)))!
    const middle = bounds.y + bounds.height / 2
    if (position === 'top') {
      expect(bounds.y).toBeGreaterThanOrEqual(captionLayout(540, 960, 'top').marginV - 6)
      expect(middle).toBeLessThan(960 * 0.25)
    }
    else expect(Math.abs(middle - 480)).toBeLessThan(20)
  })
})

describe('hostile caption text', () => {
  // Each hostile cue is paired with the same text with every backslash turned into a slash (the same advance width
  // in DejaVu): if libass read any of it as tags, the two would differ in ink, size or colour.
  const hostileTexts = [
    'A{\\fs200\\c&H0000FF&}B \\N C',
    'Stop: it\'s 100% [free], "really"; {x} \\h \\n back\\slash',
  ]

  it('renders braces, backslashes, quotes, colons, commas, semicolons, brackets and % as text, from an awkward file name', async () => {
    const cues: CaptionCue[] = hostileTexts.flatMap((text, index) => [
      { start: index * 2 + 0.2, end: index * 2 + 1, text },
      { start: index * 2 + 1.2, end: index * 2 + 2, text: text.replaceAll('\\', '/') },
    ])
    // The ASS file's own name tests the filter-level escaping of the path.
    const video = await burn(flat, documentFor(timed(cues), 'clean', 540, 960, 'middle'), 'hostile', 'it\'s: a [caption], file; 100%.ass')
    const sourceFrame = await grabFrame(tools.ffmpeg, flat, frame(15), 'rgb24')
    const size = captionLooks.clean.size * 540
    const frames = await grabFrames(tools.ffmpeg, video, hostileTexts.flatMap((_, index) => [frame(index * 60 + 18), frame(index * 60 + 48)]), 'rgb24')
    for (const [index] of hostileTexts.entries()) {
      const [hostile, reference] = frames.slice(index * 2, index * 2 + 2) as [Frame, Frame]
      const hostileInk = changedBounds(hostile, sourceFrame)!
      const referenceInk = changedBounds(reference, sourceFrame)!
      expect(hostileInk.pixels / referenceInk.pixels).toBeGreaterThan(0.9)
      expect(hostileInk.pixels / referenceInk.pixels).toBeLessThan(1.1)
      expect(hostileInk.width).toBe(referenceInk.width)
      expect(hostileInk.height).toBe(referenceInk.height)
      // Neither \N (a line break) nor \fs200 took effect, and nothing turned red.
      if (index === 0) expect(hostileInk.height).toBeLessThan(size * 1.8)
      expect(countPixels(hostile, (r, g, b) => r > 150 && g < 90 && b < 90).count).toBe(0)
    }
  })
})
