import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { disconnectAccount } from '../../../../services/accounts/accounts'

// Disconnects an account: revoked at the platform where it can be, its tokens deleted, its posts kept.
export default defineEventHandler(async (event): Promise<{ revokedAtPlatform: boolean }> => {
  const { workspaceId, user } = await requireMember(event, 'accounts.manage')
  const { accountId } = await getValidatedRouterParams(event, z.object({ accountId: uuidParam }).parse)
  const { box, server } = usePlatforms()
  return disconnectAccount(useDb(), box, { workspaceId, userId: user.id }, accountId, server)
})
