import { z } from 'zod'
import { isTimeZone, signUpSchema } from '../../../shared/auth'
import { signUp } from '../../services/auth/accounts'
import { startSession } from '../../services/auth/sessions'
import { consume, limits } from '../../services/security/rate-limit'

const bodySchema = signUpSchema.extend({ timeZone: z.string().max(64).optional() })

export default defineEventHandler(async (event) => {
  const input = await readValidatedBody(event, bodySchema.parse)
  const meta = requestMeta(event)
  await consume(useStorage('kv'), limits.signUpAddress, meta.ip ?? 'unknown')
  const { user } = await signUp(useDb(), { ...input, timeZone: input.timeZone && isTimeZone(input.timeZone) ? input.timeZone : undefined }, meta)
  setResponseStatus(event, 201)
  return issueSession(event, await startSession(useDb(), user.id, meta))
})
