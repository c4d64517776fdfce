import { z } from 'zod'
import { isTimeZone, signUpSchema } from '#shared/auth'
import { signUp } from '../../services/auth/accounts'
import { sendVerification } from '../../services/auth/email-links'
import { startSession } from '../../services/auth/sessions'
import { supabaseSignUp, userForSupabaseIdentity } from '../../services/auth/supabase'
import { limits } from '../../services/security/rate-limit'

const bodySchema = signUpSchema.extend({ timeZone: z.string().max(64).optional() })

export default defineEventHandler(async (event) => {
  const input = await readValidatedBody(event, bodySchema.parse)
  const meta = requestMeta(event)
  await (await useRateLimits()).consume(limits.signUpAddress, meta.ip ?? 'unknown')
  const supabase = useServerConfig().supabase
  let userId: string
  if (supabase) {
    const claims = await supabaseSignUp(supabase, input)
    // Projects that confirm e-mail addresses send a link first; the account is made when it is used.
    if (!claims) {
      setResponseStatus(event, 202)
      return { confirmationSent: true }
    }
    userId = (await userForSupabaseIdentity(useDb(), claims, meta, input.inviteToken)).id
  }
  else {
    const timeZone = input.timeZone && isTimeZone(input.timeZone) ? input.timeZone : undefined
    const { user } = await signUp(useDb(), { ...input, timeZone }, meta)
    await sendVerification(useDb(), user, { deliver: deliverMail, link: appLink })
    userId = user.id
  }
  setResponseStatus(event, 201)
  return issueSession(event, await startSession(useDb(), userId, meta))
})
