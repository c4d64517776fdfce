import type { AiConnectionTest } from '#shared/ai'
import { testAiConnection } from '../../../../../services/ai/connection-test'

// One tiny call through the saved provider. A failed connection is an answer (ok: false, in plain words), not an error.
export default defineEventHandler(async (event): Promise<AiConnectionTest> => {
  const { workspaceId, user } = await requireMember(event, 'ai.manage')
  return testAiConnection(useAi(), workspaceId, user.id)
})
