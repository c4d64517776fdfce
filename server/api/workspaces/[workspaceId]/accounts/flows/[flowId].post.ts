import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { chooseInput } from '#shared/accounts'
import { chooseAccounts } from '../../../../../services/accounts/connect'

// Connects the chosen channels or Pages of a login.
export default defineEventHandler(async (event): Promise<{ accountIds: string[] }> => {
  const { workspaceId, user } = await requireMember(event, 'accounts.manage')
  const { flowId } = await getValidatedRouterParams(event, z.object({ flowId: uuidParam }).parse)
  const { externalIds } = await readValidatedBody(event, chooseInput.parse)
  const { box, app } = usePlatforms()
  return { accountIds: await chooseAccounts(useDb(), box, { workspaceId, userId: user.id }, flowId, externalIds, app) }
})
