import type { OpenInvite } from '#shared/workspaces'
import { listOpenInvites } from '../../../../services/workspaces/invites'

export default defineEventHandler(async (event): Promise<OpenInvite[]> => {
  const { workspaceId } = await requireMember(event, 'invites.manage')
  return listOpenInvites(useDb(), workspaceId)
})
