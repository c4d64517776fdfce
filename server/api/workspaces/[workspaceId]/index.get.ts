import { getWorkspace } from '../../../services/workspaces/workspaces'

export default defineEventHandler(async (event) => {
  const { workspaceId, role } = await requireMember(event, 'workspace.read')
  return { ...await getWorkspace(useDb(), workspaceId), role }
})
