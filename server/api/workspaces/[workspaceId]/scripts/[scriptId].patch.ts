import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { updateScriptSchema, type ScriptDetail } from '#shared/scripts'
import { updateScript } from '../../../../services/scripts/scripts'

// Saves an edit (title, hook, shots, CTA, status). 409 when `version` is not the stored one: someone else changed it.
export default defineEventHandler(async (event): Promise<ScriptDetail> => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { scriptId } = await getValidatedRouterParams(event, z.object({ scriptId: uuidParam }).parse)
  const body = await readValidatedBody(event, updateScriptSchema.parse)
  return updateScript(useDb(), workspaceId, scriptId, body)
})
