import { signInSchema } from '../../../shared/auth'
import { verifyCredentials } from '../../services/auth/accounts'
import { startSession } from '../../services/auth/sessions'
import { signInWithSupabase } from '../../services/auth/supabase'
import { assertUnderLimit, consume, limits } from '../../services/security/rate-limit'

export default defineEventHandler(async (event) => {
  const { email, password } = await readValidatedBody(event, signInSchema.parse)
  const meta = requestMeta(event)
  const kv = useStorage('kv')
  const supabase = useServerConfig().supabase
  await consume(kv, limits.signInAddress, meta.ip ?? 'unknown')
  // A locked account stays locked even for the right password, or the lock would only slow a guesser down.
  await assertUnderLimit(kv, limits.signInAccount, email)
  const user = await (supabase ? signInWithSupabase(useDb(), supabase, email, password, meta) : verifyCredentials(useDb(), email, password, meta))
    .catch(async (error) => {
      if (error.statusCode === 401) await consume(kv, limits.signInAccount, email).catch(() => {})
      throw error
    })
  return issueSession(event, await startSession(useDb(), user.id, meta))
})
