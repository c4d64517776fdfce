import { join } from 'node:path'
import { z } from 'zod'
import { assetUploadQuery, studioAssetLimits } from '../../../../../../shared/studio'
import { formatBytes } from '../../../../../../shared/library'
import { uploadStudioAsset } from '../../../../../services/studio/assets'

// The multipart envelope around the file: boundaries and part headers, never more than a few KB.
const ENVELOPE_BYTES = 64 * 1024
const filePart = z.object({ name: z.literal('file'), filename: z.string().max(255).optional(), data: z.instanceof(Buffer) })

// One file in a multipart part named `file`; ?kind=music|logo says what it should be, ffprobe decides whether it is.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { kind, name } = await getValidatedQuery(event, assetUploadQuery.parse)
  // The body is read into memory, so its size is checked before a byte of it is read.
  const declared = Number(getRequestHeader(event, 'content-length'))
  if (!Number.isInteger(declared) || declared <= 0) throw createError({ status: 411, statusText: 'Send the file with its size (Content-Length); uploads of unknown length are not accepted.' })
  const limit = studioAssetLimits[kind].maxBytes
  if (declared > limit + ENVELOPE_BYTES) throw createError({ status: 413, statusText: `This file is over ${formatBytes(limit)}, the most a ${kind === 'music' ? 'music track' : 'logo'} may be. Export it smaller first.` })
  const file = ((await readMultipartFormData(event)) ?? []).map(part => filePart.safeParse(part)).find(part => part.success)?.data
  if (!file) throw createError({ status: 400, statusText: 'Send the file in a form field named "file".' })
  const config = useServerConfig()
  setResponseStatus(event, 201)
  return uploadStudioAsset(
    { db: useDb(), store: useMediaStore(), tools: await useMediaTools(), scratchDir: join(config.dataDir, 'tmp') },
    { workspaceId, userId: user.id, kind, name, filename: file.filename, data: file.data },
  )
})
