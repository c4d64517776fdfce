import { scheduleExportQuery } from '#shared/schedule-csv'
import { exportCsv } from '../../../../services/schedule/csv'

// The scheduled posts of a window (at most 100 days) as CSV, a row per account post, in the columns the import reads.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, scheduleExportQuery.parse)
  const csv = await exportCsv(useDb(), workspaceId, query)
  const name = `scheduled-posts-${query.from.slice(0, 10)}-to-${query.to.slice(0, 10)}.csv`
  setResponseHeader(event, 'content-type', 'text/csv; charset=utf-8')
  setResponseHeader(event, 'content-disposition', `attachment; filename="${name}"`)
  return csv
})
