// YouTube's resumable upload protocol, by hand (the official client uploads in one request): open a session with the
// video's details, PUT the bytes in chunks, ask the session how far it got after anything went wrong.
import { open } from 'node:fs/promises'
import { z } from 'zod'
import { platformUrl, PlatformError, type PlatformApp } from '../connector'
import { malformedReply, networkError, youtubeError } from './errors'
import { CHUNK_UNIT_BYTES, YOUTUBE_ENDPOINTS } from './limits'

export interface UploadContext { app: PlatformApp, accessToken: string, signal?: AbortSignal }

export const uploadedVideoSchema = z.object({
  id: z.string(),
  status: z.object({ privacyStatus: z.string().optional(), uploadStatus: z.string().optional() }).loose().optional(),
}).loose()
export type UploadedVideo = z.infer<typeof uploadedVideoSchema>

/** What a session said: where to go on from, that it holds the whole video, or that it is gone. */
export type SessionState = { state: 'partial', nextByte: number } | { state: 'done', video: UploadedVideo } | { state: 'expired' }

/** Every chunk but the last must be a multiple of 256 KiB. */
export function checkChunkSize(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes % CHUNK_UNIT_BYTES !== 0) {
    throw new RangeError(`A YouTube upload chunk must be a positive multiple of 256 KiB (${CHUNK_UNIT_BYTES} bytes); got ${bytes}`)
  }
  return bytes
}

/** The chunk that starts at `start`: its last byte (inclusive) and its Content-Range header. */
export function chunkAt(start: number, total: number, chunkBytes: number): { start: number, end: number, contentRange: string } {
  const end = Math.min(start + chunkBytes, total) - 1
  return { start, end, contentRange: `bytes ${start}-${end}/${total}` }
}

/** The byte to send next after a 308: `Range: bytes=0-N` means N+1; no Range means nothing was kept. */
export function nextByteFromRange(range: string | null): number {
  if (!range) return 0
  const match = /^bytes=0-(\d+)$/.exec(range.trim())
  if (!match) throw new RangeError(`YouTube sent a Range header this client does not read: ${range}`)
  return Number(match[1]) + 1
}

async function send(context: UploadContext, what: string, url: string, init: RequestInit): Promise<Response> {
  const doFetch = context.app.fetch ?? fetch
  try {
    return await doFetch(platformUrl(context.app, url), {
      ...init,
      headers: { Authorization: `Bearer ${context.accessToken}`, ...init.headers as Record<string, string> },
      signal: context.signal,
    })
  }
  catch (error) {
    throw networkError(what, error)
  }
}

const bodyOf = async (response: Response): Promise<unknown> => {
  const text = await response.text()
  try {
    return JSON.parse(text)
  }
  catch {
    return text
  }
}

/** Opens a session: its URI comes back in Location, and is what every later request of this upload goes to. */
export async function startSession(context: UploadContext, file: { sizeBytes: number, contentType: string }, resource: object): Promise<string> {
  const response = await send(context, 'starting the upload', YOUTUBE_ENDPOINTS.upload, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json; charset=UTF-8',
      'X-Upload-Content-Length': String(file.sizeBytes),
      'X-Upload-Content-Type': file.contentType,
    },
    body: JSON.stringify(resource),
  })
  const location = response.headers.get('location')
  if (response.status !== 200 || !location) throw response.status === 200 ? malformedReply('starting the upload', 'no Location header') : youtubeError(response.status, await bodyOf(response), response.headers)
  await response.body?.cancel()
  return location
}

async function sessionState(what: string, response: Response): Promise<SessionState> {
  if (response.status === 308) {
    await response.body?.cancel()
    return { state: 'partial', nextByte: nextByteFromRange(response.headers.get('range')) }
  }
  const body = await bodyOf(response)
  if (response.status === 200 || response.status === 201) {
    const video = uploadedVideoSchema.safeParse(body)
    if (!video.success) throw malformedReply(what, body)
    return { state: 'done', video: video.data }
  }
  if (response.status === 404 || response.status === 410) return { state: 'expired' }
  throw youtubeError(response.status, body, response.headers)
}

/** Asks a session how many bytes it holds (`bytes * /total`), to go on from there. */
export async function querySession(context: UploadContext, sessionUri: string, total: number): Promise<SessionState> {
  const response = await send(context, 'resuming the upload', sessionUri, { method: 'PUT', headers: { 'Content-Range': `bytes */${total}` } })
  return sessionState('resuming the upload', response)
}

/** Sends the bytes from `nextByte` on, chunk by chunk, until the session holds the whole file or something fails. */
export async function sendChunks(
  context: UploadContext, sessionUri: string, file: { path: string, sizeBytes: number },
  nextByte: number, chunkBytes: number, onProgress?: (sentBytes: number) => void,
): Promise<SessionState> {
  const handle = await open(file.path, 'r')
  try {
    let state: SessionState = { state: 'partial', nextByte }
    let stalls = 0
    while (state.state === 'partial') {
      // A session that keeps taking chunks without keeping them would loop for ever: give up after a few.
      if (state.nextByte >= file.sizeBytes || (state.nextByte <= nextByte && ++stalls > 3)) {
        throw new PlatformError('youtube', 'YouTube kept none of the video\'s last chunks; the upload will be tried again later.', { code: 'uploadStalled', status: 503 })
      }
      nextByte = state.nextByte
      const chunk = chunkAt(state.nextByte, file.sizeBytes, chunkBytes)
      const bytes = Buffer.alloc(chunk.end - chunk.start + 1)
      await handle.read(bytes, 0, bytes.length, chunk.start)
      const response = await send(context, 'uploading the video', sessionUri, {
        method: 'PUT',
        headers: { 'Content-Range': chunk.contentRange, 'Content-Type': 'application/octet-stream' },
        body: bytes,
      })
      state = await sessionState('uploading the video', response)
      if (state.state === 'partial' && state.nextByte > nextByte) stalls = 0
      if (state.state === 'partial') onProgress?.(state.nextByte)
      else if (state.state === 'done') onProgress?.(file.sizeBytes)
    }
    return state
  }
  finally {
    await handle.close()
  }
}
