import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import type { StrategyDetail } from '#shared/strategy'
import { getStrategy } from '../../../../services/strategy/strategies'

// One version: its content, the evidence it cites (computed from our rows when it was made) and who made it.
export default defineEventHandler(async (event): Promise<StrategyDetail> => {
  const { workspaceId } = await requireMember(event, 'content.read')
  const { strategyId } = await getValidatedRouterParams(event, z.object({ strategyId: uuidParam }).parse)
  return getStrategy(useDb(), workspaceId, strategyId)
})
