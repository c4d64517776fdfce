import { scheduleInput } from '#shared/calendar'
import { schedulePost } from '../../../../services/schedule/create'

// Schedules a post: a render to one or more accounts, at a wall-clock time, in the next queue slot, or as a draft;
// optionally repeating. Everything is checked first; a time in a DST gap or overlap answers 409 with the two choices.
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.publish')
  const input = await readValidatedBody(event, scheduleInput.parse)
  const created = await schedulePost(await useSchedule(), actorOf(member), input)
  setResponseStatus(event, 201)
  return created
})
