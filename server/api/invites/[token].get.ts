import { z } from 'zod'
import { previewInvite } from '../../services/workspaces/invites'
import { limits } from '../../services/security/rate-limit'

const paramsSchema = z.object({ token: z.string().min(20).max(200) })

// Public on purpose: the invite page shows whose workspace and which role before the visitor signs up.
export default defineEventHandler(async (event) => {
  const { token } = await getValidatedRouterParams(event, paramsSchema.parse)
  await (await useRateLimits()).consume(limits.inviteAddress, clientAddress(event) ?? 'unknown')
  return previewInvite(useDb(), token)
})
