import { profileSchema } from '#shared/auth'
import { getProfile, updateProfile } from '../../services/auth/profile'

// Renames the caller. The e-mail address is not changed here: that needs a verification round trip, not built yet.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  const input = await readValidatedBody(event, profileSchema.parse)
  await updateProfile(useDb(), user.id, input, requestMeta(event))
  return getProfile(useDb(), user.id, user.sessionId)
})
