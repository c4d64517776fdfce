import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { removeMember } from '../../../../services/workspaces/members'

export default defineEventHandler(async (event) => {
  const { workspaceId, user, role } = await requireMember(event, 'members.manage')
  const { memberId } = await getValidatedRouterParams(event, z.object({ memberId: uuidParam }).parse)
  await removeMember(useDb(), workspaceId, { id: user.id, role }, memberId)
  return { removed: true }
})
