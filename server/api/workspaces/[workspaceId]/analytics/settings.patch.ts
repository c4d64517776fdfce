import { learningSettingsPatch } from '#shared/analytics'
import { updateLearningSettings } from '../../../../services/analytics/settings'

// The learning settings (outcome metric, horizon, exploration); a new metric or horizon rebuilds every outcome.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'workspace.update')
  const patch = await readValidatedBody(event, learningSettingsPatch.parse)
  return updateLearningSettings(useDb(), workspaceId, user.id, patch)
})
