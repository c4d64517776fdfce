import { importRequest, type ImportPreview } from '#shared/references'
import { previewImport } from '../../../../../services/references/performance'

// What a CSV of reference numbers would import, row by row, with each row's problems; nothing is written.
export default defineEventHandler(async (event): Promise<ImportPreview> => {
  const { workspaceId } = await requireMember(event, 'content.edit')
  const { csv } = await readValidatedBody(event, importRequest.parse)
  return previewImport(useDb(), workspaceId, csv)
})
