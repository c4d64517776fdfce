// One contract for every media store driver: local disk, and S3 against a loopback S3 that checks signatures and
// keeps objects on disk. Big uploads are generated on the fly, so neither the test nor the driver holds them whole.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { analysisArtifactKey, videoPrefix, videoSourceKey } from '../../server/services/media/storage/keys'
import { createLocalMediaStore, localPathOf, type LocalMediaStore } from '../../server/services/media/storage/local'
import { createS3MediaStore } from '../../server/services/media/storage/s3'
import { MediaNotFoundError, RangeNotSatisfiableError, type MediaStore } from '../../server/services/media/storage/types'
import { startFakeS3, type FakeS3 } from '../support/fake-s3'

const mebibyte = 1024 * 1024
const bigSize = 20 * mebibyte + 12_345
const partSizeBytes = 5 * mebibyte
const credentials = { accessKeyId: 'AKIAREELWISETEST0001', secretAccessKey: randomBytes(30).toString('base64') }
const bucket = 'reelwise-media'
const appUrl = 'http://localhost:3000'

interface Backend {
  store: MediaStore
  /** The loopback S3 behind the s3 driver. */
  fake?: FakeS3
  /** What is left of `key` in the backend: files (partial ones too) or open multipart uploads. */
  traces: (key: string) => Promise<string[]>
  stop: () => Promise<void>
}

const backends: Record<'local' | 's3', (dir: string) => Promise<Backend>> = {
  async local(dir) {
    const root = join(dir, 'media')
    const store = createLocalMediaStore({ root, appUrl, signingKey: randomBytes(32).toString('hex') })
    return {
      store,
      async traces(key) {
        const path = localPathOf(root, key)
        const siblings = await readdir(dirname(path)).catch(() => [])
        return siblings.filter(name => name.startsWith(basename(path)))
      },
      stop: async () => {},
    }
  },
  async s3() {
    const fake = await startFakeS3({ ...credentials, bucket, maxKeysPerPage: 10 })
    const store = createS3MediaStore({ bucket, region: 'eu-central-1', endpoint: fake.endpoint, forcePathStyle: true, partSizeBytes, ...credentials })
    return {
      store,
      fake,
      async traces(key) {
        const left = existsSync(fake.objectPath(key)) ? [key] : []
        return fake.pendingUploads() > 0 ? [...left, `${fake.pendingUploads()} open multipart upload(s)`] : left
      },
      stop: () => fake.stop(),
    }
  },
}

/** Pseudo-random bytes made chunk by chunk as they are read, hashed on the way; optionally breaking off part-way. */
function generatedStream(totalBytes: number, failAfterBytes?: number) {
  const hash = createHash('sha256')
  async function* chunks() {
    const chunkSize = 64 * 1024
    for (let sent = 0; sent < totalBytes; sent += chunkSize) {
      if (failAfterBytes !== undefined && sent >= failAfterBytes) throw new Error('the source broke off')
      const chunk = randomBytes(Math.min(chunkSize, totalBytes - sent))
      hash.update(chunk)
      yield chunk
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest: () => hash.digest('hex') }
}

async function sha256Of(body: AsyncIterable<Buffer | Uint8Array>): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of body) hash.update(chunk)
  return hash.digest('hex')
}

async function bytesOf(body: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of body) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks)
}

/** Peak growth of the resident set and of JS plus buffer memory while `work` runs. */
async function memoryGrowthDuring(work: () => Promise<void>): Promise<{ rss: number, heapAndBuffers: number }> {
  const heapAndBuffers = () => {
    const usage = process.memoryUsage()
    return usage.heapUsed + usage.arrayBuffers
  }
  const baseline = { rss: process.memoryUsage.rss(), heapAndBuffers: heapAndBuffers() }
  const peak = { ...baseline }
  const sample = () => {
    peak.rss = Math.max(peak.rss, process.memoryUsage.rss())
    peak.heapAndBuffers = Math.max(peak.heapAndBuffers, heapAndBuffers())
  }
  const timer = setInterval(sample, 5)
  try {
    await work()
  }
  finally {
    clearInterval(timer)
    sample()
  }
  return { rss: peak.rss - baseline.rss, heapAndBuffers: peak.heapAndBuffers - baseline.heapAndBuffers }
}

const newVideo = () => ({ workspaceId: randomUUID(), videoId: randomUUID() })
const sourceKey = () => {
  const { workspaceId, videoId } = newVideo()
  return videoSourceKey(workspaceId, videoId, 'mp4')
}

describe.each(['local', 's3'] as const)('%s media store', (driver) => {
  let dir: string
  let backend: Backend
  let store: MediaStore
  const small = randomBytes(1000)
  let smallKey: string

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `reelwise-media-${driver}-`))
    backend = await backends[driver](dir)
    store = backend.store
    smallKey = sourceKey()
    await store.put(smallKey, Readable.from([small]))
  })
  afterEach(() => {
    vi.useRealTimers()
  })
  afterAll(async () => {
    await backend?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it(`is the ${driver} driver`, () => {
    expect(store.driver).toBe(driver)
  })

  it('streams a 20 MB upload in and back out byte for byte, without holding it in memory', async () => {
    const key = sourceKey()
    const source = generatedStream(bigSize)
    const requestsBefore = backend.fake?.requests.length ?? 0
    let info: Awaited<ReturnType<MediaStore['put']>> | undefined
    const growth = await memoryGrowthDuring(async () => {
      info = await store.put(key, source.stream, { contentType: 'video/mp4' })
    })
    expect(info).toEqual({ sizeBytes: bigSize, contentType: 'video/mp4' })
    const object = await store.get(key)
    expect(object.contentLength).toBe(bigSize)
    expect(await sha256Of(object.body)).toBe(source.digest())
    // Generous: a driver that buffered the whole upload (plus the fake's copy) would exceed it.
    expect(growth.heapAndBuffers).toBeLessThan(64 * mebibyte)
    expect(growth.rss).toBeLessThan(64 * mebibyte)
    if (backend.fake) {
      const operations = backend.fake.requests.slice(requestsBefore).map(request => request.operation)
      expect(operations.filter(operation => operation === 'UploadPart')).toHaveLength(Math.ceil(bigSize / partSizeBytes))
      expect(operations.filter(operation => operation === 'CompleteMultipartUpload')).toHaveLength(1)
      expect(operations).not.toContain('PutObject')
    }
  })

  it('uploads a file from local disk', async () => {
    const path = join(dir, 'upload.mp4')
    const bytes = randomBytes(70_000)
    await writeFile(path, bytes)
    const key = sourceKey()
    expect(await store.putFile(key, path)).toEqual({ sizeBytes: bytes.length, contentType: 'video/mp4' })
    expect(await bytesOf((await store.get(key)).body)).toEqual(bytes)
  })

  it('serves byte ranges, clamped to the object', async () => {
    const cases = [
      { asked: { start: 0, end: 9 }, served: { start: 0, end: 9 } },
      { asked: { start: 500, end: 599 }, served: { start: 500, end: 599 } },
      { asked: { start: 990 }, served: { start: 990, end: 999 } },
      { asked: { start: 995, end: 5000 }, served: { start: 995, end: 999 } },
      { asked: { start: 999, end: 999 }, served: { start: 999, end: 999 } },
    ]
    for (const { asked, served } of cases) {
      const object = await store.get(smallKey, asked)
      expect(object.range).toEqual(served)
      expect(object.sizeBytes).toBe(small.length)
      expect(object.contentLength).toBe(served.end - served.start + 1)
      expect(await bytesOf(object.body)).toEqual(small.subarray(served.start, served.end + 1))
    }
    const whole = await store.get(smallKey)
    expect(whole.range).toBeUndefined()
    expect(await bytesOf(whole.body)).toEqual(small)
  })

  it('refuses ranges that start past the end, or end before they start', async () => {
    for (const range of [{ start: 1000 }, { start: 5000, end: 6000 }, { start: 10, end: 5 }]) {
      const refusal = await store.get(smallKey, range).catch((error: unknown) => error)
      expect(refusal).toBeInstanceOf(RangeNotSatisfiableError)
      expect((refusal as RangeNotSatisfiableError).sizeBytes).toBe(small.length)
    }
  })

  it('reports size and type, and nothing for a missing key', async () => {
    expect(await store.stat(smallKey)).toEqual({ sizeBytes: small.length, contentType: 'video/mp4' })
    const missing = sourceKey()
    expect(await store.stat(missing)).toBeUndefined()
    await expect(store.get(missing)).rejects.toBeInstanceOf(MediaNotFoundError)
    await expect(store.get(missing, { start: 0, end: 10 })).rejects.toBeInstanceOf(MediaNotFoundError)
    await expect(store.openLocal(missing, join(dir, 'scratch'))).rejects.toBeInstanceOf(MediaNotFoundError)
  })

  it('deletes one object, and a missing one without complaint', async () => {
    const key = sourceKey()
    await store.put(key, Readable.from([Buffer.from('short-lived')]))
    await store.delete(key)
    expect(await store.stat(key)).toBeUndefined()
    expect(await backend.traces(key)).toEqual([])
    await expect(store.delete(key)).resolves.toBeUndefined()
  })

  it('deletes everything under a video prefix, page by page, and nothing beside it', async () => {
    const { workspaceId, videoId } = newVideo()
    const neighbour = videoSourceKey(workspaceId, randomUUID(), 'mp4')
    const analyses = [randomUUID(), randomUUID()]
    const keys = [
      videoSourceKey(workspaceId, videoId, 'mov'),
      ...Array.from({ length: 24 }, (_, index) => analysisArtifactKey(workspaceId, videoId, analyses[index % 2]!, `shot-${index}.jpg`)),
    ]
    await Promise.all([...keys, neighbour].map(key => store.put(key, Readable.from([randomBytes(64)]))))
    const listsBefore = backend.fake?.requests.filter(request => request.operation === 'ListObjectsV2').length ?? 0
    expect(await store.deletePrefix(videoPrefix(workspaceId, videoId))).toBe(keys.length)
    for (const key of keys) expect(await store.stat(key)).toBeUndefined()
    expect(await store.stat(neighbour)).toEqual({ sizeBytes: 64, contentType: 'video/mp4' })
    if (backend.fake) {
      // 25 keys at 10 a page is three pages.
      const lists = backend.fake.requests.filter(request => request.operation === 'ListObjectsV2').length - listsBefore
      expect(lists).toBe(3)
    }
    expect(await store.deletePrefix(videoPrefix(workspaceId, videoId))).toBe(0)
  })

  it('refuses unsafe keys and prefixes before touching disk or bucket', async () => {
    const workspaceId = randomUUID()
    const unsafeKeys = [
      '../x', 'ws/../../etc/passwd', '/etc/passwd', `ws/${workspaceId}/../../outside.mp4`, 'alice/holiday.mp4',
      'My Video.mp4', `ws/not-a-uuid/videos/x.mp4`, `ws/${workspaceId}//x.mp4`, `/ws/${workspaceId}/x.mp4`, '',
    ]
    const requestsBefore = backend.fake?.requests.length ?? 0
    let read = false
    const source = () => new Readable({
      read() {
        read = true
        this.push(null)
      },
    })
    const outside = join(dir, 'outside.mp4')
    await writeFile(outside, 'should never be uploaded')
    for (const key of unsafeKeys) {
      await expect(store.put(key, source()), key).rejects.toThrow(/unsafe media key/)
      await expect(store.putFile(key, outside), key).rejects.toThrow(/unsafe media key/)
      await expect(store.get(key), key).rejects.toThrow(/unsafe media key/)
      await expect(store.get(key, { start: 0 }), key).rejects.toThrow(/unsafe media key/)
      await expect(store.stat(key), key).rejects.toThrow(/unsafe media key/)
      await expect(store.delete(key), key).rejects.toThrow(/unsafe media key/)
      await expect(store.signedUrl(key, { expiresInSeconds: 60 }), key).rejects.toThrow(/unsafe media key/)
      await expect(store.openLocal(key, join(dir, 'scratch')), key).rejects.toThrow(/unsafe media key/)
    }
    for (const prefix of ['../', '/', 'ws/', `ws/${workspaceId}`, `ws/${workspaceId}/../`, `ws/${workspaceId}//`]) {
      await expect(store.deletePrefix(prefix), prefix).rejects.toThrow(/unsafe media prefix/)
    }
    expect(read).toBe(false)
    expect(existsSync(join(dir, 'x'))).toBe(false)
    if (backend.fake) expect(backend.fake.requests.slice(requestsBefore)).toEqual([])
  })

  it('leaves nothing behind when the source breaks off mid-upload', async () => {
    const key = sourceKey()
    // Past two parts, so the S3 driver has a multipart upload with parts in it to abort.
    const source = generatedStream(bigSize, 12 * mebibyte)
    const requestsBefore = backend.fake?.requests.length ?? 0
    await expect(store.put(key, source.stream)).rejects.toThrow('the source broke off')
    expect(await store.stat(key)).toBeUndefined()
    expect(await backend.traces(key)).toEqual([])
    if (backend.fake) {
      const operations = backend.fake.requests.slice(requestsBefore).map(request => request.operation)
      expect(operations).toContain('UploadPart')
      expect(operations).toContain('AbortMultipartUpload')
      expect(operations).not.toContain('CompleteMultipartUpload')
    }
  })

  it('opens a local copy for tools that need a path, and releases it', async () => {
    const scratch = join(dir, 'scratch')
    const { path, release } = await store.openLocal(smallKey, scratch)
    expect(await readFile(path)).toEqual(small)
    await release()
    if (driver === 'local') {
      // The local driver hands out the stored file itself, which release must not remove.
      expect(existsSync(path)).toBe(true)
    }
    else {
      expect(dirname(path)).toBe(scratch)
      expect(existsSync(path)).toBe(false)
    }
  })

  if (driver === 'local') {
    it('signs /media URLs that verify until they expire, and not when tampered with', async () => {
      const otherKey = sourceKey()
      const url = new URL(await store.signedUrl(smallKey, { expiresInSeconds: 300, downloadName: 'clip.mp4' }))
      expect(`${url.origin}${url.pathname}`).toBe(`${appUrl}/media/${smallKey}`)
      const expires = Number(url.searchParams.get('expires'))
      const signature = url.searchParams.get('signature')!
      const local = store as LocalMediaStore
      expect(local.verifySignature(smallKey, expires, signature, 'clip.mp4')).toBe(true)
      expect(local.verifySignature(otherKey, expires, signature, 'clip.mp4')).toBe(false)
      expect(local.verifySignature(smallKey, expires + 3600, signature, 'clip.mp4')).toBe(false)
      expect(local.verifySignature(smallKey, expires, `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`, 'clip.mp4')).toBe(false)
      expect(local.verifySignature(smallKey, expires, signature, 'other.mp4')).toBe(false)
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 301_000)
      expect(local.verifySignature(smallKey, expires, signature, 'clip.mp4')).toBe(false)
    })
  }

  if (driver === 's3') {
    it('presigns GET URLs a plain HTTP client can fetch whole or by range', async () => {
      const url = await store.signedUrl(smallKey, { expiresInSeconds: 300 })
      const whole = await fetch(url)
      expect(whole.status).toBe(200)
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(small)
      const part = await fetch(url, { headers: { range: 'bytes=100-199' } })
      expect(part.status).toBe(206)
      expect(part.headers.get('content-range')).toBe('bytes 100-199/1000')
      expect(Buffer.from(await part.arrayBuffer())).toEqual(small.subarray(100, 200))
      const pastTheEnd = await fetch(url, { headers: { range: 'bytes=2000-' } })
      expect(pastTheEnd.status).toBe(416)
      expect(await pastTheEnd.text()).toContain('<Code>InvalidRange</Code>')
    })

    it('asks for an attachment with the download name: quotes kept in filename*, replaced in the ASCII fallback', async () => {
      const url = await store.signedUrl(smallKey, { expiresInSeconds: 300, downloadName: 'Summer "launch" cut.mp4' })
      const response = await fetch(url)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="Summer _launch_ cut.mp4"; filename*=UTF-8\'\'Summer%20%22launch%22%20cut.mp4')
      await response.arrayBuffer()
    })

    it('presigned URLs stop working when they expire or are tampered with', async () => {
      const url = new URL(await store.signedUrl(smallKey, { expiresInSeconds: 60 }))
      const tamperings = [
        (copy: URL) => copy.pathname = `/${bucket}/${sourceKey()}`,
        (copy: URL) => copy.searchParams.set('X-Amz-Expires', '604800'),
        (copy: URL) => copy.searchParams.set('X-Amz-Signature', copy.searchParams.get('X-Amz-Signature')!.replace(/^./, first => first === '0' ? '1' : '0')),
        (copy: URL) => copy.searchParams.set('response-content-disposition', 'attachment; filename="evil.exe"'),
      ]
      for (const tamper of tamperings) {
        const copy = new URL(url)
        tamper(copy)
        const response = await fetch(copy)
        expect(response.status, copy.toString()).toBe(403)
        expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>')
      }
      const foreign = new URL(url)
      foreign.searchParams.set('X-Amz-Credential', url.searchParams.get('X-Amz-Credential')!.replace(credentials.accessKeyId, 'AKIASOMEONEELSE00001'))
      const foreignResponse = await fetch(foreign)
      expect(foreignResponse.status).toBe(403)
      expect(await foreignResponse.text()).toContain('<Code>InvalidAccessKeyId</Code>')
      expect((await fetch(url)).status).toBe(200)
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 61_000)
      const expired = await fetch(url)
      expect(expired.status).toBe(403)
      expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/)
    })

    it('retries a part the bucket failed, and a request it throttled', async () => {
      const fake = backend.fake!
      const requestsBefore = fake.requests.length
      fake.failNext('UploadPart', 500)
      fake.failNext('PutObject', 503)
      const big = generatedStream(11 * mebibyte)
      const key = sourceKey()
      await store.put(key, big.stream)
      expect(await sha256Of((await store.get(key)).body)).toBe(big.digest())
      const smallOne = sourceKey()
      await store.put(smallOne, Readable.from([small]))
      expect(await bytesOf((await store.get(smallOne)).body)).toEqual(small)
      const failed = fake.requests.slice(requestsBefore).filter(request => request.status >= 500)
      expect(failed.map(({ operation, status }) => ({ operation, status }))).toEqual([
        { operation: 'UploadPart', status: 500 },
        { operation: 'PutObject', status: 503 },
      ])
      expect(fake.pendingUploads()).toBe(0)
    })

    it('is refused by the bucket with the wrong credentials', async () => {
      const fake = backend.fake!
      const withWrongSecret = createS3MediaStore({ bucket, endpoint: fake.endpoint, forcePathStyle: true, accessKeyId: credentials.accessKeyId, secretAccessKey: 'not-the-secret' })
      await expect(withWrongSecret.stat(smallKey)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } })
      await expect(withWrongSecret.get(smallKey)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' })
      const withWrongKey = createS3MediaStore({ bucket, endpoint: fake.endpoint, forcePathStyle: true, accessKeyId: 'AKIASOMEONEELSE00001', secretAccessKey: credentials.secretAccessKey })
      await expect(withWrongKey.put(sourceKey(), Readable.from([small]))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' })
    })
  }
})
