import { brandProfileSchema } from '#shared/brand'
import { saveBrandProfile } from '../../../services/workspaces/brand'

// Editors and up shape the brand (they write the content it steers); viewers read it.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'brand.edit')
  const input = await readValidatedBody(event, brandProfileSchema.parse)
  return saveBrandProfile(useDb(), workspaceId, user.id, input)
})
