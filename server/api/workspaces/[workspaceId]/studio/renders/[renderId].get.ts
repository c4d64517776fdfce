import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { getRender } from '../../../../../services/studio/renders'

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { renderId } = await getValidatedRouterParams(event, z.object({ renderId: uuidParam }).parse)
  return getRender({ db: useDb(), store: useMediaStore() }, workspaceId, renderId)
})
