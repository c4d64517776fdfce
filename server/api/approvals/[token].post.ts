import { z } from 'zod'
import { emailLinkTokenSchema } from '#shared/auth'
import { reviewInput } from '#shared/calendar'
import { reviewByLink } from '../../services/schedule/review'

// Approves or rejects through a mailed link: once, before it expires, as the approver it was sent to (still an admin).
export default defineEventHandler(async (event) => {
  const { token } = await getValidatedRouterParams(event, z.object({ token: emailLinkTokenSchema }).parse)
  const input = await readValidatedBody(event, reviewInput.parse)
  return { entry: await reviewByLink(await useSchedule(), token, input) }
})
