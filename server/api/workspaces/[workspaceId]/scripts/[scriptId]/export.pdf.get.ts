import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { fileNameOf } from '#shared/scripts'
import { attachment, scriptPdf } from '../../../../../services/scripts/export'
import { getScript } from '../../../../../services/scripts/scripts'

// The script as a PDF shot list, a download named after it.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { scriptId } = await getValidatedRouterParams(event, z.object({ scriptId: uuidParam }).parse)
  const script = await getScript(useDb(), workspaceId, scriptId)
  const pdf = await scriptPdf(script)
  setResponseHeader(event, 'content-type', 'application/pdf')
  setResponseHeader(event, 'content-disposition', attachment(fileNameOf(script.title, 'pdf'), script.title, 'pdf'))
  return pdf
})
