// Where unfinished tus uploads live, and how their lock is taken.
// - Local storage: this machine's disk (FileStore), the in-memory lock. One web instance.
// - STORAGE_DRIVER=s3: the bucket (@tus/s3-store), so any web instance can take the next PATCH.
//   With REDIS_URL, the upload-info cache (IoRedisKvStore) and the upload lock (RedisLocker) are shared too, and the
//   web service can run more than one instance.
// A full disk while staging fails the upload with a clear 507, and its partial bytes and reservation go. A creation that
// fails (a full disk, an unreachable bucket) gives its reservation back at once, not at the daily sweep.
import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { join, resolve, sep } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { FileStore } from '@tus/file-store'
import { MemoryLocker } from '@tus/server'
import { S3Store } from '@tus/s3-store'
import type { MetadataValue } from '@tus/s3-store'
import { ERRORS, IoRedisKvStore } from '@tus/utils'
import type { DataStore, Locker, Upload } from '@tus/utils'
import { Redis } from 'ioredis'
import { isDiskFull, UPLOAD_DISK_FULL_MESSAGE } from '../media/disk-full'
import type { S3MediaStoreOptions } from '../media/storage/s3'
import { redisConnectionName } from '../system/redis'
import { RedisLocker } from './redis-locker'

export interface UploadDatastoreOptions {
  stagingDir: string
  expirationPeriodInMilliseconds: number
  /** Set when media lives in S3: unfinished uploads go to the same bucket. */
  s3?: S3MediaStoreOptions
  redisUrl?: string
  /** An upload that cannot go on (its creation failed, or it filled the disk): its staged bytes and reservation go. */
  discard: (uploadId: string) => Promise<void>
}

export interface StagedUpload {
  /** The finished upload as a file on this machine: ffprobe reads only local files. */
  path: string
  /** Its sha256, computed while it was fetched (S3), or undefined when it was already local. */
  sha256?: string
  release: () => Promise<void>
}

export interface UploadDatastore {
  datastore: DataStore
  locker: Locker
  /** Opens a finished upload for the finish step (probe, hash, store). */
  openFinished: (uploadId: string) => Promise<StagedUpload>
  close: () => Promise<void>
}

/** The diskFull answer tus sends back: its status and body become the HTTP response. */
export function diskFullRefusal(): { status_code: number, body: string } {
  return { status_code: 507, body: UPLOAD_DISK_FULL_MESSAGE }
}

/** FileStore, with a full disk told apart from a dropped connection (FileStore turns both into FILE_WRITE_ERROR). */
class StagingFileStore extends FileStore {
  constructor(private readonly stagingDir: string, expirationPeriodInMilliseconds: number, private readonly discard: (id: string) => Promise<void>) {
    super({ directory: stagingDir, expirationPeriodInMilliseconds })
  }

  override async create(upload: Upload): Promise<Upload> {
    try {
      return await super.create(upload)
    }
    catch (error) {
      // tus reserved the quota (onUploadCreate) before this; the upload will never exist, so neither does the reservation.
      await this.discard(upload.id)
      if (isDiskFull(error)) throw diskFullRefusal()
      throw error
    }
  }

  override async write(readable: IncomingMessage | Readable, id: string, offset: number): Promise<number> {
    const root = resolve(this.stagingDir)
    const path = resolve(root, id)
    if (!path.startsWith(root + sep)) throw ERRORS.FILE_NOT_FOUND
    let received = 0
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length
        done(null, chunk)
      },
    })
    try {
      await pipeline(readable, counter, createWriteStream(path, { flags: 'r+', start: offset }))
    }
    catch (error) {
      if (isDiskFull(error)) {
        await this.discard(id)
        throw diskFullRefusal()
      }
      throw ERRORS.FILE_WRITE_ERROR
    }
    return offset + received
  }
}

// S3Store keeps `<id>`, `<id>.info` and `<id>.part` at the bucket's top level (2.x has no key prefix: its ListParts names
// the bare id), which is outside the `ws/` the storage sweep lists; the upload sweep expires them.
class StagingS3Store extends S3Store {
  constructor(options: ConstructorParameters<typeof S3Store>[0], private readonly discard: (id: string) => Promise<void>) {
    super(options)
  }

  override async create(upload: Upload): Promise<Upload> {
    try {
      return await super.create(upload)
    }
    catch (error) {
      // As for the FileStore: a creation the bucket refused keeps no reservation.
      await this.discard(upload.id)
      throw error
    }
  }

  // S3Store.remove aborts the multipart upload and deletes `<id>` and `<id>.info`, but not the incomplete `<id>.part`
  // a PATCH smaller than a part leaves: a canceled or expired upload would keep those bytes in the bucket for ever.
  // Nor its cached info when the multipart upload was already gone (deleteExpired took it): it throws before that.
  override async remove(id: string): Promise<void> {
    try {
      await super.remove(id)
    }
    finally {
      await this.client.deleteObject({ Bucket: this.bucket, Key: this.partKey(id, true) })
      await this.clearCache(id)
    }
  }

  // S3Store.deleteExpired aborts expired multipart uploads and deletes their objects, but leaves their entries in the
  // info cache (Redis, with REDIS_URL): the same listing names them first, and they go after.
  override async deleteExpired(): Promise<number> {
    const expired = await this.expiredUploadIds()
    const deleted = await super.deleteExpired()
    for (const id of expired) await this.clearCache(id)
    return deleted
  }

  /** The ids of multipart uploads started longer ago than the expiration period, by the listing deleteExpired reads. */
  private async expiredUploadIds(): Promise<string[]> {
    if (this.getExpiration() === 0) return []
    const ids: string[] = []
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const page = await this.client.listMultipartUploads({ Bucket: this.bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker })
      for (const upload of page.Uploads ?? []) {
        if (upload.Key && upload.Initiated && Date.now() > this.getExpirationDate(upload.Initiated.toISOString()).getTime()) ids.push(upload.Key)
      }
      if (!page.IsTruncated) return ids
      keyMarker = page.NextKeyMarker
      uploadIdMarker = page.NextUploadIdMarker
    }
  }

  /** The finished upload's object, streamed. */
  async readFinished(id: string): Promise<Readable> {
    const object = await this.client.getObject({ Bucket: this.bucket, Key: this.partKey(id) })
    if (!(object.Body instanceof Readable)) throw new Error(`the bucket returned no stream for upload ${id}`)
    return object.Body
  }
}

export function createUploadDatastore(options: UploadDatastoreOptions): UploadDatastore {
  const redis = options.redisUrl ? new Redis(options.redisUrl, { maxRetriesPerRequest: 3, connectionName: redisConnectionName('uploads') }) : undefined
  const locker: Locker = redis ? new RedisLocker(redis) : new MemoryLocker()
  const closeRedis = async () => {
    if (locker instanceof RedisLocker) await locker.close()
    await redis?.quit().catch(() => {})
  }

  if (!options.s3) {
    const datastore = new StagingFileStore(options.stagingDir, options.expirationPeriodInMilliseconds, options.discard)
    return {
      datastore,
      locker,
      openFinished: async id => ({ path: join(options.stagingDir, id), release: async () => {} }),
      close: closeRedis,
    }
  }

  const s3 = options.s3
  const datastore = new StagingS3Store({
    // Parts of 8 MiB (S3's minimum is 5): smaller PATCHes are kept as an incomplete part in the bucket until one fills.
    partSize: Math.max(s3.partSizeBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024),
    expirationPeriodInMilliseconds: options.expirationPeriodInMilliseconds,
    // Expiry is the upload sweep's job (it also gives back the reservation), not object tags.
    useTags: false,
    cache: redis ? new IoRedisKvStore<MetadataValue>(redis, 'reelwise:tus:info:') : undefined,
    s3ClientConfig: {
      bucket: s3.bucket,
      region: s3.region ?? 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: s3.forcePathStyle ?? false,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  }, options.discard)
  return {
    datastore,
    locker,
    // ffprobe is allowed the file protocol only (never http for a user's file), so a presigned URL is not an option:
    // the finished upload is fetched once into the staging folder, hashed on the way, and removed after the finish step.
    async openFinished(id) {
      await mkdir(options.stagingDir, { recursive: true })
      const path = join(options.stagingDir, `finish-${randomUUID()}`)
      const release = () => rm(path, { force: true })
      const hash = createHash('sha256')
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk)
          done(null, chunk)
        },
      })
      try {
        await pipeline(await datastore.readFinished(id), hashing, createWriteStream(path, { flags: 'wx' }))
      }
      catch (error) {
        await release()
        if (isDiskFull(error)) throw diskFullRefusal()
        throw error
      }
      return { path, sha256: hash.digest('hex'), release }
    },
    close: closeRedis,
  }
}
