// The offline recogniser: CMU PocketSphinx from Debian (`pocketsphinx` for the program, `pocketsphinx-en-us` for
// the US English model), run on this server with nothing downloaded. ffmpeg's `asr` filter uses the same library
// but only reports a phrase's text when it ends; `pocketsphinx_continuous -time yes` gives every word its times.
// Far less accurate than Whisper: its words are a draft to check, and the UI says so.
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import type { TranscriptWord } from '#shared/transcript'
import { runMediaTool } from '../../media/ffmpeg'

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us'

export interface OfflineRecogniser {
  program: string
  modelDir: string
}

const exists = (path: string, mode = constants.R_OK) => access(path, mode).then(() => true, () => false)

/** The program and the model when both are installed, else null. */
export async function findOfflineRecogniser(modelDir = POCKETSPHINX_MODEL_DIR): Promise<OfflineRecogniser | null> {
  let program: string | undefined
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'pocketsphinx_continuous')
    if (await exists(candidate, constants.X_OK)) {
      program = candidate
      break
    }
  }
  if (!program) return null
  const model = ['en-us/mdef', 'en-us.lm.bin', 'cmudict-en-us.dict'].map(file => join(modelDir, file))
  if (!(await Promise.all(model.map(path => exists(path)))).every(Boolean)) return null
  return { program, modelDir }
}

// Silences, breaths and noises the decoder marks, and `word(2)`: the second pronunciation of a word.
const FILLER = /^(<s>|<\/s>|<sil>|\[.*\]|\+\+.*\+\+)$/
const WORD_LINE = /^(\S+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/

/** The word lines of `pocketsphinx_continuous -time yes` ("word start end confidence"), fillers left out. */
export function parseWordTimes(lines: string[]): (TranscriptWord & { confidence: number })[] {
  const words: (TranscriptWord & { confidence: number })[] = []
  for (const line of lines) {
    const match = WORD_LINE.exec(line.trim())
    if (!match || FILLER.test(match[1]!)) continue
    words.push({ word: match[1]!.replace(/\(\d+\)$/, ''), start: Number(match[2]), end: Number(match[3]), confidence: Number(match[4]) })
  }
  return words
}

/** Recognises a 16 kHz mono WAV; `onProgress` gets how far into the sound it has got, in seconds. */
export async function recogniseOffline(recogniser: OfflineRecogniser, wavPath: string, options: {
  signal?: AbortSignal
  onProgress?: (seconds: number) => void
} = {}): Promise<(TranscriptWord & { confidence: number })[]> {
  const lines: string[] = []
  await runMediaTool(recogniser.program, [
    '-infile', wavPath, '-time', 'yes', '-logfn', '/dev/null',
    '-hmm', join(recogniser.modelDir, 'en-us'), '-lm', join(recogniser.modelDir, 'en-us.lm.bin'), '-dict', join(recogniser.modelDir, 'cmudict-en-us.dict'),
  ], {
    signal: options.signal,
    onStdoutLine: (line) => {
      lines.push(line)
      const match = WORD_LINE.exec(line.trim())
      if (match) options.onProgress?.(Number(match[3]))
    },
  })
  return parseWordTimes(lines)
}
