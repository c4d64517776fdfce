// The video's bytes to TikTok's upload_url, chunk by chunk in order (TikTok refuses them out of order), each with
// `Content-Range: bytes first-last/total`. One chunk is read into memory at a time (at most 128 MB, TikTok's cap).
import { open } from 'node:fs/promises'
import { platformUrl, type AccountContext, type PublishRequest } from '../connector'
import { chunkRanges, type ChunkPlan } from './chunks'
import { tiktokError } from './errors'
import { callSignal, readEnvelope, retryAfterOf } from './http'

export async function uploadChunks(
  account: AccountContext,
  uploadUrl: string,
  file: PublishRequest['file'],
  plan: ChunkPlan,
  options: { timeoutMs: number, onProgress?: (sentBytes: number) => void },
): Promise<void> {
  const handle = await open(file.path, 'r')
  let sent = 0
  try {
    for (const range of chunkRanges(plan)) {
      const bytes = new Uint8Array(range.last - range.first + 1)
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, range.first)
      if (bytesRead !== bytes.length) throw new Error(`The video file is shorter than the ${plan.videoSize} bytes it was said to be`)
      await putChunk(account, uploadUrl, bytes, `bytes ${range.first}-${range.last}/${plan.videoSize}`, options.timeoutMs, sent)
      sent += bytes.length
      options.onProgress?.(sent)
    }
  }
  finally {
    await handle.close()
  }
}

async function putChunk(account: AccountContext, uploadUrl: string, bytes: Uint8Array<ArrayBuffer>, contentRange: string, timeoutMs: number, sentBefore: number): Promise<void> {
  let response: Response
  try {
    response = await (account.app.fetch ?? fetch)(platformUrl(account.app, uploadUrl), {
      method: 'PUT',
      headers: { 'content-type': 'video/mp4', 'content-range': contentRange },
      body: bytes,
      signal: callSignal(timeoutMs, account.signal),
    })
  }
  catch (error) {
    // A dropped connection or a chunk that took too long: the publish can be retried (see publish.ts).
    if (account.signal?.aborted) throw error
    // The cause is left out: it can name the signed upload URL.
    throw tiktokError('upload_interrupted', { message: `${sentBefore} bytes had arrived (${(error as Error).name})` })
  }
  if (response.ok) {
    await response.body?.cancel()
    return
  }
  const { json, envelope } = await readEnvelope(response)
  const code = envelope?.error.code ?? (response.status === 429 ? 'rate_limit_exceeded' : response.status >= 500 ? 'internal_error' : 'invalid_file_upload')
  throw tiktokError(code, { status: response.status, message: envelope?.error.message, response: json, retryAfterSeconds: retryAfterOf(response) })
}
