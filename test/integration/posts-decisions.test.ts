// What a publish decides when a platform says no, run through the real posts jobs' services (runPublish, runCheck)
// on the run's database, against the loopback Meta (Instagram) and TikTok: a limit the platform reports waits, a 429
// waits for its Retry-After then publishes once, a refused token is refreshed once, a revoked grant asks for a
// reconnect, a failed post says TikTok's words, a container that never finishes fails at its deadline. The jobs the
// services send are kept here, not queued: each case runs the next step itself.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { platformApp } from '../../server/services/platforms'
import { runCheck } from '../../server/services/posts/check'
import { runPublish, type PostWorkerDeps } from '../../server/services/posts/publish'
import type { PostJobData } from '../../server/services/posts/settle'
import { createSecretBox } from '../../server/services/security/secrets'
import { FAKE_APP, metaError, startFakeMeta, type FakeMeta } from '../support/fake-meta'
import { startFakeTiktok, type FakeTiktok } from '../support/fake-tiktok'
import { generateClip } from '../support/media'
import { instagramAccount, storedRender, tiktokAccountRow, tiktokAppFor, type AccountRow } from '../support/publish-accounts'
import { createPrisma } from '../support/scratch'
import { startSignedMediaServer, type SignedMediaServer } from '../support/signed-media-server'

describe(`publish decisions on ${inject('databaseKind')}`, () => {
  const box = createSecretBox([randomBytes(32).toString('hex')])
  let dir: string
  let db: PrismaClient
  let media: SignedMediaServer
  let meta: FakeMeta
  let tiktok: FakeTiktok
  let clipPath: string
  const sent: { queue: 'publish' | 'check', data: PostJobData, startAfter?: Date }[] = []
  // Every token a case handed out, for the last case's search of the stored replies.
  const tokens = new Set<string>()

  const deps = (timeScale?: number): PostWorkerDeps => ({
    db, box, store: media.store, scratchDir: join(dir, 'tmp'), timeScale,
    app: platform => platformApp({
      youtube: undefined,
      instagram: { clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, baseUrl: meta.url },
      facebook: undefined,
      tiktok: { clientId: tiktok.options.clientKey, clientSecret: tiktok.options.clientSecret, baseUrl: tiktok.url },
    }, media.url, platform),
    sendPublish: async (data, options) => void sent.push({ queue: 'publish', data, startAfter: options?.startAfter }),
    sendCheck: async (data, options) => void sent.push({ queue: 'check', data, startAfter: options?.startAfter }),
  })

  /** A workspace with its render and one connected account, and a post to it waiting to go out. */
  async function newPost(connect: (workspaceId: string) => Promise<AccountRow>, fields: { privacy?: string } = {}) {
    const workspace = await db.workspace.create({ data: { name: 'Decisions', slug: `decisions-${randomUUID()}` } })
    const renderId = await storedRender(db, media.store, workspace.id, clipPath)
    const account = await connect(workspace.id)
    tokens.add(account.accessToken)
    const post = await db.post.create({
      data: { workspaceId: workspace.id, socialAccountId: account.id, renderId, status: 'scheduled', scheduledAt: new Date(), caption: 'Three knife mistakes #cooking', privacy: fields.privacy ?? null },
    })
    return { data: { workspaceId: workspace.id, postId: post.id }, account }
  }
  const postOf = (data: PostJobData) => db.post.findUniqueOrThrow({ where: { id: data.postId }, include: { attempts: { orderBy: { number: 'asc' } }, socialAccount: true } })
  const lastSent = (data: PostJobData) => sent.filter(job => job.data.postId === data.postId).at(-1)

  /** Checks as posts.check does, until the post leaves `processing` (the fakes settle within a few checks). */
  async function checkUntilSettled(data: PostJobData, timeScale?: number) {
    for (let check = 0; check < 8; check++) {
      const { outcome } = await runCheck(deps(timeScale), data)
      if (outcome !== 'processing') return outcome
    }
    return 'still processing'
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-posts-decisions-'))
    db = createPrisma(inject('databaseUrl'))
    media = await startSignedMediaServer(join(dir, 'media'))
    meta = await startFakeMeta()
    tiktok = await startFakeTiktok({ redirectUri: `${media.url}/accounts/callback/tiktok`, processingPolls: 0, moderationPolls: 0 })
    clipPath = (await generateClip(join(dir, 'clip.mp4'), { width: 360, height: 640, fps: 30, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })).path
  }, 60_000)

  afterAll(async () => {
    await meta?.close()
    await tiktok?.close()
    await media?.close()
    await db?.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('waits when Instagram reports its own publishing limit reached, and makes no container', async () => {
    const { data } = await newPost(workspaceId => instagramAccount(db, box, workspaceId, meta))
    meta.instagram.script.publishingLimit = { usage: 50, total: 50 }
    const containers = meta.server.count('ig.media.create')
    try {
      expect(await runPublish(deps(), data)).toEqual({ outcome: 'waiting' })
    }
    finally {
      meta.instagram.script.publishingLimit = undefined
    }
    const post = await postOf(data)
    expect(post.status).toBe('scheduled')
    expect(post.waitingReason).toMatch(/^Instagram's limit of .* published posts per 24 hours: Instagram reports 50 of 50 used\. It goes out when the limit allows/)
    expect(meta.server.count('ig.media.create')).toBe(containers)
    // The next try is queued for an hour later, and the post says when.
    const next = lastSent(data)!
    expect(next.queue).toBe('publish')
    expect(next.startAfter!.getTime() - Date.now()).toBeGreaterThan(59 * 60_000)
    expect(post.dueAt!.getTime()).toBe(next.startAfter!.getTime())
  })

  it('waits out a 429 with Retry-After on TikTok\'s post init, then publishes on the next attempt, once', async () => {
    const { data, account } = await newPost(workspaceId => tiktokAccountRow(db, box, workspaceId, tiktokAppFor(tiktok)), { privacy: 'PUBLIC_TO_EVERYONE' })
    const posted = tiktok.posts
    tiktok.server.failNext('init', { ...tiktok.apiError(429, 'rate_limit_exceeded', 'Too many requests for this user.'), headers: { 'retry-after': '120' } })
    const asked = Date.now()
    expect(await runPublish(deps(), data)).toEqual({ outcome: 'waiting' })
    let post = await postOf(data)
    expect(post.status).toBe('scheduled')
    expect(post.waitingReason).toMatch(/^TikTok asked to try later: TikTok asks us to slow down/)
    const wait = lastSent(data)!.startAfter!.getTime() - asked
    expect(wait).toBeGreaterThanOrEqual(120_000)
    expect(wait).toBeLessThan(125_000)

    expect(await runPublish(deps(), data)).toEqual({ outcome: 'processing' })
    expect(await checkUntilSettled(data)).toBe('published')
    post = await postOf(data)
    expect(post).toMatchObject({ status: 'published', waitingReason: null, error: null })
    // Published by the status check: its metrics pulls start an hour later.
    expect(post.metricsDueAt!.getTime() - post.publishedAt!.getTime()).toBe(3_600_000)
    expect(post.attempts.map(attempt => attempt.status)).toEqual(['failed', 'succeeded'])
    expect(post.attempts[0]!.retryable).toBe(true)
    expect(tiktok.posts - posted).toBe(1)
    expect(tiktok.server.count('init')).toBeGreaterThanOrEqual(2)
    tokens.add(box.decrypt((await db.socialAccount.findUniqueOrThrow({ where: { id: account.id } })).accessTokenEnc))
  })

  it('waits out a 429 with Retry-After on Instagram\'s container step, then makes exactly one Reel', async () => {
    const { data } = await newPost(workspaceId => instagramAccount(db, box, workspaceId, meta))
    const [containers, reels] = [meta.instagram.containers.size, meta.instagram.reels.length]
    meta.server.failNext('ig.media.create', metaError(4, '(#4) Application request limit reached', { status: 429, headers: { 'retry-after': '300' } }))
    const asked = Date.now()
    expect(await runPublish(deps(), data)).toEqual({ outcome: 'waiting' })
    let post = await postOf(data)
    expect(post.status).toBe('scheduled')
    expect(post.waitingReason).toMatch(/^Instagram asked to try later: Instagram refused the new Reel: \(#4\) Application request limit reached \(code 4\)\.$/)
    // Not sooner than Instagram asked: a retry before then meets the same 429 and uses up an attempt.
    const wait = lastSent(data)!.startAfter!.getTime() - asked
    expect(wait).toBeGreaterThanOrEqual(300_000)
    expect(wait).toBeLessThan(305_000)
    expect(meta.instagram.containers.size).toBe(containers)

    expect(await runPublish(deps(), data)).toEqual({ outcome: 'processing' })
    expect(await checkUntilSettled(data)).toBe('published')
    post = await postOf(data)
    expect(post.status).toBe('published')
    expect(meta.instagram.containers.size - containers).toBe(1)
    expect(meta.instagram.reels.length - reels).toBe(1)
    expect(post.externalId).toBe(meta.instagram.reels[0]!.id)
  })

  it('refreshes a token Meta refuses (code 190) once, and tries the call again with the new one', async () => {
    const { data, account } = await newPost(workspaceId => instagramAccount(db, box, workspaceId, meta))
    const [refreshes, creates] = [meta.server.count('ig.refresh'), meta.server.count('ig.media.create')]
    meta.server.failNext('ig.media.create', metaError(190, 'Invalid OAuth access token - Cannot parse access token', { status: 401 }))
    expect(await runPublish(deps(), data)).toEqual({ outcome: 'processing' })
    expect(meta.server.count('ig.refresh') - refreshes).toBe(1)
    expect(meta.server.count('ig.media.create') - creates).toBe(2)
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id: account.id } })
    const renewed = box.decrypt(row.accessTokenEnc)
    tokens.add(renewed)
    expect(renewed).not.toBe(account.accessToken)
    expect(meta.tokens.get(renewed)?.kind).toBe('ig-long')
    expect(row).toMatchObject({ status: 'active', failureCount: 0 })
    // The retried call went with the new token, and the post goes on to publish.
    const retried = meta.server.requests.filter(request => request.endpoint === 'ig.media.create').at(-1)!
    expect(retried.headers.authorization).toBe(`Bearer ${renewed}`)
    expect(await checkUntilSettled(data)).toBe('published')
    expect((await postOf(data)).status).toBe('published')
  })

  it('fails the post with "Reconnect TikTok on the Accounts page" when the creator revoked the grant, and expires the account', async () => {
    const { data, account } = await newPost(workspaceId => tiktokAccountRow(db, box, workspaceId, tiktokAppFor(tiktok)), { privacy: 'PUBLIC_TO_EVERYONE' })
    const row = await db.socialAccount.findUniqueOrThrow({ where: { id: account.id } })
    tokens.add(box.decrypt(row.refreshTokenEnc!))
    // The creator removes the app in TikTok's settings: its access and refresh tokens stop working.
    const revoked = await fetch(`${tiktok.url}/open.tiktokapis.com/v2/oauth/revoke/`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_key: tiktok.options.clientKey, client_secret: tiktok.options.clientSecret, token: account.accessToken }),
    })
    expect(revoked.status).toBe(200)
    const inits = tiktok.server.count('init')
    expect(await runPublish(deps(), data)).toEqual({ outcome: 'failed' })
    const post = await postOf(data)
    expect(post.status).toBe('failed')
    expect(post.error).toMatch(/Reconnect TikTok on the Accounts page, then publish again\.$/)
    expect(post.socialAccount.status).toBe('expired')
    expect(post.socialAccount.lastError).toBeTruthy()
    expect(tiktok.server.count('init')).toBe(inits)
    expect(tiktok.server.count('token')).toBeGreaterThanOrEqual(1)
  })

  it('fails with TikTok\'s own words when TikTok fails the post (fail_reason)', async () => {
    const { data } = await newPost(workspaceId => tiktokAccountRow(db, box, workspaceId, tiktokAppFor(tiktok)), { privacy: 'PUBLIC_TO_EVERYONE' })
    tiktok.options.failReason = 'file_format_check_failed'
    try {
      expect(await runPublish(deps(), data)).toEqual({ outcome: 'processing' })
      expect(await checkUntilSettled(data)).toBe('failed')
    }
    finally {
      tiktok.options.failReason = undefined
    }
    const post = await postOf(data)
    expect(post.status).toBe('failed')
    expect(post.error).toBe('TikTok did not publish it: TikTok refused the video: its file format is not supported')
    expect(post.attempts.at(-1)).toMatchObject({ status: 'failed', error: post.error })
  })

  it('fails an Instagram post whose container never finishes at its processing deadline, with that reason', async () => {
    const { data } = await newPost(workspaceId => instagramAccount(db, box, workspaceId, meta))
    meta.instagram.script.inProgressChecks = Number.POSITIVE_INFINITY
    const publishes = meta.server.count('ig.media_publish')
    // Instagram's 2 hours, at a ten-thousandth: 0.72 s.
    const timeScale = 1e-4
    try {
      expect(await runPublish(deps(timeScale), data)).toEqual({ outcome: 'processing' })
      const processing = await postOf(data)
      expect(processing.processingDeadline!.getTime() - Date.now()).toBeLessThan(800)
      expect(await runCheck(deps(timeScale), data)).toEqual({ outcome: 'processing' })
      await new Promise(resolve => setTimeout(resolve, Math.max(0, processing.processingDeadline!.getTime() - Date.now() + 50)))
      expect(await runCheck(deps(timeScale), data)).toEqual({ outcome: 'failed' })
    }
    finally {
      meta.instagram.script.inProgressChecks = 1
    }
    const post = await postOf(data)
    expect(post.error).toMatch(/^Instagram accepted the video but had not finished processing it by \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Look for it on Instagram; if it is not there, publish again\.$/)
    expect(post.attempts.at(-1)).toMatchObject({ status: 'failed', error: post.error })
    expect(meta.server.count('ig.media_publish')).toBe(publishes)
  })

  it('keeps every platform reply of every attempt, and no token among them', async () => {
    const attempts = await db.postAttempt.findMany({ where: { post: { caption: 'Three knife mistakes #cooking', workspace: { slug: { startsWith: 'decisions-' } } } } })
    // One attempt per case, two for each of the two that waited.
    expect(attempts).toHaveLength(9)
    const stored = JSON.stringify(attempts.map(attempt => attempt.responses))
    expect(stored).toContain('open.tiktokapis.com')
    expect(stored).toContain('graph.instagram.com')
    const secrets = [...tokens, ...meta.tokens.keys(), FAKE_APP.clientSecret, tiktok.options.clientSecret]
    expect(secrets.length).toBeGreaterThan(6)
    for (const secret of secrets) expect(stored).not.toContain(secret)
  })
})
