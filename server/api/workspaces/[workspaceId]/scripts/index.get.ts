import { scriptListQuery, type ScriptList } from '#shared/scripts'
import { listScripts } from '../../../../services/scripts/scripts'

// The workspace's scripts (batches newest first), the batches being written and the last one that failed.
export default defineEventHandler(async (event): Promise<ScriptList> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const filter = await getValidatedQuery(event, scriptListQuery.parse)
  return listScripts(useDb(), workspaceId, filter)
})
