// Shot detection against ground truth: lavfi clips whose transitions are known to the frame (hard cuts, fades through
// black of several lengths, dissolves, cuts out of black into a dark scene, cuts between look-alike shots, a moving
// shot with no cut), each run through the Library's analysis. Precision, recall and F1 at ±1 frame of where each
// incoming shot starts; a fade or dissolve found as more than one transition counts its extras as false cuts.
//   npx tsx bench/shots.ts [--quick]
// Full: every case at 1280×720 and at 640×360 with film grain. Quick: every case at 640×360.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { analyseFile } from '../server/services/media/analysis/analyse'
import { locateMediaTools } from '../server/services/media/ffmpeg'
import { generateClip } from '../test/support/media'
import { scoreTransitions, shotCases, totalScore } from '../test/support/shots'
import type { ShotScore } from '../test/support/shots'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } })
const FPS = 30
const variants = values.quick
  ? [{ label: '640×360', width: 640, height: 360, grain: 0 }]
  : [{ label: '1280×720', width: 1280, height: 720, grain: 0 }, { label: '640×360 grain', width: 640, height: 360, grain: 8 }]

const tools = await locateMediaTools()
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-shots-'))
const frames = (seconds: number) => Math.round(seconds * FPS)

try {
  const scores: ShotScore[] = []
  let fadeFalseCuts = 0
  const edgeErrors: number[] = []
  for (const variant of variants) {
    for (const [index, entry] of shotCases('all').entries()) {
      const clip = await generateClip(join(dir, `case-${index}.mp4`), { width: variant.width, height: variant.height, fps: FPS, grain: variant.grain || undefined, ...entry.spec })
      const workDir = await mkdtemp(join(dir, 'work-'))
      const report = await analyseFile(clip.path, { tools, workDir })
      await rm(workDir, { recursive: true, force: true })
      const found = report.timeline.cuts
      const score = scoreTransitions(clip.transitions, found.map(cut => cut.time), FPS)
      scores.push(score)
      if (clip.transitions.some(transition => transition.kind !== 'cut')) fadeFalseCuts += score.falsePositives
      // How far a found fade's or dissolve's start and end are from the truth, in frames.
      for (const expected of clip.transitions.filter(transition => transition.kind !== 'cut')) {
        const match = found.find(cut => Math.abs(cut.time - expected.time) <= 1 / FPS + 1e-3)
        if (match?.start !== undefined && match.end !== undefined) edgeErrors.push(Math.abs(frames(match.start) - frames(expected.start)), Math.abs(frames(match.end) - frames(expected.end)))
      }
      const kinds = found.map(cut => `${cut.kind ?? 'cut'}@${cut.time.toFixed(3)}`).join(' ')
      console.log(`${variant.label.padEnd(14)} ${entry.name.padEnd(42)} F1 ${score.f1.toFixed(3)}  found ${kinds || 'none'}`
        + (score.missed.length ? `  MISSED ${score.missed.map(miss => `${miss.kind}@${miss.time.toFixed(3)}`).join(' ')}` : '')
        + (score.extra.length ? `  EXTRA ${score.extra.map(time => time.toFixed(3)).join(' ')}` : ''))
    }
  }
  const total = totalScore(scores)
  const meanEdge = edgeErrors.length ? edgeErrors.reduce((sum, value) => sum + value, 0) / edgeErrors.length : 0
  console.log(`${total.truePositives + total.falseNegatives} transitions: precision ${total.precision.toFixed(3)}, recall ${total.recall.toFixed(3)}, F1 ${total.f1.toFixed(3)} at ±1 frame; `
    + `${fadeFalseCuts} false cuts in clips with fades or dissolves; fade and dissolve edges off by ${meanEdge.toFixed(2)} frames on average (worst ${Math.max(0, ...edgeErrors)})`)
  console.log(`RESULT ${JSON.stringify({
    transitions: total.truePositives + total.falseNegatives,
    precision: Number(total.precision.toFixed(3)),
    recall: Number(total.recall.toFixed(3)),
    f1: Number(total.f1.toFixed(3)),
    false_cuts_on_gradual: fadeFalseCuts,
    edge_error_mean_frames: Number(meanEdge.toFixed(2)),
    edge_error_max_frames: Math.max(0, ...edgeErrors),
  })}`)
}
finally {
  await rm(dir, { recursive: true, force: true })
}
