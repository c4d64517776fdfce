import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { transcribeRequestSchema, type TranscribeStarted } from '#shared/transcript'
import { notFound } from '../../../../../../services/errors'
import { limits } from '../../../../../../services/security/rate-limit'

// Captions from speech for a draft's footage: checks what it needs, then runs ai.transcribe; the page follows the job.
export default defineEventHandler(async (event): Promise<TranscribeStarted & { method: string }> => {
  const { workspaceId, user } = await requireMember(event, 'ai.generate')
  const { recipeId } = await getValidatedRouterParams(event, z.object({ recipeId: uuidParam }).parse)
  const body = await readValidatedBody(event, value => transcribeRequestSchema.parse(value ?? {}))
  const recipe = await useDb().editRecipe.findFirst({ where: { id: recipeId, workspaceId }, select: { id: true, sourceVideoId: true } })
  if (!recipe?.sourceVideoId) throw notFound('This draft')
  // Each one is an ffmpeg pass and maybe a paid call: one member cannot keep the workers busy for everyone.
  await (await useRateLimits()).consume(limits.transcribeMember, `${workspaceId}:${user.id}`)
  setResponseStatus(event, 202)
  return queueTranscription({ workspaceId, videoId: recipe.sourceVideoId, userId: user.id, recipeId, method: body.method, text: body.text ?? null })
})
