import { workspaceSettingsSchema } from '#shared/auth'
import { updateWorkspace } from '../../../services/workspaces/workspaces'

export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'workspace.update')
  const settings = await readValidatedBody(event, workspaceSettingsSchema.partial().parse)
  return updateWorkspace(useDb(), workspaceId, user.id, settings)
})
