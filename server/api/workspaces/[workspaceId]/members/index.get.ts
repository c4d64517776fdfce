import type { WorkspaceMember } from '#shared/workspaces'
import { listMembers } from '../../../../services/workspaces/members'

export default defineEventHandler(async (event): Promise<WorkspaceMember[]> => {
  const { workspaceId } = await requireMember(event, 'members.read')
  return listMembers(useDb(), workspaceId)
})
