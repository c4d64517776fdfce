import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { fileNameOf } from '#shared/scripts'
import { attachment, scriptMarkdown } from '../../../../../services/scripts/export'
import { getScript } from '../../../../../services/scripts/scripts'

// The script as a Markdown download named after it.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { scriptId } = await getValidatedRouterParams(event, z.object({ scriptId: uuidParam }).parse)
  const script = await getScript(useDb(), workspaceId, scriptId)
  setResponseHeader(event, 'content-type', 'text/markdown; charset=utf-8')
  setResponseHeader(event, 'content-disposition', attachment(fileNameOf(script.title, 'md'), script.title, 'md'))
  return scriptMarkdown(script)
})
