import { listMembers } from '../../../../services/workspaces/members'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'members.read')
  return listMembers(useDb(), workspaceId)
})
