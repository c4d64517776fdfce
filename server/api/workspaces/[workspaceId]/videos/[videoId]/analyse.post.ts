import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { analyseRequestSchema } from '#shared/library'
import { limits } from '../../../../../services/security/rate-limit'

// Analyses the video again, optionally with other thresholds; the newest analysis is the one shown.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { videoId } = await getValidatedRouterParams(event, z.object({ videoId: uuidParam }).parse)
  const thresholds = await readValidatedBody(event, body => analyseRequestSchema.parse(body ?? {}))
  // Each analysis is a full ffmpeg pass: one member, or one workspace, cannot keep the workers busy for everyone.
  const rateLimits = await useRateLimits()
  await rateLimits.consume(limits.analyseMember, `${workspaceId}:${user.id}`)
  await rateLimits.consume(limits.analyseWorkspace, workspaceId)
  setResponseStatus(event, 202)
  return queueVideoAnalysis(workspaceId, videoId, thresholds)
})
