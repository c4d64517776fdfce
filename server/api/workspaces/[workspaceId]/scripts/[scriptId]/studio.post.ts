import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { sendToStudioSchema, type SentToStudio } from '#shared/scripts'
import { sendToStudio } from '../../../../../services/scripts/studio'

// A new Studio draft of the chosen footage, its hook, captions, opening and end card from the script.
export default defineEventHandler(async (event): Promise<SentToStudio> => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { scriptId } = await getValidatedRouterParams(event, z.object({ scriptId: uuidParam }).parse)
  const { videoId } = await readValidatedBody(event, sendToStudioSchema.parse)
  const sent = await sendToStudio(useDb(), { workspaceId, userId: user.id, scriptId, videoId })
  setResponseStatus(event, 201)
  return sent
})
