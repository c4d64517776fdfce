// Uploads over tus into the built app, end to end: a 300 MB video survives a dropped connection and a server
// restart and arrives byte-exact, with flat server memory; bad files are refused with a reason and leave nothing.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { generateClip } from '../support/media'
import { TusTestClient } from '../support/tus'

const run = promisify(execFile)
const MB = 1024 * 1024

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Resident and peak memory of a process, from /proc (bytes). */
async function memoryOf(pid: number): Promise<{ rss: number, peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) * 1024
  return { rss: field('VmRSS'), peak: field('VmHWM') }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name))
}

async function signUp(app: RunningApp, name: string) {
  const api = new ApiClient(app.url)
  expect((await api.signUp({ name, email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}@uploads.test` })).status).toBe(201)
  const workspaceId = (await api.session()).workspaces[0]!.id
  return { api, workspaceId, tus: new TusTestClient(api, workspaceId) }
}

async function waitForStatus(api: ApiClient, path: string, statuses: string[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const video = (await api.get(path)).body
    if (statuses.includes(video.status)) return video
    if (Date.now() > deadline) throw new Error(`video stayed ${video.status}: ${JSON.stringify(video.error ?? video.analysis?.error)}`)
    await new Promise(resolve => setTimeout(resolve, 500))
  }
}

describe(`a 300 MB upload over a dropped connection and a server restart, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp
  let file: string
  let size: number
  let original: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-upload-'))
    file = join(dataDir, 'big-footage.mp4')
    // Lossless H.264 of noise does not compress: 2.8 s of 1080p is a little over 300 MiB of real video.
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=gray:s=1920x1080:r=30:d=2.8,noise=alls=100:allf=t+u', '-f', 'lavfi', '-i', 'sine=d=2.8', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-c:a', 'aac', '-movflags', '+faststart', file])
    size = (await stat(file)).size
    original = await sha256(file)
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('resumes where it stopped, stores the exact bytes, and keeps the server\'s memory flat', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    expect(size).toBeGreaterThan(300 * MB)
    const { api, workspaceId, tus } = await signUp(app, 'Uma')
    const growth: number[] = []
    let baseline = (await memoryOf(app.child.pid!)).rss

    const created = await tus.create(size, { filename: 'big-footage.mp4', kind: 'footage' })
    expect(created.status, created.body).toBe(201)
    const location = created.headers.get('location')!
    expect(location).toMatch(new RegExp(`^/api/workspaces/${workspaceId}/uploads/[0-9a-f-]{36}$`))

    // The first 100 MB arrive; the next request is cut off after another 60 MB.
    expect((await tus.patch(location, file, 0, { end: 100 * MB }))!.status).toBe(204)
    expect(await tus.patch(location, file, 100 * MB, { dropAfterBytes: 60 * MB })).toBeUndefined()
    const afterDrop = await tus.offset(location)
    expect(afterDrop).toBeGreaterThan(100 * MB)
    expect(afterDrop).toBeLessThan(size)

    // The server restarts mid-upload (a deploy, a crash): the upload is still there, at the same offset.
    let memory = await memoryOf(app.child.pid!)
    growth.push(memory.peak - baseline)
    await app.stop()
    // Same address, as after a deploy, so the upload URL the client holds is still good.
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), PORT: new URL(app.url).port, APP_URL: app.url })
    await api.get('/api/auth/session')
    baseline = (await memoryOf(app.child.pid!)).rss
    expect(await tus.offset(location)).toBe(afterDrop)

    const finished = await tus.patch(location, file, afterDrop)
    expect(finished!.status, finished!.body).toBe(204)
    const videoId = finished!.headers.get('reelwise-video-id')!
    memory = await memoryOf(app.child.pid!)
    growth.push(memory.peak - baseline)
    console.log(`[upload] ${(size / MB).toFixed(0)} MB; server RSS growth ${growth.map(bytes => `${(bytes / MB).toFixed(1)} MB`).join(' before the restart, ')} after it`)
    for (const bytes of growth) expect(bytes).toBeLessThan(100 * MB)

    const video = await waitForStatus(api, `/api/workspaces/${workspaceId}/videos/${videoId}`, ['ready', 'failed'])
    expect(video).toMatchObject({ status: 'ready', sha256: original, sizeBytes: size, width: 1920, height: 1080, kind: 'footage', title: 'big footage' })
    const stored = (await filesUnder(join(dataDir, 'media'))).find(path => path.endsWith('source.mp4'))!
    expect(await sha256(stored)).toBe(original)
    // Nothing is left in the staging folder.
    expect((await filesUnder(join(dataDir, 'uploads'))).filter(path => !path.endsWith('.lock'))).toEqual([])

    // The signed URL streams the file with Range support, so the player can seek.
    const ranged = await fetch(video.sourceUrl, { headers: { range: 'bytes=1000-1999' } })
    expect(ranged.status).toBe(206)
    expect(ranged.headers.get('content-range')).toBe(`bytes 1000-1999/${size}`)
    const expected = Buffer.alloc(1000)
    const handle = await import('node:fs/promises').then(fs => fs.open(file))
    await handle.read(expected, 0, 1000, 1000)
    await handle.close()
    expect(Buffer.from(await ranged.arrayBuffer()).equals(expected)).toBe(true)
    const tampered = video.sourceUrl.replace(/signature=[^&]+/, 'signature=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect((await fetch(tampered)).status).toBe(403)

    // The worker analysed it and filed it under pattern buckets, with pictures in storage.
    expect(video.analysis).toMatchObject({ status: 'succeeded', features: { durationBucket: '<15s', aspectClass: '16:9', hasAudio: true } })
    expect(video.patterns.map((pattern: { key: string }) => pattern.key)).toContain('format.aspect=16:9')
    expect((await fetch(video.thumbnailUrl)).headers.get('content-type')).toBe('image/jpeg')

    // Analysed again with other thresholds: the newest analysis is shown and records what it used.
    const again = await api.post(`/api/workspaces/${workspaceId}/videos/${videoId}/analyse`, { cutThreshold: 50, silenceNoiseDb: -50 })
    expect(again.status).toBe(202)
    const reanalysed = await waitForStatus(api, `/api/workspaces/${workspaceId}/videos/${videoId}`, ['ready'])
    await expect.poll(async () => (await api.get(`/api/workspaces/${workspaceId}/videos/${videoId}`)).body.analysis, { timeout: 60_000, interval: 500 })
      .toMatchObject({ id: again.body.analysisId, status: 'succeeded', provenance: { thresholds: { cutThreshold: 50, silenceNoiseDb: -50 } } })
    expect(reanalysed.id).toBe(videoId)
    expect((await api.post(`/api/workspaces/${workspaceId}/videos/${videoId}/analyse`, { cutThreshold: 500 })).status).toBe(400)

    // Deleting it removes every stored byte and gives the quota back.
    const deleted = await api.delete(`/api/workspaces/${workspaceId}/videos/${videoId}`)
    expect(deleted.status).toBe(200)
    expect(deleted.body.removedObjects).toBeGreaterThanOrEqual(3)
    expect(await filesUnder(join(dataDir, 'media'))).toEqual([])
    expect((await api.get(`/api/workspaces/${workspaceId}/videos`)).body.usedBytes).toBe(0)
  }, 240_000)
})

describe(`uploads that are refused, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-refused-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), WORKSPACE_STORAGE_QUOTA: '3MB', UPLOAD_MAX_SIZE: '2MB' })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('refuses a corrupt file, a PNG renamed .mp4, a zero-byte file and an over-quota upload, and keeps nothing', async () => {
    const { api, workspaceId, tus } = await signUp(app, 'Rita')
    const png = join(dataDir, 'photo.mp4')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=640x360', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', png])
    // Two kinds of damage: a recording cut off before its index was written, and intact headers over noise.
    const clip = await generateClip(join(dataDir, 'clip.mp4'), { width: 320, height: 180, fps: 30, shots: [2], audio: [{ tone: -20, seconds: 2 }] })
    const bytes = await readFile(clip.path)
    const truncated = join(dataDir, 'truncated.mp4')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', clip.path, '-c', 'copy', join(dataDir, 'index-last.mp4')])
    await writeFile(truncated, (await readFile(join(dataDir, 'index-last.mp4'))).subarray(0, 20_000))
    const corrupt = join(dataDir, 'corrupt.mp4')
    const pictures = bytes.indexOf('mdat') + 4
    await writeFile(corrupt, Buffer.concat([bytes.subarray(0, pictures), Buffer.from(Array.from({ length: bytes.length - pictures }, (_, index) => (index * 7919) % 251))]))

    const truncatedReply = await tus.upload(truncated, (await stat(truncated)).size, { filename: 'truncated.mp4' })
    expect(truncatedReply.status).toBe(422)
    expect(truncatedReply.body).toMatch(/damaged or is not a video/)

    const pngReply = await tus.upload(png, (await stat(png)).size, { filename: 'photo.mp4' })
    expect(pngReply.status).toBe(422)
    expect(pngReply.body).toMatch(/This is a PNG image, not a video/)

    const corruptReply = await tus.upload(corrupt, (await stat(corrupt)).size, { filename: 'corrupt.mp4' })
    expect(corruptReply.status).toBe(422)
    expect(corruptReply.body).toMatch(/damaged/)

    const empty = await tus.create(0, { filename: 'empty.mp4' })
    expect(empty.status).toBe(400)
    expect(empty.body).toMatch(/empty \(0 bytes\)/)

    const tooBig = await tus.create(2 * MB + 1, { filename: 'big.mp4' })
    expect(tooBig.status).toBe(413)

    // 1.8 MB fits the 3 MB quota once; a second one does not, and the reply says how much is used.
    const first = await tus.create(Math.round(1.8 * MB), { filename: 'a.mp4' })
    expect(first.status).toBe(201)
    const overQuota = await tus.create(Math.round(1.8 * MB), { filename: 'b.mp4' })
    expect(overQuota.status).toBe(413)
    expect(overQuota.body).toMatch(/does not fit: the workspace uses 1\.8 MB of its 3\.0 MB/)
    // Canceling the first gives its reservation back.
    expect((await fetch(new URL(first.headers.get('location')!, app.url), { method: 'DELETE', headers: { 'tus-resumable': '1.0.0', 'authorization': `Bearer ${api.token}` } })).status).toBe(204)

    const list = (await api.get(`/api/workspaces/${workspaceId}/videos`)).body
    expect(list.videos).toEqual([])
    expect(list.usedBytes).toBe(0)
    expect(await filesUnder(join(dataDir, 'media'))).toEqual([])
    expect((await filesUnder(join(dataDir, 'uploads'))).filter(path => !/\.(lock)$/.test(path))).toEqual([])
  }, 120_000)
})
