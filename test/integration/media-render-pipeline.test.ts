// The render pipeline on real ffmpeg: progress, measurements reused, previews, cancel and failure cleanup, and
// `npm run render` end to end. No database.
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { RenderCanceledError, renderRecipe, renderThumbnail } from '../../server/services/media/render/pipeline'
import type { RenderProgressStage, RenderResult } from '../../server/services/media/render/pipeline'
import { editRecipeSchema } from '#shared/recipe'
import type { EditRecipeInput } from '#shared/recipe'
import { generateClip } from '../support/media'
import type { GeneratedClip } from '../support/media'

const run = promisify(execFile)
const FRAME = 1 / 30
const tsx = join(process.cwd(), 'node_modules/.bin/tsx')

let dir: string
let tools: MediaTools
let speech: GeneratedClip
let long: GeneratedClip

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reelwise-pipeline-'))
  tools = await locateMediaTools()
  // Sound, a 1.5 s pause, sound: one silence for the silence pass to find.
  speech = await generateClip(join(dir, 'speech.mp4'), { width: 640, height: 360, fps: 30, shots: [3, 3], audio: [{ tone: -18, seconds: 2 }, { silence: true, seconds: 1.5 }, { tone: -20, seconds: 2.5 }] })
  long = await generateClip(join(dir, 'long.mp4'), { width: 640, height: 360, fps: 30, shots: [5, 5], audio: [{ tone: -18, seconds: 10 }] })
}, 120_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

const recipe = (input: EditRecipeInput) => editRecipeSchema.parse(input)
const exists = (path: string) => stat(path).then(() => true, () => false)

async function scratch(name: string): Promise<string> {
  const path = join(dir, name)
  await mkdir(path, { recursive: true })
  return path
}

/** ffmpeg processes (not zombies) whose command line names `needle`, read from /proc. */
async function processesNaming(needle: string): Promise<number[]> {
  const found: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const commandLine = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0')
      const state = /^State:\s+(\w)/m.exec(await readFile(`/proc/${entry}/status`, 'utf8'))?.[1]
      if (commandLine[0]?.endsWith('ffmpeg') && commandLine.includes(needle) && state !== 'Z') found.push(Number(entry))
    }
    catch {
      // The process ended while we looked.
    }
  }
  return found
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await condition()) return true
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  return condition()
}

describe('render pipeline', () => {
  let full: RenderResult | undefined

  it('measures, renders with progress rising to 1 through several steps, and reports the file', async () => {
    const scratchDir = await scratch('progress')
    const events: { stage: RenderProgressStage, fraction: number }[] = []
    full = await renderRecipe({
      tools,
      input: speech.path,
      recipe: recipe({ silence: {}, reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram' }),
      output: join(dir, 'full.mp4'),
      scratchDir,
      onProgress: (stage, fraction) => events.push({ stage, fraction }),
    })
    const rendering = events.filter(event => event.stage === 'rendering').map(event => event.fraction)
    expect(events[0]?.stage).toBe('measuring')
    expect(events.findIndex(event => event.stage === 'rendering')).toBe(events.filter(event => event.stage === 'measuring').length)
    for (let index = 1; index < rendering.length; index++) expect(rendering[index]!).toBeGreaterThan(rendering[index - 1]!)
    expect(rendering.at(-1)).toBe(1)
    expect(rendering.filter(fraction => fraction > 0 && fraction < 1).length, `fractions ${rendering.join(', ')}`).toBeGreaterThanOrEqual(3)

    expect(full).toMatchObject({ width: 1080, height: 1920, fps: 30, videoCodec: 'h264', audioSampleRate: 48000 })
    expect(Math.abs(full.durationSeconds - full.expectedDurationSeconds)).toBeLessThanOrEqual(FRAME + 1e-3)
    expect(full.sizeBytes).toBe((await stat(full.output)).size)
    // The pause is found in source seconds (AAC's frames blur its edges by a few milliseconds).
    expect(full.measurements.silences).toHaveLength(1)
    expect(full.measurements.silences![0]!.start).toBeCloseTo(2, 1)
    expect(full.measurements.silences![0]!.end).toBeCloseTo(3.5, 1)
    expect(Number(full.measurements.loudness?.input_i)).toBeLessThan(-14)
    expect(await readdir(scratchDir)).toEqual([])

    const thumbnail = await renderThumbnail(tools, full.output, join(dir, 'thumb.jpg'), 99)
    const { stdout } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', thumbnail])
    expect(JSON.parse(stdout).streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 540, height: 960 })
  }, 180_000)

  it('renders a preview at a third of the size, reusing the measurements instead of measuring again', async () => {
    expect(full, 'the full render above ran').toBeDefined()
    const stages = new Set<RenderProgressStage>()
    const preview = await renderRecipe({
      tools,
      input: speech.path,
      recipe: recipe({ silence: {}, reframe: { mode: 'crop', aspect: '9:16' }, platform: 'instagram' }),
      output: join(dir, 'preview.mp4'),
      preview: true,
      measurements: full!.measurements,
      scratchDir: await scratch('preview'),
      onProgress: stage => stages.add(stage),
    })
    expect([...stages]).toEqual(['rendering'])
    expect(preview.measurements).toEqual(full!.measurements)
    expect(preview).toMatchObject({ width: 360, height: 640 })
    expect(preview.fps).toBeLessThanOrEqual(30)
    expect(Math.abs(preview.durationSeconds - full!.durationSeconds)).toBeLessThanOrEqual(FRAME + 1e-3)
  }, 120_000)

  it('cancels mid-render: ffmpeg is killed, the partial output and the temporary files are gone', async () => {
    const scratchDir = await scratch('cancel')
    const output = join(dir, 'canceled.mp4')
    const controller = new AbortController()
    let ffmpegPids: number[] = []
    let abortedAt: number | null = null
    const rendering = renderRecipe({
      tools,
      input: long.path,
      // Slow on purpose: 20 s of blurred 1080×1080.
      recipe: recipe({ reframe: { mode: 'blur', aspect: '1:1' }, resolution: 'standard', speed: 0.5, loudness: null }),
      output,
      scratchDir,
      signal: controller.signal,
      onProgress: (stage, fraction) => {
        if (stage !== 'rendering' || fraction === 0 || abortedAt !== null) return
        abortedAt = fraction
        void processesNaming(output).then((pids) => {
          ffmpegPids = pids
          controller.abort()
        })
      },
    })
    const error = await rendering.catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(RenderCanceledError)
    expect((error as Error).message).toMatch(/canceled/)
    expect(abortedAt).toBeLessThan(1)
    expect(ffmpegPids).toHaveLength(1)
    expect(await waitFor(async () => (await processesNaming(output)).length === 0), 'ffmpeg still runs').toBe(true)
    expect(await exists(output)).toBe(false)
    expect(await readdir(scratchDir)).toEqual([])
  }, 120_000)

  it('cancels before it starts when the signal is already aborted', async () => {
    const scratchDir = await scratch('aborted')
    const controller = new AbortController()
    controller.abort()
    await expect(renderRecipe({ tools, input: speech.path, recipe: recipe({}), output: join(dir, 'never.mp4'), scratchDir, signal: controller.signal })).rejects.toThrow(RenderCanceledError)
    expect(await exists(join(dir, 'never.mp4'))).toBe(false)
    expect(await readdir(scratchDir)).toEqual([])
  })

  it('removes the partial output when ffmpeg fails mid-render, and says what ffmpeg said', async () => {
    // The picture shrinks from 640×360 to 320×180 after two seconds: the crop made for 640×360 no longer fits,
    // so ffmpeg stops after writing part of the file.
    const parts = [join(dir, 'wide.ts'), join(dir, 'small.ts')]
    await run(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=30:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mpegts', parts[0]!])
    await run(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30:d=2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-output_ts_offset', '2', '-f', 'mpegts', parts[1]!])
    const changing = join(dir, 'changing.ts')
    await writeFile(changing, Buffer.concat(await Promise.all(parts.map(part => readFile(part)))))
    const scratchDir = await scratch('failure')
    const output = join(dir, 'failed.mp4')
    const stages: RenderProgressStage[] = []
    const error = await renderRecipe({
      tools,
      input: changing,
      recipe: recipe({ reframe: { mode: 'crop', aspect: '9:16' } }),
      output,
      preview: true,
      scratchDir,
      onProgress: stage => stages.push(stage),
    }).catch((caught: unknown) => caught as Error)
    expect(stages).toContain('rendering')
    expect(error).toMatchObject({ name: 'FfmpegError' })
    expect((error as Error).message).toMatch(/exited with code \d+: .*(Conversion failed|reinitializing filters)/)
    expect(await exists(output)).toBe(false)
    expect(await readdir(scratchDir)).toEqual([])
  }, 120_000)
})

describe('npm run render', () => {
  it('renders each variant of a recipe to its own file', async () => {
    const recipeFile = join(dir, 'variants.json')
    await writeFile(recipeFile, JSON.stringify({ maxSeconds: 4.5, variations: { maxSeconds: [3] }, platform: 'tiktok' }))
    const { stdout } = await run(tsx, ['scripts/render.ts', speech.path, '--recipe', recipeFile, '-o', join(dir, 'cli.mp4'), '--preview'], { env: { ...process.env, TMPDIR: await scratch('cli') } })
    // The recipe's own length is variant A; the alternative adds B.
    for (const [label, seconds] of [['A', 4.5], ['B', 3]] as const) {
      const { stdout: probed } = await run(tools.ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', join(dir, `cli-${label}.mp4`)])
      expect(Math.abs(Number(probed) - seconds), `variant ${label}`).toBeLessThanOrEqual(FRAME + 0.03)
      expect(stdout).toContain(`cli-${label}.mp4`)
    }
    expect(stdout).toMatch(/× realtime/)
    expect(stdout).toMatch(/\* tiktok/)
    expect(await exists(join(dir, 'cli.mp4'))).toBe(false)
  }, 120_000)

  it('refuses a bad recipe with exit code 2 and says what is wrong', async () => {
    const recipeFile = join(dir, 'bad.json')
    await writeFile(recipeFile, JSON.stringify({ speed: 5, reframe: { mode: 'crop', aspect: '4:5' } }))
    const failure = await run(tsx, ['scripts/render.ts', speech.path, '--recipe', recipeFile, '-o', join(dir, 'bad.mp4')]).catch((error: any) => error)
    expect(failure.code).toBe(2)
    expect(failure.stderr).toContain('speed: Speed goes from 0.5× to 2×.')
    expect(failure.stderr).toMatch(/reframe\.aspect: /)
    expect(await exists(join(dir, 'bad.mp4'))).toBe(false)
  }, 60_000)

  it('cancels on Ctrl-C, leaving no partial output and no temporary files', async () => {
    const recipeFile = join(dir, 'slow.json')
    await writeFile(recipeFile, JSON.stringify({ reframe: { mode: 'blur', aspect: '1:1' }, resolution: 'standard', speed: 0.5, loudness: null }))
    const temporary = await scratch('cli-cancel')
    const output = join(dir, 'interrupted.mp4')
    // The script in one process (node with tsx's loader), as a terminal's Ctrl-C reaches it. The tsx command is a second
    // process that relays signals to the script's; a SIGINT sent to it alone once made it exit 130 with nothing said by
    // the script (CI of 5d4b02c, on a loaded machine): a race in the relay, not in the script.
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/render.ts', long.path, '--recipe', recipeFile, '-o', output], { env: { ...process.env, TMPDIR: temporary }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => {
      // The first progress of the render itself: ffmpeg is running.
      if (!stderr.includes('rendering') && (stderr + chunk).includes('rendering')) child.kill('SIGINT')
      stderr += chunk
    })
    // 'close', not 'exit': the process can exit before its last stderr lines ("Canceled") have been read.
    const [code] = await once(child, 'close') as [number | null]
    expect(code, stderr).toBe(130)
    expect(stderr).toContain('Canceled')
    expect(await waitFor(async () => (await processesNaming(output)).length === 0), 'ffmpeg still runs').toBe(true)
    expect(await exists(output)).toBe(false)
    // tsx keeps its own cache in TMPDIR; the render's directories are named render-….
    expect((await readdir(temporary)).filter(name => name.startsWith('render-'))).toEqual([])
  }, 120_000)
})
