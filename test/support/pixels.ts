// Measuring overlays (captions, hook text, end cards, watermarks) by pixel difference: decode one frame of a render
// and one of the same video without the overlay (or the source), and compare a region. With a lossless encode
// (`-c:v libx264 -qp 0`) a region the overlay does not touch differs by exactly 0; with a lossy one, by a little.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface Frame {
  width: number
  height: number
  /** 1 for gray, 3 for rgb24 (r, g, b per pixel, row by row). */
  channels: 1 | 3
  data: Uint8Array
}

export interface Region {
  x: number
  y: number
  width: number
  height: number
}

/**
 * Decodes the first frame at or after `seconds` (accurate seek) to raw gray (default) or rgb24.
 * To land on frame n of a constant-rate video, ask for (n - 0.5) / fps: a time between two frames is unambiguous.
 */
export async function grabFrame(ffmpegPath: string, video: string, seconds: number, pixelFormat: 'gray' | 'rgb24' = 'gray'): Promise<Frame> {
  return (await grabFrames(ffmpegPath, video, [seconds], pixelFormat))[0]!
}

/** grabFrame for several times in one ffmpeg run (one accurate seek each, stacked into one tall picture): far cheaper than one process per frame. */
export async function grabFrames(ffmpegPath: string, video: string, times: number[], pixelFormat: 'gray' | 'rgb24' = 'gray'): Promise<Frame[]> {
  if (times.length === 0) return []
  const inputs = times.flatMap(seconds => ['-ss', String(seconds), '-i', video])
  const stack = times.length === 1 ? [] : ['-filter_complex', `${times.map((_, index) => `[${index}:v:0]`).join('')}vstack=inputs=${times.length}`]
  const { stdout, stderr } = await run(ffmpegPath, [
    '-hide_banner', '-nostdin', ...inputs, ...stack,
    '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', pixelFormat, '-',
  ], { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 })
  // The size is the output stream's, as ffmpeg reports it ("Stream #0:0: Video: rawvideo …, 360x640").
  const output = stderr.toString('utf8').split('Output #0')[1] ?? ''
  const size = /Video: rawvideo.*?, (\d+)x(\d+)/.exec(output)
  if (!size) throw new Error(`ffmpeg did not report the frame size of ${video} at ${times.join(', ')} s`)
  const width = Number(size[1])
  const height = Number(size[2]) / times.length
  const channels = pixelFormat === 'gray' ? 1 : 3
  const bytes = width * height * channels
  if (stdout.length !== bytes * times.length) throw new Error(`no frame at one of ${times.join(', ')} s in ${video} (got ${stdout.length} bytes)`)
  return times.map((_, index) => ({ width, height, channels, data: new Uint8Array(stdout.buffer, stdout.byteOffset + index * bytes, bytes) }))
}

/** The whole frame as a region. */
export const wholeFrame = (frame: Frame): Region => ({ x: 0, y: 0, width: frame.width, height: frame.height })

function clip(frame: Frame, region: Region): Region {
  const x = Math.max(0, Math.floor(region.x))
  const y = Math.max(0, Math.floor(region.y))
  const right = Math.min(frame.width, Math.ceil(region.x + region.width))
  const bottom = Math.min(frame.height, Math.ceil(region.y + region.height))
  if (right <= x || bottom <= y) throw new Error(`region ${JSON.stringify(region)} is outside the ${frame.width}x${frame.height} frame`)
  return { x, y, width: right - x, height: bottom - y }
}

function sameShape(a: Frame, b: Frame) {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(`frames differ in shape: ${a.width}x${a.height}x${a.channels} and ${b.width}x${b.height}x${b.channels}`)
  }
}

/** Mean absolute difference over the region, all channels, 0 (identical) to 255. */
export function regionDifference(a: Frame, b: Frame, region: Region = wholeFrame(a)): number {
  sameShape(a, b)
  const area = clip(a, region)
  let sum = 0
  for (let y = area.y; y < area.y + area.height; y++) {
    const row = (y * a.width + area.x) * a.channels
    for (let index = row; index < row + area.width * a.channels; index++) sum += Math.abs(a.data[index]! - b.data[index]!)
  }
  return sum / (area.width * area.height * a.channels)
}

/**
 * The box around every pixel where the frames differ by more than `threshold` (in any channel), with how many
 * pixels that is; null when none do. Tells where an overlay landed and how big it is.
 */
export function changedBounds(a: Frame, b: Frame, threshold = 24, region: Region = wholeFrame(a)): (Region & { pixels: number }) | null {
  sameShape(a, b)
  const area = clip(a, region)
  let left = Infinity
  let top = Infinity
  let right = -1
  let bottom = -1
  let pixels = 0
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const at = (y * a.width + x) * a.channels
      let changed = false
      for (let channel = 0; channel < a.channels; channel++) {
        if (Math.abs(a.data[at + channel]! - b.data[at + channel]!) > threshold) changed = true
      }
      if (!changed) continue
      pixels++
      left = Math.min(left, x)
      right = Math.max(right, x)
      top = Math.min(top, y)
      bottom = Math.max(bottom, y)
    }
  }
  return pixels === 0 ? null : { x: left, y: top, width: right - left + 1, height: bottom - top + 1, pixels }
}

/** The mean of each channel over the region ([gray] or [r, g, b]): a background or box colour. */
export function regionMean(frame: Frame, region: Region = wholeFrame(frame)): number[] {
  const area = clip(frame, region)
  const sums = Array.from({ length: frame.channels }, () => 0)
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const at = (y * frame.width + x) * frame.channels
      for (let channel = 0; channel < frame.channels; channel++) sums[channel]! += frame.data[at + channel]!
    }
  }
  return sums.map(sum => sum / (area.width * area.height))
}
