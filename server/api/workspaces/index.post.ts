import { createWorkspaceSchema } from '#shared/auth'
import { createOwnWorkspace } from '../../services/workspaces/workspaces'

// A new workspace, owned by the user who makes it (a second brand, a client).
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const input = await readValidatedBody(event, createWorkspaceSchema.parse)
  const workspace = await createOwnWorkspace(useDb(), user.id, input)
  setResponseStatus(event, 201)
  return { id: workspace.id, name: workspace.name, slug: workspace.slug, timeZone: workspace.timeZone, postsNeedApproval: workspace.postsNeedApproval, role: 'owner' as const }
})
