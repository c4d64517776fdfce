import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { QueueView } from '#shared/posting-times'
import { getQueue } from '../../../../../services/schedule/queue'

// An account's queue: its weekly slots in the workspace's zone and the next free ones "add to queue" would take.
export default defineEventHandler(async (event): Promise<QueueView> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { accountId } = await getValidatedRouterParams(event, z.object({ accountId: uuidParam }).parse)
  return getQueue(useDb(), workspaceId, accountId)
})
