// A failed render tells a viewer what happened in words, never with paths on the server or ffmpeg's log; an
// admin finds the technical detail on the Jobs page (and the server log keeps it).
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
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

describe(`what a failure tells a viewer and an admin, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let app: RunningApp

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-failures-'))
    app = await startBuiltApp({ DATA_DIR: dataDir, DATABASE_URL: inject('databaseUrl') })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('shows a viewer a plain reason for a failed render, and the admin the detail', async (context) => {
    context.onTestFailed(() => console.log(app.output()))
    const owner = new ApiClient(app.url)
    expect((await owner.signUp({ name: 'Olga', email: `olga-${randomUUID()}@failures.test` })).status).toBe(201)
    const workspaceId = (await owner.session()).workspaces[0]!.id
    const invite = await owner.post(`/api/workspaces/${workspaceId}/invites`, { role: 'viewer' })
    const viewer = new ApiClient(app.url)
    expect((await viewer.signUp({ name: 'Vera', email: `vera-${randomUUID()}@failures.test`, inviteToken: invite.body.token })).status).toBe(201)

    const clip = await generateClip(join(dataDir, 'clip.mp4'), { width: 320, height: 180, fps: 30, shots: [1], audio: [{ tone: -20, seconds: 1 }] })
    const uploaded = await new TusTestClient(owner, workspaceId).upload(clip.path, (await stat(clip.path)).size, { filename: 'clip.mp4' })
    expect(uploaded.status, uploaded.body).toBe(204)
    const videoId = uploaded.headers.get('reelwise-video-id')!
    const logo = join(dataDir, 'logo.png')
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=120x60', '-frames:v', '1', '-f', 'image2', '-c:v', 'png', logo])
    const stored = await fetch(`${app.url}/api/workspaces/${workspaceId}/studio/assets?kind=logo&filename=logo.png`, { method: 'POST', body: await readFile(logo), headers: { 'authorization': `Bearer ${owner.token}`, 'content-type': 'application/octet-stream' } })
    expect(stored.status).toBe(201)
    const logoId = (await stored.json()).id as string
    // The stored logo goes bad on disk, so ffmpeg fails mid-render with its own words (and, before this fix, the file's path).
    const assets = join(dataDir, 'media', 'ws', workspaceId, 'assets')
    const [logoFile] = (await readdir(assets)).filter(name => name.startsWith(logoId))
    await writeFile(join(assets, logoFile!), Buffer.alloc(4096, 0x5a))

    const created = await owner.post(`/api/workspaces/${workspaceId}/studio/renders`, { videoId, name: 'Broken logo', recipe: { watermark: { assetId: logoId } } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const renderId = created.body.renders[0].id as string
    const jobId = created.body.renders[0].jobId as string
    await expect.poll(async () => (await viewer.get(`/api/workspaces/${workspaceId}/studio/renders/${renderId}`)).body.status, { timeout: 180_000, interval: 1000 }).toBe('failed')

    const seenByViewer = (await viewer.get(`/api/workspaces/${workspaceId}/studio/renders/${renderId}`)).body.error as string
    expect(seenByViewer).toMatch(/^Rendering failed: ffmpeg could not render this edit\./)
    const progress = await fetch(`${app.url}/api/workspaces/${workspaceId}/jobs/${jobId}/events`, { headers: { authorization: `Bearer ${viewer.token}` } })
    expect(progress.status).toBe(200)
    const streamed = await progress.text()
    expect(streamed).toContain('"state":"failed"')
    for (const text of [seenByViewer, streamed]) {
      expect(text).not.toContain(dataDir)
      expect(text).not.toMatch(/\/(tmp|ws|media)\/|exited with code|Invalid data|ffmpeg version|Stream #/)
    }
    // The viewer cannot open the Jobs page; the owner can, and finds what ffmpeg said.
    expect((await viewer.get(`/api/workspaces/${workspaceId}/jobs`)).status).toBe(403)
    const jobs = JSON.stringify((await owner.get(`/api/workspaces/${workspaceId}/jobs`)).body)
    expect(jobs).toContain('Rendering failed: ffmpeg could not render this edit.')
    expect(jobs).toContain('exited with code')
    expect(jobs).toMatch(/Invalid PNG signature|Invalid data found/)
    expect(app.output()).toContain('Details for admins: ffmpeg exited with code')
  }, 300_000)
})
