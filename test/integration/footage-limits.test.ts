// Footage limits (duration, resolution, frame rate) refuse an upload once ffprobe has read it, with a reason a
// creator can act on, and keep nothing of it. Download links work for any file name (RFC 6266 filename*).
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { generateClip } from '../support/media'
import { TusTestClient } from '../support/tus'

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name))
}

describe(`footage limits and download names, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-footage-limits-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), FOOTAGE_MAX_DURATION: '3s', FOOTAGE_MAX_RESOLUTION: '640x360', FOOTAGE_MAX_FPS: '50' })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses footage that is too long, too large or too fast, and keeps what fits, in either orientation', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Lena', email: `lena-${Math.random().toString(36).slice(2, 8)}@limits.test` })).status).toBe(201)
    const workspaceId = (await api.session()).workspaces[0]!.id
    const tus = new TusTestClient(api, workspaceId)
    const clip = async (name: string, spec: { width: number, height: number, fps: number, seconds: number }) => {
      const made = await generateClip(join(dataDir, `${name}.mp4`), { width: spec.width, height: spec.height, fps: spec.fps, shots: [spec.seconds] })
      return { path: made.path, size: (await stat(made.path)).size }
    }

    const long = await clip('long', { width: 320, height: 180, fps: 30, seconds: 4 })
    const longReply = await tus.upload(long.path, long.size, { filename: 'long.mp4' })
    expect(longReply.status, longReply.body).toBe(422)
    expect(longReply.body).toMatch(/This video is 0:04 long; the library takes videos up to 0:03\. Trim it/)

    const large = await clip('large', { width: 720, height: 406, fps: 30, seconds: 1 })
    const largeReply = await tus.upload(large.path, large.size, { filename: 'large.mp4' })
    expect(largeReply.status, largeReply.body).toBe(422)
    expect(largeReply.body).toMatch(/This video is 720×406; the library takes videos up to 640×360 \(or 360×640 upright\)\. Export it smaller/)

    const fast = await clip('fast', { width: 320, height: 180, fps: 60, seconds: 1 })
    const fastReply = await tus.upload(fast.path, fast.size, { filename: 'fast.mp4' })
    expect(fastReply.status, fastReply.body).toBe(422)
    expect(fastReply.body).toMatch(/This video runs at 60 frames a second; the library takes up to 50\. Export it at 50 or fewer/)

    // Upright 360×640 fits a 640×360 limit turned sideways.
    const upright = await clip('upright', { width: 360, height: 640, fps: 30, seconds: 1 })
    const uprightReply = await tus.upload(upright.path, upright.size, { filename: 'Отчёт «запуск» 🎬 "v2".mp4' })
    expect(uprightReply.status, uprightReply.body).toBe(204)
    const videoId = uprightReply.headers.get('reelwise-video-id')!

    const list = (await api.get(`/api/workspaces/${workspaceId}/videos`)).body
    expect(list.videos.map((video: { id: string }) => video.id)).toEqual([videoId])
    expect(list.usedBytes).toBe(upright.size)
    expect((await filesUnder(join(dataDir, 'media'))).filter(path => path.endsWith('source.mp4'))).toHaveLength(1)

    // The download link names the file as it was uploaded, whatever its alphabet.
    const video = (await api.get(`/api/workspaces/${workspaceId}/videos/${videoId}`)).body
    const download = await fetch(video.downloadUrl)
    expect(download.status).toBe(200)
    const disposition = download.headers.get('content-disposition')!
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/)
    expect(decodeURIComponent(/filename\*=UTF-8''(\S+)/.exec(disposition)![1]!)).toBe('Отчёт «запуск» 🎬 "v2".mp4')
    expect((await download.arrayBuffer()).byteLength).toBe(upright.size)
  }, 120_000)
})
