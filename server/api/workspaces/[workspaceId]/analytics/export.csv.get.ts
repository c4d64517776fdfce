import { analyticsQuery } from '#shared/analytics'
import { analyticsCsv, analyticsCsvName } from '../../../../services/analytics/csv'
import { analyticsView } from '../../../../services/analytics/view'

// Every number the Analytics page shows, with the same filters, as CSV; the posts are not cut at the page's 200.
const EXPORT_POST_LIMIT = 10_000

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'workspace.read')
  const query = await getValidatedQuery(event, analyticsQuery.parse)
  const view = await analyticsView(useDb(), workspaceId, query, { postLimit: EXPORT_POST_LIMIT })
  setResponseHeader(event, 'content-type', 'text/csv; charset=utf-8')
  setResponseHeader(event, 'content-disposition', `attachment; filename="${analyticsCsvName(query)}"`)
  return analyticsCsv(view)
})
