import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { updateScheduleInput } from '#shared/calendar'
import { updateScheduled } from '../../../../services/schedule/update'

// Moves a post (a drag on the calendar, or its undo), edits its captions or accounts, or makes it a draft again.
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.publish')
  const { groupId } = await getValidatedRouterParams(event, z.object({ groupId: uuidParam }).parse)
  const input = await readValidatedBody(event, updateScheduleInput.parse)
  return { entry: await updateScheduled(await useSchedule(), actorOf(member), groupId, input) }
})
