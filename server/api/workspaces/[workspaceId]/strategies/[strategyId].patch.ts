import { z } from 'zod'
import { uuidParam } from '#shared/auth'
import { strategyStatusSchema, type StrategyDetail } from '#shared/strategy'
import { setStrategyStatus } from '../../../../services/strategy/strategies'

// Makes a version the active one (scripts follow it), or archives it. Editors, like generating.
export default defineEventHandler(async (event): Promise<StrategyDetail> => {
  const { workspaceId } = await requireMember(event, 'ai.generate')
  const { strategyId } = await getValidatedRouterParams(event, z.object({ strategyId: uuidParam }).parse)
  const { status } = await readValidatedBody(event, strategyStatusSchema.parse)
  return setStrategyStatus(useDb(), workspaceId, strategyId, status)
})
