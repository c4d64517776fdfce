import { changePasswordSchema } from '#shared/auth'
import { changePassword } from '../../services/auth/profile'
import { limits } from '../../services/security/rate-limit'

// Changes the caller's password (the current one is required) and signs out every other session. Guesses at the
// current password count against the same limits as failed sign-ins, so a borrowed session cannot brute-force it.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  if (useServerConfig().supabase) throw createError({ status: 404, statusText: 'Passwords are managed by Supabase Auth on this install; change it there.' })
  const input = await readValidatedBody(event, changePasswordSchema.parse)
  const rateLimits = await useRateLimits()
  await rateLimits.consume(limits.signInAddress, clientAddress(event) ?? 'unknown')
  // Counted before the check, like sign-in, so parallel guesses cannot slip past the limit.
  await rateLimits.consume(limits.signInAccount, user.email)
  let wrongPassword = false
  try {
    return await changePassword(useDb(), user, input, requestMeta(event))
  }
  catch (error) {
    wrongPassword = (error as { data?: { field?: string } }).data?.field === 'currentPassword'
    throw error
  }
  finally {
    // Only a wrong current password keeps its count.
    if (!wrongPassword) await rateLimits.reward(limits.signInAccount, user.email).catch(() => {})
  }
})
