import { resendVerification } from '../../../services/auth/email-links'
import { mailLimits } from '../../../services/auth/mail-limits'
import { consume } from '../../../services/security/rate-limit'

// "Send the link again", from the banner that unverified users see.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  await consume(useStorage('kv'), mailLimits.verificationResend, user.id)
  return resendVerification(useDb(), user.id, { deliver: deliverMail, link: appLink })
})
