import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { TranscriptSummary } from '#shared/transcript'
import { latestTranscript } from '../../../../../services/ai/transcribe'

// The footage's newest transcript (words with their times, who made them), or null before the first.
export default defineEventHandler(async (event): Promise<{ transcript: TranscriptSummary | null }> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  return { transcript: await latestTranscript(useDb(), workspaceId, videoId) }
})
