import { importRequest, type ImportResult } from '#shared/references'
import { commitImport } from '../../../../../services/references/performance'

// Imports the valid rows of a CSV of reference numbers (those confirmed in the preview); rows with problems are left out.
export default defineEventHandler(async (event): Promise<ImportResult> => {
  const { workspaceId, user } = await requireMember(event, 'content.edit')
  const { csv, lines } = await readValidatedBody(event, importRequest.parse)
  return commitImport(useDb(), workspaceId, user.id, csv, lines)
})
