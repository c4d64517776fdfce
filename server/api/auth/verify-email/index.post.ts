import { verifyEmailSchema } from '#shared/auth'
import { verifyEmail } from '../../../services/auth/email-links'

// The link from the verification mail. It works on any device, signed in or not: the link is the credential.
export default defineEventHandler(async (event) => {
  const { token } = await readEmailLinkBody(event, 'email_verification', verifyEmailSchema.parse)
  return verifyEmail(useDb(), token, requestMeta(event))
})
