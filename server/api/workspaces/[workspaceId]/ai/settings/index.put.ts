import { aiSettingsInput, type AiSettingsResponse } from '#shared/ai'
import { saveAiSettings } from '../../../../../services/ai/settings'

// Provider, model, base URL, key (write-only: a string sets it, null removes it, absent keeps it) and monthly budget.
export default defineEventHandler(async (event): Promise<AiSettingsResponse> => {
  const { workspaceId, user } = await requireMember(event, 'ai.manage')
  const input = await readValidatedBody(event, aiSettingsInput.parse)
  const { ai } = useServerConfig()
  return { canManage: true, ...await saveAiSettings(useDb(), workspaceId, input, user.id, ai, useSecretBox()) }
})
