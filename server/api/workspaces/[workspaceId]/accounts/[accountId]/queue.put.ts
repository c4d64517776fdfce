import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { queueSlotsInput } from '#shared/calendar'
import type { QueueView } from '#shared/posting-times'
import { setQueue } from '../../../../../services/schedule/queue'

// Replaces an account's queue slots; posts already queued keep their times.
export default defineEventHandler(async (event): Promise<QueueView> => {
  const { workspaceId } = await requireMember(event, 'posts.publish')
  const { accountId } = await getValidatedRouterParams(event, z.object({ accountId: uuidParam }).parse)
  const input = await readValidatedBody(event, queueSlotsInput.parse)
  return setQueue(useDb(), workspaceId, accountId, input)
})
