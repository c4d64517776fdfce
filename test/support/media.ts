// Test videos made by ffmpeg's lavfi sources, with known cut times, silences and loudness, so no binary
// fixtures are committed and every expectation is exact by construction.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

// Visually unrelated sources, so each boundary is a hard cut; most move within the shot.
export const shotSources = [
  'testsrc2=s={size}:r={fps}',
  'smptehdbars=s={size}:r={fps}',
  'mandelbrot=s={size}:r={fps}',
  'rgbtestsrc=s={size}:r={fps}',
  'yuvtestsrc=s={size}:r={fps}',
  // Not `gradients`: it draws random colours each run, and a cut into similar colours can fall under the threshold.
  'testsrc=s={size}:r={fps}',
] as const

export interface ClipSpec {
  width: number
  height: number
  fps: number
  /** Length of each shot in seconds; a hard cut between each. */
  shots: number[]
  /** Audio segments in order: a tone at a level (dBFS peak) or silence. Omit for a clip with no audio. */
  audio?: ({ tone: number, seconds: number, frequency?: number } | { silence: true, seconds: number })[]
  /** Film grain strength (the noise filter's 0–100), to make files as big as camera footage. */
  grain?: number
  /** Extra encoder arguments, e.g. ['-qp', '0'] for lossless. */
  extra?: string[]
  preset?: string
}

export interface GeneratedClip {
  path: string
  cuts: number[]
  silences: { start: number, end: number }[]
  durationSeconds: number
}

/** Encodes a clip to `path` (H.264 + AAC in MP4) and returns what it contains. */
export async function generateClip(path: string, spec: ClipSpec): Promise<GeneratedClip> {
  const size = `${spec.width}x${spec.height}`
  const inputs: string[] = []
  const filters: string[] = []
  spec.shots.forEach((seconds, index) => {
    const source = shotSources[index % shotSources.length]!.replace('{size}', size).replace('{fps}', String(spec.fps))
    // A whole number of frames per shot, so each cut lands exactly on a frame.
    const frames = Math.round(seconds * spec.fps)
    inputs.push('-f', 'lavfi', '-i', `${source},trim=end_frame=${frames},setpts=PTS-STARTPTS,format=yuv420p,setsar=1`)
  })
  const grain = spec.grain ? `,noise=alls=${spec.grain}:allf=t` : ''
  filters.push(`${spec.shots.map((_, index) => `[${index}:v]`).join('')}concat=n=${spec.shots.length}:v=1:a=0${grain}[v]`)
  const audio = spec.audio ?? []
  audio.forEach((segment, index) => {
    const input = spec.shots.length + index
    inputs.push('-f', 'lavfi', '-i', 'silence' in segment
      ? `anullsrc=r=48000:cl=mono,atrim=duration=${segment.seconds}`
      : `sine=f=${segment.frequency ?? 440}:sample_rate=48000:duration=${segment.seconds},volume=${segment.tone + 18.06}dB`)
    filters.push(`[${input}:a]asetpts=PTS-STARTPTS[a${index}]`)
  })
  if (audio.length > 0) filters.push(`${audio.map((_, index) => `[a${index}]`).join('')}concat=n=${audio.length}:v=0:a=1[a]`)
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', ...inputs,
    '-filter_complex', filters.join(';'),
    '-map', '[v]', ...(audio.length > 0 ? ['-map', '[a]', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000'] : []),
    '-c:v', 'libx264', '-preset', spec.preset ?? 'veryfast', '-pix_fmt', 'yuv420p', '-g', String(spec.fps * 2),
    ...(spec.extra ?? []), '-movflags', '+faststart', path,
  ], { maxBuffer: 16 * 1024 * 1024 })

  const cuts: number[] = []
  let time = 0
  for (const seconds of spec.shots.slice(0, -1)) {
    time += Math.round(seconds * spec.fps) / spec.fps
    cuts.push(time)
  }
  const silences: { start: number, end: number }[] = []
  let at = 0
  for (const segment of audio) {
    if ('silence' in segment) silences.push({ start: at, end: at + segment.seconds })
    at += segment.seconds
  }
  const durationSeconds = spec.shots.reduce((sum, seconds) => sum + Math.round(seconds * spec.fps) / spec.fps, 0)
  return { path, cuts, silences, durationSeconds }
}

/** Integrated loudness and LRA from `ffmpeg -af ebur128` run alone: the reference the analysis must match. */
export async function referenceLoudness(path: string): Promise<{ integrated: number, range: number }> {
  const { stderr } = await run('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-map', '0:a:0', '-af', 'ebur128', '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 })
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'))
  return {
    integrated: Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)![1]),
    range: Number(/LRA:\s+(-?[\d.]+) LU/.exec(summary)![1]),
  }
}
