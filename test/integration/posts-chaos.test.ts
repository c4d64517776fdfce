// A publish outlives its worker: a real worker process running the real posts handlers is SIGKILLed while YouTube
// holds its answer to the upload's bytes (it has them; the worker never hears back). pg-boss notices the silent
// heartbeat and a second worker takes the job over. It resumes the stored upload session instead of starting again,
// finds the video YouTube already made, and the post ends published exactly once: the fake counts the videos.
// The queues carry the registry's rules; only the heartbeat (pg-boss's smallest, 10 s) and the retry delay shrink.
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { startJobEngine, type JobEngine } from '../../server/services/jobs/engine'
import { prismaJobTracker } from '../../server/services/jobs/tracker'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createSecretBox } from '../../server/services/security/secrets'
import { startFakeYoutube, type FakeYoutube } from '../support/fake-youtube'
import { startWorker, stopWorker, waitUntil, type Worker } from '../support/job-workers'
import { generateClip } from '../support/media'
import { createPrisma } from '../support/scratch'
import { postsTestQueues } from '../support/test-queues'

describe('a publish whose worker is SIGKILLed mid-upload', () => {
  const url = inject('databaseUrl')
  const queues = postsTestQueues(`test_posts_chaos_${inject('databaseKind')}`)
  const encryptionKey = randomBytes(32).toString('hex')
  const box = createSecretBox([encryptionKey])
  let dir: string
  let db: PrismaClient
  let youtube: FakeYoutube
  let sender: JobEngine
  let workspaceId: string
  let renderId: string
  let accountId: string
  const workers: Worker[] = []

  function postsWorker(): Worker {
    const worker = startWorker({
      POSTS_QUEUE: queues.publish.name.replace(/_publish$/, ''), MEDIA_ROOT: join(dir, 'media'), SCRATCH_DIR: join(dir, 'tmp'),
      ENCRYPTION_KEYS: encryptionKey, YOUTUBE_BASE_URL: youtube.url,
    }, 'test/support/posts-worker.ts')
    workers.push(worker)
    return worker
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-posts-chaos-'))
    db = createPrisma(url)
    youtube = await startFakeYoutube({ id: 'yt-chaos-client', secret: 'yt-chaos-secret', redirectUri: 'http://127.0.0.1:3000/accounts/callback/youtube' })
    youtube.setChannels([{ id: 'UC-chaos', title: 'Chaos Kitchen' }])
    youtube.script.processingPolls = 0
    const accessToken = `ya29.chaos-${randomUUID()}`
    youtube.state.accessTokens.set(accessToken, { scope: 'https://www.googleapis.com/auth/youtube.upload https://www.googleapis.com/auth/youtube.readonly', expired: false })

    const workspace = await db.workspace.create({ data: { name: 'Chaos', slug: `chaos-${randomUUID()}` } })
    workspaceId = workspace.id
    const store = createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1:3000', signingKey: 'posts-chaos-test' })
    const clip = await generateClip(join(dir, 'clip.mp4'), { width: 360, height: 640, fps: 30, shots: [2, 2], audio: [{ tone: -16, seconds: 4 }] })
    const video = await db.video.create({ data: { workspaceId, kind: 'footage', status: 'ready', title: 'Chaos', storageKey: `ws/${workspaceId}/videos/${randomUUID()}/source.mp4` } })
    renderId = randomUUID()
    const storageKey = `ws/${workspaceId}/renders/${renderId}/output.mp4`
    await store.putFile(storageKey, clip.path)
    await db.render.create({ data: { id: renderId, workspaceId, sourceVideoId: video.id, status: 'succeeded', storageKey, sizeBytes: BigInt((await stat(clip.path)).size), durationMs: 4000, width: 360, height: 640, finishedAt: new Date() } })
    accountId = (await db.socialAccount.create({
      data: { workspaceId, platform: 'youtube', externalId: 'UC-chaos', displayName: 'Chaos Kitchen', accessTokenEnc: box.encrypt(accessToken), tokenExpiresAt: new Date(Date.now() + 3_600_000), scopes: ['https://www.googleapis.com/auth/youtube.upload'] },
    })).id
    // It supervises too: with the only worker dead, someone must notice the silent heartbeat.
    sender = await startJobEngine({ connectionString: url, works: false, queues: [queues.publish, queues.check], handlers: {}, tracker: prismaJobTracker(db), expiryCheckSeconds: 1 })
  }, 120_000)

  afterAll(async () => {
    for (const worker of workers) await stopWorker(worker, 'SIGKILL')
    await sender?.stop(1000)
    await youtube?.close()
    await db?.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('resumes the upload session on a second worker and publishes exactly once', async () => {
    const post = await db.post.create({ data: { workspaceId, socialAccountId: accountId, renderId, status: 'scheduled', caption: 'Chaos #test', title: 'Survives a dead worker', privacy: 'public', scheduledAt: new Date() } })
    // YouTube takes the bytes, then holds its answer: the worker dies before it hears that the video exists.
    youtube.script.holdChunksMs = 60_000
    const first = postsWorker()
    await first.ready
    await sender.send(queues.publish.name, { workspaceId, postId: post.id }, { singletonKey: `post:${post.id}` })
    await waitUntil(async () => youtube.state.chunkPuts > 0, 60_000, 'the upload\'s bytes to reach YouTube')
    expect(youtube.videos()).toHaveLength(1)
    await stopWorker(first, 'SIGKILL')
    // The session was stored before the bytes went, so the next attempt can ask YouTube where it stands.
    const left = await db.post.findUniqueOrThrow({ where: { id: post.id } })
    expect(left.status).toBe('publishing')
    expect((left.pending as { sessionUri?: string }).sessionUri).toBeTruthy()

    youtube.script.holdChunksMs = undefined
    const second = postsWorker()
    await second.ready
    await waitUntil(async () => (await db.post.findUniqueOrThrow({ where: { id: post.id } })).status === 'published', 90_000, 'the post to be published')

    const done = await db.post.findUniqueOrThrow({ where: { id: post.id }, include: { attempts: { orderBy: { number: 'asc' } } } })
    expect(youtube.videos()).toHaveLength(1)
    expect(youtube.server.count('videos.insert')).toBe(1)
    expect(done.externalId).toBe(youtube.videos()[0]!.id)
    expect(done.permalink).toBe(`https://www.youtube.com/shorts/${done.externalId}`)
    // The dead worker's attempt says what happened to it; the second finished the job.
    expect(done.attempts.map(attempt => attempt.status)).toEqual(['failed', 'succeeded'])
    expect(done.attempts[0]!.error).toMatch(/worker stopped/)
    // Nothing of the upload is left in the scratch folder.
    expect(await readdir(join(dir, 'tmp', 'publish')).catch(() => [])).toEqual([])
  }, 180_000)
})
