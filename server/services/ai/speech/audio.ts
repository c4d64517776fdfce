// The sound of a footage, made small for a recogniser: mono, 16 kHz (what Whisper, Gemini and PocketSphinx all work
// at). For an upload, 32 kbit/s MP3: 240 KB a minute, so OpenAI's 25 MB limit holds about 100 minutes. For
// PocketSphinx, 16-bit PCM in WAV, which it reads directly.
import { stat } from 'node:fs/promises'
import { runMediaTool, type MediaTools } from '../../media/ffmpeg'
import { guardInput } from '../../media/input-guard'

export type AudioFormat = 'mp3' | 'wav'

/** OpenAI's limit on an uploaded audio file. */
export const OPENAI_AUDIO_LIMIT_BYTES = 25 * 1024 * 1024
const MP3_BITS_PER_SECOND = 32_000

/** The longest sound an upload to OpenAI can carry at our bitrate, with room for the MP3 framing. */
export const MAX_UPLOAD_AUDIO_SECONDS = Math.floor((OPENAI_AUDIO_LIMIT_BYTES * 8 / MP3_BITS_PER_SECOND) * 0.97)

export function audioArguments(inputPath: string, outputPath: string, format: AudioFormat): string[] {
  const codec = format === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '32k'] : ['-c:a', 'pcm_s16le']
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
    ...guardInput('video'), '-i', inputPath,
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', ...codec,
    '-progress', 'pipe:1', '-nostats',
    '-f', format, outputPath,
  ]
}

/** Writes the first audio stream of `inputPath` to `outputPath`; `onProgress` gets seconds written. Returns its size. */
export async function extractAudio(tools: MediaTools, inputPath: string, outputPath: string, format: AudioFormat, options: {
  signal?: AbortSignal
  onProgress?: (seconds: number) => void
} = {}): Promise<{ sizeBytes: number }> {
  await runMediaTool(tools.ffmpeg, audioArguments(inputPath, outputPath, format), {
    signal: options.signal,
    onStdoutLine: (line) => {
      const match = /^out_time_us=(\d+)/.exec(line)
      if (match) options.onProgress?.(Number(match[1]) / 1e6)
    },
  })
  return { sizeBytes: (await stat(outputPath)).size }
}
