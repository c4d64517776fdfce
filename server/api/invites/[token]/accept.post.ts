import { z } from 'zod'
import { acceptInvite } from '../../../services/workspaces/invites'
import { limits } from '../../../services/security/rate-limit'

const paramsSchema = z.object({ token: z.string().min(20).max(200) })

// A signed-in user joins the invite's workspace. (New users accept through sign-up with the token.)
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { token } = await getValidatedRouterParams(event, paramsSchema.parse)
  const rateLimits = await useRateLimits()
  await rateLimits.consume(limits.inviteAddress, clientAddress(event) ?? 'unknown')
  await rateLimits.consume(limits.inviteAccount, user.id)
  return useDb().$transaction(tx => acceptInvite(tx, token, user))
})
