// The Studio's render pipeline (renderRecipe: probe, loudness pass, compiled render with progress parsing, ffprobe of
// the result) against raw ffmpeg running the identical commands (the same measuring pass and the same compiled
// arguments, spawned directly, nothing parsed), in the same run on the same generated footage.
//   npx tsx bench/render.ts [--quick]
// Full: 60 s of 1080p30 camera-like footage, five runs of each, alternating which goes first (single runs spread ±5 % here). Quick: 20 s, one run.
// The footage has light grain (noise 3): phone footage is denoised in the camera. Heavy grain (noise 8 on every
// pixel of every frame) doubles x264's work and halves every figure below, ours and raw ffmpeg's alike.
// The recipe is the common Reel: crop to 9:16, word-by-word captions, loudness to −14 LUFS; then once more at the
// standard 1080×1920 the Instagram preset enlarges to.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { editRecipeSchema } from '#shared/recipe'
import type { CaptionCue, EditRecipe } from '#shared/recipe'
import { locateMediaTools, runMediaTool } from '../server/services/media/ffmpeg'
import { compileRecipe, loudnessMeasureCommand, parseLoudnessMeasurement } from '../server/services/media/render/compile'
import { probeRenderSource, renderRecipe } from '../server/services/media/render/pipeline'
import { generateClip } from '../test/support/media'
import type { ClipSpec } from '../test/support/media'
import { median, timed } from './support'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const quick = values.quick
const repeats = quick ? 1 : 5
const seconds = quick ? 20 : 60

const tools = await locateMediaTools()
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-render-'))

// A fixed pseudo-random sequence, so every run renders the same footage.
let seed = 7
const random = () => {
  seed = (seed * 16807) % 2147483647
  return (seed - 1) / 2147483646
}

// Speech-like sound: phrases of 1–2.6 s at varying pitch and level, with short pauses between them.
function speechLike(total: number): NonNullable<ClipSpec['audio']> {
  const audio: NonNullable<ClipSpec['audio']> = []
  let at = 0
  while (at < total) {
    const phrase = Math.min(total - at, 1 + random() * 1.6)
    audio.push({ tone: -24 + random() * 8, seconds: phrase, frequency: Math.round(140 + random() * 160) })
    at += phrase
    const pause = Math.min(total - at, 0.2 + random() * 0.4)
    if (pause > 0.01) audio.push({ silence: true, seconds: pause })
    at += pause
  }
  return audio
}

const words = ['this', 'is', 'how', 'we', 'film', 'every', 'reel', 'in', 'one', 'take', 'and', 'cut', 'it', 'fast', 'with', 'captions']

// A cue every 2 s of four words, each with its own timing: the word-by-word style has something to light up.
function captionCues(total: number): CaptionCue[] {
  const cues: CaptionCue[] = []
  for (let start = 0; start + 2 <= total; start += 2) {
    const cueWords = Array.from({ length: 4 }, (_, index) => ({ start: start + index * 0.5, end: start + index * 0.5 + 0.45, text: words[(start / 2 * 4 + index) % words.length]! }))
    cues.push({ start, end: start + 1.95, text: cueWords.map(word => word.text).join(' '), words: cueWords })
  }
  return cues
}

// The raw side: ffmpeg spawned directly, its output thrown away.
async function spawnPlain(args: string[]): Promise<void> {
  const child = spawn(tools.ffmpeg, args, { stdio: 'ignore' })
  const [code] = await once(child, 'exit') as [number | null]
  if (code !== 0) throw new Error(`ffmpeg exited with code ${code}`)
}

try {
  console.log(`Generating ${seconds} s of 1080p30 footage (light grain, 9 Mb/s, speech-like sound)…`)
  const shots = Array.from({ length: Math.ceil(seconds / 4) }, (_, index) => Math.min(4, seconds - index * 4))
  const clip = await generateClip(join(dir, 'footage.mp4'), {
    width: 1920, height: 1080, fps: 30, shots, audio: speechLike(seconds), grain: 3,
    extra: ['-b:v', '9M', '-maxrate', '10M', '-bufsize', '18M'],
  })
  const source = await probeRenderSource(tools, clip.path)

  // The common Reel: crop to 9:16 at the footage's own detail (608×1080 from 1080p), word-by-word captions, −14 LUFS.
  const recipe: EditRecipe = editRecipeSchema.parse({
    reframe: { mode: 'crop', aspect: '9:16' },
    captions: { style: 'highlight', cues: captionCues(seconds) },
  })
  // The same enlarged to the standard 1080×1920, as the Instagram preset does.
  const standard: EditRecipe = { ...recipe, platform: 'instagram' }
  console.log('Recipe: crop 9:16, captions word by word (a cue every 2 s), loudness −14 LUFS')

  // One untimed measuring pass: the page cache holds the file for every timed run, and the raw side gets the
  // very commands the pipeline runs.
  const measureArgs = loudnessMeasureCommand(source, recipe)!
  const printed: string[] = []
  await runMediaTool(tools.ffmpeg, measureArgs, { onStderrLine: line => printed.push(line) })
  const rawWork = join(dir, 'raw-work')
  const compiled = compileRecipe(source, recipe, join(dir, 'raw.mp4'), { measured: parseLoudnessMeasurement(printed.join('\n')), workDir: rawWork })
  for (const file of compiled.files) {
    await mkdir(dirname(file.path), { recursive: true })
    await writeFile(file.path, file.content)
  }

  const ours: number[] = []
  const raw: number[] = []
  const renderStages: number[] = []
  const runOurs = async () => {
    let renderingFrom = 0
    ours.push(await timed(() => renderRecipe({
      tools,
      input: clip.path,
      recipe,
      output: join(dir, 'ours.mp4'),
      scratchDir: join(dir, 'scratch'),
      onProgress: (stage) => {
        if (stage === 'rendering' && !renderingFrom) renderingFrom = performance.now()
      },
    })))
    renderStages.push((performance.now() - renderingFrom) / 1000)
  }
  const runRaw = async () => {
    raw.push(await timed(async () => {
      await spawnPlain(measureArgs)
      await spawnPlain(compiled.args)
    }))
  }
  for (let attempt = 0; attempt < repeats; attempt++) {
    // Alternating, so drift in the machine's load touches both sides alike.
    if (attempt % 2 === 0) {
      await runOurs()
      await runRaw()
    }
    else {
      await runRaw()
      await runOurs()
    }
  }

  // The standard frame, once: what enlarging costs.
  let standardFrame = { width: 0, height: 0 }
  const standardSeconds = await timed(async () => {
    const result = await renderRecipe({ tools, input: clip.path, recipe: standard, output: join(dir, 'standard.mp4'), scratchDir: join(dir, 'scratch') })
    standardFrame = result
  })

  const oursSeconds = median(ours)
  const rawSeconds = median(raw)
  const frames = Math.round(compiled.expectedDurationSeconds * compiled.fps)
  const overhead = oursSeconds / rawSeconds
  const realtime = compiled.expectedDurationSeconds / oursSeconds
  const fps = frames / oursSeconds
  const rssMb = process.resourceUsage().maxRSS / 1024
  const list = (samples: number[]) => samples.map(value => value.toFixed(2)).join(', ')
  console.log(`Footage: ${source.width}×${source.height} @ ${source.fps} fps, ${source.durationSeconds.toFixed(1)} s → ${compiled.width}×${compiled.height}, ${frames} frames`)
  console.log(`  raw ffmpeg (measure + render)  ${rawSeconds.toFixed(2)} s   (runs: ${list(raw)})`)
  console.log(`  renderRecipe (everything)      ${oursSeconds.toFixed(2)} s   (runs: ${list(ours)})   overhead ×${overhead.toFixed(3)} (target ≤ 1.05)`)
  console.log(`  of which the render itself     ${median(renderStages).toFixed(2)} s   ${(frames / median(renderStages)).toFixed(1)} fps`)
  console.log(`  speed                          ${realtime.toFixed(2)}× realtime, ${fps.toFixed(1)} fps overall (target ≥ 2.5× realtime)`)
  console.log(`  at ${standardFrame.width}×${standardFrame.height} (Instagram preset)  ${standardSeconds.toFixed(2)} s   ${(compiled.expectedDurationSeconds / standardSeconds).toFixed(2)}× realtime`)
  console.log(`  node process peak RSS          ${rssMb.toFixed(0)} MB (ffmpeg runs in its own process)`)
  console.log(`RESULT ${JSON.stringify({
    overhead: Number(overhead.toFixed(3)),
    realtime: Number(realtime.toFixed(3)),
    fps: Number(fps.toFixed(1)),
    rssMb: Number(rssMb.toFixed(1)),
    seconds,
    width: compiled.width,
    height: compiled.height,
    realtimeStandard: Number((compiled.expectedDurationSeconds / standardSeconds).toFixed(3)),
    ours_s: Number(oursSeconds.toFixed(3)),
    raw_s: Number(rawSeconds.toFixed(3)),
  })}`)
}
finally {
  await rm(dir, { recursive: true, force: true })
}
