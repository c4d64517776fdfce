// Resumable uploads over tus (@tus/server). Bytes are staged on this machine's disk (FileStore), or in the bucket
// when media lives in S3 (upload-datastore.ts), and streamed, never held whole in memory. A Video row in status `uploading` reserves the quota from the first
// request; when the last byte lands, ffprobe decides what the file is. A video moves into media storage and
// is queued for analysis; anything else is deleted, row and bytes, and the client is told why.
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Transform } from 'node:stream'
import { Server } from '@tus/server'
import type { Upload } from '@tus/server'
import { z } from 'zod'
import type { PrismaClient } from '../../generated/prisma/client'
import { isDiskFull } from '../media/disk-full'
import type { MediaTools } from '../media/ffmpeg'
import { assertWithinLimits, NotAVideoError, probeVideo } from '../media/probe'
import type { FootageLimits, VideoProbe } from '../media/probe'
import { contentTypeOf } from '../media/storage/local'
import { videoSourceKey } from '../media/storage/keys'
import type { S3MediaStoreOptions } from '../media/storage/s3'
import type { MediaStore } from '../media/storage/types'
import { formatBytes } from '#shared/library'
import { notFound } from '../errors'
import { createUploadDatastore, diskFullRefusal } from './upload-datastore'
import { lockWorkspaceQuota, quotaRefusal, workspaceUsedBytes } from './usage'

export interface UploadCaller {
  workspaceId: string
  userId: string
  /** The upload the route authorised (HEAD, PATCH, DELETE); tus acts on this one and no other. */
  uploadId?: string
}

export interface UploadServiceOptions {
  db: PrismaClient
  store: MediaStore
  tools: () => Promise<MediaTools>
  stagingDir: string
  maxSizeBytes: number
  workspaceQuotaBytes: number
  /** Media in S3: unfinished uploads are kept in the bucket too, so any web instance can take the next PATCH. */
  s3?: S3MediaStoreOptions
  /** Shares the upload-info cache and the upload lock between web instances. */
  redisUrl?: string
  footageLimits: FootageLimits
  /** Queues the analysis of a stored video (media.analyse). */
  queueAnalysis: (video: { workspaceId: string, videoId: string }) => Promise<void>
  log?: (message: string) => void
}

// What the page sends as tus metadata. The workspace and the uploader come from the session, never from here.
const uploadMetadata = z.object({
  filename: z.string().trim().min(1).max(255).optional(),
  title: z.string().trim().min(1).max(200).optional(),
  kind: z.enum(['reference', 'footage']).default('footage'),
})

const UNFINISHED_UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000

/** A tus error: @tus/server answers with this status and body. */
function refuse(status: number, message: string): { status_code: number, body: string } {
  return { status_code: status, body: message }
}

function titleFrom(filename: string | undefined): string {
  const base = (filename ?? 'Untitled video').replace(/\.[a-z0-9]{1,5}$/i, '').replace(/[_-]+/g, ' ').trim()
  return base.slice(0, 200) || 'Untitled video'
}

export function createUploadService(options: UploadServiceOptions) {
  const { db } = options
  const callers = new WeakMap<IncomingMessage, UploadCaller>()
  const staging = createUploadDatastore({
    stagingDir: options.stagingDir,
    expirationPeriodInMilliseconds: UNFINISHED_UPLOAD_LIFETIME_MS,
    s3: options.s3,
    redisUrl: options.redisUrl,
    discard: uploadId => discard(uploadId),
  })
  const datastore = staging.datastore

  function callerOf(request: Request): UploadCaller {
    const node = (request as Request & { runtime?: { node?: { req: IncomingMessage } } }).runtime?.node?.req
    const caller = node && callers.get(node)
    if (!caller) throw new Error('an upload request reached tus without a caller')
    return caller
  }

  async function reserve(caller: UploadCaller, upload: Upload): Promise<void> {
    const parsed = uploadMetadata.safeParse(Object.fromEntries(Object.entries(upload.metadata ?? {}).filter(([, value]) => value !== null)))
    if (!parsed.success) throw refuse(400, `Bad upload details: ${parsed.error.issues.map(issue => `${issue.path.join('.')} ${issue.message}`).join('; ')}`)
    if (upload.size === undefined) throw refuse(400, 'Send the file size when the upload starts (Upload-Length); uploads of unknown length are not accepted.')
    if (upload.size === 0) throw refuse(400, 'This file is empty (0 bytes). Pick the video file again.')
    const { filename, kind } = parsed.data
    await db.$transaction(async (tx) => {
      // One reservation at a time per workspace, so two uploads cannot both squeeze under the quota.
      await lockWorkspaceQuota(tx, caller.workspaceId)
      const refusal = quotaRefusal(upload.size!, await workspaceUsedBytes(tx, caller.workspaceId), options.workspaceQuotaBytes)
      if (refusal) throw refuse(413, refusal)
      await tx.video.create({
        data: {
          workspaceId: caller.workspaceId,
          uploadedById: caller.userId,
          kind,
          status: 'uploading',
          title: parsed.data.title ?? titleFrom(filename),
          originalFilename: filename,
          sizeBytes: BigInt(upload.size!),
          uploadId: upload.id,
        },
      })
    })
  }

  /** Hashes and stores the staged file, then records what ffprobe found. */
  async function store(video: { id: string, workspaceId: string }, stagedPath: string, probe: VideoProbe) {
    const key = videoSourceKey(video.workspaceId, video.id, probe.container)
    const hash = createHash('sha256')
    // Hashed on the way through, so the file is read once; a Transform keeps back-pressure intact.
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk)
        done(null, chunk)
      },
    })
    const source = createReadStream(stagedPath)
    source.on('error', error => hashing.destroy(error))
    const stored = await options.store.put(key, source.pipe(hashing), { contentType: contentTypeOf(key) })
    return { key, sizeBytes: stored.sizeBytes, sha256: hash.digest('hex') }
  }

  async function discard(uploadId: string) {
    await datastore.remove(uploadId).catch(() => {})
    await db.video.deleteMany({ where: { uploadId, status: 'uploading' } })
  }

  async function finish(caller: UploadCaller, upload: Upload): Promise<{ headers: Record<string, string> }> {
    const video = await db.video.findFirst({ where: { uploadId: upload.id, workspaceId: caller.workspaceId, status: 'uploading' } })
    if (!video) throw refuse(404, 'This upload was canceled or has expired. Start it again.')
    let staged: Awaited<ReturnType<typeof staging.openFinished>>
    let probe: VideoProbe
    try {
      staged = await staging.openFinished(upload.id)
    }
    catch (error) {
      await discard(upload.id)
      throw error
    }
    try {
      probe = await probeVideo(staged.path, await options.tools())
      assertWithinLimits(probe, options.footageLimits)
    }
    catch (error) {
      await staged.release()
      await discard(upload.id)
      if (error instanceof NotAVideoError) throw refuse(422, error.message)
      throw error
    }
    let stored: Awaited<ReturnType<typeof store>> | undefined
    try {
      stored = await store(video, staged.path, probe)
      await db.video.update({
        where: { id: video.id },
        data: {
          status: 'uploaded',
          uploadId: null,
          storageKey: stored.key,
          sizeBytes: BigInt(stored.sizeBytes),
          sha256: stored.sha256,
          mimeType: contentTypeOf(stored.key),
          durationMs: Math.round(probe.durationSeconds * 1000),
          width: probe.video.displayWidth,
          height: probe.video.displayHeight,
          fps: probe.video.fps,
          videoCodec: probe.video.codec,
          audioCodec: probe.audio?.codec ?? null,
          probe: JSON.parse(JSON.stringify(probe)),
        },
      })
    }
    catch (error) {
      // Nothing half-made: no stored object and no row.
      if (stored) await options.store.delete(stored.key).catch(() => {})
      await discard(upload.id)
      if (isDiskFull(error)) throw diskFullRefusal()
      throw error
    }
    finally {
      await staged.release()
    }
    await datastore.remove(upload.id).catch(() => {})
    await options.queueAnalysis({ workspaceId: video.workspaceId, videoId: video.id })
    options.log?.(`[library] stored video ${video.id} (${formatBytes(stored.sizeBytes)}, ${probe.container}, ${probe.durationSeconds.toFixed(1)} s)`)
    return { headers: { 'Reelwise-Video-Id': video.id } }
  }

  const server = new Server({
    path: '/api/workspaces/uploads',
    datastore,
    locker: staging.locker,
    maxSize: options.maxSizeBytes,
    namingFunction: () => randomUUID(),
    generateUrl: (request, { id }) => `/api/workspaces/${callerOf(request).workspaceId}/uploads/${id}`,
    exposedHeaders: ['Reelwise-Video-Id'],
    // tus would read the id from the URL's last `/segment`, query included (`/uploads/M?x=/V` names V); the id
    // that assertOwned checked is the only one it may touch.
    getFileIdFromRequest: request => callerOf(request).uploadId,
    async onUploadCreate(request, upload) {
      await reserve(callerOf(request), upload)
      return {}
    },
    onUploadFinish: (request, upload) => finish(callerOf(request), upload),
    // A full disk anywhere on the way (creating the upload, its bytes, storing it) is named, with what to do.
    onResponseError: (_request, error) => isDiskFull(error) ? diskFullRefusal() : undefined,
  })

  return {
    /** Refuses an upload id that is not an unfinished upload of this workspace (another workspace's is as good as unknown). */
    async assertOwned(workspaceId: string, uploadId: string): Promise<void> {
      const owned = await db.video.count({ where: { uploadId, workspaceId, status: 'uploading' } })
      if (owned === 0) throw notFound('This upload (it may have finished, expired or been canceled; start it again)')
    },
    /** Hands a request that `requireMember` (and `assertOwned`) have already admitted to tus. */
    handle(request: IncomingMessage, response: ServerResponse, caller: UploadCaller): Promise<void> {
      callers.set(request, caller)
      return server.handle(request, response)
    },
    /** Cancels an unfinished upload: its staged bytes and its reservation. */
    cancel: discard,
    /** Gives an unfinished upload's quota reservation back (its row); tus then removes the staged bytes. */
    async releaseReservation(uploadId: string): Promise<void> {
      await db.video.deleteMany({ where: { uploadId, status: 'uploading' } })
    },
    /** Closes the shared lock's and info cache's Redis connections (at shutdown). */
    close: () => staging.close(),
    /** Removes unfinished uploads older than a day, with their reservations. */
    async removeExpired(): Promise<number> {
      const cutoff = new Date(Date.now() - UNFINISHED_UPLOAD_LIFETIME_MS)
      // The staging area's own expiry (on S3: ListMultipartUploads) finds uploads no row names any more. If it fails,
      // the rows are still settled, then the failure is reported: a silent 0 hid a bucket that could not list.
      const expired = await datastore.deleteExpired().then(count => ({ count, error: undefined }), (error: unknown) => ({ count: 0, error }))
      const stale = await db.video.findMany({ where: { status: 'uploading', createdAt: { lt: cutoff } }, select: { uploadId: true } })
      for (const { uploadId } of stale) {
        if (uploadId) await discard(uploadId)
      }
      if (expired.error) throw expired.error
      return expired.count + stale.length
    },
  }
}

export type UploadService = ReturnType<typeof createUploadService>
