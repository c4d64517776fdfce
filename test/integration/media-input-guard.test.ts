// A staged upload has no extension, so ffmpeg decides what it is from its bytes. An HLS playlist or an ffconcat
// list that names other files (another upload in the same staging folder) or a URL must be refused before
// either target is opened: every ffmpeg/ffprobe run on a user's file allows only local files and only the
// demuxers we accept. A FIFO tells whether the file target was opened (opening it for writing returns only
// once someone opens it for reading), and a loopback listener counts connections.
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAnalysisCommand } from '../../server/services/media/analysis/command'
import { defaultThresholds } from '../../server/services/media/analysis/thresholds'
import { locateMediaTools, runMediaTool } from '../../server/services/media/ffmpeg'
import type { MediaTools } from '../../server/services/media/ffmpeg'
import { probeVideo } from '../../server/services/media/probe'
import { compileRecipe, loudnessMeasureCommand } from '../../server/services/media/render/compile'
import { peakLevelCommand } from '../../server/services/media/render/silence'
import { inspectAsset } from '../../server/services/studio/assets'
import { editRecipeSchema } from '#shared/recipe'

const run = promisify(execFile)

/** A FIFO that counts how often it was opened for reading. */
async function watchedFifo(path: string) {
  await run('mkfifo', [path])
  let opens = 0
  let closing = false
  // Opening for writing returns once a reader opens it; closing at once gives that reader an end of file, so
  // nothing hangs, and the next open is waited for again.
  const watching = (async () => {
    while (!closing) {
      const writer = await open(path, 'w')
      if (!closing) opens++
      await writer.close()
    }
  })()
  return {
    opens: () => opens,
    async close() {
      closing = true
      // A reader of our own releases the pending open.
      const reader = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
      await watching
      await reader.close()
    },
  }
}

describe('ffmpeg and ffprobe open only the file they are given', () => {
  let dir: string
  let tools: MediaTools
  let listener: Server
  let connections = 0
  let loopback: string
  let fifo: Awaited<ReturnType<typeof watchedFifo>>
  let playlist: string
  let concatList: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-input-guard-'))
    tools = await locateMediaTools()
    listener = createServer((_request, response) => response.end())
    listener.on('connection', () => {
      connections++
    })
    await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve))
    loopback = `http://127.0.0.1:${(listener.address() as { port: number }).port}`
    // Another upload staged beside the attacker's, under a segment-like name.
    fifo = await watchedFifo(join(dir, 'neighbour.ts'))
    // Staged the way tus stages them: a bare id, no extension.
    playlist = join(dir, randomUUID())
    await writeFile(playlist, `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:1.0,\nneighbour.ts\n#EXTINF:1.0,\n${loopback}/segment.ts\n#EXT-X-ENDLIST\n`)
    concatList = join(dir, randomUUID())
    await writeFile(concatList, `ffconcat version 1.0\nfile neighbour.ts\nfile ${loopback}/clip.mp4\n`)
  })

  afterAll(async () => {
    await fifo?.close()
    listener?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a playlist and an ffconcat list at upload, as a video and as a Studio asset, without opening what they name', async () => {
    for (const path of [playlist, concatList]) {
      await expect(probeVideo(path, tools)).rejects.toThrow(/not a video/)
      await expect(inspectAsset(tools, 'music', path)).rejects.toThrow(/not a music track/)
      await expect(inspectAsset(tools, 'logo', path)).rejects.toThrow(/not a logo/)
    }
    expect(fifo.opens()).toBe(0)
    expect(connections).toBe(0)
  })

  it('refuses them in the analysis and render commands too, should one ever get past the upload checks', async () => {
    const recipe = editRecipeSchema.parse({ silence: {}, music: { assetId: randomUUID() }, loudness: null })
    for (const path of [playlist, concatList]) {
      const source = { path, width: 320, height: 180, durationSeconds: 2, fps: 30, hasAudio: true }
      const commands = [
        buildAnalysisCommand(path, dir, { durationSeconds: 2, hasAudio: true, thresholds: defaultThresholds }).args,
        peakLevelCommand(source, recipe)!,
        loudnessMeasureCommand(source, editRecipeSchema.parse({ music: { assetId: randomUUID() } }), { assets: { music: { path } } })!,
        compileRecipe(source, recipe, join(dir, 'out.mp4'), { assets: { music: { path } }, silences: [] }).args,
      ]
      for (const args of commands) await expect(runMediaTool(tools.ffmpeg, args)).rejects.toThrow()
    }
    expect(fifo.opens()).toBe(0)
    expect(connections).toBe(0)
  })
})
