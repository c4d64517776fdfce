import { z } from 'zod'
import { changeRoleSchema, uuidParam } from '#shared/auth'
import { changeRole } from '../../../../services/workspaces/members'

export default defineEventHandler(async (event) => {
  const { workspaceId, user, role } = await requireMember(event, 'members.manage')
  const { memberId } = await getValidatedRouterParams(event, z.object({ memberId: uuidParam }).parse)
  const body = await readValidatedBody(event, changeRoleSchema.parse)
  return changeRole(useDb(), workspaceId, { id: user.id, role }, memberId, body.role)
})
