import { renderListQuery } from '#shared/studio'
import { listRenders } from '../../../../../services/studio/renders'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const query = await getValidatedQuery(event, renderListQuery.parse)
  return { renders: await listRenders({ db: useDb(), store: useMediaStore() }, workspaceId, query) }
})
