import { z } from 'zod'
import { platforms } from '#shared/platforms/keys'
import { finishConnect } from '../../../services/accounts/connect'

const reply = z.object({
  state: z.string().min(8).max(500),
  code: z.string().min(1).max(4000).optional(),
  error: z.string().max(200).optional(),
  errorDescription: z.string().max(1000).optional(),
})

// The platform's answer, handed over by the callback page: the code becomes tokens, and the account is connected or
// offered for choosing. Only the person who started the connection can finish it.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const { platform } = await getValidatedRouterParams(event, z.object({ platform: z.enum(platforms) }).parse)
  const answer = await readValidatedBody(event, reply.parse)
  const { box, app } = usePlatforms()
  // The flow is checked before the platform's app keys are needed: a stale or foreign state is refused either way.
  return finishConnect(useDb(), box, user.id, platform, () => app(platform), answer)
})
