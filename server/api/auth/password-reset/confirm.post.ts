import { passwordResetSchema } from '#shared/auth'
import { resetPassword } from '../../../services/auth/email-links'
import { limits } from '../../../services/security/rate-limit'

// Sets a new password through the link from the mail; every session of the account ends. The link is the credential.
export default defineEventHandler(async (event) => {
  if (useServerConfig().supabase) throw createError({ status: 404, statusText: 'Passwords are managed by Supabase Auth on this install; use the sign-in link instead.' })
  const { token, password } = await readEmailLinkBody(event, 'password_reset', passwordResetSchema.parse)
  const { email } = await resetPassword(useDb(), token, password, requestMeta(event))
  // The lockout message says "or reset your password": a reset lifts the lock failed sign-ins put on the account.
  await (await useRateLimits()).clear(limits.signInAccount, email)
  clearSessionCookies(event)
  return { reset: true, email }
})
