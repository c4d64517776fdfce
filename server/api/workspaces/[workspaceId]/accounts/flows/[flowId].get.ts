import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { listChoices } from '../../../../../services/accounts/connect'

// The channels or Pages a login owns, for the person who connected it to choose from.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'accounts.manage')
  const { flowId } = await getValidatedRouterParams(event, z.object({ flowId: uuidParam }).parse)
  return listChoices(useDb(), usePlatforms().box, { workspaceId, userId: user.id }, flowId)
})
