import { evergreenInput } from '#shared/calendar'
import { createEvergreen } from '../../../../services/schedule/evergreen'

// Starts an evergreen rotation: renders re-posted in turn at the rule's times, with a minimum gap per render. It runs
// until deleted ("this and following" on any of its posts).
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.publish')
  const input = await readValidatedBody(event, evergreenInput.parse)
  const created = await createEvergreen(await useSchedule(), actorOf(member), input)
  setResponseStatus(event, 201)
  return created
})
