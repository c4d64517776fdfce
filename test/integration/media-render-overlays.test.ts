// Overlays, music and output presets, measured on real renders: hook text and the logo by pixel difference in
// their regions against the same render without them, the end card by its colour after the footage, ducking by
// the music's level under speech against its level between words, the preset by what ffprobe reads.
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { locateMediaTools, runMediaTool } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { compileRecipe, loudnessMeasureCommand, parseLoudnessMeasurement } from '../../server/services/media/render/compile'
import type { RenderAssets, RenderSource } from '../../server/services/media/render/compile'
import { checkRender } from '#shared/platforms'
import { editRecipeSchema } from '#shared/recipe'
import type { EditRecipeInput } from '#shared/recipe'
import { generateClip, referenceLoudness } from '../support/media'
import { grabFrame, regionDifference, regionMean } from '../support/pixels'

const run = promisify(execFile)
const asset = '00000000-0000-4000-8000-000000000000'
const FRAME = 1 / 30

let dir: string
let tools: MediaTools
let footage: RenderSource
let assets: RenderAssets

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelwise-overlays-'))
  tools = await locateMediaTools()
  // Speech (a 1 kHz tone) for 2 s, a 2 s pause, speech again.
  const clip = await generateClip(join(dir, 'footage.mp4'), { width: 640, height: 360, fps: 30, shots: [3, 3], audio: [{ tone: -20, seconds: 2, frequency: 1000 }, { silence: true, seconds: 2 }, { tone: -20, seconds: 2, frequency: 1000 }] })
  footage = { path: clip.path, width: 640, height: 360, durationSeconds: 6, fps: 30, hasAudio: true }
  // A 150 Hz "music" loop of 2.5 s (shorter than the render, so it must loop) and a red logo.
  await run(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=150:sample_rate=44100:duration=2.5', '-c:a', 'libmp3lame', join(dir, 'music.mp3')])
  await run(tools.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=200x100', '-frames:v', '1', join(dir, 'logo.png')])
  assets = { music: { path: join(dir, 'music.mp3') }, logo: { path: join(dir, 'logo.png') } }
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

async function render(input: EditRecipeInput, name: string, source = footage) {
  const output = join(dir, name)
  const recipe = editRecipeSchema.parse(input)
  const firstPass = loudnessMeasureCommand(source, recipe, { assets })
  const printed: string[] = []
  if (firstPass) await runMediaTool(tools.ffmpeg, firstPass, { onStderrLine: line => printed.push(line) })
  const compiled = compileRecipe(source, recipe, output, { assets, measured: firstPass ? parseLoudnessMeasurement(printed.join('\n')) : undefined })
  await runMediaTool(tools.ffmpeg, compiled.args)
  return { output, compiled }
}

async function probe(path: string) {
  const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,profile,pix_fmt,width,height,r_frame_rate,sample_rate,duration:format=size', '-of', 'json', path])
  const parsed = JSON.parse(stdout) as { streams: Record<string, string | number>[], format: { size: string } }
  const video = parsed.streams.find(stream => stream.codec_type === 'video')!
  const audio = parsed.streams.find(stream => stream.codec_type === 'audio')
  const [numerator, denominator] = String(video.r_frame_rate).split('/').map(Number)
  return { video, audio, fps: numerator! / denominator!, duration: Number(video.duration), size: Number(parsed.format.size) }
}

/** The music's level (dB, mean) in a window: three low-passes at 300 Hz keep the 150 Hz music and drop the 1 kHz voice. */
async function musicLevel(path: string, start: number, seconds: number): Promise<number> {
  const { stderr } = await run(tools.ffmpeg, ['-hide_banner', '-nostats', '-ss', String(start), '-t', String(seconds), '-i', path, '-map', '0:a', '-af', 'lowpass=f=300,lowpass=f=300,lowpass=f=300,volumedetect', '-f', 'null', '-'])
  return Number(/mean_volume: (-?[\d.]+) dB/.exec(stderr)![1])
}

// The standard 1080×1920 frame, so regions are in the platforms' coordinates.
const tall = { loudness: null, reframe: { mode: 'crop', aspect: '9:16' }, resolution: 'standard' } as const

describe('hook text, logo and end card, judged by pixels', () => {
  let plain: string
  beforeAll(async () => {
    plain = (await render(tall, 'plain.mp4')).output
  }, 120_000)

  it('draws the hook over its first seconds, in its region, and nowhere after', async () => {
    const { output } = await render({ ...tall, hook: { text: 'Three edits that doubled my views', seconds: 2, position: 'top' } }, 'hook.mp4')
    const hookBand = { x: 0, y: 250, width: 1080, height: 420 }
    const lowerHalf = { x: 0, y: 1000, width: 1080, height: 900 }
    const during = regionDifference(await grabFrame(tools.ffmpeg, output, 1 - FRAME / 2), await grabFrame(tools.ffmpeg, plain, 1 - FRAME / 2), hookBand)
    const after = regionDifference(await grabFrame(tools.ffmpeg, output, 3 - FRAME / 2), await grabFrame(tools.ffmpeg, plain, 3 - FRAME / 2), hookBand)
    const elsewhere = regionDifference(await grabFrame(tools.ffmpeg, output, 1 - FRAME / 2), await grabFrame(tools.ffmpeg, plain, 1 - FRAME / 2), lowerHalf)
    expect(during, `hook band differs by ${during} while the hook is on`).toBeGreaterThan(8)
    expect(after, `hook band differs by ${after} after the hook`).toBeLessThan(1.5)
    expect(elsewhere, `lower half differs by ${elsewhere} while the hook is on`).toBeLessThan(1.5)
  }, 120_000)

  it('keeps the logo in its corner for the whole video, inside the frame\'s safe margins', async () => {
    const { output } = await render({ ...tall, watermark: { assetId: asset, corner: 'top-right', widthFraction: 0.2, opacity: 1 } }, 'logo.mp4')
    for (const at of [0.5 - FRAME / 2, 5.5 - FRAME / 2]) {
      const marked = await grabFrame(tools.ffmpeg, output, at, 'rgb24')
      const [red, green, blue] = regionMean(marked, { x: 1080 - 43 - 216 + 10, y: 134 + 10, width: 196, height: 88 })
      expect(red, `logo red at ${at} s`).toBeGreaterThan(200)
      expect(green! + blue!).toBeLessThan(60)
      const away = regionDifference(await grabFrame(tools.ffmpeg, output, at), await grabFrame(tools.ffmpeg, plain, at), { x: 0, y: 400, width: 1080, height: 1500 })
      // Lossy encoding: the logo shifts the encoder's bit budget a little everywhere; the logo itself is a big change.
      expect(away, `away from the logo at ${at} s`).toBeLessThan(6)
      const near = regionDifference(await grabFrame(tools.ffmpeg, output, at), await grabFrame(tools.ffmpeg, plain, at), { x: 1080 - 43 - 216, y: 134, width: 216, height: 108 })
      expect(near, `at the logo at ${at} s`).toBeGreaterThan(12)
    }
  }, 120_000)

  it('adds the end card after the footage, for its seconds, with the call to action on it', async () => {
    const { output, compiled } = await render({ ...tall, endCard: { text: 'Follow for part 2', seconds: 2, background: '#203040' } }, 'card.mp4')
    const measured = await probe(output)
    expect(Math.abs(measured.duration - 8), `rendered ${measured.duration} s`).toBeLessThanOrEqual(FRAME + 1e-3)
    expect(compiled.expectedDurationSeconds).toBeCloseTo(8, 6)
    const card = await grabFrame(tools.ffmpeg, output, 7, 'rgb24')
    const [red, green, blue] = regionMean(card, { x: 0, y: 0, width: 1080, height: 300 })
    expect(Math.max(Math.abs(red! - 0x20), Math.abs(green! - 0x30), Math.abs(blue! - 0x40))).toBeLessThan(6)
    // White text in the middle band, none at the top.
    const gray = await grabFrame(tools.ffmpeg, output, 7)
    const bright = (top: number, bottom: number) => gray.data.subarray(top * 1080, bottom * 1080).filter(value => value > 200).length
    expect(bright(800, 1120), 'white pixels of the call to action').toBeGreaterThan(5000)
    expect(bright(0, 300)).toBe(0)
    // The footage is still there just before the card.
    const before = regionMean(await grabFrame(tools.ffmpeg, output, 5.5, 'rgb24'), { x: 0, y: 0, width: 1080, height: 300 })
    expect(Math.abs(before[0]! - 0x20) + Math.abs(before[1]! - 0x30) + Math.abs(before[2]! - 0x40)).toBeGreaterThan(30)
  }, 120_000)
})

describe('music under speech', () => {
  it('ducks the music by at least the configured dB while someone speaks, and loops it to the end', async () => {
    const duckDb = 12
    const { output } = await render({ loudness: null, music: { assetId: asset, volumeDb: -10, duckDb } }, 'ducked.mp4')
    const speaking = [await musicLevel(output, 0.4, 1.2), await musicLevel(output, 4.4, 1.2)]
    const pause = await musicLevel(output, 2.6, 1)
    for (const level of speaking) expect(pause - level, `music ${pause} dB in the pause, ${level} dB under speech`).toBeGreaterThanOrEqual(duckDb)
    // The 2.5 s loop still plays in the pause at 2.6–3.6 s and at the end.
    expect(pause).toBeGreaterThan(-45)
  }, 120_000)

  it('lands the whole mix (voice, music, end card) on −14 LUFS', async () => {
    const { output } = await render({ music: { assetId: asset }, endCard: { text: 'Subscribe' } }, 'mix.mp4')
    const loudness = await referenceLoudness(output)
    expect(Math.abs(loudness.integrated - -14), `integrated ${loudness.integrated} LUFS`).toBeLessThanOrEqual(1)
  }, 120_000)
})

describe('platform presets', () => {
  it('encodes what Facebook Reels takes: H.264 High 4:2:0, closed GOP, AAC 48 kHz, moov first, fps raised into range', async () => {
    const slow = await generateClip(join(dir, 'slow.mp4'), { width: 640, height: 360, fps: 20, shots: [2, 2], audio: [{ tone: -20, seconds: 4 }] })
    const source = { path: slow.path, width: 640, height: 360, durationSeconds: 4, fps: 20, hasAudio: true }
    const { output } = await render({ reframe: { mode: 'crop', aspect: '9:16' }, platform: 'facebook' }, 'facebook.mp4', source)
    const measured = await probe(output)
    // 202×360 pixels of footage, enlarged only to 540×960: the smallest frame Facebook Reels take.
    expect(measured.video).toMatchObject({ codec_name: 'h264', profile: 'High', pix_fmt: 'yuv420p', width: 540, height: 960 })
    expect(measured.audio).toMatchObject({ codec_name: 'aac', sample_rate: '48000' })
    expect(measured.fps).toBe(24)
    const bytes = await readFile(output)
    expect(bytes.indexOf('moov'), 'moov atom before mdat (+faststart)').toBeLessThan(bytes.indexOf('mdat'))
    // x264 writes its settings into the stream: closed GOPs of two seconds.
    const settings = bytes.toString('latin1', bytes.indexOf('x264 - core'), bytes.indexOf('x264 - core') + 2000)
    expect(settings).toContain('open_gop=0')
    expect(settings).toContain('keyint=48')
    expect(settings).toMatch(/vbv_maxrate=8000/)
    expect(checkRender('facebook', { durationSeconds: measured.duration, width: 540, height: 960, fps: measured.fps, sizeBytes: measured.size, videoCodec: 'h264', audioSampleRate: 48000 })).toMatchObject({ ok: true })
  }, 120_000)
})
