// YouTube's resumable upload for the fake: the first POST (checked against videos.insert in the discovery document)
// opens a session and answers its URI in Location; PUTs carry bytes with Content-Range and are counted byte by byte
// (308 with `Range: bytes=0-N`), or ask where the session stands (`bytes */total`). The last byte makes the video.
import { randomBytes } from 'node:crypto'
import type { FakePlatformServer, FakeReply, FakeRequest } from './fake-platform-server'
import { badRequest, checkAgainstDiscovery } from './fake-youtube-discovery'
import type { FakeSession, FakeYoutubeState } from './fake-youtube-state'

const UPLOAD_PATH = '/upload/youtube/v3/videos'
const CHUNK_UNIT = 256 * 1024

export type Authorise = (request: FakeRequest) => FakeReply | { channelId: string }

function start(state: FakeYoutubeState, request: FakeRequest, authorise: Authorise): FakeReply {
  const refused = checkAgainstDiscovery('youtube.videos.insert', request, { upload: true })
  if (refused) return refused
  const caller = authorise(request)
  if ('status' in caller) return caller
  if (request.query.get('uploadType') !== 'resumable') return badRequest('This fake speaks only uploadType=resumable.', 'invalid', 'uploadType')
  const total = Number(request.headers['x-upload-content-length'])
  const contentType = String(request.headers['x-upload-content-type'] ?? '')
  if (!Number.isInteger(total) || total <= 0) return badRequest('X-Upload-Content-Length is missing or not a size.', 'invalidHeader')
  if (!/^video\/|^application\/octet-stream$/.test(contentType)) return badRequest(`Media type '${contentType}' is not supported.`, 'invalidMediaType')
  const resource = JSON.parse(request.body.toString('utf8')) as FakeSession['resource']
  const title = resource.snippet?.title
  if (typeof title !== 'string' || !title.trim() || [...title].length > 100) {
    return { status: 400, body: { error: { code: 400, message: 'The request metadata specifies an invalid video title.', errors: [{ message: 'The request metadata specifies an invalid video title.', domain: 'youtube.video', reason: 'invalidTitle' }] } } }
  }
  const id = randomBytes(16).toString('base64url')
  state.sessions.set(id, { id, channelId: caller.channelId, total, contentType, resource, chunks: [], received: 0, expired: false })
  const location = `https://www.googleapis.com${UPLOAD_PATH}?uploadType=resumable&part=${encodeURIComponent(request.query.get('part') ?? '')}&upload_id=${id}`
  return { status: 200, headers: { location, 'x-guploader-uploadid': id } }
}

function makeVideo(state: FakeYoutubeState, session: FakeSession) {
  const id = randomBytes(8).toString('base64url').slice(0, 11)
  const requested = String(session.resource.status?.privacyStatus ?? 'public')
  const privacyStatus = state.script.forcePrivate ? 'private' : requested
  state.videos.set(id, {
    id, channelId: session.channelId, resource: session.resource, privacyStatus, bytes: Buffer.concat(session.chunks), contentType: session.contentType,
    pollsLeft: state.script.processingPolls, outcome: state.script.processingOutcome,
    statistics: { viewCount: '0', likeCount: '0', favoriteCount: '0', commentCount: '0' },
  })
  session.videoId = id
}

function videoReply(state: FakeYoutubeState, session: FakeSession): FakeReply {
  const video = state.videos.get(session.videoId!)!
  return {
    status: 200,
    body: { kind: 'youtube#video', id: video.id, snippet: { ...video.resource.snippet, channelId: video.channelId }, status: { uploadStatus: 'uploaded', privacyStatus: video.privacyStatus } },
  }
}

const progress = (session: FakeSession): FakeReply => ({ status: 308, headers: session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {} })

function put(state: FakeYoutubeState, request: FakeRequest): FakeReply {
  const session = state.sessions.get(request.query.get('upload_id') ?? '')
  if (!session || session.expired) return { status: state.script.expiredStatus, body: 'Not Found' }
  const range = /^bytes (?:\*|(\d+)-(\d+))\/(\d+)$/.exec(String(request.headers['content-range'] ?? ''))
  if (!range || Number(range[3]) !== session.total) return badRequest('Failed to parse Content-Range header.', 'badContent')
  if (session.videoId) return videoReply(state, session)
  if (range[1] === undefined) return progress(session)
  const first = Number(range[1])
  const last = Number(range[2])
  if (request.body.length !== last - first + 1) return badRequest('The chunk\'s size does not match its Content-Range.', 'badContent')
  if (first > session.received) return badRequest('Content-Range starts past the bytes received so far.', 'badContent')
  if (last + 1 < session.total && request.body.length % CHUNK_UNIT !== 0) return badRequest('Chunks but the last must be multiples of 256 KiB.', 'badContent')
  const fresh = request.body.subarray(session.received - first)
  const dropAfter = state.script.dropNextChunkAfter
  if (dropAfter !== undefined) {
    // The network gave out mid-chunk: the bytes that arrived are kept, nothing is answered.
    state.script.dropNextChunkAfter = undefined
    const kept = fresh.subarray(0, Math.min(dropAfter, fresh.length))
    session.chunks.push(Buffer.from(kept))
    session.received += kept.length
    return { status: 0, drop: true }
  }
  session.chunks.push(Buffer.from(fresh))
  session.received += fresh.length
  state.chunkPuts += 1
  const held = state.script.holdChunksMs ? { delayMs: state.script.holdChunksMs } : {}
  if (session.received < session.total) return { ...progress(session), ...held }
  makeVideo(state, session)
  return { ...videoReply(state, session), ...held }
}

export function routeResumableUpload(server: FakePlatformServer, state: FakeYoutubeState, authorise: Authorise): void {
  server.route('POST', 'www.googleapis.com', UPLOAD_PATH, 'videos.insert', request => start(state, request, authorise))
  // The session URI is the credential for the bytes: Google does not ask for the token again.
  server.route('PUT', 'www.googleapis.com', UPLOAD_PATH, 'upload.chunk', request => put(state, request))
}
