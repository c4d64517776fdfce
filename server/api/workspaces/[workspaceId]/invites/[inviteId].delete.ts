import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { revokeInvite } from '../../../../services/workspaces/invites'

export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'invites.manage')
  const { inviteId } = await getValidatedRouterParams(event, z.object({ inviteId: uuidParam }).parse)
  await revokeInvite(useDb(), workspaceId, inviteId, user.id)
  return { revoked: true }
})
