import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { deleteScheduled } from '../../../../services/schedule/update'

// Deletes a post that has not gone out (its waiting job is canceled); in a series, this one or this and following.
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.publish')
  const { groupId } = await getValidatedRouterParams(event, z.object({ groupId: uuidParam }).parse)
  const { scope } = await getValidatedQuery(event, z.object({ scope: z.enum(['this', 'following']).default('this') }).parse)
  return deleteScheduled(await useSchedule(), actorOf(member), groupId, scope)
})
