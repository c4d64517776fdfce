import { listOpenInvites } from '../../../../services/workspaces/invites'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'invites.manage')
  return listOpenInvites(useDb(), workspaceId)
})
