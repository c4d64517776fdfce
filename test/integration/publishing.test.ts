import { randomUUID } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { checkRenderEverywhere } from '../../shared/platforms'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { ApiClient } from '../support/api'
import { freePort, startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeYoutube, type FakeYoutube } from '../support/fake-youtube'
import { generateClip } from '../support/media'
import { createPrisma } from '../support/scratch'

// Connecting YouTube through the built app's OAuth round trip (the fake's consent screen redirects back with a code),
// choosing among a login's channels, publishing a render now through the posts.publish and posts.check jobs, and
// disconnecting: against the loopback YouTube, which counts the videos it was sent.
describe(`accounts and publishing on ${inject('databaseKind')}`, () => {
  const databaseUrl = inject('databaseUrl')
  let app: RunningApp
  let youtube: FakeYoutube
  let dataDir: string
  let db: PrismaClient
  const owner = { client: undefined as unknown as ApiClient, workspaceId: '' }
  const run = Math.random().toString(36).slice(2, 8)

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-publishing-'))
    const port = await freePort()
    const appUrl = `http://127.0.0.1:${port}`
    youtube = await startFakeYoutube({ id: 'yt-client-id', secret: 'yt-client-secret', redirectUri: `${appUrl}/accounts/callback/youtube` })
    youtube.setChannels([{ id: 'UC-knife-skills', title: 'Knife Skills', customUrl: '@knifeskills' }])
    // The first status check (10 s after the upload) finds it processed.
    youtube.script.processingPolls = 0
    app = await startBuiltApp({
      DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PORT: String(port), APP_URL: appUrl,
      YOUTUBE_CLIENT_ID: 'yt-client-id', YOUTUBE_CLIENT_SECRET: 'yt-client-secret', YOUTUBE_BASE_URL: youtube.url,
    })
    db = createPrisma(databaseUrl)
    owner.client = new ApiClient(app.url)
    await owner.client.signUp({ name: 'Petra', email: `petra-${run}@publish.test` })
    owner.workspaceId = (await owner.client.session()).workspaces[0]!.id
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await youtube?.close()
    await db?.$disconnect()
    await rm(dataDir, { recursive: true, force: true })
  })

  /** Starts a connection, lets the fake's consent screen answer, and hands its redirect to the callback route. */
  async function connectYoutube(client = owner.client, workspaceId = owner.workspaceId) {
    const started = await client.post(`/api/workspaces/${workspaceId}/accounts/connect`, { platform: 'youtube' })
    expect(started.status, JSON.stringify(started.body)).toBe(200)
    const consent = await fetch(started.body.url, { redirect: 'manual' })
    expect(consent.status).toBe(302)
    const back = new URL(consent.headers.get('location')!)
    expect(`${back.origin}${back.pathname}`).toBe(`${app.url}/accounts/callback/youtube`)
    const reply = { state: back.searchParams.get('state'), code: back.searchParams.get('code') }
    return { reply, finished: await client.post('/api/oauth/youtube/callback', reply) }
  }

  /** A finished 9:16 render of the owner's, as the Studio leaves one: its file in local media storage and its checks. */
  async function finishedRender(): Promise<string> {
    const clip = await generateClip(join(dataDir, `clip-${randomUUID()}.mp4`), { width: 360, height: 640, fps: 30, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })
    const video = await db.video.create({ data: { workspaceId: owner.workspaceId, kind: 'footage', status: 'ready', title: 'Knife tips', storageKey: `ws/${owner.workspaceId}/videos/${randomUUID()}/source.mp4` } })
    const renderId = randomUUID()
    const storageKey = `ws/${owner.workspaceId}/renders/${renderId}/output.mp4`
    await mkdir(dirname(join(dataDir, 'media', storageKey)), { recursive: true })
    await copyFile(clip.path, join(dataDir, 'media', storageKey))
    const { size } = await stat(clip.path)
    const checks = checkRenderEverywhere({ durationSeconds: 4, width: 360, height: 640, fps: 30, sizeBytes: size, videoCodec: 'h264', audioSampleRate: 48000 })
    await db.render.create({
      data: {
        id: renderId, workspaceId: owner.workspaceId, sourceVideoId: video.id, status: 'succeeded', storageKey, sizeBytes: BigInt(size),
        durationMs: 4000, width: 360, height: 640, checks: JSON.parse(JSON.stringify(checks)), finishedAt: new Date(),
      },
    })
    return renderId
  }

  it('connects a YouTube channel through the OAuth round trip, with its health, and never shows a token', async () => {
    const { finished } = await connectYoutube()
    expect(finished.status, JSON.stringify(finished.body)).toBe(200)
    expect(finished.body).toMatchObject({ outcome: 'connected', returnTo: '/accounts' })
    const list = await owner.client.get(`/api/workspaces/${owner.workspaceId}/accounts`)
    expect(list.body.accounts).toHaveLength(1)
    expect(list.body.accounts[0]).toMatchObject({ platform: 'youtube', displayName: 'Knife Skills', status: 'active', health: 'ok', scopesMissing: [] })
    // What YouTube allows this app is read at connect, so the page says it before the first publish.
    expect(list.body.accounts[0].notices.join(' ')).toMatch(/private/)
    expect(list.body.platforms.find((platform: { platform: string }) => platform.platform === 'youtube')).toMatchObject({ configured: true })
    expect(list.body.platforms.find((platform: { platform: string }) => platform.platform === 'tiktok')).toMatchObject({ configured: false })
    const stored = await db.socialAccount.findFirstOrThrow({ where: { workspaceId: owner.workspaceId } })
    for (const token of [...youtube.state.accessTokens.keys(), ...youtube.state.refreshTokens.keys()]) {
      expect(JSON.stringify(list.body)).not.toContain(token)
      expect(stored.accessTokenEnc).not.toContain(token)
    }
  })

  it('refuses the same redirect twice, and a redirect finished by someone else', async () => {
    const { reply, finished } = await connectYoutube()
    expect(finished.status).toBe(200)
    const again = await owner.client.post('/api/oauth/youtube/callback', reply)
    expect(again.status).toBe(410)
    expect(again.body.statusMessage).toMatch(/expired or was already used/)

    const stranger = new ApiClient(app.url)
    await stranger.signUp({ name: 'Sam', email: `sam-${run}@publish.test` })
    const started = await owner.client.post(`/api/workspaces/${owner.workspaceId}/accounts/connect`, { platform: 'youtube' })
    const back = new URL((await fetch(started.body.url, { redirect: 'manual' })).headers.get('location')!)
    const stolen = await stranger.post('/api/oauth/youtube/callback', { state: back.searchParams.get('state'), code: back.searchParams.get('code') })
    expect(stolen.status).toBe(403)
  })

  it('asks which channels to connect when one login owns several, and connects only those chosen', async () => {
    youtube.setChannels([{ id: 'UC-knife-skills', title: 'Knife Skills' }, { id: 'UC-pastry', title: 'Pastry Lab' }, { id: 'UC-vlog', title: 'Kitchen Vlog' }])
    const { finished } = await connectYoutube()
    expect(finished.body.outcome).toBe('choose')
    const flow = `/api/workspaces/${owner.workspaceId}/accounts/flows/${finished.body.flowId}`
    const choices = await owner.client.get(flow)
    expect(choices.body.choices.map((choice: { displayName: string, connected: boolean }) => [choice.displayName, choice.connected]))
      .toEqual([['Knife Skills', true], ['Pastry Lab', false], ['Kitchen Vlog', false]])
    expect(JSON.stringify(choices.body)).not.toMatch(/token/i)
    expect((await owner.client.post(flow, { externalIds: [] })).status).toBe(400)
    const chosen = await owner.client.post(flow, { externalIds: ['UC-pastry'] })
    expect(chosen.body.accountIds).toHaveLength(1)
    const list = await owner.client.get(`/api/workspaces/${owner.workspaceId}/accounts`)
    expect(list.body.accounts.map((account: { displayName: string }) => account.displayName)).toEqual(['Knife Skills', 'Pastry Lab'])
    expect((await owner.client.get(flow)).status).toBe(410)
    youtube.setChannels([{ id: 'UC-knife-skills', title: 'Knife Skills' }])
  })

  it('publishes a render now: publishing, then processing, then published with its link, exactly once', async () => {
    const renderId = await finishedRender()
    const account = (await db.socialAccount.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, externalId: 'UC-knife-skills' } }))
    const before = youtube.videos().length
    const created = await owner.client.post(`/api/workspaces/${owner.workspaceId}/posts`, {
      renderId, targets: [{ accountId: account.id, caption: 'Three knife mistakes #cooking', title: 'Three knife mistakes', tags: ['knives'], privacy: 'public' }],
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const seen = new Set<string>()
    let post: { status: string, permalink: string | null, attempts: { responses: unknown[], status: string }[] } | undefined
    for (let tries = 0; tries < 120; tries++) {
      post = (await owner.client.get(`/api/workspaces/${owner.workspaceId}/posts/${created.body.postIds[0]}`)).body
      seen.add(post!.status)
      if (post!.status === 'published' || post!.status === 'failed') break
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    expect(post, `${JSON.stringify(post)}\n${app.output().slice(-3000)}`).toMatchObject({ status: 'published' })
    expect(post!.permalink).toMatch(/shorts\//)
    expect(seen.has('processing') || seen.has('publishing')).toBe(true)
    expect(youtube.videos().length - before).toBe(1)
    expect(post!.attempts).toHaveLength(1)
    expect(post!.attempts[0]!.status).toBe('succeeded')
    expect(post!.attempts[0]!.responses.length).toBeGreaterThan(0)
    for (const token of youtube.state.accessTokens.keys()) expect(JSON.stringify(post)).not.toContain(token)
  }, 90_000)

  it('checks everything before sending anything: a title YouTube would refuse is named, and no video is made', async () => {
    const renderId = await finishedRender()
    const account = await db.socialAccount.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, externalId: 'UC-knife-skills' } })
    const before = youtube.videos().length
    const refused = await owner.client.post(`/api/workspaces/${owner.workspaceId}/posts`, { renderId, targets: [{ accountId: account.id, caption: 'x', title: 'y'.repeat(101) }] })
    expect(refused.status).toBe(400)
    expect(refused.body.statusMessage).toContain('YouTube takes a title of up to 100 characters; this one has 101.')
    expect(youtube.videos().length).toBe(before)
    expect(await db.post.count({ where: { renderId } })).toBe(0)
  })

  it('disconnects: the grant is revoked at Google, the tokens are deleted, the published post stays', async () => {
    const account = await db.socialAccount.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, externalId: 'UC-knife-skills' } })
    const removed = await owner.client.delete(`/api/workspaces/${owner.workspaceId}/accounts/${account.id}`)
    expect(removed.body).toEqual({ revokedAtPlatform: true })
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id: account.id } })
    expect(row).toMatchObject({ status: 'revoked', accessTokenEnc: '', refreshTokenEnc: null })
    expect(await db.post.count({ where: { socialAccountId: account.id, status: 'published' } })).toBe(1)
    const list = await owner.client.get(`/api/workspaces/${owner.workspaceId}/accounts`)
    expect(list.body.accounts.find((view: { id: string }) => view.id === account.id)).toMatchObject({ status: 'revoked', health: 'reconnect' })
  })
})
