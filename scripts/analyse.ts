// npm run analyse -- <file...> [--json] [--cut-threshold 10] [--silence-db -35] [--silence-min 0.3] [--hook 3]
// The worker's analysis on local files, with no database: prints the probe, the features, cuts, silences and loudness.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { analyseFile } from '../server/services/media/analysis/analyse'
import type { AnalysisReport } from '../server/services/media/analysis/analyse'
import { thresholdOverridesSchema } from '../server/services/media/analysis/thresholds'
import { locateMediaTools } from '../server/services/media/ffmpeg'
import { NotAVideoError } from '../server/services/media/probe'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'json': { type: 'boolean', default: false },
    'cut-threshold': { type: 'string' },
    'silence-db': { type: 'string' },
    'silence-min': { type: 'string' },
    'hook': { type: 'string' },
    'keep-artifacts': { type: 'string' },
    'help': { type: 'boolean', short: 'h', default: false },
  },
})

const usage = `Usage: npm run analyse -- <video file...> [--json] [--cut-threshold 10] [--silence-db -35] [--silence-min 0.3] [--hook 3] [--keep-artifacts <dir>]`

const optionalNumber = (text: string | undefined) => text === undefined ? undefined : Number(text)

// A hard cut with its score; a fade or dissolve with its span.
function describeCut(cut: AnalysisReport['timeline']['cuts'][number]): string {
  if (cut.kind && cut.kind !== 'cut' && cut.start !== undefined && cut.end !== undefined) return `${cut.time.toFixed(3)}s (${cut.kind} ${cut.start.toFixed(3)}–${cut.end.toFixed(3)}s)`
  return `${cut.time.toFixed(3)}s (${cut.score.toFixed(1)})`
}

function describe(file: string, report: AnalysisReport): string {
  const { probe, features, timeline } = report
  const audio = probe.audio ? `${probe.audio.codec} ${probe.audio.sampleRate} Hz ${probe.audio.channels} ch` : 'none'
  const lines = [
    `${file}`,
    `  probe     ${probe.container} · ${probe.video.codec} ${probe.video.displayWidth}×${probe.video.displayHeight} @ ${probe.video.fps} fps${probe.video.rotation ? ` (rotated ${probe.video.rotation}°)` : ''} · ${probe.durationSeconds.toFixed(3)} s · audio ${audio}`,
    `  loudness  ${features.integratedLufs === null ? 'n/a' : `${features.integratedLufs} LUFS integrated, LRA ${features.loudnessRangeLu} LU, true peak ${features.truePeakDbtp} dBTP`}`,
    `  cuts      ${timeline.cuts.length === 0 ? 'none' : timeline.cuts.map(describeCut).join(', ')}`,
    `  silences  ${timeline.silences.length === 0 ? 'none' : timeline.silences.map(silence => `${silence.start.toFixed(3)}–${silence.end.toFixed(3)}s`).join(', ')}`,
    `  black     ${timeline.blackIntervals.length === 0 ? 'none' : timeline.blackIntervals.map(black => `${black.start.toFixed(2)}–${black.end.toFixed(2)}s`).join(', ')}`,
    `  features`,
    ...Object.entries(features).map(([name, value]) => `    ${name.padEnd(22)} ${value}`),
    `  patterns`,
    ...report.patterns.map(pattern => `    ${pattern.key.padEnd(28)} ${pattern.note}`),
    `  analysed in ${(report.provenance.elapsedMs / 1000).toFixed(2)} s with ffmpeg ${report.provenance.ffmpegVersion}`,
  ]
  return lines.join('\n')
}

async function main(): Promise<number> {
  if (values.help || positionals.length === 0) {
    console.log(usage)
    return values.help ? 0 : 2
  }
  const thresholds = thresholdOverridesSchema.safeParse({
    cutThreshold: optionalNumber(values['cut-threshold']),
    silenceNoiseDb: optionalNumber(values['silence-db']),
    silenceMinSeconds: optionalNumber(values['silence-min']),
    hookWindowSeconds: optionalNumber(values.hook),
  })
  if (!thresholds.success) {
    console.error(`Bad threshold: ${thresholds.error.issues.map(issue => `${issue.path.join('.')} ${issue.message}`).join('; ')}\n${usage}`)
    return 2
  }
  const tools = await locateMediaTools({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH })
  const reports: Record<string, unknown>[] = []
  let failures = 0
  for (const file of positionals) {
    const workDir = values['keep-artifacts'] ? resolve(values['keep-artifacts']) : await mkdtemp(join(tmpdir(), 'reelwise-analyse-'))
    try {
      const report = await analyseFile(resolve(file), { tools, workDir, thresholds: thresholds.data })
      if (values.json) reports.push({ file, ...report })
      else console.log(describe(file, report))
    }
    catch (error) {
      failures++
      const message = error instanceof NotAVideoError ? error.message : error instanceof Error ? error.message : String(error)
      if (values.json) reports.push({ file, error: message })
      else console.error(`${file}\n  error: ${message}`)
    }
    finally {
      if (!values['keep-artifacts']) await rm(workDir, { recursive: true, force: true })
    }
  }
  if (values.json) console.log(JSON.stringify(positionals.length === 1 ? reports[0] : reports, null, 2))
  return failures > 0 ? 1 : 0
}

process.exitCode = await main()
