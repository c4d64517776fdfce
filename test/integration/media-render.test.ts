// Renders compiled from edit recipes, checked by measuring the output with ffprobe: length within one frame
// of the cut list, exact frame size and square pixels. (Studio, first part: timeline and frame operations.)
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { locateMediaTools, runMediaTool } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { filterValue } from '../../server/services/media/filter-escape'
import { compileRecipe, loudnessMeasureCommand, parseLoudnessMeasurement } from '../../server/services/media/render/compile'
import { editRecipeSchema } from '#shared/recipe'
import type { EditRecipeInput } from '#shared/recipe'
import { generateClip, referenceLoudness } from '../support/media'
import type { GeneratedClip } from '../support/media'

const run = promisify(execFile)
const FRAME = 1 / 30

let dir: string
let tools: MediaTools
let landscape: GeneratedClip
let portrait: GeneratedClip

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelwise-render-'))
  tools = await locateMediaTools()
  landscape = await generateClip(join(dir, 'landscape.mp4'), { width: 640, height: 360, fps: 30, shots: [2, 2, 2], audio: [{ tone: -18, seconds: 6 }] })
  portrait = await generateClip(join(dir, 'portrait.mp4'), { width: 360, height: 640, fps: 30, shots: [3] })
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function measure(path: string) {
  const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,sample_aspect_ratio,duration', '-of', 'json', path])
  const stream = JSON.parse(stdout).streams[0]
  return { width: stream.width as number, height: stream.height as number, sar: stream.sample_aspect_ratio as string | undefined, duration: Number(stream.duration) }
}

async function render(clip: GeneratedClip, input: EditRecipeInput, name: string, hasAudio = true) {
  const output = join(dir, name)
  const source = { path: clip.path, width: 640, height: 360, durationSeconds: clip.durationSeconds, fps: 30, hasAudio, ...(clip === portrait ? { width: 360, height: 640 } : {}) }
  const recipe = editRecipeSchema.parse(input)
  const firstPass = loudnessMeasureCommand(source, recipe)
  const printed: string[] = []
  if (firstPass) await runMediaTool(tools.ffmpeg, firstPass, { onStderrLine: line => printed.push(line) })
  const compiled = compileRecipe(source, recipe, output, { measured: firstPass ? parseLoudnessMeasurement(printed.join('\n')) : undefined })
  await runMediaTool(tools.ffmpeg, compiled.args)
  return { compiled, measured: await measure(output) }
}

describe('renders from recipes, measured', () => {
  it('keeps exactly the cut list, at the speed asked, cropped to 9:16', async () => {
    const { compiled, measured } = await render(landscape, { keep: [{ start: 0.5, end: 1.5 }, { start: 3, end: 4.2 }], speed: 1.5, reframe: { mode: 'crop', aspect: '9:16', centerX: 0.3 } }, 'cut.mp4')
    expect(Math.abs(measured.duration - compiled.expectedDurationSeconds), `rendered ${measured.duration} s, expected ${compiled.expectedDurationSeconds} s`).toBeLessThanOrEqual(FRAME + 1e-3)
    // The crop is 202×360 pixels of footage: enlarged only to the 540×960 floor.
    expect(measured).toMatchObject({ width: 540, height: 960 })
    expect([undefined, '1:1']).toContain(measured.sar)
  })

  it('trims, and fits a vertical clip into 1:1 over a blurred copy of itself', async () => {
    const { measured } = await render(portrait, { trim: { start: 0.5, end: 2.5 }, reframe: { mode: 'blur', aspect: '1:1' } }, 'blur.mp4', false)
    expect(Math.abs(measured.duration - 2)).toBeLessThanOrEqual(FRAME + 1e-3)
    // The 360×640 frame fitted whole: a 640×640 canvas, so the footage is not enlarged.
    expect(measured).toMatchObject({ width: 640, height: 640 })
  })

  it('normalises the edited audio to −14 LUFS (ebur128 within 1 LU) with its true peak under −1 dBTP', async () => {
    // The source tone sits near −21 LUFS; the render keeps two parts of it.
    const { measured } = await render(landscape, { keep: [{ start: 0, end: 2 }, { start: 3, end: 6 }] }, 'loud.mp4')
    const loudness = await referenceLoudness(join(dir, 'loud.mp4'))
    expect(Math.abs(loudness.integrated - -14), `integrated ${loudness.integrated} LUFS`).toBeLessThanOrEqual(1)
    const { stderr } = await run(tools.ffmpeg, ['-hide_banner', '-nostats', '-i', join(dir, 'loud.mp4'), '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 })
    const peak = Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(stderr.slice(stderr.lastIndexOf('Summary:')))![1])
    expect(peak).toBeLessThanOrEqual(-1 + 0.3)
    expect(Math.abs(measured.duration - 5)).toBeLessThanOrEqual(FRAME + 1e-3)
  })

  it('keeps the source frame when asked not to reframe', async () => {
    const { measured } = await render(landscape, { trim: { start: 1, end: 5 } }, 'same.mp4')
    expect(measured).toMatchObject({ width: 640, height: 360 })
    expect(Math.abs(measured.duration - 4)).toBeLessThanOrEqual(FRAME + 1e-3)
  })
})

describe('user text inside a filtergraph', () => {
  it('stays text: quotes, colons, commas, brackets and semicolons cannot add filters or options', async () => {
    const hostile = `Stop: it's 100% [free], really; fontsize=400'[out];[in]null`
    const graph = `drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:expansion=none:text=${filterValue(hostile)}:fontsize=20`
    const errors: string[] = []
    await runMediaTool(tools.ffmpeg, ['-v', 'error', '-nostdin', '-f', 'lavfi', '-i', 'color=s=320x240:d=0.2', '-vf', graph, '-f', 'null', '-'], { onStderrLine: line => errors.push(line) })
    expect(errors).toEqual([])
  })
})
