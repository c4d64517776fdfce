import { getProfile } from '../../services/auth/profile'

// The caller's own account, for the profile page.
export default defineEventHandler(async (event) => {
  const user = await requireUser(event)
  return getProfile(useDb(), user.id, user.sessionId)
})
