import type { StrategyList } from '#shared/strategy'
import { listStrategies } from '../../../../services/strategy/strategies'

// The workspace's strategy versions, newest first, with a generation in progress, the last failure and what a
// strategy still needs (brand profile, analysed videos, reference numbers).
export default defineEventHandler(async (event): Promise<StrategyList> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const config = useServerConfig()
  return listStrategies(useDb(), workspaceId, { ai: config.ai, secrets: useSecretBox() })
})
