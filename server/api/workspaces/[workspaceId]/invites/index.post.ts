import { createInviteSchema } from '#shared/auth'
import { createInvite } from '../../../../services/workspaces/invites'

// Returns the invite link once; only a hash of its token is stored.
export default defineEventHandler(async (event) => {
  const { workspaceId, user, role } = await requireMember(event, 'invites.manage')
  const input = await readValidatedBody(event, createInviteSchema.parse)
  const invite = await createInvite(useDb(), workspaceId, { id: user.id, role }, input)
  setResponseStatus(event, 201)
  return { ...invite, url: new URL(`/invite/${invite.token}`, useServerConfig().appUrl).toString() }
})
