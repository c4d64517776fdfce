// Metrics pulls through the real sweep, real pg-boss (queues of this file's own, with the registry's rules) and the
// real metrics.pull and metrics.followers handlers, over real HTTP to the loopback YouTube, Meta and TikTok. The
// clock the jobs schedule by is moved hours and days ahead (`now`), never slept through; only a platform's
// Retry-After is waited out in real seconds.
import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { metricsFollowersHandler } from '../../server/jobs/metrics.followers'
import { metricsPullHandler } from '../../server/jobs/metrics.pull'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { runAccountMetrics } from '../../server/services/metrics/followers'
import { MAX_PULL_RETRIES, runMetricsPull } from '../../server/services/metrics/pull'
import { sweepMetrics } from '../../server/services/metrics/sweep'
import { metricsQueues, pullKey, type MetricsWorkerDeps } from '../../server/services/metrics/worker'
import { platformApp } from '../../server/services/platforms'
import { settleAttempt } from '../../server/services/posts/settle'
import { createSecretBox } from '../../server/services/security/secrets'
import { FAKE_APP, startFakeMeta, type FakeMeta } from '../support/fake-meta'
import { newId } from '../support/fake-meta-wire'
import { startFakeTiktok, type FakeTiktok } from '../support/fake-tiktok'
import { startFakeYoutube, type FakeYoutube } from '../support/fake-youtube'
import { facebookAccount, instagramAccount, tiktokAccountRow, tiktokAppFor, youtubeAccount } from '../support/publish-accounts'
import { createPrisma } from '../support/scratch'
import { metricsTestQueues } from '../support/test-queues'

const HOUR = 3_600_000
const DAY = 24 * HOUR

describe(`metrics pulls on ${inject('databaseKind')}`, () => {
  const box = createSecretBox([randomBytes(32).toString('hex')])
  const names = metricsTestQueues('test_metrics')
  let db: PrismaClient
  let engine: JobEngine
  let youtube: FakeYoutube
  let meta: FakeMeta
  let tiktok: FakeTiktok
  // The jobs' clock: real time plus however far a case has moved it.
  let aheadMs = 0
  const now = () => new Date(Date.now() + aheadMs)
  const youtubeApp = { clientId: 'yt-metrics-client', clientSecret: 'yt-metrics-secret' }

  const app: MetricsWorkerDeps['app'] = platform => platformApp({
    youtube: { ...youtubeApp, baseUrl: youtube.url },
    instagram: { clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, baseUrl: meta.url },
    facebook: { clientId: FAKE_APP.clientId, clientSecret: FAKE_APP.clientSecret, baseUrl: meta.url },
    tiktok: { clientId: tiktok.options.clientKey, clientSecret: tiktok.options.clientSecret, baseUrl: tiktok.url },
  }, 'http://127.0.0.1:3000', platform)
  const jobs = () => metricsQueues(engine, { pull: names.pull.name, followers: names.followers.name })
  const deps = async (): Promise<MetricsWorkerDeps> => ({ db, box, app, now, ...jobs() })
  /** The sweep as the metrics.sweep job runs it, over this case's workspaces only (the database is the run's). */
  const sweep = (...workspaceIds: string[]) => sweepMetrics(db, jobs(), { now: now(), workspaceIds })

  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = await read()
      if (done(value)) return value
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value, (_key, inner) => typeof inner === 'bigint' ? String(inner) : inner)}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  const snapshotsOf = (postId: string) => db.metricSnapshot.findMany({ where: { postId }, orderBy: { capturedAt: 'asc' } })
  const postOf = (postId: string) => db.post.findUniqueOrThrow({ where: { id: postId } })
  const newWorkspace = async () => (await db.workspace.create({ data: { name: 'Metrics', slug: `metrics-${randomUUID()}` } })).id

  /** A post published `publishedAt`, its first pull at +1 h, as settle leaves it. */
  async function publishedPost(workspaceId: string, socialAccountId: string, externalId: string, publishedAt = now()) {
    return db.post.create({
      data: {
        workspaceId, socialAccountId, status: 'published', externalId, publishedAt, caption: 'Three knife mistakes',
        metricsDueAt: new Date(publishedAt.getTime() + HOUR), metricsStep: 0,
      },
    })
  }
  /** An account's first follower count due now, as an hour after connecting (connect.ts) or the migration leaves it. */
  const followersDue = (id: string) => db.socialAccount.update({ where: { id }, data: { accountMetricsDueAt: now() } })
  /** A YouTube channel whose token the fake accepts, with a refresh token it issued. */
  async function youtubeChannel(workspaceId: string) {
    const account = await youtubeAccount(db, box, workspaceId, youtube)
    const refreshToken = `1//0g-metrics-${randomUUID()}`
    youtube.state.refreshTokens.set(refreshToken, { scope: youtube.state.accessTokens.get(account.accessToken)!.scope, revoked: false })
    await db.socialAccount.update({ where: { id: account.id }, data: { refreshTokenEnc: box.encrypt(refreshToken) } })
    return { ...account, refreshToken }
  }
  /** The refreshes YouTube's token endpoint had with this refresh token. */
  const refreshesWith = (refreshToken: string) => youtube.server.requests.filter(request => request.endpoint === 'token'
    && new URLSearchParams(request.body.toString('utf8')).get('refresh_token') === refreshToken).length

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    youtube = await startFakeYoutube({ id: youtubeApp.clientId, secret: youtubeApp.clientSecret, redirectUri: 'http://127.0.0.1:3000/accounts/callback/youtube' })
    youtube.state.channels[0]!.subscriberCount = 4200
    meta = await startFakeMeta()
    tiktok = await startFakeTiktok({ redirectUri: 'http://127.0.0.1:3000/accounts/callback/tiktok' })
    engine = await startJobEngine({
      connectionString: inject('databaseUrl'), works: true, queues: [names.pull, names.followers], pollingIntervalSeconds: 0.5,
      log: message => process.env.METRICS_TEST_LOG && console.log(message),
      handlers: { [names.pull.name]: metricsPullHandler(deps), [names.followers.name]: metricsFollowersHandler(deps) },
    })
  }, 60_000)

  afterAll(async () => {
    await engine?.stop(5000)
    await youtube?.close()
    await meta?.close()
    await tiktok?.close()
    await db?.$disconnect()
  })

  it('starts a post\'s pulls an hour after it is published', async () => {
    const workspaceId = await newWorkspace()
    const account = await youtubeAccount(db, box, workspaceId, youtube)
    const post = await db.post.create({ data: { workspaceId, socialAccountId: account.id, status: 'publishing', caption: 'Knife tips' } })
    const attempt = await db.postAttempt.create({ data: { workspaceId, postId: post.id, number: 1 } })
    const unused = async () => null
    await settleAttempt({ db, sendPublish: unused, sendCheck: unused }, { post, attempt, number: 1 }, { kind: 'published', externalId: 'abcDEF12345' }, [])
    const published = await postOf(post.id)
    expect(published.status).toBe('published')
    expect(published.metricsStep).toBe(0)
    expect(published.metricsDueAt!.getTime() - published.publishedAt!.getTime()).toBe(HOUR)
    expect(published.goneUpstreamAt).toBeNull()
  })

  it('pulls a YouTube and an Instagram post at +1 h, skips the steps a late pull overtook, and stops after +63 d', async () => {
    aheadMs = 0
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const instagram = await instagramAccount(db, box, workspaceId, meta)
    const videoId = youtube.addVideo({ viewCount: 120, likeCount: 9, commentCount: 2 })
    const reelId = newId()
    meta.instagram.insights.set(reelId, { views: 300, likes: 21, saved: 4 })
    const short = await publishedPost(workspaceId, channel.id, videoId)
    const reel = await publishedPost(workspaceId, instagram.id, reelId)
    await followersDue(channel.id)

    // Not yet due: the sweep sends nothing.
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 0 })
    aheadMs = HOUR + 60_000
    const listed = youtube.server.count('videos.list')
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 2 })
    const [first] = await until('the YouTube snapshot', () => snapshotsOf(short.id), rows => rows.length === 1)
    const [reelFirst] = await until('the Instagram snapshot', () => snapshotsOf(reel.id), rows => rows.length === 1)
    expect(first).toMatchObject({ workspaceId, socialAccountId: channel.id, views: 120n, likes: 9, comments: 2 })
    expect(first!.ageHours).toBeCloseTo(1 + 1 / 60, 1)
    expect(reelFirst).toMatchObject({ workspaceId, socialAccountId: instagram.id, views: 300n, likes: 21, saves: 4, reach: 900 })
    expect(reelFirst!.avgViewDurationSec).toBeCloseTo(7.4)
    expect(youtube.server.count('videos.list') - listed).toBe(1)
    // The raw replies are kept, without any token.
    for (const row of [first!, reelFirst!]) {
      const raw = JSON.stringify(row.raw)
      expect(raw).not.toContain(channel.accessToken)
      expect(raw).not.toContain(instagram.accessToken)
    }
    expect(JSON.stringify(first!.raw)).toContain('"viewCount":"120"')
    // The videos.list call and the day's channels.list (followers, sent by the first sweep) took a unit each of
    // YouTube's daily quota, counted as publishing counts.
    await until('the channel\'s followers', () => db.accountSnapshot.count({ where: { socialAccountId: channel.id } }), count => count === 1)
    expect(await db.platformUsage.aggregate({ where: { socialAccountId: channel.id, limitKey: 'youtube.units' }, _sum: { amount: true } })).toEqual({ _sum: { amount: 2 } })
    let post = await postOf(short.id)
    expect(post.metricsStep).toBe(1)
    expect(post.metricsDueAt!.getTime() - post.publishedAt!.getTime()).toBe(6 * HOUR)

    // The worker was down through +6 h and +24 h: the pull at +30 h lands once, and the next is +72 h.
    youtube.setStatistics(videoId, { viewCount: 900 })
    aheadMs = 30 * HOUR
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 2 })
    const rows = await until('the late snapshot', () => snapshotsOf(short.id), found => found.length === 2)
    expect(rows[1]).toMatchObject({ views: 900n })
    expect(rows[1]!.ageHours).toBeCloseTo(30, 1)
    await until('the late Instagram snapshot', () => snapshotsOf(reel.id), found => found.length === 2)
    post = await postOf(short.id)
    expect(post.metricsStep).toBe(3)
    expect(post.metricsDueAt!.getTime() - post.publishedAt!.getTime()).toBe(72 * HOUR)
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 0 })

    // Past +63 d: one last pull, then the schedule is done and nothing more is sent.
    aheadMs = 64 * DAY
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 2 })
    await until('the last snapshot', () => snapshotsOf(short.id), found => found.length === 3)
    await until('the last Instagram snapshot', () => snapshotsOf(reel.id), found => found.length === 3)
    // The first snapshot past 48 h scores the post (learning.ts): 900 views on both sides of 48 h. It is the account's
    // first post, so there is no usual level to compare it with yet, and the row says so.
    const scored = await until('the post\'s outcome', () => db.postOutcome.findUnique({ where: { postId: short.id } }), row => row !== null)
    expect(scored).toMatchObject({ workspaceId, socialAccountId: channel.id, metric: 'views', horizonHours: 48, outcome: null })
    expect(scored!.logValue).toBeCloseTo(Math.log1p(900), 9)
    expect(scored!.reason).toMatch(/needs 3 earlier posts/)
    post = await postOf(short.id)
    expect(post).toMatchObject({ metricsDueAt: null, metricsStep: null, goneUpstreamAt: null })
    aheadMs = 90 * DAY
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 0 })
  })

  it('retries a pull after a 429 when the platform says, while another account\'s pull goes ahead', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const instagram = await instagramAccount(db, box, workspaceId, meta)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo({ viewCount: 55 }), new Date(Date.now()))
    const reel = await publishedPost(workspaceId, instagram.id, newId(), new Date(Date.now()))
    const key = pullKey({ workspaceId, socialAccountId: channel.id })
    youtube.server.failNext('videos.list', {
      status: 429, headers: { 'retry-after': '5' },
      body: { error: { code: 429, message: 'Too many requests.', errors: [{ message: 'Too many requests.', domain: 'youtube.quota', reason: 'rateLimitExceeded' }], status: 'RESOURCE_EXHAUSTED' } },
    })
    const listed = youtube.server.count('videos.list')
    const asked = Date.now()
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 2 })
    // The YouTube pull was refused; its retry is the account's one waiting job, for when YouTube said.
    const [retry] = await until('the YouTube retry to wait', () => engine.boss.findJobs(names.pull.name, { key, queued: true }), found => found.length === 1 && (found[0]!.data as { retry?: number }).retry === 1)
    expect(retry!.startAfter.getTime() - asked).toBeGreaterThanOrEqual(5000)
    expect(await snapshotsOf(short.id)).toHaveLength(0)
    expect((await postOf(short.id)).metricsDueAt!.getTime()).toBeGreaterThan(now().getTime())
    // The Instagram account's pull is not held up by it, and a sweep meanwhile sends nothing more for YouTube.
    await until('the Instagram snapshot', () => snapshotsOf(reel.id), rows => rows.length === 1)
    const instagramLanded = Date.now()
    expect(instagramLanded - asked).toBeLessThan(5000)
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 0 })
    expect(await engine.boss.findJobs(names.pull.name, { key, queued: true })).toHaveLength(1)

    const [landed] = await until('the retried YouTube snapshot', () => snapshotsOf(short.id), rows => rows.length === 1)
    expect(Date.now() - asked).toBeGreaterThanOrEqual(5000)
    expect(landed).toMatchObject({ views: 55n })
    expect(youtube.server.count('videos.list') - listed).toBe(2)
    // Pulled at +2 h: the next is +6 h.
    expect((await postOf(short.id)).metricsStep).toBe(1)
  })

  it('waits 30 s after a 5xx without Retry-After, doubling, and after the last retry leaves the posts for an hour', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo(), new Date(Date.now()))
    const key = pullKey({ workspaceId, socialAccountId: channel.id })
    const unavailable = { status: 503, body: { error: { code: 503, message: 'The service is currently unavailable.', errors: [{ message: 'The service is currently unavailable.', domain: 'global', reason: 'backendError' }], status: 'UNAVAILABLE' } } }
    youtube.server.failNext('videos.list', unavailable)
    const asked = Date.now()
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 1 })
    const [retry] = await until('the retry after the 503', () => engine.boss.findJobs(names.pull.name, { key, queued: true }), found => (found[0]?.data as { retry?: number } | undefined)?.retry === 1)
    const wait = retry!.startAfter.getTime() - asked
    expect(wait).toBeGreaterThanOrEqual(30_000)
    expect(wait).toBeLessThan(40_000)
    await engine.boss.cancel(names.pull.name, retry!.id)

    // The retries used up (as the job's data counts them): the posts wait an hour for the sweep, and no job is sent.
    await db.post.update({ where: { id: short.id }, data: { metricsDueAt: now() } })
    youtube.server.failNext('videos.list', unavailable)
    const sent: unknown[] = []
    const outcome = await runMetricsPull({ ...await deps(), sendPull: async data => void sent.push(data) }, { workspaceId, socialAccountId: channel.id, retry: MAX_PULL_RETRIES })
    expect(outcome.outcome).toMatch(/^gave up after 4 retries/)
    expect(sent).toEqual([])
    expect((await postOf(short.id)).metricsDueAt!.getTime() - now().getTime()).toBeGreaterThan(59 * 60_000)
    expect(await snapshotsOf(short.id)).toHaveLength(0)
  })

  it('marks a post deleted upstream and pulls it no more, while the account\'s other posts go on', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const instagram = await instagramAccount(db, box, workspaceId, meta)
    const [kept, deleted] = [youtube.addVideo({ viewCount: 70 }), youtube.addVideo({ viewCount: 80 })]
    const keptPost = await publishedPost(workspaceId, channel.id, kept, new Date(Date.now()))
    const deletedPost = await publishedPost(workspaceId, channel.id, deleted, new Date(Date.now()))
    const reelId = newId()
    const deletedReel = await publishedPost(workspaceId, instagram.id, reelId, new Date(Date.now()))
    youtube.deleteVideo(deleted)
    meta.instagram.deleted.add(reelId)

    expect(await sweep(workspaceId)).toMatchObject({ pulls: 2 })
    await until('the kept video\'s snapshot', () => snapshotsOf(keptPost.id), rows => rows.length === 1)
    const [gone, goneReel] = await until('both deleted posts marked', () => Promise.all([postOf(deletedPost.id), postOf(deletedReel.id)]), posts => posts.every(post => post.goneUpstreamAt))
    for (const post of [gone!, goneReel!]) {
      expect(post).toMatchObject({ status: 'published', metricsDueAt: null, metricsStep: null })
      expect(await snapshotsOf(post.id)).toHaveLength(0)
    }
    const insights = meta.server.count('ig.insights')
    aheadMs = 8 * DAY
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 1 })
    await until('the kept video\'s next snapshot', () => snapshotsOf(keptPost.id), rows => rows.length === 2)
    expect(meta.server.count('ig.insights')).toBe(insights)
    const lastList = youtube.server.requests.filter(request => request.endpoint === 'videos.list').at(-1)!
    expect(lastList.query.getAll('id').join(',')).toBe(kept)
  })

  it('refreshes an expired token once and lands the pull', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo({ viewCount: 31 }), new Date(Date.now()))
    youtube.expireAccessTokens()
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 1 })
    const [landed] = await until('the snapshot after the refresh', () => snapshotsOf(short.id), rows => rows.length === 1)
    expect(landed).toMatchObject({ views: 31n })
    expect(refreshesWith(channel.refreshToken)).toBe(1)
    const account = await db.socialAccount.findUniqueOrThrow({ where: { id: channel.id } })
    expect(account.status).toBe('active')
    expect(box.decrypt(account.accessTokenEnc)).not.toBe(channel.accessToken)
  })

  it('stops an account\'s pulls when its grant is revoked, and asks for a reconnect', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo(), new Date(Date.now()))
    youtube.expireAccessTokens()
    youtube.revokeRefreshTokens()
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 1 })
    const account = await until('the account to need reconnecting', () => db.socialAccount.findUniqueOrThrow({ where: { id: channel.id } }), row => row.status === 'expired')
    expect(account.lastError).toBeTruthy()
    expect(await snapshotsOf(short.id)).toHaveLength(0)
    // The post keeps its place in the schedule; no pull is sent until the account is reconnected.
    expect((await postOf(short.id)).metricsDueAt).not.toBeNull()
    expect(await sweep(workspaceId)).toEqual({ pulls: 0, followers: 0 })
  })

  it('waits for YouTube\'s quota day to end when its daily units are used up, without a call', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo(), new Date(Date.now()))
    await db.platformUsage.create({ data: { workspaceId, socialAccountId: channel.id, limitKey: 'youtube.units', amount: 10_000 } })
    const listed = youtube.server.count('videos.list')
    expect(await sweep(workspaceId)).toMatchObject({ pulls: 1 })
    const waiting = await until('the post to wait for the quota', () => postOf(short.id), post => post.metricsDueAt!.getTime() > now().getTime())
    expect(waiting.metricsDueAt!.getTime() - now().getTime()).toBeLessThanOrEqual(DAY)
    expect(youtube.server.count('videos.list')).toBe(listed)
    // The worker moves the due time, then sends the job for later: wait for the job, not just the row.
    const [next] = await until('the pull job for after the reset', () => engine.boss.findJobs(names.pull.name, { key: pullKey({ workspaceId, socialAccountId: channel.id }), queued: true }), jobs => jobs.length === 1)
    // The job waits in real time for the quota's reset; it is this file's own queue, so it is simply removed.
    await engine.boss.cancel(names.pull.name, next!.id)
  })

  it('reads every platform\'s followers once a day', async () => {
    aheadMs = 0
    const workspaceId = await newWorkspace()
    const accounts = {
      youtube: await youtubeChannel(workspaceId),
      instagram: await instagramAccount(db, box, workspaceId, meta),
      facebook: await facebookAccount(db, box, workspaceId, meta),
      tiktok: await tiktokAccountRow(db, box, workspaceId, tiktokAppFor(tiktok)),
    }
    for (const account of Object.values(accounts)) await followersDue(account.id)
    const followersOf = () => db.accountSnapshot.findMany({ where: { workspaceId }, orderBy: { capturedAt: 'asc' } })
    const latest = (rows: Awaited<ReturnType<typeof followersOf>>, id: string) => rows.filter(row => row.socialAccountId === id).at(-1)?.followers

    expect(await sweep(workspaceId)).toEqual({ pulls: 0, followers: 4 })
    let rows = await until('four follower counts', followersOf, found => found.length === 4)
    expect(latest(rows, accounts.youtube.id)).toBe(4200)
    expect(latest(rows, accounts.instagram.id)).toBe(1520)
    expect(latest(rows, accounts.facebook.id)).toBe(860)
    expect(latest(rows, accounts.tiktok.id)).toBe(3100)
    const account = await db.socialAccount.findUniqueOrThrow({ where: { id: accounts.youtube.id } })
    expect(account.accountMetricsDueAt!.getTime() - now().getTime()).toBeGreaterThan(23 * HOUR)
    // Read today already: the same day's sweep sends none.
    expect(await sweep(workspaceId)).toEqual({ pulls: 0, followers: 0 })

    youtube.state.channels[0]!.subscriberCount = 4300
    meta.instagram.user.followers = 1600
    tiktok.options.followers = 3150
    aheadMs = DAY + HOUR
    expect(await sweep(workspaceId)).toEqual({ pulls: 0, followers: 4 })
    rows = await until('the next day\'s counts', followersOf, found => found.length === 8)
    expect(latest(rows, accounts.youtube.id)).toBe(4300)
    expect(latest(rows, accounts.instagram.id)).toBe(1600)
    expect(latest(rows, accounts.tiktok.id)).toBe(3150)
    for (const row of rows) expect(JSON.stringify(row.raw)).not.toMatch(/access_token|ya29|IGAA|EAAG/)
  })

  it('reads an account\'s followers once when a sweep sent a second job while the first was still running', async () => {
    // The queue's stately policy lets one job wait while one runs: a sweep that lands before the running job has
    // moved the due time sends a second one, which must find the day's count taken and leave it.
    aheadMs = 0
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    await followersDue(channel.id)
    const data = { workspaceId, socialAccountId: channel.id }
    const context = await deps()
    expect(await runAccountMetrics(context, data)).toEqual({ outcome: expect.stringMatching(/^read: \d+ followers$/) })
    const listed = youtube.server.count('channels.list')
    aheadMs = HOUR
    expect(await runAccountMetrics(context, data)).toEqual({ outcome: 'skipped: read already, next due later' })
    expect(youtube.server.count('channels.list')).toBe(listed)
    expect(await db.accountSnapshot.count({ where: { socialAccountId: channel.id } })).toBe(1)
    expect(await db.platformUsage.aggregate({ where: { socialAccountId: channel.id, limitKey: 'youtube.units' }, _sum: { amount: true } })).toEqual({ _sum: { amount: 1 } })
  })

  it('leaves the accounts of a platform this server has no app for, for a day, without a call', async () => {
    aheadMs = 2 * HOUR
    const workspaceId = await newWorkspace()
    const channel = await youtubeChannel(workspaceId)
    await followersDue(channel.id)
    const short = await publishedPost(workspaceId, channel.id, youtube.addVideo(), new Date(Date.now()))
    const requests = youtube.server.requests.length
    const unconfigured: MetricsWorkerDeps = { ...await deps(), app: platform => platformApp({ youtube: undefined, instagram: undefined, facebook: undefined, tiktok: undefined }, 'http://127.0.0.1:3000', platform) }
    const data = { workspaceId, socialAccountId: channel.id }
    expect(await runMetricsPull(unconfigured, data)).toEqual({ outcome: 'skipped: youtube is not set up on this server' })
    expect(await runAccountMetrics(unconfigured, data)).toEqual({ outcome: 'skipped: youtube is not set up on this server' })
    expect(youtube.server.requests.length).toBe(requests)
    expect((await postOf(short.id)).metricsDueAt!.getTime() - now().getTime()).toBeGreaterThan(23 * HOUR)
    const account = await db.socialAccount.findUniqueOrThrow({ where: { id: channel.id } })
    expect(account.status).toBe('active')
    expect(account.accountMetricsDueAt!.getTime() - now().getTime()).toBeGreaterThan(23 * HOUR)
  })

  it('never pulls a post of another workspace into this one', async () => {
    aheadMs = 2 * HOUR
    const mine = await newWorkspace()
    const theirs = await newWorkspace()
    const channel = await youtubeChannel(mine)
    const ownPost = await publishedPost(mine, channel.id, youtube.addVideo({ viewCount: 5 }), new Date(Date.now()))
    // A row of the other workspace that names this workspace's account: no pull may read it under this account.
    const foreign = await publishedPost(theirs, channel.id, youtube.addVideo({ viewCount: 6 }), new Date(Date.now()))
    // A job naming this account under the other workspace finds no account there.
    await jobs().sendPull({ workspaceId: theirs, socialAccountId: channel.id })
    await sweep(mine, theirs)
    await until('this workspace\'s snapshot', () => snapshotsOf(ownPost.id), rows => rows.length === 1)
    await until('the account\'s jobs to finish', () => engine.boss.findJobs(names.pull.name, { key: pullKey({ workspaceId: mine, socialAccountId: channel.id }), queued: true }), found => found.length === 0)
    await new Promise(resolve => setTimeout(resolve, 1500))
    expect(await snapshotsOf(foreign.id)).toHaveLength(0)
    const untouched = await postOf(foreign.id)
    expect(untouched.metricsStep).toBe(0)
    expect(untouched.goneUpstreamAt).toBeNull()
    const lists = youtube.server.requests.filter(request => request.endpoint === 'videos.list').map(request => request.query.getAll('id').join(','))
    expect(lists.some(ids => ids.includes(foreign.externalId!))).toBe(false)
  })
})
