import type { Permission } from '#shared/permissions'
import { roleAllows } from '#shared/permissions'
import type { SessionData } from '#shared/workspaces'

/** The workspaces of the signed-in user and the one being worked in (remembered in a cookie across visits). */
export function useWorkspace() {
  const { data, getSession } = useAuth()
  const nuxtApp = useNuxtApp()
  const selectedId = useCookie<string | null>('rw_workspace', { sameSite: 'lax', maxAge: 60 * 60 * 24 * 365, default: () => null })
  const session = computed(() => data.value as SessionData | null | undefined)
  const workspaces = computed(() => session.value?.workspaces ?? [])
  const current = computed(() => workspaces.value.find(workspace => workspace.id === selectedId.value) ?? workspaces.value[0])

  function select(id: string) {
    selectedId.value = id
  }

  /** Whether the current role allows `permission`: for hiding controls the server would refuse anyway. */
  function can(permission: Permission): boolean {
    return current.value ? roleAllows(current.value.role, permission) : false
  }

  // After a change to workspaces or memberships, the session lists them anew.
  async function reload() {
    await getSession({ force: true })
    // The other tabs of this browser read it too (plugins/session-sync.client.ts).
    if (import.meta.client) nuxtApp.$announceSessionChange?.()
  }

  return { user: computed(() => session.value?.user), workspaces, current, select, can, reload }
}
