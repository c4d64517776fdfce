import { getBrandProfile } from '../../../services/workspaces/brand'

// Every member reads the brand profile: it describes what they all make.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'workspace.read')
  return getBrandProfile(useDb(), workspaceId)
})
