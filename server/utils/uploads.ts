import type { H3Event } from 'h3'
import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { createUploadService } from '../services/library/uploads'
import type { UploadService } from '../services/library/uploads'

let service: UploadService | undefined

/** The tus upload service of this process: staged on its disk or, with S3, in the bucket; locked in memory or, with REDIS_URL, in Redis. */
export function useUploads(): UploadService {
  const config = useServerConfig()
  service ??= createUploadService({
    db: useDb(),
    store: useMediaStore(),
    tools: useMediaTools,
    stagingDir: config.uploads.stagingDir,
    maxSizeBytes: config.uploads.maxSizeBytes,
    workspaceQuotaBytes: config.uploads.workspaceQuotaBytes,
    s3: config.storage.s3,
    redisUrl: config.redisUrl,
    footageLimits: config.uploads.footageLimits,
    queueAnalysis: async ({ workspaceId, videoId }) => {
      await queueVideoAnalysis(workspaceId, videoId)
    },
    log: message => console.log(message),
  })
  return service
}

/** Closes the upload service's Redis connections at shutdown, if this process made the service. */
export async function closeUploads(): Promise<void> {
  const current = service
  service = undefined
  await current?.close()
}

// POST has no upload id yet; HEAD, PATCH and DELETE name one.
const uploadParams = z.object({ uploadId: uuidParam.optional() })
// An upload URL is ids and slashes only: a query, an encoded slash or a backslash could make tus read another id than the route.
const plainUploadUrl = /^[\w/-]+$/

/** Every tus request (POST creates, HEAD asks the offset, PATCH sends more, DELETE cancels), after the member check. */
export async function handleUploadRequest(event: H3Event): Promise<void> {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { uploadId } = await getValidatedRouterParams(event, uploadParams.parse)
  if (!plainUploadUrl.test(event.node.req.url ?? '')) {
    throw createError({ status: 400, statusText: 'This upload address has extra parts (a query or encoded characters). Resume the upload at the address the server gave when it started.' })
  }
  if (uploadId !== undefined) await useUploads().assertOwned(workspaceId, uploadId)
  // Canceling gives the reservation back before tus answers, so the 204 means the quota is free already (a list
  // fetched right after it shows it). Bytes tus could not remove go with the day-old sweep.
  if (uploadId !== undefined && event.method === 'DELETE') await useUploads().releaseReservation(uploadId)
  await useUploads().handle(event.node.req, event.node.res, { workspaceId, userId: user.id, uploadId })
}
