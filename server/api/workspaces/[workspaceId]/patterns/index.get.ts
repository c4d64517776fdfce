import type { PatternsView } from '#shared/patterns'
import { listPatterns } from '../../../../services/patterns/patterns'

// Every pattern with the videos that show it and the reference performance of those with it against those without.
export default defineEventHandler(async (event): Promise<PatternsView> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  return listPatterns(useDb(), workspaceId)
})
