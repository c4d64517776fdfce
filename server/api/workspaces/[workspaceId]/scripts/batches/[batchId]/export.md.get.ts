import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { batchMarkdown, attachment } from '../../../../../../services/scripts/export'
import { batchScripts } from '../../../../../../services/scripts/scripts'

// Every script of a batch in one Markdown file, in the batch's order.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { batchId } = await getValidatedRouterParams(event, z.object({ batchId: uuidParam }).parse)
  const scripts = await batchScripts(useDb(), workspaceId, batchId)
  const stamp = scripts[0]!.createdAt.slice(0, 10)
  setResponseHeader(event, 'content-type', 'text/markdown; charset=utf-8')
  setResponseHeader(event, 'content-disposition', attachment(`scripts-${stamp}.md`, `Scripts ${stamp}`, 'md'))
  return batchMarkdown(scripts)
})
