// TikTok's chunk rules for FILE_UPLOAD (../shared/PLATFORMS.md, the Media Transfer Guide): total_chunk_count is
// floor(video_size / chunk_size); every chunk is 5–64 MB except the last, which takes the remainder (up to 128 MB);
// a video under 5 MB goes whole; a video over 64 MB needs at least two chunks; 1 to 1000 chunks, sent in order.
const MIB = 1024 * 1024

export const chunkRules = {
  minChunkBytes: 5 * MIB,
  maxChunkBytes: 64 * MIB,
  maxFinalChunkBytes: 128 * MIB,
  maxChunks: 1000,
} as const

/** 10 MB chunks: small enough that a dropped connection loses little, large enough to keep the calls few. */
export const defaultChunkBytes = 10 * MIB

export interface ChunkPlan {
  videoSize: number
  chunkSize: number
  totalChunkCount: number
}

export interface ChunkRange {
  index: number
  /** First and last byte, inclusive, as Content-Range names them. */
  first: number
  last: number
}

/** The chunk size and count TikTok's init call takes for a video of `videoSize` bytes. */
export function planChunks(videoSize: number, preferredChunkBytes = defaultChunkBytes): ChunkPlan {
  if (!Number.isSafeInteger(videoSize) || videoSize <= 0) throw new RangeError(`A video of ${videoSize} bytes cannot be uploaded`)
  if (preferredChunkBytes < chunkRules.minChunkBytes || preferredChunkBytes > chunkRules.maxChunkBytes) {
    throw new RangeError(`A TikTok chunk is 5–64 MB; ${preferredChunkBytes} bytes is outside that`)
  }
  if (videoSize < chunkRules.minChunkBytes) return { videoSize, chunkSize: videoSize, totalChunkCount: 1 }

  // A video no larger than one chunk goes whole, its chunk_size its own size (floor would otherwise give 0 chunks).
  let chunkSize = Math.min(preferredChunkBytes, videoSize)
  // Never more than 1000 chunks: grow the chunk instead.
  chunkSize = Math.max(chunkSize, Math.ceil(videoSize / chunkRules.maxChunks))
  if (chunkSize > chunkRules.maxChunkBytes) throw new RangeError(`A video of ${videoSize} bytes is larger than TikTok takes`)
  // Over 64 MB must be split: halve it, so the count is two and the last chunk stays under 128 MB.
  if (Math.floor(videoSize / chunkSize) === 1 && videoSize > chunkRules.maxChunkBytes) chunkSize = Math.floor(videoSize / 2)
  return { videoSize, chunkSize, totalChunkCount: Math.floor(videoSize / chunkSize) }
}

/** The byte ranges to PUT, in order: every chunk `chunkSize` long, the last one taking the remainder. */
export function chunkRanges(plan: ChunkPlan): ChunkRange[] {
  return Array.from({ length: plan.totalChunkCount }, (_, index) => {
    const first = index * plan.chunkSize
    const last = index === plan.totalChunkCount - 1 ? plan.videoSize - 1 : first + plan.chunkSize - 1
    return { index, first, last }
  })
}
