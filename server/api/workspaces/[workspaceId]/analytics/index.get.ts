import { analyticsQuery, type AnalyticsView } from '#shared/analytics'
import { analyticsView } from '../../../../services/analytics/view'

// The Analytics page: posts with their snapshots and outcomes, trends, pattern scores and experiments, filtered.
export default defineEventHandler(async (event): Promise<AnalyticsView> => {
  const { workspaceId } = await requireMember(event, 'workspace.read')
  const query = await getValidatedQuery(event, analyticsQuery.parse)
  return analyticsView(useDb(), workspaceId, query)
})
