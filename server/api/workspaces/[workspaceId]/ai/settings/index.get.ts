import type { AiSettingsResponse } from '#shared/ai'
import { roleAllows } from '#shared/permissions'
import { readAiSettings } from '../../../../../services/ai/settings'

// Every member sees which provider and model make their AI output; only admins (ai.manage) see the key hint,
// the base URL and the budget.
export default defineEventHandler(async (event): Promise<AiSettingsResponse> => {
  const { workspaceId, role } = await requireMember(event, 'workspace.read')
  const { ai } = useServerConfig()
  const view = await readAiSettings(useDb(), workspaceId, ai, useSecretBox())
  if (roleAllows(role, 'ai.manage')) return { canManage: true, ...view }
  return { canManage: false, provider: view.provider, model: view.model, fromEnvironment: view.fromEnvironment }
})
