import { z } from 'zod'
import { startSession } from '../../services/auth/sessions'
import { userForSupabaseIdentity, verifySupabaseToken } from '../../services/auth/supabase'
import { recordAudit } from '../../services/audit'

const bodySchema = z.object({ accessToken: z.string().min(20).max(8192), inviteToken: z.string().min(20).max(200).optional() })

// Supabase mode: trades a verified Supabase access token (from a magic link) for a Reelwise session.
export default defineEventHandler(async (event) => {
  const supabase = useServerConfig().supabase
  if (!supabase) throw createError({ status: 404, statusText: 'Supabase Auth is not configured on this install.' })
  const { accessToken, inviteToken } = await readValidatedBody(event, bodySchema.parse)
  const claims = await verifySupabaseToken(supabase, accessToken)
  if (!claims) throw createError({ status: 401, statusText: 'That sign-in link is not valid any more. Ask for a new one.' })
  const meta = requestMeta(event)
  const user = await userForSupabaseIdentity(useDb(), claims, meta, inviteToken)
  await recordAudit(useDb(), { action: 'auth.sign_in', actorId: user.id, ...meta, metadata: { via: 'supabase-link' } })
  return issueSession(event, await startSession(useDb(), user.id, meta))
})
