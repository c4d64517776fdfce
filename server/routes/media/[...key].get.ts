import { z } from 'zod'
import type { LocalMediaStore } from '../../services/media/storage/local'
import { attachmentDisposition } from '../../services/media/storage/disposition'
import { parseRange } from '../../services/media/storage/range'

// Serves local-disk media to whoever holds a signed URL (the signature, not a session, is the permission:
// players, ffmpeg and social platforms fetch these). Supports Range so a player can seek. S3 serves its own URLs.
const query = z.object({
  expires: z.coerce.number().int(),
  signature: z.string().min(10).max(100),
  download: z.string().max(255).optional(),
})

export default defineEventHandler(async (event) => {
  const store = useMediaStore()
  const { key } = await getValidatedRouterParams(event, z.object({ key: z.string().max(400) }).parse, { decode: true })
  // A bad or missing signature is a 403 like a wrong one, so the query is checked by hand rather than with a 400.
  const params = await getValidatedQuery(event, value => query.safeParse(value))
  if (store.driver !== 'local' || !params.success || !(store as LocalMediaStore).verifySignature(key, params.data.expires, params.data.signature, params.data.download)) {
    throw createError({ status: 403, statusText: 'This media link is invalid or has expired. Reload the page to get a fresh one.' })
  }
  const info = await store.stat(key)
  if (!info) throw createError({ status: 404, statusText: 'This media file no longer exists.' })
  const range = parseRange(getRequestHeader(event, 'range'), info.sizeBytes)
  setResponseHeaders(event, {
    'Accept-Ranges': 'bytes',
    'Content-Type': info.contentType ?? 'application/octet-stream',
    // The URL changes when it is re-signed; within its life the bytes never change.
    'Cache-Control': 'private, max-age=3600',
  })
  if (params.data.download) {
    setResponseHeader(event, 'Content-Disposition', attachmentDisposition(params.data.download))
  }
  if (range === 'unsatisfiable') {
    setResponseHeader(event, 'Content-Range', `bytes */${info.sizeBytes}`)
    throw createError({ status: 416, statusText: 'The requested range is outside the file.' })
  }
  const object = await store.get(key, range)
  setResponseHeader(event, 'Content-Length', object.contentLength)
  if (object.range) {
    setResponseStatus(event, 206)
    setResponseHeader(event, 'Content-Range', `bytes ${object.range.start}-${object.range.end}/${info.sizeBytes}`)
  }
  if (event.method === 'HEAD') {
    object.body.destroy()
    return null
  }
  return sendStream(event, object.body)
})
