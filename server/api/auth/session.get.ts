import { listWorkspacesFor } from '../../services/workspaces/workspaces'

// What @sidebase/nuxt-auth calls getSession: who is signed in and which workspaces they can open.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const workspaces = await listWorkspacesFor(useDb(), user.id)
  return { user: { id: user.id, email: user.email, name: user.name }, workspaces }
})
