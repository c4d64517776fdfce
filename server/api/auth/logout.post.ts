import { revokeSession } from '../../services/auth/sessions'
import { recordAudit } from '../../services/audit'

// Ends this device's session. Signing out twice is not an error.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event).catch(() => undefined)
  if (user) {
    await revokeSession(useDb(), user.sessionId, 'sign_out')
    await recordAudit(useDb(), { action: 'auth.sign_out', actorId: user.id, targetType: 'session', targetId: user.sessionId, ...requestMeta(event) })
  }
  clearSessionCookies(event)
  return { signedOut: true }
})
