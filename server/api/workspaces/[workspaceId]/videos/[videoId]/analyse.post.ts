import { z } from 'zod'
import { uuidParam } from '../../../../../../shared/auth'
import { analyseRequestSchema } from '../../../../../../shared/library'

// Analyses the video again, optionally with other thresholds; the newest analysis is the one shown.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const thresholds = await readValidatedBody(event, body => analyseRequestSchema.parse(body ?? {}))
  setResponseStatus(event, 202)
  return queueVideoAnalysis(workspaceId, videoId, thresholds)
})
