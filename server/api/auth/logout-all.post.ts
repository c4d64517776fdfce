import { revokeAllSessions } from '../../services/auth/sessions'
import { recordAudit } from '../../services/audit'

// "Sign out of all devices": every session of this user ends now, this one included.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const sessions = await revokeAllSessions(useDb(), user.id, 'sign_out_everywhere')
  await recordAudit(useDb(), { action: 'auth.sign_out_everywhere', actorId: user.id, targetType: 'user', targetId: user.id, metadata: { sessions }, ...requestMeta(event) })
  clearSessionCookies(event)
  return { sessionsEnded: sessions }
})
