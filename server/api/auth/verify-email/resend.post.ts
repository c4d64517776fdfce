import { resendVerification } from '../../../services/auth/email-links'
import { mailLimits } from '../../../services/auth/mail-limits'

// "Send the link again", from the banner that unverified users see.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  await (await useRateLimits()).consume(mailLimits.verificationResend, user.id)
  return resendVerification(useDb(), user.id, { deliver: deliverMail, link: appLink })
})
