// Media in an S3-compatible bucket: AWS S3, Cloudflare R2 (region 'auto') or Supabase Storage's S3 endpoint
// (forcePathStyle and the project's region). Uploads stream as multipart; signed URLs are S3 presigned GETs.
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3'
import type { GetObjectCommandOutput } from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { attachmentDisposition } from './disposition'
import { assertListablePrefix, assertSafeKey, assertSafePrefix } from './keys'
import { contentTypeOf } from './local'
import { MediaNotFoundError, RangeNotSatisfiableError } from './types'
import type { ByteRange, ListedObject, MediaStore, ObjectStream, PutOptions, SignedUrlOptions, StoredObjectInfo } from './types'

export interface S3MediaStoreOptions {
  bucket: string
  /** 'auto' for R2; the project's region for Supabase. */
  region?: string
  /** Unset for AWS; the provider's S3 endpoint otherwise. */
  endpoint?: string
  /** Without keys the SDK's default chain applies (environment, instance role). */
  accessKeyId?: string
  secretAccessKey?: string
  /** Supabase Storage and most self-hosted stores need path-style URLs. */
  forcePathStyle?: boolean
  /** Multipart part size; S3 refuses parts under 5 MiB. */
  partSizeBytes?: number
}

const mebibyte = 1024 * 1024
const defaultPartSizeBytes = 8 * mebibyte
const minimumPartSizeBytes = 5 * mebibyte
// Each part in flight is a buffer of partSizeBytes: two keep the connection busy at a bounded memory cost.
const partsInFlight = 2
// DeleteObjects takes at most this many keys a call.
const deleteBatchSize = 1000

export function createS3MediaStore(options: S3MediaStoreOptions): MediaStore {
  const bucket = options.bucket
  const partSize = Math.max(options.partSizeBytes ?? defaultPartSizeBytes, minimumPartSizeBytes)
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle ?? false,
    credentials: options.accessKeyId && options.secretAccessKey
      ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
      : undefined,
    // R2, Supabase and older MinIO have rejected the SDK's default CRC32 headers; send checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })

  async function stored(key: string): Promise<StoredObjectInfo | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: assertSafeKey(key) }))
      return { sizeBytes: head.ContentLength ?? 0, contentType: head.ContentType }
    }
    catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  }

  async function put(key: string, body: Readable, putOptions?: PutOptions): Promise<StoredObjectInfo> {
    assertSafeKey(key)
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: putOptions?.contentType ?? contentTypeOf(key) },
      partSize,
      queueSize: partsInFlight,
      // Abort the multipart upload on failure, so no orphaned parts are billed and no object appears.
      leavePartsOnError: false,
    })
    try {
      await upload.done()
    }
    catch (error) {
      // The SDK stops reading on failure; close the source so a file handle is not left open.
      body.destroy()
      throw error
    }
    const info = await stored(key)
    if (!info) throw new Error(`media ${key} was uploaded but the bucket does not list it`)
    return info
  }

  async function get(key: string, range?: ByteRange): Promise<ObjectStream> {
    assertSafeKey(key)
    // S3 ignores a malformed Range header and sends the whole object, so refuse bad ranges before asking.
    if (range && (!Number.isInteger(range.start) || range.start < 0 || (range.end !== undefined && range.end < range.start))) {
      const info = await stored(key)
      if (!info) throw new MediaNotFoundError(key)
      throw new RangeNotSatisfiableError(info.sizeBytes)
    }
    let response: GetObjectCommandOutput
    try {
      response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range && rangeHeader(range) }))
    }
    catch (error) {
      if (isNotFound(error)) throw new MediaNotFoundError(key)
      if (isRangeNotSatisfiable(error)) throw new RangeNotSatisfiableError(await sizeOf(key))
      throw error
    }
    const body = response.Body
    if (!(body instanceof Readable)) throw new Error(`the S3 client returned no stream for ${key}`)
    const contentLength = response.ContentLength ?? 0
    const served = parseContentRange(response.ContentRange)
    if (!range) return { body, contentLength, sizeBytes: contentLength, contentType: response.ContentType }
    if (!served) {
      // Some stores answer a range on an empty object with 200 and no bytes.
      body.destroy()
      if (contentLength === 0) throw new RangeNotSatisfiableError(0)
      throw new Error(`the bucket ignored the Range header for ${key}`)
    }
    return {
      body,
      contentLength,
      sizeBytes: served.sizeBytes,
      contentType: response.ContentType,
      range: { start: served.start, end: served.end },
    }
  }

  async function sizeOf(key: string): Promise<number> {
    return (await stored(key))?.sizeBytes ?? 0
  }

  async function deletePrefix(prefix: string): Promise<number> {
    assertSafePrefix(prefix)
    let removed = 0
    let continuationToken: string | undefined
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }))
      const keys = (page.Contents ?? []).map(object => object.Key).filter((key): key is string => key !== undefined)
      for (let index = 0; index < keys.length; index += deleteBatchSize) {
        removed += await deleteBatch(keys.slice(index, index + deleteBatchSize))
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (continuationToken)
    return removed
  }

  async function* list(prefix: string): AsyncIterable<ListedObject> {
    assertListablePrefix(prefix)
    let continuationToken: string | undefined
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: continuationToken }))
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue
        yield { key: object.Key, sizeBytes: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) }
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (continuationToken)
  }

  async function deleteBatch(keys: string[]): Promise<number> {
    const result = await client.send(new DeleteObjectsCommand({
      Bucket: bucket,
      Delete: { Objects: keys.map(key => ({ Key: key })), Quiet: true },
    }))
    // DeleteObjects answers 200 even when some keys failed; those are listed in Errors.
    const failures = result.Errors ?? []
    if (failures.length > 0) {
      const first = failures[0]!
      throw new Error(`could not delete ${failures.length} media object(s), first ${first.Key}: ${first.Code} ${first.Message}`)
    }
    return keys.length
  }

  async function openLocal(key: string, scratchDir: string) {
    const { body } = await get(key)
    await mkdir(scratchDir, { recursive: true })
    // The key's file name is kept at the end so tools that look at the extension (ffmpeg) still can.
    const path = join(scratchDir, `${randomUUID()}-${basename(key)}`)
    const release = () => rm(path, { force: true })
    try {
      await pipeline(body, createWriteStream(path, { flags: 'wx' }))
    }
    catch (error) {
      await release()
      throw error
    }
    return { path, release }
  }

  return {
    driver: 's3',
    put,
    // The key is checked before the file is opened, so a refused key touches nothing.
    putFile: async (key, path, putOptions) => put(assertSafeKey(key), createReadStream(path), putOptions),
    get,
    stat: stored,
    async delete(key: string) {
      // S3 answers 204 for a missing key too, which is the contract here.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: assertSafeKey(key) }))
    },
    deletePrefix,
    list,
    async signedUrl(key: string, { expiresInSeconds, downloadName }: SignedUrlOptions) {
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: assertSafeKey(key),
        ResponseContentDisposition: downloadName ? attachmentDisposition(downloadName) : undefined,
      })
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds })
    },
    openLocal,
  }
}

function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end ?? ''}`
}

function parseContentRange(header: string | undefined): { start: number, end: number, sizeBytes: number } | undefined {
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header ?? '')
  if (!match) return undefined
  return { start: Number(match[1]), end: Number(match[2]), sizeBytes: Number(match[3]) }
}

function statusOf(error: unknown): number | undefined {
  return error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined
}

function isNotFound(error: unknown): boolean {
  // GetObject names it NoSuchKey; HeadObject has no body, so only its status says so. A missing bucket is a setup error.
  return error instanceof S3ServiceException && error.name !== 'NoSuchBucket' && (error.name === 'NoSuchKey' || statusOf(error) === 404)
}

function isRangeNotSatisfiable(error: unknown): boolean {
  return error instanceof S3ServiceException && (error.name === 'InvalidRange' || statusOf(error) === 416)
}
