import { leaveWorkspace } from '../../../services/workspaces/members'

export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'workspace.read')
  await leaveWorkspace(useDb(), workspaceId, user.id)
  return { left: true }
})
