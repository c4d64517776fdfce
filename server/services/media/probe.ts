// What a file is, decided by ffprobe and a short decode, never by its name. A file that is not a playable
// video is refused here with a reason a creator can act on.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { z } from 'zod'
import { formatDuration, formatDurationOver } from '#shared/library'
import { runMediaTool } from './ffmpeg'
import { guardInput } from './input-guard'

const run = promisify(execFile)

export interface VideoProbe {
  /** The container as a file extension: mp4, mov, webm, mkv, avi or ts. */
  container: string
  formatName: string
  durationSeconds: number
  sizeBytes: number
  bitRate: number | null
  video: {
    codec: string
    profile: string | null
    pixelFormat: string | null
    /** Coded size, before rotation. */
    width: number
    height: number
    /** What a viewer sees: rotation applied, square pixels. */
    displayWidth: number
    displayHeight: number
    /** Clockwise degrees a player turns the picture: 0, 90, 180 or 270. */
    rotation: number
    displayAspect: number
    fps: number
    frameCount: number | null
    bitRate: number | null
  }
  audio: {
    codec: string
    sampleRate: number
    channels: number
    bitRate: number | null
  } | null
}

export class NotAVideoError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'NotAVideoError'
  }
}

const stream = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  pix_fmt: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sample_aspect_ratio: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  nb_frames: z.string().optional(),
  bit_rate: z.string().optional(),
  sample_rate: z.string().optional(),
  channels: z.number().optional(),
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ rotation: z.number().optional() }).loose()).optional(),
})

const probeOutput = z.object({
  streams: z.array(stream).default([]),
  format: z.object({
    format_name: z.string(),
    duration: z.string().optional(),
    size: z.string().optional(),
    bit_rate: z.string().optional(),
    tags: z.record(z.string(), z.string()).optional(),
  }),
})

type ProbeOutput = z.infer<typeof probeOutput>

function ratio(text: string | undefined): number {
  const [numerator, denominator] = (text ?? '').split(/[/:]/).map(Number)
  return numerator && denominator ? numerator / denominator : 0
}

function number(text: string | undefined): number | null {
  const value = Number(text)
  return text !== undefined && Number.isFinite(value) ? value : null
}

// Containers we accept, from ffprobe's format names. Image formats (png_pipe, image2...) are not among them.
function containerOf(output: ProbeOutput, videoCodec: string): string | undefined {
  const names = output.format.format_name.split(',')
  if (names.includes('mov') || names.includes('mp4')) return output.format.tags?.major_brand?.trim() === 'qt' ? 'mov' : 'mp4'
  if (names.includes('matroska') || names.includes('webm')) return ['vp8', 'vp9', 'av1'].includes(videoCodec) ? 'webm' : 'mkv'
  if (names.includes('avi')) return 'avi'
  if (names.includes('mpegts')) return 'ts'
  return undefined
}

const imageCodecs = new Set(['png', 'mjpeg', 'gif', 'webp', 'bmp', 'tiff', 'jpegls', 'apng'])

/** Turns ffprobe's JSON into a VideoProbe, or explains why the file is not a video we can use. Pure, for tests. */
export function interpretProbe(json: unknown): VideoProbe {
  const parsed = probeOutput.safeParse(json)
  if (!parsed.success) throw new NotAVideoError('ffprobe could not read this file as media. Upload an MP4, MOV, WebM or MKV video.')
  const output = parsed.data
  const video = output.streams.find(item => item.codec_type === 'video' && !item.disposition?.attached_pic)
  if (!video?.codec_name || !video.width || !video.height) {
    throw new NotAVideoError('This file has no video stream. Upload a video file (MP4, MOV, WebM or MKV).')
  }
  const container = containerOf(output, video.codec_name)
  if (!container || imageCodecs.has(video.codec_name)) {
    throw new NotAVideoError(`This is ${imageCodecs.has(video.codec_name) ? `a ${video.codec_name.toUpperCase()} image` : `a ${output.format.format_name} file`}, not a video. Upload an MP4, MOV, WebM or MKV video.`)
  }
  const durationSeconds = number(output.format.duration) ?? 0
  if (durationSeconds < 0.1) throw new NotAVideoError('This video has no playable length. Export it again and upload the new file.')

  const matrixRotation = video.side_data_list?.find(item => item.rotation !== undefined)?.rotation
  // A display matrix stores counter-clockwise degrees; players turn the picture the other way.
  const rotation = (((matrixRotation !== undefined ? -matrixRotation : Number(video.tags?.rotate ?? 0)) % 360) + 360) % 360
  const sideways = rotation === 90 || rotation === 270
  const pixelAspect = ratio(video.sample_aspect_ratio) || 1
  const squareWidth = Math.round(video.width * pixelAspect)
  const displayWidth = sideways ? video.height : squareWidth
  const displayHeight = sideways ? squareWidth : video.height
  const audio = output.streams.find(item => item.codec_type === 'audio')

  return {
    container,
    formatName: output.format.format_name,
    durationSeconds,
    sizeBytes: number(output.format.size) ?? 0,
    bitRate: number(output.format.bit_rate),
    video: {
      codec: video.codec_name,
      profile: video.profile ?? null,
      pixelFormat: video.pix_fmt ?? null,
      width: video.width,
      height: video.height,
      displayWidth,
      displayHeight,
      rotation,
      displayAspect: displayWidth / displayHeight,
      fps: Math.round((ratio(video.avg_frame_rate) || ratio(video.r_frame_rate)) * 1000) / 1000,
      frameCount: number(video.nb_frames),
      bitRate: number(video.bit_rate),
    },
    audio: audio?.codec_name
      ? { codec: audio.codec_name, sampleRate: Number(audio.sample_rate ?? 0), channels: audio.channels ?? 0, bitRate: number(audio.bit_rate) }
      : null,
  }
}

export interface FootageLimits {
  maxSeconds: number
  /** The largest frame, landscape; its upright turn fits too. */
  maxWidth: number
  maxHeight: number
  maxFps: number
}

/** Refuses footage past the configured length, frame size or frame rate, saying what to change. Pure, for tests. */
export function assertWithinLimits(probe: VideoProbe, limits: FootageLimits): void {
  if (probe.durationSeconds > limits.maxSeconds) {
    throw new NotAVideoError(`This video is ${formatDurationOver(probe.durationSeconds, limits.maxSeconds)} long; the library takes videos up to ${formatDuration(limits.maxSeconds)}. Trim it and upload it again.`)
  }
  const { displayWidth: width, displayHeight: height } = probe.video
  const fits = (width <= limits.maxWidth && height <= limits.maxHeight) || (width <= limits.maxHeight && height <= limits.maxWidth)
  if (!fits) {
    throw new NotAVideoError(`This video is ${width}×${height}; the library takes videos up to ${limits.maxWidth}×${limits.maxHeight} (or ${limits.maxHeight}×${limits.maxWidth} upright). Export it smaller and upload it again.`)
  }
  // A hundredth of slack: 59.94 is "60" to a creator, and avg_frame_rate is a ratio.
  if (probe.video.fps > limits.maxFps + 0.01) {
    throw new NotAVideoError(`This video runs at ${Math.round(probe.video.fps * 100) / 100} frames a second; the library takes up to ${limits.maxFps}. Export it at ${limits.maxFps} or fewer and upload it again.`)
  }
}

/** Probes `path` and decodes its first second, so a file that only looks like a video is refused too. */
export async function probeVideo(path: string, tools: { ffmpeg: string, ffprobe: string }): Promise<VideoProbe> {
  let json: unknown
  try {
    const { stdout } = await run(tools.ffprobe, ['-v', 'error', ...guardInput('videoProbe'), '-print_format', 'json', '-show_format', '-show_streams', path], { timeout: 30_000, maxBuffer: 8 * 1024 * 1024 })
    json = JSON.parse(stdout)
  }
  catch {
    throw new NotAVideoError('This file is damaged or is not a video: ffprobe could not read it. Export it again, or upload the original file.')
  }
  const probe = interpretProbe(json)
  // Decoding a few frames catches files whose headers are intact but whose pictures are not.
  let decodedFrames = 0
  const decoded = await runMediaTool(tools.ffmpeg, ['-v', 'error', '-xerror', '-nostdin', ...guardInput('video'), '-i', path, '-map', '0:v:0', '-frames:v', '3', '-f', 'framemd5', '-'], {
    onStdoutLine: (line) => {
      if (!line.startsWith('#')) decodedFrames++
    },
  }).then(() => true, () => false)
  if (!decoded || decodedFrames === 0) {
    throw new NotAVideoError('This video is damaged: its first frames do not decode. Export it again, or upload the original file.')
  }
  return probe
}
