import { join } from 'node:path'
import { assetUploadQuery, studioAssetLimits } from '#shared/studio'
import { formatBytes } from '#shared/library'
import { uploadStudioAsset } from '../../../../../services/studio/assets'

// The body is the file itself (?kind=music|logo says what it should be, ffprobe decides whether it is). It streams
// to disk as it arrives, so its size is checked before a byte of it is read and memory stays flat.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { kind, name, filename } = await getValidatedQuery(event, assetUploadQuery.parse)
  if (/^multipart\//i.test(getRequestHeader(event, 'content-type') ?? '')) {
    throw createError({ status: 415, statusText: 'Send the file itself as the request body (Content-Type: application/octet-stream), not a form.' })
  }
  const declared = Number(getRequestHeader(event, 'content-length'))
  if (!Number.isInteger(declared) || declared < 0) throw createError({ status: 411, statusText: 'Send the file with its size (Content-Length); uploads of unknown length are not accepted.' })
  const limit = studioAssetLimits[kind].maxBytes
  if (declared > limit) throw createError({ status: 413, statusText: `This file is over ${formatBytes(limit)}, the most a ${kind === 'music' ? 'music track' : 'logo'} may be. Export it smaller first.` })
  const config = useServerConfig()
  const asset = await uploadStudioAsset(
    { db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp'), workspaceQuotaBytes: config.uploads.workspaceQuotaBytes },
    { workspaceId, userId: user.id, kind, name, filename, body: { stream: event.node.req, sizeBytes: declared } },
  )
  setResponseStatus(event, 201)
  return asset
})
