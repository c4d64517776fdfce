import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { ScriptDetail } from '#shared/scripts'
import { getScript } from '../../../../services/scripts/scripts'

export default defineEventHandler(async (event): Promise<ScriptDetail> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { scriptId } = await getValidatedRouterParams(event, z.object({ scriptId: uuidParam }).parse)
  return getScript(useDb(), workspaceId, scriptId)
})
