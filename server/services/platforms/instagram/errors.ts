// Instagram's own facts about failure: what a caption may hold, what a container's ERROR means in words a creator can
// act on, and the one classification of Meta's codes (meta-graph.ts).
import { PlatformError } from '../connector'
import { classifyMetaError } from '../meta-graph'

export const CAPTION_MAX_CHARACTERS = 2200
export const CAPTION_MAX_HASHTAGS = 30

/** Refuses a caption Instagram would refuse, before anything is sent. */
export function checkCaption(caption: string): void {
  const characters = [...caption].length
  if (characters > CAPTION_MAX_CHARACTERS) {
    throw new PlatformError('instagram', `Instagram takes captions of at most ${CAPTION_MAX_CHARACTERS} characters; this one has ${characters}.`, { code: 'bad_input' })
  }
  const hashtags = caption.match(/#[\p{L}\p{N}_]+/gu)?.length ?? 0
  if (hashtags > CAPTION_MAX_HASHTAGS) {
    throw new PlatformError('instagram', `Instagram takes at most ${CAPTION_MAX_HASHTAGS} hashtags in a caption; this one has ${hashtags}.`, { code: 'bad_input' })
  }
}

// A container's `status` holds the error subcode when `status_code` is ERROR, often inside words ("Error: ... 2207026").
const CONTAINER_REASONS: Record<string, string> = {
  2207026: 'Instagram could not use the video\'s format. Render it again with the Instagram preset (MP4, H.264, AAC, 9:16).',
  2207052: 'Instagram could not fetch the video from this app. Check that PUBLIC_URL is reachable from the internet.',
  2207003: 'Instagram timed out fetching the video from this app. Check that PUBLIC_URL is reachable and fast enough, then try again.',
  2207020: 'The upload to Instagram expired before it was published. Publish the post again.',
  36003: 'Instagram refused the video\'s aspect ratio. Render it at 9:16.',
}

/** Why a container failed, in words, and the subcode it carried when one is known. */
export function containerFailure(statusCode: 'ERROR' | 'EXPIRED', status: string | undefined): { reason: string, code?: string } {
  if (statusCode === 'EXPIRED') return { reason: CONTAINER_REASONS[2207020]!, code: '2207020' }
  const code = Object.keys(CONTAINER_REASONS).find(known => status?.includes(known))
  if (code) return { reason: CONTAINER_REASONS[code]!, code }
  return { reason: `Instagram could not process the video${status ? ` (${status})` : ''}.`, code: 'media' }
}

export const classifyInstagramError = classifyMetaError
