import { publishInput } from '#shared/posts'
import { publishNow } from '../../../../services/posts/create'

// "Publish now": a render to one or more connected accounts. Everything is checked first; nothing is sent when any
// target would be refused, and the answer names what to change. An editor's post waits for approval when the
// workspace asks for it.
export default defineEventHandler(async (event) => {
  const member = await requireMember(event, 'posts.publish')
  const input = await readValidatedBody(event, publishInput.parse)
  const created = await publishNow(await useSchedule(), actorOf(member), input)
  setResponseStatus(event, 201)
  return created
})
