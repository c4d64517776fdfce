import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { getEntry } from '../../../../services/schedule/entries'

// One scheduled post, with each account's state.
export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { groupId } = await getValidatedRouterParams(event, z.object({ groupId: uuidParam }).parse)
  return { entry: await getEntry(useDb(), workspaceId, groupId) }
})
