import { passwordResetRequestSchema } from '#shared/auth'
import { requestPasswordReset, RESET_LINK_MINUTES } from '../../../services/auth/email-links'
import { mailLimits } from '../../../services/auth/mail-limits'

// "Forgot password?": the same answer, status and limits whether or not an account has this address.
export default defineEventHandler(async (event) => {
  if (useServerConfig().supabase) throw createError({ status: 404, statusText: 'Passwords are managed by Supabase Auth on this install; use the sign-in link instead.' })
  const { email } = await readValidatedBody(event, passwordResetRequestSchema.parse)
  const meta = requestMeta(event)
  await (await useRateLimits()).consume(mailLimits.resetAddress, meta.ip ?? 'unknown')
  await (await useRateLimits()).consume(mailLimits.resetAccount, email)
  // Not awaited: the answer leaves as fast whether or not there is an account to look up, write and mail.
  requestPasswordReset(useDb(), email, { deliver: deliverMail, link: appLink }, meta)
    .catch((error: Error) => console.error(`[mail] could not prepare a password reset: ${error.message}`))
  setResponseStatus(event, 202)
  return { message: `If an account uses this address, a link to choose a new password is on its way. It works for ${RESET_LINK_MINUTES} minutes.` }
})
