import { referenceTemplate } from '../../../../../services/references/performance'

// The CSV to fill in: a row per reference video (id, title, the numbers it has), for the import to read back.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const csv = await referenceTemplate(useDb(), workspaceId)
  setResponseHeader(event, 'content-type', 'text/csv; charset=utf-8')
  setResponseHeader(event, 'content-disposition', 'attachment; filename="reference-numbers.csv"')
  return csv
})
