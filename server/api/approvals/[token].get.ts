import { z } from 'zod'
import { emailLinkTokenSchema } from '#shared/auth'
import { getEntry } from '../../services/schedule/entries'
import { approvalLinkOf } from '../../services/schedule/review'

// What an approval mail's link opens, without signing in: the post, for the approver it was sent to. The token is
// the credential; it is used up by the decision, not by looking.
export default defineEventHandler(async (event) => {
  const { token } = await getValidatedRouterParams(event, z.object({ token: emailLinkTokenSchema }).parse)
  const db = useDb()
  const { actor, groupId } = await approvalLinkOf({ db }, token)
  const workspace = await db.workspace.findUniqueOrThrow({ where: { id: actor.workspaceId }, select: { name: true, timeZone: true } })
  return { workspace, entry: await getEntry(db, actor.workspaceId, groupId) }
})
