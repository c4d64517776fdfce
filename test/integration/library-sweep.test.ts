// Unfinished uploads do not hold quota, disk or bucket space for ever: a day after they start, the sweep removes their
// staged bytes and their reservation, and leaves recent ones alone. On S3 the staged bytes are a multipart upload, its
// `.info` and its incomplete `.part` in the bucket, which @tus/s3-store's deleteExpired finds by ListMultipartUploads.
import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { PrismaClient } from '../../server/generated/prisma/client'
import { createUploadService } from '../../server/services/library/uploads'
import { locateMediaTools } from '../../server/services/media/ffmpeg'
import { createLocalMediaStore } from '../../server/services/media/storage/local'
import { createS3MediaStore } from '../../server/services/media/storage/s3'
import { ApiClient } from '../support/api'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { createPrisma } from '../support/scratch'
import { TusTestClient } from '../support/tus'

describe(`the unfinished-upload sweep on ${inject('databaseKind')}`, () => {
  let db: PrismaClient
  let dir: string

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    dir = await mkdtemp(join(tmpdir(), 'reelwise-sweep-'))
  })
  afterAll(async () => {
    await db.$disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  it('removes uploads started over a day ago, bytes and rows, and keeps the rest', async () => {
    const user = await db.user.create({ data: { email: `sweep-${randomUUID()}@example.test`, name: 'Sweep' } })
    const workspace = await db.workspace.create({ data: { name: 'Sweep', slug: `sweep-${randomUUID()}` } })
    const stagingDir = join(dir, 'uploads')
    const service = createUploadService({
      db,
      store: createLocalMediaStore({ root: join(dir, 'media'), appUrl: 'http://127.0.0.1', signingKey: 'sweep' }),
      tools: () => locateMediaTools(),
      stagingDir,
      maxSizeBytes: 1024 ** 3,
      workspaceQuotaBytes: 1024 ** 3,
      footageLimits: { maxSeconds: 1800, maxWidth: 3840, maxHeight: 2160, maxFps: 120 },
      queueAnalysis: async () => {},
    })
    const stale = randomUUID()
    const fresh = randomUUID()
    await mkdir(stagingDir, { recursive: true })
    for (const id of [stale, fresh]) await writeFile(join(stagingDir, id), 'partial bytes')
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000)
    await db.video.create({ data: { workspaceId: workspace.id, uploadedById: user.id, kind: 'footage', status: 'uploading', title: 'Old', uploadId: stale, sizeBytes: 100n, createdAt: twoDaysAgo } })
    await db.video.create({ data: { workspaceId: workspace.id, uploadedById: user.id, kind: 'footage', status: 'uploading', title: 'New', uploadId: fresh, sizeBytes: 100n } })

    expect(await service.removeExpired()).toBeGreaterThanOrEqual(1)
    const left = await db.video.findMany({ where: { workspaceId: workspace.id }, select: { title: true } })
    expect(left.map(video => video.title)).toEqual(['New'])
    expect(await readdir(stagingDir)).toEqual([fresh])
  })
})

// With Redis, as several web instances run it: the upload-info cache lives there, and nothing of a removed upload may stay.
describe(`the unfinished-upload sweep on S3 with Redis, on ${inject('databaseKind')}`, () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const credentials = { accessKeyId: 'AKIAREELWISEUPLOADS01', secretAccessKey: randomBytes(30).toString('base64') }
  let db: PrismaClient
  let dir: string
  let fake: FakeS3
  let server: Server
  let service: ReturnType<typeof createUploadService>
  let workspaceId: string
  let tus: TusTestClient
  let redis: Redis

  beforeAll(async () => {
    db = createPrisma(inject('databaseUrl'))
    redis = new Redis(redisUrl)
    dir = await mkdtemp(join(tmpdir(), 'reelwise-sweep-s3-'))
    // One upload a page, so the sweep's listing needs its markers.
    fake = await startFakeS3({ ...credentials, bucket: 'uploads', maxKeysPerPage: 1 })
    const s3 = { bucket: 'uploads', region: 'eu-west-1', endpoint: fake.endpoint, forcePathStyle: true, ...credentials }
    service = createUploadService({
      db,
      store: createS3MediaStore(s3),
      tools: () => locateMediaTools(),
      stagingDir: join(dir, 'uploads'),
      s3,
      redisUrl,
      maxSizeBytes: 1024 ** 3,
      workspaceQuotaBytes: 1024 ** 3,
      footageLimits: { maxSeconds: 1800, maxWidth: 3840, maxHeight: 2160, maxFps: 120 },
      queueAnalysis: async () => {},
    })
    const user = await db.user.create({ data: { email: `sweep-s3-${randomUUID()}@example.test`, name: 'Sweep' } })
    workspaceId = (await db.workspace.create({ data: { name: 'Sweep S3', slug: `sweep-s3-${randomUUID()}` } })).id
    // What server/utils/uploads.ts does once the member check passed: the caller, and the upload id from the address.
    server = createServer((request, response) => {
      const uploadId = /\/uploads\/([0-9a-f-]{36})$/.exec(request.url ?? '')?.[1]
      void service.handle(request, response, { workspaceId, userId: user.id, uploadId })
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    tus = new TusTestClient(new ApiClient(`http://127.0.0.1:${(server.address() as { port: number }).port}`), workspaceId)
  })
  afterAll(async () => {
    server?.close()
    await service?.close()
    await redis?.quit()
    await db.$disconnect()
    await fake?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  /** Starts an upload of 20 000 bytes and sends its first 1000: a multipart upload, its `.info` and an incomplete `.part`. */
  async function startUpload(): Promise<{ id: string, location: string }> {
    const created = await tus.create(20_000, { filename: 'abandoned.mp4' })
    expect(created.status, created.body).toBe(201)
    const location = created.headers.get('location')!
    const path = join(dir, `${randomUUID()}.bin`)
    await writeFile(path, randomBytes(1000))
    expect((await tus.patch(location, path, 0))?.status).toBe(204)
    return { id: location.split('/').pop()!, location }
  }

  const keysOf = (id: string) => fake.objectKeys().filter(key => key.startsWith(id))
  // The upload's entry in the shared info cache (@tus/s3-store's metadata, IoRedisKvStore).
  const cached = async (id: string) => await redis.exists(`reelwise:tus:info:${id}`) === 1

  it('removes uploads abandoned in the bucket over a day ago, with their row or without one, and keeps recent ones', async () => {
    const withRow = await startUpload()
    // Its row went (the reservation was given back) but tus could not remove the bytes: only the bucket knows it.
    const withoutRow = await startUpload()
    const recent = await startUpload()
    expect(keysOf(withRow.id)).toEqual([`${withRow.id}.info`, `${withRow.id}.part`])
    expect(fake.pendingUploads()).toBe(3)
    expect([await cached(withRow.id), await cached(withoutRow.id), await cached(recent.id)]).toEqual([true, true, true])
    await db.video.deleteMany({ where: { workspaceId, uploadId: withoutRow.id } })
    const twoDays = 2 * 24 * 60 * 60 * 1000
    for (const { id } of [withRow, withoutRow]) fake.backdate(id, twoDays)
    await db.video.updateMany({ where: { workspaceId, uploadId: withRow.id }, data: { createdAt: new Date(Date.now() - twoDays) } })

    expect(await service.removeExpired()).toBeGreaterThanOrEqual(2)
    expect(fake.requests.filter(request => request.operation === 'ListMultipartUploads').length).toBeGreaterThanOrEqual(3)
    expect(keysOf(withRow.id)).toEqual([])
    expect(keysOf(withoutRow.id)).toEqual([])
    expect(keysOf(recent.id)).toEqual([`${recent.id}.info`, `${recent.id}.part`])
    expect(fake.pendingUploads()).toBe(1)
    // Nor in Redis: the info cache forgets both removed uploads, and still knows the recent one.
    expect({ withRow: await cached(withRow.id), withoutRow: await cached(withoutRow.id), recent: await cached(recent.id) }).toEqual({ withRow: false, withoutRow: false, recent: true })
    const left = await db.video.findMany({ where: { workspaceId }, select: { uploadId: true } })
    expect(left.map(video => video.uploadId)).toEqual([recent.id])
    // The recent one goes on where it stopped.
    expect(await tus.offset(recent.location)).toBe(1000)
  })

  it('canceling an upload leaves nothing of it in the bucket, its incomplete part included', async () => {
    const upload = await startUpload()
    const pending = fake.pendingUploads()
    const canceled = await fetch(new URL(upload.location, tus.api.baseUrl), { method: 'DELETE', headers: { 'tus-resumable': '1.0.0' } })
    expect(canceled.status).toBe(204)
    expect(keysOf(upload.id)).toEqual([])
    expect(fake.pendingUploads()).toBe(pending - 1)
    expect(await cached(upload.id)).toBe(false)
  })

  it('an upload the bucket refuses to start keeps no reservation', async () => {
    const before = await db.video.count({ where: { workspaceId } })
    // Every attempt the SDK makes (three) at CreateMultipartUpload is refused.
    fake.failNext('CreateMultipartUpload', 500, 3)
    const refused = await tus.create(20_000, { filename: 'refused.mp4' })
    expect(refused.status).toBe(500)
    expect(await db.video.count({ where: { workspaceId } })).toBe(before)
  })

  it('a bucket that fails the listing fails the sweep loudly, after it settled the rows it could', async () => {
    const stale = await startUpload()
    await db.video.updateMany({ where: { workspaceId, uploadId: stale.id }, data: { createdAt: new Date(Date.now() - 2 * 24 * 60 * 60 * 1000) } })
    // Every attempt the SDK makes (three) is refused.
    fake.failNext('ListMultipartUploads', 500, 3)
    await expect(service.removeExpired()).rejects.toThrow(/internal error/i)
    expect(await db.video.count({ where: { workspaceId, uploadId: stale.id } })).toBe(0)
    expect(keysOf(stale.id)).toEqual([])
  })
})
