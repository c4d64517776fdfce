import { signInSchema } from '#shared/auth'
import { verifyCredentials } from '../../services/auth/accounts'
import { startSession } from '../../services/auth/sessions'
import { signInWithSupabase } from '../../services/auth/supabase'
import { limitPasswordAttempts, limits } from '../../services/security/rate-limit'

export default defineEventHandler(async (event) => {
  const { email, password } = await readValidatedBody(event, signInSchema.parse)
  const meta = requestMeta(event)
  const rateLimits = await useRateLimits()
  const supabase = useServerConfig().supabase
  await rateLimits.consume(limits.signInAddress, meta.ip ?? 'unknown')
  // Counted before the password is checked: a locked account stays locked even for the right password,
  // and parallel guesses cannot slip past the count.
  const user = await limitPasswordAttempts(rateLimits, email, () =>
    supabase ? signInWithSupabase(useDb(), supabase, email, password, meta) : verifyCredentials(useDb(), email, password, meta))
  return issueSession(event, await startSession(useDb(), user.id, meta))
})
