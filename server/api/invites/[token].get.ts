import { z } from 'zod'
import { previewInvite } from '../../services/workspaces/invites'
import { consume, limits } from '../../services/security/rate-limit'

const paramsSchema = z.object({ token: z.string().min(20).max(200) })

// Public on purpose: the invite page shows whose workspace and which role before the visitor signs up.
export default defineEventHandler(async (event) => {
  const { token } = await getValidatedRouterParams(event, paramsSchema.parse)
  await consume(useStorage('kv'), limits.inviteAddress, requestMeta(event).ip ?? 'unknown')
  return previewInvite(useDb(), token)
})
