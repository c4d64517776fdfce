// npm run render -- <input> --recipe <recipe.json> -o <output.mp4> [--preview] [--music <file>] [--logo <file>] [--variant <label>]
// The Studio's render on a local file, with no database and no server: one output per variant of the recipe
// (out.mp4 becomes out-A.mp4, out-B.mp4, … when there are several). Ctrl-C cancels and removes the partial files.
// Exit codes: 0 rendered, 1 a render failed, 2 bad arguments or recipe, 130 canceled.
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, extname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { z } from 'zod'
import { checkRenderEverywhere } from '#shared/platforms'
import { editRecipeSchema, expandVariations, VariationError } from '#shared/recipe'
import type { EditRecipe, Variant } from '#shared/recipe'
import { locateMediaTools } from '../server/services/media/ffmpeg'
import { RecipeError } from '../server/services/media/render/compile'
import type { RenderAssets } from '../server/services/media/render/compile'
import { RenderCanceledError, renderRecipe } from '../server/services/media/render/pipeline'
import type { RenderMeasurements, RenderProgressStage, RenderResult } from '../server/services/media/render/pipeline'

const usage = 'Usage: npm run render -- <video file> --recipe <recipe.json> -o <output.mp4> [--preview] [--music <file>] [--logo <file>] [--variant <label>]'
// Stands in for a Studio asset id when the file comes from the command line.
const localAssetId = '00000000-0000-0000-0000-000000000000'

class UsageError extends Error {}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        recipe: { type: 'string', short: 'r' },
        output: { type: 'string', short: 'o' },
        preview: { type: 'boolean', default: false },
        music: { type: 'string' },
        logo: { type: 'string' },
        variant: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  }
  catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** zod's issues as lines a person can act on: where in the recipe, and what is wrong. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => {
    const where = issue.path.length ? issue.path.map(part => typeof part === 'number' ? `[${part}]` : `.${String(part)}`).join('').replace(/^\./, '') : 'the recipe'
    return `  ${where}: ${issue.message}`
  }).join('\n')
}

async function readRecipe(path: string): Promise<EditRecipe> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  }
  catch {
    throw new UsageError(`Cannot read the recipe file ${path}.`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  }
  catch (error) {
    throw new UsageError(`The recipe ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  const parsed = editRecipeSchema.safeParse(json)
  if (!parsed.success) throw new UsageError(`The recipe ${path} is not valid:\n${describeIssues(parsed.error)}`)
  return parsed.data
}

/** Files from the command line take the place of the recipe's Studio assets; given without the recipe asking, they are added with the defaults. */
function withLocalAssets(recipe: EditRecipe, music?: string, logo?: string): { recipe: EditRecipe, assets: RenderAssets } {
  if (recipe.music && !music) throw new UsageError('The recipe has music: give its file with --music <file>.')
  if (recipe.watermark && !logo) throw new UsageError('The recipe has a logo: give its file with --logo <file>.')
  const assets: RenderAssets = {}
  const result = { ...recipe }
  if (music) {
    assets.music = { path: resolve(music) }
    result.music = recipe.music ?? { assetId: localAssetId, volumeDb: -12, duckDb: 12 }
  }
  if (logo) {
    assets.logo = { path: resolve(logo) }
    result.watermark = recipe.watermark ?? { assetId: localAssetId, corner: 'top-right', opacity: 0.85, widthFraction: 0.16 }
  }
  return { recipe: result, assets }
}

function outputFor(output: string, label: string, several: boolean): string {
  if (!several) return output
  const extension = extname(output) || '.mp4'
  return join(resolve(output, '..'), `${basename(output, extname(output))}-${label}${extension}`)
}

/** A live line on a terminal; a plain line every 10 % otherwise (logs, CI). */
function progressPrinter(label: string) {
  const tty = process.stderr.isTTY
  let lastStep = -1
  let lastStage: RenderProgressStage | null = null
  return {
    update(stage: RenderProgressStage, fraction: number) {
      const percent = Math.floor(fraction * 100)
      if (tty) {
        const filled = Math.round(fraction * 30)
        process.stderr.write(`\r  ${label} ${stage.padEnd(9)} [${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(percent).padStart(3)} %`)
        return
      }
      const step = Math.floor(percent / 10)
      if (stage === lastStage && step <= lastStep) return
      lastStage = stage
      lastStep = step
      process.stderr.write(`  ${label} ${stage} ${step * 10} %\n`)
    },
    done() {
      if (tty) process.stderr.write('\r\x1B[2K')
    },
  }
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`

function describe(variant: Variant, result: RenderResult, seconds: number, platform: EditRecipe['platform']): string {
  const keys = Object.entries(variant.keys).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ')
  const lines = [
    `${variant.label}${keys ? ` (${keys})` : ''} → ${result.output}`,
    `  duration  ${result.durationSeconds.toFixed(3)} s (expected ${result.expectedDurationSeconds.toFixed(3)} s)`,
    `  frame     ${result.width}×${result.height} @ ${result.fps} fps, ${result.videoCodec}${result.audioSampleRate ? `, audio ${result.audioSampleRate} Hz` : ', no audio'}`,
    `  size      ${megabytes(result.sizeBytes)} (${result.sizeBytes} bytes, ${(result.sizeBytes * 8 / Math.max(result.durationSeconds, 0.001) / 1e6).toFixed(2)} Mb/s)`,
    `  took      ${seconds.toFixed(2)} s, ${(result.durationSeconds / seconds).toFixed(2)}× realtime`,
  ]
  if (platform) {
    lines.push('  platforms')
    for (const check of checkRenderEverywhere(result)) {
      const mark = check.ok ? 'ok' : 'no'
      lines.push(`    ${check.platform === platform ? '*' : ' '} ${check.platform.padEnd(10)} ${mark}${check.problems.map(problem => `\n        ${problem}`).join('')}`)
    }
  }
  return lines.join('\n')
}

// Silences depend on the trim and the settings only, so every variant shares them; the loudness pass reads the
// cut list, which the opening and the length change, so variants share it only when those two are the same.
function loudnessKey(variant: Variant): string {
  return JSON.stringify([variant.keys.opening ?? null, variant.keys.maxSeconds ?? null])
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine()
  if (values.help) {
    console.log(usage)
    return 0
  }
  if (positionals.length !== 1 || !values.recipe || !values.output) throw new UsageError(usage)
  const input = resolve(positionals[0]!)
  const output = resolve(values.output)
  const { recipe, assets } = withLocalAssets(await readRecipe(values.recipe), values.music, values.logo)
  let variants: Variant[]
  try {
    variants = expandVariations(recipe)
  }
  catch (error) {
    if (error instanceof VariationError) throw new UsageError(error.message)
    throw error
  }
  if (values.variant) {
    const chosen = variants.filter(variant => variant.label === values.variant!.toUpperCase())
    if (chosen.length === 0) throw new UsageError(`There is no variant ${values.variant}; this recipe makes ${variants.map(variant => variant.label).join(', ')}.`)
    variants = chosen
  }

  const tools = await locateMediaTools({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH })
  const controller = new AbortController()
  const interrupt = () => {
    process.stderr.write('\nCanceling…\n')
    controller.abort()
  }
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)

  let silences: RenderMeasurements['silences']
  const loudness = new Map<string, RenderMeasurements['loudness']>()
  let exitCode = 0
  for (const variant of variants) {
    const target = outputFor(output, variant.label, variants.length > 1)
    const printer = progressPrinter(variant.label)
    const started = performance.now()
    try {
      const result = await renderRecipe({
        tools,
        input,
        recipe: variant.recipe,
        output: target,
        assets,
        preview: values.preview,
        measurements: { silences, loudness: loudness.get(loudnessKey(variant)) },
        scratchDir: tmpdir(),
        signal: controller.signal,
        onProgress: printer.update,
      })
      printer.done()
      silences = result.measurements.silences
      loudness.set(loudnessKey(variant), result.measurements.loudness)
      console.log(describe(variant, result, (performance.now() - started) / 1000, variant.recipe.platform))
    }
    catch (error) {
      printer.done()
      if (error instanceof RenderCanceledError) {
        console.error('Canceled: the partial output and the temporary files were removed.')
        return 130
      }
      // A recipe that does not fit the footage (a trim past its end, say) is bad input, not a failed render.
      exitCode = Math.max(exitCode, error instanceof RecipeError ? 2 : 1)
      console.error(`${variant.label} → ${target}\n  failed: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return exitCode
}

try {
  process.exitCode = await main()
}
catch (error) {
  if (!(error instanceof UsageError)) throw error
  console.error(error.message)
  process.exitCode = 2
}
