// The workspace quota counts every byte the workspace keeps in media storage (source videos, their analysis
// pictures, renders and Studio assets), and Studio assets stream to disk instead of being read into memory.
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { request } from 'node:http'
import type { ClientRequest, IncomingMessage } from 'node:http'
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

async function bytesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  let total = 0
  for (const entry of entries) if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  return total
}

/** A POST whose body the test writes itself, to see what the server does before the body has all arrived. */
function openUpload(app: RunningApp, path: string, headers: Record<string, string>) {
  const url = new URL(app.url)
  const outgoing: ClientRequest = request({ host: url.hostname, port: url.port, method: 'POST', path, headers })
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    outgoing.on('response', (incoming: IncomingMessage) => {
      let body = ''
      incoming.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }))
    })
    outgoing.on('error', reject)
  })
  return { outgoing, response }
}

describe(`the workspace quota and Studio asset uploads, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp
  let api: ApiClient
  let workspaceId: string

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-quota-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl'), WORKSPACE_STORAGE_QUOTA: '24MB' })
    api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Quinn', email: `quinn-${Math.random().toString(36).slice(2, 8)}@quota.test` })).status).toBe(201)
    workspaceId = (await api.session()).workspaces[0]!.id
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  const assetPath = (query: string) => `/api/workspaces/${workspaceId}/studio/assets?${query}`
  const usedBytes = async () => (await api.get(`/api/workspaces/${workspaceId}/videos`)).body.usedBytes as number

  it('streams a Studio asset to disk as it arrives, and refuses an oversized one before reading it', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    // 20 MB of real audio: WAV at 48 kHz, 16-bit stereo.
    const track = join(dataDir, 'track.wav')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=440:r=48000:d=110', '-ac', '2', '-c:a', 'pcm_s16le', track])
    const bytes = await readFile(track)
    expect(bytes.length).toBeGreaterThan(20 * MB)
    const half = Math.floor(bytes.length / 2)
    const { outgoing, response } = openUpload(app, assetPath('kind=music&filename=track.wav'), {
      'authorization': `Bearer ${api.token}`, 'content-type': 'application/octet-stream', 'content-length': String(bytes.length),
    })
    outgoing.write(bytes.subarray(0, half))
    // Half the body is on the server's disk before the other half is sent: it is not held in memory until the end.
    const staging = join(dataDir, 'tmp')
    await expect.poll(async () => bytesUnder(staging), { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(half)
    outgoing.end(bytes.subarray(half))
    const stored = await response
    expect(stored.status, stored.body).toBe(201)
    expect(JSON.parse(stored.body)).toMatchObject({ kind: 'music', name: 'track', sizeBytes: bytes.length })
    expect(await bytesUnder(staging)).toBe(0)

    // 31 MB declared for a 30 MB limit: refused after the first megabyte, with the rest never sent.
    const oversized = openUpload(app, assetPath('kind=music&filename=long.wav'), {
      'authorization': `Bearer ${api.token}`, 'content-type': 'application/octet-stream', 'content-length': String(31 * MB),
    })
    oversized.outgoing.write(Buffer.alloc(MB))
    const refused = await oversized.response
    oversized.outgoing.destroy()
    expect(refused.status).toBe(413)
    expect(refused.body).toMatch(/over 30 MB, the most a music track may be/)
    expect(await bytesUnder(staging)).toBe(0)
  }, 120_000)

  it('counts every stored byte: the source, its analysis pictures, renders and Studio assets', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const tus = new TusTestClient(api, workspaceId)
    const clip = await generateClip(join(dataDir, 'clip.mp4'), { width: 320, height: 180, fps: 30, shots: [1, 1], audio: [{ tone: -20, seconds: 2 }] })
    const clipSize = (await stat(clip.path)).size
    const uploaded = await tus.upload(clip.path, clipSize, { filename: 'clip.mp4' })
    expect(uploaded.status, uploaded.body).toBe(204)
    const videoId = uploaded.headers.get('reelwise-video-id')!
    await expect.poll(async () => (await api.get(`/api/workspaces/${workspaceId}/videos/${videoId}`)).body.status, { timeout: 90_000, interval: 500 }).toBe('ready')

    const logo = join(dataDir, 'logo.png')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=200x100', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', logo])
    const logoBytes = await readFile(logo)
    const logoReply = await fetch(`${app.url}${assetPath('kind=logo&filename=logo.png')}`, { method: 'POST', body: logoBytes, headers: { 'authorization': `Bearer ${api.token}`, 'content-type': 'application/octet-stream' } })
    expect(logoReply.status).toBe(201)

    const created = await api.post(`/api/workspaces/${workspaceId}/studio/renders`, { videoId, name: 'Quota', recipe: {} })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const renderId = created.body.renders[0].id as string
    await expect.poll(async () => (await api.get(`/api/workspaces/${workspaceId}/studio/renders/${renderId}`)).body.status, { timeout: 120_000, interval: 500 }).toBe('succeeded')

    // What the workspace keeps on disk is what it is charged for, to the byte.
    const stored = await bytesUnder(join(dataDir, 'media', 'ws', workspaceId))
    expect(stored).toBeGreaterThan(20 * MB + clipSize)
    expect(await usedBytes()).toBe(stored)

    // A new upload that would fit if only source videos counted is refused.
    const quota = 24 * MB
    const fitsVideosOnly = await tus.create(quota - clipSize - 1024, { filename: 'next.mp4' })
    expect(fitsVideosOnly.status, fitsVideosOnly.body).toBe(413)
    expect(fitsVideosOnly.body).toMatch(/does not fit: the workspace uses/)
    // Once the quota is reserved to the byte, a Studio asset is refused too.
    const rest = await tus.create(quota - stored, { filename: 'rest.mp4' })
    expect(rest.status, rest.body).toBe(201)
    const overQuota = await fetch(`${app.url}${assetPath('kind=logo&filename=logo.png')}`, { method: 'POST', body: logoBytes, headers: { 'authorization': `Bearer ${api.token}`, 'content-type': 'application/octet-stream' } })
    expect(overQuota.status).toBe(413)
    expect((await overQuota.json()).statusMessage).toMatch(/does not fit: the workspace uses 24 MB of its 24 MB/)
  }, 300_000)
})
