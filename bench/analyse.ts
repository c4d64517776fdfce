// The Library's analysis (one ffmpeg pass: cuts, motion, black frames, silences, loudness, pictures) against
// the floor, a bare decode of the same file (`ffmpeg -i f -f null -`), and against running the detectors as
// separate passes, all in the same run on the same generated clips.
//   npx tsx bench/analyse.ts [--quick] [--repeats N]
// Full: 60 s at 1080p30 and at 2160p30, three runs each. Quick: 8 s at 1080p and 3 s at 2160p, one run.
// On a busy machine, --repeats 3 with --quick gives medians worth comparing (ratios, not seconds).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { analyseFile } from '../server/services/media/analysis/analyse'
import { buildSeparatePassCommands } from '../server/services/media/analysis/command'
import { defaultThresholds } from '../server/services/media/analysis/thresholds'
import { locateMediaTools, runMediaTool } from '../server/services/media/ffmpeg'
import { probeVideo } from '../server/services/media/probe'
import { median, timed } from './support'

const run = promisify(execFile)
const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, repeats: { type: 'string' } } })
const quick = values.quick
const repeats = values.repeats ? Math.max(1, Number.parseInt(values.repeats, 10) || 1) : quick ? 1 : 3

const tools = await locateMediaTools()
const dir = await mkdtemp(join(tmpdir(), 'reelwise-bench-analyse-'))

// Camera-like material: moving test patterns with a little grain, a hard cut every few seconds, and a voice-like
// tone with pauses. x264 veryfast at CRF 23, which lands near a phone's bitrate.
async function generate(name: string, width: number, height: number, seconds: number): Promise<string> {
  const path = join(dir, name)
  const sources = ['testsrc2', 'mandelbrot', 'smptehdbars', 'rgbtestsrc']
  const shot = 4
  const count = Math.ceil(seconds / shot)
  const inputs = Array.from({ length: count }, (_, index) => ['-f', 'lavfi', '-i', `${sources[index % sources.length]}=s=${width}x${height}:r=30,trim=duration=${Math.min(shot, seconds - index * shot)},setpts=PTS-STARTPTS,format=yuv420p,setsar=1`]).flat()
  const graph = `${Array.from({ length: count }, (_, index) => `[${index}:v]`).join('')}concat=n=${count}:v=1:a=0,noise=alls=6:allf=t[v];`
    + `sine=f=220:sample_rate=48000:duration=${seconds},volume='if(lt(mod(t,5),4),1,0)':eval=frame[a]`
  await run(tools.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[v]', '-map', '[a]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', path], { maxBuffer: 64 * 1024 * 1024 })
  return path
}

interface Figures { analysisSeconds: number, bareDecodeSeconds: number, separatePassesSeconds: number, realtime: number, megabitsPerSecond: number, cuts: number }

async function measure(label: string, path: string): Promise<Figures> {
  const probe = await probeVideo(path, tools)
  const size = (await stat(path)).size
  // One untimed read, so every timed run finds the file in the page cache.
  await runMediaTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', path, '-map', '0:a:0', '-f', 'null', '-'])
  const bare: number[] = []
  const ours: number[] = []
  const separate: number[] = []
  let cuts = 0
  for (let attempt = 0; attempt < repeats; attempt++) {
    // Interleaved, so drift in the machine's load touches all three alike.
    bare.push(await timed(() => runMediaTool(tools.ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', path, '-f', 'null', '-'])))
    const workDir = await mkdtemp(join(dir, 'work-'))
    ours.push(await timed(async () => {
      cuts = (await analyseFile(path, { tools, workDir, probe })).timeline.cuts.length
    }))
    await rm(workDir, { recursive: true, force: true })
    separate.push(await timed(async () => {
      for (const args of buildSeparatePassCommands(path, { hasAudio: probe.audio !== null, thresholds: defaultThresholds })) await runMediaTool(tools.ffmpeg, args)
    }))
  }
  const figures = {
    analysisSeconds: median(ours),
    bareDecodeSeconds: median(bare),
    separatePassesSeconds: median(separate),
    realtime: probe.durationSeconds / median(ours),
    megabitsPerSecond: (size * 8) / probe.durationSeconds / 1e6,
    cuts,
  }
  console.log(`${label}: ${probe.video.width}×${probe.video.height}, ${probe.durationSeconds.toFixed(0)} s, ${figures.megabitsPerSecond.toFixed(1)} Mb/s, ${cuts} cuts found`)
  console.log(`  bare decode        ${figures.bareDecodeSeconds.toFixed(2)} s   (runs: ${bare.map(value => value.toFixed(2)).join(', ')})`)
  console.log(`  analysis (1 pass)  ${figures.analysisSeconds.toFixed(2)} s   ×${(figures.analysisSeconds / figures.bareDecodeSeconds).toFixed(3)} of bare decode, ${figures.realtime.toFixed(1)}× realtime   (runs: ${ours.map(value => value.toFixed(2)).join(', ')})`)
  console.log(`  separate passes    ${figures.separatePassesSeconds.toFixed(2)} s   single pass is ×${(figures.analysisSeconds / figures.separatePassesSeconds).toFixed(3)} of it`)
  return figures
}

try {
  const seconds = quick ? 8 : 60
  const uhdSeconds = quick ? 3 : 60
  console.log(`Generating test clips (${seconds} s at 1080p30, ${uhdSeconds} s at 2160p30)…`)
  const hd = await measure('1080p30', await generate('hd.mp4', 1920, 1080, seconds))
  const uhd = await measure('2160p30', await generate('uhd.mp4', 3840, 2160, uhdSeconds))
  const peakRssMb = process.resourceUsage().maxRSS / 1024
  console.log(`node process peak RSS ${peakRssMb.toFixed(0)} MB (ffmpeg runs in its own process)`)
  console.log(`RESULT ${JSON.stringify({
    hd_analysis_s: Number(hd.analysisSeconds.toFixed(3)),
    hd_bare_decode_s: Number(hd.bareDecodeSeconds.toFixed(3)),
    hd_ratio_to_bare: Number((hd.analysisSeconds / hd.bareDecodeSeconds).toFixed(3)),
    hd_ratio_to_separate: Number((hd.analysisSeconds / hd.separatePassesSeconds).toFixed(3)),
    uhd_analysis_s: Number(uhd.analysisSeconds.toFixed(3)),
    uhd_bare_decode_s: Number(uhd.bareDecodeSeconds.toFixed(3)),
    uhd_ratio_to_bare: Number((uhd.analysisSeconds / uhd.bareDecodeSeconds).toFixed(3)),
    uhd_ratio_to_separate: Number((uhd.analysisSeconds / uhd.separatePassesSeconds).toFixed(3)),
    node_peak_rss_mb: Number(peakRssMb.toFixed(1)),
  })}`)
}
finally {
  await rm(dir, { recursive: true, force: true })
}
