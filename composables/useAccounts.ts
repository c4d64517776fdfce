import type { AccountsResponse } from '#shared/accounts'

/** The workspace's connected accounts, their health, and the platforms this server can connect. */
export function useAccounts() {
  const { current } = useWorkspace()
  return useApi<AccountsResponse>(() => `/api/workspaces/${current.value?.id}/accounts`, {
    key: `accounts-${current.value?.id}`,
    immediate: Boolean(current.value),
  })
}

/** The icon of each platform (lucide has no TikTok mark; a note stands in). */
export const platformIcons: Record<string, string> = {
  instagram: 'i-lucide-instagram',
  tiktok: 'i-lucide-music-2',
  youtube: 'i-lucide-youtube',
  facebook: 'i-lucide-facebook',
}
