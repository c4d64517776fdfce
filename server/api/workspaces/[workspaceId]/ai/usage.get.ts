import { aiUsageQuery, type AiUsageReport } from '#shared/ai'
import { readAiUsage } from '../../../../services/ai/usage'

// Spend, tokens and cache hits by day and purpose, and this month against the budget: what the admins pay for.
export default defineEventHandler(async (event): Promise<AiUsageReport> => {
  const { workspaceId } = await requireMember(event, 'ai.manage')
  const range = await getValidatedQuery(event, aiUsageQuery.parse)
  return readAiUsage(useDb(), workspaceId, range)
})
