import { z } from 'zod'
import { listAudit } from '../../../services/audit'

const querySchema = z.object({ before: z.coerce.date().optional(), limit: z.coerce.number().int().min(1).max(200).default(50) })

export default defineEventHandler(async (event) => {
  const { workspaceId } = await requireMember(event, 'audit.read')
  const query = await getValidatedQuery(event, querySchema.parse)
  return listAudit(useDb(), workspaceId, query)
})
