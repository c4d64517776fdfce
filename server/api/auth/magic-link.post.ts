import { z } from 'zod'
import { emailSchema } from '#shared/auth'
import { supabaseSendMagicLink } from '../../services/auth/supabase'
import { limits } from '../../services/security/rate-limit'

// Supabase mode only: e-mails a sign-in link that comes back to /auth/callback.
export default defineEventHandler(async (event) => {
  const { email } = await readValidatedBody(event, z.object({ email: emailSchema }).parse)
  const supabase = useServerConfig().supabase
  if (!supabase) throw createError({ status: 404, statusText: 'Sign-in links need Supabase Auth (SUPABASE_URL); this install signs in with a password.' })
  const meta = requestMeta(event)
  const rateLimits = await useRateLimits()
  await rateLimits.consume(limits.signInAddress, meta.ip ?? 'unknown')
  await rateLimits.consume(limits.signInAccount, email)
  await supabaseSendMagicLink(supabase, email, new URL('/auth/callback', useServerConfig().appUrl).toString())
  return { sent: true }
})
