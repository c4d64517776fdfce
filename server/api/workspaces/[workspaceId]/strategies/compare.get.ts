import { compareQuerySchema, type StrategyComparison } from '#shared/strategy'
import { compareVersions } from '../../../../services/strategy/strategies'

// Two versions side by side, with what changed: pillars, cadence, hooks, experiments and the patterns cited.
export default defineEventHandler(async (event): Promise<StrategyComparison> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { from, to } = await getValidatedQuery(event, compareQuerySchema.parse)
  return compareVersions(useDb(), workspaceId, from, to)
})
