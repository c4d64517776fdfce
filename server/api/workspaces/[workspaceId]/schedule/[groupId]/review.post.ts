import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { reviewInput } from '#shared/calendar'
import { reviewPost } from '../../../../../services/schedule/review'

// An owner or admin approves a post (it publishes at its time) or sends it back to draft with a comment.
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.approve')
  const { groupId } = await getValidatedRouterParams(event, z.object({ groupId: uuidParam }).parse)
  const input = await readValidatedBody(event, reviewInput.parse)
  return { entry: await reviewPost(await useSchedule(), actorOf(member), groupId, input) }
})
