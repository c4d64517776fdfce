import { listWorkspacesFor } from '../../services/workspaces/workspaces'

export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return listWorkspacesFor(useDb(), user.id)
})
