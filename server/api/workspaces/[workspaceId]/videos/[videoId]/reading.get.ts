import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { VideoReadingView } from '#shared/semantics'
import { getReadingView } from '../../../../../services/library/reading'

export default defineEventHandler(async (event): Promise<VideoReadingView> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const fallback = useServerConfig().ai.provider
  // Grok is reached through the OpenAI-compatible provider.
  return getReadingView(useDb(), workspaceId, videoId, fallback === 'grok' ? 'openai' : fallback)
})
