import { z } from 'zod'
import { markNotificationsRead } from '../../../../services/notifications/inbox'

const body = z.object({ ids: z.array(z.uuid()).max(200).optional() })

// Marks the member's notifications read: the ones named, or all of them.
export default defineEventHandler(async (event) => {
  const { workspaceId, user } = await requireMember(event, 'workspace.read')
  const { ids } = await readValidatedBody(event, body.parse)
  return markNotificationsRead(useDb(), workspaceId, user.id, ids)
})
