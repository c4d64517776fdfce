// More than one web instance: with STORAGE_DRIVER=s3 unfinished uploads live in the bucket (@tus/s3-store), and with
// REDIS_URL the upload-info cache and the upload lock live in Redis. Two built web processes take turns with one
// upload's PATCHes, and the stored video is byte for byte the file that was sent; a client that resumes on the other
// instance while its stalled PATCH still holds the upload makes that PATCH let go (the lock is shared), and resumes
// from the bytes it had sent. The Redis lock is checked on its own:
// one holder at a time, release requests reach the holder in another process, and a lapsed holder cannot unlock a lock
// it lost.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { RedisLocker } from '../../server/services/library/redis-locker'
import { ApiClient } from '../support/api'
import { startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { waitUntil } from '../support/job-workers'
import { generateClip } from '../support/media'
import { TusTestClient } from '../support/tus'

const redisUrl = 'redis://127.0.0.1:6379'
const mebibyte = 1024 * 1024

describe('the Redis upload lock', () => {
  let first: Redis
  let second: Redis
  const lockers: RedisLocker[] = []

  beforeAll(() => {
    // Two connections, as two web processes would have.
    first = new Redis(redisUrl)
    second = new Redis(redisUrl)
  })
  afterAll(async () => {
    for (const locker of lockers) await locker.close()
    await first.quit()
    await second.quit()
  })

  it('one holder at a time; a waiter asks the holder to let go, and gets the lock when it does', async () => {
    const a = new RedisLocker(first, { acquireTimeoutMs: 5000 })
    const b = new RedisLocker(second, { acquireTimeoutMs: 5000 })
    lockers.push(a, b)
    const id = randomUUID()
    const held = a.newLock(id)
    let released = false
    await held.lock(new AbortController().signal, async () => {
      // What tus does when asked: end the request, which unlocks.
      released = true
      await held.unlock()
    })
    expect(await first.get(`reelwise:tus:lock:${id}`)).toBeTruthy()
    const waiter = b.newLock(id)
    await waiter.lock(new AbortController().signal, () => {})
    expect(released).toBe(true)
    await waiter.unlock()
    expect(await first.get(`reelwise:tus:lock:${id}`)).toBeNull()
  })

  it('a waiter whose holder does not let go times out, and an aborted waiter stops waiting', async () => {
    const a = new RedisLocker(first)
    const b = new RedisLocker(second, { acquireTimeoutMs: 400 })
    lockers.push(a, b)
    const id = randomUUID()
    const held = a.newLock(id)
    await held.lock(new AbortController().signal, () => {})
    await expect(b.newLock(id).lock(new AbortController().signal, () => {})).rejects.toMatchObject({ body: 'failed to acquire lock before timeout' })
    const stop = new AbortController()
    const aborted = b.newLock(id).lock(stop.signal, () => {})
    stop.abort()
    await expect(aborted).rejects.toMatchObject({ status_code: 500 })
    await held.unlock()
  })

  it('a lock lapses when its holder stops renewing it, and the old holder cannot release the new one', async () => {
    const a = new RedisLocker(first, { ttlMs: 300 })
    const b = new RedisLocker(second, { acquireTimeoutMs: 5000 })
    lockers.push(a, b)
    const id = randomUUID()
    const stale = a.newLock(id)
    await stale.lock(new AbortController().signal, () => {})
    // The holder's process "dies": its renewal stops, and nothing answers release requests.
    clearInterval((stale as unknown as { renewal: NodeJS.Timeout }).renewal)
    a.holders.clear()
    const fresh = b.newLock(id)
    await fresh.lock(new AbortController().signal, () => {})
    await stale.unlock()
    expect(await first.get(`reelwise:tus:lock:${id}`)).toBeTruthy()
    await fresh.unlock()
    expect(await first.get(`reelwise:tus:lock:${id}`)).toBeNull()
  })

  it('a long holder keeps its lock past the TTL by renewing it', async () => {
    const a = new RedisLocker(first, { ttlMs: 1500 })
    lockers.push(a)
    const id = randomUUID()
    const held = a.newLock(id)
    await held.lock(new AbortController().signal, () => {})
    await new Promise(resolve => setTimeout(resolve, 2500))
    expect(Number(await first.pttl(`reelwise:tus:lock:${id}`))).toBeGreaterThan(0)
    await held.unlock()
  })
})

describe(`two web instances on S3 and Redis, on ${inject('databaseKind')}`, () => {
  let dir: string
  let s3: FakeS3
  let redis: Redis
  const apps: RunningApp[] = []

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelwise-multi-'))
    redis = new Redis(redisUrl)
    s3 = await startFakeS3({ accessKeyId: 'reelwise-multi', secretAccessKey: 'reelwise-multi-secret', bucket: 'media' })
    const secret = randomBytes(48).toString('base64')
    for (const name of ['a', 'b']) {
      apps.push(await startBuiltApp({
        APP_ROLE: 'web',
        DATA_DIR: join(dir, name),
        DATABASE_URL: inject('databaseUrl'),
        SECRET_KEY: secret,
        REDIS_URL: redisUrl,
        STORAGE_DRIVER: 's3',
        STORAGE_S3_BUCKET: 'media',
        STORAGE_S3_REGION: 'eu-west-1',
        STORAGE_S3_ENDPOINT: s3.endpoint,
        STORAGE_S3_ACCESS_KEY_ID: 'reelwise-multi',
        STORAGE_S3_SECRET_ACCESS_KEY: 'reelwise-multi-secret',
      }))
    }
  }, 180_000)
  afterAll(async () => {
    for (const app of apps) await app.stop()
    await redis?.quit()
    await s3?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('an upload whose PATCHes alternate between the instances is stored whole, and nothing is staged on either disk', async () => {
    const [a, b] = apps as [RunningApp, RunningApp]
    const onA = new ApiClient(a.url)
    expect((await onA.signUp({ name: 'Multi', email: `multi-${randomUUID()}@s3.test` })).status).toBe(201)
    const workspaceId = (await onA.session()).workspaces[0]!.id
    // The same session, through the other instance.
    const onB = new ApiClient(b.url)
    onB.token = onA.token
    const clients = [new TusTestClient(onA, workspaceId), new TusTestClient(onB, workspaceId)]

    // Lossless, so it spans more than two 8 MiB parts.
    const clip = await generateClip(join(dir, 'multi.mp4'), { width: 640, height: 360, fps: 30, shots: [1.5, 1.5], audio: [{ tone: -16, seconds: 3 }], grain: 20, extra: ['-qp', '0'] })
    const bytes = await readFile(clip.path)
    expect(bytes.length).toBeGreaterThan(17 * mebibyte)

    const created = await clients[0]!.create(bytes.length, { filename: 'multi.mp4', kind: 'footage' })
    expect(created.status, created.body).toBe(201)
    const location = created.headers.get('location')!
    // 3 MiB a PATCH, smaller than a part: each instance continues from bytes the other left in the bucket (whole parts,
    // and the incomplete part that S3Store keeps until a part fills).
    const chunk = 3 * mebibyte
    let offset = 0
    let turn = 0
    let last
    while (offset < bytes.length) {
      const client = clients[turn % 2]!
      const other = clients[(turn + 1) % 2]!
      expect(await client.offset(location)).toBe(offset)
      last = await client.patch(location, clip.path, offset, { end: Math.min(offset + chunk, bytes.length) })
      expect(last?.status, last?.body).toBe(204)
      offset = Math.min(offset + chunk, bytes.length)
      if (offset < bytes.length) expect(await other.offset(location)).toBe(offset)
      turn++
    }
    expect(turn).toBeGreaterThanOrEqual(4)
    const videoId = last!.headers.get('reelwise-video-id')!
    const video = (await onB.get(`/api/workspaces/${workspaceId}/videos/${videoId}`)).body
    expect(video.status).toBe('uploaded')
    expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(Number(video.sizeBytes)).toBe(bytes.length)
    // Through the bucket: multipart parts and incomplete parts went there, and no bytes were staged on either disk.
    expect(s3.requests.filter(request => request.operation === 'UploadPart').length).toBeGreaterThanOrEqual(2)
    for (const name of ['a', 'b']) {
      const staged = await readdir(join(dir, name, 'uploads')).catch(() => [] as string[])
      expect(staged).toEqual([])
    }
    const stored = await fetch(video.sourceUrl)
    expect(createHash('sha256').update(Buffer.from(await stored.arrayBuffer())).digest('hex')).toBe(video.sha256)
  }, 180_000)

  it('resuming on the other instance makes a stalled PATCH there let go of the upload, and it resumes from what that PATCH sent', async () => {
    const [a, b] = apps as [RunningApp, RunningApp]
    const onA = new ApiClient(a.url)
    expect((await onA.signUp({ name: 'Stall', email: `stall-${randomUUID()}@s3.test` })).status).toBe(201)
    const workspaceId = (await onA.session()).workspaces[0]!.id
    const onB = new ApiClient(b.url)
    onB.token = onA.token
    const clip = await generateClip(join(dir, 'stalled.mp4'), { width: 320, height: 240, fps: 25, shots: [1, 1], audio: [{ tone: -20, seconds: 2 }], grain: 20 })
    const bytes = await readFile(clip.path)
    const created = await new TusTestClient(onA, workspaceId).create(bytes.length, { filename: 'stalled.mp4' })
    expect(created.status, created.body).toBe(201)
    const location = created.headers.get('location')!
    const uploadId = location.split('/').pop()!

    // A PATCH on instance a sends half the file, then its network stalls: the body neither goes on nor ends.
    const half = Math.floor(bytes.length / 2)
    let unstall = () => {}
    const stalledBody = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(bytes.subarray(0, half)))
        await new Promise<void>((resolve) => {
          unstall = resolve
        })
        controller.close()
      },
    })
    const stalled = fetch(new URL(location, a.url), {
      method: 'PATCH', body: stalledBody, duplex: 'half',
      headers: { 'tus-resumable': '1.0.0', 'authorization': `Bearer ${onA.token}`, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    } as RequestInit).then(response => `answered ${response.status}`, (error: Error) => `closed: ${error.message}`)
    try {
      await waitUntil(async () => await redis.exists(`reelwise:tus:lock:${uploadId}`) === 1, 10_000, 'instance a to hold the upload\'s lock')
      // The client gives up on it and resumes on instance b, as tus-js-client does: HEAD, then PATCH from the offset.
      const resumed = new TusTestClient(onB, workspaceId)
      const offset = await resumed.offset(location)
      // b's HEAD asked a to let go: a's PATCH stored what it had and answered, though its body never ended.
      const outcome = await Promise.race([stalled, new Promise(resolve => setTimeout(resolve, 10_000, 'still open'))])
      expect(outcome).toBe('answered 204')
      expect(offset).toBe(half)
      const finished = await resumed.patch(location, clip.path, offset)
      expect(finished?.status, finished?.body).toBe(204)
      const video = (await onB.get(`/api/workspaces/${workspaceId}/videos/${finished!.headers.get('reelwise-video-id')}`)).body
      expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    }
    finally {
      unstall()
      await stalled
    }
  }, 120_000)
})
