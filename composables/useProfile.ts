import type { AccountProfile } from '#shared/auth'

/** The signed-in person's own account, for the profile page. */
export function useProfile() {
  return useApi<AccountProfile>('/api/auth/profile', { key: 'profile' })
}
