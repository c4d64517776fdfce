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

/** A shot: its length in seconds, or with a lavfi source of its own (`{size}`, `{fps}` filled in) and a look. */
export type ShotSpec = number | {
  seconds: number
  source?: string
  /** Dark and low in contrast (luma 16–42 of 235): night, a dim room. blackdetect calls most of it black. */
  dark?: boolean
}

/** How one shot gives way to the next. Lengths in seconds, each rounded to whole frames. */
export type TransitionSpec
  = | { kind: 'cut' }
  /** Through black: the outgoing shot fades out, black holds, the incoming shot fades in (each may be 0: a hard edge). */
    | { kind: 'fade', out?: number, hold?: number, in?: number }
  /** A cross-dissolve (xfade's `fade`): the shots overlap by `seconds`. */
    | { kind: 'dissolve', seconds: number }

export interface ClipSpec {
  width: number
  height: number
  fps: number
  /** The shots in order; a hard cut between each unless `transitions` says otherwise. */
  shots: ShotSpec[]
  /** One per boundary (shots.length - 1); missing entries are hard cuts. */
  transitions?: TransitionSpec[]
  /**
   * Audio segments in order: a tone at a level (dBFS peak), silence, or speech synthesised by ffmpeg's flite source
   * (letters, digits, spaces and . , ? ! only), padded with silence to `seconds`. Omit for a clip with no audio.
   */
  audio?: ({ tone: number, seconds: number, frequency?: number } | { silence: true, seconds: number } | { speech: string, seconds: number })[]
  /** Film grain strength (the noise filter's 0–100), to make files as big as camera footage. */
  grain?: number
  /** Extra encoder arguments, e.g. ['-qp', '0'] for lossless. */
  extra?: string[]
  preset?: string
}

/** A boundary between two shots as built, in seconds on the clip's frame grid. */
export interface GeneratedTransition {
  kind: 'cut' | 'fade' | 'dissolve'
  /** Where the incoming shot starts: its first visible frame (after a fade's black), a dissolve's middle, the cut. */
  time: number
  /** First frame that is no longer the outgoing shot alone, and first frame that is the incoming shot alone. */
  start: number
  end: number
}

export interface GeneratedClip {
  path: string
  /** The start of every shot but the first (each transition's `time`). */
  cuts: number[]
  transitions: GeneratedTransition[]
  silences: { start: number, end: number }[]
  durationSeconds: number
}

// Dims luma to 12 % of its range above black and greys the colour: a dark, flat scene.
const DARK_LOOK = 'lutyuv=y=16+(val-16)*0.12:u=128+(val-128)*0.2:v=128+(val-128)*0.2'

/** Encodes a clip to `path` (H.264 + AAC in MP4) and returns what it contains, exact to the frame. */
export async function generateClip(path: string, spec: ClipSpec): Promise<GeneratedClip> {
  const size = `${spec.width}x${spec.height}`
  const inputs: string[] = []
  const filters: string[] = []
  const frames = (seconds: number) => Math.round(seconds * spec.fps)
  const shots = spec.shots.map(shot => typeof shot === 'number' ? { seconds: shot } : shot)
  const transitions = shots.slice(1).map((_, index) => spec.transitions?.[index] ?? { kind: 'cut' as const })
  const fadeOf = (transition: TransitionSpec | undefined) => transition?.kind === 'fade'
    ? { out: frames(transition.out ?? 0), hold: frames(transition.hold ?? 0), in: frames(transition.in ?? 0) }
    : { out: 0, hold: 0, in: 0 }
  shots.forEach((shot, index) => {
    const template = shot.source ?? shotSources[index % shotSources.length]!
    const source = template.replace('{size}', size).replace('{fps}', String(spec.fps))
    // A whole number of frames per shot, so each boundary lands exactly on a frame.
    const count = frames(shot.seconds)
    const fadeIn = fadeOf(transitions[index - 1]).in
    const fadeOut = fadeOf(transitions[index]).out
    const looks = [
      shot.dark ? DARK_LOOK : '',
      fadeIn ? `fade=t=in:start_frame=0:nb_frames=${fadeIn}` : '',
      fadeOut ? `fade=t=out:start_frame=${count - fadeOut}:nb_frames=${fadeOut}` : '',
    ].filter(Boolean).map(look => `,${look}`).join('')
    inputs.push('-f', 'lavfi', '-i', `${source},trim=end_frame=${count},setpts=PTS-STARTPTS,format=yuv420p${looks},setsar=1`)
  })

  // Joined left to right: a dissolve overlaps the running picture with the next shot, anything else appends to it.
  const result: GeneratedTransition[] = []
  let running = '[0:v]'
  let length = frames(shots[0]!.seconds)
  let nextInput = shots.length
  transitions.forEach((transition, index) => {
    const incoming = `[${index + 1}:v]`
    const label = `[joined${index}]`
    const shotFrames = frames(shots[index + 1]!.seconds)
    if (transition.kind === 'dissolve') {
      const overlap = frames(transition.seconds)
      const offset = length - overlap
      // xfade wants both sides on one time base and frame rate; concat's output has neither pinned.
      const pinned = `settb=AVTB,fps=${spec.fps}`
      filters.push(`${running}${pinned}[outgoing${index}]`, `${incoming}${pinned}[incoming${index}]`)
      filters.push(`[outgoing${index}][incoming${index}]xfade=transition=fade:duration=${overlap / spec.fps}:offset=${offset / spec.fps}${label}`)
      // xfade's first overlapping frame is still all outgoing, and its last is already all incoming (measured).
      const start = offset + 1
      const end = offset + overlap - 1
      result.push({ kind: 'dissolve', time: Math.round((start + end) / 2) / spec.fps, start: start / spec.fps, end: end / spec.fps })
      length += shotFrames - overlap
    }
    else {
      const fade = fadeOf(transition)
      const parts = [running]
      if (fade.hold > 0) {
        inputs.push('-f', 'lavfi', '-i', `color=c=black:s=${size}:r=${spec.fps},trim=end_frame=${fade.hold},setpts=PTS-STARTPTS,format=yuv420p,setsar=1`)
        parts.push(`[${nextInput++}:v]`)
      }
      parts.push(incoming)
      filters.push(`${parts.join('')}concat=n=${parts.length}:v=1:a=0${label}`)
      const incomingStart = length + fade.hold
      if (transition.kind === 'cut') result.push({ kind: 'cut', time: incomingStart / spec.fps, start: incomingStart / spec.fps, end: incomingStart / spec.fps })
      else {
        // fade's first frame of a fade-out is still whole and its first frame of a fade-in is black.
        const start = fade.out > 0 ? length - fade.out + 1 : fade.hold > 0 ? length : incomingStart
        const visible = fade.in > 0 ? incomingStart + 1 : incomingStart
        result.push({ kind: 'fade', time: visible / spec.fps, start: start / spec.fps, end: (incomingStart + fade.in) / spec.fps })
      }
      length = incomingStart + shotFrames
    }
    running = label
  })
  const grain = spec.grain ? `,noise=alls=${spec.grain}:allf=t` : ''
  filters.push(`${running}null${grain}[v]`)

  const audio = spec.audio ?? []
  audio.forEach((segment, index) => {
    const input = nextInput + index
    if ('speech' in segment && !/^[\w .,?!]+$/.test(segment.speech)) throw new Error(`Speech text for a test clip: letters, digits, spaces and . , ? ! only (${segment.speech})`)
    inputs.push('-f', 'lavfi', '-i', 'silence' in segment
      ? `anullsrc=r=48000:cl=mono,atrim=duration=${segment.seconds}`
      : 'speech' in segment
        ? `flite=text='${segment.speech}':voice=slt,aresample=48000,apad=whole_dur=${segment.seconds},atrim=duration=${segment.seconds}`
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

  const silences: { start: number, end: number }[] = []
  let at = 0
  for (const segment of audio) {
    if ('silence' in segment) silences.push({ start: at, end: at + segment.seconds })
    at += segment.seconds
  }
  return { path, cuts: result.map(transition => transition.time), transitions: result, silences, durationSeconds: length / spec.fps }
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
