import { signInSchema } from '../../../shared/auth'
import { verifyCredentials } from '../../services/auth/accounts'
import { startSession } from '../../services/auth/sessions'
import { assertUnderLimit, consume, limits } from '../../services/security/rate-limit'

export default defineEventHandler(async (event) => {
  const { email, password } = await readValidatedBody(event, signInSchema.parse)
  const meta = requestMeta(event)
  const kv = useStorage('kv')
  await consume(kv, limits.signInAddress, meta.ip ?? 'unknown')
  // A locked account stays locked even for the right password, or the lock would only slow a guesser down.
  await assertUnderLimit(kv, limits.signInAccount, email)
  const user = await verifyCredentials(useDb(), email, password, meta).catch(async (error) => {
    await consume(kv, limits.signInAccount, email).catch(() => {})
    throw error
  })
  return issueSession(event, await startSession(useDb(), user.id, meta))
})
