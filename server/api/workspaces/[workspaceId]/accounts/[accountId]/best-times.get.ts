import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { BestTimes } from '#shared/posting-times'
import { getBestTimes } from '../../../../../services/schedule/best-time'

// The best hours to post on an account, in the workspace's zone: from its own numbers once it has enough, else a
// published platform default; the answer always says which.
export default defineEventHandler(async (event): Promise<BestTimes> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { accountId } = await getValidatedRouterParams(event, z.object({ accountId: uuidParam }).parse)
  return getBestTimes(useDb(), workspaceId, accountId)
})
