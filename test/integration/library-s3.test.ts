// The built app on STORAGE_DRIVER=s3, against the loopback S3 server: an upload lands in the bucket by
// multipart, the worker analyses it from there, the page gets presigned URLs, and delete empties the prefix.
import { createHash } from 'node:crypto'
import { readFile, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { ApiClient } from '../support/api'
import { fetchHealthReport, startBuiltApp, type RunningApp } from '../support/app-server'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'
import { generateClip } from '../support/media'
import { createScratchPostgres, type ScratchDatabase } from '../support/postgres'
import { TusTestClient } from '../support/tus'

describe(`the Library on S3-compatible storage, on ${inject('databaseKind')}`, () => {
  let dataDir: string
  let s3: FakeS3
  let app: RunningApp
  let database: ScratchDatabase | undefined

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reelwise-s3-'))
    // A database of its own: the run's shared one has other files' apps working the same media.analyse queue with
    // their own stores, and one of them taking this upload's analysis would fail it for want of the bucket.
    if (inject('databaseKind') === 'postgres') database = await createScratchPostgres('reelwise_s3')
    s3 = await startFakeS3({ accessKeyId: 'reelwise-test', secretAccessKey: 'reelwise-test-secret', bucket: 'media' })
    app = await startBuiltApp({
      DATA_DIR: dataDir,
      // On pglite the app opens its own embedded database in DATA_DIR.
      ...(database ? { DATABASE_URL: database.url } : {}),
      STORAGE_DRIVER: 's3',
      STORAGE_S3_BUCKET: 'media',
      STORAGE_S3_REGION: 'eu-west-1',
      STORAGE_S3_ENDPOINT: s3.endpoint,
      STORAGE_S3_ACCESS_KEY_ID: 'reelwise-test',
      STORAGE_S3_SECRET_ACCESS_KEY: 'reelwise-test-secret',
    })
  }, 120_000)

  afterAll(async () => {
    await app?.stop()
    await database?.drop()
    await s3?.stop()
    await rm(dataDir, { recursive: true, force: true })
  })

  it('stores, analyses, serves and deletes through the bucket', async () => {
    const health = await (await fetchHealthReport(app.url)).json()
    expect(health.checks.storage).toEqual({ ok: true, driver: 's3' })

    const api = new ApiClient(app.url)
    expect((await api.signUp({ name: 'Sol', email: `sol-${Date.now()}@s3.test` })).status).toBe(201)
    const workspaceId = (await api.session()).workspaces[0]!.id
    // Big enough (lossless) for a multipart upload of several 8 MiB parts.
    const clip = await generateClip(join(dataDir, 'street.mp4'), { width: 1280, height: 720, fps: 30, shots: [1.5, 1.5], audio: [{ tone: -16, seconds: 3 }], grain: 20, extra: ['-qp', '0'] })
    const bytes = await readFile(clip.path)
    expect(bytes.length).toBeGreaterThan(10 * 1024 * 1024)

    const reply = await new TusTestClient(api, workspaceId).upload(clip.path, bytes.length, { filename: 'street.mp4', kind: 'reference' })
    expect(reply.status, reply.body).toBe(204)
    const videoId = reply.headers.get('reelwise-video-id')!
    expect(s3.requests.filter(request => request.operation === 'UploadPart').length).toBeGreaterThanOrEqual(2)

    let video: any
    await expect.poll(async () => (video = (await api.get(`/api/workspaces/${workspaceId}/videos/${videoId}`)).body).status, { timeout: 60_000, interval: 500 }).toBe('ready')
    expect(video.analysis.timeline.cuts).toHaveLength(1)
    expect(video.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))

    // Presigned URLs point at the bucket, not at the app, and honour Range.
    expect(video.sourceUrl.startsWith(s3.endpoint)).toBe(true)
    const ranged = await fetch(video.sourceUrl, { headers: { range: 'bytes=0-99' } })
    expect(ranged.status).toBe(206)
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(0, 100))).toBe(true)
    expect((await fetch(video.thumbnailUrl)).status).toBe(200)
    // The page may load media from the bucket's host, and from nowhere else.
    const csp = (await fetch(`${app.url}/login`)).headers.get('content-security-policy')!
    expect(csp).toContain(`media-src 'self' blob: ${new URL(s3.endpoint).origin}`)

    const deleted = await api.delete(`/api/workspaces/${workspaceId}/videos/${videoId}`)
    expect(deleted.body.removedObjects).toBeGreaterThanOrEqual(4)
    const listedAfter = s3.requests.filter(request => request.operation === 'ListObjectsV2').length
    expect(listedAfter).toBeGreaterThanOrEqual(1)
    expect(s3.pendingUploads()).toBe(0)
  }, 180_000)
})
